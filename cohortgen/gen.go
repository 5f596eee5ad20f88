package cohortgen

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/rules"
)

// Programme is the seed programme's code.
const Programme = "MIAS"

// Options shape a generated dataset.
type Options struct {
	// Students is how many students follow the programme each year
	// (default 100): year 0 registers them all, later years keep those
	// who continue and register new ones up to Students.
	Students int
	// Years is how many academic years from 2025-2026 (default 1).
	Years int
	// Seed makes the dataset (default 1).
	Seed uint64
	// Workers is how many commands run at once on different aggregates
	// (default 32).
	Workers int
	// Progress, if set, is told each step as it starts.
	Progress func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Students == 0 {
		o.Students = 100
	}
	if o.Years == 0 {
		o.Years = 1
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Workers == 0 {
		o.Workers = 32
	}
}

// Stats is what Generate wrote.
type Stats struct {
	Students     int    `json:"students"`      // distinct students registered
	StudentYears int    `json:"student_years"` // PAEs validated
	Records      uint64 `json:"records"`       // the log's last position after generation
	Commands     int64  `json:"commands"`      // handler commands that wrote
	Imports      int64  `json:"imports"`       // sheet files uploaded (one atomic append each)
	Marks        int64  `json:"marks"`         // marks imported
	ABS          int64  `json:"abs"`
	PP           int64  `json:"pp"`
	CM           int64  `json:"cm"`     // justified absences the secretariat recorded
	Resits       int64  `json:"resits"` // entries at a second sitting of the year
	Decisions    int64  `json:"decisions"`
	Granted      int64  `json:"granted"` // UEs below 10 whose credits the jury granted
	GrantedOut   int64  `json:"granted_outside_criteria"`
	Refused      int64  `json:"refused"` // UEs to deliberate the jury refused
	Recognitions int64  `json:"recognitions"`
	Appeals      int64  `json:"appeals"`
	Upheld       int64  `json:"upheld"`
	Degrees      int64  `json:"degrees"`
	// Outcomes counts the decisions in force at the end of each year by
	// outcome; Bloc2 the students of each year with a bloc-2 UE in their
	// PAE.
	Years   []YearStats   `json:"years"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Samples of students to read back: some who followed every year
	// (Continuing) and those whose appeal was upheld.
	Continuing []string `json:"continuing,omitempty"`
	Appellants []string `json:"appellants,omitempty"`
}

// YearStats describes one generated year.
type YearStats struct {
	Year       string         `json:"year"`
	Students   int            `json:"students"`
	New        int            `json:"new"`
	Continuing int            `json:"continuing"`
	Bloc2      int            `json:"bloc2"`
	Outcomes   map[string]int `json:"outcomes"`
}

// counters are the Stats fields written concurrently.
type counters struct {
	commands, imports, marks, abs, pp, cm, resits, decisions    atomic.Int64
	granted, grantedOut, refused, recognitions, appeals, upheld atomic.Int64
	degrees                                                     atomic.Int64
}

// The staff.
var (
	system      = events.Actor{ID: "gradelog", Roles: []string{"system"}}
	secretariat = auth.Identity{ID: "secr.mias", Name: "Secrétariat MIAS", Roles: []string{auth.Secretariat}, Programmes: []string{Programme}}
	juryMembers = []events.JuryMember{
		{ID: "jury.president", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/9", "1/10"}},
		{ID: "jury.secretary", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"2/1", "2/2", "2/3"}},
		{ID: "jury.gerard", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/4", "1/5", "1/6", "1/7"}},
		{ID: "jury.wathelet", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/8", "1/13", "1/14"}},
		{ID: "jury.boulanger", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/11", "1/12", "2/10"}},
		{ID: "jury.hardy", Name: "Olivier Hardy", Institution: "HEPL", Teaches: []string{"2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/11"}},
	}
)

// Teacher is the teacher responsible for ue.
func Teacher(ue string) auth.Identity {
	id := "prof." + ue
	for i := range len(id) {
		if id[i] == '/' {
			id = id[:i] + "-" + id[i+1:]
		}
	}
	return auth.Identity{ID: id, Roles: []string{auth.Teacher}, UEs: []string{ue}}
}

// Secretariat is the programme's secretariat.
func Secretariat() auth.Identity { return secretariat }

// President is the jury's president (every year).
func President() auth.Identity { return member(0) }

func member(i int) auth.Identity {
	return auth.Identity{ID: juryMembers[i].ID, Name: juryMembers[i].Name, Roles: []string{auth.Jury}}
}

// Auditor reads everything.
func Auditor() auth.Identity {
	return auth.Identity{ID: "audit.bench", Name: "Audit", Roles: []string{auth.Auditor}}
}

// gen is one generation.
type gen struct {
	ctx   context.Context
	hs    *handlers.Handlers
	clock *clock.Clock
	opt   Options
	c     counters
	diff  map[string]float64 // per-UE difficulty, in marks
	next  int                // matricules given so far

	mu       sync.Mutex
	outcome  map[string]string // each student's decision in force at the latest session, by matricule
	upheld   []string
	commands atomic.Int64
}

// Generate writes the dataset of opt into hs's log through its command
// handlers. hs.Now must be clock.Now and its views (hs.Views) running; the
// log must be empty of students. Opening the log with
// eventlog.JetStreamConfig{Now: clock.Now} gives records the dates of the
// generated years.
func Generate(ctx context.Context, hs *handlers.Handlers, clock *clock.Clock, opt Options) (Stats, error) {
	opt.defaults()
	start := time.Now()
	if opt.Students < 1 || opt.Years < 1 {
		return Stats{}, fmt.Errorf("cohortgen: %d students over %d years: want at least one of each", opt.Students, opt.Years)
	}
	probe := time.Date(FirstYear, 9, 1, 0, 0, 0, 0, time.UTC)
	clock.Set(probe)
	if hs.Now == nil || !hs.Now().Equal(probe) {
		return Stats{}, errors.New("cohortgen: the handlers do not read the generator's clock; set hs.Now = clock.Now")
	}
	if err := hs.Views.CatchUp(ctx); err != nil {
		return Stats{}, fmt.Errorf("cohortgen: the views did not catch up: %w", err)
	}
	if n := len(hs.Cohort.Directory("", 1)); n > 0 {
		return Stats{}, errors.New("cohortgen: the log already holds students; generate into an empty log")
	}
	g := &gen{ctx: ctx, hs: hs, clock: clock, opt: opt, outcome: map[string]string{}, diff: map[string]float64{}}
	cat, _, err := Documents(0)
	if err != nil {
		return Stats{}, err
	}
	for _, ue := range cat.UEs {
		r := g.rng("difficulty", ue.Code)
		d := r.NormFloat64() * 0.9
		switch {
		case ue.Internship:
			d -= 1
		case ue.Thesis:
			d += 0.5
		}
		g.diff[ue.Code] = d
	}
	var stats Stats
	var roster []*student
	everyYear := map[string]int{}
	for k := range opt.Years {
		newcomers := g.newcomers(k, opt.Students-len(roster))
		ys, next, err := g.year(k, roster, newcomers)
		if err != nil {
			return Stats{}, err
		}
		for _, s := range append(slices.Clone(roster), newcomers...) {
			everyYear[s.Mat]++
		}
		stats.Years = append(stats.Years, ys)
		stats.StudentYears += ys.Students
		roster = next
	}
	for m, n := range everyYear {
		if n == opt.Years && opt.Years > 1 {
			stats.Continuing = append(stats.Continuing, m)
		}
	}
	slices.Sort(stats.Continuing)
	if len(stats.Continuing) > 100 {
		stats.Continuing = stats.Continuing[:100]
	}
	stats.Students = g.next
	stats.Appellants = slices.Compact(slices.Sorted(slices.Values(g.upheld)))
	if stats.Records, err = hs.Log.LastPosition(ctx); err != nil {
		return Stats{}, err
	}
	c := &g.c
	stats.Commands, stats.Imports, stats.Marks = c.commands.Load(), c.imports.Load(), c.marks.Load()
	stats.ABS, stats.PP, stats.CM, stats.Resits = c.abs.Load(), c.pp.Load(), c.cm.Load(), c.resits.Load()
	stats.Decisions, stats.Granted, stats.GrantedOut, stats.Refused = c.decisions.Load(), c.granted.Load(), c.grantedOut.Load(), c.refused.Load()
	stats.Recognitions, stats.Appeals, stats.Upheld, stats.Degrees = c.recognitions.Load(), c.appeals.Load(), c.upheld.Load(), c.degrees.Load()
	stats.Elapsed = time.Since(start)
	return stats, nil
}

func (g *gen) progress(format string, args ...any) {
	if g.opt.Progress != nil {
		g.opt.Progress(format, args...)
	}
}

// rng is a generator of its own for one decision of the dataset, so that
// the dataset does not depend on the order commands run in.
func (g *gen) rng(parts ...string) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(g.opt.Seed, h.Sum64()))
}

// command is ctx with the command the facts written under it are caused
// by, for their history.
func (g *gen) command(what string) context.Context {
	n := g.commands.Add(1)
	g.c.commands.Add(1)
	return handlers.WithCommand(g.ctx, handlers.Command{ID: fmt.Sprintf("gen-%d-%d", g.opt.Seed, n),
		What: "gradelog bench: " + what, Correlation: fmt.Sprintf("gen-%d", g.opt.Seed)})
}

// at moves the clock to a Brussels wall-clock time of day d.
func (g *gen) at(d rules.Date, hour, minute int) {
	y, m, day := d.Time().Date()
	g.clock.Set(time.Date(y, m, day, hour, minute, 0, 0, brussels))
}

func (g *gen) on(y int, m time.Month, d, hour, minute int) {
	g.clock.Set(time.Date(y, m, d, hour, minute, 0, 0, brussels))
}

var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in by handlers
	}
	return loc
}()

// year generates academic year k for the continuing students and the
// newcomers, and returns who continues into year k+1.
func (g *gen) year(k int, continuing, newcomers []*student) (YearStats, []*student, error) {
	year := YearOf(k)
	ys := YearStats{Year: year, New: len(newcomers), Continuing: len(continuing), Outcomes: map[string]int{}}
	cat, rs, err := Documents(k)
	if err != nil {
		return ys, nil, err
	}
	start := FirstYear + k
	g.on(start, 9, 15, 8, 0)
	g.progress("%s: documents, jury, calendar", year)
	if _, err := g.hs.PublishCatalog(g.command("publish the documents of "+year), cat, rs, system); err != nil {
		return ys, nil, fmt.Errorf("cohortgen: publish %s: %w", year, err)
	}
	g.on(start, 9, 15, 8, 30)
	if _, err := g.hs.ConstituteJury(g.command("constitute the jury of "+year), secretariat, "", Programme, year,
		handlers.JuryInput{President: juryMembers[0].ID, Secretary: juryMembers[1].ID, Members: juryMembers}); err != nil {
		return ys, nil, fmt.Errorf("cohortgen: jury of %s: %w", year, err)
	}
	for _, q := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		if _, err := g.hs.ScheduleSession(g.command("schedule "+string(q)+" "+year), secretariat, "", year, q, handlers.Schedule{}); err != nil {
			return ys, nil, fmt.Errorf("cohortgen: schedule %s %s: %w", q, year, err)
		}
	}
	g.progress("%s: %d new students registered and admitted", year, len(newcomers))
	g.on(start, 9, 15, 9, 0)
	if err := pool(g.ctx, g.opt.Workers, newcomers, func(s *student) error { return g.enrol(k, s) }); err != nil {
		return ys, nil, err
	}
	everyone := append(slices.Clone(continuing), newcomers...)
	ys.Students = len(everyone)
	g.progress("%s: %d PAEs", year, len(everyone))
	g.on(start, 10, 13, 9, 0)
	var bloc2 atomic.Int64
	if err := pool(g.ctx, g.opt.Workers, everyone, func(s *student) error {
		ues, err := g.pae(k, s, cat)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ues, func(c string) bool { u, _ := cat.UE(c); return u.Bloc == 2 }) {
			bloc2.Add(1)
		}
		_, err = g.hs.ValidatePAE(g.command("validate the PAE of "+s.Mat), secretariat, "", s.Mat, year, handlers.PAERequest{UEs: ues})
		if err != nil {
			return fmt.Errorf("cohortgen: PAE of %s for %s (%v): %w", s.Mat, year, ues, err)
		}
		return nil
	}); err != nil {
		return ys, nil, err
	}
	ys.Bloc2 = int(bloc2.Load())
	for _, q := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		if err := g.session(k, cat, rs, q, everyone); err != nil {
			return ys, nil, err
		}
	}
	var next []*student
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range everyone {
		o := g.outcome[s.Mat]
		ys.Outcomes[o]++
		if o == string(rules.CycleCompleted) || g.rng("leaves", s.Mat, year).Float64() < 0.07 {
			continue
		}
		next = append(next, s)
	}
	return ys, next, nil
}

// pool runs f on every item from `workers` goroutines and returns the
// first error; after one, the items not started are skipped.
func pool[T any](ctx context.Context, workers int, items []T, f func(T) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	for range min(workers, len(items)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) || failed() || ctx.Err() != nil {
					return
				}
				if err := f(items[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
