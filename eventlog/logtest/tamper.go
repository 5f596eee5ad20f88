package logtest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// testTamper alters a byte of a stored record, removes one and reorders
// two, and checks the chain names the break.
func testTamper(t *testing.T, open Opener) {
	l := open(t, nil)
	a := sheet(10)
	head := events.Head{}
	for i := range 5 {
		head = appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: head, Events: marks(i, 1)}).Head()
	}
	h := load(t, l, a, eventlog.Until{})
	rep, err := eventlog.Verify(ctxT(t), l, nil)
	if err != nil || !rep.OK() || rep.Checked != 5 || rep.Heads[a].Hash != h.Head.Hash {
		t.Fatalf("Verify on an intact log: %+v, %v", rep, err)
	}
	clone := func() []events.Record {
		out := make([]events.Record, len(h.Records))
		copy(out, h.Records)
		return out
	}
	altered := clone()
	altered[2].Data = bytes.Replace(altered[2].Data, []byte(`"mark":"2"`), []byte(`"mark":"3"`), 1)
	removed := append(clone()[:2], h.Records[3:]...)
	swapped := clone()
	swapped[1], swapped[2] = swapped[2], swapped[1]
	for name, recs := range map[string][]events.Record{"altered": altered, "removed": removed, "swapped": swapped} {
		err := events.VerifyChain(recs)
		var ce *events.ChainError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: VerifyChain = %v, want a *ChainError", name, err)
		}
		if ce.Aggregate != a {
			t.Fatalf("%s: break names %s", name, ce.Aggregate)
		}
	}
}

// testBoundary checks a concurrency boundary over several aggregates; a
// backend without it must say so with ErrUnsupported.
func testBoundary(t *testing.T, open Opener) {
	l := open(t, nil)
	s1, s2 := sheet(1), sheet(2)
	h1 := appendOK(t, l, eventlog.AppendRequest{Aggregate: s1, Events: marks(1, 1)}).Head()
	h2 := appendOK(t, l, eventlog.AppendRequest{Aggregate: s2, Events: marks(2, 1)}).Head()
	pattern := "sheet.2025-2026.Q1.*"
	_, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: s1, Head: h1, Boundary: &eventlog.Boundary{Pattern: pattern, Position: h1.Version}, Events: marks(3, 1)})
	if errors.Is(err, eventlog.ErrUnsupported) {
		t.Skipf("backend has no boundaries: %v", err)
	}
	var ce *eventlog.ConflictError
	if !errors.As(err, &ce) || ce.Current != h2.Version {
		t.Fatalf("append with a stale boundary: %v, want a conflict at %d", err, h2.Version)
	}
	got := appendOK(t, l, eventlog.AppendRequest{Aggregate: s1, Head: h1, Boundary: &eventlog.Boundary{Pattern: pattern, Position: h2.Version}, Events: marks(3, 1)})
	if got.Records[0].PrevHash != h1.Hash {
		t.Fatal("boundary append broke the aggregate's chain")
	}
	// A current boundary does not excuse a stale head: the record would
	// link to the wrong predecessor.
	last, _ := l.LastPosition(ctxT(t))
	_, err = l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: s1, Head: h1, Boundary: &eventlog.Boundary{Pattern: pattern, Position: last}, Events: marks(4, 1)})
	if !errors.As(err, &ce) {
		t.Fatalf("boundary append on a stale head: %v, want a conflict", err)
	}
	if rep, _ := eventlog.Verify(ctxT(t), l, nil); !rep.OK() {
		t.Fatalf("chain broken by boundary appends: %+v", rep.Breaks)
	}
	if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: s1, Head: got.Head(), Boundary: &eventlog.Boundary{Pattern: "sheet.2025-2026.Q2.*", Position: 0}, Events: marks(4, 1)}); !errors.Is(err, eventlog.ErrBadRequest) {
		t.Fatalf("boundary not covering the aggregate: %v, want ErrBadRequest", err)
	}
}
