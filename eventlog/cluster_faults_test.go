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
// with the same request; a conflict fails the test, since each writer is
// alone on its aggregate (a refusal by a new leader of an expectation that
// still holds is retried by Append itself). Afterwards, every acknowledged
// append is in the log exactly once, at the positions it was acknowledged
// at, with the same record ids; an unacknowledged one is there whole or
// not at all; nothing is there twice; the hash chains verify; and once the
// leadership is moved to the restarted node, the log reads the same. The
// reads right after the second loss (which may be the meta leader's, that
// creates the consumers scans read with) are made once, without waiting
// for a meta leader first: Scan copes with it.
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
	checked := time.Now()
	n := checkAcked(ctx, t, l, w.acked, unacked)
	t.Logf("%d appends (%d records) acknowledged, %d attempts failed and were retried (%d appends had landed: already recorded), %d unacknowledged at the end; all present once (checked in %v)",
		len(w.acked), n, w.retried.Load(), w.already.Load(), len(unacked), time.Since(checked).Round(time.Millisecond))

	// 4. The second node comes back; the first restarted node is made
	// leader and serves the same log.
	c.Restart(c.Index(other))
	waitReplicasCurrent(ctx, t, js, 3, 20*time.Second)
	moveLeaderTo(ctx, t, nc, js, first)
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
	count   []atomic.Int64
	halt    chan struct{}
	wg      sync.WaitGroup
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
		for {
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
			if errors.Is(err, eventlog.ErrConflict) || errors.Is(err, eventlog.ErrBadRequest) {
				// One writer per aggregate: the retry of its own append is
				// recognised as already recorded, and a new leader's
				// refusal of an expectation that still holds is retried
				// by Append. A conflict here is a bug.
				w.fail(fmt.Errorf("writer %d, append %s (acknowledged up to version %d): %w", id, req.Key, req.Head.Version, err))
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
	byKey, ids, stored := map[string][]events.Record{}, map[string]int{}, 0
	readOnce(ctx, t, "scan", func(ctx context.Context) error {
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
	readOnce(ctx, t, "Verify", func(ctx context.Context) error {
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

// readOnce runs fn once, with a deadline of 30 s, and fails the test if it
// fails or takes more than readBound. After a node loss, a read waits for
// a meta leader to create its consumer, and for a consumer on a live node:
// Scan retries both by itself, each request under a short deadline, so
// an election (4-9 s) is what it may take, never the caller's deadline.
func readOnce(ctx context.Context, t *testing.T, what string, fn func(context.Context) error) {
	t.Helper()
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := fn(rctx)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("%s: %v (after %v)", what, err, took.Round(time.Millisecond))
	}
	if took > readBound {
		t.Fatalf("%s took %v, more than %v", what, took.Round(time.Millisecond), readBound)
	}
	if took > time.Second {
		t.Logf("%s took %v", what, took.Round(time.Millisecond))
	}
}

// readBound is how long a read may take right after a node loss: an
// election, a consumer or two replaced, and the read itself.
const readBound = 20 * time.Second

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

// TestClusterNodeLossScan: scans survive the loss of the node that
// creates their consumers and of the node that serves one. On a 3-node
// cluster (processes), a live scan follows the log while (1) JetStream's
// meta leader is killed and a bounded scan starts at once, during the
// election: it must finish within readBound, not wait out its caller's
// deadline; (2) the node serving the live scan's consumer is killed: the
// consumer stops delivering, and the live scan must carry on from where
// it was. The live scan sees every record once, in order, and ends
// promptly with its context.
func TestClusterNodeLossScan(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	c := natstest.StartProcessCluster(t, 3, "TestNATSNodeProcess")
	nc := c.Conn()
	l := openJS(t, nc, eventlog.JetStreamConfig{Replicas: 3})
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ap := &scanAppender{l: l, heads: map[events.AggregateID]events.Head{}}
	total := ap.add(ctx, t, 40)

	// The live scan.
	var mu sync.Mutex
	var seen []uint64
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	liveDone := make(chan error, 1)
	go func() {
		liveDone <- eventlog.Follow(liveCtx, l, 0, true, func(r events.Record) error {
			mu.Lock()
			seen = append(seen, r.Position)
			mu.Unlock()
			return nil
		})
	}()
	waitSeen := func(n int, limit time.Duration, when string) {
		t.Helper()
		start := time.Now()
		for {
			mu.Lock()
			got := len(seen)
			mu.Unlock()
			if got >= n {
				if d := time.Since(start); d > time.Second {
					t.Logf("%s: the live scan reached %d records after %v", when, n, d.Round(time.Millisecond))
				}
				return
			}
			select {
			case err := <-liveDone:
				t.Fatalf("%s: the live scan ended: %v", when, err)
			default:
			}
			if time.Since(start) > limit {
				t.Fatalf("%s: the live scan has %d records after %v, want %d", when, got, limit, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitSeen(total, 10*time.Second, "before any loss")

	// 1. The meta leader dies; a bounded scan starts during the election.
	meta := c.MetaLeader(10 * time.Second)
	c.Kill(c.Index(meta))
	t.Logf("killed %s, the meta leader", meta)
	got := 0
	readOnce(ctx, t, "bounded scan while the meta leader is elected", func(ctx context.Context) error {
		got = 0
		return eventlog.Follow(ctx, l, 0, false, func(r events.Record) error {
			if got++; r.Position != uint64(got) {
				return fmt.Errorf("record %d at position %d", got, r.Position)
			}
			return nil
		})
	})
	if got != total {
		t.Fatalf("the bounded scan read %d records, want %d", got, total)
	}
	t.Logf("new meta leader %s", c.MetaLeader(20*time.Second))
	total = ap.add(ctx, t, 20)
	waitSeen(total, readBound, "after the meta leader's loss")

	// 2. The node serving the live scan's consumer dies.
	c.Restart(c.Index(meta))
	waitReplicasCurrent(ctx, t, js, 3, 20*time.Second)
	host := liveConsumerHost(ctx, t, js)
	c.Kill(c.Index(host))
	t.Logf("killed %s, which served the live scan's consumer", host)
	total = ap.add(ctx, t, 20)
	waitSeen(total, readBound, "after the loss of the live scan's consumer")

	stopLive()
	select {
	case err := <-liveDone:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("live scan ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the live scan did not end within 5s of its context")
	}
	mu.Lock()
	defer mu.Unlock()
	for i, p := range seen {
		if p != uint64(i+1) {
			t.Fatalf("the live scan delivered position %d as its record %d: %v", p, i+1, seen)
		}
	}
	if len(seen) != total {
		t.Fatalf("the live scan delivered %d records, the log holds %d", len(seen), total)
	}
}

// scanAppender appends to a few aggregates, one event at a time, retrying
// an append that fails with the same request.
type scanAppender struct {
	l     eventlog.Log
	heads map[events.AggregateID]events.Head
	n     int
}

// add appends n events and returns how many the log holds.
func (ap *scanAppender) add(ctx context.Context, t *testing.T, n int) int {
	t.Helper()
	for range n {
		a := events.StudentOf(fmt.Sprintf("HE92%04d", ap.n%4))
		req := eventlog.AppendRequest{Aggregate: a, Head: ap.heads[a], Key: fmt.Sprintf("s%d", ap.n), Events: pending(1)}
		for start := time.Now(); ; {
			actx, cancel := context.WithTimeout(ctx, 3*time.Second)
			got, err := ap.l.Append(actx, req)
			cancel()
			if err == nil {
				ap.heads[a] = got.Head()
				break
			}
			if errors.Is(err, eventlog.ErrConflict) || errors.Is(err, eventlog.ErrBadRequest) || time.Since(start) > 20*time.Second {
				t.Fatalf("append %s: %v", req.Key, err)
			}
		}
		ap.n++
	}
	return ap.n
}

// liveConsumerHost is the node serving the stream's consumer that has
// pull requests waiting: the live scan's (a bounded scan's consumers are
// deleted when it ends).
func liveConsumerHost(ctx context.Context, t *testing.T, js jetstream.JetStream) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := js.Stream(lctx, "GRADELOG")
		if err != nil {
			cancel()
			continue
		}
		var host string
		list := st.ListConsumers(lctx)
		for ci := range list.Info() {
			if ci.NumWaiting > 0 && ci.Cluster != nil && ci.Cluster.Leader != "" {
				host = ci.Cluster.Leader
			}
		}
		cancel()
		if host != "" {
			return host
		}
	}
	t.Fatal("no consumer with waiting pull requests")
	return ""
}
