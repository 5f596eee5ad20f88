package handlers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

const deliberated = 200 // students of the deliberated session

// BenchmarkDeliberation: the Q2 deliberation of 200 bloc-1 students with
// marks on all eleven sheets (some below 10), every student decided
// (UEs to deliberate granted). Sub-benchmarks, one op each:
//
//	replay    the session's 200 decisions, each with the dossier rebuilt
//	          from the log as of the record before it; against raw direct
//	          gets of the records those rebuilds read (the documents and
//	          each student's records before their decision), 16 in flight
//	view      the deliberation view read again at the same log position:
//	          kept since it was first computed (projections'
//	          deliberationCache); computing it (200 proposals) is what
//	          the first read after each write costs
//	what-if   a what-if over the whole session (other criteria)
//
// view and what-if read memory only: they report ms/op and ms per student
// beside the raw time of one direct get per student.
func BenchmarkDeliberation(b *testing.B) {
	e := startGradelog(b, b.TempDir())
	ctx := benchraw.Ctx(b)
	c := cohort{prefix: "HD", n: deliberated, admission: handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true}, pae: bloc1}
	e.enrol(b, c)
	ref := handlers.DeliberationRef{Programme: "MIAS", Year: gradetest.Year, Session: "Q2"}
	pres := e.deliberate(b, ctx, c, ref)

	stream, err := e.Raw.Stream(ctx, "GRADELOG")
	if err != nil {
		b.Fatal(err)
	}
	minutes, err := e.hs.Minutes(ctx, pres, ref, handlers.ViewQuery{})
	if err != nil || len(minutes.Decisions) != deliberated {
		b.Fatalf("minutes: %v, %d decisions", err, len(minutes.Decisions))
	}
	docs := []uint64{1, 2, 3, 4} // catalog, ruleset, Q2 and Q3 calendars: what every rebuild reads besides the student's records
	recs, err := e.Log.ReadAt(ctx, docs)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if k := r.Aggregate.Kind(); k != events.KindCatalog && k != events.KindCalendar {
			b.Fatalf("position %d is a %s record, not a document: the raw side would read other records than the replay", r.Position, k)
		}
	}
	var replayed []uint64 // what the replay reads
	var onePerStudent []uint64
	for _, d := range minutes.Decisions {
		h, err := e.hs.Cohort.History(ctx, e.Log, d.Student.Matricule, eventlog.Until{Position: d.Position - 1}, projections.HistoryFilter{})
		if err != nil {
			b.Fatal(err)
		}
		replayed = append(replayed, docs...)
		for _, he := range h.Entries {
			replayed = append(replayed, he.Position)
		}
		onePerStudent = append(onePerStudent, d.Position)
	}

	b.Run("replay", func(b *testing.B) {
		ours := func(lo, hi int) {
			for range hi - lo {
				r, err := e.hs.Replay(ctx, pres, ref, handlers.ViewQuery{})
				if err != nil || len(r.Steps) != deliberated || !r.Steps[deliberated-1].VersionMatches {
					b.Fatalf("replay: %v, %d steps", err, len(r.Steps))
				}
			}
		}
		raw := func(lo, hi int) {
			for range hi - lo {
				benchraw.Gets(b, ctx, stream, replayed)
			}
		}
		rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
		benchraw.Report(b, "decisions/s", b.N, b.N*deliberated, rawD, oursD)
		b.ReportMetric(float64(oursD.Microseconds())/1000/float64(b.N), "ms/op")
		b.ReportMetric(float64(rawD.Microseconds())/1000/float64(b.N), "raw-ms/op")
		b.ReportMetric(float64(len(replayed)), "records/op")
	})
	b.Run("view", func(b *testing.B) {
		e.memoryBench(b, ctx, stream, onePerStudent, func() {
			v, err := e.hs.Deliberation(ctx, pres, ref, handlers.ViewQuery{})
			if err != nil || v.Decided != deliberated {
				b.Fatalf("view: %v, %d decided", err, v.Decided)
			}
		})
	})
	b.Run("what-if", func(b *testing.B) {
		three, err := rules.ParseMark("3")
		if err != nil {
			b.Fatal(err)
		}
		e.memoryBench(b, ctx, stream, onePerStudent, func() {
			v, err := e.hs.WhatIf(ctx, pres, ref, handlers.WhatIfInput{Criteria: &handlers.Criteria{MaxDeficit: &three}}, handlers.ViewQuery{})
			if err != nil || len(v.Students) != deliberated {
				b.Fatalf("what-if: %v, %d students", err, len(v.Students))
			}
		})
	})
}

// memoryBench measures op, a view read from memory, beside the raw time of
// one direct get per student.
func (e *benchEnv) memoryBench(b *testing.B, ctx context.Context, stream jetstream.Stream, positions []uint64, op func()) {
	rawD, oursD := benchraw.Measure(b, b.N, func(lo, hi int) {
		for range hi - lo {
			benchraw.Gets(b, ctx, stream, positions)
		}
	}, func(lo, hi int) {
		for range hi - lo {
			op()
		}
	})
	benchraw.Report(b, "views/s", b.N, b.N, rawD, oursD)
	b.ReportMetric(float64(oursD.Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(oursD.Microseconds())/float64(b.N)/deliberated, "µs/student")
}

// deliberate records Q2 marks for the cohort on every bloc-1 sheet (a
// student's UE is below 10 now and then), submits the sheets, constitutes
// the jury, opens the deliberation and decides every student, granting
// what is to deliberate. It returns the president.
func (e *benchEnv) deliberate(b *testing.B, ctx context.Context, c cohort, ref handlers.DeliberationRef) auth.Identity {
	b.Helper()
	for u, code := range bloc1 {
		ue, _ := e.cat.UE(code)
		sheet := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q2, UE: code}
		var in []handlers.EntryInput
		for i := range c.n {
			mark := fmt.Sprint(8 + (i*7+u*3)%10) // 8 to 17
			if ue.Integrated || len(ue.Activities) == 1 {
				in = append(in, handlers.EntryInput{Student: c.matricule(i), Value: mark})
				continue
			}
			for _, a := range ue.Activities {
				in = append(in, handlers.EntryInput{Student: c.matricule(i), Activity: a.Title, Value: mark})
			}
		}
		if _, err := e.hs.RecordEntries(ctx, secretariat, "", sheet, handlers.SourceForm, in); err != nil {
			b.Fatalf("marks of %s: %v", code, err)
		}
		if _, err := e.hs.SubmitSheet(ctx, secretariat, "", sheet); err != nil {
			b.Fatal(err)
		}
	}
	members := []events.JuryMember{{ID: "jury.p", Name: "P", Institution: "HELMo"}, {ID: "jury.s", Name: "S", Institution: "HEPL"},
		{ID: "jury.3", Name: "M3", Institution: "HELMo"}, {ID: "jury.4", Name: "M4", Institution: "HEPL"}, {ID: "jury.5", Name: "M5", Institution: "HELMo"}}
	if _, err := e.hs.ConstituteJury(ctx, secretariat, "", ref.Programme, ref.Year, handlers.JuryInput{President: "jury.p", Secretary: "jury.s", Members: members}); err != nil {
		b.Fatal(err)
	}
	pres := auth.Identity{ID: "jury.p", Roles: []string{auth.Jury}}
	if _, err := e.hs.OpenDeliberation(ctx, pres, "", ref, handlers.Opening{Present: []string{"jury.p", "jury.s", "jury.3"}}); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	var fe benchraw.FirstErr
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				fe.Set(e.decideOne(ctx, pres, ref, c.matricule(i)))
			}
		})
	}
	for i := range c.n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := fe.Err(); err != nil {
		b.Fatal(err)
	}
	if _, err := e.hs.CloseDeliberation(ctx, pres, "", ref); err != nil {
		b.Fatal(err)
	}
	return pres
}

func (e *benchEnv) decideOne(ctx context.Context, pres auth.Identity, ref handlers.DeliberationRef, mat string) error {
	d, err := e.hs.Cohort.Dossier(mat, ref.Year, catalog.Session(ref.Session))
	if err != nil {
		return err
	}
	in := handlers.DecisionInput{Student: mat, RecordVersion: d.RecordVersion, Motivation: "délibéré"}
	for _, u := range d.Proposal.UEs {
		if u.Status == rules.ToDeliberate {
			in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: true, Motivation: "dans les critères"})
		}
	}
	if _, err := e.hs.RecordDecision(ctx, pres, "", ref, in); err != nil {
		return fmt.Errorf("decision on %s: %w", mat, err)
	}
	return nil
}
