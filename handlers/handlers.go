// Package handlers holds gradelog's command handlers. Each one loads the
// history of the aggregate it touches, decides with pure rules (no I/O, no
// clock but the one passed in) and appends the resulting events with an
// expectation on the head it decided on. Every command is validated against
// the catalog, the ruleset and the aggregate's state before anything is
// appended: a refused command writes nothing.
package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Handlers carries what every command handler needs.
type Handlers struct {
	Log eventlog.Log
}

// maxAttempts bounds how often a decision is retaken after a conflict.
const maxAttempts = 10

// decision turns an aggregate's history into the events to append. It is
// pure; returning no events means there is nothing to write.
type decision func(h eventlog.History) ([]events.Pending, error)

// execute loads a, decides and appends under key. A conflict means someone
// else wrote first: the decision is retaken on the fresh history, which is
// right only for decisions that do not depend on what a person saw; those
// check the version they were shown inside decide and fail there.
func (hs *Handlers) execute(ctx context.Context, a events.AggregateID, key string, decide decision) (eventlog.Appended, error) {
	for attempt := 1; ; attempt++ {
		h, err := hs.Log.Load(ctx, a, eventlog.Until{})
		if err != nil {
			return eventlog.Appended{}, err
		}
		// A retry, however long after the first attempt, answers what that
		// attempt stored and writes nothing.
		if rec := h.WithKey(key); len(rec) > 0 {
			return eventlog.Appended{Records: rec, AlreadyRecorded: true}, nil
		}
		pending, err := decide(h)
		if err != nil || len(pending) == 0 {
			return eventlog.Appended{}, err
		}
		got, err := hs.Log.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: h.Head, Key: key, Events: pending})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return eventlog.Appended{}, fmt.Errorf("%s: %w", a, err)
		}
		return got, nil
	}
}
