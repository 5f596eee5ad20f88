package eventlog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// TestStaleReadAfterAppend: on a 3-node cluster with a 3-replica stream,
// every read started after an append was acknowledged sees it, whichever
// replica answers. Direct gets are answered by any replica, and a
// follower applies a committed message a little after the leader has
// acknowledged it, so each read here runs right after an acknowledgement,
// where a follower is most likely behind: Load (the command handlers'
// read), ReadAt (a reconstruction's), the conflict report of a stale
// append (its Current), a boundary append on a fresh head (no spurious
// conflict) and the retry of an append that landed (AlreadyRecorded, not
// "key used by a different append"). Several writers on their own
// aggregates keep the replicas busy. The rounds start once all three
// servers answer direct gets (a follower joins only when current); without
// the leader check, every run met dozens of stale answers.
//
// Each stale answer is reported with what the stream leader and every
// server held just after it, which is how the cause was confirmed.
func TestStaleReadAfterAppend(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	servers := natstest.Cluster(t, 3)
	nc := natstest.ClusterConn(t, servers)
	const stream = "STALE"
	l := openJS(t, nc, eventlog.JetStreamConfig{Stream: stream, Prefix: "stale", Replicas: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a0 := events.StudentOf("STALE")
	if _, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: a0, Events: staleEvents(1)}); err != nil {
		t.Fatal(err)
	}
	waitDirectReplicas(t, nc, stream, "stale."+string(a0), 3)

	const writers, rounds = 4, 60
	var (
		mu     sync.Mutex
		stale  = map[string]int{}
		shown  int
		failed error
	)
	report := func(what string, a events.AggregateID, acked uint64, got string) {
		mu.Lock()
		defer mu.Unlock()
		stale[what]++
		if shown < 3 {
			shown++
			t.Errorf("%s of %s right after position %d was acknowledged: %s; then %s",
				what, a, acked, got, staleEvidence(nc, servers, stream, "stale."+string(a)))
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			a := events.StudentOf(fmt.Sprintf("STALE%d", w))
			var head events.Head
			for round := 1; round <= rounds && ctx.Err() == nil; round++ {
				req := eventlog.AppendRequest{Aggregate: a, Head: head, Key: fmt.Sprintf("k%d", round), Events: staleEvents(round)}
				if round%2 == 0 {
					// The boundary is checked against the aggregate's last
					// record as read before publishing.
					req.Boundary = &eventlog.Boundary{Pattern: string(a), Position: head.Version}
				}
				app, err := l.Append(ctx, req)
				var ce *eventlog.ConflictError
				if errors.As(err, &ce) {
					report("boundary append on the current head", a, head.Version, err.Error())
					return // the aggregate's head is unknown from here
				}
				if err != nil || app.AlreadyRecorded {
					mu.Lock()
					failed = errors.Join(failed, fmt.Errorf("append %d to %s: %+v, %v", round, a, app, err))
					mu.Unlock()
					return
				}
				prev, acked := head, app.Head().Version
				head = app.Head()

				h, err := l.Load(ctx, a, eventlog.Until{})
				switch {
				case err != nil:
					report("Load", a, acked, err.Error())
				case len(h.Records) != round || h.Head != head:
					report("Load", a, acked, fmt.Sprintf("%d records ending at %d, want %d ending at %d", len(h.Records), h.Head.Version, round, acked))
				}

				if recs, err := l.ReadAt(ctx, []uint64{acked}); err != nil || len(recs) != 1 || recs[0].Hash != head.Hash {
					report("ReadAt", a, acked, fmt.Sprintf("%d records, %v", len(recs), err))
				}

				_, err = l.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: prev, Key: fmt.Sprintf("late%d", round), Events: staleEvents(-round)})
				if !errors.As(err, &ce) || ce.Current != acked {
					report("conflict of a stale append", a, acked, fmt.Sprint(err))
				}

				req.Boundary = nil
				again, err := l.Append(ctx, req)
				if err != nil || !again.AlreadyRecorded || again.Head() != head {
					report("retry of an acknowledged append", a, acked, fmt.Sprintf("%+v, %v", again.Head(), err))
				}
			}
		})
	}
	wg.Wait()
	if failed != nil {
		t.Fatal(failed)
	}
	if len(stale) > 0 {
		t.Fatalf("stale reads in %d rounds of %d writers: %v", rounds, writers, stale)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
}

func staleEvents(i int) []events.Pending {
	return []events.Pending{{
		Actor: events.Actor{ID: "t", Roles: []string{"system"}},
		Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", max(i, -i)), Entry: events.Entry{Mark: "12.5"}},
	}}
}

// staleEvidence says what the stream leader holds as subject's last
// sequence (the non-direct message get, which only the leader answers)
// and what a direct get (any replica) answers, then each server's last
// stream sequence as it holds it.
func staleEvidence(nc *nats.Conn, servers []*server.Server, stream, subject string) string {
	var b strings.Builder
	lr, lerr := nc.Request("$JS.API.STREAM.MSG.GET."+stream, fmt.Appendf(nil, `{"last_by_subj":%q}`, subject), 2*time.Second)
	var resp struct {
		Message struct {
			Seq uint64 `json:"seq"`
		} `json:"message"`
	}
	if lerr == nil {
		lerr = json.Unmarshal(lr.Data, &resp)
	}
	fmt.Fprintf(&b, "the leader holds %d as the subject's last (%v)", resp.Message.Seq, lerr)
	if dr, err := nc.Request("$JS.API.DIRECT.GET."+stream+"."+subject, nil, 2*time.Second); err == nil {
		fmt.Fprintf(&b, ", a direct get answers %q", dr.Header.Get("Nats-Sequence"))
	}
	for _, s := range servers {
		info, err := s.Jsz(&server.JSzOptions{Accounts: true, Streams: true})
		if err != nil {
			continue
		}
		for _, acc := range info.AccountDetails {
			for _, sd := range acc.Streams {
				if sd.Name != stream {
					continue
				}
				role := "follower"
				if sd.Cluster != nil && sd.Cluster.Leader == s.Name() {
					role = "leader"
				}
				fmt.Fprintf(&b, "; %s (%s) last seq %d", s.Name(), role, sd.State.LastSeq)
			}
		}
	}
	return b.String()
}

// waitDirectReplicas waits until n servers answer direct gets on stream.
// A follower joins the direct-get queue group only once it is current,
// which it checks every 2 s (monitorStream in the server's
// jetstream_cluster.go): until then the leader answers alone and no read
// can be stale.
func waitDirectReplicas(t *testing.T, nc *nats.Conn, stream, subject string, n int) {
	t.Helper()
	seen := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < n {
		if time.Now().After(deadline) {
			t.Fatalf("direct gets answered by %v only after 20s, want %d servers", seen, n)
		}
		if _, who := tracedDirect(nc, stream, subject); who != "" {
			seen[who] = true
		}
	}
}

// tracedDirect sends a batch direct get of subject with message tracing
// and returns the last sequence of the answer and the server whose
// JetStream answered: the last hop of the request, the one whose trace
// event reports no egress to a route (an internal subscriber, such as a
// stream's direct get, is not reported as an egress).
func tracedDirect(nc *nats.Conn, stream, subject string) (last uint64, who string) {
	replies, traces := nats.NewInbox(), nats.NewInbox()
	rs, err := nc.SubscribeSync(replies)
	if err != nil {
		return 0, ""
	}
	defer rs.Unsubscribe()
	ts, err := nc.SubscribeSync(traces)
	if err != nil {
		return 0, ""
	}
	defer ts.Unsubscribe()
	m := nats.NewMsg("$JS.API.DIRECT.GET." + stream)
	m.Reply = replies
	m.Header.Set("Nats-Trace-Dest", traces)
	m.Data = fmt.Appendf(nil, `{"seq":1,"next_by_subj":%q,"batch":512}`, subject)
	if err := nc.PublishMsg(m); err != nil {
		return 0, ""
	}
	for {
		r, err := rs.NextMsg(2 * time.Second)
		if err != nil || r.Header.Get("Status") != "" {
			break
		}
		last, _ = strconv.ParseUint(r.Header.Get("Nats-Sequence"), 10, 64)
	}
	for {
		tm, err := ts.NextMsg(50 * time.Millisecond)
		if err != nil {
			return last, who
		}
		var ev struct {
			Server struct {
				Name string `json:"name"`
			} `json:"server"`
			Events []struct {
				Type string `json:"type"`
				Kind int    `json:"kind"`
			} `json:"events"`
		}
		if json.Unmarshal(tm.Data, &ev) != nil {
			continue
		}
		routed := false
		for _, e := range ev.Events {
			routed = routed || e.Type == "eg" && e.Kind == 1 // ROUTER
		}
		if !routed {
			who = ev.Server.Name
		}
	}
}
