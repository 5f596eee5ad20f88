package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/bench"
)

func newBenchCmd(e *env) *cobra.Command {
	var cfg bench.Config
	var jsonFile, format, cpuProfile string
	var strict bool
	cmd := &cobra.Command{
		Use:   "bench [--data DIR] [--students N] [--years Y] [--fast-sync] [--json FILE]",
		Short: "Measure gradelog against raw JetStream on a generated cohort, and check the budgets",
		Long: `bench generates a cohort of the seed programme through the real command
handlers (--students each year over --years academic years from 2025-2026:
registrations, admissions, PAEs, marks imported from filled sheets,
absences and medical certificates, re-sits, deliberations with credits
granted below 10, appeals, students continuing into bloc 2), or reuses the
one already in --data (recognised by its gradelog-bench.json marker; a
dataset of other --students, --years or --seed is refused). Generation
writes without an fsync per write: a generated dataset needs none.

It then runs each workload on a copy of the dataset, beside the raw
JetStream ceiling measured in the same run, on the same embedded server,
with the same durability (every write synced on both sides unless
--fast-sync), and prints one table: our figure, the raw figure and their
ratio (1 = as fast as raw), then issue 10's budgets marked PASS or MISS.

  validated appends    a teacher's mark through the command handler, 1 and
                       64 writers at once; raw: synchronous publishes
  sheet import         a filled CSV sheet, one atomic append; raw: an atomic
                       batch of as many envelopes of the same size
  rebuild              every view rebuilt from the whole log; raw: an
                       ordered consumer draining it
  transcripts          reads over HTTP (the real API on loopback) while a
                       writer appends, p50 and p99; raw: direct gets
  as-of                a transcript rebuilt from the log as of a position;
                       raw: direct gets of the same records
  dossiers             200 dossiers as the jury saw them; raw: direct gets
                       of the records they read
  verify               every hash chain of the log; raw: a drain

Budgets: 50,000 students x 2 years rebuilt in under 30 s (extrapolated
linearly from a smaller dataset, and said so); views at most 4 KiB per
student-year; transcript p99 under 5 ms while appends run; validated
appends at least 0.7 of raw at the same concurrency.`,
		Example: `  gradelog bench --data ./bench-5k --students 5000 --years 2
  gradelog bench --data ./bench-50k --students 50000 --years 2 --json bench-50k.json --cpuprofile bench.pprof`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			cfg.Log = e.stderr
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			res, err := bench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if jsonFile != "" {
				var buf bytes.Buffer
				if err := res.WriteJSON(&buf); err != nil {
					return err
				}
				if err := os.WriteFile(jsonFile, buf.Bytes(), 0o644); err != nil {
					return err
				}
			}
			if format == "json" {
				err = res.WriteJSON(e.stdout)
			} else {
				err = res.WriteText(e.stdout)
			}
			if err != nil {
				return err
			}
			for _, b := range res.Budgets {
				if strict && !b.Pass {
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Data, "data", "./bench-data", "the dataset's directory, kept between runs (generated there when empty)")
	f.IntVar(&cfg.Students, "students", 1000, "students following the programme each year")
	f.IntVar(&cfg.Years, "years", 2, "academic years, from 2025-2026")
	f.Uint64Var(&cfg.Seed, "seed", 1, "the dataset's seed")
	f.BoolVar(&cfg.FastSync, "fast-sync", false, "measure both sides without an fsync per write (default: every write synced, like production)")
	f.BoolVar(&cfg.Quick, "quick", false, "a few operations per workload (and a small fixture in a new dataset): a smoke test, not a measurement")
	f.IntVar(&cfg.Readers, "readers", 8, "clients reading transcripts at once")
	f.StringSliceVar(&cfg.Only, "only", nil, "run only these workloads (append-1, append-64, import, transcripts, as-of, dossiers, rebuild, verify)")
	f.StringVar(&jsonFile, "json", "", "also write the results as JSON to FILE")
	f.StringVar(&format, "format", "text", "output on stdout: text or json")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (generation included) to FILE")
	f.BoolVar(&strict, "strict", false, "exit with status 1 when a budget is missed")
	return cmd
}
