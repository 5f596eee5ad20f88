package esdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Append implements eventlog.Log: the records eventlog.BuildRecords makes
// (the bytes the JetStream backend stores) as one AppendToStream to the
// aggregate's stream, expecting the revision of req.Head. Transient
// failures (leader change, lost reply, restarting server) are retried with
// the same events until ctx ends, which is safe: the event ids derive from
// the key, so the server takes a retry of an append that landed for an
// idempotent write. Once stored, the records are read back for their
// positions; if they are not the bytes sent (an earlier attempt with the
// same key landed), they are returned as AlreadyRecorded.
func (l *Log) Append(ctx context.Context, req eventlog.AppendRequest) (eventlog.Appended, error) {
	if req.Boundary != nil {
		return eventlog.Appended{}, fmt.Errorf("%w: boundary %q on the append to %s: EventStoreDB checks an expectation on one stream only; decide on the aggregate's own head",
			eventlog.ErrUnsupported, req.Boundary.Pattern, req.Aggregate)
	}
	records, err := eventlog.BuildRecords(req, l.opt.Now())
	if err != nil {
		return eventlog.Appended{}, err
	}
	stream := l.names.stream(req.Aggregate)
	key := records[0].IdempotencyKey
	evs := make([]es.EventData, len(records))
	for i, r := range records {
		evs[i] = es.EventData{
			EventID:     appendEventID(stream, key, i),
			EventType:   r.Type,
			ContentType: es.ContentTypeJson,
			Data:        r.Data,
			Metadata:    metadata{Hash: r.Hash, Schema: r.Schema}.encode(),
		}
	}
	err = l.appendTo(ctx, stream, req.Head.Version, evs)
	switch {
	case err == nil:
		return l.landed(ctx, req, stream, records, evs)
	case isCode(err, es.ErrorCodeWrongExpectedVersion):
		return l.conflict(ctx, req, key, len(records))
	case isCode(err, es.ErrorCodeStreamDeleted):
		return eventlog.Appended{}, fmt.Errorf("append to %s: stream %s was deleted for good (tombstoned) and takes no more events: %w", req.Aggregate, stream, err)
	default:
		return eventlog.Appended{}, fmt.Errorf("append to %s (stream %s): %w", req.Aggregate, stream, err)
	}
}

// appendTo appends evs to stream after version v (0: a new stream), again
// while the server is unreachable or busy; it returns the last answer.
func (l *Log) appendTo(ctx context.Context, stream string, v uint64, evs []es.EventData) error {
	opts := es.AppendToStreamOptions{ExpectedRevision: expectation(v)}
	for attempt := 0; ; attempt++ {
		err := l.once(ctx, func(c *es.Client) error {
			_, err := c.AppendToStream(ctx, stream, opts, evs...)
			return err
		})
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
		eventlog.Sleep(ctx, eventlog.Backoff(attempt))
	}
}

// landed reads back the events an accepted append left after the head:
// the ones sent (their positions and versions fill records), or, for an
// idempotent write, the ones an earlier attempt with the same key stored,
// returned as already recorded.
func (l *Log) landed(ctx context.Context, req eventlog.AppendRequest, stream string, records []events.Record, evs []es.EventData) (eventlog.Appended, error) {
	var got []*es.RecordedEvent
	err := l.do(ctx, func(c *es.Client) error {
		var err error
		got, err = readStream(ctx, c, stream, req.Head.Version, uint64(len(evs)))
		return err
	})
	if err != nil {
		return eventlog.Appended{}, fmt.Errorf("append to %s: stored, but reading it back from stream %s failed: %w", req.Aggregate, stream, err)
	}
	if len(got) != len(evs) {
		return eventlog.Appended{}, fmt.Errorf("append to %s: stored %d events, but stream %s holds %d after revision %d", req.Aggregate, len(evs), stream, len(got), int64(req.Head.Version)-1)
	}
	same := 0
	for i, e := range got {
		if e.EventID != evs[i].EventID {
			return eventlog.Appended{}, fmt.Errorf("append to %s: stream %s revision %d holds event %s, not %s which the server acknowledged", req.Aggregate, stream, e.EventNumber, e.EventID, evs[i].EventID)
		}
		if e.Position.Commit == math.MaxUint64 {
			return eventlog.Appended{}, fmt.Errorf("append to %s: the server reports no position on stream reads (EventStoreDB before 22.6)", req.Aggregate)
		}
		if bytes.Equal(e.Data, records[i].Data) {
			same++
		}
	}
	switch same {
	case len(got):
		for i, e := range got {
			records[i].Position, records[i].Version = e.Position.Commit, e.EventNumber+1
		}
		return eventlog.Appended{Records: records}, nil
	case 0:
		out := make([]events.Record, len(got))
		for i, e := range got {
			if out[i], err = eventlog.Decode(l.names.stored(e)); err != nil {
				return eventlog.Appended{}, err
			}
		}
		return eventlog.Appended{Records: out, AlreadyRecorded: true}, nil
	}
	return eventlog.Appended{}, fmt.Errorf("append to %s: stream %s holds, under the ids of this append, %d of its %d records and others: the store is inconsistent", req.Aggregate, stream, same, len(got))
}

// conflict resolves a wrong expected revision: if this key's records
// landed after the head (a retry of an append whose reply was lost, which
// the server did not take for idempotent), they are returned as already
// recorded; otherwise it is a *ConflictError naming the current version.
func (l *Log) conflict(ctx context.Context, req eventlog.AppendRequest, key string, n int) (eventlog.Appended, error) {
	h, err := l.load(ctx, req.Aggregate, req.Head.Version, eventlog.Until{})
	if err != nil {
		return eventlog.Appended{}, fmt.Errorf("append to %s met a conflict and could not tell whether it had landed: %w", req.Aggregate, err)
	}
	if mine := h.WithKey(key); len(mine) == n {
		return eventlog.Appended{Records: mine, AlreadyRecorded: true}, nil
	}
	current := h.Head.Version
	if len(h.Records) == 0 {
		if current, err = l.version(ctx, l.names.stream(req.Aggregate)); err != nil {
			return eventlog.Appended{}, errors.Join(fmt.Errorf("append to %s met a conflict", req.Aggregate), err)
		}
	}
	return eventlog.Appended{}, &eventlog.ConflictError{Aggregate: req.Aggregate, Expected: req.Head.Version, Current: current}
}
