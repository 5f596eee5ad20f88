package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// state is an aggregate's state as a command sees it, folded from its
// records in order.
type state interface {
	apply(events.Record)
}

// aggregate is the cached state of one aggregate in this process. Commands
// on one aggregate are serialised by mu, so they do not conflict with each
// other; a write from another process shows as a conflict on append, and
// the state is then reloaded from the log.
type aggregate struct {
	mu     sync.Mutex
	loaded bool
	head   events.Head
	keys   map[string][]events.Record // idempotency key -> records it stored
	state  state
}

func (hs *Handlers) aggregate(a events.AggregateID) *aggregate {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.aggregates == nil {
		hs.aggregates = map[string]*aggregate{}
	}
	g := hs.aggregates[string(a)]
	if g == nil {
		g = &aggregate{}
		hs.aggregates[string(a)] = g
	}
	return g
}

func (g *aggregate) reset(h eventlog.History, fresh state) {
	g.loaded, g.head, g.keys, g.state = true, events.Head{}, map[string][]events.Record{}, fresh
	for _, r := range h.Records {
		g.add(r)
	}
	g.head = h.Head
}

func (g *aggregate) add(r events.Record) {
	g.state.apply(r)
	g.head = events.Head{Version: r.Version, Hash: r.Hash}
	if r.IdempotencyKey != "" {
		r.Data = nil // the answer to a retry needs the event, not the stored bytes
		g.keys[r.IdempotencyKey] = append(g.keys[r.IdempotencyKey], r)
	}
}

// decision turns an aggregate's state into the events to append. It must
// not change the state; returning no events means there is nothing to
// write.
type decision[S state] func(st S) ([]events.Pending, error)

// execute decides on a's state and appends the decision under key. A
// retry of a command whose key is in the history, however long after,
// returns the records the first attempt stored and writes nothing. On a
// conflict (another process wrote first) the state is reloaded and the
// decision retaken; decisions that depend on what a person saw check the
// version they were shown and fail there.
func execute[S state](ctx context.Context, hs *Handlers, a events.AggregateID, key string, fresh func() S, decide decision[S]) (eventlog.Appended, error) {
	g := hs.aggregate(a)
	g.mu.Lock()
	defer g.mu.Unlock()
	for attempt := 1; ; attempt++ {
		if !g.loaded {
			h, err := hs.Log.Load(ctx, a, eventlog.Until{})
			if err != nil {
				return eventlog.Appended{}, err
			}
			g.reset(h, fresh())
		}
		if rec := g.keys[key]; key != "" && len(rec) > 0 {
			return eventlog.Appended{Records: rec, AlreadyRecorded: true}, nil
		}
		pending, err := decide(g.state.(S))
		if err != nil || len(pending) == 0 {
			return eventlog.Appended{}, err
		}
		caused(ctx, pending)
		got, err := hs.Log.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: g.head, Key: key, Events: pending})
		if err != nil || got.AlreadyRecorded {
			g.loaded = false // the log holds records this state has not folded
		}
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return eventlog.Appended{}, fmt.Errorf("%s: %w", a, err)
		}
		if !got.AlreadyRecorded {
			for _, r := range got.Records {
				g.add(r)
			}
		}
		hs.settle(ctx, got)
		return got, nil
	}
}

// settle waits until the registry holds what a command wrote, so that the
// next command, from anyone, is checked against it (read your writes). The
// write is done whatever the wait gives: a registry that stays behind
// fails the next command that needs it instead. The wait ends as soon as
// the registry counts as stalled (behind, applying nothing for its
// runner's StallAfter): writes do not queue behind a stalled consumer.
//
// The records just written are first offered to the registry's runner,
// which applies them at once when it follows hs.Log itself and they come
// next in log order (no other writer's records between): no wait for the
// log to hand them back. Else they come through the log's feed, and
// settle waits for them.
func (hs *Handlers) settle(ctx context.Context, got eventlog.Appended) {
	if len(got.Records) == 0 || hs.Views == nil {
		return
	}
	if !got.AlreadyRecorded && hs.Views.Offer(hs.Log, got.Records) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	_ = hs.Views.Settle(ctx, got.Records[len(got.Records)-1].Position)
}

// maxAttempts bounds how often a decision is retaken after a conflict.
const maxAttempts = 10

// read gives fn a's state as the log holds it now.
func read[S state](ctx context.Context, hs *Handlers, a events.AggregateID, fresh func() S, fn func(st S, head events.Head)) error {
	g := hs.aggregate(a)
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := hs.Log.Load(ctx, a, eventlog.Until{})
	if err != nil {
		return err
	}
	if !g.loaded || h.Head != g.head {
		g.reset(h, fresh())
	}
	fn(g.state.(S), g.head)
	return nil
}
