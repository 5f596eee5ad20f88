package esdb

import (
	"context"
	"encoding/json"
	"fmt"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Mirrored implements eventlog.Sink: the source position in the metadata
// of the log's last record ($all read backwards, as LastPosition does), 0
// for an empty log, or eventlog.ErrNotMirror when that record was
// appended rather than imported.
func (l *Log) Mirrored(ctx context.Context) (uint64, error) {
	e, err := l.last(ctx)
	if err != nil || e == nil {
		return 0, err
	}
	m, err := decodeMetadata(e.UserMetadata)
	if err != nil {
		return 0, fmt.Errorf("last record of the log (stream %s revision %d, position %d): %w", e.StreamID, e.EventNumber, e.Position.Commit, err)
	}
	if m.Source == 0 {
		return 0, fmt.Errorf("%w: the log's last record (stream %s revision %d, position %d) has no source_position in its metadata: it was appended, not imported; mirror into an empty log (a new prefix) or into one only mirrors wrote",
			eventlog.ErrNotMirror, e.StreamID, e.EventNumber, e.Position.Commit)
	}
	return m.Source, nil
}

// Import implements eventlog.Sink. It reads Mirrored and the last record
// of each aggregate of recs, checks recs with eventlog.CheckImport (the
// checks the JetStream sink makes: source positions after Mirrored and
// increasing, hashes, links to each aggregate's last hash in this log),
// then stores each run of consecutive records of one aggregate, in source
// order, as one AppendToStream expecting the revision the links were
// checked against. Each event keeps the record's exact bytes and type and
// carries its hash, schema and source position in its metadata.
//
// Import is atomic per run, not across runs: EventStoreDB writes one
// stream at a time. Interrupted, it leaves the first runs of recs, a
// prefix of the source in its order, so a mirror still resumes exactly:
// Mirrored reads the source position of the last record stored. A run is
// retried with the same event ids (derived from stream and source
// position), which the server recognises when it landed; a run refused
// because its stream moved is checked against what the stream holds: the
// same records (an earlier attempt) are skipped, anything else is an
// eventlog.ErrConflict. Two mirrors must not write into one log at once:
// nothing orders their runs across streams.
func (l *Log) Import(ctx context.Context, recs []eventlog.Stored) error {
	if len(recs) == 0 || len(recs) > eventlog.MaxBatch {
		return fmt.Errorf("%w: import of %d records (1 to %d per import)", eventlog.ErrBadRequest, len(recs), eventlog.MaxBatch)
	}
	mirrored, err := l.Mirrored(ctx)
	if err != nil {
		return err
	}
	heads, err := l.heads(ctx, recs)
	if err != nil {
		return err
	}
	if err := eventlog.CheckImport(recs, mirrored, func(a events.AggregateID) string { return heads[a].hash }); err != nil {
		return fmt.Errorf("import into streams %s* on EventStoreDB at %s: %w", l.names.streamPrefix(), l.where, err)
	}
	for start := 0; start < len(recs); {
		end := start + 1
		for end < len(recs) && recs[end].Aggregate == recs[start].Aggregate {
			end++
		}
		a := recs[start].Aggregate
		h := heads[a]
		if err := l.importRun(ctx, h.version, recs[start:end]); err != nil {
			return err
		}
		heads[a] = head{hash: events.HashOf(recs[end-1].Data), version: h.version + uint64(end-start)}
		start = end
	}
	return nil
}

// head is where an aggregate's stream stands in this log.
type head struct {
	hash    string
	version uint64 // last revision + 1; 0: no stream
}

// heads reads the last record of the stream of each valid aggregate of
// recs, a few at a time.
func (l *Log) heads(ctx context.Context, recs []eventlog.Stored) (map[events.AggregateID]head, error) {
	var list []events.AggregateID
	seen := map[events.AggregateID]bool{}
	for _, r := range recs {
		if !seen[r.Aggregate] && r.Aggregate.Validate() == nil {
			seen[r.Aggregate] = true
			list = append(list, r.Aggregate)
		}
	}
	got, err := eventlog.Parallel(len(list), func(i int) (head, error) {
		stream := l.names.stream(list[i])
		var h head
		err := l.do(ctx, func(c *es.Client) error {
			e, err := lastOfStream(ctx, c, stream)
			if err == nil && e != nil {
				h = head{hash: events.HashOf(e.Data), version: e.EventNumber + 1}
			}
			return err
		})
		if err != nil {
			return head{}, fmt.Errorf("import: last record of %s (stream %s): %w", list[i], stream, err)
		}
		return h, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[events.AggregateID]head, len(list))
	for i, a := range list {
		out[a] = got[i]
	}
	return out, nil
}

// importRun stores run, records of one aggregate, after the stream's
// version v.
func (l *Log) importRun(ctx context.Context, v uint64, run []eventlog.Stored) error {
	stream := l.names.stream(run[0].Aggregate)
	evs := make([]es.EventData, len(run))
	for i, r := range run {
		typ, schema := r.Type, r.Schema
		if typ == "" {
			var env struct {
				Type   string `json:"type"`
				Schema int    `json:"schema"`
			}
			if err := json.Unmarshal(r.Data, &env); err != nil || env.Type == "" {
				return fmt.Errorf("%w: import of source position %d (%s): no type stored and none in the envelope", eventlog.ErrBadRequest, r.Position, r.Aggregate)
			}
			typ, schema = env.Type, env.Schema
		}
		evs[i] = es.EventData{
			EventID:     importEventID(stream, r.Position),
			EventType:   typ,
			ContentType: es.ContentTypeJson,
			Data:        r.Data,
			Metadata:    metadata{Hash: events.HashOf(r.Data), Schema: schema, Source: r.Position}.encode(),
		}
	}
	span := fmt.Sprintf("source positions %d to %d (%s)", run[0].Position, run[len(run)-1].Position, run[0].Aggregate)
	switch err := l.appendTo(ctx, stream, v, evs); {
	case err == nil:
		return nil
	case isCode(err, es.ErrorCodeWrongExpectedVersion):
		return l.importedBefore(ctx, stream, v, run, span)
	default:
		return fmt.Errorf("import of %s into stream %s: %w", span, stream, err)
	}
}

// importedBefore checks, after a refused run, that the stream holds run
// after version v (an earlier attempt stored it); anything else is a
// conflict.
func (l *Log) importedBefore(ctx context.Context, stream string, v uint64, run []eventlog.Stored, span string) error {
	var got []*es.RecordedEvent
	err := l.do(ctx, func(c *es.Client) error {
		var err error
		got, err = readStream(ctx, c, stream, v, uint64(len(run)))
		return err
	})
	if err != nil {
		return fmt.Errorf("import of %s: stream %s moved, and reading it failed: %w", span, stream, err)
	}
	for i, r := range run {
		if i >= len(got) {
			return fmt.Errorf("%w: import of %s: stream %s moved since its last record was read, and not by this import", eventlog.ErrConflict, span, stream)
		}
		m, _ := decodeMetadata(got[i].UserMetadata)
		if m.Source != r.Position || events.HashOf(got[i].Data) != events.HashOf(r.Data) {
			return fmt.Errorf("%w: import of %s: stream %s revision %d holds another record (source position %d) than source position %d: another writer wrote into it",
				eventlog.ErrConflict, span, stream, got[i].EventNumber, m.Source, r.Position)
		}
	}
	return nil
}
