package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
)

// dlYear is a year of the seed programme deliberated over HTTP: four
// students, a jury of five, Q1, Q2 and Q3.
type dlYear struct {
	*server
	t                            *testing.T
	sec, prof                    string
	pres, secr, m3, m4, m5, stud string
	tokens                       map[string]string // jury member id -> token
}

const (
	dlA = "HE260001" // bloc 1, passes everything
	dlB = "HE260002" // bloc 1, 1/12 at 9: granted at Q2
	dlC = "HE260003" // bloc 1, 1/9 at 8: refused at Q2, re-sat in Q3
	dlD = "HE260004" // bloc 2, bloc 1 recognised: 2/3 at 9 granted, degree; appeal upheld
)

var dlBloc2 = []string{"2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/10", "2/11"}

func deliberationPath(session string) string {
	return "/api/v1/deliberations/MIAS/" + y + "/" + session
}

// dlMark is the plan: the value each student gets on each sheet column.
func dlMark(student, ue, session, activity string) string {
	switch {
	case student == dlB && ue == "1/12" && session == "Q2":
		return "9"
	case student == dlC && ue == "1/9" && activity == "Travaux pratiques":
		return map[string]string{"Q2": "6", "Q3": "11"}[session]
	case student == dlC && ue == "1/9":
		return "12"
	case student == dlD && ue == "2/3":
		return "9"
	case student == dlD:
		return "15"
	case student == dlA:
		return "14"
	}
	return "12"
}

// fill enters the plan on every sheet of session with students due, as
// the teacher, and submits each sheet.
func (d *dlYear) fill(session string, ues []string) {
	d.t.Helper()
	for _, ue := range ues {
		path := "/api/v1/sheets/" + y + "/" + session + "/" + ue
		var sh handlers.Sheet
		a := d.do("GET", path, d.prof, nil)
		if a.status == 404 { // not evaluated in this session
			continue
		}
		a.json(d.t, &sh)
		if len(sh.Rows) == 0 {
			continue
		}
		var in []handlers.EntryInput
		for _, row := range sh.Rows {
			for _, col := range sh.Columns {
				if _, locked := row.Locked[col.Key]; locked {
					continue
				}
				in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: dlMark(row.Matricule, ue, session, col.Key)})
			}
		}
		d.must(200, "POST", path+"/entries", d.prof, map[string]any{"entries": in})
		d.must(200, "POST", path+"/submit", d.prof, nil)
	}
}

func (d *dlYear) dossier(mat, session string) projections.Dossier {
	d.t.Helper()
	var dos projections.Dossier
	d.must(200, "GET", "/api/v1/students/"+mat+"/dossiers/"+y+"/"+session, d.pres, nil).json(d.t, &dos)
	return dos
}

// decide takes the student's dossier as the jury is shown it and records
// the decision on its version.
func (d *dlYear) decide(by, session string, in handlers.DecisionInput) handlers.Decided {
	d.t.Helper()
	in.RecordVersion = d.dossier(in.Student, session).RecordVersion
	var got handlers.Decided
	d.must(201, "POST", deliberationPath(session)+"/decisions", by, in).json(d.t, &got)
	return got
}

// last is the log's last position.
func (d *dlYear) last() uint64 {
	d.t.Helper()
	p, err := d.Log.LastPosition(d.t.Context())
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// refused sends a write that must be refused with want, naming field, and
// checks that nothing was appended but the refusal's security fact.
func (d *dlYear) refused(want int, field, method, path, token string, body any) {
	d.t.Helper()
	before := d.last()
	a := d.do(method, path, token, body)
	if a.status != want || !strings.Contains(string(a.body), `"field": "`+field+`"`) {
		d.t.Errorf("%s %s: %d, want %d naming %s\n%s", method, path, a.status, want, field, a.body)
	}
	d.unchanged(d.t, before, a.status, actorOf(d.t, token), path)
}

// TestDeliberationYear runs a year of the seed programme over HTTP: Q1, Q2
// and Q3 deliberations, credits granted below 10, a stale decision
// refused, minutes, an appeal upheld and re-deliberated, a degree with its
// mention, the replay of every session, a what-if that writes nothing,
// and the publication embargo for students.
func TestDeliberationYear(t *testing.T) {
	s := startServer(t)
	d := &dlYear{server: s, t: t,
		sec:  s.token("sec.leroy", []string{"secretariat"}),
		prof: s.token("prof.collin", []string{"teacher"}, append(slicesOf(bloc1), dlBloc2...)...),
		stud: s.token(dlC, []string{"student"}),
	}
	members := []events.JuryMember{
		{ID: "jury.pres", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/8", "2/9"}},
		{ID: "jury.secr", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9", "2/3"}},
		{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10", "2/1"}},
		{ID: "jury.m4", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12", "2/6"}},
		{ID: "jury.m5", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/4"}},
	}
	d.tokens = map[string]string{}
	for _, m := range members {
		d.tokens[m.ID] = s.token(m.ID, []string{"jury"})
	}
	d.pres, d.secr, d.m3, d.m4, d.m5 = d.tokens["jury.pres"], d.tokens["jury.secr"], d.tokens["jury.m3"], d.tokens["jury.m4"], d.tokens["jury.m5"]

	// The jury: a joint jury of five, or a clear refusal.
	d.refused(422, "members", "PUT", "/api/v1/juries/MIAS/"+y, d.sec, handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: members[:4]})
	helmoOnly := append([]events.JuryMember{}, members...)
	for i := range helmoOnly {
		helmoOnly[i].Institution = "HELMo"
	}
	d.refused(422, "members", "PUT", "/api/v1/juries/MIAS/"+y, d.sec, handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: helmoOnly})
	d.must(200, "PUT", "/api/v1/juries/MIAS/"+y, d.sec, handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: members})

	// The cohort: three bloc-1 students; D had bloc 1 recognised by the jury.
	for i, mat := range []string{dlA, dlB, dlC, dlD} {
		s.must(201, "POST", "/api/v1/students", d.sec, handlers.Registration{Matricule: mat, FirstName: []string{"Alice", "Benoît", "Céline", "Dorian"}[i],
			LastName: "Étudiant", Email: strings.ToLower(mat) + "@student.helmo.be"})
		s.must(200, "POST", "/api/v1/students/"+mat+"/admission", d.sec, handlers.Admission{Year: y, Basis: "bachelier assistant social", HasBachelor: true})
		ues := bloc1
		if mat == dlD {
			ues = dlBloc2
			for _, ue := range bloc1 {
				s.must(201, "POST", "/api/v1/students/"+mat+"/recognitions", d.pres, handlers.Recognition{Year: y, UE: ue,
					Basis: "master en sciences sociales (ULiège)", Reason: "contenus et acquis équivalents"})
			}
		}
		s.must(201, "PUT", "/api/v1/students/"+mat+"/pae/"+y, d.sec, handlers.PAERequest{UEs: ues})
	}
	for _, q := range []string{"Q1", "Q2", "Q3"} {
		s.must(200, "PUT", "/api/v1/sessions/"+y+"/"+q, d.sec, nil)
	}
	allUEs := append(slicesOf(bloc1), dlBloc2...)

	// Q1: sheets filled and submitted; the deliberation opens with its
	// quorum, decides everyone in progress, closes and publishes.
	s.Clock.Set(time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC))
	d.refused(422, "sheets", "POST", deliberationPath("Q1")+"/open", d.pres, handlers.Opening{Present: ids(members)})
	d.fill("Q1", allUEs)
	d.refused(403, "actor", "POST", deliberationPath("Q1")+"/open", d.m3, handlers.Opening{Present: ids(members)})
	d.must(201, "POST", deliberationPath("Q1")+"/open", d.secr, handlers.Opening{Present: ids(members)})
	for _, mat := range []string{dlA, dlB, dlC, dlD} {
		if got := d.decide(d.secr, "Q1", handlers.DecisionInput{Student: mat}); got.Outcome != "in-progress" {
			t.Errorf("Q1 %s: outcome %s, want in-progress", mat, got.Outcome)
		}
	}
	d.must(200, "POST", deliberationPath("Q1")+"/close", d.pres, nil)
	s.Clock.Set(time.Date(2026, 2, 5, 10, 0, 0, 0, time.UTC))
	d.must(200, "POST", deliberationPath("Q1")+"/publication", d.sec, nil) // the calendar's 2026-02-06
	d.must(404, "GET", "/api/v1/students/"+dlC+"/transcripts/"+y, d.stud, nil)
	s.Clock.Set(time.Date(2026, 2, 6, 10, 0, 0, 0, time.UTC))
	d.must(200, "GET", "/api/v1/students/"+dlC+"/transcripts/"+y, d.stud, nil)

	// Q2.
	s.Clock.Set(time.Date(2026, 6, 27, 10, 0, 0, 0, time.UTC))
	d.fill("Q2", allUEs)
	// The student still sees Q1 only: Q2 is not published.
	var tr projections.Transcript
	d.must(200, "GET", "/api/v1/students/"+dlC+"/transcripts/"+y, d.stud, nil).json(t, &tr)
	for _, u := range tr.UEs {
		if u.Code == "1/9" && len(u.Sessions) != 0 {
			t.Errorf("student sees unpublished Q2 results of 1/9: %+v", u.Sessions)
		}
	}
	s.Clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	present := []string{"jury.pres", "jury.secr", "jury.m3", "jury.m4"} // m5 excused
	d.refused(422, "present", "POST", deliberationPath("Q2")+"/open", d.pres, handlers.Opening{Present: []string{"jury.pres", "jury.secr"}})
	d.must(201, "POST", deliberationPath("Q2")+"/open", d.pres, handlers.Opening{Present: present})
	var dv projections.DeliberationView
	d.must(200, "GET", deliberationPath("Q2"), d.m3, nil).json(t, &dv)
	if dv.Status != projections.Open || dv.Opened.Quorum != (events.Quorum{Required: 3, Present: 4, Met: true}) || len(dv.Students) != 4 || dv.Undecided != 4 {
		t.Fatalf("Q2 deliberation: %s, quorum %+v, %d students, %d undecided", dv.Status, dv.Opened.Quorum, len(dv.Students), dv.Undecided)
	}

	// A what-if writes nothing and shows what a corrected mark would give.
	before := d.last()
	var wi projections.WhatIfView
	d.must(200, "POST", deliberationPath("Q2")+"/what-if", d.m3, handlers.WhatIfInput{Changes: []projections.Change{
		{Student: dlC, UE: "1/9", Activity: "Travaux pratiques", Value: "10"}}}).json(t, &wi)
	if len(wi.Students) != 1 || wi.Students[0].Before.Outcome != "ajourne" || wi.Students[0].After.Outcome != "year-passed" || wi.Changed != 1 {
		t.Errorf("what-if: %+v", wi.Students)
	}
	if after := d.last(); after != before {
		t.Errorf("what-if wrote to the log: %d -> %d", before, after)
	}

	// Bad decisions: refused with the rule named, nothing written.
	intruder := s.token("jury.intrus", []string{"jury"})
	dosA := d.dossier(dlA, "Q2")
	d.refused(403, "actor", "POST", deliberationPath("Q2")+"/decisions", intruder, handlers.DecisionInput{Student: dlA, RecordVersion: dosA.RecordVersion})
	d.refused(403, "actor", "POST", deliberationPath("Q2")+"/decisions", d.m5, handlers.DecisionInput{Student: dlA, RecordVersion: dosA.RecordVersion})
	d.refused(404, "student", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: "HE999999", RecordVersion: 1})
	d.refused(422, "grants[0].granted", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: dlA, RecordVersion: dosA.RecordVersion,
		Grants: []handlers.GrantInput{{UE: "1/9", Granted: false, Motivation: "non"}}})
	dosB := d.dossier(dlB, "Q2")
	d.refused(422, "grants[0].motivation", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: dlB, RecordVersion: dosB.RecordVersion,
		Grants: []handlers.GrantInput{{UE: "1/12", Granted: true}}})
	d.refused(422, "grants", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: dlB, RecordVersion: dosB.RecordVersion})
	dosC := d.dossier(dlC, "Q2")
	d.refused(422, "motivation", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: dlC, RecordVersion: dosC.RecordVersion,
		Grants: []handlers.GrantInput{{UE: "1/9", Granted: false, Motivation: "travaux pratiques très insuffisants"}}})

	// A, and B with 1/12 granted below 10.
	if got := d.decide(d.pres, "Q2", handlers.DecisionInput{Student: dlA}); got.Outcome != "year-passed" {
		t.Errorf("A at Q2: %+v", got)
	}
	if got := d.decide(d.secr, "Q2", handlers.DecisionInput{Student: dlB, Grants: []handlers.GrantInput{
		{UE: "1/12", Granted: true, Motivation: "déficit d'un point, moyenne annuelle satisfaisante"}}}); got.Outcome != "year-passed" || got.Proposed != "year-passed" {
		t.Errorf("B at Q2: %+v", got)
	}

	// C: the jury reads the dossier; meanwhile the secretariat corrects a
	// mark; the decision on the version read is refused and the jury looks
	// again.
	stale := d.dossier(dlC, "Q2")
	s.must(200, "POST", "/api/v1/sheets/"+y+"/Q2/1/11/reopen", d.sec, map[string]string{"reason": "erreur d'encodage signalée"})
	s.must(200, "POST", "/api/v1/sheets/"+y+"/Q2/1/11/entries", d.sec, map[string]any{"entries": []handlers.EntryInput{
		{Student: dlC, Value: "12.5", Reason: "erreur d'encodage"}}})
	s.must(200, "POST", "/api/v1/sheets/"+y+"/Q2/1/11/submit", d.sec, nil)
	cDecision := handlers.DecisionInput{Student: dlC, RecordVersion: stale.RecordVersion, Motivation: "échec en travaux pratiques de 1/9",
		Grants: []handlers.GrantInput{{UE: "1/9", Granted: false, Motivation: "travaux pratiques très insuffisants (6/20)"}}}
	var conflict struct {
		Problems []handlers.Problem  `json:"problems"`
		Current  projections.Dossier `json:"current"`
	}
	d.must(409, "POST", deliberationPath("Q2")+"/decisions", d.pres, cDecision).json(t, &conflict)
	if conflict.Current.RecordVersion <= stale.RecordVersion || conflict.Problems[0].Field != "record_version" {
		t.Fatalf("stale decision: %+v", conflict)
	}
	cDecision.RecordVersion = conflict.Current.RecordVersion
	var got handlers.Decided
	d.must(201, "POST", deliberationPath("Q2")+"/decisions", d.pres, cDecision).json(t, &got)
	if got.Outcome != "ajourne" || got.Proposed != "year-passed" {
		t.Errorf("C at Q2: %+v", got)
	}

	// D: 2/3 granted completes the cycle; the degree is conferred with the
	// proposed mention (cycle average of the marked UEs: (57 x 15 + 3 x 9) / 60).
	gotD := d.decide(d.pres, "Q2", handlers.DecisionInput{Student: dlD, Grants: []handlers.GrantInput{
		{UE: "2/3", Granted: true, Motivation: "déficit d'un point, cycle autrement réussi"}}})
	if gotD.Outcome != "cycle-completed" || gotD.Degree == nil || gotD.Degree.Mention != "distinction" || gotD.Degree.Average != "14.7" {
		t.Fatalf("D at Q2: %+v, degree %+v", gotD, gotD.Degree)
	}
	d.must(200, "POST", deliberationPath("Q2")+"/close", d.secr, nil)
	d.refused(422, "session", "POST", deliberationPath("Q2")+"/decisions", d.pres, handlers.DecisionInput{Student: dlA, RecordVersion: dosA.RecordVersion})
	d.refused(422, "session", "POST", "/api/v1/sheets/"+y+"/Q2/2/3/entries", d.pres, map[string]any{"entries": []handlers.EntryInput{
		{Student: dlD, Value: "12", Reason: "?"}}})
	d.must(200, "POST", deliberationPath("Q2")+"/publication", d.sec, nil) // 2026-07-03

	// D appeals within three working days; the president upholds it; the
	// jury corrects 2/3 and deliberates again; the new decision supersedes
	// the old, which stays on record; results are published again.
	s.Clock.Set(time.Date(2026, 7, 6, 10, 0, 0, 0, time.UTC))
	tokD := s.token(dlD, []string{"student"})
	beforeAppeal := d.last()
	var appeal httpapi.Written
	s.must(201, "POST", deliberationPath("Q2")+"/appeals", tokD, handlers.AppealInput{Student: dlD, UE: "2/3",
		Grounds: "l'examen de 2/3 a porté sur une matière non enseignée"}).json(t, &appeal)
	d.refused(403, "actor", "POST", deliberationPath("Q2")+"/appeals/"+appeal.ID+"/decision", d.secr, handlers.AppealVerdict{Upheld: true, Motivation: "x"})
	s.must(200, "POST", deliberationPath("Q2")+"/appeals/"+appeal.ID+"/decision", d.pres, handlers.AppealVerdict{Upheld: true,
		Motivation: "la question 3 portait sur une matière non enseignée; elle est neutralisée"})
	s.must(200, "POST", "/api/v1/sheets/"+y+"/Q2/2/3/entries", d.pres, map[string]any{"entries": []handlers.EntryInput{
		{Student: dlD, Value: "12", Reason: "recours fondé: question 3 neutralisée"}}})
	again := d.decide(d.pres, "Q2", handlers.DecisionInput{Student: dlD, Motivation: "nouvelle délibération après recours fondé"})
	if again.Outcome != "cycle-completed" || again.Supersedes != gotD.ID || again.Degree == nil || again.Degree.Average != "14.85" {
		t.Fatalf("D after the appeal: %+v, degree %+v", again, again.Degree)
	}
	s.Clock.Set(time.Date(2026, 7, 10, 10, 0, 0, 0, time.UTC))
	d.refused(422, "filed", "POST", deliberationPath("Q2")+"/appeals", d.sec, handlers.AppealInput{Student: dlC, Grounds: "trop tard"})
	d.must(200, "POST", deliberationPath("Q2")+"/publication", d.sec, map[string]string{"at": "2026-07-10"})

	// Q3: only C, whose year Q2 did not settle, re-sits 1/9's practical work.
	s.Clock.Set(time.Date(2026, 9, 5, 10, 0, 0, 0, time.UTC))
	d.fill("Q3", allUEs)
	s.Clock.Set(time.Date(2026, 9, 9, 9, 0, 0, 0, time.UTC))
	d.must(201, "POST", deliberationPath("Q3")+"/open", d.pres, handlers.Opening{Present: []string{"jury.pres", "jury.secr", "jury.m3", "jury.m5"}})
	d.refused(422, "student", "POST", deliberationPath("Q3")+"/decisions", d.pres, handlers.DecisionInput{Student: dlA, RecordVersion: 1}) // settled at Q2
	if got := d.decide(d.m3, "Q3", handlers.DecisionInput{Student: dlC}); got.Outcome != "year-passed" {
		t.Errorf("C at Q3: %+v", got)
	}
	d.must(200, "POST", deliberationPath("Q3")+"/close", d.pres, nil)

	// Minutes: presence, quorum, each decision with its difference from the
	// proposal.
	var pv projections.Minutes
	d.must(200, "GET", deliberationPath("Q2")+"/minutes", d.sec, nil).json(t, &pv)
	if len(pv.Decisions) != 5 || len(pv.Members) != 5 || pv.Closed == nil || !pv.Opened.Quorum.Met || len(pv.Appeals) != 1 || pv.Appeals[0].Status != "upheld" {
		t.Fatalf("Q2 minutes: %d decisions, %d members, closed %v, quorum %+v, appeals %+v", len(pv.Decisions), len(pv.Members), pv.Closed, pv.Opened.Quorum, pv.Appeals)
	}
	byStudent := map[string][]projections.DecisionRecord{}
	for _, dec := range pv.Decisions {
		byStudent[dec.Student.Matricule] = append(byStudent[dec.Student.Matricule], dec)
	}
	if c := byStudent[dlC][0]; len(c.Differences) != 2 || c.Differences[0].What != projections.DiffGrant || c.Differences[0].To != "refused" {
		t.Errorf("C's differences: %+v", c.Differences)
	}
	if b := byStudent[dlB][0]; len(b.Differences) != 0 {
		t.Errorf("B's decision follows the proposal, yet: %+v", b.Differences)
	}
	if ds := byStudent[dlD]; len(ds) != 2 || ds[0].SupersededBy != ds[1].ID || ds[1].Appeal != appeal.ID {
		t.Errorf("D's decisions: %+v", ds)
	}
	for _, m := range pv.Members {
		if m.Present != (m.ID != "jury.m5") {
			t.Errorf("minutes: %s present %t", m.ID, m.Present)
		}
	}
	pdf := d.must(200, "GET", deliberationPath("Q2")+"/minutes?format=pdf", d.sec, nil)
	if !bytes.HasPrefix(pdf.body, []byte("%PDF")) {
		t.Errorf("minutes PDF: %q", pdf.body[:min(20, len(pdf.body))])
	}

	// Replay: every decision of every session, in order, with the dossier
	// as it stood when it was taken (rebuilt from the log).
	for session, want := range map[string]int{"Q1": 4, "Q2": 5, "Q3": 1} {
		var r projections.Replay
		d.must(200, "GET", deliberationPath(session)+"/replay", d.m4, nil).json(t, &r)
		if len(r.Steps) != want {
			t.Fatalf("replay of %s: %d steps, want %d", session, len(r.Steps), want)
		}
		for i, st := range r.Steps {
			if st.Index != i+1 || !st.VersionMatches || st.Dossier.Student.Matricule != st.Decision.Student.Matricule || st.Dossier.RecordVersion != st.Decision.RecordVersion {
				t.Errorf("replay of %s, step %d: index %d, version matches %t, dossier of %s at %d, decision of %s on %d", session, i+1, st.Index, st.VersionMatches,
					st.Dossier.Student.Matricule, st.Dossier.RecordVersion, st.Decision.Student.Matricule, st.Decision.RecordVersion)
			}
			if i > 0 && st.Decision.Position <= r.Steps[i-1].Decision.Position {
				t.Errorf("replay of %s: step %d is not in recorded order", session, i+1)
			}
			if session != "Q1" && (st.Previous == nil || st.Change == "") {
				t.Errorf("replay of %s, step %d: no comparison with the previous session", session, i+1)
			}
		}
		if session == "Q2" {
			last := r.Steps[4]
			if mark := ueMark(last.Dossier, "2/3"); last.Decision.Appeal != appeal.ID || mark != "12" {
				t.Errorf("replay of Q2: the re-deliberation's dossier holds 2/3 at %s (want 12), appeal %q", mark, last.Decision.Appeal)
			}
			if first := r.Steps[3]; ueMark(first.Dossier, "2/3") != "9" || first.Dossier.Proposal.IfGranted != "cycle-completed" {
				t.Errorf("replay of Q2: D's first dossier holds 2/3 at %s", ueMark(first.Dossier, "2/3"))
			}
		}
		if session == "Q3" && r.Steps[0].Change != "ajourne -> year-passed" {
			t.Errorf("replay of Q3: change %q", r.Steps[0].Change)
		}
	}

	// The degree stands on D's transcript with the new decision's average.
	var trD projections.Transcript
	d.must(200, "GET", "/api/v1/students/"+dlD+"/transcripts/"+y, d.sec, nil).json(t, &trD)
	if trD.Degree == nil || trD.Degree.Mention != "distinction" || trD.Degree.Average.String() != "14.85" {
		t.Errorf("D's degree: %+v", trD.Degree)
	}

	// The auditor reconstructs D's year (audit_e2e_test.go).
	d.audit(dlAudit{appeal: appeal.ID, first: gotD.ID, again: again.ID, beforeAppeal: beforeAppeal})
}

func ueMark(d projections.Dossier, ue string) string {
	for _, u := range d.UEs {
		if u.Code == ue && u.Mark != nil {
			return u.Mark.String()
		}
	}
	return fmt.Sprint(nil)
}

func ids(ms []events.JuryMember) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func slicesOf(s []string) []string { return append([]string(nil), s...) }
