package eventlog_test

// Benchmarks of the JetStream log against raw JetStream, each in the same
// run, on the same embedded server, with the same durability (see
// internal/benchraw). Every benchmark reports:
//
//	x-raw         our rate divided by the raw rate (1 = as fast as raw)
//	events/s      our rate
//	raw-events/s  the raw rate
//	ns/op         our time per operation (overrides the default, which
//	              would count both sides)
//
// Run them with
//
//	go test ./eventlog/ -run '^$' -bench . -benchtime=... -count=3
//
// The append benchmarks run on a server that syncs every write before
// acknowledging it (gradelog's default) on both sides. Our side and the raw
// side alternate in rounds, so that drift on a noisy machine (page cache,
// stream growth, other processes) spreads over both.
//
// The replay benchmark fills a stream once per process with
// GRADELOG_BENCH_EVENTS events (default 1,000,000; 100,000 with -short).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/benchraw"
)

const (
	benchWriters = 64  // concurrent writers in BenchmarkAppendConcurrent
	benchBatch   = 500 // events per atomic batch in BenchmarkAppendBatch
)

// benchPending is a production-like event: a mark entered from a
// spreadsheet by a teacher, with a correlation id. Encoded, with its
// idempotency key and previous hash, its envelope is 539 bytes (ids, key and previous hash make up most of it).
func benchPending() events.Pending {
	return events.Pending{
		Event: events.MarkRecorded{
			Student: "HE234567", Activity: "1/8-TP",
			Entry: events.Entry{Mark: "13.5"}, Source: "xlsx",
		},
		Actor:         events.Actor{ID: "staff:e.dupont", Roles: []string{"teacher", "sheet-editor"}},
		CorrelationID: uuid.NewString(),
	}
}

// benchData is the envelope bytes the raw side publishes: one encoding of
// benchPending as the next event of an existing aggregate.
func benchData(b *testing.B, a events.AggregateID) []byte {
	b.Helper()
	return benchraw.Envelope(b, a, benchPending())
}

func sheetAgg(tag string, i int) events.AggregateID {
	return events.SheetOf("2025-2026", "Q1", tag+"-"+strconv.Itoa(i))
}

// BenchmarkAppendSequential: one writer appending single events with an
// expectation and an idempotency key (Log.Append: encode, hash, headers,
// server-side sequence check and dedup), against one writer publishing the
// same envelope bytes with js.PublishMsg and no headers. One op = one event;
// the writer cycles over 64 sheets.
func BenchmarkAppendSequential(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), false)
	ctx := benchraw.Ctx(b)
	const aggs = 64
	p := benchPending()
	data := benchData(b, sheetAgg("S", 0))
	heads := make([]events.Head, aggs)
	raw := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := env.Publish(ctx, benchraw.Subject(sheetAgg("S", i%aggs)), data); err != nil {
				b.Fatal(err)
			}
		}
	}
	ours := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a := i % aggs
			got, err := env.Log.Append(ctx, eventlog.AppendRequest{
				Aggregate: sheetAgg("S", a), Head: heads[a], Key: uuid.NewString(),
				Events: []events.Pending{p},
			})
			if err != nil {
				b.Fatal(err)
			}
			heads[a] = got.Head()
		}
	}
	rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
	benchraw.Report(b, "events/s", b.N, b.N, rawD, oursD)
}

// BenchmarkAppendConcurrent: 64 writers, each on its own aggregate,
// appending single events with expectations and keys, against 64 writers
// each publishing the same bytes synchronously to its own subject. One op =
// one event.
func BenchmarkAppendConcurrent(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), false)
	ctx := benchraw.Ctx(b)
	p := benchPending()
	data := benchData(b, sheetAgg("C", 0))
	heads := make([]events.Head, benchWriters)
	fanOut := func(lo, hi int, op func(w int) error) {
		if err := benchraw.FanOut(benchWriters, lo, hi, op); err != nil {
			b.Fatal(err)
		}
	}
	raw := func(lo, hi int) {
		fanOut(lo, hi, func(w int) error {
			return env.Publish(ctx, benchraw.Subject(sheetAgg("C", w)), data)
		})
	}
	ours := func(lo, hi int) {
		fanOut(lo, hi, func(w int) error {
			got, err := env.Log.Append(ctx, eventlog.AppendRequest{
				Aggregate: sheetAgg("C", w), Head: heads[w], Key: uuid.NewString(),
				Events: []events.Pending{p},
			})
			heads[w] = got.Head()
			return err
		})
	}
	rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
	benchraw.Report(b, "events/s", b.N, b.N, rawD, oursD)
}

// BenchmarkAppendBatch: one Log.Append of 500 events (an imported sheet:
// all or nothing, expectation and key) to a new aggregate, against
// jetstreamext.PublishMsgBatch of 500 messages of the same bytes. One op =
// one batch; the rates count events.
func BenchmarkAppendBatch(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), false)
	ctx := benchraw.Ctx(b)
	pending := make([]events.Pending, benchBatch)
	for i := range pending {
		pending[i] = benchPending()
	}
	data := benchData(b, sheetAgg("B", 0))
	raw := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := env.PublishBatch(ctx, benchraw.Subject(sheetAgg("B", i)), data, benchBatch); err != nil {
				b.Fatal(err)
			}
		}
	}
	ours := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if _, err := env.Log.Append(ctx, eventlog.AppendRequest{
				Aggregate: sheetAgg("B", i), Key: uuid.NewString(), Events: pending,
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
	benchraw.Report(b, "events/s", b.N, b.N*benchBatch, rawD, oursD)
}

// BenchmarkReplay: a decoding replay of the whole log (eventlog.Follow from
// 0, not live, into a no-op fold) against a raw drain of the same stream by
// an ordered consumer that only counts messages. One op = one full pass.
//
// The stream is filled once, through Log.Append in atomic batches of 1000
// events on many aggregates, on a server started with FastSync: reads do not
// depend on how writes were synced, and filling 1M events with a sync per
// batch would only cost time. The sub-benchmark repeats with -count.
func BenchmarkReplay(b *testing.B) {
	n := benchraw.Events(b, testing.Short())
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	start := time.Now()
	fillLog(b, ctx, env.Log, n)
	b.Logf("filled %d events in %v", n, time.Since(start).Round(time.Millisecond))

	b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
		raw := func(lo, hi int) {
			for range hi - lo {
				if got := benchraw.Drain(b, ctx, env.Raw); got != n {
					b.Fatalf("raw drain read %d messages, want %d", got, n)
				}
			}
		}
		ours := func(lo, hi int) {
			for range hi - lo {
				got := 0
				err := eventlog.Follow(ctx, env.Log, 0, false, func(events.Record) error {
					got++
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				if got != n {
					b.Fatalf("replay folded %d records, want %d", got, n)
				}
			}
		}
		rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
		benchraw.Report(b, "events/s", b.N, b.N*n, rawD, oursD)
	})
}

// fillLog appends n events in batches of up to 1000, each batch a new
// aggregate, from two writers.
func fillLog(b *testing.B, ctx context.Context, l eventlog.Log, n int) {
	const batch = eventlog.MaxBatch
	batches := (n + batch - 1) / batch
	var next atomic.Int64
	var wg sync.WaitGroup
	var fe benchraw.FirstErr
	for range 2 {
		wg.Go(func() {
			pending := make([]events.Pending, batch)
			for i := range pending {
				pending[i] = benchPending()
			}
			for {
				k := int(next.Add(1)) - 1
				if k >= batches || fe.Err() != nil {
					return
				}
				size := min(batch, n-k*batch)
				_, err := l.Append(ctx, eventlog.AppendRequest{
					Aggregate: sheetAgg("R", k), Key: uuid.NewString(), Events: pending[:size],
				})
				fe.Set(err)
			}
		})
	}
	wg.Wait()
	if err := fe.Err(); err != nil {
		b.Fatal(err)
	}
}
