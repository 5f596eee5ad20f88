package eventlog_test

import (
	"context"
	"fmt"
	"os"
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
	verifyEvents     = 200_000 // records of the verified log (GRADELOG_BENCH_EVENTS overrides)
	verifyAggregates = 2_000   // sheet aggregates they are spread over
	verifyRounds     = 2       // appends per aggregate: its chain runs through the whole log
)

// BenchmarkVerify: verification of the whole log (eventlog.Verify with no
// filter: every stored record's hash recomputed from its bytes and linked
// to its aggregate's previous one, plus the store's configuration check)
// against an ordered consumer draining the same stream and only counting
// (benchraw.Drain, the raw line of a replay). One op = one full pass; the
// rates count records.
//
// The log holds 200,000 records (GRADELOG_BENCH_EVENTS when set) on 2,000
// sheet aggregates, each appended to in 2 rounds of 50 (one atomic batch
// per aggregate and round), so that every chain runs through the whole
// log, interleaved with all the others. It is filled once per process
// through Log.Append (expectations, keys) on a server started with
// FastSync: reading does not depend on how writes were synced. Filling
// takes about 13 s on 2 cores: a multi-event append costs a few ms
// whatever its size, so more rounds of smaller batches fill slower (4
// rounds: 23 s). The sub-benchmark repeats with -count.
func BenchmarkVerify(b *testing.B) {
	n := verifyEvents
	if os.Getenv("GRADELOG_BENCH_EVENTS") != "" {
		n = benchraw.Events(b, testing.Short())
	}
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	start := time.Now()
	aggs := fillChains(b, ctx, env.Log, n)
	last, err := env.Log.LastPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if last != uint64(n) {
		b.Fatalf("the log holds %d records, want %d", last, n)
	}
	b.Logf("filled %d events on %d aggregates in %v", n, aggs, time.Since(start).Round(time.Millisecond))

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
				rep, err := eventlog.Verify(ctx, env.Log, nil)
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() || rep.Checked != n || len(rep.Heads) != aggs {
					b.Fatalf("verify: ok %v (%d breaks, config %v), %d records checked, %d chains; want ok, %d records, %d chains",
						rep.OK(), len(rep.Breaks), rep.Config, rep.Checked, len(rep.Heads), n, aggs)
				}
			}
		}
		rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
		benchraw.Report(b, "events/s", b.N, b.N*n, rawD, oursD)
		b.ReportMetric(float64(oursD.Microseconds())/1000/float64(b.N), "ms/op")
		b.ReportMetric(float64(rawD.Microseconds())/1000/float64(b.N), "raw-ms/op")
	})
}

// fillChains appends n events over min(2000, n) sheet aggregates in
// verifyRounds rounds: in each round every aggregate gets its next atomic
// batch (about n/aggregates/rounds events), on its head from the previous
// round. Two writers share each round. It returns how many aggregates it
// wrote.
func fillChains(b *testing.B, ctx context.Context, l eventlog.Log, n int) int {
	aggs := min(verifyAggregates, n)
	heads := make([]events.Head, aggs)
	// size is how many events aggregate a gets in round r: n spread as
	// evenly as the counts allow.
	size := func(a, r int) int {
		k := r*aggs + a
		return n*(k+1)/(aggs*verifyRounds) - n*k/(aggs*verifyRounds)
	}
	if size(0, 0) > eventlog.MaxBatch {
		b.Fatalf("%d events over %d aggregates in %d rounds exceed a batch of %d", n, aggs, verifyRounds, eventlog.MaxBatch)
	}
	for r := range verifyRounds {
		var next atomic.Int64
		var wg sync.WaitGroup
		var fe benchraw.FirstErr
		for range 2 {
			wg.Go(func() {
				pending := make([]events.Pending, eventlog.MaxBatch)
				for i := range pending {
					pending[i] = benchPending()
				}
				for {
					a := int(next.Add(1)) - 1
					if a >= aggs || fe.Err() != nil {
						return
					}
					k := size(a, r)
					if k == 0 {
						continue
					}
					got, err := l.Append(ctx, eventlog.AppendRequest{
						Aggregate: sheetAgg("V", a), Head: heads[a], Key: uuid.NewString(), Events: pending[:k],
					})
					if err != nil {
						fe.Set(err)
						return
					}
					heads[a] = got.Head()
				}
			})
		}
		wg.Wait()
		if err := fe.Err(); err != nil {
			b.Fatal(err)
		}
	}
	written := 0
	for _, h := range heads {
		if h != (events.Head{}) {
			written++
		}
	}
	return written
}
