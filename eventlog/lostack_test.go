package eventlog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// TestRetryAfterLostAck stores an append's messages without its caller
// ever seeing the acknowledgement (published with no reply subject), then
// retries the same append: it must come back as already recorded, with the
// records first stored, and the log must hold them once. On one replica the
// server checks the sequence before deduplicating (the retry meets "wrong
// last sequence"); on three it deduplicates first: both paths are run.
func TestRetryAfterLostAck(t *testing.T) {
	t.Run("R1", func(t *testing.T) {
		testLostAck(t, natstest.Conn(t, natstest.Server(t)), 1)
	})
	t.Run("R3", func(t *testing.T) {
		if testing.Short() {
			t.Skip("cluster test skipped in -short mode")
		}
		testLostAck(t, natstest.ClusterConn(t, natstest.Cluster(t, 3)), 3)
	})
}

func testLostAck(t *testing.T, nc *nats.Conn, replicas int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := OpenJetStream(ctx, nc, JetStreamConfig{Replicas: replicas})
	if err != nil {
		t.Fatal(err)
	}
	a := events.SheetOf("2025-2026", "Q2", "1/9")
	for _, n := range []int{1, 3} {
		h, err := l.Load(ctx, a, Until{})
		if err != nil {
			t.Fatal(err)
		}
		req := AppendRequest{Aggregate: a, Head: h.Head, Key: fmt.Sprintf("import-%d", n)}
		for i := range n {
			req.Events = append(req.Events, events.Pending{Event: events.MarkRecorded{Student: fmt.Sprintf("HE%d", i), Entry: events.Entry{Mark: "14"}}})
		}
		_, msgs, err := l.prepare(req)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			err = nc.PublishMsg(msgs[0]) // no reply subject: the acknowledgement is lost
		} else {
			_, _, err = l.publish(ctx, msgs) // the caller "crashes" before reading the ack
		}
		if err != nil {
			t.Fatal(err)
		}
		before := waitLast(t, l, h.Head.Version+uint64(n))
		got, err := l.Append(ctx, req)
		if err != nil {
			t.Fatalf("retry after a lost ack (%d events): %v", n, err)
		}
		if !got.AlreadyRecorded || len(got.Records) != n || got.Records[0].Position != h.Head.Version+1 {
			t.Fatalf("retry: %+v, want the %d stored records, already recorded", got, n)
		}
		if after, _ := l.LastPosition(ctx); after != before {
			t.Fatalf("retry wrote: last position %d -> %d", before, after)
		}
	}
	h, _ := l.Load(ctx, a, Until{})
	if len(h.Records) != 4 {
		t.Fatalf("log holds %d records, want 4", len(h.Records))
	}
	if err := events.VerifyChain(h.Records); err != nil {
		t.Fatal(err)
	}
}

func waitLast(t *testing.T, l *JetStream, want uint64) uint64 {
	t.Helper()
	for range 200 {
		last, err := l.LastPosition(context.Background())
		if err == nil && last >= want {
			return last
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the lost-ack append never landed (want position %d)", want)
	return 0
}
