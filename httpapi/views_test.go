package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// viewYear is a small year scripted through the API for the view tests.
type viewYear struct {
	*server
	sec, jury, prof18, prof19 string
	// a and b are the two students; tokA is a's own token.
	a, b, tokA string
	// registered is the position of a's registration; firstMark that of
	// a's first mark (1/8 in Q1); last that of the last write.
	registered, firstMark, last uint64
}

// scriptYear registers, admits and gives a bloc-1 PAE to two students,
// schedules Q1 and Q2, and records: in Q1 the integrated UE 1/8 (14 for
// a, ABS for b), in Q2 the two activities of 1/9 (12 and 6 for a, 15 and
// 13 for b).
func scriptYear(t *testing.T) *viewYear {
	t.Helper()
	s := startServer(t)
	v := &viewYear{server: s, a: "HE301001", b: "HE301002",
		sec:    s.token("sec.leroy", []string{"secretariat"}),
		jury:   s.token("jury.dumont", []string{"jury"}),
		prof18: s.token("prof.lenoir", []string{"teacher"}, "1/8"),
		prof19: s.token("prof.marchal", []string{"teacher"}, "1/9"),
	}
	v.tokA = s.token(v.a, []string{"student"})
	var w httpapi.Written
	for _, st := range []handlers.Registration{
		{Matricule: v.a, FirstName: "Amélie", LastName: "Dubois", Email: "amelie.dubois@student.helmo.be"},
		{Matricule: v.b, FirstName: "Bruno", LastName: "Lambert", Email: "bruno.lambert@student.helmo.be"},
	} {
		s.must(201, "POST", "/api/v1/students", v.sec, st).json(t, &w)
		if v.registered == 0 {
			v.registered = w.Position
		}
		s.must(200, "POST", "/api/v1/students/"+st.Matricule+"/admission", v.sec,
			handlers.Admission{Year: y, Basis: "bachelier assistant social", HasBachelor: true})
		s.must(201, "PUT", "/api/v1/students/"+st.Matricule+"/pae/"+y, v.sec, handlers.PAERequest{UEs: bloc1})
	}
	for _, q := range []string{"Q1", "Q2"} {
		s.must(200, "PUT", "/api/v1/sessions/"+y+"/"+q, v.sec, nil)
	}
	// The jury reads the students of its year only: jury.dumont sits on it.
	s.must(200, "PUT", "/api/v1/juries/MIAS/"+y, v.sec, handlers.JuryInput{President: "jury.dumont", Secretary: "jury.b", Members: []events.JuryMember{
		{ID: "jury.dumont", Name: "Luc Dumont", Institution: "HELMo", Teaches: []string{"1/8"}},
		{ID: "jury.b", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9"}},
		{ID: "jury.c", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10"}},
		{ID: "jury.d", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12"}},
		{ID: "jury.e", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/4"}},
	}})
	var rec handlers.Recorded
	s.must(200, "POST", q1_18+"/entries", v.prof18, map[string]any{"entries": []handlers.EntryInput{
		{Student: v.a, Value: "14"}}}).json(t, &rec)
	v.firstMark = rec.Position
	s.must(200, "POST", q1_18+"/entries", v.prof18, map[string]any{"entries": []handlers.EntryInput{
		{Student: v.b, Value: "abs"}}})
	s.must(200, "POST", q2_19+"/entries", v.prof19, map[string]any{"entries": []handlers.EntryInput{
		{Student: v.a, Activity: "Méthodologies", Value: "12"},
		{Student: v.a, Activity: "Travaux pratiques", Value: "6"},
		{Student: v.b, Activity: "Méthodologies", Value: "15"},
		{Student: v.b, Activity: "Travaux pratiques", Value: "13"},
	}}).json(t, &rec)
	v.last = rec.Position
	if v.registered == 0 || v.firstMark <= v.registered || v.last <= v.firstMark {
		t.Fatalf("positions: registered %d, first mark %d, last %d", v.registered, v.firstMark, v.last)
	}
	return v
}

func (v *viewYear) transcriptPath(mat string) string {
	return "/api/v1/students/" + mat + "/transcripts/" + y
}

// get reads a view, failing unless it answers want.
func (v *viewYear) get(t *testing.T, want int, path, token string) answer {
	t.Helper()
	return v.must(want, "GET", path, token, nil)
}

// positionOf returns the Gradelog-Position header of a view answer.
func positionOf(t *testing.T, a answer) uint64 {
	t.Helper()
	p, err := strconv.ParseUint(a.header.Get("Gradelog-Position"), 10, 64)
	if err != nil {
		t.Fatalf("Gradelog-Position %q: %v", a.header.Get("Gradelog-Position"), err)
	}
	return p
}

// readCSV checks a view's CSV conventions (content type, file name, BOM,
// ";") and returns its header and rows.
func readCSV(t *testing.T, a answer, filename string) ([]string, [][]string) {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := a.header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		t.Errorf("Content-Disposition %q, want the file %s", cd, filename)
	}
	body, ok := bytes.CutPrefix(a.body, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("CSV without a UTF-8 byte order mark: %q", a.body[:min(len(a.body), 20)])
	}
	if !bytes.Contains(body, []byte(";")) || !bytes.Contains(body, []byte("\r\n")) {
		t.Errorf("CSV not ;-separated with CRLF: %q", body[:min(len(body), 200)])
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	if len(all) == 0 {
		t.Fatal("CSV without a header")
	}
	return all[0], all[1:]
}

// rowsWhere returns the rows (as column → value) whose cells match.
func rowsWhere(header []string, rows [][]string, match map[string]string) []map[string]string {
	var out []map[string]string
	for _, r := range rows {
		m := map[string]string{}
		for i, h := range header {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		ok := true
		for k, want := range match {
			ok = ok && m[k] == want
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

func ueOf(t *testing.T, ues []projections.TranscriptUE, code string) projections.TranscriptUE {
	t.Helper()
	for _, u := range ues {
		if u.Code == code {
			return u
		}
	}
	t.Fatalf("no UE %s among %d", code, len(ues))
	return projections.TranscriptUE{}
}

func mark(t *testing.T, s string) *rules.Mark {
	t.Helper()
	m, err := rules.ParseMark(s)
	if err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestViews(t *testing.T) {
	t.Parallel()
	v := scriptYear(t)
	minPos := "?min_position=" + strconv.FormatUint(v.last, 10)

	t.Run("transcript", func(t *testing.T) {
		ans := v.get(t, 200, v.transcriptPath(v.a)+minPos, v.sec)
		var tr projections.Transcript
		ans.json(t, &tr)
		if got := positionOf(t, ans); got != tr.Position || got < v.last {
			t.Errorf("Gradelog-Position %d, transcript position %d, last write %d", got, tr.Position, v.last)
		}
		if tr.Student.Matricule != v.a || tr.Year != y || tr.Empty != "" || tr.AsOf != nil {
			t.Errorf("transcript of %s: %+v", v.a, tr.Basis)
		}
		u18 := ueOf(t, tr.UEs, "1/8")
		if diff := cmp.Diff(mark(t, "14"), u18.Mark); diff != "" || u18.Status != rules.Acquired || u18.Basis != rules.ByMark || !u18.Integrated {
			t.Errorf("1/8: %+v %s", u18, diff)
		}
		u19 := ueOf(t, tr.UEs, "1/9")
		if diff := cmp.Diff(mark(t, "8"), u19.Mark); diff != "" || u19.Status != rules.NotAcquired || u19.Basis != rules.BelowPass {
			t.Errorf("1/9 (12 and 6, weighted by hours: 8.4 -> 8): %+v %s", u19, diff)
		}

		var trB projections.Transcript
		v.get(t, 200, v.transcriptPath(v.b)+minPos, v.sec).json(t, &trB)
		b18 := ueOf(t, trB.UEs, "1/8")
		if b18.Mark != nil || b18.Status == rules.Acquired || b18.Basis != rules.Blocked ||
			len(b18.Sessions) == 0 || b18.Sessions[0].Result != "ABS" {
			t.Errorf("1/8 of %s (ABS): %+v", v.b, b18)
		}
		b19 := ueOf(t, trB.UEs, "1/9")
		if diff := cmp.Diff(mark(t, "14"), b19.Mark); diff != "" || b19.Status != rules.Acquired {
			t.Errorf("1/9 of %s (15 and 13: 13.8 -> 14): %+v %s", v.b, b19, diff)
		}
	})

	t.Run("transcript CSV", func(t *testing.T) {
		ans := v.get(t, 200, v.transcriptPath(v.a)+minPos+"&format=csv", v.sec)
		header, rows := readCSV(t, ans, "releve-"+v.a+"-"+y+".csv")
		want := []string{"ue", "title", "bloc", "credits", "session", "activity", "result", "carried_from", "corrected",
			"session_mark", "ue_mark", "status", "basis"}
		if diff := cmp.Diff(want, header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		positionOf(t, ans)
		// UE codes are Excel text formulas, as in the grade-sheet export.
		ue18 := rowsWhere(header, rows, map[string]string{"ue": `="1/8"`, "session": ""})
		if len(ue18) != 1 || ue18[0]["ue_mark"] != "14" || ue18[0]["status"] != "acquired" || ue18[0]["basis"] != "mark" ||
			ue18[0]["credits"] != "9" || ue18[0]["bloc"] != "1" {
			t.Errorf("UE row of 1/8: %v", ue18)
		}
		q1 := rowsWhere(header, rows, map[string]string{"ue": `="1/8"`, "session": "Q1"})
		if len(q1) != 1 || q1[0]["result"] != "14" || q1[0]["activity"] != "" || q1[0]["session_mark"] != "14" {
			t.Errorf("Q1 row of 1/8: %v", q1)
		}
		q2 := rowsWhere(header, rows, map[string]string{"ue": `="1/9"`, "session": "Q2"})
		if len(q2) != 2 || q2[0]["activity"] != "Méthodologies" || q2[0]["result"] != "12" || q2[0]["corrected"] != "false" ||
			q2[1]["activity"] != "Travaux pratiques" || q2[1]["result"] != "6" || q2[0]["session_mark"] != "8" {
			t.Errorf("Q2 rows of 1/9: %v", q2)
		}
		if n := len(rowsWhere(header, rows, map[string]string{"session": ""})); n != len(bloc1) {
			t.Errorf("%d UE-level rows, want one per UE of the PAE (%d)", n, len(bloc1))
		}
	})

	t.Run("transcript PDF", func(t *testing.T) {
		ans := v.get(t, 200, v.transcriptPath(v.a)+"?format=pdf", v.sec)
		if !bytes.HasPrefix(ans.body, []byte("%PDF")) {
			t.Errorf("not a PDF: %q", ans.body[:min(len(ans.body), 20)])
		}
		if ct := ans.header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd, want := ans.header.Get("Content-Disposition"), `attachment; filename="releve-`+v.a+`-`+y+`.pdf"`; cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
		if positionOf(t, ans) < v.last {
			t.Errorf("Gradelog-Position %d before the last write %d", positionOf(t, ans), v.last)
		}
	})

	t.Run("ledger", func(t *testing.T) {
		var l projections.Ledger
		ans := v.get(t, 200, "/api/v1/students/"+v.a+"/ledger"+minPos, v.sec)
		ans.json(t, &l)
		if positionOf(t, ans) != l.Position {
			t.Errorf("Gradelog-Position %d, ledger position %d", positionOf(t, ans), l.Position)
		}
		var u18 *projections.LedgerUE
		for i := range l.UEs {
			if l.UEs[i].Code == "1/8" {
				u18 = &l.UEs[i]
			}
		}
		want := projections.LedgerUE{Code: "1/8", Title: "Piloter une organisation - partie 1", Bloc: 1, Credits: 9,
			Acquired: true, Basis: rules.ByMark, Year: y, Session: "Q1", Mark: mark(t, "14")}
		if u18 == nil {
			t.Fatalf("no 1/8 in the ledger: %+v", l.UEs)
		}
		if diff := cmp.Diff(want, *u18); diff != "" {
			t.Errorf("1/8 in the ledger (-want +got):\n%s", diff)
		}
		// 1/8 and 1/9 of a are 9 credits each; 1/8 only is acquired.
		if l.Cycle.Acquired != 9 || l.Cycle.ByMark != 9 {
			t.Errorf("cycle: %+v", l.Cycle)
		}

		header, rows := readCSV(t, v.get(t, 200, "/api/v1/students/"+v.a+"/ledger?format=csv", v.sec), "credits-"+v.a+".csv")
		if diff := cmp.Diff([]string{"kind", "code", "title", "bloc", "credits", "acquired", "basis", "year", "session", "mark"}, header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if len(rows) != len(l.UEs)+len(l.Complements) {
			t.Errorf("%d rows, want %d UEs and %d complements", len(rows), len(l.UEs), len(l.Complements))
		}
		got := rowsWhere(header, rows, map[string]string{"code": `="1/8"`})
		if diff := cmp.Diff([]map[string]string{{"kind": "programme", "code": `="1/8"`, "title": want.Title, "bloc": "1", "credits": "9",
			"acquired": "true", "basis": "mark", "year": y, "session": "Q1", "mark": "14"}}, got); diff != "" {
			t.Errorf("1/8 row (-want +got):\n%s", diff)
		}
	})

	t.Run("readiness", func(t *testing.T) {
		var r projections.ReadinessView
		ans := v.get(t, 200, "/api/v1/students/"+v.a+"/readiness"+minPos, v.jury)
		ans.json(t, &r)
		status := map[string]rules.ReadyStatus{}
		for _, u := range r.UEs {
			status[u.UE] = u.Status
		}
		if status["1/8"] != rules.AlreadyAcquired || status["1/9"] == rules.AlreadyAcquired || len(r.UEs) == 0 {
			t.Errorf("readiness: %+v", r.UEs)
		}
		header, rows := readCSV(t, v.get(t, 200, "/api/v1/students/"+v.a+"/readiness?format=csv", v.jury), "prerequis-"+v.a+".csv")
		if diff := cmp.Diff([]string{"ue", "status", "missing_prerequisites", "co_enrol", "waivable"}, header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if len(rows) != len(r.UEs) {
			t.Errorf("%d rows, %d UEs", len(rows), len(r.UEs))
		}
		for i, u := range r.UEs {
			want := []string{u.UE, string(u.Status), u.MissingPrerequisites, u.CoEnrol, strconv.FormatBool(u.Waivable)}
			if i < len(rows) {
				got := slices.Clone(rows[i])
				for _, j := range []int{0, 2, 3} { // a single UE code is an Excel text formula
					got[j] = strings.TrimSuffix(strings.TrimPrefix(got[j], `="`), `"`)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("row %d (-want +got):\n%s", i, diff)
				}
			}
		}
	})

	t.Run("history", func(t *testing.T) {
		var h projections.History
		v.get(t, 200, "/api/v1/students/"+v.a+"/history"+minPos, v.sec).json(t, &h)
		ans := v.get(t, 200, "/api/v1/students/"+v.a+"/history?format=csv", v.sec)
		header, rows := readCSV(t, ans, "historique-"+v.a+".csv")
		if diff := cmp.Diff([]string{"position", "recorded_at", "type", "aggregate", "actor", "context", "summary", "previous",
			"value", "reason", "hash"}, header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if len(rows) != len(h.Entries) || len(rows) < 6 {
			t.Fatalf("%d rows, %d entries (registration, admission, PAE, three marks at least)", len(rows), len(h.Entries))
		}
		for i, e := range h.Entries {
			if rows[i][0] != strconv.FormatUint(e.Position, 10) || rows[i][2] != e.Type || rows[i][10] != e.Hash {
				t.Errorf("row %d: %q, entry %+v", i, rows[i], e)
			}
			if at, err := time.Parse(time.RFC3339Nano, rows[i][1]); err != nil || !at.Equal(e.RecordedAt) {
				t.Errorf("row %d: recorded_at %q (%v), entry's %v", i, rows[i][1], err, e.RecordedAt)
			}
		}
		marks := rowsWhere(header, rows, map[string]string{"position": strconv.FormatUint(v.firstMark, 10)})
		if len(marks) != 1 || marks[0]["actor"] != "prof.lenoir" || !strings.Contains(marks[0]["context"], "1/8") || marks[0]["value"] != "14" {
			t.Errorf("the first mark's row: %v", marks)
		}
	})

	t.Run("dossier", func(t *testing.T) {
		var d projections.Dossier
		ans := v.get(t, 200, "/api/v1/students/"+v.a+"/dossiers/"+y+"/Q2"+minPos, v.jury)
		ans.json(t, &d)
		if positionOf(t, ans) != d.Position || d.Student.Matricule != v.a || d.Session != "Q2" || d.RecordVersion <= v.firstMark || d.RecordVersion > v.last ||
			d.PAE == nil || len(d.PAE.UEs) != len(bloc1) || len(d.Proposal.UEs) == 0 || d.Proposal.Outcome == "" {
			t.Errorf("dossier: position %d, %+v", positionOf(t, ans), d)
		}
		if u := ueOf(t, d.UEs, "1/9"); u.Mark == nil || *u.Mark != *mark(t, "8") {
			t.Errorf("1/9 in the dossier: %+v", u)
		}
		v.get(t, 403, "/api/v1/students/"+v.a+"/dossiers/"+y+"/Q2", v.tokA) // the jury's, not the student's
		v.get(t, 404, "/api/v1/students/"+v.a+"/dossiers/"+y+"/Q4", v.jury)
		v.get(t, 400, "/api/v1/students/"+v.a+"/dossiers/"+y+"/Q2?format=csv", v.jury)
	})

	t.Run("sheet statuses", func(t *testing.T) {
		const q1 = "/api/v1/sessions/" + y + "/Q1/sheets"
		var mine httpapi.SheetStatuses
		ans := v.get(t, 200, q1+minPos, v.prof18)
		ans.json(t, &mine)
		if positionOf(t, ans) != mine.Position || mine.Position < v.last {
			t.Errorf("Gradelog-Position %d, body position %d, last write %d", positionOf(t, ans), mine.Position, v.last)
		}
		want := []projections.SheetStatus{{Year: y, Session: "Q1", UE: "1/8", Title: "Piloter une organisation - partie 1",
			Status: "draft", Enrolled: 2, Entered: 2, Missing: 0, MissingStudents: []string{},
			Teachers: []projections.TeacherEntries{{Actor: "prof.lenoir", Entries: 2}}}}
		if diff := cmp.Diff(want, mine.Sheets, cmpIgnoreDeadline); diff != "" {
			t.Errorf("the teacher of 1/8 sees (-want +got):\n%s", diff)
		}
		if mine.Sheets[0].Deadline.IsZero() {
			t.Error("no deadline on a scheduled session's sheet")
		}
		var none httpapi.SheetStatuses
		v.get(t, 200, q1, v.prof19).json(t, &none) // 1/9 is not examined in Q1
		if len(none.Sheets) != 0 {
			t.Errorf("the teacher of 1/9 sees in Q1: %+v", none.Sheets)
		}
		var all httpapi.SheetStatuses
		v.get(t, 200, q1, v.sec).json(t, &all)
		if len(all.Sheets) < 2 || !cmp.Equal(ueStatus(all.Sheets, "1/8"), want[0], cmpIgnoreDeadline) {
			t.Errorf("the secretariat sees %d sheets: %+v", len(all.Sheets), all.Sheets)
		}
		if s := ueStatus(all.Sheets, "1/4"); s.Status != "empty" || s.Enrolled != 2 || s.Missing != 2 ||
			!cmp.Equal(s.MissingStudents, []string{v.a, v.b}) {
			t.Errorf("an untouched sheet: %+v", s)
		}

		header, rows := readCSV(t, v.get(t, 200, q1+"?format=csv", v.sec), "grilles-"+y+"-Q1.csv")
		if diff := cmp.Diff([]string{"year", "session", "ue", "title", "status", "deadline", "enrolled", "entered", "missing",
			"missing_students", "teachers", "submitted_at", "submitted_by"}, header); diff != "" {
			t.Errorf("header (-want +got):\n%s", diff)
		}
		if len(rows) != len(all.Sheets) {
			t.Errorf("%d rows, %d sheets", len(rows), len(all.Sheets))
		}
		r18 := rowsWhere(header, rows, map[string]string{"ue": `="1/8"`})
		if len(r18) != 1 || r18[0]["teachers"] != "prof.lenoir:2" || r18[0]["entered"] != "2" || r18[0]["status"] != "draft" ||
			r18[0]["deadline"] != "2026-02-02T23:59:59+01:00" {
			t.Errorf("1/8 row: %v", r18)
		}
		r14 := rowsWhere(header, rows, map[string]string{"ue": `="1/4"`})
		if len(r14) != 1 || r14[0]["missing_students"] != v.a+" "+v.b || r14[0]["teachers"] != "" {
			t.Errorf("1/4 row: %v", r14)
		}

		var q2 httpapi.SheetStatuses
		v.get(t, 200, "/api/v1/sessions/"+y+"/Q2/sheets", v.prof19).json(t, &q2)
		if len(q2.Sheets) != 1 || q2.Sheets[0].UE != "1/9" || q2.Sheets[0].Entered != 2 {
			t.Errorf("the teacher of 1/9 sees in Q2: %+v", q2.Sheets)
		}
		v.get(t, 403, q1, v.tokA)
		v.get(t, 404, "/api/v1/sessions/"+y+"/Q4/sheets", v.sec)
		v.get(t, 404, "/api/v1/sessions/2030-2031/Q1/sheets", v.sec)
	})

	t.Run("as of", func(t *testing.T) {
		// Before a's registration: 200, empty, saying so.
		before := "?as_of_position=" + strconv.FormatUint(v.registered-1, 10)
		for _, path := range []string{v.transcriptPath(v.a), "/api/v1/students/" + v.a + "/ledger",
			"/api/v1/students/" + v.a + "/readiness", "/api/v1/students/" + v.a + "/history",
			"/api/v1/students/" + v.a + "/dossiers/" + y + "/Q1"} {
			var b struct {
				projections.Basis
				Student projections.Identity `json:"student"`
			}
			v.get(t, 200, path+before, v.sec).json(t, &b)
			if b.Empty == "" || b.AsOf == nil || b.AsOf.Position != v.registered-1 || b.AsOf.Records != 0 || b.Student.Matricule != v.a {
				t.Errorf("%s%s: %+v", path, before, b)
			}
		}

		// After the first mark: the first mark only.
		var then projections.Transcript
		ans := v.get(t, 200, v.transcriptPath(v.a)+"?as_of_position="+strconv.FormatUint(v.firstMark, 10), v.sec)
		ans.json(t, &then)
		if then.Empty != "" || then.AsOf == nil || then.AsOf.Position != v.firstMark || then.Position != v.firstMark ||
			positionOf(t, ans) != v.firstMark {
			t.Errorf("as of the first mark: %+v, Gradelog-Position %s", then.Basis, ans.header.Get("Gradelog-Position"))
		}
		if u := ueOf(t, then.UEs, "1/8"); u.Mark == nil || *u.Mark != *mark(t, "14") || u.Status != rules.Acquired {
			t.Errorf("1/8 as of the first mark: %+v", u)
		}
		if u := ueOf(t, then.UEs, "1/9"); u.Mark != nil || results(u) != 0 {
			t.Errorf("1/9 as of the first mark: %+v", u)
		}
		var h projections.History
		v.get(t, 200, "/api/v1/students/"+v.a+"/history?as_of_position="+strconv.FormatUint(v.firstMark, 10), v.sec).json(t, &h)
		if n := len(h.Entries); n == 0 || h.Entries[n-1].Position != v.firstMark || h.AsOf.Records != n {
			t.Fatalf("history as of the first mark: %+v", h)
		}

		// As of the instant the first mark was recorded: the same.
		at := h.Entries[len(h.Entries)-1].RecordedAt
		var byTime projections.Transcript
		v.get(t, 200, v.transcriptPath(v.a)+"?as_of="+url.QueryEscape(at.Format(time.RFC3339Nano)), v.sec).json(t, &byTime)
		if diff := cmp.Diff(then.UEs, byTime.UEs); diff != "" || byTime.AsOf == nil || !byTime.AsOf.Instant.Equal(at) {
			t.Errorf("as of %v (-as of position +as of instant):\n%s\n%+v", at, diff, byTime.Basis)
		}
		// A day: its end in Brussels; an unescaped + is read as one.
		var now projections.Transcript
		v.get(t, 200, v.transcriptPath(v.a), v.sec).json(t, &now)
		for q, wantInstant := range map[string]string{
			"2099-12-31":                            "2099-12-31T23:59:59.999999999+01:00",
			"2099-07-01T12:00:00+02:00":             "2099-07-01T12:00:00+02:00",
			url.QueryEscape("2099-07-01T10:00:00Z"): "2099-07-01T10:00:00Z",
		} {
			var late projections.Transcript
			v.get(t, 200, v.transcriptPath(v.a)+"?as_of="+q, v.sec).json(t, &late)
			want, _ := time.Parse(time.RFC3339Nano, wantInstant)
			if diff := cmp.Diff(now.UEs, late.UEs); diff != "" || late.AsOf == nil || !late.AsOf.Instant.Equal(want) {
				t.Errorf("as of %s (-live +as of):\n%s\n%+v", q, diff, late.Basis)
			}
		}
		var early projections.Ledger
		v.get(t, 200, "/api/v1/students/"+v.a+"/ledger?as_of=2020-01-01", v.sec).json(t, &early)
		if early.Empty == "" || !early.AsOf.Instant.Equal(time.Date(2020, 1, 1, 23, 0, 0, 0, time.UTC).Add(-time.Nanosecond)) {
			t.Errorf("ledger as of 2020-01-01: %+v", early.Basis)
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		tr := v.transcriptPath(v.a)
		for _, c := range []struct{ path, name, value string }{
			{tr + "?format=xml", "format", "xml"},
			{tr + "?min_position=abc", "min_position", "abc"},
			{tr + "?min_position=-1", "min_position", "-1"},
			{tr + "?as_of_position=0", "as_of_position", "0"},
			{tr + "?as_of_position=1e3", "as_of_position", "1e3"},
			{tr + "?as_of=yesterday", "as_of", "yesterday"},
			{tr + "?as_of=2026-02-30", "as_of", "2026-02-30"},
			{tr + "?format=csv&format=pdf", "format", "csv,pdf"},
			{"/api/v1/students/" + v.a + "/ledger?format=pdf", "format", "pdf"},
			{"/api/v1/sessions/" + y + "/Q1/sheets?as_of=2026-02-01", "as_of", "2026-02-01"},
			{"/api/v1/sessions/" + y + "/Q1/sheets?as_of_position=3", "as_of_position", "3"},
		} {
			ans := v.get(t, 400, c.path, v.sec)
			var p struct{ Error string }
			ans.json(t, &p)
			if !strings.Contains(p.Error, c.name+"=\""+c.value+"\"") {
				t.Errorf("%s: %q does not name %s=%q", c.path, p.Error, c.name, c.value)
			}
			if h := ans.header.Get("Gradelog-Position"); h != "" {
				t.Errorf("%s: Gradelog-Position %q on an error", c.path, h)
			}
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, path := range []string{v.transcriptPath("HE999999"), "/api/v1/students/HE999999/ledger",
			"/api/v1/students/HE999999/readiness", "/api/v1/students/HE999999/history",
			"/api/v1/students/HE999999/dossiers/" + y + "/Q1", v.transcriptPath("HE999999") + "?as_of_position=5",
			"/api/v1/students/" + v.a + "/transcripts/2030-2031"} {
			if ans := v.get(t, 404, path, v.sec); ans.header.Get("Gradelog-Position") != "" {
				t.Errorf("%s: Gradelog-Position on a 404", path)
			}
		}
		// A student reads their own views, not another's; a teacher reads
		// no student's views.
		for _, path := range []string{v.transcriptPath(v.b), v.transcriptPath(v.b) + "?format=pdf",
			"/api/v1/students/" + v.b + "/ledger", "/api/v1/students/" + v.b + "/readiness",
			"/api/v1/students/" + v.b + "/history?format=csv"} {
			v.get(t, 403, path, v.tokA)
		}
		// Their own, once results are published (nothing is yet).
		v.get(t, 404, "/api/v1/students/"+v.a+"/history", v.tokA)
		v.get(t, 403, v.transcriptPath(v.a), v.prof18)
		v.get(t, 401, v.transcriptPath(v.a), "")
	})
}

// TestViewMinPositionUnreached: a min_position the log never reaches
// answers 503 once the handlers' wait (10 s) is over.
func TestViewMinPositionUnreached(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the handlers' 10 s bound")
	}
	t.Parallel()
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	start := time.Now()
	ans := s.must(503, "GET", "/api/v1/sessions/"+y+"/Q1/sheets?min_position=999999999", sec, nil)
	if !strings.Contains(string(ans.body), "min_position") || !strings.Contains(string(ans.body), "999999999") {
		t.Errorf("503 does not name min_position: %s", ans.body)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("answered after %s", d)
	}
}

var cmpIgnoreDeadline = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Deadline" }, cmp.Ignore())

func ueStatus(all []projections.SheetStatus, ue string) projections.SheetStatus {
	for _, s := range all {
		if s.UE == ue {
			return s
		}
	}
	return projections.SheetStatus{}
}

// results counts the results a UE holds over its sittings.
func results(u projections.TranscriptUE) int {
	n := 0
	for _, s := range u.Sessions {
		n += len(s.Activities)
		if s.Result != "" {
			n++
		}
	}
	return n
}
