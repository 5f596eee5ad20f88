package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/gradelog/gradelog/events"
)

// Append implements Log. One event is a plain publish; several are one
// atomic batch. The first message carries the expectation (the aggregate's
// last sequence, or the boundary's) and a Nats-Msg-Id derived from the
// idempotency key: the server refuses a whole batch holding a known
// message id (10201), so one id per batch deduplicates it, and the server
// tracks one id instead of hundreds. Transient failures (leader change, lost
// acknowledgement) are retried with the same bytes until ctx ends, which is
// safe: the expectation and the key make a retry land at most once. So is,
// for up to unchangedRetry, a refusal of the expectation while the
// aggregate is still at it (a new leader's, see unchangedError).
func (l *JetStream) Append(ctx context.Context, req AppendRequest) (Appended, error) {
	records, msgs, err := l.prepare(req)
	if err != nil {
		return Appended{}, err
	}
	if req.Boundary != nil {
		// The server checks only the boundary: make sure the head, whose
		// hash the first record links to, is still the aggregate's. A write
		// to the aggregate after this read moves the boundary and is caught.
		current, err := l.lastSeq(ctx, l.subj.of(req.Aggregate))
		if err != nil {
			return Appended{}, err
		}
		if current != req.Head.Version {
			got, err := l.conflict(ctx, req, records[0].IdempotencyKey, len(records))
			if u := (*unchangedError)(nil); errors.As(err, &u) {
				// The boundary has not moved but the aggregate is not at
				// the head: the request contradicts itself.
				err = &ConflictError{Aggregate: req.Aggregate, Expected: req.Head.Version, Current: current}
			}
			return got, err
		}
	}
	unreachableSince := time.Time{}
	var unchangedSince time.Time // since when the stream has refused an expectation that still holds
	unchanged := 0               // how many times it has
	for attempt := 0; ; attempt++ {
		first, dup, err := l.publish(ctx, msgs)
		switch {
		case err == nil && !dup:
			for i := range records {
				records[i].Position = first + uint64(i)
				records[i].Version = records[i].Position
			}
			return Appended{Records: records}, nil
		case err == nil && dup, isCode(err, 10201):
			got, err := l.alreadyRecorded(ctx, req.Aggregate, records[0].IdempotencyKey, len(records), 0)
			if errors.Is(err, errNotRecorded) {
				return Appended{}, fmt.Errorf("%w: idempotency key %q of %s was used by a different append of %d events", ErrBadRequest, records[0].IdempotencyKey, req.Aggregate, len(records))
			}
			return got, err
		case isCode(err, 10071, 10164):
			got, cerr := l.conflict(ctx, req, records[0].IdempotencyKey, len(records))
			u := (*unchangedError)(nil)
			if !errors.As(cerr, &u) {
				return got, cerr
			}
			// Refused as stale, yet nothing has been written on the
			// subject since the decision: not a conflict (see
			// unchangedError). The same bytes go again, with the same
			// Nats-Msg-Id, so still at most once.
			unchanged++
			u.refusal, u.attempts = err, unchanged
			if unchangedSince.IsZero() {
				unchangedSince = time.Now()
			}
			u.since = time.Since(unchangedSince)
			if u.since > unchangedRetry && u.current < u.expected {
				// The leader never caught up with the head: a head
				// this aggregate never had.
				return Appended{}, &ConflictError{Aggregate: req.Aggregate, Expected: u.expected, Current: u.current}
			}
			if u.since > unchangedRetry || ctx.Err() != nil {
				return Appended{}, fmt.Errorf("append to %s: %w", req.Aggregate, u)
			}
			// What is in process usually lands within milliseconds;
			// it may be another writer's append, and then the next
			// attempt is the conflict.
			Sleep(ctx, staleBackoff(unchanged+1))
		case isFull(err):
			return Appended{}, fmt.Errorf("%w: append to %s refused: %v", ErrFull, req.Aggregate, err)
		case errors.Is(err, nats.ErrNoResponders) && !unreachableSince.IsZero() && time.Since(unreachableSince) > 10*time.Second:
			return Appended{}, fmt.Errorf("append to %s: stream %q has not answered for 10s: %w", req.Aggregate, l.cfg.Stream, err)
		case transient(err) && ctx.Err() == nil:
			if errors.Is(err, nats.ErrNoResponders) && unreachableSince.IsZero() {
				unreachableSince = time.Now()
			}
			Sleep(ctx, Backoff(attempt))
		default:
			return Appended{}, fmt.Errorf("append to %s: %w", req.Aggregate, err)
		}
	}
}

// prepare validates req, builds the records with their hash chain and the
// messages that carry them.
func (l *JetStream) prepare(req AppendRequest) ([]events.Record, []*nats.Msg, error) {
	records, err := BuildRecords(req, l.cfg.Now())
	if err != nil {
		return nil, nil, err
	}
	subject := l.subj.of(req.Aggregate)
	expectSubject, expectSeq := "", req.Head.Version
	if req.Boundary != nil {
		s, err := l.subj.boundary(req.Boundary.Pattern, req.Aggregate)
		if err != nil {
			return nil, nil, err
		}
		expectSubject, expectSeq = s, req.Boundary.Position
	}
	key := records[0].IdempotencyKey
	msgs := make([]*nats.Msg, len(records))
	for i, r := range records {
		m := &nats.Msg{Subject: subject, Data: r.Data, Header: nats.Header{}}
		m.Header.Set(hdrType, r.Type)
		m.Header.Set(hdrSchema, strconv.Itoa(r.Schema))
		m.Header.Set(hdrHash, r.Hash)
		if i == 0 {
			m.Header.Set(jetstream.MsgIDHeader, msgID(subject, key))
		}
		msgs[i] = m
	}
	msgs[0].Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expectSeq, 10))
	if expectSubject != "" {
		msgs[0].Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, expectSubject)
	}
	return records, msgs, nil
}

// msgID scopes the idempotency key to the aggregate: the server
// deduplicates across the whole stream, the handlers per aggregate.
func msgID(subject, key string) string { return subject + "/" + key }

// publish sends msgs once and returns the sequence of the first stored
// message and whether the server reported it a duplicate.
func (l *JetStream) publish(ctx context.Context, msgs []*nats.Msg) (uint64, bool, error) {
	actx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if len(msgs) == 1 {
		ack, err := l.js.PublishMsg(actx, msgs[0])
		if err != nil {
			return 0, false, err
		}
		return ack.Sequence, ack.Duplicate, nil
	}
	ack, err := jetstreamext.PublishMsgBatch(actx, l.js, msgs)
	if err != nil {
		return 0, false, err
	}
	return ack.Sequence - uint64(len(msgs)) + 1, false, nil
}

// conflict resolves an expectation the stream refused (10071, 10164). If
// the aggregate (or boundary) is not past the version the append expected,
// nothing was written there since the decision, neither by this append
// nor by anyone else: an *unchangedError, not a conflict. Otherwise, if
// this key's records landed after the head (a retry of an append whose
// acknowledgement was lost), they are returned as already recorded; else
// it is a *ConflictError.
//
// The current version is read first, from the stream leader: if the
// records of an earlier attempt of this append land after that read, the
// version read is still the expected one and the append is retried (and
// deduplicated), instead of being taken for someone else's write.
func (l *JetStream) conflict(ctx context.Context, req AppendRequest, key string, n int) (Appended, error) {
	subject, expected := l.subj.of(req.Aggregate), req.Head.Version
	if req.Boundary != nil {
		subject, _ = l.subj.boundary(req.Boundary.Pattern, req.Aggregate)
		expected = req.Boundary.Position
	}
	current, err := l.lastSeq(ctx, subject)
	if err != nil {
		return Appended{}, fmt.Errorf("append to %s met a conflict and could not read the current version: %w", req.Aggregate, err)
	}
	if current <= expected {
		return Appended{}, &unchangedError{subject: subject, expected: expected, current: current}
	}
	got, err := l.alreadyRecorded(ctx, req.Aggregate, key, n, req.Head.Version)
	if err == nil {
		return got, nil
	}
	if !errors.Is(err, errNotRecorded) {
		return Appended{}, fmt.Errorf("append to %s met a conflict and could not tell whether it had landed: %w", req.Aggregate, err)
	}
	return Appended{}, &ConflictError{Aggregate: req.Aggregate, Expected: expected, Current: current}
}

// unchangedRetry is how long an append refused as stale while the
// aggregate is still at its expected version is sent again.
const unchangedRetry = 10 * time.Second

// unchangedError: the stream refused an append's expectation ("wrong last
// sequence"), but its leader holds the subject at the expected version
// (or behind it). That happens right after a stream leader change: a new
// leader refuses while an earlier attempt of the same append is still in
// process (10164), or checks against a store that has not applied every
// acknowledged record yet. Nothing was written there since the decision:
// it is not a conflict, and the append is sent again.
type unchangedError struct {
	subject           string
	expected, current uint64
	refusal           error // the server's last answer
	attempts          int
	since             time.Duration
}

func (e *unchangedError) Error() string {
	return fmt.Sprintf("refused as stale %d times over %v although %s is still at the expected version %d (the leader holds %d): %v",
		e.attempts, e.since.Round(time.Millisecond), e.subject, e.expected, e.current, e.refusal)
}

func (e *unchangedError) Unwrap() error { return e.refusal }

var errNotRecorded = errors.New("not recorded")

// alreadyRecorded returns the n records of aggregate a stored with key
// after position `after`.
func (l *JetStream) alreadyRecorded(ctx context.Context, a events.AggregateID, key string, n int, after uint64) (Appended, error) {
	h, err := l.load(ctx, a, after, Until{})
	if err != nil {
		return Appended{}, err
	}
	mine := h.WithKey(key)
	if len(mine) != n {
		return Appended{}, errNotRecorded
	}
	return Appended{Records: mine, AlreadyRecorded: true}, nil
}

// lastSeq is the stream sequence of the last message on subject, 0 if
// none. A replicated stream's leader answers (a direct get may meet a
// follower that has not applied the last acknowledged append yet).
func (l *JetStream) lastSeq(ctx context.Context, subject string) (uint64, error) {
	if l.replicated() {
		return l.leaderLast(ctx, subject)
	}
	m, err := l.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last record of %s: %w", subject, err)
	}
	return m.Sequence, nil
}

// isFull reports a refusal because a storage limit of the stream or the
// account is reached; other store failures (a message too large) are not.
func isFull(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case 10023, 10002, 10047: // insufficient resources, account limits, storage exceeded
		return true
	case 10077: // store failed: "maximum bytes exceeded", "maximum messages exceeded", ...
		return strings.Contains(apiErr.Description, "maximum bytes") || strings.Contains(apiErr.Description, "maximum messages exceeded")
	}
	return false
}

func isCode(err error, codes ...jetstream.ErrorCode) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.ErrorCode == c {
			return true
		}
	}
	return false
}
