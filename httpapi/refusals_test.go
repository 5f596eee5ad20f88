package httpapi_test

import (
	"strings"
	"testing"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
)

// TestRefusals: every refused command answers 4xx naming the field, the
// value and the rule, and appends nothing.
func TestRefusals(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof18 := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	prof19 := s.token("prof.marchal", []string{"teacher"}, "1/9")
	auditor := s.token("audit.dumont", []string{"auditor"})
	studentTok := s.token(cohort[0].mat, []string{"student"})
	enrol(t, s, sec)
	// One extra student registered without a PAE.
	s.must(201, "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE209999", FirstName: "Zoé", LastName: "Zeller", Email: "zoe.zeller@student.helmo.be"})
	mark := func(student, activity, value string) map[string]any {
		return map[string]any{"entries": []handlers.EntryInput{{Student: student, Activity: activity, Value: value}}}
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		want                      []string // in the answer: field, value, rule
	}{
		{"no token", "POST", q1_18 + "/entries", "", mark(cohort[0].mat, "", "12"), 401, []string{"authentication required"}},
		{"forged token", "POST", q1_18 + "/entries", prof18 + "x", mark(cohort[0].mat, "", "12"), 401, []string{"signature"}},
		{"mark above 20", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "", "20.5"), 422, []string{"value", "20.5", "outside the scale 0-20"}},
		{"negative mark", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "", "-1"), 422, []string{"value", "-1"}},
		{"two decimals", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "", "12.25"), 422, []string{"value", "12.25", "more than 1 decimals"}},
		{"not a mark nor a code", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "", "XYZ"), 422, []string{"value", "XYZ", "not a code of the 2025-2026 ruleset"}},
		{"unknown student", "POST", q1_18 + "/entries", prof18, mark("HE000000", "", "12"), 404, []string{"student", "HE000000", "no student is registered"}},
		{"student not on the sheet", "POST", q1_18 + "/entries", prof18, mark("HE209999", "", "12"), 422, []string{"student", "HE209999", "no validated PAE"}},
		{"unknown UE", "GET", "/api/v1/sheets/2025-2026/Q1/9/9", prof18, nil, 403, []string{"ue", "9/9"}},
		{"unknown UE (secretariat)", "POST", "/api/v1/sheets/2025-2026/Q1/9/9/entries", sec, mark(cohort[0].mat, "", "12"), 404, []string{"ue", "9/9", "no such UE"}},
		{"UE not evaluated in Q1", "POST", "/api/v1/sheets/2025-2026/Q1/1/9/entries", prof19, mark(cohort[0].mat, "Méthodologies", "12"), 404, []string{"session", "Q1", "evaluated in [Q2 Q3] only"}},
		{"unknown session", "GET", "/api/v1/sheets/2025-2026/Q4/1/8", sec, nil, 404, []string{"session", "Q4"}},
		{"unknown year", "GET", "/api/v1/sheets/2030-2031/Q1/1/8", sec, nil, 404, []string{"year", "2030-2031", "no catalog"}},
		{"activity on an integrated UE", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "Travaux pratiques", "12"), 422, []string{"activity", "Travaux pratiques", "single integrated mark"}},
		{"UE mark on a UE marked per activity", "POST", q2_19 + "/entries", prof19, mark(cohort[0].mat, "", "12"), 422, []string{"activity", "marked per activity"}},
		{"unknown activity", "POST", q2_19 + "/entries", prof19, mark(cohort[0].mat, "Stage", "12"), 422, []string{"activity", "Stage", "no activity"}},
		{"teacher of another UE", "POST", q1_18 + "/entries", prof19, mark(cohort[0].mat, "", "12"), 403, []string{"ue", "1/8", "responsible for UE 1/9"}},
		{"auditor writes", "POST", q1_18 + "/entries", auditor, mark(cohort[0].mat, "", "12"), 403, []string{"role", "auditor"}},
		{"student writes", "POST", q1_18 + "/entries", studentTok, mark(cohort[0].mat, "", "20"), 403, []string{"role", "student"}},
		{"teacher sets CM", "POST", q1_18 + "/entries", prof18, mark(cohort[0].mat, "", "cm"), 403, []string{"value", "cm", "may be set only by secretariat"}},
		{"same slot twice", "POST", q1_18 + "/entries", prof18, map[string]any{"entries": []handlers.EntryInput{
			{Student: cohort[0].mat, Value: "12"}, {Student: cohort[0].mat, Value: "13"}}}, 422, []string{"entries[1].student", "entered twice"}},
		{"nothing to record", "POST", q1_18 + "/entries", prof18, map[string]any{"entries": []any{}}, 422, []string{"entries", "nothing to record"}},
		{"unknown JSON field", "POST", q1_18 + "/entries", prof18, map[string]any{"entrees": []any{}}, 400, []string{"unknown field"}},
		{"teacher registers", "POST", "/api/v1/students", prof18, handlers.Registration{Matricule: "HE300000", FirstName: "A", LastName: "B", Email: "a@b.be"}, 403, []string{"role", "teacher"}},
		{"bad registration", "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "x!", Email: "not-an-email"}, 422,
			[]string{"matricule", "x!", "first_name", "last_name", "email", "not-an-email"}},
		{"matricule taken", "POST", "/api/v1/students", sec, handlers.Registration{Matricule: cohort[0].mat, FirstName: "A", LastName: "B", Email: "other@student.helmo.be"}, 422, []string{"matricule", "already registered"}},
		{"email taken", "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE300001", FirstName: "A", LastName: "B", Email: cohort[1].email}, 422, []string{"email", "already the email of student HE201002"}},
		{"session dates out of order", "PUT", "/api/v1/sessions/2025-2026/Q2", sec, map[string]string{"exams_from": "2026-06-01", "exams_to": "2026-05-26",
			"encoding_deadline": "2026-06-29", "deliberation": "2026-07-01", "publication": "2026-07-03"}, 422, []string{"exams_to", "2026-05-26", "comes before exams_from"}},
		{"reopen a draft", "POST", q1_18 + "/reopen", sec, map[string]string{"reason": "x"}, 422, []string{"sheet", "not submitted"}},
		{"stale If-Match", "PUT", q1_18 + "/entries/" + cohort[0].mat, prof18, map[string]string{"value": "12"}, 409, []string{"version", "changed since"}},
	}
	s.must(200, "PUT", q1_18+"/entries/"+cohort[0].mat, prof18, map[string]string{"value": "11"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.position(t)
			var headers []string
			if c.name == "stale If-Match" {
				headers = []string{"If-Match", `"1"`}
			}
			a := s.do(c.method, c.path, c.token, c.body, headers...)
			if a.status != c.status {
				t.Fatalf("%d, want %d\n%s", a.status, c.status, a.body)
			}
			for _, w := range c.want {
				if !strings.Contains(string(a.body), w) {
					t.Errorf("answer lacks %q:\n%s", w, a.body)
				}
			}
			s.unchanged(t, before, c.status, actorOf(t, c.token), c.path)
		})
	}
}

// TestPAERefusal: a refused PAE lists every violation at once.
func TestPAERefusal(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	s.must(201, "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE400001", FirstName: "Léa", LastName: "Noël", Email: "lea.noel@student.helmo.be"})
	s.must(200, "POST", "/api/v1/students/HE400001/admission", sec, handlers.Admission{Year: y, Basis: "bachelier", HasBachelor: true, Complements: []string{"1/1"}})
	// 1/2 and 1/3 are not required by the admission; 1/11 needs its
	// co-requisite 1/12; 9/9 does not exist; 1/4 twice; a waiver of a
	// prerequisite 2/10 does not have (the seed declares none).
	before := s.position(t)
	a := s.must(422, "PUT", "/api/v1/students/HE400001/pae/"+y, sec, handlers.PAERequest{
		UEs:     []string{"1/1", "1/2", "1/3", "1/4", "1/4", "1/11", "9/9", "2/10"},
		Waivers: []events.Waiver{{UE: "2/10", Prerequisite: "1/12", Reason: "fin de cycle"}},
	})
	var body struct {
		Problems []handlers.Problem `json:"problems"`
	}
	a.json(t, &body)
	want := []string{
		`ues "1/4": UE 1/4 is listed twice`,
		`ues "9/9": no such UE`,
		`ues "1/2": UE 1/2 is an admission complement the student's admission does not require`,
		`ues "1/3": UE 1/3 is an admission complement the student's admission does not require`,
		`ues "1/11": UE 1/11 requires 1/12 followed before or in the same year (co-requisite)`,
		`waivers "1/12": UE 2/10 has no prerequisite to waive`,
	}
	got := ""
	for _, p := range body.Problems {
		got += p.String() + "\n"
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("refusal lacks %q; it lists:\n%s", w, got)
		}
	}
	if s.position(t) != before {
		t.Fatal("a refused PAE appended records")
	}
	// Eligibility: 1/3 is only for students without a matching bachelor.
	s.must(201, "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE400003", FirstName: "Nora", LastName: "Petit", Email: "nora.petit@student.helmo.be"})
	a = s.must(422, "POST", "/api/v1/students/HE400003/admission", sec, handlers.Admission{Year: y, Basis: "bachelier", HasBachelor: true, Complements: []string{"1/3"}})
	if !strings.Contains(string(a.body), "only for students without-matching-bachelor") {
		t.Fatalf("1/3 for a bachelor: %s", a.body)
	}
	// Not admitted yet: said plainly.
	s.must(201, "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE400002", FirstName: "Marc", LastName: "Olivier", Email: "marc.olivier@student.helmo.be"})
	s.must(422, "PUT", "/api/v1/students/HE400002/pae/"+y, sec, handlers.PAERequest{UEs: []string{"1/4"}})
}
