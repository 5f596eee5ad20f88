package projections_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

// TestDiff drives one student through the real handlers on an embedded
// NATS server: marks in Q1 for 1/4 (14) and 1/7 (11), both sheets
// submitted; then (the bound "before") the secretariat reopens 1/7, the
// teacher corrects 11 to 13 with a reason, the sheet is submitted again,
// and the jury deliberates Q1 and records a decision. The diff from
// "before" to now shows the correction and the decision, each explained
// by its own fact, and nothing else; an empty interval shows nothing;
// reversed bounds and an unknown student are refused.
//
// By hand: 1/4 (3 credits) 14, 1/7 (3 credits) 11 then 13, both acquired
// by mark in Q1 either way (credits and ledger unchanged). Year average
// before: (14x3 + 11x3) / 6 = 75 / 6 = 12.50; after: (14x3 + 13x3) / 6 =
// 81 / 6 = 13.50. One year so far: the cycle average is the same.
func TestDiff(t *testing.T) {
	ctx := t.Context()
	env := gradetest.Start(t, true)
	hs := env.Handlers
	y := &scriptedYear{t: t, env: env, sec: auth.Identity{ID: "sec.diff", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}}
	for _, s := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		y.ok(hs.ScheduleSession(ctx, y.sec, "", gradetest.Year, s, handlers.Schedule{}))
	}
	chair := auth.Identity{ID: "jury.a", Roles: []string{auth.Jury}}
	y.ok(hs.ConstituteJury(ctx, y.sec, "", "MIAS", gradetest.Year, handlers.JuryInput{
		President: chair.ID, Secretary: "jury.b", Members: []events.JuryMember{
			{ID: chair.ID, Name: "A", Institution: "HELMo"}, {ID: "jury.b", Name: "B", Institution: "HEPL"},
			{ID: "jury.c", Name: "C", Institution: "HELMo"}, {ID: "jury.d", Name: "D", Institution: "HEPL"},
			{ID: "jury.e", Name: "E", Institution: "HELMo"}}}))

	const S = "HE720001"
	y.enrol(S, "Sacha", handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social", HasBachelor: true}, "1/4", "1/7")
	y.mark(catalog.Q1, "1/4", S, "", "14")
	y.mark(catalog.Q1, "1/7", S, "", "11")
	for _, ue := range []string{"1/4", "1/7"} {
		y.ok(hs.SubmitSheet(ctx, y.teacher(ue), "", y.sheet(catalog.Q1, ue)))
	}
	y.catchUp()
	before := hs.Cohort.Position()

	// The correction, after a reopening, and the jury's decision.
	y.ok(hs.ReopenSheet(ctx, y.sec, "", y.sheet(catalog.Q1, "1/7"), "erreur matérielle signalée par l'enseignant"))
	const reason = "erreur matérielle : 13 sur la copie"
	corr, err := hs.RecordEntries(ctx, y.teacher("1/7"), "", y.sheet(catalog.Q1, "1/7"), handlers.SourceForm,
		[]handlers.EntryInput{{Student: S, Value: "13", Reason: reason}})
	if err != nil {
		t.Fatal(err)
	}
	y.ok(hs.SubmitSheet(ctx, y.teacher("1/7"), "", y.sheet(catalog.Q1, "1/7")))
	ref := handlers.DeliberationRef{Programme: "MIAS", Year: gradetest.Year, Session: string(catalog.Q1)}
	y.ok(hs.OpenDeliberation(ctx, chair, "", ref, handlers.Opening{Present: []string{"jury.a", "jury.b", "jury.c", "jury.d"}}))
	y.catchUp()
	dos, err := hs.Cohort.Dossier(S, gradetest.Year, catalog.Q1)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := hs.RecordDecision(ctx, chair, "", ref, handlers.DecisionInput{Student: S, RecordVersion: dos.RecordVersion,
		Motivation: "tout est acquis"})
	if err != nil {
		t.Fatal(err)
	}
	y.ok(hs.CloseDeliberation(ctx, chair, "", ref))
	y.catchUp()
	if corr.Position <= before || dec.Position <= corr.Position {
		t.Fatalf("positions: before %d, correction %d, decision %d", before, corr.Position, dec.Position)
	}

	d, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{Position: before}, eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("student", d.Student.Matricule+" "+d.Student.FirstName, S+" Sacha")
	y.eq("from", d.From.Position, before)
	y.eq("to", d.To, projections.AsOf{Records: d.From.Records + 2})
	y.eq("position", d.Position, hs.Cohort.Position())
	again, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{Position: before}, eventlog.Until{Position: d.Position})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("the same diff at its position: changes", again.Changes, d.Changes)
	y.eq("the same diff at its position: facts", positions(again.Facts), positions(d.Facts))

	// The facts: the correction (who, why, from what to what) and the
	// decision; the reopening and the submissions are about the sheet,
	// not the student.
	var facts []string
	for _, f := range d.Facts {
		facts = append(facts, fmt.Sprintf("%d %s %s | %s | %s -> %s | %s", f.Position, f.Type, f.Actor, f.Context, f.Previous, f.Value, f.Reason))
	}
	y.eq("facts", facts, []string{
		fmt.Sprintf("%d mark.corrected prof.1-7 | 2025-2026 Q1 UE 1/7 (Analyse des organisations) | 11 -> 13 | %s", corr.Position, reason),
		fmt.Sprintf("%d decision.recorded jury.a | 2025-2026 Q1 deliberation |  -> %s | tout est acquis", dec.Position, dec.Outcome),
	})

	var changes []string
	for _, c := range d.Changes {
		changes = append(changes, fmt.Sprintf("%s | %s | %s -> %s | %v", c.View, c.What, c.Before, c.After, c.Because))
	}
	cp, dp := corr.Position, dec.Position
	y.eq("changes", changes, []string{
		fmt.Sprintf("transcript 2025-2026 | cycle average | 12.5 over 6 credits -> 13.5 over 6 credits | [%d %d]", cp, dp),
		fmt.Sprintf("transcript 2025-2026 | decision Q1 |  -> %s (decision %s) | [%d]", dec.Outcome, dec.ID, dp),
		fmt.Sprintf("transcript 2025-2026 | year average | 12.5 over 6 credits -> 13.5 over 6 credits | [%d %d]", cp, dp),
		fmt.Sprintf("transcript 2025-2026 | UE 1/7 Q1 (Analyse des organisations) | 11 -> 13 | [%d]", cp),
		fmt.Sprintf("transcript 2025-2026 | UE 1/7 Q1 mark | 11 -> 13 | [%d]", cp),
		fmt.Sprintf("transcript 2025-2026 | UE 1/7 mark | 11 -> 13 | [%d]", cp),
	})
	for _, c := range d.Changes {
		for _, p := range c.Because {
			if !slices.ContainsFunc(d.Facts, func(f projections.HistoryEntry) bool { return f.Position == p }) {
				t.Errorf("%s: because %d, not among the facts", c.What, p)
			}
		}
	}

	// The "before" side is the transcript as of the bound.
	past, err := hs.Cohort.TranscriptAsOf(ctx, env.Log, S, gradetest.Year, eventlog.Until{Position: before})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range past.UEs {
		if u.Code == "1/7" {
			y.eq("1/7 as of before", u.Mark.String(), "11")
		}
	}

	// The same interval bounded by instants: the records' own.
	recs, err := env.Log.ReadAt(ctx, []uint64{before, dec.Position + 1})
	if err != nil {
		t.Fatal(err)
	}
	byInstant, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{Instant: recs[0].RecordedAt}, eventlog.Until{Instant: recs[1].RecordedAt})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("by instant: facts", positions(byInstant.Facts), positions(d.Facts))
	y.eq("by instant: changes", byInstant.Changes, d.Changes)
	// A position against an instant: the from side is taken within to.
	mixed, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{Position: before}, eventlog.Until{Instant: recs[1].RecordedAt})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("mixed bounds: changes", mixed.Changes, d.Changes)

	// Only the correction: up to the record before the decision.
	upToCorr, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{Position: before}, eventlog.Until{Position: dec.Position - 1})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("up to the correction: facts", positions(upToCorr.Facts), []uint64{cp})
	for _, c := range upToCorr.Changes {
		if strings.HasPrefix(c.What, "decision") || !slices.Equal(c.Because, []uint64{cp}) {
			t.Errorf("up to the correction: %+v", c)
		}
	}

	// Empty intervals: no facts, no changes.
	for _, b := range [][2]eventlog.Until{
		{{Position: before}, {Position: before}},
		{{Position: dec.Position}, {}},
		{{Position: corr.Position}, {Position: dec.Position - 1}}, // the submission and the opening only
	} {
		e, err := hs.Cohort.Diff(ctx, env.Log, S, b[0], b[1])
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Facts) != 0 || len(e.Changes) != 0 {
			t.Errorf("diff %+v..%+v: %d facts, %d changes, want none: %+v", b[0], b[1], len(e.Facts), len(e.Changes), e.Changes)
		}
		if e.Facts == nil || e.Changes == nil {
			t.Errorf("diff %+v..%+v: nil slices encode as null", b[0], b[1])
		}
	}

	// From the beginning: every fact, and the whole record as changes.
	all, err := hs.Cohort.Diff(ctx, env.Log, S, eventlog.Until{}, eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := hs.Cohort.History(ctx, env.Log, S, eventlog.Until{}, projections.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	y.eq("from the beginning: facts", positions(all.Facts), positions(h.Entries))
	y.eq("from the beginning: records", all.From.Records, 0)
	var got []string
	for _, c := range all.Changes {
		if c.View == "ledger" && strings.HasSuffix(c.What, "bloc 1") || c.UE == "1/7" && !strings.Contains(c.What, "Q1") {
			got = append(got, fmt.Sprintf("%s | %s -> %s | %d facts", c.What, c.Before, c.After, len(c.Because)))
		}
	}
	// PAE (1/4, 1/7), both marks, the correction, the decision name a UE
	// of bloc 1; 1/7's values: its PAE, mark and correction.
	y.eq("from the beginning: bloc 1 and UE 1/7", got, []string{
		"credits acquired bloc 1 |  -> 6 | 4 facts",
		"credits by mark bloc 1 |  -> 6 | 4 facts",
		"credits deliberated bloc 1 |  -> 0 | 4 facts",
		"credits recognised bloc 1 |  -> 0 | 4 facts",
		"credits remaining bloc 1 |  -> 54 | 4 facts",
		"credits total bloc 1 |  -> 60 | 4 facts",
		"UE 1/7 acquired in |  -> Q1 | 3 facts",
		"UE 1/7 basis |  -> mark | 3 facts",
		"UE 1/7 credits |  -> 3 | 3 facts",
		"UE 1/7 mark |  -> 13 | 3 facts",
		"UE 1/7 status |  -> acquired | 3 facts",
	})

	// Reversed bounds name the field at fault.
	for _, b := range [][2]eventlog.Until{
		{{Position: before + 1}, {Position: before}},
		{{Instant: recs[1].RecordedAt}, {Instant: recs[0].RecordedAt}},
	} {
		_, err := hs.Cohort.Diff(ctx, env.Log, S, b[0], b[1])
		var be *projections.BoundsError
		if !errors.As(err, &be) {
			t.Errorf("reversed bounds %+v..%+v: got %v, want a *BoundsError", b[0], b[1], err)
			continue
		}
		if want := map[bool]string{true: "from_position", false: "from"}[b[0].Position != 0]; be.Field != want {
			t.Errorf("reversed bounds: field %q, want %q (%v)", be.Field, want, be)
		}
	}

	// An unknown student.
	_, err = hs.Cohort.Diff(ctx, env.Log, "HE799999", eventlog.Until{}, eventlog.Until{})
	var nf *projections.NotFoundError
	if !errors.As(err, &nf) || nf.Field != "student" {
		t.Errorf("unknown student: got %v, want a NotFoundError on student", err)
	}
}

// TestDiffGoldenSteps walks every fact of every student of the golden
// scenarios (testdata/*/events.jsonl, folded in memory): the diff over the
// one record of a fact lists that fact alone, and every change it shows is
// explained by it; the diff from the beginning lists the whole history
// and explains every change.
func TestDiffGoldenSteps(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			recs := readGoldenEvents(t, file)
			c := projections.NewCohort()
			for _, r := range recs {
				c.Apply(r)
			}
			src := goldenSource(recs)
			for _, m := range goldenPlanOf(recs).students {
				h, err := c.History(ctx, src, m, eventlog.Until{}, projections.HistoryFilter{})
				if err != nil {
					t.Fatal(err)
				}
				all, err := c.Diff(ctx, src, m, eventlog.Until{}, eventlog.Until{})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(positions(all.Facts), positions(h.Entries)) {
					t.Errorf("%s from the beginning: facts %v, want the history %v", m, positions(all.Facts), positions(h.Entries))
				}
				for _, ch := range all.Changes {
					if len(ch.Because) == 0 {
						t.Errorf("%s from the beginning: %s %s unexplained", m, ch.View, ch.What)
					}
				}
				for _, e := range h.Entries {
					d, err := c.Diff(ctx, src, m, eventlog.Until{Position: e.Position - 1}, eventlog.Until{Position: e.Position})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(positions(d.Facts), []uint64{e.Position}) {
						t.Errorf("%s at %d: facts %v, want [%d]", m, e.Position, positions(d.Facts), e.Position)
					}
					for _, ch := range d.Changes {
						if !slices.Equal(ch.Because, []uint64{e.Position}) {
							t.Errorf("%s at %d (%s): %s %s %q -> %q because %v, want [%d]", m, e.Position, e.Type,
								ch.View, ch.What, ch.Before, ch.After, ch.Because, e.Position)
						}
					}
				}
			}
		})
	}
}

func positions(es []projections.HistoryEntry) []uint64 {
	out := []uint64{}
	for _, e := range es {
		out = append(out, e.Position)
	}
	return out
}
