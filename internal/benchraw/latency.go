package benchraw

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// MeasureLatency runs n operations of each side from `clients` goroutines
// at once (a closed loop: each client sends its next operation when the
// last has answered), in Rounds rounds alternating which side goes first,
// and returns every operation's latency. Each client gets its own random
// source, the same on both sides. The first error stops with b.Fatal.
func MeasureLatency(b TB, clients, n int, raw, ours func(*rand.Rand) error) (rawLat, ourLat []time.Duration) {
	b.Helper()
	per := max(1, n/Rounds)
	for round := range Rounds {
		first, second := raw, ours
		if round%2 == 1 {
			first, second = ours, raw
		}
		a := latencies(b, clients, per, round, first)
		c := latencies(b, clients, per, round, second)
		if round%2 == 1 {
			a, c = c, a
		}
		rawLat, ourLat = append(rawLat, a...), append(ourLat, c...)
	}
	return rawLat, ourLat
}

func latencies(b TB, clients, n, round int, op func(*rand.Rand) error) []time.Duration {
	out := make([]time.Duration, n)
	var wg sync.WaitGroup
	var fe FirstErr
	for w := range clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(round)))
			for i := w; i < n; i += clients {
				t := time.Now()
				fe.Set(op(r))
				out[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	if err := fe.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// Percentiles returns the median and the 99th percentile of d.
func Percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*99/100]
}

// ReportLatency reports the median and 99th percentile of both sides, in
// ms (p50-ms, p99-ms, raw-p50-ms, raw-p99-ms), and p99-x-raw: the raw p99
// over ours (1 = as fast as raw).
func ReportLatency(b B, rawLat, ourLat []time.Duration) {
	p50, p99 := Percentiles(ourLat)
	r50, r99 := Percentiles(rawLat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(ms(r50), "raw-p50-ms")
	b.ReportMetric(ms(r99), "raw-p99-ms")
	b.ReportMetric(float64(r99)/float64(p99), "p99-x-raw")
}
