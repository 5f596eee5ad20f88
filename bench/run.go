package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/projections"
)

// Result is one run of the benchmark.
type Result struct {
	Dataset    Dataset `json:"dataset"`
	Durability string  `json:"durability"` // "sync-always" (both sides fsync every write) or "fast-sync"
	Machine    string  `json:"machine"`
	// CatchUp is how long the live views took to fold the dataset when
	// the run started (a cold start of a server without checkpoint).
	CatchUp time.Duration `json:"catch_up_ns"`
	Lines   []Line        `json:"workloads"`
	Budgets []Budget      `json:"budgets"`
	Started time.Time     `json:"started"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Line is one workload: our figure, the raw JetStream ceiling measured in
// the same run, and how ours compares.
type Line struct {
	Name  string  `json:"name"`
	Title string  `json:"title"`
	Unit  string  `json:"unit"` // of Ours and Raw: a rate ("marks/s") or a time ("ms")
	Ours  float64 `json:"ours"`
	Raw   float64 `json:"raw"`
	// Ratio compares ours with raw so that 1 is as fast as raw and less is
	// slower: ours/raw for a rate, raw/ours for a time.
	Ratio float64 `json:"ratio"`
	Ops   int     `json:"ops"` // operations measured on each side
	// What one operation is on each side.
	What  string             `json:"what"`
	Extra map[string]float64 `json:"extra,omitempty"`
}

// Budget is one of issue 10's budgets, checked on this run.
type Budget struct {
	Name  string  `json:"name"`
	Limit string  `json:"limit"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Pass  bool    `json:"pass"`
	// Margin is by how much the value is inside (PASS) or outside (MISS)
	// the limit, relative to the limit.
	Margin float64 `json:"margin"`
	Note   string  `json:"note,omitempty"`
}

// sizes are how many operations each workload measures per side.
type sizes struct {
	append1, append64, imports, reads, asOf, dossiers, dossierOps, passes int
}

var (
	fullSizes  = sizes{append1: 1000, append64: 3200, imports: 8, reads: 4000, asOf: 40, dossiers: 200, dossierOps: 2, passes: 2}
	quickSizes = sizes{append1: 16, append64: 128, imports: 2, reads: 200, asOf: 2, dossiers: 10, dossierOps: 1, passes: 1}
)

// writers is how many validated commands run at once in the concurrent
// append workload, and readers how many clients read transcripts at once
// by default.
const (
	writers = 64
	readers = 8
)

// Run generates or reuses the dataset of cfg, then runs every workload on
// a copy of it and checks the budgets.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg.defaults()
	d, err := cfg.Dataset(ctx)
	if err != nil {
		return Result{}, err
	}
	res := Result{Dataset: d, Durability: "sync-always", Started: time.Now(),
		Machine: fmt.Sprintf("%s/%s, %d CPUs (GOMAXPROCS %d)", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))}
	if cfg.FastSync {
		res.Durability = "fast-sync"
	}
	work := filepath.Join(cfg.Data, "run")
	if err := os.RemoveAll(work); err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	cfg.logf("copying the dataset (%s) to %s", bytesText(d.StoreBytes), work)
	if err := copyDir(filepath.Join(work, "nats"), filepath.Join(cfg.Data, "nats")); err != nil {
		return res, err
	}
	run := benchraw.NewRun()
	defer run.Close()
	b := &bencher{cfg: cfg, d: d, run: run, res: &res, work: work, sz: fullSizes}
	if cfg.Quick {
		b.sz = quickSizes
	}
	if err := run.Do(func() { b.start(ctx) }); err != nil {
		return res, err
	}
	for _, w := range []struct {
		name string
		f    func()
	}{
		{"append-1", b.appendOne}, {"append-64", b.appendMany}, {"import", b.importSheets},
		{"transcripts", b.transcripts}, {"as-of", b.asOf}, {"dossiers", b.dossiers},
		{"rebuild", b.rebuild}, {"verify", b.verify},
	} {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, w.name) {
			continue
		}
		cfg.logf("%s", w.name)
		if err := run.Do(w.f); err != nil {
			return res, fmt.Errorf("bench: %s: %w", w.name, err)
		}
	}
	res.Budgets = budgets(res)
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

// bencher holds what the workloads share: the server on the run's copy,
// gradelog's handlers with their live views, the raw side.
type bencher struct {
	cfg    Config
	d      Dataset
	sz     sizes
	run    *benchraw.Run
	res    *Result
	work   string
	ctx    context.Context
	env    *benchraw.Env
	hs     *handlers.Handlers
	cat    *catalog.Catalog
	stream jetstream.Stream // the raw side's handle on our stream, for direct gets
	docs   []uint64         // positions of the documents (catalogs, rulesets, calendars)
	desks  []*desk
}

// start opens the copy (with the durability measured), folds the live
// views and starts the handlers on them, with a clock in the Q1 exams of
// the fixture's year.
func (b *bencher) start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	b.run.Cleanup(cancel)
	b.ctx = ctx
	b.env = benchraw.New(b.run, filepath.Join(b.work, "nats"), b.cfg.FastSync)
	start := time.Now()
	c := projections.NewCohort()
	if err := c.Replay(b.ctx, b.env.Log, 0, nil); err != nil {
		b.run.Fatal(err)
	}
	b.res.CatchUp = time.Since(start)
	b.cfg.logf("views caught up with %d records in %s", c.Position(), b.res.CatchUp.Round(time.Millisecond))
	b.hs = handlers.On(b.env.Log, c)
	brussels, _ := time.LoadLocation("Europe/Brussels")
	now := time.Date(cohortgen.FirstYear+b.d.Years+1, 1, 12, 10, 0, 0, 0, brussels)
	b.hs.Now = func() time.Time { return now }
	b.run.Cleanup(runViews(b.ctx, b.hs))
	var err error
	if b.stream, err = b.env.Raw.Stream(b.ctx, "GRADELOG"); err != nil {
		b.run.Fatal(err)
	}
	docs, ok := c.Documents(b.d.Fixture.Year)
	if !ok {
		b.run.Fatalf("no documents for the fixture's year %s", b.d.Fixture.Year)
	}
	b.cat = docs.Catalog
	for k := range b.d.Years + 1 {
		for _, a := range []events.AggregateID{events.CatalogOf(cohortgen.YearOf(k)), events.CalendarOf(cohortgen.YearOf(k))} {
			h, err := b.env.Log.Load(b.ctx, a, eventlog.Until{})
			if err != nil {
				b.run.Fatal(err)
			}
			for _, r := range h.Records {
				b.docs = append(b.docs, r.Position)
			}
		}
	}
	slices.Sort(b.docs)
	b.desks = desks(b.run, b.cat, b.d.Fixture)
	if len(b.desks) != writers {
		b.run.Fatalf("the fixture has %d sheets for %d writers", len(b.desks), writers)
	}
}

// add records a line.
func (b *bencher) add(l Line) {
	b.res.Lines = append(b.res.Lines, l)
	b.cfg.logf("  %s: ours %.4g %s, raw %.4g, ratio %.2f", l.Name, l.Ours, l.Unit, l.Raw, l.Ratio)
}

// rate is a line of a rate: units done in ops operations on each side.
func rate(name, title, unit, what string, ops, units int, rawD, oursD time.Duration) Line {
	ours, raw := float64(units)/oursD.Seconds(), float64(units)/rawD.Seconds()
	return Line{Name: name, Title: title, Unit: unit, Ours: ours, Raw: raw, Ratio: ours / raw, Ops: ops, What: what,
		Extra: map[string]float64{"ours_ms_per_op": ms(oursD) / float64(ops), "raw_ms_per_op": ms(rawD) / float64(ops)}}
}

// timed is a line of a time per operation.
func timed(name, title, what string, ops int, rawD, oursD time.Duration) Line {
	ours, raw := ms(oursD)/float64(ops), ms(rawD)/float64(ops)
	return Line{Name: name, Title: title, Unit: "ms", Ours: ours, Raw: raw, Ratio: raw / ours, Ops: ops, What: what}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// positionsOf are the positions a reconstruction of mat as of bound
// reads: the documents and the student's records up to it.
func (b *bencher) positionsOf(mat string, bound uint64) []uint64 {
	h, err := b.hs.Cohort.History(b.ctx, b.env.Log, mat, eventlog.Until{Position: bound}, projections.HistoryFilter{})
	if err != nil {
		b.run.Fatal(err)
	}
	var out []uint64
	for _, p := range b.docs {
		if p <= bound {
			out = append(out, p)
		}
	}
	for _, e := range h.Entries {
		out = append(out, e.Position)
	}
	slices.Sort(out)
	return out
}
