package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
)

// TestWriteSettlesByOffer: a command's records reach the registry as soon
// as they are appended, offered to its views, without waiting for the
// log's feed to hand them back (held here): each registration returns at
// once, well before the views would count as stalled, and the next command
// already finds the student. The feed, released, skips them and brings
// another process's record: the live registry equals a rebuild from the
// log.
func TestWriteSettlesByOffer(t *testing.T) {
	ctx := t.Context()
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	feed := &logtest.Held{Log: l}
	hs := handlers.New(feed)
	const stallAfter = 5 * time.Second
	hs.Views.StallAfter = stallAfter
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Views.Run(runCtx) }()
	defer func() { feed.Release(); cancel(); <-done }()

	register := func(i int) {
		t.Helper()
		mat := fmt.Sprintf("HE%06d", i)
		t0 := time.Now()
		if _, err := hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: mat, FirstName: "P", LastName: "N",
			Email: fmt.Sprintf("he%06d@student.helmo.be", i)}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(t0); took > stallAfter/2 {
			t.Errorf("registration %d took %s", i, took)
		}
		if _, ok := hs.Cohort.Registration(mat); !ok {
			t.Errorf("%s: not in the registry once registered", mat)
		}
		if m, ok := hs.Cohort.StudentByEmail(fmt.Sprintf("HE%06d@STUDENT.HELMO.BE", i)); !ok || m != mat {
			t.Errorf("StudentByEmail of %s: %q, %v", mat, m, ok)
		}
	}
	register(1)
	feed.Hold()
	for i := 2; i <= 4; i++ {
		register(i)
	}
	// The same email again is refused from the registry the offers fed.
	if _, err := hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: "HE000099", FirstName: "P", LastName: "N",
		Email: "he000003@student.helmo.be"}); err == nil {
		t.Error("a second student with the email of HE000003 was registered")
	}
	last, err := l.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lag := hs.Views.Lag(); lag.Views != last || lag.Behind != 0 || lag.Stalled {
		t.Errorf("feed held, every record offered: %+v, log at %d", lag, last)
	}
	feed.Release()
	// Another process's record, which only the feed brings: once it is
	// applied, the feed has handed over (and skipped) every record before.
	other, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: events.StudentOf("HE000100"), Events: []events.Pending{
		{Event: events.StudentRegistered{Matricule: "HE000100", FirstName: "P", LastName: "N", Email: "he000100@student.helmo.be"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.Views.WaitFor(ctx, other.Records[0].Position); err != nil {
		t.Fatal(err)
	}
	fresh := projections.NewCohort()
	if err := fresh.Replay(ctx, l, 0, nil); err != nil {
		t.Fatal(err)
	}
	want, _ := fresh.Snapshot()
	got, _ := hs.Cohort.Snapshot()
	if !bytes.Equal(got, want) {
		t.Fatalf("the live registry differs from a rebuild:\n got %s\nwant %s", got, want)
	}
}
