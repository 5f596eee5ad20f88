package mirror

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Copy mirrors src into dst: see the package comment. It returns what it
// did and found; the error is a *BreakError (ErrBroken) for a break in the
// source, ErrMismatch when the destination differs from the source (or
// mirrors another log), or what stopped the copy (the context, a refused
// import). An interrupted Copy is resumed by calling it again.
func Copy(ctx context.Context, src eventlog.Source, dst eventlog.Sink, opt Options) (Report, error) {
	opt.defaults()
	start := time.Now()
	c := &copier{opt: opt, tally: newTally()}
	var err error
	if c.rep.ResumedFrom, err = dst.Mirrored(ctx); err != nil {
		return c.rep, fmt.Errorf("destination: %w", err)
	}
	c.resumed, c.sawResume = c.rep.ResumedFrom, c.rep.ResumedFrom == 0
	if c.last, err = src.LastPosition(ctx); err != nil {
		return c.rep, fmt.Errorf("source: %w", err)
	}
	if c.resumed > c.last {
		return c.rep, fmt.Errorf("%w: the destination holds records up to source position %d, past the source's last position %d: it mirrors another log, or this one before it was cut short",
			ErrMismatch, c.resumed, c.last)
	}
	if c.resumeHash, err = lastHash(ctx, dst, c.resumed); err != nil {
		return c.rep, err
	}

	c.imp = startImporter(ctx, dst)
	err = src.Scan(ctx, 0, false, c.record)
	var brk *BreakError
	if err == nil || errors.As(err, &brk) {
		// The records before a break are sound: store them.
		if ferr := c.flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	copied, ierr := c.imp.close()
	c.rep.Copied = copied
	c.rep.Source = c.tally.side()
	c.rep.CopyTime = time.Since(start)
	c.progress(c.prev, true)
	switch {
	case ierr != nil && brk != nil:
		return c.rep, errors.Join(err, fmt.Errorf("destination: %w", ierr))
	case ierr != nil && (err == nil || errors.Is(err, errImportFailed)):
		return c.rep, fmt.Errorf("destination: %w", ierr)
	case err != nil:
		if brk == nil && ctx.Err() == nil && !errors.Is(err, ErrMismatch) {
			err = fmt.Errorf("source: %w", err)
		}
		return c.rep, err
	case !c.sawResume:
		return c.rep, c.notHeld()
	}

	verifyStart := time.Now()
	if err := verify(ctx, dst, &c.rep, opt); err != nil {
		return c.rep, err
	}
	c.rep.VerifyTime = time.Since(verifyStart)
	if len(c.rep.Differences) > 0 {
		return c.rep, fmt.Errorf("%w: %s", ErrMismatch, strings.Join(c.rep.Differences, "; "))
	}
	return c.rep, nil
}

// copier is the state of one Copy while it reads the source.
type copier struct {
	opt        Options
	rep        Report
	tally      *tally // the source's
	imp        *importer
	last       uint64 // the source's last position at the start
	resumed    uint64 // the destination's Mirrored at the start
	resumeHash string // the hash of the destination's last record ("" if unknown)
	sawResume  bool   // the source's record at resumed was read (and matched)
	prev       uint64 // the last position read
	batch      []eventlog.Stored
	size       int // bytes of data in batch
}

// record takes the source's next record: it verifies it, skips it if the
// destination holds it, and batches it otherwise.
func (c *copier) record(s eventlog.Stored) error {
	if s.Position <= c.prev {
		return fmt.Errorf("position %d delivered after position %d", s.Position, c.prev)
	}
	c.prev = s.Position
	if ce := c.tally.add(s); ce != nil {
		return &BreakError{ChainError: *ce, Where: s.Where}
	}
	if s.Position <= c.resumed {
		c.rep.Resumed++
		if s.Position == c.resumed {
			if c.resumeHash != "" && events.HashOf(s.Data) != c.resumeHash {
				return fmt.Errorf("%w: the destination's last record came from source position %d (%s), but the source's record there has another hash: the destination mirrors another log",
					ErrMismatch, c.resumed, s.Aggregate)
			}
			c.sawResume = true
		}
		c.progress(s.Position, false)
		return nil
	}
	if !c.sawResume {
		return c.notHeld()
	}
	if len(c.batch) > 0 && (len(c.batch) >= c.opt.BatchRecords || c.size+len(s.Data) > c.opt.BatchBytes) {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.batch = append(c.batch, s)
	c.size += len(s.Data)
	c.progress(s.Position, false)
	return nil
}

// flush hands the batch to the importer.
func (c *copier) flush() error {
	if len(c.batch) == 0 {
		return nil
	}
	if !c.imp.send(c.batch) {
		return errImportFailed
	}
	c.batch, c.size = nil, 0
	return nil
}

// progress reports every BatchRecords records read, or now if force.
func (c *copier) progress(pos uint64, force bool) {
	if c.opt.Progress != nil && (force || c.tally.n%c.opt.BatchRecords == 0) {
		c.opt.Progress(Progress{Stage: Copying, Position: pos, Last: c.last, Read: c.tally.n, Copied: c.imp.done(), Resumed: c.rep.Resumed})
	}
}

func (c *copier) notHeld() error {
	return fmt.Errorf("%w: the destination's last record came from source position %d, which the source does not hold: the destination mirrors another log",
		ErrMismatch, c.resumed)
}

// lastHash is the hash of the destination's last record when it holds
// any (resumed > 0) and can be read back; "" otherwise.
func lastHash(ctx context.Context, dst eventlog.Sink, resumed uint64) (string, error) {
	s, ok := dst.(eventlog.Source)
	if resumed == 0 || !ok {
		return "", nil
	}
	last, err := s.LastPosition(ctx)
	if err != nil || last == 0 {
		return "", err
	}
	var h string
	err = s.Scan(ctx, last-1, false, func(r eventlog.Stored) error {
		h = events.HashOf(r.Data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("destination: reading its last record: %w", err)
	}
	return h, nil
}
