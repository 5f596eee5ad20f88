package mirror

import (
	"errors"
	"fmt"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Options tune Copy. The zero value is ready to use.
type Options struct {
	// BatchRecords is the most records one Import carries: 500 by default,
	// at most eventlog.MaxBatch.
	BatchRecords int
	// BatchBytes is the most bytes of records one Import carries: 4 MiB by
	// default. A larger record goes alone.
	BatchBytes int
	// Progress, when set, is called as the copy and the verification go:
	// after each batch, and every BatchRecords records skipped or
	// verified; never concurrently.
	Progress func(Progress)
}

func (o *Options) defaults() {
	if o.BatchRecords <= 0 {
		o.BatchRecords = 500
	}
	o.BatchRecords = min(o.BatchRecords, eventlog.MaxBatch)
	if o.BatchBytes <= 0 {
		o.BatchBytes = 4 << 20
	}
}

// Stage is what Copy is doing.
type Stage int

const (
	Copying   Stage = iota // reading and verifying the source, importing
	Verifying              // reading the destination back
)

// Progress is how far Copy is.
type Progress struct {
	Stage Stage
	// Position is the last position read: in the source while copying, in
	// the destination while verifying.
	Position uint64
	// Last is the source's last position when the copy started.
	Last    uint64
	Read    int // records read at this stage
	Copied  int // records imported so far
	Resumed int // records the destination held already, verified and skipped
}

// Report is the outcome of Copy.
type Report struct {
	// ResumedFrom is the source position of the destination's last record
	// when Copy started (0: it was empty); Resumed is how many records of
	// the source it held already.
	ResumedFrom uint64 `json:"resumed_from"`
	Resumed     int    `json:"resumed"`
	Copied      int    `json:"copied"` // records imported by this Copy
	Source      Side   `json:"source"`
	Destination Side   `json:"destination"` // set once verified
	// Verified: the destination was read back and compared.
	Verified bool `json:"verified"`
	// PositionsIdentical: every record is at the same position on both
	// sides (so the heads digests are equal too).
	PositionsIdentical bool `json:"positions_identical"`
	// Differences are how the destination differs from the source.
	Differences []string      `json:"differences,omitempty"`
	CopyTime    time.Duration `json:"copy_time"`
	VerifyTime  time.Duration `json:"verify_time"`
}

// Identical reports whether the destination was verified to hold the same
// records as the source, in the same order, with the same chain heads.
func (r Report) Identical() bool { return r.Verified && len(r.Differences) == 0 }

// Errors of Copy; test with errors.Is.
var (
	ErrBroken   = errors.New("the source's hash chain is broken")
	ErrMismatch = errors.New("the destination differs from the source")
)

// BreakError is a break in the source's chains: Copy stopped before the
// broken record.
type BreakError struct {
	events.ChainError
	Where string // the record's place in the source's terms
}

func (e *BreakError) Error() string {
	where := ""
	if e.Where != "" {
		where = " (" + e.Where + ")"
	}
	return fmt.Sprintf("%v: chain of %s at position %d%s: %s; the mirror stopped before it: nothing at or after position %d was copied",
		ErrBroken, e.Aggregate, e.Position, where, e.Reason, e.Position)
}

func (e *BreakError) Unwrap() error { return ErrBroken }
