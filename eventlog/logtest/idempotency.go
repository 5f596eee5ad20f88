package logtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// testIdempotent retries appends with the same key: immediately (as after a
// lost acknowledgement: same head, same key), for one event and a batch,
// and checks each lands exactly once and the retry returns the first
// records.
func testIdempotent(t *testing.T, open Opener) {
	l := open(t, nil)
	a := sheet(1)
	for _, size := range []int{1, 5} {
		h := load(t, l, a, eventlog.Until{})
		req := eventlog.AppendRequest{Aggregate: a, Head: h.Head, Key: "cmd-" + string(rune('0'+size)), Events: marks(100*size, size)}
		first := appendOK(t, l, req)
		if first.AlreadyRecorded {
			t.Fatal("first append reported already recorded")
		}
		for range 2 {
			again := appendOK(t, l, req)
			if !again.AlreadyRecorded {
				t.Fatalf("retry of %d events: not reported as already recorded", size)
			}
			if len(again.Records) != size || again.Records[0].ID != first.Records[0].ID || again.Records[size-1].Position != first.Records[size-1].Position {
				t.Fatalf("retry returned %d records starting %v@%d, want the first append's", len(again.Records), again.Records[0].ID, again.Records[0].Position)
			}
		}
		got := load(t, l, a, eventlog.Until{Position: 0})
		if len(got.Records) != len(h.Records)+size {
			t.Fatalf("after retries: %d records, want %d", len(got.Records), len(h.Records)+size)
		}
	}
	// After someone else appended, the retry still finds its own records.
	h := load(t, l, a, eventlog.Until{})
	req := eventlog.AppendRequest{Aggregate: a, Head: h.Head, Key: "late-retry", Events: marks(900, 1)}
	first := appendOK(t, l, req)
	appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: first.Head(), Key: "other", Events: marks(901, 1)})
	again := appendOK(t, l, req)
	if !again.AlreadyRecorded || again.Records[0].ID != first.Records[0].ID {
		t.Fatalf("late retry: %+v, want the first record already recorded", again)
	}
	// A fresh key with a stale head is a conflict.
	_, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: h.Head, Key: "never-landed", Events: marks(902, 1)})
	if !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("stale append with a fresh key: %v, want conflict", err)
	}
	// A key is scoped to its aggregate: the same key on another aggregate
	// is another command.
	other := appendOK(t, l, eventlog.AppendRequest{Aggregate: sheet(2), Key: "late-retry", Events: marks(903, 1)})
	if other.AlreadyRecorded {
		t.Fatal("a key used on another aggregate was taken for a retry")
	}
	all := scanAll(t, l, 0)
	seen := map[string]int{}
	for _, r := range all {
		seen[r.IdempotencyKey+"/"+r.ID.String()]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("record %s stored %d times", k, n)
		}
	}
	if len(all) != 1+5+2+1 {
		t.Fatalf("log holds %d records, want 9", len(all))
	}
}

// testAtomicBatch appends a batch of 500 events and checks it is stored
// contiguously, then shows a refused batch writes nothing.
func testAtomicBatch(t *testing.T, open Opener) {
	l := open(t, nil)
	a := sheet(8)
	got := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Events: marks(0, 500)})
	if len(got.Records) != 500 {
		t.Fatalf("batch returned %d records", len(got.Records))
	}
	// Longer than one read page: Load must page through all of it.
	more := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: got.Head(), Events: marks(500, eventlog.MaxBatch)})
	if h := load(t, l, a, eventlog.Until{}); len(h.Records) != 500+eventlog.MaxBatch || h.Head != more.Head() {
		t.Fatalf("loaded %d records, want %d", len(h.Records), 500+eventlog.MaxBatch)
	}
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if h, err := l.Load(expired, a, eventlog.Until{}); err == nil {
		t.Fatalf("Load with an expired deadline returned %d records and no error", len(h.Records))
	}
	got = more
	base := 500
	h := load(t, l, a, eventlog.Until{})
	if h.Head != got.Head() {
		t.Fatalf("loaded head %+v, want %+v", h.Head, got.Head())
	}
	for i, r := range h.Records[base:] {
		if r.Position != got.Records[i].Position || valueOf(t, r) != base+i {
			t.Fatalf("record %d: position %d value %d, want %d and %d", base+i, r.Position, valueOf(t, r), got.Records[i].Position, base+i)
		}
	}
	if err := events.VerifyChain(h.Records); err != nil {
		t.Fatal(err)
	}
	before, _ := l.LastPosition(ctxT(t))
	// Stale head: the whole batch is refused.
	if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Events: marks(0, 300)}); !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("stale batch: %v, want conflict", err)
	}
	// Too large: refused before anything is sent.
	if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: h.Head, Events: marks(0, eventlog.MaxBatch+1)}); !errors.Is(err, eventlog.ErrBadRequest) {
		t.Fatalf("oversized batch: %v, want ErrBadRequest", err)
	}
	if after, _ := l.LastPosition(ctxT(t)); after != before {
		t.Fatalf("refused batches wrote: last position %d -> %d", before, after)
	}
}
