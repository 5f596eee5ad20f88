package projections

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gradelog/gradelog/eventlog"
)

// CheckpointFile keeps the cohort's snapshot (gzip-compressed JSON) in a
// file, so that a restart resumes from it instead of replaying the log.
type CheckpointFile string

// Save writes c's snapshot atomically: a crash leaves the previous
// snapshot or the new one, never a torn file.
func (f CheckpointFile) Save(c *Cohort) error {
	data, err := c.Snapshot()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(string(f)), filepath.Base(string(f))+".*.tmp")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	zw, _ := gzip.NewWriterLevel(tmp, gzip.BestSpeed)
	_, err = zw.Write(data)
	err = errors.Join(err, zw.Close(), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), string(f))
	}
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", f, err)
	}
	return nil
}

// load reads the snapshot; ok is false when there is none.
func (f CheckpointFile) load() (data []byte, ok bool, err error) {
	raw, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint %s: %w", f, err)
	}
	data, err = io.ReadAll(zr)
	if err != nil {
		return nil, false, fmt.Errorf("checkpoint %s: %w", f, err)
	}
	return data, true, nil
}

// Resume returns the cohort saved in f when the log still holds the record
// the snapshot stands on, with the same hash. Otherwise it returns an
// empty cohort, to be rebuilt from the whole log, and a warning saying
// why: no snapshot, an unreadable one, one ahead of the log (a log
// restored from an older copy) or one taken on a different log. Views are
// never resumed onto a log they do not match.
func (f CheckpointFile) Resume(ctx context.Context, l eventlog.Log) (*Cohort, string, error) {
	data, ok, err := f.load()
	if !ok {
		why := fmt.Sprintf("no checkpoint at %s: building the views from the whole log", f)
		if err != nil {
			why = fmt.Sprintf("checkpoint unreadable (%v): rebuilding the views from the whole log", err)
		}
		return NewCohort(), why, nil
	}
	c, cp, err := Restore(data)
	if err != nil {
		return NewCohort(), fmt.Sprintf("checkpoint %s unusable (%v): rebuilding the views from the whole log", f, err), nil
	}
	if cp.Position == 0 {
		return c, "", nil
	}
	last, err := l.LastPosition(ctx)
	if err != nil {
		return nil, "", err
	}
	if cp.Position > last {
		return NewCohort(), fmt.Sprintf("checkpoint at position %d is ahead of the log, which ends at %d "+
			"(was the log restored from an older copy?): rebuilding the views from the whole log", cp.Position, last), nil
	}
	recs, err := l.ReadAt(ctx, []uint64{cp.Position})
	if err != nil {
		return nil, "", err
	}
	if recs[0].Hash != cp.Hash {
		return NewCohort(), fmt.Sprintf("the record at position %d is not the one the checkpoint was taken on "+
			"(hash %.12s, checkpoint %.12s): rebuilding the views from the whole log", cp.Position, recs[0].Hash, cp.Hash), nil
	}
	return c, "", nil
}

// Keep saves c to f every interval while its position moves past saved
// (the position f holds now, taken before the runner started), and once
// more when ctx ends; it returns then. A failed save is reported and
// retried at the next tick.
func (f CheckpointFile) Keep(ctx context.Context, c *Cohort, saved uint64, every time.Duration, report func(error)) {
	save := func() {
		if pos := c.Position(); pos != saved {
			err := f.Save(c)
			if err == nil {
				saved = pos
			}
			if err != nil && report != nil {
				report(err)
			}
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			save()
		case <-ctx.Done():
			save()
			return
		}
	}
}
