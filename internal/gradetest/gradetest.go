// Package gradetest starts gradelog for tests and benchmarks: a real
// embedded NATS server, the event log, the handlers with their registry
// running, the shipped catalog and ruleset published, and a settable clock.
package gradetest

import (
	"context"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

// Year is the academic year of the shipped documents.
const Year = "2025-2026"

// Env is a running gradelog without HTTP.
type Env struct {
	Log      *eventlog.JetStream
	Handlers *handlers.Handlers
	Clock    *clock.Clock
	Catalog  *catalog.Catalog
	Ruleset  *rules.Ruleset
}

// Shipped loads the shipped catalog and ruleset.
func Shipped(tb testing.TB) (*catalog.Catalog, *rules.Ruleset) {
	tb.Helper()
	name, data := seeds.Catalog()
	cat, findings, err := catalog.Load(name, data)
	if err != nil {
		tb.Fatalf("shipped catalog: %v\n%v", err, findings)
	}
	name, data = seeds.Ruleset()
	rs, findings, err := rules.Load(name, data, cat)
	if err != nil {
		tb.Fatalf("shipped ruleset: %v\n%v", err, findings)
	}
	return cat, rs
}

// Start runs gradelog on a fresh embedded server (fast sync when fast) with
// the shipped documents published; the clock starts on 2026-01-12, in the
// Q1 exams.
func Start(tb testing.TB, fast bool) *Env {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(tb, natstest.ServerIn(tb, tb.TempDir(), fast)), eventlog.JetStreamConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	cat, rs := Shipped(tb)
	c := &clock.Clock{}
	c.Set(time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC))
	hs := run(tb, ctx, handlers.New(l), c)
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		tb.Fatal(err)
	}
	return &Env{Log: l, Handlers: hs, Clock: c, Catalog: cat, Ruleset: rs}
}

// run sets hs's clock and runs its views until the test ends.
func run(tb testing.TB, ctx context.Context, hs *handlers.Handlers, clock *clock.Clock) *handlers.Handlers {
	hs.Now = clock.Now
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Views.Run(ctx)
	}()
	tb.Cleanup(func() { cancel(); <-done })
	return hs
}

// Replica is a second gradelog on the same log, as a second server of a
// cluster is: its views hold what the log holds now, then apply each new
// record lag after the log delivers it. A reader of the replica that does
// not wait for its own writes, made through the first, sees a stale state.
func (e *Env) Replica(tb testing.TB, lag time.Duration) *handlers.Handlers {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	from, err := e.Log.LastPosition(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	hs := handlers.New(e.Log)
	hs.Views = projections.NewRunner(lagging{e.Log, lag, from}, hs.Cohort)
	run(tb, ctx, hs, e.Clock)
	if err := hs.Views.WaitFor(ctx, from); err != nil {
		tb.Fatal(err)
	}
	return hs
}

// lagging is a log whose scans hand over each record after position
// `from` lag late.
type lagging struct {
	eventlog.Log
	lag  time.Duration
	from uint64
}

func (l lagging) Scan(ctx context.Context, after uint64, live bool, fn func(eventlog.Stored) error) error {
	return l.Log.Scan(ctx, after, live, func(s eventlog.Stored) error {
		if s.Position <= l.from {
			return fn(s)
		}
		select {
		case <-time.After(l.lag):
		case <-ctx.Done():
			return ctx.Err()
		}
		return fn(s)
	})
}
