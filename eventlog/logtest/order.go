package logtest

import (
	"testing"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

func testOrder(t *testing.T, open Opener) {
	l := open(t, nil)
	heads := map[events.AggregateID]events.Head{}
	// Interleave three aggregates, one and several events at a time.
	n := 0
	for round := range 10 {
		for i := 1; i <= 3; i++ {
			a := sheet(i)
			size := 1 + round%3
			got := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: heads[a], Events: marks(n, size)})
			n += size
			heads[a] = got.Head()
		}
	}
	all := scanAll(t, l, 0)
	if len(all) != n {
		t.Fatalf("scan returned %d records, want %d", len(all), n)
	}
	for i, r := range all {
		if got := valueOf(t, r); got != i {
			t.Fatalf("record %d in log order carries %d, want %d", i, got, i)
		}
		if i > 0 && r.Position <= all[i-1].Position {
			t.Fatalf("positions not increasing: %d after %d", r.Position, all[i-1].Position)
		}
	}
	for i := 1; i <= 3; i++ {
		h := load(t, l, sheet(i), eventlog.Until{})
		prev := -1
		for _, r := range h.Records {
			if r.Aggregate != sheet(i) {
				t.Fatalf("Load(%s) returned a record of %s", sheet(i), r.Aggregate)
			}
			if v := valueOf(t, r); v <= prev {
				t.Fatalf("Load(%s): %d after %d", sheet(i), v, prev)
			}
			prev = valueOf(t, r)
		}
		if h.Head != heads[sheet(i)] {
			t.Fatalf("Load(%s).Head = %+v, want %+v", sheet(i), h.Head, heads[sheet(i)])
		}
		if err := events.VerifyChain(h.Records); err != nil {
			t.Fatalf("chain of %s: %v", sheet(i), err)
		}
	}
	last, err := l.LastPosition(ctxT(t))
	if err != nil || last != all[len(all)-1].Position {
		t.Fatalf("LastPosition = %d, %v; want %d", last, err, all[len(all)-1].Position)
	}
	if h := load(t, l, events.StudentOf("NOBODY"), eventlog.Until{}); len(h.Records) != 0 || h.Head != (events.Head{}) {
		t.Fatalf("unknown aggregate: got %d records, head %+v", len(h.Records), h.Head)
	}
}
