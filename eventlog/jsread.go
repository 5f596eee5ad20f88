package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/gradelog/gradelog/events"
)

// getBatchSize is how many records one direct batch get asks for.
const getBatchSize = 512

// Load implements Log with batch direct gets on the aggregate's subject.
func (l *JetStream) Load(ctx context.Context, a events.AggregateID, until Until) (History, error) {
	if err := a.Validate(); err != nil {
		return History{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return l.load(ctx, a, 0, until)
}

// load reads a's records after position `after`, up to until. It pages
// through batch direct gets until the server says nothing matching is
// pending; a page that ends early (byte limit, timeout) is followed by the
// next one, and a page with no record at all is an error, never a silently
// shorter history.
func (l *JetStream) load(ctx context.Context, a events.AggregateID, after uint64, until Until) (History, error) {
	var h History
	subject := l.subj.of(a)
	next := after + 1
	var unanswered time.Time // since when the stream has had no responder
	for attempt := 0; ; attempt++ {
		got, pending, done, err := l.page(ctx, &h, subject, &next, until)
		switch {
		case errors.Is(err, nats.ErrNoResponders) && got == 0 && ctx.Err() == nil &&
			(unanswered.IsZero() || time.Since(unanswered) < 10*time.Second):
			// A stream just created or moving between peers has no
			// direct-get responder for a moment: wait for one.
			if unanswered.IsZero() {
				unanswered = time.Now()
			}
			sleep(ctx, backoff(attempt))
			continue
		case err != nil:
			return History{}, fmt.Errorf("load %s: %w", a, err)
		case done || pending == 0:
			return h, nil
		case got == 0 && ctx.Err() != nil:
			return History{}, fmt.Errorf("load %s: %w", a, ctx.Err())
		case got == 0:
			return History{}, fmt.Errorf("load %s: no complete reply from stream %q after position %d", a, l.cfg.Stream, next-1)
		}
		unanswered, attempt = time.Time{}, 0
	}
}

// page reads one batch direct get of subject from *next into h: how many
// records it got, how many the server says remain (-1: unknown), and done
// when the history is complete (no more messages, or until reached).
func (l *JetStream) page(ctx context.Context, h *History, subject string, next *uint64, until Until) (got, pending int, done bool, err error) {
	msgs, err := jetstreamext.GetBatch(ctx, l.js, l.cfg.Stream, getBatchSize,
		jetstreamext.GetBatchSeq(*next), jetstreamext.GetBatchSubject(subject))
	if err != nil {
		return 0, -1, false, err
	}
	pending = -1
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return got, pending, true, nil
		}
		if err != nil {
			return got, pending, false, err
		}
		got++
		*next = m.Sequence + 1
		if pending, err = strconv.Atoi(m.Header.Get("Nats-Num-Pending")); err != nil {
			pending = -1
		}
		r, err := Decode(l.stored(m.Subject, m.Sequence, m.Header, m.Data))
		if err != nil {
			return got, pending, false, err
		}
		if !until.Admits(r.Position, r.RecordedAt) {
			return got, pending, true, nil
		}
		h.Records = append(h.Records, r)
		h.Head = r.Head()
	}
	return got, pending, false, nil
}

func (l *JetStream) stored(subject string, seq uint64, hdr map[string][]string, data []byte) Stored {
	a, _ := l.subj.aggregate(subject) // the stream only holds the prefix's subjects
	schema, _ := strconv.Atoi(first(hdr[hdrSchema]))
	return Stored{
		Aggregate: a, Position: seq, Version: seq,
		Type: first(hdr[hdrType]), Schema: schema, Hash: first(hdr[hdrHash]),
		Data: data, Where: "subject " + subject,
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// Scan implements Log with an ordered consumer starting after `after`. The
// consumer pulls a bounded number of messages ahead of fn.
func (l *JetStream) Scan(ctx context.Context, after uint64, live bool, fn func(Stored) error) error {
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
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if after > 0 {
		cfg = jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: after + 1}
	}
	cons, err := l.js.OrderedConsumer(ctx, l.cfg.Stream, cfg)
	if err != nil {
		return fmt.Errorf("scan from position %d: %w", after+1, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return fmt.Errorf("scan from position %d: %w", after+1, err)
	}
	defer it.Stop()
	// The stream refuses deletes, so its sequences have no holes: a
	// sequence the consumer skips is a record the server cannot read (its
	// checksum failed). A bounded scan delivers the rest and then names
	// them (MissingError).
	var missing MissingError
	var next atomic.Uint64
	next.Store(after + 1)
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if !live {
		go l.watch(scanCtx, &next, cancel)
	}
	for {
		m, err := it.Next(jetstream.NextContext(scanCtx))
		if err != nil {
			if errors.Is(context.Cause(scanCtx), ErrMissing) {
				missing.add(next.Load(), end)
				return &missing
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("scan: %w", err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("scan: metadata: %w", err)
		}
		seq := md.Sequence.Stream
		if n := next.Load(); seq > n {
			missing.add(n, seq-1)
		}
		next.Store(seq + 1)
		if err := fn(l.stored(m.Subject(), seq, m.Headers(), m.Data())); err != nil {
			return err
		}
		if !live && seq >= end {
			if len(missing.Ranges) > 0 {
				return &missing
			}
			return nil
		}
	}
}

// stallWait is how long a bounded scan waits for its next record before
// checking whether the store can deliver it at all.
const stallWait = 2 * time.Second

// watch ends a bounded scan (cancel with ErrMissing) when it has waited
// stallWait for its next record and the store holds no readable record
// there: the consumer would wait for it forever. A slow consumer is left
// alone.
func (l *JetStream) watch(ctx context.Context, next *atomic.Uint64, cancel context.CancelCauseFunc) {
	t := time.NewTicker(stallWait)
	defer t.Stop()
	seen := next.Load()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := next.Load()
		if n != seen {
			seen = n
			continue
		}
		if _, err := l.stream.GetMsg(ctx, n); errors.Is(err, jetstream.ErrMsgNotFound) {
			cancel(ErrMissing)
			return
		}
	}
}
