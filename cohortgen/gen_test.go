package cohortgen_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// generate writes a dataset into a fresh log (fast sync) and returns the
// handlers on it.
func generate(t *testing.T, opt cohortgen.Options) (*handlers.Handlers, cohortgen.Stats) {
	t.Helper()
	clock := &clock.Clock{}
	env := benchraw.NewWith(t, t.TempDir(), true, eventlog.JetStreamConfig{Now: clock.Now})
	hs := handlers.New(env.Log)
	hs.Now = clock.Now
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Views.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	start := time.Now()
	st, err := cohortgen.Generate(ctx, hs, clock, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d students x %d years: %d records, %d commands, %d imports in %v", opt.Students, opt.Years, st.Records, st.Commands, st.Imports, time.Since(start).Round(time.Millisecond))
	return hs, st
}

// TestGenerate: 60 students over two years, through the handlers: the
// rules were exercised (ABS, CM, granted and refused credits, Q3 re-sits,
// appeals upheld with a corrected mark and a new decision, bloc-2
// students in year 2, every deliberation closed and published), the log
// verifies, and the same seed gives the same dataset.
func TestGenerate(t *testing.T) {
	opt := cohortgen.Options{Students: 60, Years: 2, Seed: 7}
	hs, st := generate(t, opt)
	t.Logf("stats: %+v", st)
	checks := []struct {
		what string
		n    int64
	}{
		{"ABS", st.ABS}, {"PP", st.PP}, {"CM", st.CM}, {"re-sit entries", st.Resits}, {"granted credits", st.Granted},
		{"refused credits", st.Refused}, {"appeals", st.Appeals}, {"upheld appeals", st.Upheld}, {"recognitions", st.Recognitions},
		{"decisions", st.Decisions}, {"imports", st.Imports},
	}
	for _, c := range checks {
		if c.n == 0 {
			t.Errorf("no %s in the dataset", c.what)
		}
	}
	if len(st.Years) != 2 || st.Years[1].Bloc2 == 0 || st.Years[1].Continuing == 0 || st.Years[0].Students != 60 || st.Years[1].Students != 60 {
		t.Errorf("years: %+v; want 60 students each, continuing students with bloc 2 in year 2", st.Years)
	}
	ctx := context.Background()
	for k := range 2 {
		for _, q := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
			v, err := hs.Cohort.Deliberation(cohortgen.Programme, cohortgen.YearOf(k), q)
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != projections.Published || v.Decided == 0 {
				t.Errorf("deliberation %s %s: %s, %d decided; want published", cohortgen.YearOf(k), q, v.Status, v.Decided)
			}
		}
	}
	// An upheld appeal: a corrected mark and a decision superseding the
	// first.
	if len(st.Appellants) == 0 {
		t.Fatal("no appellant")
	}
	l, err := hs.Cohort.Ledger(st.Appellants[0])
	if err != nil {
		t.Fatal(err)
	}
	superseded := false
	for _, y := range []string{cohortgen.YearOf(0), cohortgen.YearOf(1)} {
		tr, err := hs.Cohort.Transcript(st.Appellants[0], y)
		if err != nil {
			continue
		}
		for _, d := range tr.Decisions {
			superseded = superseded || d.Superseded
		}
	}
	if !superseded {
		t.Errorf("appellant %s: no superseded decision (ledger %+v)", st.Appellants[0], l.Cycle)
	}
	outcomes := map[string]int{}
	for _, y := range st.Years {
		for o, n := range y.Outcomes {
			outcomes[o] += n
		}
	}
	for _, o := range []rules.Outcome{rules.YearPassed, rules.CycleCompleted} {
		if outcomes[string(o)] == 0 {
			t.Errorf("no %s outcome: %v", o, outcomes)
		}
	}
	rep, err := eventlog.Verify(ctx, hs.Log, nil)
	if err != nil || !rep.OK() || uint64(rep.Checked) != st.Records {
		t.Fatalf("verify: %v, ok %v, %d checked of %d", err, rep.OK(), rep.Checked, st.Records)
	}
	fp, err := cohortgen.Fingerprint(hs.Cohort)
	if err != nil {
		t.Fatal(err)
	}
	again, st2 := generate(t, opt)
	fp2, err := cohortgen.Fingerprint(again.Cohort)
	if err != nil {
		t.Fatal(err)
	}
	if fp != fp2 || st2.Records != st.Records || st2.Marks != st.Marks {
		t.Errorf("seed %d twice: fingerprints %s and %s, %d and %d records; want the same dataset", opt.Seed, fp, fp2, st.Records, st2.Records)
	}
}

// TestGenerateScale generates GRADELOG_GEN_STUDENTS students over
// GRADELOG_GEN_YEARS years (default 2) and reports the rate; skipped
// unless GRADELOG_GEN_STUDENTS is set.
func TestGenerateScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GRADELOG_GEN_STUDENTS"))
	if n == 0 {
		t.Skip("set GRADELOG_GEN_STUDENTS to generate a large dataset")
	}
	years, _ := strconv.Atoi(os.Getenv("GRADELOG_GEN_YEARS"))
	opt := cohortgen.Options{Students: n, Years: max(years, 1), Progress: func(f string, a ...any) { t.Logf(f, a...) }}
	_, st := generate(t, opt)
	t.Logf("%d records in %v: %.0f records/s, %.1f records per student-year; %+v", st.Records, st.Elapsed,
		float64(st.Records)/st.Elapsed.Seconds(), float64(st.Records)/float64(st.StudentYears), st.Years)
}
