package projections_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// The golden scenario tests: testdata/<scenario>/events.jsonl (one stored
// envelope per line, position = line number) is folded into a fresh
// Cohort, and every view of every student of the scenario is compared,
// byte for byte, with testdata/<scenario>/*.golden.json.
//
//	go test ./projections -run Golden -update    rewrites the golden views
//	go test ./projections -run Golden -generate  rewrites events.jsonl from scenario_test.go
//
// A golden view is accepted only once checked against the hand-computed
// figures of the scenario's notes.md.
var (
	goldenUpdate   = flag.Bool("update", false, "rewrite testdata/<scenario>/*.golden.json from the views")
	goldenGenerate = flag.Bool("generate", false, "rewrite testdata/<scenario>/events.jsonl from the scenario builders")
)

func TestGolden(t *testing.T) {
	if *goldenGenerate {
		for _, sc := range goldenScenarios {
			writeGoldenEvents(t, sc)
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < len(goldenScenarios) {
		t.Errorf("%d scenarios are written in scenario_test.go but only %d have an events.jsonl; run with -generate", len(goldenScenarios), len(files))
	}
	for _, file := range files {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			recs := readGoldenEvents(t, file)
			checkGolden(t, dir, renderGolden(t, recs))
		})
	}
}

// TestGoldenDeterministic: the same records folded into two fresh cohorts
// give byte-identical snapshots.
func TestGoldenDeterministic(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			t.Parallel()
			var snaps [2][]byte
			for i := range snaps {
				c := projections.NewCohort()
				for _, r := range readGoldenEvents(t, file) {
					c.Apply(r)
				}
				snap, err := c.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				snaps[i] = snap
			}
			if !bytes.Equal(snaps[0], snaps[1]) {
				t.Errorf("two folds of the same records give different snapshots:\n%s", cmp.Diff(string(snaps[0]), string(snaps[1])))
			}
		})
	}
}

// writeGoldenEvents runs a scenario's builder and writes its records.
func writeGoldenEvents(t *testing.T, sc goldenScenario) {
	t.Helper()
	b := newScBuilder(t)
	sc.build(b)
	dir := filepath.Join("testdata", sc.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, line := range b.lines {
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "events.jsonl"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readGoldenEvents decodes a scenario's records, positions and versions set to
// their line numbers, and checks every aggregate's hash chain.
func readGoldenEvents(t *testing.T, file string) []events.Record {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []events.Record
	var chains events.Verifier
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		line := slices.Clone(sc.Bytes())
		rec, err := events.Decode(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", file, len(out)+1, err)
		}
		rec.Position = uint64(len(out) + 1)
		rec.Version = rec.Position
		if err := chains.Add(rec.Aggregate, rec.Position, rec.Data, ""); err != nil {
			t.Fatalf("%s:%d: %v", file, rec.Position, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// goldenSource is a TEST-ONLY, in-memory projections.Source over decoded
// records: position p is records[p-1]. It stands in for the event log.
type goldenSource []events.Record

func (m goldenSource) ReadAt(_ context.Context, positions []uint64) ([]events.Record, error) {
	out := make([]events.Record, 0, len(positions))
	for _, p := range positions {
		if p == 0 || p > uint64(len(m)) {
			return nil, fmt.Errorf("memSource: no record at position %d (the log holds %d)", p, len(m))
		}
		out = append(out, m[p-1])
	}
	return out, nil
}

// goldenView is one rendered view and the file it is compared with.
type goldenView struct {
	name string
	view any
}

// goldenMark is a record of interest to the plan: where it is and what it is
// about.
type goldenMark struct {
	pos     uint64
	year    string
	session catalog.Session
}

// goldenPlan is what a scenario's records say to render: the students, their
// years and sessions, and the moments worth an as-of view.
type goldenPlan struct {
	students   []string
	registered map[string]uint64
	years      map[string][]string
	sessions   map[string]map[string][]catalog.Session // by student and year
	decisions  map[string][]goldenMark
	paes       map[string][]goldenMark
	about      map[string][]uint64
	scheduled  map[string][]catalog.Session // by year
}

func goldenPlanOf(recs []events.Record) goldenPlan {
	p := goldenPlan{registered: map[string]uint64{}, years: map[string][]string{}, sessions: map[string]map[string][]catalog.Session{},
		decisions: map[string][]goldenMark{}, paes: map[string][]goldenMark{}, about: map[string][]uint64{}, scheduled: map[string][]catalog.Session{}}
	addYear := func(m, year string) {
		if !slices.Contains(p.years[m], year) {
			p.years[m] = append(p.years[m], year)
			slices.Sort(p.years[m])
		}
	}
	addSession := func(m, year string, s catalog.Session) {
		addYear(m, year)
		if p.sessions[m] == nil {
			p.sessions[m] = map[string][]catalog.Session{}
		}
		if !slices.Contains(p.sessions[m][year], s) {
			p.sessions[m][year] = append(p.sessions[m][year], s)
			slices.Sort(p.sessions[m][year])
		}
	}
	for _, r := range recs {
		m := events.AboutStudent(r.Event)
		if r.Aggregate.Kind() == events.KindStudent {
			m = r.Aggregate.Tokens()[0]
		}
		if m != "" {
			p.about[m] = append(p.about[m], r.Position)
		}
		switch e := r.Event.(type) {
		case events.SessionScheduled:
			p.scheduled[e.Year] = append(p.scheduled[e.Year], catalog.Session(e.Session))
		case events.StudentRegistered:
			p.students = append(p.students, e.Matricule)
			p.registered[e.Matricule] = r.Position
		case events.PAEValidated:
			addYear(m, e.Year)
			p.paes[m] = append(p.paes[m], goldenMark{pos: r.Position, year: e.Year})
		case events.CreditsRecognised:
			addYear(m, e.Year)
		case events.MarkRecorded, events.MarkCorrected, events.MarkCarriedOver:
			year, s, _, _ := projections.SheetParts(r.Aggregate)
			addSession(m, year, s)
		case events.DecisionRecorded:
			t := r.Aggregate.Tokens()
			addSession(m, t[1], catalog.Session(t[2]))
			p.decisions[m] = append(p.decisions[m], goldenMark{r.Position, t[1], catalog.Session(t[2])})
		}
	}
	return p
}

// renderGolden computes every view the scenario's plan names.
func renderGolden(t *testing.T, recs []events.Record) []goldenView {
	t.Helper()
	ctx := t.Context()
	c := projections.NewCohort()
	for _, r := range recs {
		c.Apply(r)
	}
	src := goldenSource(recs)
	p := goldenPlanOf(recs)
	var out []goldenView
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, goldenView{name, v})
	}
	for _, m := range p.students {
		for _, year := range p.years[m] {
			v, err := c.Transcript(m, year)
			add(fmt.Sprintf("%s.transcript.%s", m, year), v, err)
			for _, s := range p.sessions[m][year] {
				v, err := c.Dossier(m, year, s)
				add(fmt.Sprintf("%s.dossier.%s.%s", m, year, s), v, err)
			}
		}
		l, err := c.Ledger(m)
		add(m+".ledger", l, err)
		r, err := c.Readiness(m)
		add(m+".readiness", r, err)
		h, err := c.History(ctx, src, m, eventlog.Until{}, projections.HistoryFilter{})
		add(m+".history", h, err)

		// As of: before the registration, half-way through the student's
		// records, before each jury decision (the dossier the jury read)
		// and before each later PAE (the readiness it was validated on).
		first := p.years[m][0]
		before, err := c.TranscriptAsOf(ctx, src, m, first, eventlog.Until{Position: p.registered[m] - 1})
		add(fmt.Sprintf("%s.transcript.%s.before-registration", m, first), before, err)
		mid := p.about[m][len(p.about[m])/2]
		year := first
		for _, pae := range p.paes[m] {
			if pae.pos <= mid {
				year = pae.year
			}
		}
		asOf, err := c.TranscriptAsOf(ctx, src, m, year, eventlog.Until{Position: mid})
		add(fmt.Sprintf("%s.transcript.%s.as-of-%d", m, year, mid), asOf, err)
		for _, d := range p.decisions[m] {
			v, err := c.DossierAsOf(ctx, src, m, d.year, d.session, eventlog.Until{Position: d.pos - 1})
			add(fmt.Sprintf("%s.dossier.%s.%s.before-decision-%d", m, d.year, d.session, d.pos), v, err)
		}
		for _, pae := range p.paes[m][1:] {
			v, err := c.ReadinessAsOf(ctx, src, m, eventlog.Until{Position: pae.pos - 1})
			add(fmt.Sprintf("%s.readiness.before-pae-%s", m, pae.year), v, err)
		}
	}
	for _, year := range slices.Sorted(maps.Keys(p.scheduled)) {
		for _, s := range p.scheduled[year] {
			v, err := c.SheetStatuses(year, s)
			add(fmt.Sprintf("sheets.%s.%s", year, s), v, err)
		}
	}
	return out
}

// checkGolden compares each view, as indented JSON, with its golden file
// in dir (rewriting them with -update), and reports golden files no view
// produces any more (removing them with -update).
func checkGolden(t *testing.T, dir string, views []goldenView) {
	t.Helper()
	want := map[string]bool{}
	for _, g := range views {
		file := filepath.Join(dir, g.name+".golden.json")
		want[file] = true
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(g.view); err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		got := buf.Bytes()
		if *goldenUpdate {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run with -update to write it)", g.name, err)
			continue
		}
		if !bytes.Equal(old, got) {
			t.Errorf("%s differs from %s (-golden +got):\n%s", g.name, file, cmp.Diff(string(old), string(got)))
		}
	}
	stale, err := filepath.Glob(filepath.Join(dir, "*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range stale {
		switch {
		case want[file]:
		case *goldenUpdate:
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
		default:
			t.Errorf("%s: no view renders it any more (run with -update to remove it)", strings.TrimPrefix(file, dir+string(filepath.Separator)))
		}
	}
}
