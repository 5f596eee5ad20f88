package eventlog

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/events"
)

// BuildRecords validates req and builds the records every backend stores
// for it, the same bytes whatever the backend: one envelope per event,
// stamped now, carrying the idempotency key (a fresh UUID when req has
// none, so that a backend's own retries of this append stay idempotent)
// and linking to its predecessor's hash, the first to req.Head.Hash.
// Position and Version stay zero: the backend sets them once stored. The
// boundary is the backend's to check. Errors wrap ErrBadRequest.
func BuildRecords(req AppendRequest, now time.Time) ([]events.Record, error) {
	if err := req.Aggregate.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if n := len(req.Events); n == 0 || n > MaxBatch {
		return nil, fmt.Errorf("%w: %d events for %s (1 to %d per append)", ErrBadRequest, n, req.Aggregate, MaxBatch)
	}
	if (req.Head.Version == 0) != (req.Head.Hash == "") {
		return nil, fmt.Errorf("%w: head %+v of %s: a version needs its hash and only a new aggregate has neither", ErrBadRequest, req.Head, req.Aggregate)
	}
	key := req.Key
	if key == "" {
		key = uuid.NewString() // still makes this call's own retries idempotent
	}
	prev := req.Head.Hash
	records := make([]events.Record, len(req.Events))
	for i, p := range req.Events {
		r, err := events.Encode(req.Aggregate, p, now, key, prev)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
		}
		records[i], prev = r, r.Hash
	}
	return records, nil
}
