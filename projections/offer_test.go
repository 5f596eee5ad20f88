package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
)

// positions returns a copy of what v was given.
func (s *seen) positions() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pos)
}

// inOrder fails unless got is exactly 1..last, each once, in order.
func inOrder(t *testing.T, what string, got []uint64, last uint64) {
	t.Helper()
	if uint64(len(got)) != last {
		t.Fatalf("%s: %d records applied, want %d (1..%d): %v", what, len(got), last, last, got)
	}
	for i, p := range got {
		if p != uint64(i+1) {
			t.Fatalf("%s: record %d applied at place %d: not 1..%d once each in order: %v", what, p, i+1, last, got)
		}
	}
}

// TestRunnerOffer: records a writer offers are applied at once when they
// come next in log order, even while the log's feed hands nothing over
// (held); the feed then skips them. A record that is not next is kept
// aside and counts as behind until the record before it is applied: by a
// later offer (concurrent writers whose offers cross) or by the feed
// (another writer's record). Records offered again are skipped; a stopped
// runner takes no offer, nor does a runner for records appended to another
// log than the one it follows.
func TestRunnerOffer(t *testing.T) {
	ctx := t.Context()
	runCtx, cancel := context.WithCancel(ctx)
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	slow := &logtest.Held{Log: l}
	view := &seen{}
	v := projections.NewRunner(slow, view)
	v.StallAfter = 10 * time.Second
	done := make(chan struct{})
	go func() { defer close(done); _ = v.Run(runCtx) }()
	defer func() { slow.Release(); cancel(); <-done }()

	n := 0
	appendOne := func() eventlog.Appended {
		t.Helper()
		n++
		mat := fmt.Sprintf("HE8%05d", n)
		got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: events.StudentOf(mat),
			Events: []events.Pending{{Event: events.StudentRegistered{Matricule: mat, FirstName: "A", LastName: "B", Email: mat + "@b.be"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	appendOne()
	appendOne()
	if err := v.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	slow.Hold() // the feed hands nothing over from now on
	one := appendOne()
	// Records are offered as appended to the log the runner follows (slow,
	// which only holds its feed back).
	if v.Offer(l, one.Records) || v.Position() != 2 {
		t.Fatal("a runner took an offer of records appended to another log than the one it follows")
	}
	if !v.Offer(slow, one.Records) {
		t.Fatal("Offer of the next record: not applied")
	}
	if l := v.Lag(); l.Views != 3 || l.Behind != 0 || l.Stalled {
		t.Fatalf("after an offer of record 3: %+v", l)
	}
	// One append of several records: applied in order.
	batch, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: events.SheetOf(gradetest.Year, "Q1", "1/4"), Events: []events.Pending{
		{Event: events.MarkRecorded{Student: "HE800001", Entry: events.Entry{Mark: "12"}}},
		{Event: events.MarkRecorded{Student: "HE800002", Entry: events.Entry{Mark: "13"}}},
		{Event: events.MarkRecorded{Student: "HE800003", Entry: events.Entry{Mark: "14"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Offer(slow, batch.Records) || v.Position() != 6 {
		t.Fatalf("Offer of records 4 to 6: views at %d", v.Position())
	}
	if !v.Offer(slow, one.Records) {
		t.Fatal("Offer of a record applied already: not held")
	}
	// Two appends offered in reverse order (concurrent writers): the
	// second is kept aside until the first comes, then applied with it.
	first, second := appendOne(), appendOne() // 7, 8
	if v.Offer(slow, second.Records) || v.Position() != 6 {
		t.Fatalf("Offer of record 8 before 7: views at %d", v.Position())
	}
	if !v.Offer(slow, first.Records) || v.Position() != 8 {
		t.Fatalf("Offer of record 7 after 8: views at %d", v.Position())
	}
	// Another writer's record (9), never offered, then ours (10): kept
	// aside until the feed brings 9.
	appendOne()
	ours := appendOne()
	if v.Offer(slow, ours.Records) {
		t.Fatal("Offer of record 10 while 9 is not applied: applied")
	}
	if l := v.Lag(); l.Views != 8 || l.Log != 10 || l.Behind != 2 || l.BehindSince.IsZero() {
		t.Fatalf("after an offer that is not next: %+v", l)
	}
	// A record without its stored bytes is left to the feed.
	eleven := appendOne()
	eleven.Records[0].Data = nil
	slow.Release()
	if err := v.Settle(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if v.Offer(slow, eleven.Records) && v.Position() < 11 {
		t.Fatal("Offer of a record without its bytes: reported held")
	}
	if err := v.WaitFor(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if l := v.Lag(); l.Views != 11 || l.Behind != 0 || l.Stalled || !l.BehindSince.IsZero() {
		t.Fatalf("after the feed caught up: %+v", l)
	}
	// The feed handed 3 to 8 and 10 over too: skipped.
	inOrder(t, "views", view.positions(), 11)

	// Stopped, the runner takes no offer.
	cancel()
	<-done
	if v.Err() == nil {
		t.Fatal("the runner runs on")
	}
	twelve := appendOne()
	if v.Offer(slow, twelve.Records) || v.Position() != 11 {
		t.Fatalf("a stopped runner took an offer: views at %d", v.Position())
	}
}

// TestConcurrentOffers: two gradelog processes on one log run random
// commands at once, several at a time each (drivers of the property test),
// so that each process's writes are offered to its views, at once when
// they come next and otherwise left to the log's feed, while the other
// process's records come only through the feed, in between. Every record
// reaches each process's views exactly once, in log order, and the live
// views of both equal a full rebuild from the log, byte for byte. Run it
// with -race.
func TestConcurrentOffers(t *testing.T) {
	ctx := t.Context()
	env := gradetest.Start(t, true)
	// The second process: its own handlers and views, with a view that
	// records every position it is given.
	tap := &seen{}
	second := handlers.New(env.Log)
	second.Now = env.Clock.Now
	second.Views = projections.NewRunner(env.Log, second.Cohort, tap)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = second.Views.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	if err := second.Views.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	other := *env
	other.Handlers = second

	steps := 60
	if testing.Short() {
		steps = 30
	}
	var wg sync.WaitGroup
	accepted := make([]int, 6)
	for i := range 6 {
		e := env
		if i%2 == 1 {
			e = &other
		}
		d := newDriver(t, e, uint64(100+i))
		wg.Go(func() {
			for range steps {
				d.step()
			}
			accepted[i] = d.accepted
		})
	}
	wg.Wait()
	total := 0
	for _, n := range accepted {
		total += n
	}
	if total < len(accepted)*steps/4 {
		t.Fatalf("only %d of %d commands accepted (%v): the test tests too little", total, len(accepted)*steps, accepted)
	}

	last, err := env.Log.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := projections.NewCohort()
	if err := fresh.Replay(ctx, env.Log, last, nil); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, fresh)
	for name, hs := range map[string]*handlers.Handlers{"first": env.Handlers, "second": second} {
		if err := hs.Views.WaitFor(ctx, last); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(t, hs.Cohort); !bytes.Equal(got, want) {
			t.Fatalf("%s process: live views differ from a rebuild after %d commands:\n%s", name, total, firstDifference(got, want))
		}
		if l := hs.Views.Lag(); l.Views != last || l.Behind != 0 || l.Stalled || !l.BehindSince.IsZero() {
			t.Errorf("%s process, caught up: %+v", name, l)
		}
	}
	inOrder(t, "second process", tap.positions(), last)
	t.Logf("%d commands accepted (%v), log at %d", total, accepted, last)
}

// TestOffersCrossing: many writers append at once and offer their records,
// whose offers cross (a later record offered before an earlier one), while
// a writer that never offers appends in between and the log's feed, slowed
// down, brings everything too. Every record reaches the views exactly
// once, in log order; the cohort fed that way equals a rebuild from the
// log; and nothing counts as behind once the feed has caught up. Run it
// with -race.
func TestOffersCrossing(t *testing.T) {
	ctx := t.Context()
	runCtx, cancel := context.WithCancel(ctx)
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.ServerIn(t, t.TempDir(), true)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	slow := &logtest.Held{Log: l}
	slow.SetDelay(200 * time.Microsecond)
	view, cohort := &seen{}, projections.NewCohort()
	v := projections.NewRunner(slow, view, cohort)
	done := make(chan struct{})
	go func() { defer close(done); _ = v.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	const writers, each = 8, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken, left := 0, 0
	write := func(w int, offer bool) {
		for i := range each {
			mat := fmt.Sprintf("HE%02d%04d", w, i)
			pending := []events.Pending{{Event: events.StudentRegistered{Matricule: mat, FirstName: "A", LastName: "B", Email: mat + "@b.be"}}}
			if i%5 == 4 { // now and then several records in one append
				pending = append(pending, events.Pending{Event: events.StudentAdmitted{Programme: "MIAS", Basis: "bachelier", Complements: []string{"1/1"}}})
			}
			got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: events.StudentOf(mat), Events: pending})
			if err != nil {
				t.Error(err)
				return
			}
			if !offer {
				continue
			}
			ok := v.Offer(slow, got.Records)
			if !ok {
				if err := v.Settle(ctx, got.Records[len(got.Records)-1].Position); err != nil {
					t.Error(err)
					return
				}
			}
			mu.Lock()
			if ok {
				taken++
			} else {
				left++
			}
			mu.Unlock()
		}
	}
	for w := range writers {
		wg.Go(func() { write(w, w > 0) }) // writer 0 never offers
	}
	wg.Wait()
	last, err := l.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	inOrder(t, "views", view.positions(), last)
	fresh := projections.NewCohort()
	if err := fresh.Replay(ctx, l, last, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := snapshot(t, cohort), snapshot(t, fresh); !bytes.Equal(got, want) {
		t.Fatalf("the cohort fed by offers and the feed differs from a rebuild:\n%s", firstDifference(got, want))
	}
	if lag := v.Lag(); lag.Views != last || lag.Behind != 0 || lag.Stalled || !lag.BehindSince.IsZero() {
		t.Errorf("caught up: %+v", lag)
	}
	t.Logf("%d records; %d offers applied at once, %d not next", last, taken, left)
}
