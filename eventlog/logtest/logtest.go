// Package logtest is the acceptance suite every eventlog.Log implementation
// must pass: order, concurrency without lost updates, idempotent retries,
// atomic batches, as-of reads, resumable scans and tamper evidence.
package logtest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Clock is a controllable time source for as-of tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Opener returns a fresh, empty log whose records are stamped by now.
type Opener func(t *testing.T, now func() time.Time) eventlog.Log

// Run runs the whole suite against logs made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Order", func(t *testing.T) { testOrder(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("ConflictNamesCurrentVersion", func(t *testing.T) { testConflict(t, open) })
	t.Run("IdempotentRetry", func(t *testing.T) { testIdempotent(t, open) })
	t.Run("AtomicBatch", func(t *testing.T) { testAtomicBatch(t, open) })
	t.Run("AsOf", func(t *testing.T) { testAsOf(t, open) })
	t.Run("ResumeFromCheckpoint", func(t *testing.T) { testResume(t, open) })
	t.Run("LiveFollow", func(t *testing.T) { testLive(t, open) })
	t.Run("TamperDetected", func(t *testing.T) { testTamper(t, open) })
	t.Run("Boundary", func(t *testing.T) { testBoundary(t, open) })
}

var actor = events.Actor{ID: "logtest", Roles: []string{"system"}}

// mark is a small event carrying a number, used as a counter.
func mark(n int) events.Pending {
	return events.Pending{Event: events.MarkRecorded{Student: "S" + strconv.Itoa(n), Entry: events.Entry{Mark: strconv.Itoa(n)}}, Actor: actor}
}

func marks(from, n int) []events.Pending {
	out := make([]events.Pending, n)
	for i := range out {
		out[i] = mark(from + i)
	}
	return out
}

func valueOf(t *testing.T, r events.Record) int {
	t.Helper()
	m, ok := r.Event.(events.MarkRecorded)
	if !ok {
		t.Fatalf("record %d: got %T, want events.MarkRecorded", r.Position, r.Event)
	}
	n, err := strconv.Atoi(m.Entry.Mark)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func appendOK(t *testing.T, l eventlog.Log, req eventlog.AppendRequest) eventlog.Appended {
	t.Helper()
	got, err := l.Append(ctxT(t), req)
	if err != nil {
		t.Fatalf("Append(%s, head %d): %v", req.Aggregate, req.Head.Version, err)
	}
	return got
}

func load(t *testing.T, l eventlog.Log, a events.AggregateID, u eventlog.Until) eventlog.History {
	t.Helper()
	h, err := l.Load(ctxT(t), a, u)
	if err != nil {
		t.Fatalf("Load(%s): %v", a, err)
	}
	return h
}

func scanAll(t *testing.T, l eventlog.Log, after uint64) []events.Record {
	t.Helper()
	var out []events.Record
	err := eventlog.Follow(ctxT(t), l, after, false, func(r events.Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Follow(after %d): %v", after, err)
	}
	return out
}

func sheet(i int) events.AggregateID {
	return events.SheetOf("2025-2026", "Q1", fmt.Sprintf("1/%d", i))
}
