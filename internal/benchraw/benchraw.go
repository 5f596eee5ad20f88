// Package benchraw measures gradelog against raw JetStream in the same
// benchmark run, on the same embedded server, with the same durability:
// machines are shared and noisy, so a rate means little on its own and the
// ratio to what JetStream itself does in the same run is what is compared.
//
// An Env is one embedded server holding our log (stream "GRADELOG",
// subjects gl.>) and a raw stream ("RAW", subjects raw.>) created with the
// very same append-only configuration, each side on its own connection.
// Measure times the two sides in alternating rounds, so that drift (page
// cache, stream growth, other processes) spreads over both; Report reports
//
//	x-raw         our rate divided by the raw rate (1 = as fast as raw)
//	<unit>        our rate, e.g. events/s or marks/s
//	raw-<unit>    the raw rate
//	ns/op         our time per operation (overrides the default, which
//	              would count both sides)
//
// The same code measures for `go test -bench` and for `gradelog bench`:
// it asks its caller for TB and B, which *testing.T and *testing.B
// satisfy, and so does Run, the harness that runs it outside a test.
package benchraw

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natsembed"
)

const (
	// Stream and Prefix name the raw stream and its subjects.
	Stream = "RAW"
	Prefix = "raw"
	// Rounds is how many times Measure alternates the two sides.
	Rounds = 4
)

// TB is what the measuring code needs of its caller: *testing.T and
// *testing.B have it, and so does Run. Fatal and Fatalf are called only
// from the goroutine running the test or workload; concurrent workers
// report errors through FirstErr instead.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	Failed() bool
}

// B is a TB that times and reports: *testing.B, or a Run.
type B interface {
	TB
	ResetTimer()
	StartTimer()
	StopTimer()
	FailNow()
	ReportMetric(n float64, unit string)
}

// Env is one embedded server with our log and a raw stream side by side.
type Env struct {
	Server *server.Server
	Log    *eventlog.JetStream
	Raw    jetstream.JetStream // the raw side, on its own connection
}

// New starts a server on dir (fast skips the fsync per write; the default,
// like production, syncs every write before acknowledging it) and opens
// both streams on it.
func New(tb TB, dir string, fast bool) *Env {
	tb.Helper()
	return NewWith(tb, dir, fast, eventlog.JetStreamConfig{})
}

// NewWith is New with our log opened with cfg (its clock, say); the raw
// stream takes cfg's stream settings under its own name and prefix.
func NewWith(tb TB, dir string, fast bool, cfg eventlog.JetStreamConfig) *Env {
	tb.Helper()
	s, err := natsembed.Start(natsembed.Options{Dir: dir, FastSync: fast})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Shutdown)
	conn := func(name string) *nats.Conn {
		nc, err := natsembed.Connect(s, name)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(nc.Close)
		return nc
	}
	ctx := Ctx(tb)
	l, err := eventlog.OpenJetStream(ctx, conn("benchraw-ours"), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	rawNC := conn("benchraw-raw")
	// The raw stream: same configuration (file, R1, dedup window, atomic
	// publish, append-only), created the same way.
	rawCfg := cfg
	rawCfg.Stream, rawCfg.Prefix, rawCfg.Now = Stream, Prefix, nil
	if _, err := eventlog.OpenJetStream(ctx, rawNC, rawCfg); err != nil {
		tb.Fatal(err)
	}
	js, err := jetstream.New(rawNC)
	if err != nil {
		tb.Fatal(err)
	}
	return &Env{Server: s, Log: l, Raw: js}
}

// Ctx is a context cancelled when the test or benchmark ends.
func Ctx(tb TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return ctx
}

// Subject is the raw subject standing for aggregate a.
func Subject(a events.AggregateID) string { return Prefix + "." + string(a) }

// Envelope is the bytes the raw side publishes for p: its encoding as the
// next event of an existing aggregate a, with an idempotency key and a
// previous hash, the same size as what our log stores for it.
func Envelope(tb TB, a events.AggregateID, p events.Pending) []byte {
	tb.Helper()
	prev := events.HashOf([]byte("previous record"))
	r, err := events.Encode(a, p, time.Now(), uuid.NewString(), prev)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Data
}

// Publish publishes data to subject on the raw stream, waiting for the
// acknowledgement, without headers.
func (e *Env) Publish(ctx context.Context, subject string, data []byte) error {
	_, err := e.Raw.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data})
	return err
}

// PublishBatch publishes n messages of data to subject on the raw stream
// as one atomic batch (jetstreamext.PublishMsgBatch): the log's own ceiling
// for an all-or-nothing append.
func (e *Env) PublishBatch(ctx context.Context, subject string, data []byte, n int) error {
	msgs := make([]*nats.Msg, n)
	for j := range msgs {
		msgs[j] = &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}} // PublishMsgBatch panics on a nil Header
	}
	_, err := jetstreamext.PublishMsgBatch(ctx, e.Raw, msgs)
	return err
}

// Measure runs n operations of each side, split in rounds that alternate
// which side goes first, and returns the time each side took. raw and ours
// run operations [lo, hi). It resets the benchmark timer before the first
// round and stops it after the last: prepare everything before calling it.
func Measure(b B, n int, raw, ours func(lo, hi int)) (rawD, oursD time.Duration) {
	b.Helper()
	rounds := min(n, Rounds)
	b.ResetTimer()
	for r := range rounds {
		lo, hi := n*r/rounds, n*(r+1)/rounds
		timed := func(f func(lo, hi int), d *time.Duration) {
			t := time.Now()
			f(lo, hi)
			*d += time.Since(t)
		}
		if r%2 == 0 {
			timed(raw, &rawD)
			timed(ours, &oursD)
		} else {
			timed(ours, &oursD)
			timed(raw, &rawD)
		}
		if b.Failed() {
			b.FailNow()
		}
	}
	b.StopTimer()
	return rawD, oursD
}

// MeasureEach is Measure for operations that each need their own setup
// (a fresh gradelog, say): for every operation i, prepare(i) runs untimed,
// then raw(i) and ours(i) run timed, alternating which goes first, then the
// function prepare returned (if not nil) runs untimed, to release what
// operation i held.
func MeasureEach(b B, n int, prepare func(i int) (release func()), raw, ours func(i int)) (rawD, oursD time.Duration) {
	b.Helper()
	b.ResetTimer()
	b.StopTimer()
	timed := func(f func(i int), i int, d *time.Duration) {
		t := time.Now()
		f(i)
		*d += time.Since(t)
	}
	for i := range n {
		release := prepare(i)
		b.StartTimer()
		if i%2 == 0 {
			timed(raw, i, &rawD)
			timed(ours, i, &oursD)
		} else {
			timed(ours, i, &oursD)
			timed(raw, i, &rawD)
		}
		b.StopTimer()
		if release != nil {
			release()
		}
		if b.Failed() {
			b.FailNow()
		}
	}
	return rawD, oursD
}

// Report reports the rates of both sides over evs units (events, marks)
// done in ops operations: x-raw, unit ("events/s"), "raw-"+unit and ns/op.
func Report(b B, unit string, ops, evs int, rawD, oursD time.Duration) {
	ours := float64(evs) / oursD.Seconds()
	raw := float64(evs) / rawD.Seconds()
	b.ReportMetric(ours/raw, "x-raw")
	b.ReportMetric(ours, unit)
	b.ReportMetric(raw, "raw-"+unit)
	b.ReportMetric(float64(oursD.Nanoseconds())/float64(ops), "ns/op")
}

// FirstErr keeps the first error of concurrent workers; it is safe for
// concurrent use.
type FirstErr struct {
	mu  sync.Mutex
	err error
}

// Set keeps err if it is the first non-nil one.
func (f *FirstErr) Set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

// Err is the first error set so far.
func (f *FirstErr) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// FanOut runs operations [lo, hi) on `workers` goroutines: worker w does
// the operations i with i%workers == w, in order, each by calling op(w). It
// returns the first error; a worker stops at its own first error.
func FanOut(workers, lo, hi int, op func(w int) error) error {
	var wg sync.WaitGroup
	var fe FirstErr
	for w := range workers {
		// the operations below x that fall to worker w
		below := func(x int) int { return (x - w + workers - 1) / workers }
		k := below(hi) - below(lo)
		wg.Go(func() {
			for range k {
				if err := op(w); err != nil {
					fe.Set(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return fe.Err()
}

// Drain reads our whole stream ("GRADELOG") with an ordered consumer that
// only counts the messages, on the raw side's connection: the ceiling of a
// replay.
func Drain(tb TB, ctx context.Context, js jetstream.JetStream) int {
	tb.Helper()
	s, err := js.Stream(ctx, "GRADELOG")
	if err != nil {
		tb.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	total := int(info.State.Msgs)
	cons, err := js.OrderedConsumer(ctx, "GRADELOG", jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		tb.Fatal(err)
	}
	it, err := cons.Messages()
	if err != nil {
		tb.Fatal(err)
	}
	defer it.Stop()
	got := 0
	for got < total {
		if _, err := it.Next(jetstream.NextContext(ctx)); err != nil {
			tb.Fatal(err)
		}
		got++
	}
	return got
}

// Events is the size of the log a replay or rebuild benchmark fills:
// GRADELOG_BENCH_EVENTS, else 1,000,000 (100,000 when short: pass
// testing.Short()).
func Events(tb TB, short bool) int {
	if v := os.Getenv("GRADELOG_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
		if err != nil || n < 1 {
			tb.Fatalf("GRADELOG_BENCH_EVENTS=%q: want a positive number", v)
		}
		return n
	}
	if short {
		return 100_000
	}
	return 1_000_000
}

// Gets fetches the records at positions of stream s with direct gets, 16
// in flight, as eventlog.ReadAt does, without decoding: the raw ceiling of
// a reconstruction that reads them.
func Gets(tb TB, ctx context.Context, s jetstream.Stream, positions []uint64) {
	next := make(chan uint64)
	var wg sync.WaitGroup
	var fe FirstErr
	for range 16 {
		wg.Go(func() {
			for p := range next {
				_, err := s.GetMsg(ctx, p)
				fe.Set(err)
			}
		})
	}
	for _, p := range positions {
		next <- p
	}
	close(next)
	wg.Wait()
	if err := fe.Err(); err != nil {
		tb.Fatal(err)
	}
}
