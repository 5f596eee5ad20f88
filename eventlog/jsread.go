package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
//
// On a replicated stream any replica answers a direct get, and a follower
// applies a message shortly after the leader has acknowledged it: a read
// right after an append may meet a follower without it (a stale read). So
// the stream leader is asked for the aggregate's last sequence, which
// includes every append acknowledged before the call (leaderLast), while
// the first page is read, and the pages go on until they reach it.
func (l *JetStream) load(ctx context.Context, a events.AggregateID, after uint64, until Until) (History, error) {
	var h History
	subject := l.subj.of(a)
	var leader chan leaderAnswer // the leader's answer, until it is taken
	if l.replicated() {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		leader = make(chan leaderAnswer, 1)
		go func() {
			seq, err := l.leaderLast(lctx, subject)
			leader <- leaderAnswer{seq, err}
		}()
	}
	var want uint64 // the history must reach this position; 0: whatever a replica has
	next := after + 1
	var unanswered time.Time // since when the stream has had no responder
	var behind time.Time     // since when the replicas answering have been behind want
	stale := 0
	for attempt := 0; ; attempt++ {
		got, pending, end, err := l.page(ctx, &h, subject, &next, until)
		if err == nil && leader != nil && (end == pageEnd || pending == 0) {
			// The replica has nothing more: is that all the leader has?
			ans := <-leader
			if ans.err != nil {
				return History{}, fmt.Errorf("load %s: %w", a, ans.err)
			}
			leader, want = nil, ans.seq
			if until.Position != 0 {
				want = min(want, until.Position)
			}
		}
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
		case end == pageBound:
			return h, nil
		case (end == pageEnd || pending == 0) && next > want:
			return h, nil
		case end == pageEnd || pending == 0:
			// The replica that answered has not applied up to want yet.
			if behind.IsZero() {
				behind = time.Now()
			} else if time.Since(behind) > 10*time.Second {
				return History{}, fmt.Errorf("load %s: the replicas of stream %q answering direct gets have not reached position %d, which the leader holds, for %v (read up to %d)",
					a, l.cfg.Stream, want, time.Since(behind).Round(time.Millisecond), next-1)
			}
			sleep(ctx, staleBackoff(stale))
			stale++
			continue
		case got == 0 && ctx.Err() != nil:
			return History{}, fmt.Errorf("load %s: %w", a, ctx.Err())
		case got == 0:
			return History{}, fmt.Errorf("load %s: no complete reply from stream %q after position %d", a, l.cfg.Stream, next-1)
		}
		unanswered, attempt = time.Time{}, 0
	}
}

type leaderAnswer struct {
	seq uint64
	err error
}

// How a page ended: the reply stopped (byte limit, timeout), the replica
// has nothing more from there, or the bound was reached.
const (
	pageMore = iota
	pageEnd
	pageBound
)

// staleBackoff is the wait before asking the replicas again for what the
// leader already holds: a follower is usually a millisecond behind, and the
// next direct get may go to another replica.
func staleBackoff(n int) time.Duration {
	return min(time.Millisecond<<min(n, 7), 100*time.Millisecond)
}

// page reads one batch direct get of subject from *next into h: how many
// records it got, how many the server says remain (-1: unknown), and how
// it ended (pageEnd: the replica has no more messages; pageBound: until
// reached).
func (l *JetStream) page(ctx context.Context, h *History, subject string, next *uint64, until Until) (got, pending, end int, err error) {
	msgs, err := jetstreamext.GetBatch(ctx, l.js, l.cfg.Stream, getBatchSize,
		jetstreamext.GetBatchSeq(*next), jetstreamext.GetBatchSubject(subject))
	if err != nil {
		return 0, -1, pageMore, err
	}
	pending = -1
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return got, pending, pageEnd, nil
		}
		if err != nil {
			return got, pending, pageMore, err
		}
		got++
		*next = m.Sequence + 1
		if pending, err = strconv.Atoi(m.Header.Get("Nats-Num-Pending")); err != nil {
			pending = -1
		}
		r, err := Decode(l.stored(m.Subject, m.Sequence, m.Header, m.Data))
		if err != nil {
			return got, pending, pageMore, err
		}
		if !until.Admits(r.Position, r.RecordedAt) {
			return got, pending, pageBound, nil
		}
		h.Records = append(h.Records, r)
		h.Head = r.Head()
	}
	return got, pending, pageMore, nil
}

// replicated reports whether direct gets may be answered by a follower.
func (l *JetStream) replicated() bool { return l.cfg.Replicas > 1 }

// msgGetRequest is the server's JSApiMsgGetRequest, as far as we use it.
type msgGetRequest struct {
	Seq       uint64 `json:"seq,omitempty"`
	LastFor   string `json:"last_by_subj,omitempty"`
	NoHeaders bool   `json:"no_hdr,omitempty"`
}

// leaderLast is the stream sequence of the last message on subject (which
// may hold wildcards) as the stream leader holds it, 0 if there is none.
// The leader stores a message before acknowledging it, so the answer
// includes every append acknowledged before the call.
func (l *JetStream) leaderLast(ctx context.Context, subject string) (uint64, error) {
	m, err := l.leaderGet(ctx, msgGetRequest{LastFor: subject, NoHeaders: true})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last record of %s: %w", subject, err)
	}
	return m.Sequence, nil
}

// msgAt reads the message at seq with a direct get. On a replicated
// stream, "not found" may come from a follower that has not applied it
// yet: the leader has the last word.
func (l *JetStream) msgAt(ctx context.Context, seq uint64) (*jetstream.RawStreamMsg, error) {
	m, err := l.stream.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) && l.replicated() {
		return l.leaderGet(ctx, msgGetRequest{Seq: seq})
	}
	return m, err
}

// leaderGet reads one message from the stream leader: the JetStream API's
// message get (not the direct get), which in a cluster only the stream
// leader answers. While the stream elects a leader (no answer, or "cluster
// not available") it asks again, for up to 10 s. A message that is not
// there is jetstream.ErrMsgNotFound.
func (l *JetStream) leaderGet(ctx context.Context, req msgGetRequest) (*jetstream.RawStreamMsg, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	subject := apiPrefix(l.js.Options()) + "STREAM.MSG.GET." + l.cfg.Stream
	var since time.Time
	for attempt := 0; ; attempt++ {
		m, err := l.leaderGetOnce(ctx, subject, data)
		if err == nil || !transient(err) || ctx.Err() != nil {
			return m, err
		}
		if since.IsZero() {
			since = time.Now()
		} else if time.Since(since) > 10*time.Second {
			return nil, fmt.Errorf("the leader of stream %q has not answered for 10s: %w", l.cfg.Stream, err)
		}
		sleep(ctx, backoff(attempt))
	}
}

func (l *JetStream) leaderGetOnce(ctx context.Context, subject string, data []byte) (*jetstream.RawStreamMsg, error) {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	reply, err := l.js.Conn().RequestWithContext(rctx, subject, data)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Subject  string    `json:"subject"`
			Sequence uint64    `json:"seq"`
			Header   []byte    `json:"hdrs"`
			Data     []byte    `json:"data"`
			Time     time.Time `json:"time"`
		} `json:"message"`
	}
	if err := json.Unmarshal(reply.Data, &resp); err != nil {
		return nil, fmt.Errorf("message get on stream %q: %w", l.cfg.Stream, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return nil, jetstream.ErrMsgNotFound
	case resp.Error != nil:
		return nil, resp.Error
	case resp.Message == nil:
		return nil, fmt.Errorf("message get on stream %q: %w", l.cfg.Stream, jetstream.ErrInvalidJetStreamResponse)
	}
	m := &jetstream.RawStreamMsg{Subject: resp.Message.Subject, Sequence: resp.Message.Sequence, Data: resp.Message.Data, Time: resp.Message.Time}
	if len(resp.Message.Header) > 0 {
		if m.Header, err = nats.DecodeHeadersMsg(resp.Message.Header); err != nil {
			return nil, fmt.Errorf("message get on stream %q: headers: %w", l.cfg.Stream, err)
		}
	}
	return m, nil
}

// apiPrefix is the JetStream API prefix js sends its requests with.
func apiPrefix(o jetstream.JetStreamOptions) string {
	switch {
	case o.APIPrefix != "":
		return strings.TrimSuffix(o.APIPrefix, ".") + "."
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	}
	return jetstream.DefaultAPIPrefix
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
		if _, err := l.msgAt(ctx, n); errors.Is(err, jetstream.ErrMsgNotFound) {
			cancel(ErrMissing)
			return
		}
	}
}
