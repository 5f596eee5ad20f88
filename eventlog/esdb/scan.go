package esdb

import (
	"context"
	"errors"
	"fmt"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gradelog/gradelog/eventlog"
)

// maxDrops bounds how many times in a row Scan subscribes again after a
// drop that is not known to be transient, without delivering a record in
// between.
const maxDrops = 5

// Scan implements eventlog.Log with a catch-up subscription to $all from
// the position after `after`, filtered on the server by the log's stream
// prefix (the v4 client filters subscriptions, not reads); system events
// (a tombstone in one of the log's streams) are skipped. A bounded scan
// first takes the log's last position (LastPosition) and returns once it
// has delivered the record there; a live one follows new records until ctx
// ends. A dropped subscription is resumed after the last record
// delivered. fn is called from the calling goroutine.
//
// Positions are not contiguous, so a record removed from the middle of
// the log goes unseen here (its aggregate's chain breaks, which Verify
// reports). A bounded scan that reaches the end of $all without finding
// the last record it was called for returns a *eventlog.MissingError.
func (l *Log) Scan(ctx context.Context, after uint64, live bool, fn func(eventlog.Stored) error) error {
	var end uint64
	if !live {
		last, err := l.LastPosition(ctx)
		if err != nil {
			return err
		}
		if last <= after {
			return nil
		}
		end = last
	}
	next := after // the last position delivered or passed
	drops := 0
	for attempt := 0; ; attempt++ {
		before := next
		err := l.once(ctx, func(c *es.Client) error { return l.follow(ctx, c, &next, end, fn) })
		var cb callbackError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &cb):
			return cb.err
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, eventlog.ErrMissing), errors.Is(err, eventlog.ErrBadRequest), errors.Is(err, errClosed):
			return err
		}
		if next != before {
			drops, attempt = 0, 0
		}
		if permanent(err) {
			return fmt.Errorf("scan after position %d: %w", next, err)
		}
		if !transient(err) {
			if drops++; drops > maxDrops {
				return fmt.Errorf("scan after position %d: subscription to $all dropped %d times in a row: %w", next, drops, err)
			}
		}
		eventlog.Sleep(ctx, eventlog.Backoff(attempt))
	}
}

// callbackError carries the error of Scan's fn out of the subscription.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// follow subscribes after *next and delivers the log's records to fn,
// moving *next on; end, when not 0, is the last position to deliver.
func (l *Log) follow(ctx context.Context, c *es.Client, next *uint64, end uint64, fn func(eventlog.Stored) error) error {
	var from es.AllPosition = es.Start{}
	if *next > 0 {
		from = es.Position{Commit: *next, Prepare: *next} // exclusive
	}
	sub, err := c.SubscribeToAll(ctx, es.SubscribeToAllOptions{
		From:   from,
		Filter: &es.SubscriptionFilter{Type: es.StreamFilterType, Prefixes: []string{l.names.streamPrefix()}},
	})
	if err != nil {
		return fmt.Errorf("subscribe to $all after position %d: %w", *next, err)
	}
	defer sub.Close()
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return fmt.Errorf("subscription to $all after position %d dropped: %w", *next, ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			e := ev.EventAppeared.OriginalEvent()
			if e == nil || e.Position.Commit <= *next {
				continue
			}
			if l.names.ours(e) {
				if err := fn(l.names.stored(e)); err != nil {
					return callbackError{err}
				}
			}
			*next = e.Position.Commit
			if end > 0 && *next >= end {
				return nil
			}
		case ev.CheckPointReached != nil:
			if end > 0 && ev.CheckPointReached.Commit > end {
				return l.missing(*next, end)
			}
		case ev.CaughtUp != nil:
			if end > 0 {
				return l.missing(*next, end)
			}
		}
	}
}

// missing is the error of a bounded scan that has passed end, the log's
// last record when it was called, without receiving it: the record was
// removed (its stream deleted or truncated) since.
func (l *Log) missing(next, end uint64) error {
	return &eventlog.MissingError{Ranges: [][2]uint64{{next + 1, end}}}
}

// permanent reports a refusal that subscribing again cannot change.
func permanent(err error) bool {
	for _, c := range []es.ErrorCode{es.ErrorCodeAccessDenied, es.ErrorCodeUnauthenticated, es.ErrorCodeUnsupportedFeature, es.ErrorCodeResourceNotFound} {
		if isCode(err, c) {
			return true
		}
	}
	switch status.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated, codes.Unimplemented, codes.InvalidArgument, codes.NotFound:
		return true
	}
	return false
}
