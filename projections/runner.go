package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// View is a fold over the log. Apply is called from the runner's goroutine
// only, once per record, in log order; a view guards its own state against
// its readers.
type View interface {
	Apply(events.Record)
}

// Runner follows the log and applies every record to its views.
type Runner struct {
	log   eventlog.Log
	views []View

	mu       sync.Mutex
	position uint64
	advanced chan struct{} // closed and replaced whenever position moves
	err      error         // why the runner stopped, once it has
}

// NewRunner returns a runner feeding views from l.
func NewRunner(l eventlog.Log, views ...View) *Runner {
	return &Runner{log: l, views: views, advanced: make(chan struct{})}
}

// From makes the runner start after position pos: its views already hold
// every record up to it (restored from a checkpoint). Call it before Run.
func (r *Runner) From(pos uint64) *Runner {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.position = pos
	return r
}

// Replay applies to c the records after its position up to upTo (0: up to
// the log's last position when called), calling progress, if not nil,
// after each record. It is how a rebuild runs: no live following, no
// waiting readers.
func (c *Cohort) Replay(ctx context.Context, l eventlog.Log, upTo uint64, progress func(pos uint64)) error {
	if upTo == 0 {
		last, err := l.LastPosition(ctx)
		if err != nil {
			return err
		}
		upTo = last
	}
	from := c.Position()
	if from >= upTo {
		return nil
	}
	// Decoding and folding run in two goroutines: each is about half the
	// work, and a replay has the machine to itself.
	errDone := errors.New("replayed")
	recs := make(chan []events.Record, 16)
	applied := make(chan struct{})
	go func() {
		defer close(applied)
		for batch := range recs {
			for _, rec := range batch {
				c.Apply(rec)
				if progress != nil {
					progress(rec.Position)
				}
			}
		}
	}()
	var batch []events.Record
	err := eventlog.Follow(ctx, l, from, false, func(rec events.Record) error {
		batch = append(batch, rec)
		done := rec.Position >= upTo
		if len(batch) == cap(batch) || done {
			recs <- batch
			batch = make([]events.Record, 0, 256)
		}
		if done {
			return errDone
		}
		return nil
	})
	if len(batch) > 0 {
		recs <- batch
	}
	close(recs)
	<-applied
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}

// Run follows the log from its start (or From) until ctx ends or a record cannot be
// decoded, which stops the runner: a view never skips a record.
func (r *Runner) Run(ctx context.Context) error {
	err := eventlog.Follow(ctx, r.log, r.Position(), true, func(rec events.Record) error {
		for _, v := range r.views {
			v.Apply(rec)
		}
		r.mu.Lock()
		r.position = rec.Position
		close(r.advanced)
		r.advanced = make(chan struct{})
		r.mu.Unlock()
		return nil
	})
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	r.mu.Lock()
	r.err = fmt.Errorf("projections stopped at position %d: %w", r.position, err)
	close(r.advanced)
	r.advanced = make(chan struct{})
	r.mu.Unlock()
	return err
}

// Err says why the runner stopped; nil while it runs.
func (r *Runner) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Position is the position of the last record applied to every view.
func (r *Runner) Position() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.position
}

// WaitFor returns once every view has applied the record at position pos,
// or with an error when ctx ends first or the runner stopped.
func (r *Runner) WaitFor(ctx context.Context, pos uint64) error {
	for {
		r.mu.Lock()
		at, err, advanced := r.position, r.err, r.advanced
		r.mu.Unlock()
		switch {
		case at >= pos:
			return nil
		case err != nil:
			return err
		}
		select {
		case <-advanced:
		case <-ctx.Done():
			return fmt.Errorf("views at position %d, waiting for %d: %w", at, pos, ctx.Err())
		}
	}
}

// CatchUp waits until the views have applied every record the log held
// when it was called.
func (r *Runner) CatchUp(ctx context.Context) error {
	last, err := r.log.LastPosition(ctx)
	if err != nil {
		return err
	}
	return r.WaitFor(ctx, last)
}
