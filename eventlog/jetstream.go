package eventlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream is the Log on a NATS JetStream stream: one subject per
// aggregate, the stream sequence as both position and version.
type JetStream struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	cfg    JetStreamConfig
	subj   subjects
}

var _ Log = (*JetStream)(nil)

// OpenJetStream creates gradelog's stream if it does not exist, reads its
// configuration back and refuses (ErrRelaxed) a stream that is not
// append-only. On a fresh cluster the first creation can stall while the
// meta leader settles: it is retried until ctx ends.
func OpenJetStream(ctx context.Context, nc *nats.Conn, cfg JetStreamConfig) (*JetStream, error) {
	cfg.defaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	var stream jetstream.Stream
	for attempt := 0; ; attempt++ {
		stream, err = openStream(ctx, js, cfg)
		if err == nil || ctx.Err() != nil || !transient(err) {
			break
		}
		Sleep(ctx, Backoff(attempt))
	}
	if err != nil {
		return nil, err
	}
	l := &JetStream{js: js, stream: stream, cfg: cfg, subj: subjects{cfg.Prefix}}
	if err := l.CheckConfig(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

func openStream(ctx context.Context, js jetstream.JetStream, cfg JetStreamConfig) (jetstream.Stream, error) {
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := js.Stream(actx, cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(actx, cfg.streamConfig())
	}
	if err != nil {
		return nil, fmt.Errorf("open stream %q: %w", cfg.Stream, err)
	}
	return s, nil
}

// CheckConfig reads the stream's configuration from the server and returns
// an ErrRelaxed error naming every setting that is not append-only.
func (l *JetStream) CheckConfig(ctx context.Context) error {
	info, err := l.info(ctx)
	if err != nil {
		return fmt.Errorf("read configuration of stream %q: %w", l.cfg.Stream, err)
	}
	if bad := relaxations(info.Config, l.cfg); len(bad) > 0 {
		return relaxedError(l.cfg.Stream, bad)
	}
	return nil
}

// LastPosition returns the stream's last sequence.
func (l *JetStream) LastPosition(ctx context.Context) (uint64, error) {
	info, err := l.info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %q info: %w", l.cfg.Stream, err)
	}
	return info.State.LastSeq, nil
}

// info reads the stream's information, asking again (every infoAttempt,
// for up to infoLimit) when a request goes unanswered (a stream leader
// being elected) instead of waiting out ctx.
func (l *JetStream) info(ctx context.Context) (*jetstream.StreamInfo, error) {
	return again(ctx, infoAttempt, infoLimit, func(ctx context.Context) (*jetstream.StreamInfo, error) { return l.stream.Info(ctx) })
}

// transient reports whether err may go away by itself (a leader election,
// a lost reply), so that retrying the same append is right. Limits (503
// "maximum ... exceeded") are not transient.
func transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case 10008, 10163, 10158, 10210, 10005:
			// cluster not available, last-seq not ready, dup in process,
			// too many batches in flight, no peers for placement yet (a
			// cluster still starting)
			return true
		}
		return false
	}
	return errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting)
}

const (
	infoAttempt = 2 * time.Second
	infoLimit   = 30 * time.Second
)

// again calls fn until it succeeds, each call with a deadline of `each`:
// a request that goes unanswered (a node lost, a leader being elected)
// is sent again instead of waiting out ctx. It backs off between calls,
// and gives up on an error that is not transient, when ctx ends, or once
// fn has failed for `limit`.
func again[T any](ctx context.Context, each, limit time.Duration, fn func(context.Context) (T, error)) (T, error) {
	var since time.Time
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, each)
		v, err := fn(actx)
		cancel()
		if err == nil || !transient(err) || ctx.Err() != nil {
			return v, err
		}
		if since.IsZero() {
			since = time.Now()
		} else if time.Since(since) > limit {
			return v, fmt.Errorf("no answer for %v: %w", limit, err)
		}
		Sleep(ctx, Backoff(attempt))
	}
}

// Backoff is how long a backend waits before its attempt-th retry of a
// transient failure: 25 ms doubling up to 500 ms.
func Backoff(attempt int) time.Duration {
	d := 25 * time.Millisecond << min(attempt, 5)
	return min(d, 500*time.Millisecond)
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
