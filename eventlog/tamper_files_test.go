package eventlog_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// Tampering with the stored data itself, as an auditor would test it: the
// in-memory tamper tests (logtest/tamper.go) alter records a log returned;
// these alter what the server keeps, and read it back through a server.
//
// The log they tamper with holds tfRecords marks on three grade sheets,
// appended one at a time in turn: the record at position p belongs to
// sheet TF-((p-1)%3+1), so the sheets' records are 3 positions apart, and
// each record's mark (11.101, 11.102, ...) occurs nowhere else, so that it
// can be found in a data file.

const tfRecords = 21

// tfLog is a log built by tfBuild, its server shut down.
type tfLog struct {
	dir   string                               // the server's store directory
	recs  []events.Record                      // recs[p-1] is at position p
	heads map[events.AggregateID]events.Link   // as Verify reported them: the published heads
	byPos map[uint64]events.AggregateID        // aggregate of each position
	last  map[events.AggregateID]events.Record // last record of each aggregate
	next  map[uint64]events.Record             // next record of the same aggregate, by position
}

func tfSheet(i int) events.AggregateID {
	return events.SheetOf("2025-2026", "Q1", fmt.Sprintf("TF-%d", i))
}

// tfMarkValue is the mark of the i-th record (i from 0): 11.101, 11.102, ...
func tfMarkValue(i int) string { return fmt.Sprintf("11.%03d", 101+i) }

// tfMarkBytes is how the mark of the i-th record appears in its envelope,
// and tfAltered the same with one bit changed: 11.1xx becomes 19.1xx, a
// value no record holds, of the same length.
func tfMarkBytes(i int) []byte { return []byte(`"mark":"` + tfMarkValue(i) + `"`) }

func tfAltered(i int) []byte {
	b := tfMarkBytes(i)
	b[len(`"mark":"1`)] ^= 0x08 // '1' (0x31) -> '9' (0x39)
	return b
}

// tfBuild appends tfRecords marks over three sheets on a server storing in
// a fresh directory (fast mode: no fsync per write), checks that Verify
// finds the log intact, and shuts the server down cleanly.
func tfBuild(t *testing.T) tfLog {
	t.Helper()
	dir := t.TempDir()
	s := natstest.ServerIn(t, dir, true)
	nc := natstest.Conn(t, s)
	l := openJS(t, nc, eventlog.JetStreamConfig{})
	out := tfLog{dir: dir, byPos: map[uint64]events.AggregateID{}, last: map[events.AggregateID]events.Record{}, next: map[uint64]events.Record{}}
	heads := map[events.AggregateID]events.Head{}
	for i := range tfRecords {
		a := tfSheet(i%3 + 1)
		p := events.Pending{Actor: events.Actor{ID: "auditor-test", Roles: []string{"system"}},
			Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", 500+i), Entry: events.Entry{Mark: tfMarkValue(i)}}}
		got, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: a, Head: heads[a], Events: []events.Pending{p}})
		if err != nil {
			t.Fatal(err)
		}
		r := got.Records[0]
		if r.Position != uint64(i+1) {
			t.Fatalf("record %d stored at position %d", i, r.Position)
		}
		if prev, ok := out.last[a]; ok {
			out.next[prev.Position] = r
		}
		heads[a], out.last[a], out.byPos[r.Position] = got.Head(), r, a
		out.recs = append(out.recs, r)
	}
	rep, err := eventlog.Verify(ctxT(t), l, nil)
	if err != nil || !rep.OK() || rep.Checked != tfRecords || len(rep.Heads) != 3 {
		t.Fatalf("Verify on the intact log: %+v, %v", rep, err)
	}
	for a, h := range heads {
		if rep.Heads[a].Hash != h.Hash {
			t.Fatalf("head of %s: Verify says %s, the appends %s", a, rep.Heads[a].Hash, h.Hash)
		}
	}
	out.heads = rep.Heads
	nc.Close()
	s.Shutdown()
	s.WaitForShutdown()
	return out
}

// tfOpen starts a server on dir (fast mode) and opens the log on it; the
// server is shut down at the end of the test.
func tfOpen(t *testing.T, dir string) (*eventlog.JetStream, *nats.Conn) {
	t.Helper()
	nc := natstest.Conn(t, natstest.ServerIn(t, dir, true))
	l, err := eventlog.OpenJetStream(ctxT(t), nc, eventlog.JetStreamConfig{})
	if err != nil {
		// An acceptable outcome only if it named the damage; it has never
		// happened with a flipped payload byte (the server opens the stream).
		t.Fatalf("OpenJetStream on %s: %v", dir, err)
	}
	return l, nc
}

// tfCopy copies the whole store directory src to a fresh directory.
func tfCopy(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func tfMsgDir(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "GRADELOG", "msgs"))
	if err != nil || len(m) != 1 {
		t.Fatalf("message directory of stream GRADELOG in %s: %v, %v", dir, m, err)
	}
	return m[0]
}

// tfFind returns the message block file of dir holding needle, and where:
// the needle must occur exactly once in all the blocks.
func tfFind(t *testing.T, dir string, needle []byte) (string, int) {
	t.Helper()
	blocks, _ := filepath.Glob(filepath.Join(tfMsgDir(t, dir), "*.blk"))
	if len(blocks) == 0 {
		t.Fatalf("no message block in %s", dir)
	}
	file, at, n := "", -1, 0
	for _, b := range blocks {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if c := bytes.Count(data, needle); c > 0 {
			file, at, n = b, bytes.Index(data, needle), n+c
		}
	}
	if n != 1 {
		t.Fatalf("%s occurs %d times in the blocks of %s, want once", needle, n, dir)
	}
	return file, at
}

// tfFlip changes one bit of the mark of record i (from 0) in the message
// block of dir holding it, leaving the block's length and every checksum
// as they were, and returns the block file.
func tfFlip(t *testing.T, dir string, i int) string {
	t.Helper()
	file, at := tfFind(t, dir, tfMarkBytes(i))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	copy(data[at:], tfAltered(i))
	if err := os.WriteFile(file, data, 0o640); err != nil {
		t.Fatal(err)
	}
	if f, _ := tfFind(t, dir, tfAltered(i)); f != file {
		t.Fatalf("altered mark not in %s", file)
	}
	return file
}

// tfAudit is the whole auditor's check: Verify finds no break and every
// head is the published one.
func tfAudit(rep eventlog.Report, published map[events.AggregateID]events.Link) bool {
	return rep.OK() && maps.Equal(rep.Heads, published)
}

// TestVerifyFindsFlippedByteInDataFiles flips one bit of a record's payload
// in a copy of the server's data files and verifies the copy through a
// server started on it.
//
// What nats-server (v2.15.2) does with it: every stored message carries a
// checksum (highwayhash) over its subject, headers and payload, checked
// when the message is read, not when the server starts.
//
//   - After a clean shutdown the stream's state file (msgs/index.db) is
//     current, and the server starts from it without reading the messages:
//     the stream still counts every message (first 1, last 21, 21 messages,
//     nothing deleted or lost). Reading the altered message fails its
//     checksum, and the server answers as if it were not there: a direct get
//     is "message not found" (404, 10037), and a consumer (Scan) silently
//     skips it and delivers the next one. The altered bytes are never
//     served, and the block file is left as it is. Verify then sees a record
//     missing: the next record of the same aggregate names, as its previous
//     hash, a record Verify never saw, and that is the break reported.
//   - If the state file is missing (a crash before it was written, or it
//     was deleted), the server rebuilds the state from the block, stops at
//     the first message whose checksum fails, truncates the block file there
//     (destroying that message and every later one on disk) and starts with
//     the stream ending just before it, reporting nothing lost. What remains
//     is an intact prefix: Verify finds no break, and only a comparison
//     with the published heads shows the damage.
//
// A message whose checksum fails is thus never served altered; it is
// dropped, so what Verify can see is a gap, and a gap after the last
// record of an aggregate breaks no chain. Neither OpenJetStream nor Verify
// returns an error in these cases; the one read that fails, ReadAt of the
// altered position, names the position but says only "message not found"
// (the server does not say that a checksum failed).
//
// Not tested here: altering the last message of the whole log (with the
// state file current). Scan then waits for a last sequence the server will
// never deliver, and Verify returns only when ctx ends, with the context's
// error, which does not name the problem, and a report with no break.
func TestVerifyFindsFlippedByteInDataFiles(t *testing.T) {
	orig := tfBuild(t)

	// The record altered: position 8, the third of sheet TF-2, whose next
	// record is at position 11.
	const victim = 7
	vr := orig.recs[victim]
	next := orig.next[vr.Position]
	if vr.Aggregate != tfSheet(2) || next.Position != 11 {
		t.Fatalf("record %d is at %d of %s, next at %d", victim, vr.Position, vr.Aggregate, next.Position)
	}

	t.Run("middle record", func(t *testing.T) {
		cp := tfCopy(t, orig.dir)
		tfFlip(t, cp, victim)
		l, _ := tfOpen(t, cp)

		rep, err := eventlog.Verify(ctxT(t), l, nil)
		if err != nil {
			t.Fatalf("Verify: %v (report %+v)", err, rep)
		}
		if rep.OK() {
			t.Fatalf("Verify reports a log with an altered record intact: %+v", rep)
		}
		// The altered record is not served: 20 records checked, and two
		// breaks: the position the store holds but cannot deliver, and the
		// next record of its aggregate, whose previous hash is the
		// (original) hash of the record that went missing.
		if rep.Checked != tfRecords-1 {
			t.Errorf("Verify checked %d records, want %d (all but the altered one)", rep.Checked, tfRecords-1)
		}
		if len(rep.Breaks) != 2 {
			t.Fatalf("Verify found %d breaks, want 2: %+v", len(rep.Breaks), rep.Breaks)
		}
		if b := rep.Breaks[0]; b.Position != vr.Position || !strings.Contains(b.Reason, "cannot be read from the store") {
			t.Errorf("first break %+v, want position %d unreadable", b, vr.Position)
		}
		b := rep.Breaks[1]
		if b.Aggregate != vr.Aggregate || b.Position != next.Position ||
			!strings.Contains(b.Reason, "previous hash "+vr.Hash[:12]+" does not match") {
			t.Errorf("break %+v, want at %d of %s naming the missing record's hash %s", b, next.Position, vr.Aggregate, vr.Hash[:12])
		}
		if got, want := rep.Heads[vr.Aggregate].Records, orig.heads[vr.Aggregate].Records-1; got != want {
			t.Errorf("%s has %d records in the copy, want %d", vr.Aggregate, got, want)
		}

		// The server still counts the message but will not return it: a
		// read of that position is an error naming it, never other bytes.
		if last, err := l.LastPosition(ctxT(t)); err != nil || last != tfRecords {
			t.Errorf("last position %d, %v; want %d", last, err, tfRecords)
		}
		_, err = l.ReadAt(ctxT(t), []uint64{vr.Position})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("position %d", vr.Position)) ||
			!strings.Contains(err.Error(), "message not found") {
			t.Errorf("ReadAt(%d) on the altered record: %v, want a not-found error naming the position", vr.Position, err)
		}
		if _, err := l.ReadAt(ctxT(t), []uint64{next.Position}); err != nil {
			t.Errorf("ReadAt(%d), an intact record: %v", next.Position, err)
		}
	})

	t.Run("last record of its aggregate", func(t *testing.T) {
		// Position 19, the last of sheet TF-1 (not the last of the log).
		const victim = 18
		vr := orig.recs[victim]
		if orig.last[vr.Aggregate].Position != vr.Position || vr.Position == tfRecords {
			t.Fatalf("record %d is not the last of %s only", victim, vr.Aggregate)
		}
		cp := tfCopy(t, orig.dir)
		tfFlip(t, cp, victim)
		l, _ := tfOpen(t, cp)
		rep, err := eventlog.Verify(ctxT(t), l, nil)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		// The dropped record ends its chain: no later record links to it,
		// but the store still counts its position, which Verify reports
		// as unreadable. The head, compared with the published one, shows
		// it too.
		if rep.OK() || len(rep.Breaks) != 1 || rep.Breaks[0].Position != vr.Position {
			t.Fatalf("Verify on a log whose record %d is unreadable: %+v", vr.Position, rep)
		}
		if tfAudit(rep, orig.heads) {
			t.Fatalf("the audit finds nothing wrong with a record dropped: %+v", rep)
		}
		prev := orig.recs[vr.Position-3-1] // the record before it in TF-1
		want := events.Link{Hash: prev.Hash, Position: prev.Position, Records: orig.heads[vr.Aggregate].Records - 1}
		if got := rep.Heads[vr.Aggregate]; got != want {
			t.Errorf("head of %s in the copy %+v, want %+v (the record before the dropped one)", vr.Aggregate, got, want)
		}
		t.Logf("Verify alone: OK=%v, %d of %d records checked, breaks %+v", rep.OK(), rep.Checked, tfRecords, rep.Breaks)
	})

	t.Run("last record of the log", func(t *testing.T) {
		// The consumer never delivers the last position: the scan waits
		// for it, then finds it cannot be read, and says so instead of
		// hanging.
		const victim = tfRecords - 1
		cp := tfCopy(t, orig.dir)
		tfFlip(t, cp, victim)
		l, _ := tfOpen(t, cp)
		rep, err := eventlog.Verify(ctxT(t), l, nil)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if rep.OK() || rep.Checked != tfRecords-1 || len(rep.Breaks) != 1 || rep.Breaks[0].Position != tfRecords {
			t.Fatalf("Verify on a log whose last record is unreadable: %+v", rep)
		}
	})

	t.Run("middle record, state file lost", func(t *testing.T) {
		cp := tfCopy(t, orig.dir)
		block := tfFlip(t, cp, victim)
		before, err := os.Stat(block)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(tfMsgDir(t, cp), "index.db")); err != nil {
			t.Fatal(err)
		}
		l, _ := tfOpen(t, cp)
		// The server truncated the block at the altered record: the log
		// now ends just before it.
		if last, err := l.LastPosition(ctxT(t)); err != nil || last != vr.Position-1 {
			t.Errorf("last position %d, %v; want %d (the log cut before the altered record)", last, err, vr.Position-1)
		}
		if after, err := os.Stat(block); err != nil {
			t.Error(err)
		} else if after.Size() >= before.Size() {
			t.Errorf("block file of %d bytes; it had %d before the server started, want it truncated", after.Size(), before.Size())
		}
		rep, err := eventlog.Verify(ctxT(t), l, nil)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if tfAudit(rep, orig.heads) {
			t.Fatalf("the audit finds nothing wrong with the log cut short: %+v", rep)
		}
		for a, h := range rep.Heads {
			if h == orig.heads[a] {
				t.Errorf("head of %s unchanged: %+v", a, h)
			}
		}
		t.Logf("Verify alone: OK=%v, %d of %d records checked, breaks %+v", rep.OK(), rep.Checked, tfRecords, rep.Breaks)
	})

	// The copies were altered, not the original: its block still holds
	// every mark as written, and it verifies intact with the same heads.
	tfFind(t, orig.dir, tfMarkBytes(victim))
	l, _ := tfOpen(t, orig.dir)
	rep, err := eventlog.Verify(ctxT(t), l, nil)
	if err != nil || !tfAudit(rep, orig.heads) || rep.Checked != tfRecords {
		t.Fatalf("Verify of the original after the copies were altered: %+v, %v", rep, err)
	}
}

// tfReplay publishes records, in order, into the stream of a fresh log on
// a fresh server, as Append writes them (subject, type, schema and hash
// headers, the message id and the expected last sequence of the subject),
// each record first passed through alter. Positions must come out the same.
func tfReplay(t *testing.T, records []eventlog.Stored, alter func(eventlog.Stored) eventlog.Stored) *eventlog.JetStream {
	t.Helper()
	l, nc := tfOpen(t, t.TempDir())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	lastOf := map[events.AggregateID]uint64{}
	for _, s := range records {
		r, err := events.Decode(s.Data)
		if err != nil {
			t.Fatal(err)
		}
		s = alter(s)
		subject := "gl." + string(s.Aggregate)
		m := &nats.Msg{Subject: subject, Data: s.Data, Header: nats.Header{}}
		m.Header.Set("Gl-Type", s.Type)
		m.Header.Set("Gl-Schema", strconv.Itoa(s.Schema))
		m.Header.Set("Gl-Hash", s.Hash)
		m.Header.Set(jetstream.MsgIDHeader, subject+"/"+r.IdempotencyKey)
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(lastOf[s.Aggregate], 10))
		ack, err := js.PublishMsg(ctxT(t), m)
		if err != nil {
			t.Fatalf("replaying position %d: %v", s.Position, err)
		}
		if ack.Sequence != s.Position || ack.Duplicate {
			t.Fatalf("position %d replayed at %d (duplicate %v)", s.Position, ack.Sequence, ack.Duplicate)
		}
		lastOf[s.Aggregate] = s.Position
	}
	return l
}

// tfEdit returns an alter function changing the mark of the record at pos
// (record i) and, if rehash, the stored hash to match the altered bytes.
func tfEdit(t *testing.T, pos uint64, i int, rehash bool) func(eventlog.Stored) eventlog.Stored {
	return func(s eventlog.Stored) eventlog.Stored {
		if s.Position != pos {
			return s
		}
		data := bytes.Replace(s.Data, tfMarkBytes(i), tfAltered(i), 1)
		if bytes.Equal(data, s.Data) {
			t.Fatalf("mark %s not in the record at %d", tfMarkBytes(i), pos)
		}
		s.Data = data
		if rehash {
			s.Hash = events.HashOf(data)
		}
		return s
	}
}

// TestVerifyFindsAlteredEventReplayedIntoFreshStream reads every stored
// record of a log and publishes them, in order, into a fresh stream on a
// fresh server, with the same subjects and headers, one event altered: what
// someone rewriting the log would do, since the server refuses to alter a
// stored message.
func TestVerifyFindsAlteredEventReplayedIntoFreshStream(t *testing.T) {
	orig := tfBuild(t)
	src, _ := tfOpen(t, orig.dir)
	var stored []eventlog.Stored
	if err := src.Scan(ctxT(t), 0, false, func(s eventlog.Stored) error {
		stored = append(stored, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(stored) != tfRecords {
		t.Fatalf("scanned %d records, want %d", len(stored), tfRecords)
	}
	verify := func(t *testing.T, l eventlog.Log) eventlog.Report {
		t.Helper()
		rep, err := eventlog.Verify(ctxT(t), l, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Checked != tfRecords {
			t.Errorf("Verify checked %d records, want %d", rep.Checked, tfRecords)
		}
		return rep
	}

	// A faithful replay is indistinguishable from the original.
	t.Run("unaltered", func(t *testing.T) {
		rep := verify(t, tfReplay(t, stored, func(s eventlog.Stored) eventlog.Stored { return s }))
		if !tfAudit(rep, orig.heads) {
			t.Fatalf("Verify of a faithful replay: %+v", rep)
		}
	})

	// Position 8, the third record of sheet TF-2; its next is at 11.
	const victim = 7
	vr := orig.recs[victim]
	next := orig.next[vr.Position]
	altered := events.HashOf(bytes.Replace(vr.Data, tfMarkBytes(victim), tfAltered(victim), 1))

	t.Run("stored hash kept", func(t *testing.T) {
		rep := verify(t, tfReplay(t, stored, tfEdit(t, vr.Position, victim, false)))
		// The altered record is named: its bytes no longer hash to the hash
		// stored beside them. The verifier goes on from the bytes as stored,
		// so the next record of the aggregate, which links to the original
		// hash, breaks too.
		if len(rep.Breaks) != 2 {
			t.Fatalf("Verify found %d breaks, want 2: %+v", len(rep.Breaks), rep.Breaks)
		}
		b := rep.Breaks[0]
		if b.Aggregate != vr.Aggregate || b.Position != vr.Position ||
			b.Reason != fmt.Sprintf("content hash %s differs from the stored hash %s", altered[:12], vr.Hash[:12]) {
			t.Errorf("break %+v, want the content hash of %d of %s differing", b, vr.Position, vr.Aggregate)
		}
		if b := rep.Breaks[1]; b.Aggregate != vr.Aggregate || b.Position != next.Position ||
			!strings.Contains(b.Reason, "previous hash "+vr.Hash[:12]+" does not match the preceding record's hash "+altered[:12]) {
			t.Errorf("second break %+v, want the link of %d of %s", b, next.Position, vr.Aggregate)
		}
	})

	t.Run("stored hash recomputed", func(t *testing.T) {
		rep := verify(t, tfReplay(t, stored, tfEdit(t, vr.Position, victim, true)))
		// The altered record is consistent with itself and with its
		// predecessor; the next record of its aggregate still names the
		// original hash, and breaks.
		if len(rep.Breaks) != 1 {
			t.Fatalf("Verify found %d breaks, want 1: %+v", len(rep.Breaks), rep.Breaks)
		}
		b := rep.Breaks[0]
		if b.Aggregate != vr.Aggregate || b.Position != next.Position ||
			b.Reason != fmt.Sprintf("previous hash %s does not match the preceding record's hash %s", vr.Hash[:12], altered[:12]) {
			t.Errorf("break %+v, want at %d of %s, the record after the altered one", b, next.Position, vr.Aggregate)
		}
	})

	t.Run("last of its aggregate, stored hash recomputed", func(t *testing.T) {
		// Position 19, the last record of sheet TF-1.
		const victim = 18
		vr := orig.recs[victim]
		if orig.last[vr.Aggregate].Position != vr.Position {
			t.Fatalf("record %d is not the last of %s", victim, vr.Aggregate)
		}
		rep := verify(t, tfReplay(t, stored, tfEdit(t, vr.Position, victim, true)))
		// No record links to the last one: the chain is intact and Verify
		// finds nothing. Its head, though, is not the one published for the
		// original log: this is why auditors compare the heads Verify
		// reports against heads published (or kept elsewhere) beforehand.
		if !rep.OK() {
			t.Fatalf("Verify found breaks in an internally intact chain: %+v", rep.Breaks)
		}
		got, want := rep.Heads[vr.Aggregate], orig.heads[vr.Aggregate]
		if got.Hash == want.Hash {
			t.Fatalf("head of %s unchanged by altering its last record: %s", vr.Aggregate, got.Hash)
		}
		if got != (events.Link{Hash: events.HashOf(bytes.Replace(vr.Data, tfMarkBytes(victim), tfAltered(victim), 1)), Position: want.Position, Records: want.Records}) {
			t.Errorf("head of %s %+v, want the altered record's hash at %+v", vr.Aggregate, got, want)
		}
		for a, h := range orig.heads {
			if a != vr.Aggregate && rep.Heads[a] != h {
				t.Errorf("head of %s %+v, want %+v", a, rep.Heads[a], h)
			}
		}
		if tfAudit(rep, orig.heads) {
			t.Fatal("the audit against the published heads finds nothing wrong")
		}
	})
}
