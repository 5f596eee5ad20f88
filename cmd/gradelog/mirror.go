package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/esdb"
	"github.com/gradelog/gradelog/eventlog/filelog"
	"github.com/gradelog/gradelog/mirror"
)

// mirrorFlags are the flags of gradelog mirror.
type mirrorFlags struct {
	log      logFlags
	from, to string
	batch    int
}

func newMirrorCmd(e *env) *cobra.Command {
	var mf mirrorFlags
	cmd := &cobra.Command{
		Use:   "mirror --from SPEC --to SPEC [--data DIR | --nats URL]",
		Short: "Copy the whole event log to another backend or a file bundle, verifying the hash chains on both sides; resumable",
		Long: `mirror copies every record of the event log, byte for byte, from one store
to another: for a backup, a restore, or a move between backends.

SPEC is one of:
  nats        the log as serve opens it: the embedded server on --data, or
              the cluster of --nats (and the other NATS flags)
  nats:DIR    the log of an embedded server whose data directory is DIR, as
              --data DIR would open it (to restore into a new directory
              while --data or --nats names the other side)
  file:PATH   a file bundle: one JSON line per record with its exact bytes
              (base64), its source position and hash; created if absent
  esdb://...  EventStoreDB (a connection string; streams gradelog-<aggregate>)

The source is read from its first record and every aggregate's hash chain is
recomputed; a break stops the mirror before the broken record (exit status
1). The destination must be empty or written by earlier mirrors of the same
log, never a live log: each record is stored with its source position, so
an interrupted mirror (Ctrl-C, a crash, a lost connection) run again resumes
after the destination's last record and copies nothing twice. The
destination is then read back from its first record and compared with the
source: the same records in the same order, the same chain heads (the
digest gradelog verify --heads-out publishes); exit status 1 if it differs.

The embedded server cannot share its data directory with a running serve:
stop serve first, or mirror from its cluster. A file bundle holds the
personal data of every student: store and move it as such.`,
		Example: `  gradelog mirror --data /var/lib/gradelog --from nats --to file:/backup/gradelog-2026-07-01.jsonl
  gradelog mirror --from file:/backup/gradelog-2026-07-01.jsonl --to nats:/var/lib/gradelog-restored
  gradelog mirror --nats nats://nats1:4222 --from nats --to file:/backup/gradelog.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMirror(cmd.Context(), e, &mf)
		},
	}
	mf.log.bind(cmd.Flags(), e.getenv)
	f := cmd.Flags()
	f.StringVar(&mf.from, "from", "", "the log to copy: nats, nats:DIR or file:PATH")
	f.StringVar(&mf.to, "to", "", "where to copy it: nats, nats:DIR or file:PATH (empty, or an earlier mirror of the same log)")
	f.IntVar(&mf.batch, "batch", 500, fmt.Sprintf("records per import (at most %d)", eventlog.MaxBatch))
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// endpoint is one side of a mirror, open.
type endpoint struct {
	where string
	src   eventlog.Source
	dst   eventlog.Sink
	close func()
}

// openEndpoint opens spec as the source (from) or the destination.
func openEndpoint(ctx context.Context, e *env, spec string, mf *mirrorFlags, from bool) (*endpoint, error) {
	lf := &mf.log
	flag := "--to"
	if from {
		flag = "--from"
	}
	scheme, rest, _ := strings.Cut(spec, ":")
	switch scheme {
	case "nats":
		f := *lf
		if spec != "nats" {
			if rest == "" {
				return nil, fmt.Errorf("%s %q: give the data directory after nats:", flag, spec)
			}
			f = logFlags{data: rest, fastSync: lf.fastSync, maxBytes: lf.maxBytes} // one replica: embedded
		}
		var opened *openedLog
		var err error
		if from {
			opened, err = f.openExisting(ctx)
		} else {
			opened, err = f.open(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, spec, err)
		}
		return &endpoint{where: opened.where, src: opened.log, dst: opened.log, close: opened.close}, nil
	case "file":
		if rest == "" {
			return nil, fmt.Errorf("%s %q: give the file after file:", flag, spec)
		}
		var b *filelog.File
		var err error
		if from {
			b, err = filelog.Open(rest)
		} else {
			b, err = filelog.Create(rest)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, spec, err)
		}
		if r := b.Recovered(); r != "" {
			fmt.Fprintf(e.stderr, "gradelog: warning: %s\n", r)
		}
		return &endpoint{where: "file bundle " + rest, src: b, dst: b, close: func() { b.Close() }}, nil
	case "esdb", "esdb+discover":
		// The connection string is the spec ("esdb://host:2113?tls=..."):
		// the log is both a Source and a Sink.
		l, err := esdb.Open(ctx, spec, esdb.Options{ConnectTimeout: lf.esdbTimeout})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		if from {
			if last, err := l.LastPosition(ctx); err != nil || last == 0 {
				l.Close()
				return nil, fmt.Errorf("%s %s: no gradelog records to mirror (%v)", flag, redactURLs(spec), err)
			}
		}
		return &endpoint{where: "EventStoreDB at " + redactURLs(spec), src: l, dst: l, close: func() { l.Close() }}, nil
	}
	return nil, fmt.Errorf("%s %q: not a log: give nats, nats:DIR, file:PATH or esdb://...", flag, spec)
}

func runMirror(ctx context.Context, e *env, mf *mirrorFlags) error {
	if s := sameStore(mf.from, &mf.log); s != "" && s == sameStore(mf.to, &mf.log) {
		return fmt.Errorf("--from %s and --to %s are the same log (%s)", mf.from, mf.to, s)
	}
	src, err := openEndpoint(ctx, e, mf.from, mf, true)
	if err != nil {
		return err
	}
	defer src.close()
	dst, err := openEndpoint(ctx, e, mf.to, mf, false)
	if err != nil {
		return err
	}
	defer dst.close()
	fmt.Fprintf(e.stdout, "gradelog: mirror from %s to %s\n", src.where, dst.where)

	p := &mirrorProgress{w: e.stderr, every: progressEvery, shown: time.Now()}
	rep, err := mirror.Copy(ctx, src.src, dst.dst, mirror.Options{BatchRecords: mf.batch, Progress: p.show})
	p.end()
	printMirror(e.stdout, rep)
	var brk *mirror.BreakError
	switch {
	case errors.As(err, &brk):
		fmt.Fprintf(e.stderr, "gradelog: BREAK in the source: %v\n", err)
		fmt.Fprintf(e.stderr, "gradelog: mirror NOT complete: %d records copied before the break\n", rep.Copied)
		return exitError{1}
	case errors.Is(err, mirror.ErrMismatch):
		fmt.Fprintf(e.stderr, "gradelog: mirror NOT verified: %v\n", err)
		return exitError{1}
	case errors.Is(err, eventlog.ErrMissing):
		fmt.Fprintf(e.stderr, "gradelog: mirror NOT complete: the source cannot deliver every record: %v\n", err)
		return exitError{1}
	case err != nil:
		if rep.Copied > 0 {
			fmt.Fprintf(e.stderr, "gradelog: mirror interrupted after copying %d records: run it again to resume\n", rep.Copied)
		}
		return err
	}
	return nil
}

// sameStore is what identifies the store spec names, without opening it:
// a mirror onto itself is refused.
func sameStore(spec string, lf *logFlags) string {
	scheme, rest, _ := strings.Cut(spec, ":")
	switch {
	case spec == "nats" && lf.natsURL != "":
		return "nats " + redactURLs(lf.natsURL)
	case spec == "nats":
		abs, _ := filepath.Abs(lf.data)
		return "embedded " + abs
	case scheme == "nats":
		abs, _ := filepath.Abs(rest)
		return "embedded " + abs
	case scheme == "file":
		abs, _ := filepath.Abs(rest)
		return "file " + abs
	}
	return ""
}

// printMirror prints what a mirror did and found.
func printMirror(w io.Writer, rep mirror.Report) {
	s, d := rep.Source, rep.Destination
	if rep.ResumedFrom > 0 {
		fmt.Fprintf(w, "gradelog: resumed after source position %d: %d records were already in the destination (verified again)\n", rep.ResumedFrom, rep.Resumed)
	}
	fmt.Fprintf(w, "gradelog: copied %d records in %s (%.0f records/s); the source holds %d records in %d chains up to position %d\n",
		rep.Copied, rep.CopyTime.Round(time.Millisecond), rate(uint64(rep.Copied), rep.CopyTime), s.Records, s.Chains, s.Last)
	if !rep.Verified {
		return
	}
	fmt.Fprintf(w, "gradelog: destination read back in %s: %d records in %d chains up to position %d\n",
		rep.VerifyTime.Round(time.Millisecond), d.Records, d.Chains, d.Last)
	fmt.Fprintf(w, "  source       heads digest %s  records digest %s\n", s.HeadsDigest, s.RecordsDigest)
	fmt.Fprintf(w, "  destination  heads digest %s  records digest %s\n", d.HeadsDigest, d.RecordsDigest)
	for _, diff := range rep.Differences {
		fmt.Fprintf(w, "  DIFFERS: %s\n", diff)
	}
	if !rep.Identical() {
		return
	}
	positions := "positions identical too"
	if !rep.PositionsIdentical {
		positions = "the destination numbers its records itself (other positions)"
	}
	fmt.Fprintf(w, "gradelog: identical: the same %d records in the same order, the same chain heads; %s\n", d.Records, positions)
}

// mirrorProgress prints a mirror's progress on stderr: a line every
// `every`, and the last line of each stage.
type mirrorProgress struct {
	w     io.Writer
	every time.Duration
	shown time.Time
	last  *mirror.Progress
	start time.Time
}

func (p *mirrorProgress) show(pr mirror.Progress) {
	now := time.Now()
	if p.last != nil && p.last.Stage != pr.Stage {
		p.line(*p.last) // the end of the previous stage
		p.start = now
	}
	if p.start.IsZero() {
		p.start = now
	}
	p.last = &pr
	if now.Sub(p.shown) >= p.every {
		p.shown = now
		p.line(pr)
	}
}

func (p *mirrorProgress) end() {
	if p.last != nil {
		p.line(*p.last)
	}
}

func (p *mirrorProgress) line(pr mirror.Progress) {
	elapsed := time.Since(p.start)
	switch pr.Stage {
	case mirror.Copying:
		pct := 100.0
		if pr.Last > 0 {
			pct = 100 * float64(pr.Position) / float64(pr.Last)
		}
		fmt.Fprintf(p.w, "gradelog: mirror: copying: source position %d of %d (%.0f%%), %d copied, %d already there, %.0f records/s\n",
			pr.Position, pr.Last, pct, pr.Copied, pr.Resumed, rate(uint64(pr.Read), elapsed))
	default:
		fmt.Fprintf(p.w, "gradelog: mirror: verifying the destination: %d records read back, position %d, %.0f records/s\n",
			pr.Read, pr.Position, rate(uint64(pr.Read), elapsed))
	}
}
