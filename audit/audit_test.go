package audit_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
)

// student is the scenario's student with a correction, a deliberated UE
// and an appeal (projections/testdata/corrections-and-appeals).
const (
	scenario = "../projections/testdata/corrections-and-appeals/events.jsonl"
	student  = "HE250008"
)

var exportedAt = time.Date(2026, 9, 30, 10, 0, 0, 0, time.UTC)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// logOf appends the scenario's events, in order, to a fresh log on an
// embedded server.
func logOf(t *testing.T) *eventlog.JetStream {
	t.Helper()
	s := natstest.ServerIn(t, t.TempDir(), true)
	l, err := eventlog.OpenJetStream(ctxT(t), natstest.Conn(t, s), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(scenario)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heads := map[events.AggregateID]events.Head{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		r, err := events.Decode(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.Append(ctxT(t), eventlog.AppendRequest{Aggregate: r.Aggregate, Head: heads[r.Aggregate],
			Events: []events.Pending{{Event: r.Event, Actor: r.Actor, OccurredAt: r.OccurredAt}}})
		if err != nil {
			t.Fatal(err)
		}
		heads[r.Aggregate] = got.Head()
	}
	return l
}

func export(t *testing.T, l eventlog.Log) []byte {
	t.Helper()
	b, err := audit.Export(ctxT(t), l, student, audit.ExportOptions{By: "audit.martin", At: exportedAt})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verify(b []byte, h *audit.Heads) audit.BundleReport {
	return audit.VerifyBundle(bytes.NewReader(b), int64(len(b)), h)
}

// heads verifies the whole log and returns the heads to publish.
func heads(t *testing.T, l eventlog.Log) *audit.Heads {
	t.Helper()
	rep, err := audit.VerifyLog(ctxT(t), l, "", exportedAt)
	if err != nil || !rep.OK() || rep.Heads == nil {
		t.Fatalf("VerifyLog: %+v, %v", rep, err)
	}
	var buf bytes.Buffer
	if err := audit.WriteHeads(&buf, *rep.Heads); err != nil {
		t.Fatal(err)
	}
	h, err := audit.ReadHeads(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return &h
}

func TestBundleVerifiesOffline(t *testing.T) {
	l := logOf(t)
	b := export(t, l)
	h := heads(t, l)
	rep := verify(b, h)
	if !rep.OK() {
		t.Fatalf("an intact bundle: %v", rep.Problems)
	}
	m := rep.Manifest
	if m.Matricule != student || m.Records == 0 || rep.Facts == 0 || rep.HeadsChecked != len(m.Chains) {
		t.Fatalf("report: %+v", rep)
	}
	// The scope: the student's chain, the year's documents, the jury and
	// deliberations of the programme, the sheets of the PAE's UEs; no
	// other student's chain.
	for a := range m.Chains {
		if a.Kind() == events.KindStudent && a != events.StudentOf(student) {
			t.Errorf("bundle holds another student's chain %s", a)
		}
	}
	for _, want := range []events.AggregateID{events.StudentOf(student), events.CatalogOf("2025-2026"), events.DeliberationOf("MIAS", "2025-2026", "Q2")} {
		if _, ok := m.Chains[want]; !ok {
			t.Errorf("bundle misses %s; it has %v", want, slices.Sorted(maps.Keys(m.Chains)))
		}
	}
	// Exporting again at the same moment gives the same bytes.
	if again := export(t, l); !bytes.Equal(again, b) {
		t.Error("two exports of the same log at the same moment differ")
	}
	// A student's own verification covers the same chains.
	sr, err := audit.VerifyLog(ctxT(t), l, student, exportedAt)
	if err != nil || !sr.OK() || sr.Chains != len(m.Chains) || sr.Heads != nil {
		t.Fatalf("VerifyLog of the student: %+v, %v (bundle has %d chains)", sr, err, len(m.Chains))
	}
	if _, err := audit.VerifyLog(ctxT(t), l, "HE999999", exportedAt); err == nil {
		t.Fatal("VerifyLog of an unknown student succeeded")
	}
}

// bundleFiles reads a bundle's files.
func bundleFiles(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// rezip writes files back as a bundle, in the usual order, then any other.
func rezip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	names := []string{"manifest.json", "events.jsonl", "report.pdf"}
	for n := range files {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		data, ok := files[n]
		if !ok {
			continue
		}
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type jsonLine struct {
	Position  uint64             `json:"position"`
	Aggregate events.AggregateID `json:"aggregate"`
	Hash      string             `json:"hash"`
	Envelope  string             `json:"envelope"`
}

func lines(t *testing.T, data []byte) []jsonLine {
	t.Helper()
	var out []jsonLine
	for _, s := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var l jsonLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func unlines(t *testing.T, ls []jsonLine) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range ls {
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func envelope(t *testing.T, l jsonLine) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(l.Envelope)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// markLine finds the line of the student's first recorded mark.
func markLine(t *testing.T, ls []jsonLine) int {
	t.Helper()
	for i, l := range ls {
		if env := envelope(t, l); bytes.Contains(env, []byte(`"mark.recorded"`)) && bytes.Contains(env, []byte(student)) && bytes.Contains(env, []byte(`"mark":"`)) {
			return i
		}
	}
	t.Fatal("no mark of the student in the bundle")
	return 0
}

// alterMark changes the first mark digit of an envelope.
func alterMark(t *testing.T, env []byte) []byte {
	t.Helper()
	i := bytes.Index(env, []byte(`"mark":"`)) + len(`"mark":"`)
	out := slices.Clone(env)
	if out[i] == '9' {
		out[i] = '8'
	} else {
		out[i]++
	}
	return out
}

func TestTamperedBundlesFail(t *testing.T) {
	l := logOf(t)
	b := export(t, l)
	h := heads(t, l)
	files := bundleFiles(t, b)
	ls := lines(t, files["events.jsonl"])
	at := markLine(t, ls)

	with := func(name string, data []byte) []byte {
		f := maps.Clone(files)
		f[name] = data
		return rezip(t, f)
	}
	withLines := func(ls []jsonLine) []byte { return with("events.jsonl", unlines(t, ls)) }

	// A forger who alters a mark and recomputes every hash after it, in
	// its chain, so that the bundle is consistent in itself: only the
	// published heads catch it.
	forged := slices.Clone(ls)
	{
		agg := forged[at].Aggregate
		prev, prevNew := "", ""
		for i := range forged {
			if forged[i].Aggregate != agg {
				continue
			}
			env := envelope(t, forged[i])
			if i == at {
				env = alterMark(t, env)
			}
			if prev != "" && prevNew != prev {
				env = bytes.Replace(env, []byte(`"prev":"`+prev+`"`), []byte(`"prev":"`+prevNew+`"`), 1)
			}
			prev = forged[i].Hash
			forged[i].Envelope = base64.StdEncoding.EncodeToString(env)
			forged[i].Hash = events.HashOf(env)
			prevNew = forged[i].Hash
		}
	}
	forgedManifest := func() []byte {
		var m audit.Manifest
		if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
			t.Fatal(err)
		}
		agg := forged[at].Aggregate
		c := m.Chains[agg]
		for _, l := range forged {
			if l.Aggregate == agg {
				c.Hash = l.Hash
			}
		}
		m.Chains[agg] = c
		out, _ := json.MarshalIndent(m, "", "  ")
		return append(out, '\n')
	}
	// The chain of a sheet left out, and the manifest told so.
	var dropped events.AggregateID
	for _, l := range ls {
		if l.Aggregate.Kind() == events.KindSheet {
			dropped = l.Aggregate
			break
		}
	}
	var withoutSheet []jsonLine
	for _, l := range ls {
		if l.Aggregate != dropped {
			withoutSheet = append(withoutSheet, l)
		}
	}
	omittedManifest := func() []byte {
		var m audit.Manifest
		json.Unmarshal(files["manifest.json"], &m)
		delete(m.Chains, dropped)
		m.Records = len(withoutSheet)
		out, _ := json.MarshalIndent(m, "", "  ")
		return append(out, '\n')
	}

	type tc struct {
		name   string
		bundle []byte
		heads  *audit.Heads
		want   string // in some problem
	}
	altered := slices.Clone(ls)
	altered[at].Envelope = base64.StdEncoding.EncodeToString(alterMark(t, envelope(t, ls[at])))
	rehashed := slices.Clone(ls)
	rehashed[at].Envelope, rehashed[at].Hash = altered[at].Envelope, events.HashOf(alterMark(t, envelope(t, ls[at])))
	removed := slices.Delete(slices.Clone(ls), at, at+1)
	swapped := slices.Clone(ls)
	swapped[at].Position, swapped[at+1].Position = swapped[at+1].Position, swapped[at].Position
	swapped[at], swapped[at+1] = swapped[at+1], swapped[at]
	badPDF := slices.Clone(files["report.pdf"])
	badPDF[len(badPDF)/2] ^= 0x20
	cases := []tc{
		{"a mark altered, its hash left", withLines(altered), nil, "differs from the stored hash"},
		{"a mark altered and its hash recomputed", withLines(rehashed), nil, "previous hash"},
		{"a record removed", withLines(removed), nil, "previous hash"},
		{"two records swapped", withLines(swapped), nil, ""},
		{"a forged chain, consistent in itself, against the heads", with("events.jsonl", unlines(t, forged)), h, "differ from those published"},
		{"a sheet left out, against the heads", rezip(t, map[string][]byte{"manifest.json": omittedManifest(), "events.jsonl": unlines(t, withoutSheet), "report.pdf": files["report.pdf"]}), h, "missing from the bundle"},
		{"the report altered", with("report.pdf", badPDF), nil, "report.pdf"},
		{"a line cut short", with("events.jsonl", files["events.jsonl"][:len(files["events.jsonl"])-40]), nil, "line"},
		{"a line that is not JSON", with("events.jsonl", append(slices.Clone(files["events.jsonl"]), "{not json\n"...)), nil, "not a record line"},
		{"the archive truncated", b[:len(b)*2/3], nil, "not a bundle"},
		{"an empty file", nil, nil, "not a bundle"},
		{"an extra file", with("notes.txt", []byte("trust me")), nil, "unexpected file"},
		{"the manifest gone", rezip(t, map[string][]byte{"events.jsonl": files["events.jsonl"], "report.pdf": files["report.pdf"]}), nil, "missing"},
		{"a manifest with an unknown field", with("manifest.json", bytes.Replace(files["manifest.json"], []byte(`"format"`), []byte(`"verified":true,"format"`), 1)), nil, "unknown field"},
	}
	// The forged chain is consistent in itself: without heads it passes
	// but for its report, which names the altered mark; with the report
	// regenerated by the forger too, only the heads catch it.
	forgedOnly := rezip(t, map[string][]byte{"manifest.json": forgedManifest(), "events.jsonl": unlines(t, forged), "report.pdf": files["report.pdf"]})
	if rep := verify(forgedOnly, nil); rep.OK() || !strings.Contains(problems(rep), "report.pdf") {
		t.Errorf("forged chain with the old report, no heads: %v", rep.Problems)
	}
	cases = append(cases, tc{"a forged chain with its manifest, against the heads", forgedOnly, h, "differ from those published"})
	for _, c := range cases {
		rep := verify(c.bundle, c.heads)
		if rep.OK() {
			t.Errorf("%s: verified", c.name)
			continue
		}
		if !strings.Contains(problems(rep), c.want) {
			t.Errorf("%s: problems %q, want one saying %q", c.name, problems(rep), c.want)
		}
	}
}

func problems(rep audit.BundleReport) string {
	s := make([]string, len(rep.Problems))
	for i, p := range rep.Problems {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}

func TestHeadsFileAltered(t *testing.T) {
	l := logOf(t)
	h := heads(t, l)
	var buf bytes.Buffer
	audit.WriteHeads(&buf, *h)
	for a, link := range h.Chains {
		link.Records++
		h.Chains[a] = link
		break
	}
	var altered bytes.Buffer
	audit.WriteHeads(&altered, *h)
	if _, err := audit.ReadHeads(&altered); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Fatalf("an altered heads file: %v", err)
	}
	if _, err := audit.ReadHeads(&buf); err != nil {
		t.Fatal(err)
	}
	// Heads published after the bundle cannot vouch for it.
	b := export(t, l)
	later := *h
	later.Position += 1000
	if rep := verify(b, &later); rep.OK() || !strings.Contains(problems(rep), "after the bundle") {
		t.Fatalf("heads newer than the bundle: %v", rep.Problems)
	}
}
