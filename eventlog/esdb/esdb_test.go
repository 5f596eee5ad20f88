package esdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// serverURL is the EventStoreDB the server tests run against, or skips
// the test.
func serverURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("GRADELOG_ESDB_URL")
	if u == "" {
		t.Skip("GRADELOG_ESDB_URL is not set: no EventStoreDB server to test against; run `docker compose --profile eventstoredb up -d eventstoredb` and GRADELOG_ESDB_URL='esdb://localhost:2113?tls=false' go test ./eventlog/esdb/")
	}
	return u
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// freshPrefix is a stream prefix no other run uses, so that runs on one
// server do not see each other's records.
func freshPrefix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "gltest" + hex.EncodeToString(b)
}

func openESDB(t testing.TB, url string, now func() time.Time) *Log {
	t.Helper()
	l, err := Open(ctxT(t), url, Options{Prefix: freshPrefix(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestSuite runs the acceptance suite, each test on a fresh prefix.
func TestSuite(t *testing.T) {
	url := serverURL(t)
	logtest.Run(t, func(t *testing.T, now func() time.Time) eventlog.Log {
		return openESDB(t, url, now)
	})
}

var actor = events.Actor{ID: "esdbtest", Roles: []string{"system"}}

func marks(from, n int) []events.Pending {
	out := make([]events.Pending, n)
	for i := range out {
		v := strconv.Itoa(from + i)
		out[i] = events.Pending{Event: events.MarkRecorded{Student: "S" + v, Entry: events.Entry{Mark: v}}, Actor: actor}
	}
	return out
}

func sheet(i int) events.AggregateID {
	return events.SheetOf("2025-2026", "Q1", "1/"+strconv.Itoa(i))
}

// TestSink copies a JetStream log into EventStoreDB through Import, a few
// records at a time, and checks the copy: same chains and heads, Mirrored
// following the source, refusals storing nothing.
func TestSink(t *testing.T) {
	url := serverURL(t)
	ctx := ctxT(t)
	src, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	heads := map[events.AggregateID]events.Head{}
	n := 0
	for round := range 6 {
		for i := 1; i <= 3; i++ {
			a := sheet(i)
			size := 1 + round%3
			got, err := src.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: heads[a], Events: marks(n, size)})
			if err != nil {
				t.Fatal(err)
			}
			heads[a], n = got.Head(), n+size
		}
	}
	var recs []eventlog.Stored
	if err := src.Scan(ctx, 0, false, func(s eventlog.Stored) error {
		recs = append(recs, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("source holds %d records, want %d", len(recs), n)
	}

	sink := openESDB(t, url, nil)
	// A record that does not link to what the sink holds (the second of
	// sheet 1 into an empty sink) is refused, and nothing is stored.
	second := -1
	for i, r := range recs {
		if r.Aggregate == sheet(1) && i > 0 {
			second = i
			break
		}
	}
	if err := sink.Import(ctx, recs[second:second+1]); !errors.Is(err, eventlog.ErrBadRequest) {
		t.Fatalf("import of an unlinked record: %v, want ErrBadRequest", err)
	}
	if m, err := sink.Mirrored(ctx); err != nil || m != 0 {
		t.Fatalf("Mirrored of an empty sink = %d, %v; want 0", m, err)
	}
	for i := 0; i < len(recs); i += 5 {
		end := min(i+5, len(recs))
		if err := sink.Import(ctx, recs[i:end]); err != nil {
			t.Fatalf("import of records %d to %d: %v", i, end-1, err)
		}
		if m, err := sink.Mirrored(ctx); err != nil || m != recs[end-1].Position {
			t.Fatalf("Mirrored after importing up to %d = %d, %v; want %d", recs[end-1].Position, m, err, recs[end-1].Position)
		}
	}
	before, err := sink.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Import(ctx, recs[len(recs)-2:]); !errors.Is(err, eventlog.ErrBadRequest) {
		t.Fatalf("import of records already imported: %v, want ErrBadRequest", err)
	}
	if after, _ := sink.LastPosition(ctx); after != before {
		t.Fatalf("a refused import wrote: last position %d -> %d", before, after)
	}

	want, err := eventlog.Verify(ctx, src, nil)
	if err != nil || !want.OK() {
		t.Fatalf("Verify on the source: %+v, %v", want, err)
	}
	got, err := eventlog.Verify(ctx, sink, nil)
	if err != nil || !got.OK() {
		t.Fatalf("Verify on the sink: %+v, %v", got, err)
	}
	if got.Checked != want.Checked || len(got.Heads) != len(want.Heads) {
		t.Fatalf("sink: %d records of %d aggregates checked, source: %d of %d", got.Checked, len(got.Heads), want.Checked, len(want.Heads))
	}
	for a, w := range want.Heads {
		if g := got.Heads[a]; g.Hash != w.Hash || g.Records != w.Records {
			t.Fatalf("head of %s: sink %s (%d records), source %s (%d records)", a, g.Hash, g.Records, w.Hash, w.Records)
		}
	}
	for a, h := range heads {
		loaded, err := sink.Load(ctx, a, eventlog.Until{})
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Head.Hash != h.Hash || loaded.Head.Version != uint64(want.Heads[a].Records) {
			t.Fatalf("Load(%s) on the sink: head %+v, want hash %s at version %d", a, loaded.Head, h.Hash, want.Heads[a].Records)
		}
	}

	// A log written by Append is no sink.
	live := openESDB(t, url, nil)
	if _, err := live.Append(ctx, eventlog.AppendRequest{Aggregate: sheet(1), Events: marks(0, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Mirrored(ctx); !errors.Is(err, eventlog.ErrNotMirror) {
		t.Fatalf("Mirrored of a live log: %v, want ErrNotMirror", err)
	}
}

// The tests below need no server.

func TestStreamNames(t *testing.T) {
	n := names{DefaultPrefix}
	for _, a := range []events.AggregateID{
		events.SheetOf("2025-2026", "Q1", "1/8"),
		events.StudentOf("HE-000_001:a/b"),
		events.DeliberationOf("BA-INFO", "2025-2026", "S1"),
		events.SecurityOf("2026-01-20"),
	} {
		s := n.stream(a)
		if s != "gradelog-"+string(a) {
			t.Fatalf("stream(%s) = %q", a, s)
		}
		back, err := n.aggregate(s)
		if err != nil || back != a {
			t.Fatalf("aggregate(%q) = %q, %v; want %s", s, back, err, a)
		}
		if !n.ours(&es.RecordedEvent{StreamID: s, EventType: "mark.recorded"}) {
			t.Fatalf("an event of %s is not taken for the log's", s)
		}
		if n.ours(&es.RecordedEvent{StreamID: s, EventType: "$streamDeleted"}) {
			t.Fatalf("a tombstone in %s is taken for a record", s)
		}
	}
	for _, s := range []string{"gradelog-", "gradelogx-sheet.1", "other-sheet.1", "$$gradelog-sheet.1", "gradelog.sheet.1"} {
		if a, err := n.aggregate(s); err == nil {
			t.Fatalf("aggregate(%q) = %s, want an error", s, a)
		}
		if n.ours(&es.RecordedEvent{StreamID: s, EventType: "mark.recorded"}) {
			t.Fatalf("an event of stream %q is taken for the log's", s)
		}
	}
	for p, ok := range map[string]bool{"gradelog": true, "gl_2": true, "GL9": true, "": false, "gl-x": false, "$gl": false, "gl.x": false, "gl x": false} {
		if err := validPrefix(p); (err == nil) != ok {
			t.Fatalf("validPrefix(%q) = %v", p, err)
		}
	}
	if _, ok := expectation(0).(es.NoStream); !ok {
		t.Fatalf("expectation(0) = %#v, want NoStream", expectation(0))
	}
	if r, ok := expectation(5).(es.StreamRevision); !ok || r.Value != 4 {
		t.Fatalf("expectation(5) = %#v, want revision 4", expectation(5))
	}
}

func TestMetadata(t *testing.T) {
	m := metadata{Hash: "ab12", Schema: 2}
	if got := string(m.encode()); got != `{"hash":"ab12","schema":2}` {
		t.Fatalf("encode = %s", got)
	}
	imported := metadata{Hash: "cd34", Schema: 1, Source: 42}
	if got := string(imported.encode()); got != `{"hash":"cd34","schema":1,"source_position":42}` {
		t.Fatalf("encode = %s", got)
	}
	for _, want := range []metadata{m, imported} {
		got, err := decodeMetadata(want.encode())
		if err != nil || got != want {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", want, got, err)
		}
	}
	for _, bad := range []string{"", "not json", `["hash"]`} {
		if _, err := decodeMetadata([]byte(bad)); err == nil {
			t.Fatalf("decodeMetadata(%q): no error", bad)
		}
	}

	a := sheet(8)
	r, err := events.Encode(a, marks(7, 1)[0], time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC), "k", "")
	if err != nil {
		t.Fatal(err)
	}
	n := names{"gl"}
	e := &es.RecordedEvent{
		StreamID: n.stream(a), EventType: r.Type, EventNumber: 3,
		Position: es.Position{Commit: 9000, Prepare: 9000},
		Data:     r.Data, UserMetadata: metadata{Hash: r.Hash, Schema: r.Schema}.encode(),
	}
	s := n.stored(e)
	if s.Aggregate != a || s.Position != 9000 || s.Version != 4 || s.Type != r.Type || s.Schema != r.Schema || s.Hash != r.Hash || !strings.Contains(s.Where, "revision 3") {
		t.Fatalf("stored = %+v", s)
	}
	back, err := eventlog.Decode(s)
	if err != nil || back.Hash != r.Hash || back.Position != 9000 || back.Version != 4 {
		t.Fatalf("Decode(stored) = %+v, %v", back, err)
	}
	e.UserMetadata = []byte("garbage")
	if _, err := eventlog.Decode(n.stored(e)); err == nil {
		t.Fatal("a record with unreadable metadata decodes")
	}
}

func TestEventIDs(t *testing.T) {
	id := appendEventID("gl-sheet.1", "key", 0)
	if appendEventID("gl-sheet.1", "key", 0) != id {
		t.Fatal("the id of an event of an append is not deterministic")
	}
	seen := map[string]string{id.String(): "first"}
	for name, other := range map[string]string{
		"another index":  appendEventID("gl-sheet.1", "key", 1).String(),
		"another key":    appendEventID("gl-sheet.1", "key2", 0).String(),
		"another stream": appendEventID("gl-sheet.2", "key", 0).String(),
		"an import":      importEventID("gl-sheet.1", 0).String(),
		"another source": importEventID("gl-sheet.1", 1).String(),
	} {
		if prev, dup := seen[other]; dup {
			t.Fatalf("%s has the id of %s", name, prev)
		}
		seen[other] = name
	}
	if importEventID("gl-sheet.1", 7) != importEventID("gl-sheet.1", 7) {
		t.Fatal("the id of an imported event is not deterministic")
	}
	if id.Version() != 5 {
		t.Fatalf("id version %d, want 5 (name-based, SHA-1)", id.Version())
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"esdb://admin:changeit@localhost:2113":               "esdb://admin:xxxxx@localhost:2113",
		"esdb://admin:changeit@h1:2113,h2:2113?tls=false":    "esdb://admin:xxxxx@h1:2113,h2:2113?tls=false",
		"esdb+discover://u:p%40ss@cluster:2113/?tls=true":    "esdb+discover://u:xxxxx@cluster:2113/?tls=true",
		"esdb://localhost:2113?tls=false":                    "esdb://localhost:2113?tls=false",
		"esdb://admin@localhost:2113":                        "esdb://admin@localhost:2113",
		"esdb://localhost:2113?tlsCAFile=/a@b/ca.pem":        "esdb://localhost:2113?tlsCAFile=/a@b/ca.pem",
		"esdb://admin:s3cr:et@localhost:2113?nodePreference": "esdb://admin:xxxxx@localhost:2113?nodePreference",
	} {
		if got := newRedactor(in).url; got != want {
			t.Fatalf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	r := newRedactor("esdb://u:p%40ss@cluster:2113")
	if got := r.text(`parse "esdb://u:p%40ss@cluster:2113": password p@ss`); strings.Contains(got, "p%40ss") || strings.Contains(got, "p@ss") {
		t.Fatalf("text kept the password: %s", got)
	}
}

// TestOpenUnreachable: Open gives up when its context ends, names the
// server and never shows the password.
func TestOpenUnreachable(t *testing.T) {
	const url = "esdb://admin:secret@127.0.0.1:1?tls=false"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	l, err := Open(ctx, url, Options{})
	if err == nil {
		l.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Open took %v to give up with a 3s context", d)
	}
	msg := err.Error()
	if strings.Contains(msg, "secret") {
		t.Fatalf("the error shows the password: %s", msg)
	}
	if !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "admin:xxxxx@") {
		t.Fatalf("the error does not name the server: %s", msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the error does not wrap the context's: %s", msg)
	}
	t.Log(msg)

	// A connection string the client refuses: its error quotes the string.
	_, err = Open(ctx, "esdb://admin:secret@localhost:port", Options{})
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "admin:xxxxx@localhost:port") {
		t.Fatalf("Open of a malformed connection string: %v", err)
	}
	_, err = Open(ctx, "esdb://admin:secret@localhost:2113?nodePreference=follower", Options{})
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "nodePreference=Follower") {
		t.Fatalf("Open with a follower preference: %v", err)
	}
	if _, err = Open(ctx, "esdb://localhost:2113", Options{Prefix: "no-dash"}); err == nil || !strings.Contains(err.Error(), `"no-dash"`) {
		t.Fatalf("Open with a bad prefix: %v", err)
	}
}

// TestBoundaryUnsupported: a boundary is refused before anything is sent.
func TestBoundaryUnsupported(t *testing.T) {
	l := &Log{names: names{"gl"}, opt: Options{Now: time.Now}, closed: true}
	_, err := l.Append(context.Background(), eventlog.AppendRequest{
		Aggregate: sheet(1), Boundary: &eventlog.Boundary{Pattern: "sheet.2025-2026.Q1.*"}, Events: marks(0, 1)})
	if !errors.Is(err, eventlog.ErrUnsupported) {
		t.Fatalf("append with a boundary: %v, want ErrUnsupported", err)
	}
	if _, err := l.Append(context.Background(), eventlog.AppendRequest{Aggregate: sheet(1), Events: marks(0, eventlog.MaxBatch+1)}); !errors.Is(err, eventlog.ErrBadRequest) {
		t.Fatalf("oversized append: %v, want ErrBadRequest", err)
	}
}

func TestTransient(t *testing.T) {
	for err, want := range map[error]bool{
		status.Error(codes.Unavailable, "leader lost"):     true,
		status.Error(codes.DeadlineExceeded, "slow"):       true,
		status.Error(codes.InvalidArgument, "too big"):     false,
		status.Error(codes.PermissionDenied, "no"):         false,
		errors.New("plain"):                                false,
		errClosed:                                          false,
		context.Canceled:                                   false,
		&eventlog.ConflictError{Aggregate: sheet(1)}:       false,
		errors.Join(status.Error(codes.Aborted, "x"), nil): true,
	} {
		if got := transient(err); got != want {
			t.Fatalf("transient(%v) = %v", err, got)
		}
	}
}

func TestRelaxations(t *testing.T) {
	bad := relaxations(map[string][]byte{
		"gl-sheet.1": []byte(`{"$maxCount":5,"$acl":{"$r":"$all"}}`),
		"gl-sheet.2": []byte(`{"$tb":9223372036854775807}`),
		"gl-sheet.3": []byte(`{"$acl":{"$d":"$admins"}}`),
		"gl-sheet.4": []byte(`{"$maxAge":null}`),
	}, map[string]bool{"gl-sheet.5": true})
	want := []string{
		"stream gl-sheet.1: $maxCount=5",
		"stream gl-sheet.2: $tb=9223372036854775807",
		"stream gl-sheet.5: tombstoned",
	}
	if len(bad) != len(want) {
		t.Fatalf("relaxations = %q", bad)
	}
	for i, w := range want {
		if !strings.HasPrefix(bad[i], w) {
			t.Fatalf("relaxation %d = %q, want %q...", i, bad[i], w)
		}
	}
}
