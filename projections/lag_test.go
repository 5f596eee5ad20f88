package projections_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
)

// lagEnv is a runner over a held log (logtest.Held) on a fresh embedded server.
type lagEnv struct {
	log    eventlog.Log
	slow   *logtest.Held
	runner *projections.Runner
	n      int
}

func startLagEnv(t *testing.T, stallAfter time.Duration) *lagEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	e := &lagEnv{log: l, slow: &logtest.Held{Log: l}}
	e.runner = projections.NewRunner(e.slow, &seen{})
	e.runner.StallAfter = stallAfter
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.runner.Run(ctx)
	}()
	t.Cleanup(func() { e.slow.Release(); cancel(); <-done })
	return e
}

// add appends one record and returns its position.
func (e *lagEnv) add(t *testing.T) uint64 {
	t.Helper()
	e.n++
	mat := fmt.Sprintf("HE9%05d", e.n)
	got, err := e.log.Append(t.Context(), eventlog.AppendRequest{Aggregate: events.StudentOf(mat),
		Events: []events.Pending{{Event: events.StudentRegistered{Matricule: mat, FirstName: "A", LastName: "B", Email: "a@b.be"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return got.Records[0].Position
}

// eventually polls cond for up to 3 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("not within 3 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunnerLagStalled: with the consumer stalled, the runner learns the
// log's last position by itself (within LagRefresh) and reports the
// records behind, since when, and stalled once nothing was applied for
// StallAfter. Settle waits for a record only until the views count as
// stalled, then at once. Released, the lag returns to 0.
func TestRunnerLagStalled(t *testing.T) {
	const stallAfter = 200 * time.Millisecond
	e := startLagEnv(t, stallAfter)
	var last uint64
	for range 3 {
		last = e.add(t)
	}
	if err := e.runner.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l := e.runner.Lag(); l.Views != last || l.Log != last || l.Behind != 0 || !l.BehindSince.IsZero() || l.Stalled || l.AppliedAt.IsZero() {
		t.Fatalf("caught up: %+v", l)
	}

	e.slow.Hold()
	held := time.Now()
	for range 4 {
		last = e.add(t)
	}
	// Nobody in this process wrote or waited: the runner reads the log.
	eventually(t, "the runner learns the log's last position", func() bool { return e.runner.Lag().Log == last })
	l := e.runner.Lag()
	if l.Views != last-4 || l.Behind != 4 || l.BehindSince.Before(held) || l.LogReadAt.Before(held) {
		t.Errorf("stalled, before StallAfter: %+v", l)
	}
	eventually(t, "the views count as stalled", func() bool { return e.runner.Lag().Stalled })
	if l := e.runner.Lag(); time.Since(l.BehindSince) < stallAfter || l.Behind != 4 {
		t.Errorf("stalled: %+v", l)
	}

	// Settle on stalled views returns at once, wrapping ErrStalled, and
	// counts the write as behind.
	mine := e.add(t)
	t0 := time.Now()
	err := e.runner.Settle(t.Context(), mine)
	if took := time.Since(t0); !errors.Is(err, projections.ErrStalled) || took > 50*time.Millisecond {
		t.Errorf("Settle on stalled views: %v after %s, want ErrStalled at once", err, took)
	}
	if l := e.runner.Lag(); l.Log != mine || l.Behind != 5 {
		t.Errorf("after Settle of %d: %+v", mine, l)
	}

	// Released: Behind returns to 0.
	e.slow.Release()
	if err := e.runner.WaitFor(t.Context(), mine); err != nil {
		t.Fatal(err)
	}
	if l := e.runner.Lag(); l.Views != mine || l.Behind != 0 || !l.BehindSince.IsZero() || l.Stalled {
		t.Errorf("released: %+v", l)
	}
}

// TestRunnerSettleSlowViews: views that apply records slowly but steadily
// are not stalled, however long they take in all: Settle waits for the
// record, as long as each record comes within StallAfter. A write on
// views caught up but idle for longer than StallAfter waits too.
func TestRunnerSettleSlowViews(t *testing.T) {
	const stallAfter = 300 * time.Millisecond
	e := startLagEnv(t, stallAfter)
	first := e.add(t)
	if err := e.runner.WaitFor(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stallAfter + 100*time.Millisecond) // idle, caught up: not stalled
	if l := e.runner.Lag(); l.Stalled || l.Behind != 0 {
		t.Fatalf("idle views: %+v", l)
	}
	e.slow.SetDelay(100 * time.Millisecond)
	var last uint64
	for range 6 {
		last = e.add(t)
	}
	t0 := time.Now()
	if err := e.runner.Settle(t.Context(), last); err != nil {
		t.Fatalf("Settle on slow but moving views: %v after %s", err, time.Since(t0))
	}
	if took := time.Since(t0); took < stallAfter {
		t.Errorf("6 records applied 100 ms apart took only %s", took)
	}
	if l := e.runner.Lag(); l.Views != last || l.Behind != 0 {
		t.Errorf("settled: %+v", l)
	}
}
