package eventlog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// TestNATSNodeProcess is not a test: it is the NATS server of a node of
// natstest.StartProcessCluster, run in a child process of this test
// binary. Run directly, it is skipped.
func TestNATSNodeProcess(t *testing.T) { natstest.RunNode(t) }

// TestClusterNodeLoss: on a 3-node cluster (each node its own process)
// with a 3-replica stream, four writers append continuously with
// idempotency keys while the stream leader's node is killed with SIGKILL,
// restarted on its data, and then another node is killed. The loss is
// hard: server.Shutdown would first hand its raft leaderships over
// (stepdownRaftNodes), a killed process does not, and the others notice
// by election timeout (4-9 s). The cluster keeps taking writes with two
// nodes of three, the second time with the restarted node in the quorum.
// An append that fails (its acknowledgement lost with the node) is retried
// with the same request. Afterwards, every acknowledged append is in the
// log exactly once, at the positions it was acknowledged at, with the
// same record ids; an unacknowledged one is there whole or not at all;
// nothing is there twice; the hash chains verify; and once the leadership
// is moved to the restarted node, the log reads the same.
func TestClusterNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	c := natstest.StartProcessCluster(t, 3, "TestNATSNodeProcess")
	nc := c.Conn()
	l := openJS(t, nc, eventlog.JetStreamConfig{Replicas: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)

	w := startLossWriters(ctx, t, l, 4)
	w.progress(t, 5, 10*time.Second, "before any loss")

	// 1. The stream leader's node dies.
	first := clusterStreamInfo(ctx, js).leader()
	if first == "" {
		t.Fatal("no stream leader before the loss")
	}
	lost := time.Now()
	c.Kill(c.Index(first))
	t.Logf("killed %s, the stream leader, at %d acknowledged appends", first, w.acks())
	second := waitStreamLeader(ctx, t, js, func(l string) bool { return l != "" && l != first }, 20*time.Second)
	t.Logf("new stream leader %s after %v", second, time.Since(lost).Round(time.Millisecond))
	w.progress(t, 5, 20*time.Second, "with the leader's node dead")

	// 2. It comes back on its data and catches up.
	c.Restart(c.Index(first))
	waitReplicasCurrent(ctx, t, js, 3, 20*time.Second)
	t.Logf("%s restarted and current", first)
	w.progress(t, 5, 10*time.Second, "after the restart")

	// 3. Another node dies: not the restarted one, so that the quorum left
	// (the leader and the restarted node) needs the restarted node.
	var other string
	for _, nd := range c.Nodes {
		if nd.Name != first && nd.Name != clusterStreamInfo(ctx, js).leader() {
			other = nd.Name
		}
	}
	if other == "" {
		other = clusterStreamInfo(ctx, js).leader() // the restarted node leads: lose the leader again
	}
	if other == "" || other == first {
		t.Fatalf("no node to lose besides %s", first)
	}
	c.Kill(c.Index(other))
	t.Logf("killed %s at %d acknowledged appends", other, w.acks())
	waitStreamLeader(ctx, t, js, func(l string) bool { return l != "" && l != other }, 20*time.Second)
	w.progress(t, 5, 20*time.Second, "with a second node dead")

	unacked := w.stop()
	if err := w.failure(); err != nil {
		t.Fatal(err)
	}
	// A scan creates a consumer, which needs the meta leader: if the node
	// lost was the meta leader, wait for the next one (see waitMetaLeader).
	waitMetaLeader(ctx, t, js, 20*time.Second)
	checked := time.Now()
	n := checkAcked(ctx, t, l, w.acked, unacked)
	t.Logf("%d appends (%d records) acknowledged, %d attempts failed and were retried (%d of them conflicts on an unchanged head; %d appends had landed: already recorded), %d unacknowledged at the end; all present once (checked in %v)",
		len(w.acked), n, w.retried.Load(), w.spurious.Load(), w.already.Load(), len(unacked), time.Since(checked).Round(time.Millisecond))

	// 4. The second node comes back; the first restarted node is made
	// leader and serves the same log.
	c.Restart(c.Index(other))
	waitReplicasCurrent(ctx, t, js, 3, 20*time.Second)
	moveLeaderTo(ctx, t, nc, js, first)
	waitMetaLeader(ctx, t, js, 20*time.Second)
	if again := checkAcked(ctx, t, l, w.acked, unacked); again != n {
		t.Fatalf("read from %s: %d records, read before: %d", first, again, n)
	}
}

// lossWriters are writers that append continuously, each to its own aggregate, retrying an
// append that failed with the same request (same head, same key) until it
// is acknowledged.
type lossWriters struct {
	mu      sync.Mutex
	acked   map[string]eventlog.Appended // by key
	sent    map[string]int               // key -> events of each request ever sent
	err     error
	retried atomic.Int64 // failed attempts, retried with the same request
	already atomic.Int64 // appends acknowledged as already recorded
	// spurious counts conflicts naming as current a version at or behind
	// the head the append was decided on (see run).
	spurious atomic.Int64
	count    []atomic.Int64
	halt     chan struct{}
	wg       sync.WaitGroup
}

func startLossWriters(ctx context.Context, t *testing.T, l eventlog.Log, n int) *lossWriters {
	w := &lossWriters{acked: map[string]eventlog.Appended{}, sent: map[string]int{}, count: make([]atomic.Int64, n), halt: make(chan struct{})}
	for i := range n {
		w.wg.Go(func() { w.run(ctx, t, l, i) })
	}
	t.Cleanup(func() { w.stop() })
	return w
}

func (w *lossWriters) run(ctx context.Context, t *testing.T, l eventlog.Log, id int) {
	a := events.StudentOf(fmt.Sprintf("HE91%04d", id))
	head := events.Head{}
	logged := 0
	for i := 0; ; i++ {
		select {
		case <-w.halt:
			return
		case <-time.After(2 * time.Millisecond): // a steady flow, not a flood: the machine is shared
		}
		req := eventlog.AppendRequest{Aggregate: a, Head: head, Key: fmt.Sprintf("w%d-%d", id, i), Events: pending(1 + i%3)}
		w.mu.Lock()
		w.sent[req.Key] = len(req.Events)
		w.mu.Unlock()
		for firstTry := time.Now(); ; {
			// Shorter than an election: an append in flight when a node
			// dies fails here and is retried with the same request.
			actx, cancel := context.WithTimeout(ctx, 3*time.Second)
			got, err := l.Append(actx, req)
			cancel()
			if err == nil {
				w.mu.Lock()
				w.acked[req.Key] = got
				w.mu.Unlock()
				w.count[id].Add(1)
				if got.AlreadyRecorded {
					w.already.Add(1)
				}
				head = got.Head()
				break
			}
			var ce *eventlog.ConflictError
			switch {
			case errors.As(err, &ce) && ce.Current <= req.Head.Version:
				// Refused as stale while the aggregate is at, or seen
				// behind, the head it was decided on (this writer's last
				// acknowledged append): the new leader had not applied the
				// last records yet, or an earlier attempt on the subject
				// was still in process ("wrong last sequence", 10164).
				// Nothing changed: the same request is retried; the scan
				// at the end tells whether an acknowledged record was lost.
				w.spurious.Add(1)
				if since := time.Since(firstTry); since > 20*time.Second {
					w.fail(fmt.Errorf("writer %d, append %s: still refused after %v: %w", id, req.Key, since.Round(time.Second), err))
					return
				}
				if ce.Current < req.Head.Version && logged < 6 {
					logged++
					t.Logf("writer %d, append %s: %v (acknowledged up to %d)", id, req.Key, err, req.Head.Version)
				}
			case errors.Is(err, eventlog.ErrConflict) || errors.Is(err, eventlog.ErrBadRequest):
				// One writer per aggregate: the retry of its own append is
				// recognised as already recorded, never a real conflict.
				w.fail(fmt.Errorf("writer %d, append %s: %w", id, req.Key, err))
				return
			}
			if ctx.Err() != nil {
				return
			}
			select {
			case <-w.halt: // leave it unacknowledged: checkAcked allows it once or not at all
				return
			default:
			}
			w.retried.Add(1)
			if logged < 3 {
				logged++
				t.Logf("writer %d, append %s failed, retrying the same request: %v", id, req.Key, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func (w *lossWriters) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *lossWriters) failure() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *lossWriters) acks() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// progress waits until every writer has had n more appends acknowledged.
func (w *lossWriters) progress(t *testing.T, n int64, limit time.Duration, when string) {
	t.Helper()
	base := make([]int64, len(w.count))
	for i := range w.count {
		base[i] = w.count[i].Load()
	}
	deadline := time.Now().Add(limit)
	for i := range w.count {
		for w.count[i].Load() < base[i]+n {
			if err := w.failure(); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: writer %d had %d appends acknowledged in %v, want %d", when, i, w.count[i].Load()-base[i], limit, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// stop stops the writers and returns the keys sent but never acknowledged
// with their number of events.
func (w *lossWriters) stop() map[string]int {
	select {
	case <-w.halt:
	default:
		close(w.halt)
	}
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	unacked := map[string]int{}
	for k, n := range w.sent {
		if _, ok := w.acked[k]; !ok {
			unacked[k] = n
		}
	}
	return unacked
}

// checkAcked scans the whole log: each acknowledged append's records are
// there once, at their acknowledged positions, with their ids; an
// unacknowledged append is there whole or not at all; no record is there
// twice; the hash chains verify. It returns the number of records.
func checkAcked(ctx context.Context, t *testing.T, l eventlog.Log, acked map[string]eventlog.Appended, unacked map[string]int) int {
	t.Helper()
	var byKey map[string][]events.Record
	var ids map[string]int
	stored := 0
	retryRead(ctx, t, "scan", func(ctx context.Context) error {
		byKey, ids, stored = map[string][]events.Record{}, map[string]int{}, 0
		return eventlog.Follow(ctx, l, 0, false, func(r events.Record) error {
			stored++
			ids[r.ID.String()]++
			byKey[r.IdempotencyKey] = append(byKey[r.IdempotencyKey], r)
			return nil
		})
	})
	errs := 0
	errorf := func(format string, args ...any) {
		t.Helper()
		if errs++; errs <= 10 {
			t.Errorf(format, args...)
		}
	}
	for id, n := range ids {
		if n != 1 {
			errorf("record %s stored %d times", id, n)
		}
	}
	want := 0
	for key, got := range acked {
		recs := byKey[key]
		want += len(got.Records)
		if len(recs) != len(got.Records) {
			errorf("append %s: %d records acknowledged, %d in the log", key, len(got.Records), len(recs))
			continue
		}
		for i, r := range recs {
			if a := got.Records[i]; r.ID != a.ID || r.Position != a.Position {
				errorf("append %s, record %d: %s at %d in the log, acknowledged %s at %d", key, i, r.ID, r.Position, a.ID, a.Position)
			}
		}
	}
	for key, n := range unacked {
		if recs := byKey[key]; len(recs) != 0 && len(recs) != n {
			errorf("unacknowledged append %s of %d events: %d records in the log", key, n, len(recs))
		} else {
			want += len(recs)
		}
	}
	if stored != want {
		errorf("the log holds %d records, the appends account for %d", stored, want)
	}
	retryRead(ctx, t, "Verify", func(ctx context.Context) error {
		rep, err := eventlog.Verify(ctx, l, nil)
		if err == nil && !rep.OK() {
			errorf("Verify: %+v", rep)
		}
		return err
	})
	if errs > 10 {
		t.Errorf("... and %d more", errs-10)
	}
	if t.Failed() {
		t.FailNow()
	}
	return stored
}

// retryRead runs fn with a deadline of 5 s, up to 4 times. A scan creates
// a consumer; just after a node is lost, its creation request can go
// unanswered (placed on the dead node, or the meta leader just elected),
// and the client then waits for its whole deadline: a fresh request is
// answered.
func retryRead(ctx context.Context, t *testing.T, what string, fn func(context.Context) error) {
	t.Helper()
	for i := 1; ; i++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(actx)
		cancel()
		if err == nil {
			return
		}
		if i == 4 || ctx.Err() != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s, attempt %d: %v; trying again", what, i, err)
	}
}

type clusterStream struct{ info *jetstream.StreamInfo }

func (s clusterStream) leader() string {
	if s.info == nil || s.info.Cluster == nil {
		return ""
	}
	return s.info.Cluster.Leader
}

// clusterStreamInfo is the stream's info, or nothing while none answers (an
// election).
func clusterStreamInfo(ctx context.Context, js jetstream.JetStream) clusterStream {
	ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := js.Stream(ictx, "GRADELOG")
	if err != nil {
		return clusterStream{}
	}
	info, err := st.Info(ictx)
	if err != nil {
		return clusterStream{}
	}
	return clusterStream{info}
}

func waitStreamLeader(ctx context.Context, t *testing.T, js jetstream.JetStream, ok func(string) bool, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if l := clusterStreamInfo(ctx, js).leader(); ok(l) {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("no suitable stream leader after %v (now %q)", limit, clusterStreamInfo(ctx, js).leader())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitReplicasCurrent waits until the stream has a leader and n-1 current replicas.
func waitReplicasCurrent(ctx context.Context, t *testing.T, js jetstream.JetStream, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := clusterStreamInfo(ctx, js)
		current := 0
		if s.leader() != "" {
			current = 1
			for _, p := range s.info.Cluster.Replicas {
				if p.Current && !p.Offline {
					current++
				}
			}
		}
		if current == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream not current on %d nodes after %v: %+v", n, limit, s.info)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitMetaLeader waits until JetStream's meta leader answers. A consumer (what a
// scan reads with) is created through it; a request made while it is being
// elected goes unanswered and waits for the caller's whole deadline.
func waitMetaLeader(ctx context.Context, t *testing.T, js jetstream.JetStream, limit time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := js.AccountInfo(actx)
		cancel()
		if err == nil {
			if d := time.Since(start); d > time.Second {
				t.Logf("JetStream's meta leader answered after %v", d.Round(time.Millisecond))
			}
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("JetStream's meta leader has not answered for %v: %v", limit, err)
		}
	}
}

// moveLeaderTo moves the stream's leadership to the node named to.
func moveLeaderTo(ctx context.Context, t *testing.T, nc *nats.Conn, js jetstream.JetStream, to string) {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"placement": map[string]string{"preferred": to}})
	deadline := time.Now().Add(15 * time.Second)
	for clusterStreamInfo(ctx, js).leader() != to {
		if time.Now().After(deadline) {
			t.Fatalf("stream leader still %q, not %s", clusterStreamInfo(ctx, js).leader(), to)
		}
		if resp, err := nc.Request("$JS.API.STREAM.LEADER.STEPDOWN.GRADELOG", req, 5*time.Second); err != nil {
			t.Logf("step-down to %s: %v", to, err)
		} else if !json.Valid(resp.Data) {
			t.Logf("step-down to %s: %s", to, resp.Data)
		}
		waitStreamLeader(ctx, t, js, func(l string) bool { return l != "" }, 10*time.Second)
		time.Sleep(100 * time.Millisecond)
	}
}
