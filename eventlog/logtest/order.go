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
	testReadAt(t, l, all)
	if h := load(t, l, events.StudentOf("NOBODY"), eventlog.Until{}); len(h.Records) != 0 || h.Head != (events.Head{}) {
		t.Fatalf("unknown aggregate: got %d records, head %+v", len(h.Records), h.Head)
	}
}

// testReadAt reads scattered records back by position, in the order asked,
// and refuses a position past the end.
func testReadAt(t *testing.T, l eventlog.Log, all []events.Record) {
	t.Helper()
	var want []events.Record
	for i := len(all) - 1; i >= 0; i -= 3 {
		want = append(want, all[i])
	}
	positions := make([]uint64, len(want))
	for i, r := range want {
		positions[i] = r.Position
	}
	got, err := l.ReadAt(ctxT(t), positions)
	if err != nil {
		t.Fatalf("ReadAt: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("ReadAt returned %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Position != want[i].Position || got[i].Hash != want[i].Hash || got[i].Aggregate != want[i].Aggregate {
			t.Fatalf("ReadAt[%d] = %s at %d (%s), want %s at %d (%s)", i, got[i].Aggregate, got[i].Position, got[i].Hash,
				want[i].Aggregate, want[i].Position, want[i].Hash)
		}
	}
	beyond := all[len(all)-1].Position + 10
	if _, err := l.ReadAt(ctxT(t), []uint64{all[0].Position, beyond}); err == nil {
		t.Fatalf("ReadAt(%d) past the end of the log: no error", beyond)
	}
}
