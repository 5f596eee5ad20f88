package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/projections"
)

// checkpointName is the views' checkpoint file in --data (serve's).
const checkpointName = "views.snapshot.gz"

func newRebuildCmd(e *env) *cobra.Command {
	var lf logFlags
	var noSave bool
	cmd := &cobra.Command{
		Use:   "rebuild [--data DIR | --nats URL] [--no-save]",
		Short: "Rebuild the views from the whole event log and check them against the checkpoint",
		Long: `rebuild replays the whole event log, from its first record, into fresh
views (transcripts, credit ledgers, readiness, grade sheet status, dossiers,
histories), showing its progress on stderr.

If --data holds a checkpoint of the views (views.snapshot.gz, which serve
saves and resumes from) that matches the log, the replay first stops at the
checkpoint's position and compares the rebuilt views with it, byte for
byte: "views identical to the checkpoint at position N", or an error naming
the position (the exit status is then 1, once the rebuild is complete). A
checkpoint that does not match the log (ahead of it, or taken on another
log) is reported and not compared. The replay then goes on to the end of
the log and the rebuilt views are saved as the new checkpoint, unless
--no-save.

The log is opened as serve opens it (--data, --nats and the other NATS
flags). The embedded server cannot share its --data with a running serve:
stop serve first (a serve on an external cluster may keep running; the
checkpoint in --data is rewritten under it, so rebuild with --no-save then).`,
		Example: `  gradelog rebuild --data /var/lib/gradelog
  gradelog rebuild --nats nats://nats1:4222 --data /var/lib/gradelog --no-save`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rebuild(cmd.Context(), e, &lf, noSave)
		},
	}
	lf.bind(cmd.Flags(), e.getenv)
	cmd.Flags().BoolVar(&noSave, "no-save", false, "do not overwrite the checkpoint with the rebuilt views")
	return cmd
}

func rebuild(ctx context.Context, e *env, lf *logFlags, noSave bool) error {
	opened, err := lf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer opened.close()
	fmt.Fprintf(e.stdout, "gradelog: event log open (%s)\n", opened.where)

	checkpoint := projections.CheckpointFile(filepath.Join(lf.data, checkpointName))
	saved, warning, err := checkpoint.Resume(ctx, opened.log)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var compareAt uint64
	var reference []byte
	switch {
	case warning != "":
		fmt.Fprintf(e.stderr, "gradelog: %s\n", warning)
	case saved.Position() == 0:
		fmt.Fprintf(e.stdout, "gradelog: the checkpoint %s holds no record: nothing to compare\n", checkpoint)
	default:
		if reference, err = saved.Snapshot(); err != nil {
			return err
		}
		compareAt = saved.Position()
	}

	last, err := opened.log.LastPosition(ctx)
	if err != nil {
		return err
	}
	cohort := projections.NewCohort()
	bar := newReplayProgress(e.stderr, last, isTerminal(e.stderr))
	defer bar.pause() // an error ends the bar's line before it is printed
	start := time.Now()
	var differ error
	if compareAt > 0 {
		if err := cohort.Replay(ctx, opened.log, compareAt, bar.step); err != nil {
			return fmt.Errorf("replay up to position %d: %w", compareAt, err)
		}
		rebuilt, err := cohort.Snapshot()
		if err != nil {
			return err
		}
		bar.pause()
		if at, ok := firstDifference(reference, rebuilt); ok {
			differ = fmt.Errorf("the views rebuilt from the log differ from the checkpoint at position %d "+
				"(first difference at byte %d of the snapshot: checkpoint %q, rebuilt %q)",
				compareAt, at, excerpt(reference, at), excerpt(rebuilt, at))
			fmt.Fprintf(e.stderr, "gradelog: %v\n", differ)
		} else {
			fmt.Fprintf(e.stdout, "gradelog: views identical to the checkpoint at position %d\n", compareAt)
		}
	}
	if last > cohort.Position() {
		if err := cohort.Replay(ctx, opened.log, last, bar.step); err != nil {
			return fmt.Errorf("replay up to position %d: %w", last, err)
		}
	}
	elapsed := time.Since(start)
	bar.finish()
	fmt.Fprintf(e.stdout, "gradelog: replayed %d events in %s (%.0f events/s); views at position %d\n",
		bar.count, elapsed.Round(time.Millisecond), rate(bar.count, elapsed), cohort.Position())

	switch {
	case noSave:
		fmt.Fprintf(e.stdout, "gradelog: --no-save: %s left as it was\n", checkpoint)
	default:
		if err := checkpoint.Save(cohort); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "gradelog: checkpoint saved at position %d in %s\n", cohort.Position(), checkpoint)
	}
	if differ != nil {
		return exitError{1}
	}
	return nil
}

// firstDifference is the offset of the first byte where a and b differ.
func firstDifference(a, b []byte) (int, bool) {
	if bytes.Equal(a, b) {
		return 0, false
	}
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i, true
		}
	}
	return n, true
}

// excerpt is what surrounds offset at in a snapshot.
func excerpt(data []byte, at int) string {
	const around = 60
	return string(data[max(0, at-around):min(len(data), at+around)])
}

func rate(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// replayProgress shows a replay's progress: a bar (on a terminal), else a
// line every progressEvery and a last one.
type replayProgress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar // nil: lines
	total uint64                   // the log's last position
	count uint64                   // records replayed
	pos   uint64
	start time.Time
	shown time.Time
}

// progressEvery is how often a replay not shown on a terminal prints a
// line.
const progressEvery = 5 * time.Second

func newReplayProgress(w io.Writer, total uint64, bar bool) *replayProgress {
	p := &replayProgress{w: w, total: total, start: time.Now()}
	p.shown = p.start
	if bar && total > 0 {
		p.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("replaying the log"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("events"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
	}
	return p
}

// step records that the record at pos was replayed.
func (p *replayProgress) step(pos uint64) {
	p.count++
	p.pos = pos
	if p.bar != nil {
		_ = p.bar.Set64(int64(min(pos, p.total)))
		return
	}
	if now := time.Now(); now.Sub(p.shown) >= progressEvery {
		p.shown = now
		p.line()
	}
}

// pause clears the bar, for a message; the bar comes back at the next
// step.
func (p *replayProgress) pause() {
	if p.bar != nil && !p.bar.IsFinished() {
		_ = p.bar.Clear()
	}
}

// finish ends the bar, or prints the last line.
func (p *replayProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		return
	}
	p.line()
}

func (p *replayProgress) line() {
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.pos) / float64(p.total)
	}
	fmt.Fprintf(p.w, "gradelog: replaying the log: position %d of %d (%.0f%%), %d events, %.0f events/s\n",
		p.pos, p.total, pct, p.count, rate(p.count, time.Since(p.start)))
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
