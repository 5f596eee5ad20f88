package logtest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// testConcurrency has many writers increment one counter aggregate: each
// loads, decides value = last+1 and appends on that head, retrying on
// conflict. No lost update means the values are exactly 1..N in order.
func testConcurrency(t *testing.T, open Opener) {
	l := open(t, nil)
	a := events.StudentOf("COUNTER")
	const writers, each = 8, 15
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < each; {
				h, err := l.Load(ctxT(t), a, eventlog.Until{})
				if err != nil {
					errs <- err
					return
				}
				next := len(h.Records) + 1
				_, err = l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: h.Head, Events: marks(next, 1)})
				var ce *eventlog.ConflictError
				switch {
				case errors.As(err, &ce):
					conflicts.Add(1)
				case err != nil:
					errs <- err
					return
				default:
					done++
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	h := load(t, l, a, eventlog.Until{})
	if len(h.Records) != writers*each {
		t.Fatalf("%d records, want %d", len(h.Records), writers*each)
	}
	for i, r := range h.Records {
		if v := valueOf(t, r); v != i+1 {
			t.Fatalf("record %d carries %d: two writers won on the same state", i+1, v)
		}
	}
	if err := events.VerifyChain(h.Records); err != nil {
		t.Fatal(err)
	}
	if conflicts.Load() == 0 {
		t.Fatalf("no conflict in %d concurrent appends: the expectation is not checked", writers*each)
	}
	t.Logf("%d appends by %d writers, %d conflicts", writers*each, writers, conflicts.Load())
}

func testConflict(t *testing.T, open Opener) {
	l := open(t, nil)
	a := sheet(1)
	first := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Events: marks(1, 1)})
	second := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: first.Head(), Events: marks(2, 1)})
	before, _ := l.LastPosition(ctxT(t))
	_, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: first.Head(), Events: marks(3, 1)})
	var ce *eventlog.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("stale append: got %v, want a *ConflictError", err)
	}
	if ce.Current != second.Head().Version || ce.Expected != first.Head().Version {
		t.Fatalf("conflict = %+v, want expected %d current %d", ce, first.Head().Version, second.Head().Version)
	}
	// A new aggregate expected but one exists.
	if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Events: marks(4, 1)}); !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("append expecting a new aggregate: got %v, want conflict", err)
	}
	if after, _ := l.LastPosition(ctxT(t)); after != before {
		t.Fatalf("refused appends wrote: last position %d -> %d", before, after)
	}
}
