package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// View is a fold over the log. Apply is called from the runner's goroutine
// only, once per record, in log order; a view guards its own state against
// its readers.
type View interface {
	Apply(events.Record)
}

// Runner follows the log and applies every record to its views. It also
// knows how far behind the log its views are (Lag): the log's last
// position is read every LagRefresh while the runner runs, and learnt at
// once from every record it is handed and every write that settles.
type Runner struct {
	log   eventlog.Log
	views []View

	// StallAfter is how long the views may apply nothing while behind
	// before they count as stalled (Lag.Stalled, Settle); 0 means
	// DefaultStallAfter. Set it before Run.
	StallAfter time.Duration

	mu        sync.Mutex
	position  uint64
	advanced  chan struct{} // closed and replaced whenever position moves
	err       error         // why the runner stopped, once it has
	logAt     uint64        // the log's last position as known
	logReadAt time.Time     // when logAt was last read from the log
	appliedAt time.Time     // when the views last applied a record
	// unapplied are positions known to be in the log and not yet applied,
	// each with when it was first known, oldest first: the first one
	// says since when the views are behind.
	unapplied []sighting
}

// sighting is a log position and when the runner first knew the log held it.
type sighting struct {
	position uint64
	at       time.Time
}

// maxSightings bounds Runner.unapplied: beyond it, a new sighting moves the
// newest one forward and keeps its older time, so that "behind since" can
// only be earlier than the truth, never later.
const maxSightings = 64

// LagRefresh is how often a running Runner reads the log's last position.
const LagRefresh = 250 * time.Millisecond

// DefaultStallAfter is how long views that apply nothing while behind
// take to count as stalled.
const DefaultStallAfter = time.Second

// ErrStalled: the views are behind the log and have applied nothing for
// the runner's StallAfter.
var ErrStalled = errors.New("the views are stalled")

// NewRunner returns a runner feeding views from l.
func NewRunner(l eventlog.Log, views ...View) *Runner {
	return &Runner{log: l, views: views, advanced: make(chan struct{})}
}

// Lag is how far the views stand behind the log.
type Lag struct {
	// Views is the position of the last record every view applied.
	Views uint64 `json:"views_position"`
	// Log is the log's last position as the runner knows it: read from
	// the log at most LagRefresh ago (LogReadAt), or later learnt from a
	// record or a write of this process. The log may hold more.
	Log uint64 `json:"log_position"`
	// Behind is the number of log positions not yet applied (Log - Views).
	Behind uint64 `json:"behind"`
	// BehindSince is when the runner first knew of the oldest record not
	// yet applied; zero when the views are caught up.
	BehindSince time.Time `json:"behind_since,omitzero"`
	// AppliedAt is when the views last applied a record (zero: none since
	// the process started).
	AppliedAt time.Time `json:"applied_at,omitzero"`
	// LogReadAt is when Log was last read from the log.
	LogReadAt time.Time `json:"log_read_at,omitzero"`
	// Stalled: behind, and nothing applied for StallAfter.
	Stalled bool `json:"stalled"`
}

// Lag says how far the views stand behind the log, without asking the log.
func (r *Runner) Lag() Lag {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	l := Lag{Views: r.position, Log: max(r.logAt, r.position), AppliedAt: r.appliedAt, LogReadAt: r.logReadAt}
	l.Behind = l.Log - l.Views
	if l.Behind > 0 && len(r.unapplied) > 0 {
		l.BehindSince = r.unapplied[0].at
		l.Stalled = !now.Before(r.stallsAtLocked())
	}
	return l
}

// stallAfter is StallAfter or its default.
func (r *Runner) stallAfter() time.Duration {
	if r.StallAfter > 0 {
		return r.StallAfter
	}
	return DefaultStallAfter
}

// stallsAtLocked is when views behind the log count as stalled if they
// apply nothing until then: StallAfter after the later of the last record
// applied and the first sighting of the oldest record not applied. r.mu
// is held and the views are behind.
func (r *Runner) stallsAtLocked() time.Time {
	since := r.appliedAt
	if len(r.unapplied) > 0 && r.unapplied[0].at.After(since) {
		since = r.unapplied[0].at
	}
	return since.Add(r.stallAfter())
}

// sawLocked records that the log holds position pos, seen at now. r.mu is held.
func (r *Runner) sawLocked(pos uint64, now time.Time) {
	if pos > r.logAt {
		r.logAt = pos
	}
	if pos <= r.position {
		return
	}
	switch n := len(r.unapplied); {
	case n > 0 && pos <= r.unapplied[n-1].position:
	case n >= maxSightings:
		r.unapplied[n-1].position = pos
	default:
		r.unapplied = append(r.unapplied, sighting{pos, now})
	}
}

// appliedLocked records that the views applied every record up to pos. r.mu is held.
func (r *Runner) appliedLocked(pos uint64, now time.Time) {
	r.position, r.appliedAt = pos, now
	if pos > r.logAt {
		r.logAt = pos
	}
	i := 0
	for i < len(r.unapplied) && r.unapplied[i].position <= pos {
		i++
	}
	if i > 0 {
		r.unapplied = append(r.unapplied[:0], r.unapplied[i:]...)
	}
}

// readLog reads the log's last position.
func (r *Runner) readLog(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	last, err := r.log.LastPosition(ctx)
	if err != nil {
		return // the log's trouble shows elsewhere; Lag keeps what it knew
	}
	now := time.Now()
	r.mu.Lock()
	r.sawLocked(last, now)
	r.logReadAt = now
	r.mu.Unlock()
}

// followLog reads the log's last position every LagRefresh until ctx ends.
func (r *Runner) followLog(ctx context.Context) {
	t := time.NewTicker(LagRefresh)
	defer t.Stop()
	for {
		r.readLog(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
	lagCtx, stopLag := context.WithCancel(ctx)
	lagDone := make(chan struct{})
	go func() {
		defer close(lagDone)
		r.followLog(lagCtx)
	}()
	defer func() { stopLag(); <-lagDone }()
	err := eventlog.Follow(ctx, r.log, r.Position(), true, func(rec events.Record) error {
		r.mu.Lock()
		r.sawLocked(rec.Position, time.Now()) // handed over: the log holds it
		r.mu.Unlock()
		for _, v := range r.views {
			v.Apply(rec)
		}
		r.mu.Lock()
		r.appliedLocked(rec.Position, time.Now())
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
	r.mu.Lock()
	r.sawLocked(last, time.Now())
	r.mu.Unlock()
	return r.WaitFor(ctx, last)
}

// Settle is WaitFor for a position the caller knows the log holds (its own
// write): it counts the record as not yet applied (Lag), then waits for the
// views to apply it, but only while they keep applying records. Once they
// are stalled (behind, nothing applied for StallAfter), it returns an
// error wrapping ErrStalled at once: a write does not wait on views that
// do not move.
func (r *Runner) Settle(ctx context.Context, pos uint64) error {
	r.mu.Lock()
	r.sawLocked(pos, time.Now())
	r.mu.Unlock()
	for {
		r.mu.Lock()
		at, err, advanced := r.position, r.err, r.advanced
		var stallsAt time.Time
		if at < pos {
			stallsAt = r.stallsAtLocked()
		}
		r.mu.Unlock()
		switch {
		case at >= pos:
			return nil
		case err != nil:
			return err
		}
		wait := time.Until(stallsAt)
		if wait <= 0 {
			return fmt.Errorf("views at position %d, waiting for %d: %w (nothing applied for %s)", at, pos, ErrStalled, r.stallAfter())
		}
		t := time.NewTimer(wait)
		select {
		case <-advanced:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("views at position %d, waiting for %d: %w", at, pos, ctx.Err())
		}
		t.Stop()
	}
}
