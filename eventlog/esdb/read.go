package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// pageSize is how many events one stream read asks for; a backward read
// of $all asks for firstBackPage, then eight times more each time, up to
// maxBackPage: the log's last record is usually among the last few.
const (
	pageSize      = 1024
	firstBackPage = 8
	maxBackPage   = 1024
)

// Load implements eventlog.Log: the aggregate's stream read forwards, page
// by page, each event decoded. A stream that does not exist (or was
// deleted) is an empty history at the zero head.
func (l *Log) Load(ctx context.Context, a events.AggregateID, until eventlog.Until) (eventlog.History, error) {
	if err := a.Validate(); err != nil {
		return eventlog.History{}, fmt.Errorf("%w: %v", eventlog.ErrBadRequest, err)
	}
	if err := ctx.Err(); err != nil {
		return eventlog.History{}, fmt.Errorf("load %s: %w", a, err)
	}
	return l.load(ctx, a, 0, until)
}

// load reads a's records from stream revision `from` (the version of the
// last record not wanted), up to until. A failure that may pass resumes
// after the last record read.
func (l *Log) load(ctx context.Context, a events.AggregateID, from uint64, until eventlog.Until) (eventlog.History, error) {
	var h eventlog.History
	stream := l.names.stream(a)
	next := from
	err := l.do(ctx, func(c *es.Client) error {
		for {
			evs, err := readStream(ctx, c, stream, next, pageSize)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.Position.Commit == math.MaxUint64 {
					return fmt.Errorf("stream %s revision %d: the server reports no position on stream reads (EventStoreDB before 22.6)", stream, e.EventNumber)
				}
				next = e.EventNumber + 1
				if !l.names.ours(e) {
					continue
				}
				r, err := eventlog.Decode(l.names.stored(e))
				if err != nil {
					return err
				}
				if !until.Admits(r.Position, r.RecordedAt) {
					return nil
				}
				h.Records = append(h.Records, r)
				h.Head = r.Head()
			}
			if len(evs) < pageSize {
				return nil
			}
		}
	})
	if err != nil {
		return eventlog.History{}, fmt.Errorf("load %s (stream %s): %w", a, stream, err)
	}
	return h, nil
}

// readStream reads up to count events of stream forwards from revision
// from; a stream that does not exist has none.
func readStream(ctx context.Context, c *es.Client, stream string, from, count uint64) ([]*es.RecordedEvent, error) {
	rs, err := c.ReadStream(ctx, stream, es.ReadStreamOptions{Direction: es.Forwards, From: es.Revision(from)}, count)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*es.RecordedEvent
	for {
		e, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return out, nil
		case isCode(err, es.ErrorCodeResourceNotFound):
			return nil, nil
		case err != nil:
			return nil, err
		case e.Event != nil:
			out = append(out, e.Event)
		}
	}
}

// lastOfStream is the last event of stream, nil if it has none.
func lastOfStream(ctx context.Context, c *es.Client, stream string) (*es.RecordedEvent, error) {
	rs, err := c.ReadStream(ctx, stream, es.ReadStreamOptions{Direction: es.Backwards, From: es.End{}}, 1)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	e, err := rs.Recv()
	switch {
	case errors.Is(err, io.EOF), isCode(err, es.ErrorCodeResourceNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return e.Event, nil
}

// version is the current version of stream: its last revision plus one,
// 0 when it has no event.
func (l *Log) version(ctx context.Context, stream string) (uint64, error) {
	var v uint64
	err := l.do(ctx, func(c *es.Client) error {
		e, err := lastOfStream(ctx, c, stream)
		if err == nil && e != nil {
			v = e.EventNumber + 1
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("current version of stream %s: %w", stream, err)
	}
	return v, nil
}

// LastPosition implements eventlog.Log: $all read backwards, page by page,
// to the first record of the log. The v4 client filters only
// subscriptions, not reads, so the events written after the log's last
// record (other logs', the server's own) are read and skipped: few on a
// server gradelog has to itself, all of $all for an empty log.
func (l *Log) LastPosition(ctx context.Context) (uint64, error) {
	e, err := l.last(ctx)
	if err != nil || e == nil {
		return 0, err
	}
	return e.Position.Commit, nil
}

// last is the last record of the log in $all, nil if it has none.
func (l *Log) last(ctx context.Context) (*es.RecordedEvent, error) {
	var found *es.RecordedEvent
	err := l.do(ctx, func(c *es.Client) error {
		var from es.AllPosition = es.End{}
		for count := uint64(firstBackPage); ; count = min(8*count, maxBackPage) {
			n, err := readAll(ctx, c, es.Backwards, from, count, func(e *es.RecordedEvent) bool {
				from = e.Position
				if l.names.ours(e) {
					found = e
					return false
				}
				return true
			})
			if err != nil || found != nil || uint64(n) < count {
				return err
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("last record of the log (streams %s*): %w", l.names.streamPrefix(), err)
	}
	return found, nil
}

// lastOfAll is the position of the last event of $all, whoever wrote it;
// nil for an empty $all.
func lastOfAll(ctx context.Context, c *es.Client) (*es.Position, error) {
	var p *es.Position
	_, err := readAll(ctx, c, es.Backwards, es.End{}, 1, func(e *es.RecordedEvent) bool {
		p = &e.Position
		return false
	})
	return p, err
}

// readAll reads up to count events of $all from `from` in direction dir
// and hands them to fn until it returns false; it returns how many it
// read. Forwards, `from` is inclusive; backwards, exclusive.
func readAll(ctx context.Context, c *es.Client, dir es.Direction, from es.AllPosition, count uint64, fn func(*es.RecordedEvent) bool) (int, error) {
	rs, err := c.ReadAll(ctx, es.ReadAllOptions{Direction: dir, From: from}, count)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	n := 0
	for {
		e, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if e.Event == nil {
			continue
		}
		n++
		if !fn(e.Event) {
			return n, nil
		}
	}
}

// ReadAt implements eventlog.Log: $all read forwards from each position,
// one event, which must be a record of the log at exactly that position
// (eventlog.Parallel keeps the reads in flight together).
func (l *Log) ReadAt(ctx context.Context, positions []uint64) ([]events.Record, error) {
	return eventlog.Parallel(len(positions), func(i int) (events.Record, error) { return l.readAt(ctx, positions[i]) })
}

func (l *Log) readAt(ctx context.Context, pos uint64) (events.Record, error) {
	if pos == 0 {
		return events.Record{}, fmt.Errorf("%w: position 0 holds no record", eventlog.ErrBadRequest)
	}
	var got *es.RecordedEvent
	err := l.do(ctx, func(c *es.Client) error {
		_, err := readAll(ctx, c, es.Forwards, es.Position{Commit: pos, Prepare: pos}, 1, func(e *es.RecordedEvent) bool {
			got = e
			return false
		})
		return err
	})
	switch {
	case err != nil:
		return events.Record{}, fmt.Errorf("read position %d: %w", pos, err)
	case got == nil:
		return events.Record{}, fmt.Errorf("read position %d: no record there (past the end of $all)", pos)
	case got.Position.Commit != pos:
		return events.Record{}, fmt.Errorf("read position %d: no record there (the next event of $all is at position %d)", pos, got.Position.Commit)
	case !l.names.ours(got):
		return events.Record{}, fmt.Errorf("read position %d: the event there (stream %s, type %s) is not a record of this log (streams %s*)", pos, got.StreamID, got.EventType, l.names.streamPrefix())
	}
	return eventlog.Decode(l.names.stored(got))
}
