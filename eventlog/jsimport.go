package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/gradelog/gradelog/events"
)

// hdrSource is the header of an imported message naming the position of
// the record in the log it was copied from. Append never writes it, so
// the last message of a stream tells whether a mirror wrote it.
const hdrSource = "Gl-Source-Position"

// ErrNotMirror: a sink holds records that a mirror did not write (a live
// log); a mirror never writes into one.
var ErrNotMirror = errors.New("the log holds records not written by a mirror")

var _ Sink = (*JetStream)(nil)

// maxImportConflicts bounds how often one Import plans again after the
// stream moved under it.
const maxImportConflicts = 5

// Mirrored implements Sink: the source position stored with the stream's
// last message, 0 for an empty stream, or ErrNotMirror if that message was
// appended rather than imported.
func (l *JetStream) Mirrored(ctx context.Context) (uint64, error) {
	last, err := l.LastPosition(ctx)
	if err != nil {
		return 0, err
	}
	return l.mirroredAt(ctx, last)
}

// mirroredAt reads the source position of the message at last, the
// stream's last sequence.
func (l *JetStream) mirroredAt(ctx context.Context, last uint64) (uint64, error) {
	if last == 0 {
		return 0, nil
	}
	m, err := l.stream.GetMsg(ctx, last)
	if err != nil {
		return 0, fmt.Errorf("last record of stream %q (position %d): %w", l.cfg.Stream, last, err)
	}
	v := m.Header.Get(hdrSource)
	if v == "" {
		return 0, fmt.Errorf("%w: stream %q: its last record, position %d (subject %s), has no %s header: it was appended, not imported; mirror into an empty stream or into one only mirrors wrote",
			ErrNotMirror, l.cfg.Stream, last, m.Subject, hdrSource)
	}
	p, err := strconv.ParseUint(v, 10, 64)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("stream %q: record at position %d has %s %q, not a position", l.cfg.Stream, last, hdrSource, v)
	}
	return p, nil
}

// Import implements Sink with one atomic batch (a plain publish for one
// record): each message carries the record's exact bytes, the headers
// Append writes (Gl-Type, Gl-Schema, Gl-Hash) and Gl-Source-Position; the
// first carries Nats-Expected-Last-Sequence, the stream's last sequence
// when the links were checked. So two mirrors cannot interleave, a record
// is stored only after the record its link was checked against, and the
// batch lands whole or not at all.
//
// Links are checked in memory against the last record of each aggregate,
// read once per Import. A publish whose outcome is unknown (a lost
// acknowledgement, a leader change) is retried: Import then reads
// Mirrored again and skips the records that landed, after checking they
// are these very records (same source positions, same hashes); likewise
// when the expectation fails because another mirror of the same source
// stored them. Anything else in their place is an ErrConflict.
func (l *JetStream) Import(ctx context.Context, recs []Stored) error {
	return l.importRecs(ctx, recs, false)
}

// importRecs is Import; retry says an earlier publish of recs may have
// landed (Import's own retry after an unknown outcome), so that records
// already at the end of the stream are recognised and skipped.
func (l *JetStream) importRecs(ctx context.Context, recs []Stored, retry bool) error {
	if len(recs) == 0 || len(recs) > MaxBatch {
		return fmt.Errorf("%w: import of %d records (1 to %d per import)", ErrBadRequest, len(recs), MaxBatch)
	}
	span := fmt.Sprintf("source positions %d to %d", recs[0].Position, recs[len(recs)-1].Position)
	conflicts := 0
	var unreachableSince time.Time
	for attempt := 0; ; attempt++ {
		msgs, err := l.planImport(ctx, recs, retry)
		if errors.Is(err, errLanded) {
			return nil
		}
		if err != nil {
			return err
		}
		_, _, err = l.publish(ctx, msgs)
		switch {
		case err == nil:
			return nil
		case isCode(err, 10071):
			// The stream moved since it was read: our own earlier attempt,
			// another mirror, or a writer. Plan again on what it holds now.
			if conflicts++; conflicts > maxImportConflicts {
				return fmt.Errorf("%w: import of %s into stream %q: the stream kept changing during the import (%v)", ErrConflict, span, l.cfg.Stream, err)
			}
			retry = true
		case isFull(err):
			return fmt.Errorf("%w: import of %s refused: %v", ErrFull, span, err)
		case errors.Is(err, nats.ErrNoResponders) && !unreachableSince.IsZero() && time.Since(unreachableSince) > 10*time.Second:
			return fmt.Errorf("import of %s: stream %q has not answered for 10s: %w", span, l.cfg.Stream, err)
		case transient(err) && ctx.Err() == nil:
			if errors.Is(err, nats.ErrNoResponders) && unreachableSince.IsZero() {
				unreachableSince = time.Now()
			}
			retry = true
			Sleep(ctx, Backoff(attempt))
		default:
			return fmt.Errorf("import of %s into stream %q: %w", span, l.cfg.Stream, err)
		}
	}
}

// errLanded: every record of an import is already in the stream.
var errLanded = errors.New("already imported")

// planImport reads where the stream stands, skips (when retry) the
// records of recs already at its end, checks the others' links and
// returns their messages, the first carrying the expectation.
func (l *JetStream) planImport(ctx context.Context, recs []Stored, retry bool) ([]*nats.Msg, error) {
	last, err := l.LastPosition(ctx)
	if err != nil {
		return nil, err
	}
	mirrored, err := l.mirroredAt(ctx, last)
	if err != nil {
		return nil, err
	}
	if retry && mirrored >= recs[0].Position {
		n, err := l.landed(ctx, recs, last, mirrored)
		if err != nil {
			return nil, err
		}
		if n == len(recs) {
			return nil, errLanded
		}
		recs = recs[n:]
	}
	heads, err := l.lastHashes(ctx, recs, last)
	if err != nil {
		return nil, err
	}
	if err := CheckImport(recs, mirrored, func(a events.AggregateID) string { return heads[a] }); err != nil {
		return nil, fmt.Errorf("import into stream %q: %w", l.cfg.Stream, err)
	}
	msgs := make([]*nats.Msg, len(recs))
	for i, r := range recs {
		m := &nats.Msg{Subject: l.subj.of(r.Aggregate), Data: r.Data, Header: nats.Header{}}
		if r.Type != "" {
			m.Header.Set(hdrType, r.Type)
			m.Header.Set(hdrSchema, strconv.Itoa(r.Schema))
		}
		m.Header.Set(hdrHash, events.HashOf(r.Data))
		m.Header.Set(hdrSource, strconv.FormatUint(r.Position, 10))
		msgs[i] = m
	}
	msgs[0].Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(last, 10))
	return msgs, nil
}

// landed checks that the records of recs up to source position mirrored
// are the last messages of the stream (last its last sequence) and
// returns how many they are.
func (l *JetStream) landed(ctx context.Context, recs []Stored, last, mirrored uint64) (int, error) {
	n := -1
	for i, r := range recs {
		if r.Position == mirrored {
			n = i + 1
		}
	}
	if n < 0 || uint64(n) > last {
		return 0, fmt.Errorf("%w: stream %q now holds records up to source position %d, which is not among the records being imported (source positions %d to %d): another mirror wrote into it",
			ErrConflict, l.cfg.Stream, mirrored, recs[0].Position, recs[len(recs)-1].Position)
	}
	for i, r := range recs[:n] {
		seq := last - uint64(n-1-i)
		m, err := l.stream.GetMsg(ctx, seq)
		if err != nil {
			return 0, fmt.Errorf("import: read back position %d of stream %q: %w", seq, l.cfg.Stream, err)
		}
		if m.Header.Get(hdrSource) != strconv.FormatUint(r.Position, 10) || events.HashOf(m.Data) != events.HashOf(r.Data) || m.Subject != l.subj.of(r.Aggregate) {
			return 0, fmt.Errorf("%w: position %d of stream %q (subject %s, %s %q) is not the record of source position %d (%s) being imported: another mirror wrote into it",
				ErrConflict, seq, l.cfg.Stream, m.Subject, hdrSource, m.Header.Get(hdrSource), r.Position, r.Aggregate)
		}
	}
	return n, nil
}

// lastHashes returns the hash of the last record, at or before position
// last, of each aggregate of recs that has one: one multi-subject direct
// get, and a get per subject for any the reply left out.
func (l *JetStream) lastHashes(ctx context.Context, recs []Stored, last uint64) (map[events.AggregateID]string, error) {
	heads := map[events.AggregateID]string{}
	if last == 0 {
		return heads, nil
	}
	var subjects []string
	seen := map[events.AggregateID]bool{}
	for _, r := range recs {
		if !seen[r.Aggregate] && r.Aggregate.Validate() == nil {
			seen[r.Aggregate] = true
			subjects = append(subjects, l.subj.of(r.Aggregate))
		}
	}
	if len(subjects) == 0 {
		return heads, nil
	}
	msgs, err := jetstreamext.GetLastMsgsFor(ctx, l.js, l.cfg.Stream, subjects, jetstreamext.GetLastMsgsUpToSeq(last))
	if err != nil {
		return nil, fmt.Errorf("import: last records of %d aggregates: %w", len(subjects), err)
	}
	complete := false
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			complete = true // none of the aggregates has a record yet
			break
		}
		if err != nil {
			return nil, fmt.Errorf("import: last records of %d aggregates: %w", len(subjects), err)
		}
		a, err := l.subj.aggregate(m.Subject)
		if err != nil {
			return nil, err
		}
		heads[a] = events.HashOf(m.Data)
		complete = m.Header.Get("Nats-Num-Pending") == "0"
	}
	if complete {
		return heads, nil
	}
	// The reply stopped early (its byte limit): read the rest one by one.
	for a := range seen {
		if _, ok := heads[a]; ok {
			continue
		}
		m, err := l.stream.GetLastMsgForSubject(ctx, l.subj.of(a))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
		case err != nil:
			return nil, fmt.Errorf("import: last record of %s: %w", a, err)
		case m.Sequence <= last:
			heads[a] = events.HashOf(m.Data)
		default:
			return nil, fmt.Errorf("%w: %s was written to during the import (position %d)", ErrConflict, a, m.Sequence)
		}
	}
	return heads, nil
}

// CheckImport checks recs as Sink.Import must before storing anything:
// 1 to MaxBatch records; source positions increasing, the first after
// mirrored (the source position of the sink's last record); every
// aggregate id valid; every stored hash (when given) the hash of the
// data; every envelope naming the aggregate it is filed under and linking
// to the hash of its aggregate's previous record, last(a) for the first
// record of a in recs ("" for an aggregate the sink does not hold). It
// returns an ErrBadRequest error naming the record, its source position
// and aggregate, and the values that disagree.
func CheckImport(recs []Stored, mirrored uint64, last func(events.AggregateID) string) error {
	if len(recs) == 0 || len(recs) > MaxBatch {
		return fmt.Errorf("%w: import of %d records (1 to %d per import)", ErrBadRequest, len(recs), MaxBatch)
	}
	heads := map[events.AggregateID]string{}
	prev := mirrored
	for i, r := range recs {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: record %d of the import (source position %d, aggregate %s): %s; nothing of the import was stored",
				ErrBadRequest, i+1, r.Position, r.Aggregate, fmt.Sprintf(format, args...))
		}
		switch {
		case i == 0 && r.Position <= prev:
			return bad("source position %d does not follow %d, the source position of the last record the sink holds", r.Position, prev)
		case r.Position <= prev:
			return bad("source position %d comes after %d: positions must increase", r.Position, prev)
		}
		prev = r.Position
		if err := r.Aggregate.Validate(); err != nil {
			return bad("%v", err)
		}
		sum := events.HashOf(r.Data)
		if r.Hash != "" && r.Hash != sum {
			return bad("stored hash %s differs from the hash of its data %s", r.Hash, sum)
		}
		var link struct {
			Aggregate events.AggregateID `json:"aggregate"`
			Prev      string             `json:"prev"`
		}
		if err := json.Unmarshal(r.Data, &link); err != nil {
			return bad("data is not an envelope: %v", err)
		}
		if link.Aggregate != r.Aggregate {
			return bad("envelope names aggregate %q", link.Aggregate)
		}
		head, ok := heads[r.Aggregate]
		if !ok {
			head = last(r.Aggregate)
		}
		if link.Prev != head {
			return bad("prev %s does not link to %s, the hash of the aggregate's last record before it", orNone(link.Prev), orNone(head))
		}
		heads[r.Aggregate] = sum
	}
	return nil
}

func orNone(h string) string {
	if h == "" {
		return `"" (none: a first record)`
	}
	return h
}
