package filelog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/filelog"
	"github.com/gradelog/gradelog/events"
)

// chain makes n records over aggs grade sheets, in turn, as a log would
// store them at positions 1 to n: real envelopes, linked.
func chain(t *testing.T, n, aggs int) []eventlog.Stored {
	t.Helper()
	prev := map[events.AggregateID]string{}
	at := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
	out := make([]eventlog.Stored, n)
	for i := range out {
		a := events.SheetOf("2025-2026", "Q1", fmt.Sprintf("FL-%d", i%aggs))
		p := events.Pending{Actor: events.Actor{ID: "t"}, Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", i), Entry: events.Entry{Mark: "12.5"}}}
		r, err := events.Encode(a, p, at.Add(time.Duration(i)*time.Second), fmt.Sprintf("k%d", i), prev[a])
		if err != nil {
			t.Fatal(err)
		}
		prev[a] = r.Hash
		out[i] = eventlog.Stored{Aggregate: a, Position: uint64(i + 1), Version: uint64(i + 1), Type: r.Type, Schema: r.Schema, Hash: r.Hash, Data: r.Data}
	}
	return out
}

func create(t *testing.T, path string) *filelog.File {
	t.Helper()
	f, err := filelog.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func open(t *testing.T, path string) *filelog.File {
	t.Helper()
	f, err := filelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func scan(t *testing.T, f *filelog.File, after uint64) []eventlog.Stored {
	t.Helper()
	var out []eventlog.Stored
	if err := f.Scan(context.Background(), after, false, func(s eventlog.Stored) error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func importAll(t *testing.T, f *filelog.File, recs []eventlog.Stored, batch int) {
	t.Helper()
	for i := 0; i < len(recs); i += batch {
		if err := f.Import(context.Background(), recs[i:min(i+batch, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
}

func same(t *testing.T, got, want []eventlog.Stored) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.Position != w.Position || g.Version != w.Version || g.Aggregate != w.Aggregate || g.Hash != w.Hash ||
			g.Type != w.Type || g.Schema != w.Schema || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("record %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestFileRoundTrip: records imported in batches are read back, after
// reopening, with the same positions, versions, hashes, types and bytes;
// the bundle is a readable Log (Load, ReadAt, Verify) that refuses
// appends and live scans.
func TestFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	recs := chain(t, 250, 7)
	w := create(t, path)
	if m, err := w.Mirrored(ctx); err != nil || m != 0 {
		t.Fatalf("Mirrored of a new bundle: %d, %v", m, err)
	}
	importAll(t, w, recs, 40)
	same(t, scan(t, w, 0), recs)
	w.Close()

	r := open(t, path)
	if r.Recovered() != "" {
		t.Errorf("a cleanly written bundle: recovered %q", r.Recovered())
	}
	same(t, scan(t, r, 0), recs)
	same(t, scan(t, r, 100), recs[100:])
	if m, _ := r.Mirrored(ctx); m != 250 {
		t.Errorf("Mirrored: %d, want 250", m)
	}
	rep, err := eventlog.Verify(ctx, r, nil)
	if err != nil || !rep.OK() || rep.Checked != 250 || len(rep.Heads) != 7 {
		t.Fatalf("Verify: %+v, %v", rep, err)
	}
	h, err := r.Load(ctx, recs[3].Aggregate, eventlog.Until{Position: 200})
	if err != nil || len(h.Records) != 29 || h.Records[0].Position != 4 || h.Head.Version != 200 {
		t.Fatalf("Load up to 200: %d records, head %+v, %v", len(h.Records), h.Head, err)
	}
	if err := events.VerifyChain(h.Records); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadAt(ctx, []uint64{250, 1, 77})
	if err != nil || got[0].Hash != recs[249].Hash || got[1].Hash != recs[0].Hash || got[2].Hash != recs[76].Hash {
		t.Fatalf("ReadAt: %v", err)
	}
	if _, err := r.ReadAt(ctx, []uint64{251}); err == nil {
		t.Error("ReadAt past the end: no error")
	}
	if _, err := r.Append(ctx, eventlog.AppendRequest{Aggregate: recs[0].Aggregate}); !errors.Is(err, eventlog.ErrUnsupported) {
		t.Errorf("Append: %v, want ErrUnsupported", err)
	}
	if err := r.Scan(ctx, 0, true, func(eventlog.Stored) error { return nil }); !errors.Is(err, eventlog.ErrUnsupported) {
		t.Errorf("live Scan: %v, want ErrUnsupported", err)
	}
	if err := r.Import(ctx, chain(t, 251, 7)[250:]); !errors.Is(err, eventlog.ErrUnsupported) {
		t.Errorf("Import into a bundle open for reading: %v", err)
	}
}

// TestFileImportRefused: a record that does not link, and a batch that
// does not follow the bundle's last position, are refused and leave the
// file as it was.
func TestFileImportRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.jsonl")
	recs := chain(t, 30, 3)
	w := create(t, path)
	importAll(t, w, recs[:10], 10)
	before, _ := os.ReadFile(path)
	// Without recs[12], recs[15] (the same sheet) links to a record the
	// bundle does not hold.
	unlinked := append(append([]eventlog.Stored{}, recs[10:12]...), recs[13:20]...)
	err := w.Import(ctx, unlinked)
	if !errors.Is(err, eventlog.ErrBadRequest) || !strings.Contains(err.Error(), "source position 16, aggregate "+string(recs[15].Aggregate)) {
		t.Errorf("a record that does not link: %v", err)
	}
	if err := w.Import(ctx, recs[9:20]); !errors.Is(err, eventlog.ErrBadRequest) || !strings.Contains(err.Error(), "source position 10 does not follow 10") {
		t.Errorf("an import overlapping the bundle: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused import changed the file")
	}
	importAll(t, w, recs[10:], 20)
	same(t, scan(t, w, 0), recs)
}

// TestFileCrashRemnants: what an interrupted import leaves after the last
// commit (a torn line, whole record lines without their commit line, a
// torn first line) is ignored by Open, which leaves the file alone, and
// truncated by Create, which then goes on; every committed record stays.
func TestFileCrashRemnants(t *testing.T) {
	ctx := context.Background()
	recs := chain(t, 60, 4)
	var lines []string // the lines of a bundle of recs in two imports
	{
		path := filepath.Join(t.TempDir(), "log.jsonl")
		w := create(t, path)
		importAll(t, w, recs, 30)
		w.Close()
		raw, _ := os.ReadFile(path)
		lines = strings.SplitAfter(string(raw), "\n")
	}
	// lines: header, 30 records, commit, 30 records, commit, "".
	committed := strings.Join(lines[:32], "")
	cases := []struct {
		name, content, want string
		records             int
	}{
		{"a torn record line", committed + lines[32] + lines[33][:40], "line 34: torn line (40 bytes, no newline)", 30},
		{"record lines without their commit", committed + strings.Join(lines[32:62], ""), "30 record lines without their commit line", 30},
		{"a torn commit line", committed + strings.Join(lines[32:62], "") + lines[62][:20], "torn line", 30},
		{"a torn first line", lines[0][:10], "its first line is torn", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.jsonl")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := filelog.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Recovered(), tc.want) || !strings.Contains(r.Recovered(), "ignored") {
				t.Errorf("Open: recovered %q, want it to say %q and that it was ignored", r.Recovered(), tc.want)
			}
			same(t, scan(t, r, 0), recs[:tc.records])
			r.Close()
			if now, _ := os.ReadFile(path); string(now) != tc.content {
				t.Error("Open changed the file")
			}
			w := create(t, path)
			if !strings.Contains(w.Recovered(), tc.want) || !strings.Contains(w.Recovered(), "truncated") {
				t.Errorf("Create: recovered %q, want it to say %q and that it was truncated", w.Recovered(), tc.want)
			}
			if m, _ := w.Mirrored(ctx); m != uint64(tc.records) {
				t.Fatalf("Mirrored after the crash: %d, want %d", m, tc.records)
			}
			importAll(t, w, recs[tc.records:], 25)
			w.Close()
			r = open(t, path)
			if r.Recovered() != "" {
				t.Errorf("after resuming: recovered %q", r.Recovered())
			}
			same(t, scan(t, r, 0), recs)
		})
	}
}

// TestFileDamaged: a file damaged before its last commit (a byte changed
// in a committed line, a line cut out, a commit whose sum does not match)
// is refused by Open and Create with an error naming the line, and never
// truncated; a file that is not a bundle is refused and left alone.
func TestFileDamaged(t *testing.T) {
	recs := chain(t, 40, 4)
	path := filepath.Join(t.TempDir(), "log.jsonl")
	w := create(t, path)
	importAll(t, w, recs, 20)
	w.Close()
	raw, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(raw), "\n")
	// lines: header, 20 records, commit, 20 records, commit, "".
	flipped := strings.Replace(lines[5], `"hash":"`, `"hash":"0`, 1)
	cases := []struct{ name, content, want string }{
		{"a changed byte in an early record", strings.Join(lines[:5], "") + flipped + strings.Join(lines[6:], ""), "line 22"},
		{"a record line cut out", strings.Join(lines[:5], "") + strings.Join(lines[6:], ""), "line 21: commit of 20 records"},
		{"a changed byte in the last import", strings.Join(lines[:30], "") + strings.Replace(lines[30], `"version":`, `"version":1`, 1) + strings.Join(lines[31:], ""), "line 43: the 20 record lines before it hash to"},
		{"not a bundle", "position,aggregate\n1,student.HE1\n", "not a gradelog mirror file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.jsonl")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for name, op := range map[string]func(string) (*filelog.File, error){"Open": filelog.Open, "Create": filelog.Create} {
				f, err := op(path)
				if err == nil {
					f.Close()
					t.Fatalf("%s accepted the file", name)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %q does not say %q", name, err, tc.want)
				}
			}
			if now, _ := os.ReadFile(path); string(now) != tc.content {
				t.Error("the damaged file was changed")
			}
		})
	}
}

// TestFileLocked: a second process (here a second Create) cannot mirror
// into a bundle being written.
func TestFileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	w := create(t, path)
	if f, err := filelog.Create(path); err == nil || !strings.Contains(err.Error(), "locked") {
		if f != nil {
			f.Close()
		}
		t.Fatalf("a second Create: %v, want it refused as locked", err)
	}
	w.Close()
	create(t, path)
}

// BenchmarkFileScan reads a bundle of 20,000 records back.
func BenchmarkFileScan(b *testing.B) {
	path := filepath.Join(b.TempDir(), "log.jsonl")
	t := &testing.T{}
	recs := chain(t, 20_000, 500)
	w, err := filelog.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(recs); i += 500 {
		if err := w.Import(context.Background(), recs[i:i+500]); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	b.ResetTimer()
	for range b.N {
		r, err := filelog.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := r.Scan(context.Background(), 0, false, func(eventlog.Stored) error { n++; return nil }); err != nil || n != len(recs) {
			b.Fatal(err, n)
		}
		r.Close()
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestParseFastAgrees: the fast path of record lines decodes what the
// strict decoder decodes, and leaves to it every line written otherwise.
func TestParseFastAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	recs := chain(t, 3, 2)
	recs[1].Type, recs[1].Schema = "", 0
	w := create(t, path)
	importAll(t, w, recs, 3)
	w.Close()
	raw, _ := os.ReadFile(path)
	lines := strings.Split(string(raw), "\n")[1:4]
	same(t, scan(t, open(t, path), 0), recs)
	variants := []string{
		strings.Replace(lines[0], `{"position":1,`, `{ "position":1,`, 1),                        // a space
		strings.Replace(lines[0], `"hash":`, `"hash" :`, 1),                                      // a space
		strings.Replace(lines[0], `"aggregate":"sheet`, `"aggregate":"\u0073heet`, 1),            // an escape
		strings.Replace(lines[0], `"version":1,`, `"version":1,"extra":1,`, 1),                   // unknown field
		strings.Replace(lines[0], `"version":1,`, `"version":01,`, 1),                            // leading zero
		strings.Replace(lines[0], `"envelope":"`, `"envelope":"@`, 1),                            // not base64
		strings.Replace(lines[0], `{"position":1,"version":1,`, `{"version":1,"position":1,`, 1), // another order
	}
	for i, v := range variants {
		if v == lines[0] {
			t.Fatalf("variant %d changes nothing", i)
		}
		// The fast path takes none of them: the strict decoder accepts what
		// is still a record line beginning {"position": and refuses the rest.
		f := filepath.Join(t.TempDir(), "v.jsonl")
		body := `{"format":"` + filelog.Format + `"}` + "\n" + v + "\n"
		sum := sha256.Sum256([]byte(v + "\n"))
		os.WriteFile(f, []byte(body+fmt.Sprintf(`{"commit":{"records":1,"position":1,"sha256":"%x"}}`+"\n", sum)), 0o600)
		r, err := filelog.Open(f)
		switch i {
		case 1, 2:
			if err != nil {
				t.Errorf("variant %d: %v", i, err)
				continue
			}
			got := scan(t, r, 0)
			same(t, got, recs[:1])
			r.Close()
		default:
			if err == nil {
				r.Close()
				t.Errorf("variant %d accepted: %s", i, v)
			}
		}
	}
}
