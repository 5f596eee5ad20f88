package projections_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// TestScriptedYear drives a whole academic year (2025-2026) through the
// real command handlers on an embedded NATS server: registrations and
// admissions, PAEs, marks in Q1, Q2 and Q3, a correction after submission,
// carried activity marks, absences (ABS) and a medical certificate (CM),
// two failed presentations. It then checks the transcript, the credit
// ledger and the readiness of five students against values computed by
// hand from the rules (ruleset 2025-2026: pass 10; UE mark rounded to
// whole points half-up; averages credit-weighted, 2 decimals half-up,
// complements left out; carry-over within the year, latest mark; two
// presentations a year), the grade sheet statuses of Q2 and Q3, and that a
// full rebuild of the views from the log equals the live views.
//
// The students:
//   - A passes the whole bloc 1 in Q1 and Q2: an integrated mark on 1/8,
//     both activities of 1/9 weighted by hours, a Q1 mark of 1/7
//     corrected after the sheet was submitted (reopen + reason).
//   - B fails 1/5 in Q1 and passes it in Q2; fails 1/9 in Q2 with one
//     activity >= 10 and one < 10; in Q3 only the failed activity is
//     re-sat (the other is carried from Q2) and 1/9 is passed.
//   - C has ABS on 1/11 and CM (set by the secretariat) on 1/12 in Q2,
//     fails the integrated 1/10 in Q2, and re-sits all three in Q3.
//   - D fails the integrated 1/8 in Q1 and Q2 (both presentations used:
//     not on the Q3 sheet), fails 1/12 in Q2 and is absent (ABS) at its Q3
//     re-sit, passes 1/11 and 1/14 at their second sitting, ends with 20
//     credits left.
//   - E is admitted without a matching bachelor with complements 1/1 and
//     1/3 ((q) eligibility); 1/3 is passed at 9.5, rounded to 10. E fails
//     1/5 in Q1 (8) and in Q2 (7); after the Q2 results an appeal corrects
//     the Q1 mark to 10 (secretariat, past the deadline): 1/5 was acquired
//     in Q1, for good.
//
// The shipped catalog declares co-requisites only (1/11 <-> 1/12, 2/9 <->
// 2/11) and no prerequisite at all. To check "a prerequisite missing" in
// readiness, the year's catalog is republished first, as
// TestWaiverAtTheEndOfTheCycle does, with two prerequisites: 2/10 requires
// 1/12 (the bloc-2 internship after the bloc-1 one) and 2/7 requires 1/14
// (its "partie 1").
func TestScriptedYear(t *testing.T) {
	ctx := t.Context()
	env := gradetest.Start(t, true)
	hs := env.Handlers
	y := &scriptedYear{t: t, env: env, sec: auth.Identity{ID: "sec.year", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}}

	cat, rs := gradetest.Shipped(t)
	for i := range cat.UEs {
		var prereq string
		switch cat.UEs[i].Code {
		case "2/10":
			prereq = "1/12"
		case "2/7":
			prereq = "1/14"
		default:
			continue
		}
		req, err := catalog.ParseRequisite(prereq)
		if err != nil {
			t.Fatal(err)
		}
		cat.UEs[i].Prerequisites = req
	}
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		y.ok(hs.ScheduleSession(ctx, y.sec, "", gradetest.Year, s, handlers.Schedule{}))
	}

	const (
		A = "HE710001"
		B = "HE710002"
		C = "HE710003"
		D = "HE710004"
		E = "HE710005"
	)
	bachelor := handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social", HasBachelor: true}
	bloc1 := []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	y.enrol(A, "Albert", bachelor, bloc1...)                              // 60 credits
	y.enrol(B, "Berthe", bachelor, "1/4", "1/5", "1/9", "1/11", "1/12")   // 3+3+9+3+11 = 29
	y.enrol(C, "Cyril", bachelor, "1/6", "1/10", "1/11", "1/12")          // 4+9+3+11 = 27
	y.enrol(D, "Denise", bachelor, "1/8", "1/11", "1/12", "1/13", "1/14") // 9+3+3+3+11 = 29

	// E: no matching bachelor. 1/3 is (q): an admission with a bachelor
	// cannot require it.
	y.ok(hs.RegisterStudent(ctx, y.sec, "", handlers.Registration{Matricule: E, FirstName: "Emile", LastName: "Student" + E, Email: "emile@student.helmo.be"}))
	_, err := hs.AdmitStudent(ctx, y.sec, "", E, handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true, Complements: []string{"1/3"}})
	y.refused("(q) complement for a student with a matching bachelor", err, "only for students without-matching-bachelor")
	y.ok(hs.AdmitStudent(ctx, y.sec, "", E, handlers.Admission{Year: gradetest.Year, Basis: "admission sur dossier (VAE)", HasBachelor: false, Complements: []string{"1/1", "1/3"}}))
	_, err = hs.ValidatePAE(ctx, y.sec, "", E, gradetest.Year, handlers.PAERequest{UEs: []string{"1/1", "1/2", "1/3", "1/4", "1/5"}})
	y.refused("PAE with a complement the admission does not require", err, "UE 1/2 is an admission complement the student's admission does not require")
	y.ok(hs.ValidatePAE(ctx, y.sec, "", E, gradetest.Year, handlers.PAERequest{UEs: []string{"1/1", "1/3", "1/4", "1/5"}})) // 3+1+3+3 = 10

	// ---- Q1 (January) ----
	const (
		q1, q2, q3 = catalog.Q1, catalog.Q2, catalog.Q3
		meth, tp   = "Méthodologies", "Travaux pratiques"
	)
	y.mark(q1, "1/4", A, "", "14")
	y.mark(q1, "1/4", B, "", "12")
	y.mark(q1, "1/4", E, "", "15")
	y.mark(q1, "1/5", A, "", "12")
	y.mark(q1, "1/5", B, "", "9")
	y.mark(q1, "1/5", E, "", "8") // corrected to 10 on appeal after Q2
	y.mark(q1, "1/6", A, "", "15")
	y.mark(q1, "1/6", C, "", "11")
	y.mark(q1, "1/7", A, "", "11") // corrected to 13 below
	y.mark(q1, "1/8", A, "", "13,5")
	y.mark(q1, "1/8", D, "", "7")
	y.mark(q1, "1/13", A, "", "16")
	y.mark(q1, "1/13", D, "", "13")
	y.mark(q1, "1/14", A, "", "10")
	y.mark(q1, "1/14", D, "", "6")
	y.mark(q1, "1/1", E, "", "12")
	y.mark(q1, "1/3", E, "", "8")
	// An activity mark on the integrated 1/8 is refused.
	y.refused("activity mark on integrated 1/8", y.try(y.teacher("1/8"), q1, "1/8", handlers.EntryInput{Student: D, Activity: "Travaux pratiques", Value: "12"}),
		"single integrated mark")

	// The correction: 1/7 submitted with 11 for A; the teacher finds the
	// copy says 13. The submitted sheet takes nothing until the
	// secretariat reopens it; then the correction states its reason.
	env.Clock.Set(time.Date(2026, 1, 28, 9, 0, 0, 0, time.UTC))
	sheet17 := y.sheet(q1, "1/7")
	if _, err := hs.SubmitSheet(ctx, y.teacher("1/7"), "", sheet17); err != nil {
		t.Fatal(err)
	}
	y.refused("mark on a submitted sheet", y.try(y.teacher("1/7"), q1, "1/7", handlers.EntryInput{Student: A, Value: "13", Reason: "erreur matérielle"}),
		"until the secretariat reopens it")
	y.ok(hs.ReopenSheet(ctx, y.sec, "", sheet17, "erreur matérielle signalée par l'enseignant"))
	y.refused("correction without a reason", y.try(y.teacher("1/7"), q1, "1/7", handlers.EntryInput{Student: A, Value: "13"}),
		"states its reason")
	if err := y.try(y.teacher("1/7"), q1, "1/7", handlers.EntryInput{Student: A, Value: "13", Reason: "erreur matérielle : 13 sur la copie"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.SubmitSheet(ctx, y.teacher("1/7"), "", sheet17); err != nil {
		t.Fatal(err)
	}

	// After Q1: an annual UE is not evaluated yet; D failed 1/8 (7).
	tA := y.transcript(A, eventlog.Until{})
	y.ue(tA, "1/9", "- pending/not-yet-evaluated", "")
	y.ue(tA, "1/7", "13 acquired/mark Q1", "Q1: Analyse des organisations=13 (corrected) => 13")
	y.ue(y.transcript(D, eventlog.Until{}), "1/8", "7 not-acquired/below-pass", "Q1: 7 => 7")

	// ---- Q2 (June) ----
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	y.mark(q2, "1/5", B, "", "11")
	y.mark(q2, "1/5", E, "", "7")
	y.mark(q2, "1/8", D, "", "8,5")
	y.mark(q2, "1/14", D, "", "12")
	y.mark(q2, "1/3", E, "", "9,5")
	y.mark(q2, "1/9", A, meth, "10")
	y.mark(q2, "1/9", A, tp, "12,5")
	y.mark(q2, "1/9", B, meth, "12")

	// Sheet 1/9 in Q2, half entered: A complete, B missing TP.
	y.status(q2, "1/9", "draft enrolled=2 entered=1 missing=1 [HE710002] submissions=0 reopenings=0 teachers=[prof.1-9:3]")
	y.mark(q2, "1/9", B, tp, "7")
	sub, err := hs.SubmitSheet(ctx, y.teacher("1/9"), "", y.sheet(q2, "1/9"))
	if err != nil {
		t.Fatal(err)
	}
	y.eq("1/9 Q2 submission: missing", sub.Missing, 0)

	y.mark(q2, "1/10", A, "", "12")
	y.mark(q2, "1/10", C, "", "8")
	y.mark(q2, "1/11", A, "", "13")
	y.mark(q2, "1/11", B, "", "14")
	y.mark(q2, "1/11", C, "", "abs") // typed in lower case: read as ABS
	y.mark(q2, "1/11", D, "", "9")
	y.mark(q2, "1/12", A, "", "15")
	y.mark(q2, "1/12", B, "", "13")
	y.mark(q2, "1/12", D, "", "8")
	// CM: only the secretariat sets it.
	_, err = hs.RecordEntries(ctx, y.teacher("1/12"), "", y.sheet(q2, "1/12"), handlers.SourceForm, []handlers.EntryInput{{Student: C, Value: "CM"}})
	if r, ok := err.(*handlers.Refusal); !ok || r.Reason != handlers.Forbidden {
		t.Errorf("a teacher setting CM: got %v, want a Forbidden refusal", err)
	}
	if err := y.try(y.sec, q2, "1/12", handlers.EntryInput{Student: C, Value: "CM"}); err != nil {
		t.Fatal(err)
	}

	// Grade sheets of Q2, all entered (a code is an entry: ABS and CM
	// count as entered). Who is on each sheet:
	//   1/4: A, B, E acquired it in Q1 -> nobody; 1/5: B (9), E (8 in Q1);
	//   1/8: D (7 in Q1; A acquired it); 1/9: A, B; 1/11, 1/12: A-D;
	//   1/14: D (6 in Q1); 1/3: E (8 in Q1); 1/7: A acquired it in Q1.
	y.status(q2, "1/4", "empty enrolled=0 entered=0 missing=0 [] submissions=0 reopenings=0 teachers=[]")
	y.status(q2, "1/5", "draft enrolled=2 entered=2 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-5:2]")
	y.status(q2, "1/7", "empty enrolled=0 entered=0 missing=0 [] submissions=0 reopenings=0 teachers=[]")
	y.status(q2, "1/8", "draft enrolled=1 entered=1 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-8:1]")
	y.status(q2, "1/9", "submitted enrolled=2 entered=2 missing=0 [] submissions=1 reopenings=0 teachers=[prof.1-9:4]")
	y.status(q2, "1/11", "draft enrolled=4 entered=4 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-11:4]")
	y.status(q2, "1/12", "draft enrolled=4 entered=4 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-12:3 sec.year:1]")
	y.status(q2, "1/14", "draft enrolled=1 entered=1 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-14:1]")
	y.status(q2, "1/3", "draft enrolled=1 entered=1 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-3:1]")
	y.status(q1, "1/7", "submitted enrolled=1 entered=1 missing=0 [] submissions=2 reopenings=1 teachers=[prof.1-7:2]")

	// After Q2: C's absences leave 1/11 and 1/12 without a mark (blocked);
	// the year average counts only UEs with a mark:
	// 1/6 11 x 4 + 1/10 8 x 9 = 44 + 72 = 116; 116 / 13 = 8.923 -> 8.92.
	tC2 := y.transcript(C, eventlog.Until{})
	y.ue(tC2, "1/6", "11 acquired/mark Q1", "Q1: Évolution des pratiques de l'intervention sociale=11 => 11")
	y.ue(tC2, "1/10", "8 not-acquired/below-pass", "Q2: 8 => 8")
	y.ue(tC2, "1/11", "- not-acquired/blocked", "Q2: Identités professionnelles=ABS => ABS")
	y.ue(tC2, "1/12", "- not-acquired/blocked", "Q2: Stage=CM => CM")
	y.eq("C after Q2: credits", tC2.Credits, projections.YearCredits{Enrolled: 27, Acquired: 4, ByMark: 4, Remaining: 23})
	y.eq("C after Q2: year average", yearAvg(tC2.YearAverage), "8.92/13")
	// B after Q2: 1/9 = (30 x 12 + 45 x 7) / 75 = (360 + 315) / 75 = 9.00 -> 9.
	y.ue(y.transcript(B, eventlog.Until{}), "1/9", "9 not-acquired/below-pass", "Q2: Méthodologies=12, Travaux pratiques=7 => 9")
	if err := hs.Views.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	afterQ2 := hs.Cohort.Position()

	// ---- Appeal after the Q2 publication (2026-07-03) ----
	// E's Q1 copy of 1/5 was added up wrong: 10, not 8. Past the Q1
	// encoding deadline a teacher can no longer write; the secretariat
	// records the correction the jury authorised.
	env.Clock.Set(time.Date(2026, 7, 7, 9, 0, 0, 0, time.UTC))
	y.refused("teacher correcting after the deadline", y.try(y.teacher("1/5"), q1, "1/5", handlers.EntryInput{Student: E, Value: "10", Reason: "recours"}),
		"deadline")
	if err := y.try(y.sec, q1, "1/5", handlers.EntryInput{Student: E, Value: "10",
		Reason: "recours accueilli : erreur d'addition des points", AuthorisedBy: "jury.president"}); err != nil {
		t.Fatal(err)
	}

	// ---- Q3 (late August - September) ----
	env.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	// D sat 1/8 in Q1 and Q2: both presentations of the year are used.
	y.eq("1/8 Q3 roster", y.roster(q3, "1/8"), []string{})
	y.refused("a third presentation of 1/8", y.try(y.teacher("1/8"), q3, "1/8", handlers.EntryInput{Student: D, Value: "12"}),
		"every presentation of the year used")
	// B re-sits only TP of 1/9; Méthodologies (12 in Q2) is carried.
	y.mark(q3, "1/9", B, tp, "11")
	y.refused("re-marking a carried activity", y.try(y.teacher("1/9"), q3, "1/9", handlers.EntryInput{Student: B, Activity: meth, Value: "13"}),
		"carried over")
	if _, err := hs.SubmitSheet(ctx, y.teacher("1/9"), "", y.sheet(q3, "1/9")); err != nil {
		t.Fatal(err)
	}
	y.mark(q3, "1/10", C, "", "10,5")
	y.mark(q3, "1/11", C, "", "12")
	y.mark(q3, "1/11", D, "", "10")
	y.mark(q3, "1/12", C, "", "14")
	y.mark(q3, "1/12", D, "", "ABS") // did not turn up for the re-sit

	y.status(q3, "1/8", "empty enrolled=0 entered=0 missing=0 [] submissions=0 reopenings=0 teachers=[]")
	// The carried mark is written by the handlers (actor: the teacher who
	// wrote TP): 2 records on the sheet.
	y.status(q3, "1/9", "submitted enrolled=1 entered=1 missing=0 [] submissions=1 reopenings=0 teachers=[prof.1-9:2]")
	y.status(q3, "1/11", "draft enrolled=2 entered=2 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-11:2]")
	y.status(q3, "1/12", "draft enrolled=2 entered=2 missing=0 [] submissions=0 reopenings=0 teachers=[prof.1-12:2]")

	// ================= The year, computed by hand =================

	// --- A: bloc 1, 60 credits, everything acquired in Q1 or Q2.
	// 1/8 integrated: 13.5 -> 14 (half-up, whole points).
	// 1/9: (30 x 10 + 45 x 12.5) / 75 = (300 + 562.5) / 75 = 11.5 -> 12 (half-up).
	// 1/7: 11 corrected to 13.
	// Average: 14x3 + 12x3 + 15x4 + 13x3 + 14x9 + 12x9 + 12x9 + 13x3 + 15x11 + 16x3 + 10x3
	//        = 42 + 36 + 60 + 39 + 126 + 108 + 108 + 39 + 165 + 48 + 30 = 801;
	//          801 / 60 = 13.35.
	tA = y.transcript(A, eventlog.Until{})
	y.ues(tA, map[string]string{
		"1/4":  "14 acquired/mark Q1",
		"1/5":  "12 acquired/mark Q1",
		"1/6":  "15 acquired/mark Q1",
		"1/7":  "13 acquired/mark Q1",
		"1/8":  "14 acquired/mark Q1",
		"1/9":  "12 acquired/mark Q2",
		"1/10": "12 acquired/mark Q2",
		"1/11": "13 acquired/mark Q2",
		"1/12": "15 acquired/mark Q2",
		"1/13": "16 acquired/mark Q1",
		"1/14": "10 acquired/mark Q1",
	})
	y.ue(tA, "1/8", "14 acquired/mark Q1", "Q1: 13.5 => 14")
	y.ue(tA, "1/9", "12 acquired/mark Q2", "Q2: Méthodologies=10, Travaux pratiques=12.5 => 12")
	y.ue(tA, "1/7", "13 acquired/mark Q1", "Q1: Analyse des organisations=13 (corrected) => 13")
	y.eq("A credits", tA.Credits, projections.YearCredits{Enrolled: 60, Acquired: 60, ByMark: 60, Remaining: 0})
	y.eq("A year average", yearAvg(tA.YearAverage), "13.35/60")
	y.eq("A cycle average", yearAvg(tA.CycleAverage), "13.35/60") // one year so far: the same UEs
	lA := y.ledger(A)
	y.eq("A ledger blocs", lA.Blocs, []projections.Credits{
		{Bloc: 1, Total: 60, Acquired: 60, ByMark: 60, Remaining: 0},
		{Bloc: 2, Total: 60, Remaining: 60},
	})
	y.eq("A ledger cycle", lA.Cycle, projections.Credits{Total: 120, Acquired: 60, ByMark: 60, Remaining: 60}) // 120 - 60
	y.eq("A ledger complements", lA.Complements, []projections.LedgerUE{})
	y.eq("A funding", lA.Funding, []projections.FundingCounter{
		{Credits: 60, WithinYears: 2, YearsUsed: 1, Acquired: 60, Status: "met"},
		{Credits: 120, WithinYears: 4, YearsUsed: 1, Acquired: 60, Status: "in-progress"},
	})
	rA := y.readiness(A)
	y.eq("A readiness remaining", rA.Remaining, 60)
	y.eq("A readiness end of cycle", rA.EndOfCycle, true) // 60 <= prerequisite_waiver 60
	y.ready(rA, map[string]rules.Readiness{
		"1/3":  {UE: "1/3", Status: rules.NotRequired}, // a bachelor: no complement required
		"1/12": {UE: "1/12", Status: rules.AlreadyAcquired},
		"2/10": {UE: "2/10", Status: rules.Ready}, // prerequisite 1/12 acquired
		"2/7":  {UE: "2/7", Status: rules.Ready},  // prerequisite 1/14 acquired
		"2/9":  {UE: "2/9", Status: rules.CoEnrol, CoEnrol: "2/11"},
		"2/11": {UE: "2/11", Status: rules.CoEnrol, CoEnrol: "2/9"},
		"2/1":  {UE: "2/1", Status: rules.Ready},
	})
	// The correction is on the record: previous and new value, reason, who.
	h, err := hs.History(ctx, y.sec, A, handlers.ViewQuery{}, projections.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var corrections []string
	for _, e := range h.Entries {
		if e.Type == "mark.corrected" {
			corrections = append(corrections, fmt.Sprintf("%s | %s | %s -> %s | %s | %s", e.Context, e.Summary, e.Previous, e.Value, e.Reason, e.Actor))
		}
	}
	y.eq("A corrections in the history", corrections, []string{
		"2025-2026 Q1 UE 1/7 (Analyse des organisations) | result corrected, authorised by prof.1-7 | 11 -> 13 | erreur matérielle : 13 sur la copie | prof.1-7",
	})

	// --- B: 29 credits.
	// 1/5: 9 in Q1, 11 in Q2.
	// 1/9: Q2 (30 x 12 + 45 x 7) / 75 = 675 / 75 = 9.00 -> 9, failed;
	//      Q3 Méthodologies 12 carried from Q2, TP 11:
	//      (30 x 12 + 45 x 11) / 75 = (360 + 495) / 75 = 11.40 -> 11.
	// Average: 12x3 + 11x3 + 11x9 + 14x3 + 13x11 = 36 + 33 + 99 + 42 + 143 = 353;
	//          353 / 29 = 12.1724 -> 12.17.
	tB := y.transcript(B, eventlog.Until{})
	y.ues(tB, map[string]string{
		"1/4":  "12 acquired/mark Q1",
		"1/5":  "11 acquired/mark Q2",
		"1/9":  "11 acquired/mark Q3",
		"1/11": "14 acquired/mark Q2",
		"1/12": "13 acquired/mark Q2",
	})
	y.ue(tB, "1/5", "11 acquired/mark Q2", "Q1: Sociologie critique de l'action sociale=9 => 9 | Q2: Sociologie critique de l'action sociale=11 => 11")
	y.ue(tB, "1/9", "11 acquired/mark Q3",
		"Q2: Méthodologies=12, Travaux pratiques=7 => 9 | Q3: Méthodologies=12 (carried from Q2), Travaux pratiques=11 => 11")
	y.eq("B credits", tB.Credits, projections.YearCredits{Enrolled: 29, Acquired: 29, ByMark: 29, Remaining: 0})
	y.eq("B year average", yearAvg(tB.YearAverage), "12.17/29")
	y.eq("B cycle average", yearAvg(tB.CycleAverage), "12.17/29")
	lB := y.ledger(B)
	y.eq("B ledger blocs", lB.Blocs, []projections.Credits{
		{Bloc: 1, Total: 60, Acquired: 29, ByMark: 29, Remaining: 31}, // 60 - 29
		{Bloc: 2, Total: 60, Remaining: 60},
	})
	y.eq("B ledger cycle", lB.Cycle, projections.Credits{Total: 120, Acquired: 29, ByMark: 29, Remaining: 91}) // 120 - 29
	rB := y.readiness(B)
	y.eq("B readiness remaining", rB.Remaining, 91)
	y.eq("B readiness end of cycle", rB.EndOfCycle, false)
	y.ready(rB, map[string]rules.Readiness{
		"1/9":  {UE: "1/9", Status: rules.AlreadyAcquired},
		"1/6":  {UE: "1/6", Status: rules.Ready},
		"2/10": {UE: "2/10", Status: rules.Ready},                                             // 1/12 acquired in Q2
		"2/7":  {UE: "2/7", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/14"}, // never taken 1/14
	})

	// --- C: 27 credits.
	// 1/10 integrated: 8 in Q2, 10.5 -> 11 (half-up) in Q3.
	// 1/11: ABS in Q2, 12 in Q3. 1/12: CM in Q2, 14 in Q3.
	// Average: 11x4 + 11x9 + 12x3 + 14x11 = 44 + 99 + 36 + 154 = 333;
	//          333 / 27 = 12.333 -> 12.33.
	tC := y.transcript(C, eventlog.Until{})
	y.ues(tC, map[string]string{
		"1/6":  "11 acquired/mark Q1",
		"1/10": "11 acquired/mark Q3",
		"1/11": "12 acquired/mark Q3",
		"1/12": "14 acquired/mark Q3",
	})
	y.ue(tC, "1/10", "11 acquired/mark Q3", "Q2: 8 => 8 | Q3: 10.5 => 11")
	y.ue(tC, "1/11", "12 acquired/mark Q3", "Q2: Identités professionnelles=ABS => ABS | Q3: Identités professionnelles=12 => 12")
	y.ue(tC, "1/12", "14 acquired/mark Q3", "Q2: Stage=CM => CM | Q3: Stage=14 => 14")
	y.eq("C credits", tC.Credits, projections.YearCredits{Enrolled: 27, Acquired: 27, ByMark: 27, Remaining: 0})
	y.eq("C year average", yearAvg(tC.YearAverage), "12.33/27")
	lC := y.ledger(C)
	y.eq("C ledger cycle", lC.Cycle, projections.Credits{Total: 120, Acquired: 27, ByMark: 27, Remaining: 93}) // 120 - 27
	y.eq("C ledger blocs", lC.Blocs, []projections.Credits{
		{Bloc: 1, Total: 60, Acquired: 27, ByMark: 27, Remaining: 33},
		{Bloc: 2, Total: 60, Remaining: 60},
	})
	// The transcript as it stood after Q2, rebuilt from the log, is the
	// one read live then.
	tC2past := y.transcript(C, eventlog.Until{Position: afterQ2})
	y.eq("C transcript as of the end of Q2: UEs", yearJSON(t, tC2past.UEs), yearJSON(t, tC2.UEs))
	y.eq("C transcript as of the end of Q2: credits", tC2past.Credits, tC2.Credits)
	y.eq("C transcript as of the end of Q2: average", yearAvg(tC2past.YearAverage), "8.92/13")

	// --- D: 29 credits, 20 left.
	// 1/8 integrated: 7 in Q1, 8.5 -> 9 in Q2: failed twice, no Q3.
	// 1/11: 9 in Q2, 10 in Q3. 1/12: 8 in Q2, ABS in Q3. 1/13: 13 in Q1.
	// 1/14: 6 in Q1, 12 in Q2.
	// Acquired: 1/11 3 + 1/13 3 + 1/14 3 = 9; remaining: 1/8 9 + 1/12 11 = 20.
	// 1/12's UE mark is 8: TranscriptUE.Mark is documented as "the UE mark
	// that counts: that of the last sitting with one" (Q2; the Q3 ABS has
	// none). Its status is not-acquired, basis blocked (the Q3 code).
	// Average: the ruleset leaves out of averages only the codes that
	// acquire without a mark (DISP, VAL); 1/12 counts with its mark 8:
	//   9x9 + 10x3 + 8x11 + 13x3 + 12x3 = 81 + 30 + 88 + 39 + 36 = 274;
	//   274 / 29 = 9.448 -> 9.45.
	tD := y.transcript(D, eventlog.Until{})
	y.ues(tD, map[string]string{
		"1/8":  "9 not-acquired/below-pass",
		"1/11": "10 acquired/mark Q3",
		// The mark shown is that of the last sitting with one (Q2), not the
		// Q3 ABS; the status comes from the Q3 ABS.
		"1/12": "8 not-acquired/blocked",
		"1/13": "13 acquired/mark Q1",
		"1/14": "12 acquired/mark Q2",
	})
	y.ue(tD, "1/8", "9 not-acquired/below-pass", "Q1: 7 => 7 | Q2: 8.5 => 9")
	y.ue(tD, "1/12", "8 not-acquired/blocked", "Q2: Stage=8 => 8 | Q3: Stage=ABS => ABS")
	y.eq("D credits", tD.Credits, projections.YearCredits{Enrolled: 29, Acquired: 9, ByMark: 9, Remaining: 20})
	// 1/12 (11 credits, 8/20) counts in the average although the Q3
	// re-sit was missed: leaving it out would lift D from 9.45 to 10.33,
	// above the deliberation criterion min_year_average 10.
	y.eq("D year average", yearAvg(tD.YearAverage), "9.45/29")
	lD := y.ledger(D)
	y.eq("D ledger blocs", lD.Blocs, []projections.Credits{
		{Bloc: 1, Total: 60, Acquired: 9, ByMark: 9, Remaining: 51}, // 60 - 9
		{Bloc: 2, Total: 60, Remaining: 60},
	})
	y.eq("D ledger cycle", lD.Cycle, projections.Credits{Total: 120, Acquired: 9, ByMark: 9, Remaining: 111}) // 120 - 9
	y.eq("D ledger 1/8", yearLedgerLine(lD, "1/8"), "9cr 2025-2026 mark=9 acquired=false")
	y.eq("D ledger 1/14", yearLedgerLine(lD, "1/14"), "3cr 2025-2026 mark=12 acquired=true mark Q2")
	y.eq("D funding", lD.Funding, []projections.FundingCounter{
		{Credits: 60, WithinYears: 2, YearsUsed: 1, Acquired: 9, Status: "in-progress"},
		{Credits: 120, WithinYears: 4, YearsUsed: 1, Acquired: 9, Status: "in-progress"},
	})
	rD := y.readiness(D)
	y.eq("D readiness remaining", rD.Remaining, 111)
	y.eq("D readiness end of cycle", rD.EndOfCycle, false) // 111 > 60: no waiver
	y.ready(rD, map[string]rules.Readiness{
		"1/8":  {UE: "1/8", Status: rules.Ready},
		"1/12": {UE: "1/12", Status: rules.Ready}, // co-requisite 1/11 acquired
		"1/11": {UE: "1/11", Status: rules.AlreadyAcquired},
		"2/10": {UE: "2/10", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/12"},
		"2/7":  {UE: "2/7", Status: rules.Ready}, // 1/14 acquired in Q2
		"2/9":  {UE: "2/9", Status: rules.CoEnrol, CoEnrol: "2/11"},
	})
	// The jury's dossier for Q3: 20 failed credits > 15: neither failed UE
	// is proposed for deliberation. (The proposal's year average is taken
	// on the marks at Q3, where 1/12 has none: not asserted here.)
	dD, err := hs.Dossier(ctx, y.sec, D, gradetest.Year, "Q3", handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	p := dD.Proposal
	y.eq("D Q3 proposal", fmt.Sprintf("acquired=%d to-deliberate=%d failed=%d cycle=%d outcome=%s if-granted=%s",
		p.AcquiredCredits, p.ToDeliberateCredits, p.FailedCredits, p.CycleCredits, p.Outcome, p.IfGranted),
		"acquired=9 to-deliberate=0 failed=20 cycle=9 outcome=year-closed if-granted=year-closed")
	t.Logf("D Q3 proposal: year average %s", yearAvg(p.YearAverage))
	for _, u := range p.UEs {
		switch u.UE {
		case "1/8": // 9: deficit 10 - 9 = 1 <= 2, but 20 failed credits > 15
			y.eq("D Q3 proposal 1/8", fmt.Sprintf("%s/%s deficit=%s", u.Status, u.Basis, yearMark(u.Deficit)), "not-acquired/below-pass deficit=1")
			if !strings.Contains(u.Reason, "failed credits 20 > 15") {
				t.Errorf("D Q3 proposal 1/8: reason %q, want the failed credits (20 > 15)", u.Reason)
			}
		case "1/12": // ABS at Q3: no mark at this session
			y.eq("D Q3 proposal 1/12", fmt.Sprintf("%s/%s code=%s", u.Status, u.Basis, u.Code), "not-acquired/blocked code=ABS")
		}
	}

	// --- E: complements 1/1 (3) and 1/3 (1) on top of 1/4 and 1/5: 10 credits.
	// 1/3: 8 in Q1, 9.5 -> 10 (half-up) in Q2.
	// 1/5: Q1 8 corrected to 10 -> acquired in Q1 (rule 1: for good, never
	// re-examined); the Q2 sitting (7), taken while the Q1 mark read 8,
	// cannot undo it. The UE mark that counts is the acquiring 10 (the
	// write side agrees: Cohort.Standing holds 1/5 acquired).
	// Average, complements left out: 15x3 + 10x3 = 75; 75 / 6 = 12.50.
	//
	// 1/5 stays acquired at Q1 (rule 1: for good) whatever the later Q2
	// sitting says (7), in the transcript, credits, average, ledger and
	// readiness.
	if !hs.Cohort.Standing(E, "").Acquired["1/5"] {
		t.Errorf("E standing (write side): 1/5 not acquired, want acquired in Q1")
	}
	tE := y.transcript(E, eventlog.Until{})
	y.ues(tE, map[string]string{
		"1/1": "12 acquired/mark Q1",
		"1/3": "10 acquired/mark Q2",
		"1/4": "15 acquired/mark Q1",
		"1/5": "10 acquired/mark Q1",
	})
	y.ue(tE, "1/5", "10 acquired/mark Q1",
		"Q1: Sociologie critique de l'action sociale=10 (corrected) => 10 | Q2: Sociologie critique de l'action sociale=7 => 7")
	y.ue(tE, "1/3", "10 acquired/mark Q2", "Q1: Cils de l'Action Sociale=8 => 8 | Q2: Cils de l'Action Sociale=9.5 => 10")
	y.eq("E credits", tE.Credits, projections.YearCredits{Enrolled: 10, Acquired: 10, ByMark: 10, Remaining: 0})
	y.eq("E year average", yearAvg(tE.YearAverage), "12.50/6")
	lE := y.ledger(E)
	var comps []string
	for _, c := range lE.Complements {
		comps = append(comps, c.Code+": "+yearLedgerLine(lE, c.Code))
	}
	y.eq("E ledger complements", comps, []string{
		"1/1: 3cr 2025-2026 mark=12 acquired=true mark Q1",
		"1/3: 1cr 2025-2026 mark=10 acquired=true mark Q2",
	})
	// Programme credits: 1/4 3 + 1/5 3 = 6 (complements outside the 120).
	y.eq("E ledger 1/5", yearLedgerLine(lE, "1/5"), "3cr 2025-2026 mark=10 acquired=true mark Q1")
	y.eq("E ledger cycle", lE.Cycle, projections.Credits{Total: 120, Acquired: 6, ByMark: 6, Remaining: 114})
	y.eq("E ledger blocs", lE.Blocs, []projections.Credits{
		{Bloc: 1, Total: 60, Acquired: 6, ByMark: 6, Remaining: 54},
		{Bloc: 2, Total: 60, Remaining: 60},
	})
	y.eq("E funding", lE.Funding, []projections.FundingCounter{
		{Credits: 60, WithinYears: 2, YearsUsed: 1, Acquired: 6, Status: "in-progress"}, // programme credits only
		{Credits: 120, WithinYears: 4, YearsUsed: 1, Acquired: 6, Status: "in-progress"},
	})
	rE := y.readiness(E)
	y.eq("E readiness remaining", rE.Remaining, 114)
	y.ready(rE, map[string]rules.Readiness{
		"1/5":  {UE: "1/5", Status: rules.AlreadyAcquired},
		"1/1":  {UE: "1/1", Status: rules.AlreadyAcquired},
		"1/2":  {UE: "1/2", Status: rules.NotRequired}, // not in the admission's complements
		"1/3":  {UE: "1/3", Status: rules.AlreadyAcquired},
		"1/6":  {UE: "1/6", Status: rules.Ready},
		"1/11": {UE: "1/11", Status: rules.CoEnrol, CoEnrol: "1/12"},
		"1/12": {UE: "1/12", Status: rules.CoEnrol, CoEnrol: "1/11"},
		"2/7":  {UE: "2/7", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/14"},
		"2/10": {UE: "2/10", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/12"},
	})

	// ---- A full rebuild from the log equals the live views ----
	if err := hs.Views.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	live, err := hs.Cohort.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	fresh := projections.NewCohort()
	if err := fresh.Replay(ctx, env.Log, 0, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := fresh.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rebuilt, live) {
		i := 0
		for i < len(live) && i < len(rebuilt) && live[i] == rebuilt[i] {
			i++
		}
		t.Errorf("the rebuilt views differ from the live ones at byte %d:\nlive:    %s\nrebuilt: %s",
			i, live[max(0, i-120):min(len(live), i+120)], rebuilt[max(0, i-120):min(len(rebuilt), i+120)])
	}
	for _, m := range []string{A, B, C, D, E} {
		want, err1 := hs.Cohort.Transcript(m, gradetest.Year)
		got, err2 := fresh.Transcript(m, gradetest.Year)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		y.eq("rebuilt transcript of "+m, yearJSON(t, got), yearJSON(t, want))
	}
}

// scriptedYear drives one year through the handlers and reads its views.
type scriptedYear struct {
	t   *testing.T
	env *gradetest.Env
	sec auth.Identity
}

func (y *scriptedYear) ok(_ any, err error) {
	y.t.Helper()
	if err != nil {
		y.t.Fatal(err)
	}
}

func (y *scriptedYear) eq(what string, got, want any) {
	y.t.Helper()
	if !reflect.DeepEqual(got, want) {
		y.t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func (y *scriptedYear) refused(what string, err error, want string) {
	y.t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		y.t.Errorf("%s: got %v, want a refusal saying %q", what, err, want)
	}
}

// enrol registers, admits and gives a PAE to a student.
func (y *scriptedYear) enrol(mat, first string, adm handlers.Admission, ues ...string) {
	y.t.Helper()
	ctx, hs := y.t.Context(), y.env.Handlers
	y.ok(hs.RegisterStudent(ctx, y.sec, "", handlers.Registration{Matricule: mat, FirstName: first, LastName: "Student" + mat,
		Email: strings.ToLower(first) + "." + strings.ToLower(mat) + "@student.helmo.be"}))
	y.ok(hs.AdmitStudent(ctx, y.sec, "", mat, adm))
	y.ok(hs.ValidatePAE(ctx, y.sec, "", mat, gradetest.Year, handlers.PAERequest{UEs: ues}))
}

// teacher is the teacher responsible for ue.
func (y *scriptedYear) teacher(ue string) auth.Identity {
	return auth.Identity{ID: "prof." + strings.ReplaceAll(ue, "/", "-"), Roles: []string{auth.Teacher}, UEs: []string{ue}}
}

func (y *scriptedYear) sheet(s catalog.Session, ue string) handlers.SheetRef {
	return handlers.SheetRef{Year: gradetest.Year, Session: s, UE: ue}
}

func (y *scriptedYear) try(id auth.Identity, s catalog.Session, ue string, in ...handlers.EntryInput) error {
	_, err := y.env.Handlers.RecordEntries(y.t.Context(), id, "", y.sheet(s, ue), handlers.SourceForm, in)
	return err
}

// mark records one value as the UE's teacher.
func (y *scriptedYear) mark(s catalog.Session, ue, mat, activity, value string) {
	y.t.Helper()
	if err := y.try(y.teacher(ue), s, ue, handlers.EntryInput{Student: mat, Activity: activity, Value: value}); err != nil {
		y.t.Fatalf("%s %s %s %s=%s: %v", s, ue, mat, activity, value, err)
	}
}

func (y *scriptedYear) catchUp() {
	y.t.Helper()
	if err := y.env.Handlers.Views.CatchUp(y.t.Context()); err != nil {
		y.t.Fatal(err)
	}
}

func (y *scriptedYear) roster(s catalog.Session, ue string) []string {
	y.t.Helper()
	sh, err := y.env.Handlers.Sheet(y.t.Context(), y.sec, y.sheet(s, ue))
	if err != nil {
		y.t.Fatal(err)
	}
	out := []string{}
	for _, r := range sh.Rows {
		if r.Enrolled {
			out = append(out, r.Matricule)
		}
	}
	return out
}

// status checks one grade sheet of a session as SheetStatuses shows it.
func (y *scriptedYear) status(s catalog.Session, ue, want string) {
	y.t.Helper()
	y.catchUp()
	all, err := y.env.Handlers.SheetStatuses(y.t.Context(), y.sec, gradetest.Year, string(s), handlers.ViewQuery{})
	if err != nil {
		y.t.Fatal(err)
	}
	for _, st := range all {
		if st.UE != ue {
			continue
		}
		var teachers []string
		for _, te := range st.Teachers {
			teachers = append(teachers, fmt.Sprintf("%s:%d", te.Actor, te.Entries))
		}
		got := fmt.Sprintf("%s enrolled=%d entered=%d missing=%d [%s] submissions=%d reopenings=%d teachers=[%s]",
			st.Status, st.Enrolled, st.Entered, st.Missing, strings.Join(st.MissingStudents, " "), st.Submissions, st.Reopenings,
			strings.Join(teachers, " "))
		y.eq(fmt.Sprintf("sheet %s %s", ue, s), got, want)
		return
	}
	y.t.Errorf("sheet %s %s: not among the session's sheets", ue, s)
}

func (y *scriptedYear) transcript(mat string, asOf eventlog.Until) projections.Transcript {
	y.t.Helper()
	y.catchUp()
	tr, err := y.env.Handlers.Transcript(y.t.Context(), y.sec, mat, gradetest.Year, handlers.ViewQuery{AsOf: asOf})
	if err != nil {
		y.t.Fatal(err)
	}
	return tr
}

func (y *scriptedYear) ledger(mat string) projections.Ledger {
	y.t.Helper()
	y.catchUp()
	l, err := y.env.Handlers.Ledger(y.t.Context(), y.sec, mat, handlers.ViewQuery{})
	if err != nil {
		y.t.Fatal(err)
	}
	return l
}

func (y *scriptedYear) readiness(mat string) projections.ReadinessView {
	y.t.Helper()
	y.catchUp()
	r, err := y.env.Handlers.Readiness(y.t.Context(), y.sec, mat, handlers.ViewQuery{})
	if err != nil {
		y.t.Fatal(err)
	}
	return r
}

// ue checks one UE of a transcript: "mark status/basis acquired-in", and,
// unless sittings is "", every sitting: "Q2: activity=result, ... => UE
// mark or code".
func (y *scriptedYear) ue(tr projections.Transcript, code, want, sittings string) {
	y.t.Helper()
	for _, u := range tr.UEs {
		if u.Code != code {
			continue
		}
		y.eq(fmt.Sprintf("%s %s", tr.Student.Matricule, code), yearUELine(u), want)
		if sittings != "" {
			y.eq(fmt.Sprintf("%s %s sittings", tr.Student.Matricule, code), yearSittings(u), sittings)
		}
		return
	}
	y.t.Errorf("%s: UE %s not on the transcript", tr.Student.Matricule, code)
}

// ues checks that the transcript lists exactly the UEs of want, each as
// ue checks it.
func (y *scriptedYear) ues(tr projections.Transcript, want map[string]string) {
	y.t.Helper()
	got := map[string]string{}
	for _, u := range tr.UEs {
		got[u.Code] = yearUELine(u)
	}
	for code, w := range want {
		if g, ok := got[code]; !ok {
			y.t.Errorf("%s: UE %s not on the transcript", tr.Student.Matricule, code)
		} else if g != w {
			y.t.Errorf("%s %s:\n got  %s\n want %s", tr.Student.Matricule, code, g, w)
		}
	}
	for code := range got {
		if _, ok := want[code]; !ok {
			y.t.Errorf("%s: unexpected UE %s on the transcript", tr.Student.Matricule, code)
		}
	}
}

// ready checks the readiness of some UEs.
func (y *scriptedYear) ready(v projections.ReadinessView, want map[string]rules.Readiness) {
	y.t.Helper()
	for code, w := range want {
		found := false
		for _, r := range v.UEs {
			if r.UE == code {
				y.eq(fmt.Sprintf("%s readiness of %s", v.Student.Matricule, code), r, w)
				found = true
			}
		}
		if !found {
			y.t.Errorf("%s: no readiness for %s", v.Student.Matricule, code)
		}
	}
}

func yearUELine(u projections.TranscriptUE) string {
	s := fmt.Sprintf("%s %s/%s", yearMark(u.Mark), u.Status, u.Basis)
	if u.AcquiredIn != "" {
		s += " " + u.AcquiredIn
	}
	return s
}

func yearSittings(u projections.TranscriptUE) string {
	var out []string
	for _, s := range u.Sessions {
		var parts []string
		if s.Result != "" {
			parts = append(parts, s.Result)
		}
		for _, a := range s.Activities {
			p := a.Activity + "=" + a.Result
			if a.CarriedFrom != "" {
				p += " (carried from " + a.CarriedFrom + ")"
			}
			if a.Corrected {
				p += " (corrected)"
			}
			parts = append(parts, p)
		}
		res := s.Code
		if s.Mark != nil {
			res = s.Mark.String()
		}
		if len(s.Missing) > 0 {
			res += " missing " + strings.Join(s.Missing, ", ")
		}
		out = append(out, fmt.Sprintf("%s: %s => %s", s.Session, strings.Join(parts, ", "), res))
	}
	return strings.Join(out, " | ")
}

func yearLedgerLine(l projections.Ledger, code string) string {
	for _, u := range append(append([]projections.LedgerUE{}, l.UEs...), l.Complements...) {
		if u.Code == code {
			s := fmt.Sprintf("%dcr %s mark=%s acquired=%t", u.Credits, u.Year, yearMark(u.Mark), u.Acquired)
			if u.Acquired {
				s += fmt.Sprintf(" %s %s", u.Basis, u.Session)
			}
			return s
		}
	}
	return "not in the ledger"
}

func yearMark(m *rules.Mark) string {
	if m == nil {
		return "-"
	}
	return m.String()
}

// avg writes an average with the ruleset's 2 decimals and its credits.
func yearAvg(a *projections.Average) string {
	if a == nil {
		return "none"
	}
	return fmt.Sprintf("%s/%d", a.Mark.Format(2), a.Credits)
}

func yearJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
