// Package eventlog is gradelog's event store: an append-only log of
// events.Record, grouped into aggregates, with optimistic concurrency,
// idempotent and atomic appends, per-aggregate hash chains, reads as of a
// position or an instant, and an ordered feed for projections.
//
// Log is the contract; JetStream implements it on NATS JetStream (embedded
// or clustered) and the EventStoreDB backend implements it too. The
// acceptance suite in eventlog/logtest is what every implementation passes.
package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gradelog/gradelog/events"
)

// Log is an append-only event store.
//
// Implementations are safe for concurrent use.
type Log interface {
	// Append stores req.Events as the next records of req.Aggregate, all
	// or none, if the aggregate is still at req.Head. A retry of an append
	// that already landed (same key and same head, or same key within the
	// backend's deduplication window) returns the records first stored,
	// with AlreadyRecorded set, and stores nothing; a retry decided on a
	// fresh head after the window is the command layer's to recognise
	// (handlers check keys in the history they load). A stale head is a
	// *ConflictError naming the current version.
	Append(ctx context.Context, req AppendRequest) (Appended, error)

	// Load returns an aggregate's records in order, up to the bound (the
	// zero Until: all of them), and the head they end at. An unknown
	// aggregate has no records and the zero head.
	Load(ctx context.Context, a events.AggregateID, until Until) (History, error)

	// Scan delivers the stored records after position `after`, in log
	// order, to fn, and returns once it has delivered the last record
	// present when it was called. Live: it keeps following new records
	// until ctx ends. fn is called from one goroutine; the feed waits for
	// it (back-pressure). A non-nil error from fn stops the scan and is
	// returned.
	Scan(ctx context.Context, after uint64, live bool, fn func(Stored) error) error

	// ReadAt returns the records at the given positions, in that order:
	// what a reconstruction of one student, whose records are spread over
	// many aggregates, reads. A position holding no record is an error.
	ReadAt(ctx context.Context, positions []uint64) ([]events.Record, error)

	// LastPosition is the position of the last record of the log, 0 if
	// the log is empty.
	LastPosition(ctx context.Context) (uint64, error)

	// CheckConfig verifies that the store is configured append-only; it
	// returns an error naming every relaxed setting.
	CheckConfig(ctx context.Context) error
}

// AppendRequest is one decision's events for one aggregate.
type AppendRequest struct {
	Aggregate events.AggregateID
	// Head is where the aggregate stood when the decision was taken (the
	// version and hash of the last record folded); zero for a new one.
	Head events.Head
	// Boundary, when set, widens the concurrency check to every aggregate
	// matching a pattern (JetStream only; see Boundary).
	Boundary *Boundary
	// Key is the command's idempotency key; "" means none.
	Key    string
	Events []events.Pending
}

// Boundary is a consistency check over several aggregates: the append is
// refused unless the last position among the aggregates matching Pattern
// is still Position. Pattern is an aggregate id whose tokens may be "*"
// (one token) or a final ">" (one or more), and it must match the
// appended aggregate, so that the aggregate's own chain stays protected.
// EventStoreDB has no such check: its backend refuses boundaries with
// ErrUnsupported, and no invariant may depend on one alone.
type Boundary struct {
	Pattern  string
	Position uint64
}

// Appended is the outcome of a successful append.
type Appended struct {
	Records []events.Record
	// AlreadyRecorded: an earlier append with the same key had landed;
	// Records are the records it stored and nothing was written now.
	AlreadyRecorded bool
}

// Head returns where the aggregate stands after the append.
func (a Appended) Head() events.Head {
	if len(a.Records) == 0 {
		return events.Head{}
	}
	return a.Records[len(a.Records)-1].Head()
}

// History is an aggregate's records and the head they end at.
type History struct {
	Records []events.Record
	Head    events.Head
}

// WithKey returns the records of h stored under idempotency key ("" has
// none): what an earlier attempt of the same command wrote.
func (h History) WithKey(key string) []events.Record {
	if key == "" {
		return nil
	}
	var out []events.Record
	for _, r := range h.Records {
		if r.IdempotencyKey == key {
			out = append(out, r)
		}
	}
	return out
}

// Until bounds a read: records at or before Position and recorded at or
// before Instant. Zero fields do not bound.
type Until struct {
	Position uint64
	Instant  time.Time
}

// Admits reports whether the bound admits a record at position, recorded
// at recordedAt.
func (u Until) Admits(position uint64, recordedAt time.Time) bool {
	return (u.Position == 0 || position <= u.Position) && (u.Instant.IsZero() || !recordedAt.After(u.Instant))
}

// Stored is a record as the store holds it, not yet decoded: what
// verification and mirroring work on.
type Stored struct {
	Aggregate events.AggregateID
	Position  uint64
	Version   uint64
	Type      string // as the store's metadata says
	Schema    int
	Hash      string // the hash stored beside the data
	Data      []byte
	// Where is how the backend names the record's place (the JetStream
	// subject, the EventStoreDB stream), for error messages.
	Where string
}

// MaxBatch is the most events one append may carry (JetStream's atomic
// batch limit).
const MaxBatch = 1000

// Errors. Test with errors.Is; conflicts also with errors.As(*ConflictError).
var (
	ErrConflict    = errors.New("conflict: the aggregate changed since the decision")
	ErrUnsupported = errors.New("not supported by this backend")
	ErrFull        = errors.New("the event log's storage limit is reached")
	ErrRelaxed     = errors.New("the event stream is not configured append-only")
	ErrBadRequest  = errors.New("invalid append request")
)

// ConflictError is a stale expectation: the decision was taken on Expected
// but the aggregate (or boundary) is at Current.
type ConflictError struct {
	Aggregate events.AggregateID
	Expected  uint64
	Current   uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict on %s: decided on version %d, current version is %d", e.Aggregate, e.Expected, e.Current)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// DecodeError is a stored record that does not decode; readers stop on it.
type DecodeError struct {
	Position uint64
	Where    string
	Err      error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("record at position %d (%s) does not decode: %v", e.Position, e.Where, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode turns a stored record into an events.Record, checking that the
// store's metadata agrees with the envelope.
func Decode(s Stored) (events.Record, error) {
	r, err := events.Decode(s.Data)
	if err != nil {
		return events.Record{}, &DecodeError{s.Position, s.Where, err}
	}
	switch {
	case r.Aggregate != s.Aggregate:
		err = fmt.Errorf("%w: envelope names aggregate %q", events.ErrCorrupt, r.Aggregate)
	case s.Type != "" && (r.Type != s.Type || r.Schema != s.Schema):
		err = fmt.Errorf("%w: stored as %s v%d, envelope says %s v%d", events.ErrCorrupt, s.Type, s.Schema, r.Type, r.Schema)
	}
	if err != nil {
		return events.Record{}, &DecodeError{s.Position, s.Where, err}
	}
	r.Position, r.Version = s.Position, s.Version
	return r, nil
}

// Follow is Scan with each record decoded; it stops with a *DecodeError
// naming the position and subject of a record that does not decode.
func Follow(ctx context.Context, l Log, after uint64, live bool, fn func(events.Record) error) error {
	return l.Scan(ctx, after, live, func(s Stored) error {
		r, err := Decode(s)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// ErrMissing: the store holds records it cannot deliver (removed, or
// failing the store's own checksum).
var ErrMissing = errors.New("records missing from the log")

// MissingError names the positions a bounded Scan could not deliver; it
// delivered every other record first.
type MissingError struct {
	Ranges [][2]uint64 // first and last missing position of each run
}

func (e *MissingError) add(from, to uint64) { e.Ranges = append(e.Ranges, [2]uint64{from, to}) }

func (e *MissingError) Error() string {
	s := make([]string, len(e.Ranges))
	for i, r := range e.Ranges {
		s[i] = fmt.Sprintf("%d", r[0])
		if r[1] != r[0] {
			s[i] = fmt.Sprintf("%d to %d", r[0], r[1])
		}
	}
	return fmt.Sprintf("%v: positions %s are in the store but cannot be read (removed, or their bytes no longer match the store's checksum)", ErrMissing, strings.Join(s, ", "))
}

func (e *MissingError) Unwrap() error { return ErrMissing }
