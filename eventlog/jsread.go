package eventlog

import (
	"context"
	"crypto/rand"
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
			Sleep(ctx, Backoff(attempt))
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
			Sleep(ctx, staleBackoff(stale))
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
		Sleep(ctx, Backoff(attempt))
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

// Scan implements Log with a chain of consumers, each reading from
// where the last one stopped. It works like nats.go's ordered consumer
// (an unreplicated, in-memory consumer without acks, replaced when it
// fails) but keeps every request to the server under a short deadline and
// ends with ctx: the ordered consumer sends its first creation request
// with the caller's context, which after a node loss can go unanswered
// until that context ends, and retries a failed consumer inside Next
// without looking at the context at all.
//
// A consumer is replaced, after a short backoff, when its creation fails
// or goes unanswered for scanAttempt, when its idle heartbeats stop
// (its node died: 2*scanHeartbeat), when the server deletes it, when a
// delivery is lost (its consumer sequence skips), or when it delivers
// nothing for scanStall although the next record is in the stream (its
// replica lags). The next consumer starts right after the last record
// handed to fn: nothing is skipped, nothing delivered twice. A live scan
// keeps going until ctx ends; a bounded one gives up when it has not
// delivered a record for scanGiveUp.
func (l *JetStream) Scan(ctx context.Context, after uint64, live bool, fn func(Stored) error) error {
	s := &scanner{l: l, live: live, prefix: rand.Text()}
	if !live {
		last, err := l.LastPosition(ctx) // asked again while unanswered
		if err != nil {
			return fmt.Errorf("scan from position %d: %w", after+1, err)
		}
		if last <= after {
			return nil
		}
		s.end = last
	}
	s.next.Store(after + 1)
	scanCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go s.watch(scanCtx, cancel)
	progress := time.Now() // when a record was last delivered (or the scan began)
	for attempt := 0; ; attempt++ {
		from := s.next.Load()
		done, err := s.consume(scanCtx, fn)
		switch {
		case done:
			return err
		case errors.Is(context.Cause(scanCtx), ErrMissing):
			s.missing.add(s.next.Load(), s.end)
			return &s.missing
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, jetstream.ErrConnectionClosed) || !s.retryable(err):
			return fmt.Errorf("scan from position %d: %w", s.next.Load(), err)
		}
		if s.next.Load() != from {
			progress, attempt = time.Now(), 0
		} else if !live && time.Since(progress) > scanGiveUp {
			return fmt.Errorf("scan: no record delivered from position %d for %v: %w", from, time.Since(progress).Round(time.Second), err)
		}
		Sleep(scanCtx, Backoff(attempt))
	}
}

// The deadlines of a scan.
const (
	// scanAttempt bounds one request creating a consumer.
	scanAttempt = 2 * time.Second
	// scanHeartbeat is the consumer's idle heartbeat: a consumer that
	// sends none for twice as long is gone (its node died) and replaced.
	scanHeartbeat = 2 * time.Second
	// scanStall: a consumer that has delivered nothing for this long
	// while the next record is in the stream is replaced.
	scanStall = 10 * time.Second
	// scanGiveUp: a bounded scan that has delivered nothing for this long,
	// its consumers failing, fails.
	scanGiveUp = 30 * time.Second
	// scanInactive: the server deletes a consumer that nobody has pulled
	// from for this long (one whose creation was not answered, or whose
	// scan ended without deleting it).
	scanInactive = 2 * time.Minute
	// stallWait is how often a scan checks that it is still moving.
	stallWait = 2 * time.Second
)

// errStalled ends a consumer that delivers nothing although the next
// record is in the stream.
var errStalled = errors.New("the consumer delivers nothing although the next record is in the stream")

// errLostDelivery ends a consumer whose delivery sequence skipped: a
// message was lost on the way (a reconnection, a slow client).
var errLostDelivery = errors.New("a delivery was lost")

// scanner is the state of one Scan, across its consumers.
type scanner struct {
	l      *JetStream
	live   bool
	end    uint64 // a bounded scan ends after this position
	prefix string // of its consumers' names
	serial int
	// next is the first position not handed to fn yet.
	next    atomic.Uint64
	missing MissingError
	// busy: fn is at work (the scan is not waiting on the server).
	busy atomic.Bool
	// stop ends the current consumer (the watch's errStalled).
	stop atomic.Pointer[context.CancelCauseFunc]
}

// retryable reports whether a consumer that ended with err is worth
// replacing: it failed while reading, or its creation failed transiently
// (no answer, or the cluster's "unavailable" 5xx while it elects and
// places). A creation refused otherwise (no such stream, a bad
// configuration) is not tried again.
func (s *scanner) retryable(err error) bool {
	var ce *consumerError
	if !errors.As(err, &ce) {
		return true
	}
	var apiErr *jetstream.APIError
	return transient(ce.err) || errors.As(ce.err, &apiErr) && apiErr.Code >= 500
}

// consumerError is a consumer's creation failing.
type consumerError struct {
	from uint64
	err  error
}

func (e *consumerError) Error() string {
	return fmt.Sprintf("create a consumer from position %d: %v", e.from, e.err)
}

func (e *consumerError) Unwrap() error { return e.err }

// consume creates a consumer starting at s.next and hands its records to
// fn until the scan is done (bounded scan finished, fn failed: done) or
// the consumer fails (not done: err says why, and s.next is where the
// next consumer starts).
func (s *scanner) consume(ctx context.Context, fn func(Stored) error) (done bool, err error) {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	s.stop.Store(&stop)
	from := s.next.Load()
	s.serial++
	name := fmt.Sprintf("%s_%d", s.prefix, s.serial)
	cctx, cancel := context.WithTimeout(ctx, scanAttempt)
	cons, err := s.l.js.CreateOrUpdateConsumer(cctx, s.l.cfg.Stream, jetstream.ConsumerConfig{
		Name:              name,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       from,
		AckPolicy:         jetstream.AckNonePolicy,
		Replicas:          1,
		MemoryStorage:     true,
		InactiveThreshold: scanInactive,
	})
	cancel()
	// Deleted when done with, or if created after all although its
	// creation went unanswered.
	defer s.l.dropConsumer(name)
	if err != nil {
		if c := context.Cause(ctx); errors.Is(c, errStalled) {
			return false, c
		}
		return false, &consumerError{from, err}
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024), jetstream.PullHeartbeat(scanHeartbeat),
		jetstream.WithMessagesErrOnMissingHeartbeat(true))
	if err != nil {
		return false, fmt.Errorf("consumer %s: %w", name, err)
	}
	defer it.Stop()
	var delivered uint64 // the consumer's own sequence, without gaps
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if c := context.Cause(ctx); errors.Is(c, errStalled) {
				err = c
			}
			return false, fmt.Errorf("consumer %s, from position %d: %w", name, s.next.Load(), err)
		}
		md, err := m.Metadata()
		if err != nil {
			return false, fmt.Errorf("consumer %s: metadata: %w", name, err)
		}
		if md.Sequence.Consumer != delivered+1 {
			return false, fmt.Errorf("consumer %s, delivery %d after %d: %w", name, md.Sequence.Consumer, delivered, errLostDelivery)
		}
		delivered = md.Sequence.Consumer
		seq := md.Sequence.Stream
		n := s.next.Load()
		if seq < n {
			continue // handed to fn already (not expected of a fresh consumer)
		}
		// The stream refuses deletes, so its sequences have no holes: a
		// sequence the consumer skips is a record the server cannot read
		// (its checksum failed). A bounded scan delivers the rest and then
		// names them (MissingError).
		if seq > n {
			s.missing.add(n, seq-1)
		}
		s.next.Store(seq + 1)
		s.busy.Store(true)
		err = fn(s.l.stored(m.Subject(), seq, m.Headers(), m.Data()))
		s.busy.Store(false)
		if err != nil {
			return true, err
		}
		if !s.live && seq >= s.end {
			if len(s.missing.Ranges) > 0 {
				return true, &s.missing
			}
			return true, nil
		}
	}
}

// dropConsumer deletes a scan's consumer in the background: the scan does
// not wait for it, and a consumer left behind (its node down) is deleted
// by the server after scanInactive anyway.
func (l *JetStream) dropConsumer(name string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.js.DeleteConsumer(ctx, l.cfg.Stream, name)
	}()
}

// watch checks every stallWait that the scan moves. When it has waited for
// its next record for stallWait, it asks the store for it: a bounded scan
// whose next record the store holds but cannot read is ended with
// ErrMissing (its consumer would wait for it forever); a consumer that has
// delivered nothing for scanStall while the record is there is replaced
// (errStalled). A live scan waiting for new records is left alone, and so
// is a slow fn (the scan is not waiting on the server then).
func (s *scanner) watch(ctx context.Context, cancel context.CancelCauseFunc) {
	t := time.NewTicker(stallWait)
	defer t.Stop()
	seen, since := s.next.Load(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := s.next.Load()
		if n != seen || s.busy.Load() {
			seen, since = n, time.Now()
			continue
		}
		stalled := time.Since(since) >= scanStall
		if s.live && !stalled {
			continue
		}
		if stalled {
			since = time.Now()
		}
		gctx, gcancel := context.WithTimeout(ctx, 2*stallWait+scanAttempt)
		_, err := s.l.msgAt(gctx, n)
		gcancel()
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound) && !s.live:
			cancel(ErrMissing)
			return
		case err == nil && stalled:
			if stop := s.stop.Load(); stop != nil {
				(*stop)(errStalled)
			}
		}
	}
}
