package handlers_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// BenchmarkMarkOnLargeSheet: one teacher's mark (a form's single entry,
// RecordEntries) on the Q2 sheet of UE 1/9 when the sheet already holds
// 1,000 or 40,000 entries. What a mark costs must not depend on the size
// of the sheet: ns/op of the two sub-benchmarks should be the same. One
// op is one mark, alternately 12 and 13 in the same slot (a correction).
//
// The entries already on the sheet are written straight to the log (the
// sheet's aggregate, two activities per student) while the timer is
// stopped: a sheet state holds whatever its records say, and the students
// they name need not be registered for that. The student marked is
// registered, admitted and has the bloc-1 PAE. The server syncs lazily
// (fast), so that the log's own cost does not drown the handler's.
//
//	go test ./handlers/ -run '^$' -bench MarkOnLargeSheet -benchtime=2000x -count=3
func BenchmarkMarkOnLargeSheet(b *testing.B) {
	for _, n := range []int{1_000, 40_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) { benchMarkOnLargeSheet(b, n) })
	}
}

func benchMarkOnLargeSheet(b *testing.B, entries int) {
	env := gradetest.Start(b, true)
	env.Clock.Set(inQ2)
	ctx := b.Context()
	hs := env.Handlers
	for _, q := range []catalog.Session{catalog.Q2} {
		if _, err := hs.ScheduleSession(ctx, secretariat, "", gradetest.Year, q, handlers.Schedule{}); err != nil {
			b.Fatal(err)
		}
	}
	ref := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q2, UE: "1/9"}
	teacher := teacherOf(ref.UE, ref.Session)
	const mat = "HE000001"
	if _, err := hs.RegisterStudent(ctx, secretariat, "", handlers.Registration{Matricule: mat, FirstName: "P", LastName: "N", Email: "he000001@student.bench.be"}); err != nil {
		b.Fatal(err)
	}
	if _, err := hs.AdmitStudent(ctx, secretariat, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := hs.ValidatePAE(ctx, secretariat, "", mat, gradetest.Year, handlers.PAERequest{UEs: bloc1}); err != nil {
		b.Fatal(err)
	}

	// The sheet's other entries, MaxBatch records per append.
	agg := events.SheetOf(ref.Year, string(ref.Session), ref.UE)
	var head events.Head
	var pending []events.Pending
	flush := func() {
		got, err := env.Log.Append(ctx, eventlog.AppendRequest{Aggregate: agg, Head: head, Events: pending})
		if err != nil {
			b.Fatal(err)
		}
		head, pending = got.Records[len(got.Records)-1].Head(), pending[:0]
	}
	for i := range entries {
		activity := []string{"Méthodologies", "Travaux pratiques"}[i%2]
		pending = append(pending, events.Pending{Actor: teacher.Actor(),
			Event: events.MarkRecorded{Student: fmt.Sprintf("BK%06d", i/2), Activity: activity, Entry: events.Entry{Mark: "11"}, Source: handlers.SourceForm}})
		if len(pending) == eventlog.MaxBatch {
			flush()
		}
	}
	if len(pending) > 0 {
		flush()
	}

	values := []string{"12", "13"}
	mark := func(i int) {
		got, err := hs.RecordEntries(ctx, teacher, uuid.NewString(), ref, handlers.SourceForm,
			[]handlers.EntryInput{{Student: mat, Activity: "Travaux pratiques", Value: values[i%2]}})
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Results) != 1 || got.Results[0].Outcome != handlers.Saved {
			b.Fatalf("mark %d not saved: %+v", i, got.Results)
		}
	}
	mark(1) // loads the sheet (its records) and catches the views up
	if s, err := hs.Sheet(ctx, teacher, ref); err != nil {
		b.Fatal(err)
	} else if got := len(s.Rows); got != entries/2+1 {
		b.Fatalf("the sheet has %d rows, want %d", got, entries/2+1)
	}
	i := 0
	for b.Loop() {
		mark(i)
		i++
	}
}
