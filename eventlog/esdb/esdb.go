// Package esdb is gradelog's event log on EventStoreDB, through
// EventStore-Client-Go v4: an eventlog.Log, and an eventlog.Sink a mirror
// copies into. It passes the same acceptance suite as the JetStream
// backend (eventlog/logtest) except Boundary, which it refuses.
//
// Streams. One stream per aggregate, "<prefix>-<aggregate id>"; the scheme
// and the metadata each event carries are in names.go.
//
// Positions. A record's Position is its commit position in $all. Every
// event written through the gRPC append is its own committed prepare
// record in the server's transaction log (the server writes each event of
// an append as a prepare flagged IsCommitted, at its own offset): its
// commit and prepare positions are both that offset. So each event of a
// multi-event append has a position of its own, unique and increasing in
// $all order, and the position of the last record is what LastPosition
// returns. Positions are byte offsets: they increase but are not
// contiguous, so, unlike on JetStream, a gap cannot tell a removed record
// (see Scan, CheckConfig).
//
// Versions. A record's Version is its stream revision plus one, so that
// the zero Head is a new aggregate, as on JetStream; an append expects
// revision Head.Version-1 (no stream for the zero head). Version and
// Position differ: an Until.Position bound is a position, never a version.
//
// Idempotency. The events of an append get ids derived from the stream,
// the idempotency key and their index (name-based UUIDs). Given an
// expected revision behind the stream's, the server compares the ids of
// the events stored after that revision with the append's: all equal, it
// answers success and writes nothing (an idempotent write). So a retry of
// an append that landed, even after others appended, is recognised by the
// server; Append reads the records back and, when they are not the bytes
// it sent, returns them as AlreadyRecorded. A wrong-expected-revision
// answer is resolved as on JetStream: records with the key after the head
// are returned as already recorded, else a *eventlog.ConflictError names
// the stream's current version.
//
// Atomicity. One append is one AppendToStream call: all its events or
// none. The server's MaxAppendSize (1 MiB by default) bounds a batch too:
// a larger one is refused whole. eventlog.ErrFull is never returned:
// EventStoreDB has no storage limit it refuses appends against.
//
// Boundaries. EventStoreDB checks an expectation on one stream only:
// Append refuses a Boundary with eventlog.ErrUnsupported.
//
// Server. EventStoreDB 23.10 or later (stream reads report positions
// since 22.6; subscriptions say when they have caught up since 23.10),
// reached on its leader (the default node preference: Append reads back
// what it wrote). The user needs to read $all, which EventStoreDB grants
// to $admins by default: Scan, LastPosition, ReadAt and CheckConfig read
// it.
package esdb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gradelog/gradelog/eventlog"
)

// Options configures the EventStoreDB backend.
type Options struct {
	// Prefix starts every stream name of the log (see names.go); default
	// "gradelog". Letters, digits and '_'.
	Prefix string
	// Now stamps the records; default time.Now.
	Now func() time.Time
	// Logger receives the client's log lines; nil discards them.
	Logger func(level, format string, args ...any)
	// ConnectTimeout bounds how long Open tries to reach the server,
	// whatever its context; default 10 s.
	ConnectTimeout time.Duration
}

func (o *Options) defaults() {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = es.NoopLogging()
	}
}

// Log is the event log on EventStoreDB. It is safe for concurrent use.
type Log struct {
	cfg   es.Configuration
	opt   Options
	names names
	where string // the connection string, password hidden

	mu     sync.Mutex
	cli    *es.Client
	closed bool
	ops    sync.WaitGroup // operations that may still use cli
}

var (
	_ eventlog.Log  = (*Log)(nil)
	_ eventlog.Sink = (*Log)(nil)
)

// minMajor and minMinor are the oldest EventStoreDB version the log
// works with.
const minMajor, minMinor = 23, 10

// Open connects to the EventStoreDB named by a connection string
// ("esdb://admin:changeit@localhost:2113", "esdb://localhost:2113?tls=false",
// "esdb+discover://cluster.example:2113"), checks that the server answers,
// is recent enough and lets the user read $all, and refuses (ErrRelaxed)
// a log whose streams are not kept append-only (see CheckConfig). A
// server that does not answer yet is retried until ctx ends. No error
// shows the connection string's password.
func Open(ctx context.Context, connection string, opt Options) (*Log, error) {
	opt.defaults()
	if err := validPrefix(opt.Prefix); err != nil {
		return nil, fmt.Errorf("eventstoredb: %w", err)
	}
	red := newRedactor(connection)
	cfg, err := es.ParseConnectionString(connection)
	if err != nil {
		return nil, fmt.Errorf("eventstoredb connection string %s: %s", red.url, red.text(err.Error()))
	}
	if cfg.NodePreference != es.NodePreferenceLeader {
		return nil, fmt.Errorf("eventstoredb connection string %s: nodePreference=%s: gradelog reads back what it writes and must use the leader (leave nodePreference out or set it to leader)",
			red.url, cfg.NodePreference)
	}
	cfg.Logger = opt.Logger
	cli, err := es.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("eventstoredb connection string %s: %s", red.url, red.text(err.Error()))
	}
	l := &Log{cfg: *cfg, opt: opt, names: names{opt.Prefix}, where: red.url, cli: cli}
	ctx, cancel := context.WithTimeout(ctx, opt.ConnectTimeout)
	defer cancel()
	var last error // the most telling transient failure
	for attempt := 0; ; attempt++ {
		err = l.once(ctx, l.probe(ctx))
		if err == nil {
			break
		}
		if ctx.Err() == nil && transient(err) {
			if last == nil || !isCode(err, es.ErrorCodeConnectionClosed) {
				last = err // a renewed client's "closed" says less than why it closed
			}
			eventlog.Sleep(ctx, eventlog.Backoff(attempt))
			continue
		}
		l.Close()
		if ctx.Err() == nil {
			return nil, fmt.Errorf("EventStoreDB at %s: %s", red.url, red.text(err.Error()))
		}
		why := ""
		if last != nil {
			why = " (last error: " + red.text(last.Error()) + ")"
		}
		return nil, fmt.Errorf("cannot reach EventStoreDB at %s: %w%s", red.url, ctx.Err(), why)
	}
	if err := l.CheckConfig(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// probe checks the server's version and that $all can be read.
func (l *Log) probe(ctx context.Context) func(*es.Client) error {
	return func(c *es.Client) error {
		v, err := c.GetServerVersion()
		if err != nil {
			return err
		}
		if v.Major < minMajor || v.Major == minMajor && v.Minor < minMinor {
			return fmt.Errorf("server version %d.%d.%d: gradelog needs EventStoreDB %d.%d or later (positions on stream reads, caught-up notices on subscriptions)",
				v.Major, v.Minor, v.Patch, minMajor, minMinor)
		}
		if _, err := lastOfAll(ctx, c); err != nil {
			return fmt.Errorf("read the end of $all (the user must be allowed to read $all): %w", err)
		}
		return nil
	}
}

// Close ends the log: later calls fail. The client is closed once the
// operations still under way have returned.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	c := l.cli
	l.mu.Unlock()
	go func() {
		l.ops.Wait()
		c.Close()
	}()
	return nil
}

var errClosed = errors.New("eventstoredb: the log is closed")

// once runs op with the client once it is connected, waiting for the
// connection no longer than ctx: the client's own wait for (re)discovery
// does not heed contexts.
func (l *Log) once(ctx context.Context, op func(*es.Client) error) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errClosed
	}
	c := l.cli
	l.ops.Add(2) // the wait below, which may outlive this call, and op
	l.mu.Unlock()
	defer l.ops.Done()
	ready := make(chan error, 1)
	go func() {
		defer l.ops.Done()
		_, err := c.GetServerVersion() // returns at once when connected
		if isCode(err, es.ErrorCodeConnectionClosed) {
			l.renew(c)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err()
	}
	return op(c)
}

// renew replaces a client that has given up: after a failed rediscovery
// the client closes itself for good, and only a new one reconnects.
func (l *Log) renew(dead *es.Client) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.cli != dead {
		return
	}
	if c, err := es.NewClient(&l.cfg); err == nil { // the configuration was valid at Open
		l.cli = c
	}
}

// do runs op until it succeeds, fails for good or ctx ends, retrying
// transient failures with backoff.
func (l *Log) do(ctx context.Context, op func(*es.Client) error) error {
	for attempt := 0; ; attempt++ {
		err := l.once(ctx, op)
		if err == nil || ctx.Err() != nil || !transient(err) {
			return err
		}
		eventlog.Sleep(ctx, eventlog.Backoff(attempt))
	}
}

// transient reports whether err may go away by itself (a leader election,
// a restarting server, a lost reply, a client to renew), so that retrying
// the same operation is right.
func transient(err error) bool {
	var e *es.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case es.ErrorUnavailable, es.ErrorCodeNotLeader, es.ErrorCodeDeadlineExceeded, es.ErrorAborted, es.ErrorCodeConnectionClosed:
			return true
		}
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
		return true
	}
	return false
}

// isCode reports whether err is the client's error with that code.
func isCode(err error, code es.ErrorCode) bool {
	var e *es.Error
	return errors.As(err, &e) && e.Code() == code
}

// redactor hides the password of a connection string in what is shown.
type redactor struct {
	url     string   // the connection string, its password shown as xxxxx
	secrets []string // the password as written and unescaped
}

func newRedactor(connection string) redactor {
	r := redactor{url: connection}
	scheme, rest := "", connection
	if i := strings.Index(connection, "://"); i >= 0 {
		scheme, rest = connection[:i+3], connection[i+3:]
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	at := strings.LastIndex(host, "@")
	if at < 0 {
		return r
	}
	user, pass, ok := strings.Cut(host[:at], ":")
	if !ok || pass == "" {
		return r
	}
	r.url = scheme + user + ":xxxxx" + rest[at:]
	r.secrets = []string{pass}
	for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
		if u, err := unescape(pass); err == nil && u != pass && u != "" {
			r.secrets = append(r.secrets, u)
		}
	}
	return r
}

// text is s with the password replaced.
func (r redactor) text(s string) string {
	for _, p := range r.secrets {
		s = strings.ReplaceAll(s, p, "xxxxx")
	}
	return s
}
