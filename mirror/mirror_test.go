package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/filelog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/mirror"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// jsLog opens the log on a fresh embedded server.
func jsLog(t testing.TB) (*eventlog.JetStream, *nats.Conn) {
	t.Helper()
	nc := natstest.Conn(t, natstest.ServerIn(t, t.TempDir(), true))
	l, err := eventlog.OpenJetStream(ctxT(t), nc, eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return l, nc
}

// aggregate i of the test logs: 30 students and 7 grade sheets.
func aggregate(i int) events.AggregateID {
	if i%37 < 30 {
		return events.StudentOf(fmt.Sprintf("HE%06d", i%37))
	}
	return events.SheetOf("2025-2026", "Q1", fmt.Sprintf("MI-%d", i%37-30))
}

// filler appends to a log: batches of 1 to 4 marks to its aggregates in
// turn, skipping those in skip.
type filler struct {
	l     eventlog.Log
	heads map[events.AggregateID]events.Head
	i     int
	skip  map[events.AggregateID]bool
}

func newFiller(l eventlog.Log) *filler {
	return &filler{l: l, heads: map[events.AggregateID]events.Head{}, skip: map[events.AggregateID]bool{}}
}

// fill appends at least n records and returns the log's last position.
func (f *filler) fill(t testing.TB, n int) uint64 {
	t.Helper()
	for added := 0; added < n; f.i++ {
		a := aggregate(f.i)
		if f.skip[a] {
			continue
		}
		req := eventlog.AppendRequest{Aggregate: a, Head: f.heads[a]}
		for k := range 1 + f.i%4 {
			req.Events = append(req.Events, events.Pending{Actor: events.Actor{ID: "t", Roles: []string{"system"}},
				Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", k), Entry: events.Entry{Mark: fmt.Sprintf("%d.5", f.i%20)}}})
		}
		got, err := f.l.Append(ctxT(t), req)
		if err != nil {
			t.Fatal(err)
		}
		f.heads[a] = got.Head()
		added += len(got.Records)
	}
	last, err := f.l.LastPosition(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return last
}

func scanAll(t testing.TB, s eventlog.Source) []eventlog.Stored {
	t.Helper()
	var out []eventlog.Stored
	if err := s.Scan(ctxT(t), 0, false, func(r eventlog.Stored) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameRecords checks that got holds want's records: the same positions,
// versions, aggregates, types, hashes and bytes.
func sameRecords(t *testing.T, what string, got, want []eventlog.Stored) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.Position != w.Position || g.Version != w.Version || g.Aggregate != w.Aggregate || g.Hash != w.Hash ||
			g.Type != w.Type || g.Schema != w.Schema || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("%s: record %d is %+v, want %+v", what, i, g, w)
		}
	}
}

func createFile(t testing.TB, path string) *filelog.File {
	t.Helper()
	f, err := filelog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func copyOK(t *testing.T, src eventlog.Source, dst eventlog.Sink, opt mirror.Options) mirror.Report {
	t.Helper()
	rep, err := mirror.Copy(ctxT(t), src, dst, opt)
	if err != nil {
		t.Fatalf("Copy: %v (report %+v)", err, rep)
	}
	if !rep.Identical() || !rep.PositionsIdentical || rep.Source.HeadsDigest != rep.Destination.HeadsDigest {
		t.Fatalf("Copy: not identical: %+v", rep)
	}
	return rep
}

// TestRoundTrip: a JetStream log of a few hundred records over 37
// aggregates, mirrored to a file bundle and from it into a fresh stream,
// arrives with the same bytes, hashes, positions and versions; both copies
// verify; the heads digest is the one `gradelog verify` computes on the
// original.
func TestRoundTrip(t *testing.T) {
	ctx := ctxT(t)
	src, _ := jsLog(t)
	last := newFiller(src).fill(t, 400)
	want := scanAll(t, src)
	path := filepath.Join(t.TempDir(), "log.jsonl")
	file := createFile(t, path)
	rep1 := copyOK(t, src, file, mirror.Options{BatchRecords: 64})
	if rep1.Copied != len(want) || rep1.Resumed != 0 || rep1.Source.Records != len(want) || rep1.Source.Last != last || rep1.Source.Chains != 37 {
		t.Errorf("to the file: %+v", rep1)
	}
	file.Close()

	from, err := filelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	sameRecords(t, "the file", scanAll(t, from), want)
	dst, _ := jsLog(t)
	rep2 := copyOK(t, from, dst, mirror.Options{})
	if rep2.Copied != len(want) || rep2.Destination.HeadsDigest != rep1.Source.HeadsDigest || rep2.Destination.RecordsDigest != rep1.Source.RecordsDigest {
		t.Errorf("to the new stream: %+v", rep2)
	}
	sameRecords(t, "the restored stream", scanAll(t, dst), want)

	orig, err := audit.VerifyLog(ctx, src, "", time.Now())
	if err != nil || orig.Heads == nil {
		t.Fatalf("verify the original: %+v, %v", orig, err)
	}
	restored, err := audit.VerifyLog(ctx, dst, "", time.Now())
	if err != nil || !restored.OK() || restored.Checked != len(want) || restored.Heads == nil {
		t.Fatalf("verify the restored stream: %+v, %v", restored, err)
	}
	if orig.Heads.Digest != rep1.Source.HeadsDigest || restored.Heads.Digest != orig.Heads.Digest {
		t.Errorf("heads digests: original %s, restored %s, mirror report %s", orig.Heads.Digest, restored.Heads.Digest, rep1.Source.HeadsDigest)
	}
	for _, a := range []events.AggregateID{aggregate(0), aggregate(33)} {
		h1, _ := src.Load(ctx, a, eventlog.Until{})
		h2, err := dst.Load(ctx, a, eventlog.Until{})
		if err != nil || h1.Head != h2.Head || len(h1.Records) != len(h2.Records) {
			t.Errorf("Load %s: restored %+v (%d records), original %+v (%d): %v", a, h2.Head, len(h2.Records), h1.Head, len(h1.Records), err)
		}
	}
	// Mirroring again copies nothing and finds both sides identical.
	again := copyOK(t, src, createFile(t, filepath.Join(t.TempDir(), "again.jsonl")), mirror.Options{})
	if again.Copied != len(want) {
		t.Errorf("a second mirror into a new file: %+v", again)
	}
	file2, err := filelog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file2.Close()
	if rep := copyOK(t, src, file2, mirror.Options{}); rep.Copied != 0 || rep.Resumed != len(want) || rep.ResumedFrom != last {
		t.Errorf("a mirror into an up-to-date file: %+v", rep)
	}
}

// lostAck is a sink whose imports land but whose caller hears of a failure
// after the k-th record: a connection lost before the acknowledgement.
type lostAck struct {
	eventlog.Sink
	left int
}

func (s *lostAck) Import(ctx context.Context, recs []eventlog.Stored) error {
	if err := s.Sink.Import(ctx, recs); err != nil {
		return err
	}
	if s.left -= len(recs); s.left <= 0 {
		return errors.New("connection lost before the acknowledgement")
	}
	return nil
}

// TestResume: a mirror interrupted midway (the context cancelled, an
// import that landed without its acknowledgement) resumes after the
// destination's last record: every record ends up there exactly once, and
// the result is the same as an uninterrupted mirror's.
func TestResume(t *testing.T) {
	src, _ := jsLog(t)
	newFiller(src).fill(t, 600)
	want := scanAll(t, src)
	sinks := map[string]func(t *testing.T) eventlog.Sink{
		"file": func(t *testing.T) eventlog.Sink { return createFile(t, filepath.Join(t.TempDir(), "log.jsonl")) },
		"jetstream": func(t *testing.T) eventlog.Sink {
			l, _ := jsLog(t)
			return l
		},
	}
	for name, sink := range sinks {
		t.Run(name+", cancelled", func(t *testing.T) {
			dst := sink(t)
			ctx, cancel := context.WithCancel(ctxT(t))
			_, err := mirror.Copy(ctx, src, dst, mirror.Options{BatchRecords: 50, Progress: func(p mirror.Progress) {
				if p.Copied >= 150 {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Copy: %v", err)
			}
			resumeAndCheck(t, src, dst, want)
		})
		t.Run(name+", lost acknowledgement", func(t *testing.T) {
			dst := sink(t)
			_, err := mirror.Copy(ctxT(t), src, &lostAck{Sink: dst, left: 200}, mirror.Options{BatchRecords: 50})
			if err == nil || !strings.Contains(err.Error(), "connection lost") {
				t.Fatalf("interrupted Copy: %v", err)
			}
			if m, _ := dst.Mirrored(ctxT(t)); m != want[199].Position {
				t.Fatalf("the destination mirrored up to %d, want %d (the batch that landed)", m, want[199].Position)
			}
			resumeAndCheck(t, src, dst, want)
		})
	}
	t.Run("file, torn last line", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		dst := createFile(t, path)
		if _, err := mirror.Copy(ctxT(t), src, &lostAck{Sink: dst, left: 100}, mirror.Options{BatchRecords: 100}); err == nil {
			t.Fatal("the interrupted Copy succeeded")
		}
		dst.Close()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"position":101,"version":101,"aggregate":"stu`) // a crash in the middle of the next import
		f.Close()
		dst, err = filelog.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		if !strings.Contains(dst.Recovered(), "torn line") {
			t.Errorf("reopening after the crash: recovered %q, want the torn line named", dst.Recovered())
		}
		resumeAndCheck(t, src, dst, want)
	})
}

// resumeAndCheck mirrors src into dst, which holds part of it, and checks
// that it resumed after dst's last record and that dst now holds want,
// every record once.
func resumeAndCheck(t *testing.T, src eventlog.Source, dst eventlog.Sink, want []eventlog.Stored) {
	t.Helper()
	held, err := dst.Mirrored(ctxT(t))
	if err != nil || held == 0 || held >= want[len(want)-1].Position {
		t.Fatalf("after the interruption the destination mirrored up to %d (%v): want part of the log", held, err)
	}
	rep := copyOK(t, src, dst, mirror.Options{BatchRecords: 50})
	if rep.ResumedFrom != held || rep.Resumed != int(held) || rep.Copied != len(want)-int(held) || rep.Destination.Records != len(want) {
		t.Errorf("resumed mirror: %+v, want it resumed from %d", rep, held)
	}
	sameRecords(t, "the destination", scanAll(t, dst.(eventlog.Source)), want)
}

// TestSourceBreakStopsMirror: a record forged straight into the stream
// (one mark changed, the stored hash kept) stops the mirror with an error
// naming its position and aggregate; the records before it are copied,
// nothing at or after it, at the first attempt as at the next.
func TestSourceBreakStopsMirror(t *testing.T) {
	src, nc := jsLog(t)
	fill := newFiller(src)
	fill.fill(t, 100)
	victim := aggregate(5)
	h, err := src.Load(ctxT(t), victim, eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	last := h.Records[len(h.Records)-1]
	js, _ := jetstream.New(nc)
	ack, err := js.PublishMsg(ctxT(t), &nats.Msg{Subject: "gl." + string(victim),
		Header: nats.Header{"Gl-Type": {last.Type}, "Gl-Schema": {"1"}, "Gl-Hash": {last.Hash}},
		Data:   bytes.Replace(last.Data, []byte(`"mark":"`), []byte(`"mark":"1`), 1)})
	if err != nil {
		t.Fatal(err)
	}
	fill.skip[victim] = true
	fill.fill(t, 50)

	dst := createFile(t, filepath.Join(t.TempDir(), "log.jsonl"))
	for attempt := range 2 {
		rep, err := mirror.Copy(ctxT(t), src, dst, mirror.Options{BatchRecords: 30})
		var be *mirror.BreakError
		if !errors.As(err, &be) || !errors.Is(err, mirror.ErrBroken) || be.Position != ack.Sequence || be.Aggregate != victim {
			t.Fatalf("attempt %d: %v, want a break at position %d of %s", attempt, err, ack.Sequence, victim)
		}
		for _, w := range []string{fmt.Sprintf("position %d", ack.Sequence), string(victim), "differs from the stored hash", "nothing at or after"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("attempt %d: %q does not say %q", attempt, err, w)
			}
		}
		if m, _ := dst.Mirrored(ctxT(t)); m != ack.Sequence-1 {
			t.Errorf("attempt %d: the destination holds records up to %d, want %d: those before the break only", attempt, m, ack.Sequence-1)
		}
		if rep.Identical() || (attempt == 1 && rep.Copied != 0) {
			t.Errorf("attempt %d: report %+v", attempt, rep)
		}
	}
}

// TestDestinationRefused: a mirror never writes into a live log (a stream
// holding appended records), nor into a mirror of another log.
func TestDestinationRefused(t *testing.T) {
	src, _ := jsLog(t)
	newFiller(src).fill(t, 40)

	live, _ := jsLog(t)
	newFiller(live).fill(t, 1)
	_, err := mirror.Copy(ctxT(t), src, live, mirror.Options{})
	if !errors.Is(err, eventlog.ErrNotMirror) {
		t.Errorf("a mirror into a live log: %v, want ErrNotMirror", err)
	}
	if n, _ := live.LastPosition(ctxT(t)); n != 1 {
		t.Errorf("the live log holds %d records after the refusal, want 1", n)
	}

	other, _ := jsLog(t)
	f := newFiller(other)
	f.i = 3 // another log: other aggregates first
	f.fill(t, 30)
	path := filepath.Join(t.TempDir(), "other.jsonl")
	dst := createFile(t, path)
	copyOK(t, other, dst, mirror.Options{})
	before, _ := os.ReadFile(path)
	if _, err := mirror.Copy(ctxT(t), src, dst, mirror.Options{}); !errors.Is(err, mirror.ErrMismatch) || !strings.Contains(err.Error(), "mirrors another log") {
		t.Errorf("a mirror into a mirror of another log: %v, want ErrMismatch", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the refused mirror wrote into the other log's mirror")
	}
}
