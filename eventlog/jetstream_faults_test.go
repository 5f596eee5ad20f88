package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

var testActor = events.Actor{ID: "t", Roles: []string{"system"}}

func pending(n int) []events.Pending {
	out := make([]events.Pending, n)
	for i := range out {
		out[i] = events.Pending{Actor: testActor, Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", i), Entry: events.Entry{Mark: "12.5"}}}
	}
	return out
}

// TestRelaxedStreamRefused: a stream that is not append-only, created by
// someone else, is refused at start with every relaxation named.
func TestRelaxedStreamRefused(t *testing.T) {
	cases := []struct {
		name  string
		relax func(*jetstream.StreamConfig)
		want  []string
	}{
		{"purge and delete allowed", func(c *jetstream.StreamConfig) { c.DenyPurge, c.DenyDelete = false, false }, []string{"deny purge is off", "deny delete is off"}},
		{"rollup", func(c *jetstream.StreamConfig) { c.AllowRollup = true; c.DenyPurge = false }, []string{"rollup is allowed"}},
		{"schedules", func(c *jetstream.StreamConfig) { c.AllowMsgSchedules = true; c.Discard = jetstream.DiscardOld }, []string{"message schedules"}},
		{"delete markers", func(c *jetstream.StreamConfig) { c.SubjectDeleteMarkerTTL = time.Minute; c.AllowMsgTTL = true }, []string{"subject delete markers"}},
		{"per-subject limit", func(c *jetstream.StreamConfig) { c.MaxMsgsPerSubject = 10 }, []string{"max messages per subject is 10"}},
		{"discard old with max age", func(c *jetstream.StreamConfig) { c.Discard = jetstream.DiscardOld; c.MaxAge = time.Hour }, []string{"discard policy", "max age"}},
		{"async persistence", func(c *jetstream.StreamConfig) {
			c.PersistMode = jetstream.AsyncPersistMode
			c.AllowAtomicPublish = false
		}, []string{"persist mode", "atomic publish is off"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nc := natstest.Conn(t, natstest.Server(t))
			js, _ := jetstream.New(nc)
			cfg := jetstream.StreamConfig{Name: "GRADELOG", Subjects: []string{"gl.>"}, DenyDelete: true, DenyPurge: true,
				AllowDirect: true, AllowAtomicPublish: true, Discard: jetstream.DiscardNew, Duplicates: time.Minute}
			tc.relax(&cfg)
			if _, err := js.CreateStream(ctxT(t), cfg); err != nil {
				t.Fatalf("creating the relaxed stream: %v", err)
			}
			_, err := eventlog.OpenJetStream(ctxT(t), nc, eventlog.JetStreamConfig{})
			if !errors.Is(err, eventlog.ErrRelaxed) {
				t.Fatalf("OpenJetStream on a relaxed stream: %v, want ErrRelaxed", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// TestUndecodableRecordStopsReaders: a record with an unknown type, a
// future version or corrupt bytes stops Follow and Load with an error
// naming its position and subject; it is never skipped.
func TestUndecodableRecordStopsReaders(t *testing.T) {
	r, _ := events.Encode(events.StudentOf("HE000002"), pending(1)[0], time.Now(), "k", "")
	bad := map[string][]byte{
		"unknown type":   []byte(strings.Replace(string(r.Data), `"mark.recorded"`, `"mark.invented"`, 1)),
		"future version": []byte(strings.Replace(string(r.Data), `"schema":1`, `"schema":9`, 1)),
		"corrupt bytes":  r.Data[:len(r.Data)/2],
		"unknown field":  []byte(strings.Replace(string(r.Data), `"student":`, `"surprise":1,"student":`, 1)),
	}
	for name, data := range bad {
		t.Run(name, func(t *testing.T) {
			nc := natstest.Conn(t, natstest.Server(t))
			l := openJS(t, nc, eventlog.JetStreamConfig{})
			good := events.StudentOf("HE000001")
			if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: good, Events: pending(2)}); err != nil {
				t.Fatal(err)
			}
			js, _ := jetstream.New(nc)
			subject := "gl.student.HE000002"
			ack, err := js.PublishMsg(ctxT(t), &nats.Msg{Subject: subject, Data: data})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			err = eventlog.Follow(ctxT(t), l, 0, false, func(events.Record) error { seen++; return nil })
			var de *eventlog.DecodeError
			if !errors.As(err, &de) || de.Position != ack.Sequence || !strings.Contains(err.Error(), subject) {
				t.Fatalf("Follow: %v, want a DecodeError at %d naming %s", err, ack.Sequence, subject)
			}
			if seen != 2 {
				t.Fatalf("Follow delivered %d records before stopping, want the 2 good ones", seen)
			}
			// Resuming past the good records stops on the same record.
			err = eventlog.Follow(ctxT(t), l, 2, false, func(events.Record) error { return nil })
			if !errors.As(err, &de) || de.Position != ack.Sequence {
				t.Fatalf("resumed Follow: %v, want the same DecodeError", err)
			}
			if _, err := l.Load(ctxT(t), events.StudentOf("HE000002"), eventlog.Until{}); !errors.As(err, &de) {
				t.Fatalf("Load of the aggregate: %v, want a DecodeError", err)
			}
		})
	}
}

// TestStorageLimit: when the stream's storage limit is reached the append
// is refused with ErrFull and nothing of the batch is written.
func TestStorageLimit(t *testing.T) {
	nc := natstest.Conn(t, natstest.Server(t))
	l := openJS(t, nc, eventlog.JetStreamConfig{MaxBytes: 64 << 10})
	a := events.SheetOf("2025-2026", "Q2", "1/9")
	head := events.Head{}
	var err error
	for range 100 {
		var got eventlog.Appended
		got, err = l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: head, Events: pending(20)})
		if err != nil {
			break
		}
		head = got.Head()
	}
	if !errors.Is(err, eventlog.ErrFull) {
		t.Fatalf("append past the storage limit: %v, want ErrFull", err)
	}
	h, lerr := l.Load(ctxT(t), a, eventlog.Until{})
	if lerr != nil {
		t.Fatal(lerr)
	}
	if h.Head != head || len(h.Records)%20 != 0 {
		t.Fatalf("after the refusal: head %+v with %d records, want %+v and whole batches only", h.Head, len(h.Records), head)
	}
}

// TestClusterLeaderStepDown appends continuously on a 3-node cluster with
// 3 replicas while the stream leader steps down twice: every acknowledged
// record is present afterwards, exactly once.
func TestClusterLeaderStepDown(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	servers := natstest.Cluster(t, 3)
	nc := natstest.ClusterConn(t, servers)
	l := openJS(t, nc, eventlog.JetStreamConfig{Replicas: 3})
	ctx, cancel := context.WithTimeout(ctxT(t), 30*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var mu sync.Mutex
	acked := map[uint64]events.Record{}
	var wg sync.WaitGroup
	var failures []error
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := events.StudentOf(fmt.Sprintf("HE90000%d", w))
			head := events.Head{}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: head, Key: fmt.Sprintf("w%d-%d", w, i), Events: pending(1 + i%3)})
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
					return
				}
				head = got.Head()
				mu.Lock()
				for _, r := range got.Records {
					acked[r.Position] = r
				}
				mu.Unlock()
			}
		}()
	}
	js, _ := jetstream.New(nc)
	leader := func() string { // "" while unknown (an election, a slow answer)
		ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		st, err := js.Stream(ictx, "GRADELOG")
		if err != nil {
			return ""
		}
		info, err := st.Info(ictx)
		if err != nil || info.Cluster == nil {
			return ""
		}
		return info.Cluster.Leader
	}
	for range 2 {
		time.Sleep(300 * time.Millisecond)
		before := leader()
		if before == "" {
			t.Fatal("no stream leader known before the step-down")
		}
		resp, err := nc.Request("$JS.API.STREAM.LEADER.STEPDOWN.GRADELOG", nil, 5*time.Second)
		if err != nil || !strings.Contains(string(resp.Data), `"success":true`) {
			t.Fatalf("step-down request: %v %s", err, resp.Data)
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			if now := leader(); now != before && now != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stream leader still %q after the step-down", before)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("appends failed across the step-downs: %v", failures)
	}
	seen := map[string]int{}
	stored := 0
	err := eventlog.Follow(ctx, l, 0, false, func(r events.Record) error {
		stored++
		seen[r.ID.String()]++
		if a, ok := acked[r.Position]; ok && a.ID != r.ID {
			return fmt.Errorf("position %d holds %s, acknowledged %s", r.Position, r.ID, a.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("record %s stored %d times", id, n)
		}
	}
	if stored != len(acked) {
		t.Fatalf("log holds %d records, %d were acknowledged", stored, len(acked))
	}
	rep, err := eventlog.Verify(ctx, l, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("Verify after step-downs: %+v, %v", rep, err)
	}
	t.Logf("%d records acknowledged and present across 2 leader step-downs", len(acked))
}

// TestForgedRecordDetected writes records behind gradelog's back, straight
// to the stream (a copied record with one mark changed, and a record that
// does not link to its predecessor), and checks Verify names each break by
// position and aggregate.
func TestForgedRecordDetected(t *testing.T) {
	nc := natstest.Conn(t, natstest.Server(t))
	l := openJS(t, nc, eventlog.JetStreamConfig{})
	a := events.StudentOf("HE000007")
	got, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Events: pending(3)})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	last := got.Records[2]
	altered := &nats.Msg{Subject: "gl." + string(a), Header: nats.Header{"Gl-Type": {last.Type}, "Gl-Schema": {"1"}, "Gl-Hash": {last.Hash}},
		Data: []byte(strings.Replace(string(last.Data), `"12.5"`, `"18.5"`, 1))}
	ack1, err := js.PublishMsg(ctxT(t), altered)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := events.Encode(a, pending(1)[0], time.Now(), "forged", "")
	ack2, err := js.PublishMsg(ctxT(t), &nats.Msg{Subject: "gl." + string(a), Data: r.Data})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eventlog.Verify(ctxT(t), l, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Breaks) != 2 {
		t.Fatalf("Verify found %d breaks, want 2: %+v", len(rep.Breaks), rep.Breaks)
	}
	for i, want := range []uint64{ack1.Sequence, ack2.Sequence} {
		if b := rep.Breaks[i]; b.Position != want || b.Aggregate != a {
			t.Errorf("break %d at %d of %s, want %d of %s", i, b.Position, b.Aggregate, want, a)
		}
	}
	if !strings.Contains(rep.Breaks[0].Reason, "differs from the stored hash") {
		t.Errorf("altered record: reason %q", rep.Breaks[0].Reason)
	}
	// Only this student's chain: the filter keeps other aggregates out.
	other := events.StudentOf("HE000008")
	if _, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: other, Events: pending(1)}); err != nil {
		t.Fatal(err)
	}
	rep, _ = eventlog.Verify(ctxT(t), l, func(x events.AggregateID) bool { return x == other })
	if !rep.OK() || rep.Checked != 1 {
		t.Fatalf("Verify of an intact aggregate: %+v", rep)
	}
}
