package projections_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
)

// seen records the positions a view was given.
type seen struct {
	mu  sync.Mutex
	pos []uint64
}

func (s *seen) Apply(r events.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pos = append(s.pos, r.Position)
}

// TestRunnerCatchesUp: every record reaches the views once, in log order,
// and CatchUp returns only once the views hold what the log held.
func TestRunnerCatchesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	appendOne := func(i int) {
		t.Helper()
		_, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: events.StudentOf("HE10000" + string(rune('0'+i))),
			Events: []events.Pending{{Event: events.StudentRegistered{Matricule: "HE1", FirstName: "A", LastName: "B", Email: "a@b.be"}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		appendOne(i)
	}
	v := &seen{}
	r := projections.NewRunner(l, v)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 6; i++ {
		appendOne(i)
	}
	if err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	got := append([]uint64(nil), v.pos...)
	v.mu.Unlock()
	if len(got) != 6 {
		t.Fatalf("views got positions %v, want 6 records", got)
	}
	for i, p := range got {
		if p != uint64(i+1) {
			t.Fatalf("views got positions %v, want 1..6 in order", got)
		}
	}
	// A wait beyond the log ends with the context, naming both positions.
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if err := r.WaitFor(short, 99); err == nil {
		t.Fatal("waiting for a position the log never reaches returned nil")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Run returned nil after its context ended")
	}
	if err := r.WaitFor(context.Background(), 99); err == nil {
		t.Fatal("WaitFor on a stopped runner returned nil")
	}
}
