package projections_test

// Benchmarks of the read side against raw JetStream in the same run (see
// internal/benchraw): a full rebuild against a raw drain of the same
// stream, transcript reads under load against raw direct gets under the
// same load, and an as-of reconstruction against raw direct gets of the
// same records. Run them with
//
//	go test ./projections/ -run '^$' -bench . -benchtime=... -count=3
//
// The logs are filled on a server started with FastSync: reads do not
// depend on how writes were synced.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

// BenchmarkRebuild: every view rebuilt from the whole log (a fresh cohort
// replaying it: decode and fold) against an ordered consumer draining the
// same stream and only counting. One op = one full pass. It also reports
// the heap a rebuilt cohort holds per student-year (B/student-year).
func BenchmarkRebuild(b *testing.B) {
	n := benchraw.Events(b, testing.Short())
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	students := n / eventsPerStudent
	start := time.Now()
	cohortLog(b, ctx, env.Log, students, "", 0)
	last, err := env.Log.LastPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d events (%d students) in %v", last, students, time.Since(start).Round(time.Millisecond))
	b.Run(fmt.Sprintf("events=%d", last), func(b *testing.B) {
		raw := func(lo, hi int) {
			for range hi - lo {
				if got := benchraw.Drain(b, ctx, env.Raw); got != int(last) {
					b.Fatalf("raw drain read %d messages, want %d", got, last)
				}
			}
		}
		ours := func(lo, hi int) {
			for range hi - lo {
				rebuild(b, ctx, env.Log, last)
			}
		}
		rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
		benchraw.Report(b, "events/s", b.N, b.N*int(last), rawD, oursD)

		b.ReportMetric(float64(heldBy(func() any { return rebuild(b, ctx, env.Log, last) }))/float64(students), "B/student-year")
	})
}

// heldBy is the heap that what make returns holds: live heap with it, less
// live heap once it is dropped (each after a full collection).
func heldBy(make func() any) uint64 {
	v := make()
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(v)
	v = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	return with.HeapAlloc - min(with.HeapAlloc, without.HeapAlloc)
}

func rebuild(b *testing.B, ctx context.Context, l eventlog.Log, last uint64) *projections.Cohort {
	c := projections.NewCohort()
	if err := c.Replay(ctx, l, 0, nil); err != nil {
		b.Fatal(err)
	}
	if c.Position() != last {
		b.Fatalf("rebuild reached position %d, want %d", c.Position(), last)
	}
	return c
}

// readers is how many clients read at once in BenchmarkTranscriptReads.
const readers = 8

// BenchmarkTranscriptReads: transcripts (computed and encoded as JSON)
// read by 8 concurrent clients from the live views of 2,000 students while
// a writer appends marks that the runner folds, against the same clients
// fetching the student's last record with a raw direct get under the same
// write load. One op = one read. Reports p50 and p99 latencies of both
// sides and p99-x-raw (raw p99 / our p99: 1 = as fast as a raw get).
func BenchmarkTranscriptReads(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	const students = 2000
	cohortLog(b, ctx, env.Log, students, "", 0)
	c := projections.NewCohort()
	runner := projections.NewRunner(env.Log, c)
	go func() { _ = runner.Run(ctx) }()
	if err := runner.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	stream, err := env.Raw.Stream(ctx, "GRADELOG")
	if err != nil {
		b.Fatal(err)
	}
	year := gradetest.Year
	matricule := func(r *rand.Rand) string { return fmt.Sprintf("HE%07d", 1+r.IntN(students)) }
	ours := func(r *rand.Rand) error {
		t, err := c.Transcript(matricule(r), year)
		if err == nil {
			_, err = json.Marshal(t)
		}
		return err
	}
	raw := func(r *rand.Rand) error {
		_, err := stream.GetLastMsgForSubject(ctx, "gl."+string(events.StudentOf(matricule(r))))
		return err
	}
	stop := writeLoad(b, ctx, env.Log)
	defer stop()
	b.ResetTimer()
	rawLat, ourLat := benchraw.MeasureLatency(b, readers, b.N, raw, ours)
	b.StopTimer()
	benchraw.ReportLatency(b, rawLat, ourLat)
}

// writeLoad appends single marks to one sheet until stopped.
func writeLoad(b *testing.B, ctx context.Context, l eventlog.Log) (stop func()) {
	sheet := events.SheetOf(gradetest.Year, "Q2", "1/9")
	h, err := l.Load(ctx, sheet, eventlog.Until{})
	if err != nil {
		b.Fatal(err)
	}
	head := h.Head
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: sheet, Head: head, Events: []events.Pending{
				{Event: markEvent(fmt.Sprintf("HE%07d", 1+i%2000), "Travaux pratiques", i, i, true), Actor: events.Actor{ID: "load"}}}})
			if err != nil {
				return
			}
			head = got.Head()
		}
	}()
	return func() { cancel(); <-done }
}

// BenchmarkAsOf: a student with 500 records spread over a log of about
// 50,000, reconstructed from the log as of the end (their transcript
// rebuilt from the documents and their own records, read back by
// position), against raw direct gets of the same records. One op = one
// reconstruction.
func BenchmarkAsOf(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	const busy = "HE9999999"
	cohortLog(b, ctx, env.Log, 1000, busy, 500)
	c := projections.NewCohort()
	if err := c.Replay(ctx, env.Log, 0, nil); err != nil {
		b.Fatal(err)
	}
	h, err := c.History(ctx, env.Log, busy, eventlog.Until{}, projections.HistoryFilter{})
	if err != nil {
		b.Fatal(err)
	}
	if len(h.Entries) != 500 {
		b.Fatalf("the busy student has %d records, want 500", len(h.Entries))
	}
	positions := []uint64{1, 2} // the catalog and the ruleset
	for _, e := range h.Entries {
		positions = append(positions, e.Position)
	}
	until := eventlog.Until{Position: c.Position()}
	stream, err := env.Raw.Stream(ctx, "GRADELOG")
	if err != nil {
		b.Fatal(err)
	}
	ours := func(lo, hi int) {
		for range hi - lo {
			t, err := c.TranscriptAsOf(ctx, env.Log, busy, gradetest.Year, until)
			if err != nil || t.AsOf == nil || t.AsOf.Records != 500 {
				b.Fatalf("as of: %v, %+v", err, t.AsOf)
			}
		}
	}
	raw := func(lo, hi int) {
		for range hi - lo {
			benchraw.Gets(b, ctx, stream, positions)
		}
	}
	rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
	benchraw.Report(b, "reconstructions/s", b.N, b.N, rawD, oursD)
	b.ReportMetric(float64(oursD.Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(rawD.Microseconds())/1000/float64(b.N), "raw-ms/op")
}
