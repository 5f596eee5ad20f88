package logtest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// testResume stops a reader at a checkpoint and resumes after it: nothing
// is missed, nothing delivered twice.
func testResume(t *testing.T, open Opener) {
	l := open(t, nil)
	for i := range 40 {
		a := sheet(1 + i%3)
		appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: load(t, l, a, eventlog.Until{}).Head, Events: marks(i, 1)})
	}
	errStop := errors.New("stop")
	var checkpoint uint64
	var first []events.Record
	err := eventlog.Follow(ctxT(t), l, 0, false, func(r events.Record) error {
		if len(first) == 17 {
			return errStop
		}
		first = append(first, r)
		checkpoint = r.Position
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("Follow stopped with %v, want the callback's error", err)
	}
	rest := scanAll(t, l, checkpoint)
	all := append(first, rest...)
	if len(all) != 40 {
		t.Fatalf("resumed scan: %d records in all, want 40", len(all))
	}
	for i, r := range all {
		if valueOf(t, r) != i {
			t.Fatalf("record %d carries %d after resume", i, valueOf(t, r))
		}
	}
	if got := scanAll(t, l, all[39].Position); len(got) != 0 {
		t.Fatalf("scan after the end returned %d records", len(got))
	}
}

// testLive follows the log while appends go on.
func testLive(t *testing.T, open Opener) {
	l := open(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan int, 100)
	done := make(chan error, 1)
	go func() {
		done <- eventlog.Follow(ctx, l, 0, true, func(r events.Record) error {
			m, ok := r.Event.(events.MarkRecorded)
			if !ok {
				return fmt.Errorf("record %d: got %T", r.Position, r.Event)
			}
			n, err := strconv.Atoi(m.Entry.Mark)
			got <- n
			return err
		})
	}()
	head := events.Head{}
	for i := range 20 {
		head = appendOK(t, l, eventlog.AppendRequest{Aggregate: sheet(2), Head: head, Events: marks(i, 1)}).Head()
	}
	for i := range 20 {
		select {
		case v := <-got:
			if v != i {
				t.Fatalf("live follow delivered %d, want %d", v, i)
			}
		case <-ctx.Done():
			t.Fatalf("live follow delivered %d of 20 records", i)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("live follow ended with %v, want context.Canceled", err)
	}
}
