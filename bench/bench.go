// Package bench runs `gradelog bench`: it generates (or reuses) a cohort
// of the seed programme through the real command handlers (cohortgen),
// then measures gradelog's workloads on it side by side with the raw
// JetStream ceiling of each, in the same run, on the same embedded server,
// with the same durability (internal/benchraw: the same measuring code as
// `go test -bench`), and checks the budgets of issue 10.
//
// The dataset lives in a directory kept between runs (Config.Data),
// recognised by its marker file; each run works on a copy of it, so that
// what a run writes never changes the next run's dataset.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
)

// Config says what to generate and how to measure.
type Config struct {
	// Data is the dataset's directory, kept between runs: generated there
	// when it holds none, reused when it holds one of the same students,
	// years and seed.
	Data     string
	Students int // students each year (default 1000)
	Years    int // academic years (default 2)
	Seed     uint64
	// FastSync measures both sides on a server that acknowledges writes
	// before syncing them; by default both sync every write (SyncAlways).
	FastSync bool
	// Quick shrinks the measured operations (and a new dataset's
	// fixture) to a few, for tests.
	Quick bool
	// Readers is how many clients read transcripts at once (default 8).
	Readers int
	// Only, if set, names the workloads to run (append-1, append-64,
	// import, transcripts, as-of, dossiers, rebuild, verify).
	Only []string
	// Log receives progress lines (nil: none).
	Log io.Writer
}

func (c *Config) defaults() {
	if c.Students == 0 {
		c.Students = 1000
	}
	if c.Years == 0 {
		c.Years = 2
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Readers == 0 {
		c.Readers = readers
	}
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "gradelog bench: "+format+"\n", args...)
	}
}

// Marker is the file that says a directory holds a generated dataset.
const Marker = "gradelog-bench.json"

// Dataset describes a generated dataset, as its marker records it.
type Dataset struct {
	Students int    `json:"students"`
	Years    int    `json:"years"`
	Seed     uint64 `json:"seed"`
	// Records is the log's last position after the generated years, and
	// End after the benchmark's fixture (the year after them).
	Records uint64          `json:"records"`
	End     uint64          `json:"end"`
	Stats   cohortgen.Stats `json:"stats"`
	Fixture Fixture         `json:"fixture"`
	// Generated is how long generation took, fixture included, on a
	// server without fsync per write; StoreBytes the store's size.
	Generated  time.Duration `json:"generated_ns"`
	StoreBytes int64         `json:"store_bytes"`
	At         time.Time     `json:"at"`
}

// StudentYears is the student-years the dataset's views hold: the
// generated years' PAEs and the fixture's.
func (d Dataset) StudentYears() int { return d.Stats.StudentYears + d.Fixture.Students() }

// Dataset returns the dataset of cfg.Data, generating it if the directory
// holds none.
func (c Config) Dataset(ctx context.Context) (Dataset, error) {
	c.defaults()
	if c.Data == "" {
		return Dataset{}, errors.New("bench: no dataset directory")
	}
	if d, ok, err := readMarker(c.Data); err != nil || ok {
		if err == nil && (d.Students != c.Students || d.Years != c.Years || d.Seed != c.Seed) {
			err = fmt.Errorf("bench: %s holds a dataset of %d students x %d years (seed %d), not %d x %d (seed %d): use another --data or remove it",
				c.Data, d.Students, d.Years, d.Seed, c.Students, c.Years, c.Seed)
		}
		return d, err
	}
	if entries, err := os.ReadDir(c.Data); err == nil && len(entries) > 0 {
		return Dataset{}, fmt.Errorf("bench: %s is not empty and holds no dataset (no %s): give an empty or new directory", c.Data, Marker)
	}
	return c.generate(ctx)
}

func readMarker(dir string) (Dataset, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, Marker))
	if errors.Is(err, fs.ErrNotExist) {
		return Dataset{}, false, nil
	}
	if err != nil {
		return Dataset{}, false, err
	}
	var d Dataset
	if err := json.Unmarshal(b, &d); err != nil {
		return Dataset{}, false, fmt.Errorf("bench: %s: %w", filepath.Join(dir, Marker), err)
	}
	return d, true, nil
}

// generate writes the dataset into c.Data on a server without fsync per
// write (a generated dataset is rebuilt, not recovered, if the machine
// fails), then the marker.
func (c Config) generate(ctx context.Context) (Dataset, error) {
	start := time.Now()
	run := benchraw.NewRun()
	defer run.Close()
	var d Dataset
	err := run.Do(func() {
		clock := &clock.Clock{}
		env := benchraw.NewWith(run, filepath.Join(c.Data, "nats"), true, eventlog.JetStreamConfig{Now: clock.Now})
		hs := handlers.New(env.Log)
		hs.Now = clock.Now
		stop := runViews(ctx, hs)
		defer stop()
		c.logf("generating %d students x %d years into %s (fast sync: no fsync per write)", c.Students, c.Years, c.Data)
		st, err := cohortgen.Generate(ctx, hs, clock, cohortgen.Options{Students: c.Students, Years: c.Years, Seed: c.Seed,
			Progress: func(f string, a ...any) {
				c.logf("  %s: "+f, append([]any{time.Since(start).Round(time.Second)}, a...)...)
			}})
		if err != nil {
			run.Fatal(err)
		}
		fx := defaultFixture
		if c.Quick {
			fx = quickFixture
		}
		c.logf("  %s: the benchmark's fixture (year %s)", time.Since(start).Round(time.Second), cohortgen.YearOf(c.Years))
		if fx, err = prepareFixture(ctx, hs, clock, c.Years, fx); err != nil {
			run.Fatal(err)
		}
		end, err := env.Log.LastPosition(ctx)
		if err != nil {
			run.Fatal(err)
		}
		d = Dataset{Students: c.Students, Years: c.Years, Seed: c.Seed, Records: st.Records, End: end, Stats: st, Fixture: fx}
	})
	if err != nil {
		return Dataset{}, err
	}
	run.Close() // stops the server: the store is complete on disk
	d.Generated, d.At = time.Since(start), time.Now()
	d.StoreBytes = dirSize(filepath.Join(c.Data, "nats"))
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return Dataset{}, err
	}
	if err := os.WriteFile(filepath.Join(c.Data, Marker), b, 0o644); err != nil {
		return Dataset{}, err
	}
	c.logf("generated %d records (%d with the fixture) in %s: %.0f records/s, %.1f records per student-year, store %s",
		d.Records, d.End, d.Generated.Round(time.Millisecond), float64(d.End)/d.Generated.Seconds(),
		float64(d.Records)/float64(d.Stats.StudentYears), bytesText(d.StoreBytes))
	return d, nil
}

// runViews runs hs's views until the returned function is called.
func runViews(ctx context.Context, hs *handlers.Handlers) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Views.Run(ctx)
	}()
	return func() { cancel(); <-done }
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// copyDir copies the regular files of src into dst.
func copyDir(dst, src string) error {
	return filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}
