package eventlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

func impCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func impOpen(t *testing.T) (*JetStream, *nats.Conn) {
	t.Helper()
	nc := natstest.Conn(t, natstest.Server(t))
	l, err := OpenJetStream(impCtx(t), nc, JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return l, nc
}

// impSource appends rounds appends of 1 to 3 marks to each of aggs grade
// sheets, in turn, and returns the log and its stored records.
func impSource(t *testing.T, aggs, rounds int) (*JetStream, []Stored) {
	t.Helper()
	l, _ := impOpen(t)
	heads := map[events.AggregateID]events.Head{}
	for r := range rounds {
		for i := range aggs {
			a := events.SheetOf("2025-2026", "Q1", fmt.Sprintf("IMP-%d", i))
			req := AppendRequest{Aggregate: a, Head: heads[a]}
			for k := range 1 + (r+i)%3 {
				req.Events = append(req.Events, events.Pending{Actor: events.Actor{ID: "t"},
					Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", k), Entry: events.Entry{Mark: fmt.Sprintf("%d", 10+r%10)}}})
			}
			got, err := l.Append(impCtx(t), req)
			if err != nil {
				t.Fatal(err)
			}
			heads[a] = got.Head()
		}
	}
	return l, impScan(t, l)
}

func impScan(t *testing.T, l Source) []Stored {
	t.Helper()
	var out []Stored
	if err := l.Scan(impCtx(t), 0, false, func(s Stored) error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportIntoJetStream: records imported into an empty stream, in two
// batches, are stored with the same bytes, hashes, types, positions and
// versions; Mirrored follows the source positions; the copy verifies and
// loads like the original.
func TestImportIntoJetStream(t *testing.T) {
	src, recs := impSource(t, 5, 6)
	dst, _ := impOpen(t)
	ctx := impCtx(t)
	if m, err := dst.Mirrored(ctx); err != nil || m != 0 {
		t.Fatalf("Mirrored of an empty stream: %d, %v", m, err)
	}
	half := len(recs) / 2
	for _, b := range [][]Stored{recs[:half], recs[half:]} {
		if err := dst.Import(ctx, b); err != nil {
			t.Fatal(err)
		}
		if m, err := dst.Mirrored(ctx); err != nil || m != b[len(b)-1].Position {
			t.Fatalf("Mirrored after importing up to %d: %d, %v", b[len(b)-1].Position, m, err)
		}
	}
	got := impScan(t, dst)
	if len(got) != len(recs) {
		t.Fatalf("the copy holds %d records, want %d", len(got), len(recs))
	}
	for i, g := range got {
		w := recs[i]
		if g.Position != w.Position || g.Version != w.Version || g.Aggregate != w.Aggregate || g.Hash != w.Hash ||
			g.Type != w.Type || g.Schema != w.Schema || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("record %d: copied %+v, want %+v", i, g, w)
		}
	}
	rep, err := Verify(ctx, dst, nil)
	if err != nil || !rep.OK() || rep.Checked != len(recs) {
		t.Fatalf("Verify of the copy: %+v, %v", rep, err)
	}
	a := recs[0].Aggregate
	h1, _ := src.Load(ctx, a, Until{})
	h2, err := dst.Load(ctx, a, Until{})
	if err != nil || h1.Head != h2.Head || len(h1.Records) != len(h2.Records) {
		t.Fatalf("Load of %s: copy ends at %+v with %d records, original %+v with %d (%v)", a, h2.Head, len(h2.Records), h1.Head, len(h1.Records), err)
	}
}

// TestImportRefused: an import that does not follow what the stream holds
// is refused with ErrBadRequest naming the record, and stores nothing.
func TestImportRefused(t *testing.T) {
	_, recs := impSource(t, 3, 4)
	dst, _ := impOpen(t)
	ctx := impCtx(t)
	if err := dst.Import(ctx, recs[:6]); err != nil {
		t.Fatal(err)
	}
	rest := recs[6:]
	// The second record of the same aggregate as rest[0], in rest, skipped.
	skip := -1
	for i := 1; i < len(rest); i++ {
		if rest[i].Aggregate == rest[0].Aggregate {
			skip = i
			break
		}
	}
	broken := skip + 1 // the next record of that aggregate: it links to the skipped one
	for rest[broken].Aggregate != rest[0].Aggregate {
		broken++
	}
	unlinked := append(append([]Stored{}, rest[:skip]...), rest[skip+1:]...)
	// The next record of another aggregate: swapped with rest[0], each
	// links, but the positions go back.
	other := 1
	for rest[other].Aggregate == rest[0].Aggregate {
		other++
	}
	altered := append([]Stored{}, rest...)
	altered[2].Data = bytes.Replace(altered[2].Data, []byte(`"mark":"1`), []byte(`"mark":"9`), 1)
	cases := []struct {
		name string
		recs []Stored
		want []string
	}{
		{"a record that does not link", unlinked, []string{fmt.Sprintf("source position %d, aggregate %s", rest[broken].Position, rest[0].Aggregate), "prev " + rest[skip].Hash + " does not link to " + rest[0].Hash}},
		{"altered data", altered, []string{fmt.Sprintf("record 3 of the import (source position %d", altered[2].Position), "differs from the hash of its data"}},
		{"already imported", recs[5:], []string{fmt.Sprintf("source position %d does not follow %d", recs[5].Position, recs[5].Position)}},
		{"out of order", []Stored{rest[other], rest[0]}, []string{fmt.Sprintf("source position %d comes after %d", rest[0].Position, rest[other].Position)}},
		{"too many", make([]Stored, MaxBatch+1), []string{"1001 records"}},
	}
	for _, tc := range cases {
		err := dst.Import(ctx, tc.recs)
		if !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: %v, want ErrBadRequest", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tc.name, err, w)
			}
		}
		if last, _ := dst.LastPosition(ctx); last != recs[5].Position {
			t.Fatalf("%s: the stream's last position is %d after a refused import, want %d", tc.name, last, recs[5].Position)
		}
	}
	if err := dst.Import(ctx, rest); err != nil {
		t.Fatalf("the right import after the refusals: %v", err)
	}
}

// TestImportIntoLiveLogRefused: a stream holding an appended record is a
// live log: Mirrored says so and Import stores nothing, before or after
// imported records.
func TestImportIntoLiveLogRefused(t *testing.T) {
	_, recs := impSource(t, 2, 2)
	for _, first := range []bool{true, false} {
		dst, _ := impOpen(t)
		ctx := impCtx(t)
		if !first {
			if err := dst.Import(ctx, recs[:2]); err != nil {
				t.Fatal(err)
			}
		}
		a := events.StudentOf("HE000001")
		if _, err := dst.Append(ctx, AppendRequest{Aggregate: a, Events: []events.Pending{{Event: events.MarkRecorded{Student: "HE000001", Entry: events.Entry{Mark: "12"}}}}}); err != nil {
			t.Fatal(err)
		}
		before, _ := dst.LastPosition(ctx)
		if _, err := dst.Mirrored(ctx); !errors.Is(err, ErrNotMirror) || !strings.Contains(err.Error(), "gl."+string(a)) {
			t.Errorf("Mirrored of a live log: %v, want ErrNotMirror naming the subject", err)
		}
		if err := dst.Import(ctx, recs[2:]); !errors.Is(err, ErrNotMirror) {
			t.Errorf("Import into a live log: %v, want ErrNotMirror", err)
		}
		if after, _ := dst.LastPosition(ctx); after != before {
			t.Errorf("a refused import moved the stream from %d to %d", before, after)
		}
	}
}

// TestImportRetryAfterLostAck: an import whose batch landed without its
// caller seeing the acknowledgement is retried: the retry recognises the
// records at the end of the stream and stores nothing. Two mirrors of the
// same source importing the same records at once store them once.
func TestImportRetryAfterLostAck(t *testing.T) {
	_, recs := impSource(t, 4, 3)
	dst, nc := impOpen(t)
	ctx := impCtx(t)
	for _, b := range [][]Stored{recs[:1], recs[1:7]} {
		msgs, err := dst.planImport(ctx, b, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 1 {
			err = nc.PublishMsg(msgs[0]) // no reply subject: the acknowledgement is lost
		} else {
			_, _, err = dst.publish(ctx, msgs) // the caller "crashes" before reading the ack
		}
		if err != nil {
			t.Fatal(err)
		}
		want := waitLast(t, dst, b[len(b)-1].Position)
		if err := dst.importRecs(ctx, b, true); err != nil {
			t.Fatalf("retry after a lost acknowledgement: %v", err)
		}
		if last, _ := dst.LastPosition(ctx); last != want {
			t.Fatalf("the retry wrote: last position %d, want %d", last, want)
		}
	}
	// A retry of other records than those that landed is a conflict.
	moved := append([]Stored{}, recs[1:7]...)
	moved[5].Position++
	altered := append([]Stored{}, recs[1:7]...)
	altered[4].Data = bytes.Replace(altered[4].Data, []byte(`"mark":"1`), []byte(`"mark":"9`), 1)
	for name, b := range map[string][]Stored{"other source positions": moved, "other bytes": altered} {
		if err := dst.importRecs(ctx, b, true); !errors.Is(err, ErrConflict) {
			t.Errorf("a retry with %s than the records stored: %v, want ErrConflict", name, err)
		}
	}

	rest := recs[7:]
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = dst.Import(ctx, rest) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("mirror %d: %v", i, err)
		}
	}
	got := impScan(t, dst)
	if len(got) != len(recs) {
		t.Fatalf("after two concurrent imports the stream holds %d records, want %d", len(got), len(recs))
	}
	rep, err := Verify(ctx, dst, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("Verify: %+v, %v", rep, err)
	}
}
