package projections

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// View is a fold over the log. Apply is called once per record, in log
// order, one call at a time: from the runner's goroutine, or from a writer
// offering its own records (Runner.Offer); a view guards its own state
// against its readers.
type View interface {
	Apply(events.Record)
}

// Runner follows the log and applies every record to its views. It also
// knows how far behind the log its views are (Lag): the log's last
// position is read every LagRefresh while the runner runs, and learnt at
// once from every record it is handed and every write that settles.
//
// A writer of this process may also offer the records it just appended
// (Offer), which the views then apply at once when they are next in log
// order, instead of waiting for the log to hand them over; the records the
// log hands over later are then skipped. Either way each record is
// applied once, in log order.
type Runner struct {
	log   eventlog.Log
	views []View

	// applying is held while records are applied to the views, by Run or
	// by Offer: whoever holds it applies a record only if it is the next
	// one (its position is the views' plus one), or skips it if the views
	// hold it already.
	applying sync.Mutex
	// ahead are records offered before they came next (another offer's
	// records, not applied yet, lay between), by position, each above the
	// views' position: whoever applies the record before one applies it
	// too. At most maxAhead; guarded by applying.
	ahead map[uint64]events.Record

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

// maxAhead bounds Runner.ahead: past it, offered records that are not next
// are left to the log's feed.
const maxAhead = 4096

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
	// eventlog.Follow, but a record an offer applied already is skipped
	// before it is decoded.
	err := r.log.Scan(ctx, r.Position(), true, func(s eventlog.Stored) error {
		r.mu.Lock()
		r.sawLocked(s.Position, time.Now()) // handed over: the log holds it
		offered := s.Position <= r.position // applied already, from an offer
		r.mu.Unlock()
		if offered {
			return nil // the position only grows: no need to wait for applying
		}
		rec, err := eventlog.Decode(s)
		if err != nil {
			return err
		}
		r.applying.Lock()
		defer r.applying.Unlock()
		r.mu.Lock()
		offered = rec.Position <= r.position // an offer may have applied it meanwhile
		r.mu.Unlock()
		if !offered {
			r.applyLocked(rec)
		}
		return nil
	})
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	r.applying.Lock() // no offer applies records past the position the error names
	defer r.applying.Unlock()
	r.ahead = nil
	r.mu.Lock()
	r.err = fmt.Errorf("projections stopped at position %d: %w", r.position, err)
	close(r.advanced)
	r.advanced = make(chan struct{})
	r.mu.Unlock()
	return err
}

// applyLocked applies rec to every view and moves the views' position to
// it, then applies the records offered ahead that now follow, waking the
// waiters. It returns the views' position. r.applying is held and rec is
// the next record.
func (r *Runner) applyLocked(rec events.Record) uint64 {
	for {
		for _, v := range r.views {
			v.Apply(rec)
		}
		r.mu.Lock()
		r.appliedLocked(rec.Position, time.Now())
		close(r.advanced)
		r.advanced = make(chan struct{})
		r.mu.Unlock()
		delete(r.ahead, rec.Position) // offered ahead, and the feed came first
		next, ok := r.ahead[rec.Position+1]
		if !ok {
			return rec.Position
		}
		rec = next
	}
}

// Offer hands the views the records of one append this process just made
// to log l (eventlog.Appended.Records, in order), so that a write need not
// wait for the log to hand them back. Only the log the runner follows
// itself is taken: positions are only comparable within one log, and a
// runner fed by another one (a mirror, a wrapper that delays or holds
// records back) takes no offer.
//
// Of the records, those the views do not hold yet are applied at once if
// they come next in log order: the first at the views' position plus one,
// each following the one before. Records the views hold already are
// skipped. From the first record that is not next (records not applied
// yet lie between: another offer's, still on its way, or another
// writer's), the rest are kept aside, and applied as soon as the record
// before them is, whether an offer or the log's feed brings it; the feed
// skips the records an offer applied. Once the runner has stopped, or
// with too many records aside, everything is left to the feed.
//
// Each record is decoded again from its stored bytes (Data), as the feed
// decodes what the log holds: the views see exactly what a reader of the
// log sees, and share nothing with the writer's own state. A record
// without its bytes, or whose bytes do not decode to it, is left to the
// feed.
//
// Offer reports whether the views now hold every record offered. It counts
// them as known to be in the log (Lag), as Settle does.
func (r *Runner) Offer(l eventlog.Log, recs []events.Record) bool {
	if len(recs) == 0 {
		return true
	}
	if !sameLog(l, r.log) {
		return false
	}
	last := recs[len(recs)-1].Position
	decoded := make([]events.Record, 0, len(recs))
	for _, rec := range recs {
		if len(rec.Data) == 0 || rec.Position == 0 {
			break
		}
		d, err := eventlog.Decode(eventlog.Stored{Aggregate: rec.Aggregate, Position: rec.Position, Version: rec.Version,
			Type: rec.Type, Schema: rec.Schema, Hash: rec.Hash, Data: rec.Data})
		if err != nil || d.Hash != rec.Hash {
			break
		}
		decoded = append(decoded, d)
	}
	r.applying.Lock()
	defer r.applying.Unlock()
	r.mu.Lock()
	r.sawLocked(last, time.Now())
	at, stopped := r.position, r.err != nil
	r.mu.Unlock()
	if stopped {
		return false
	}
	for i, rec := range decoded {
		switch {
		case rec.Position <= at:
			continue // applied already, from the log's feed or ahead
		case rec.Position != at+1:
			r.keepAheadLocked(decoded[i:])
			return false // not next: applied with the record before it
		}
		at = r.applyLocked(rec)
	}
	return at >= last
}

// keepAheadLocked keeps offered records that are not next yet, unless
// that would keep more than maxAhead. r.applying is held.
func (r *Runner) keepAheadLocked(recs []events.Record) {
	if len(r.ahead)+len(recs) > maxAhead {
		return
	}
	if r.ahead == nil {
		r.ahead = map[uint64]events.Record{}
	}
	for _, rec := range recs {
		r.ahead[rec.Position] = rec
	}
}

// sameLog reports whether a and b are the same log value (not two that
// cannot be compared).
func sameLog(a, b eventlog.Log) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.IsValid() && vb.IsValid() && va.Type() == vb.Type() && va.Comparable() && vb.Comparable() && va.Equal(vb)
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
func (r *Runner) WaitFor(ctx context.Context, pos uint64) error { return r.wait(ctx, pos, false) }

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
	return r.wait(ctx, pos, true)
}

// wait returns once the views have applied pos, or with an error when ctx
// ends, the runner stopped, or (stall) the views are stalled behind pos.
func (r *Runner) wait(ctx context.Context, pos uint64, stall bool) error {
	for {
		r.mu.Lock()
		at, err, advanced := r.position, r.err, r.advanced
		var stallsAt time.Time
		if stall && at < pos {
			stallsAt = r.stallsAtLocked()
		}
		r.mu.Unlock()
		switch {
		case at >= pos:
			return nil
		case err != nil:
			return err
		}
		var timeout <-chan time.Time
		if stall {
			wait := time.Until(stallsAt)
			if wait <= 0 {
				return fmt.Errorf("views at position %d, waiting for %d: %w (nothing applied for %s)", at, pos, ErrStalled, r.stallAfter())
			}
			timeout = time.After(wait) // collected once it fires or is dropped (Go 1.23)
		}
		select {
		case <-advanced:
		case <-timeout:
		case <-ctx.Done():
			return fmt.Errorf("views at position %d, waiting for %d: %w", at, pos, ctx.Err())
		}
	}
}
