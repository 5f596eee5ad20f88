package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/esdb"
	"github.com/gradelog/gradelog/internal/natsembed"
)

// logFlags are the flags of every command that opens the event log: the
// embedded server by default, or an external NATS cluster. Passwords are
// never printed: not in errors, not as a flag's default in --help.
type logFlags struct {
	data    string
	natsURL string
	esdbURL string // an EventStoreDB connection string instead of NATS
	// esdbTimeout bounds the wait for an EventStoreDB server.
	esdbTimeout time.Duration
	creds       string
	nkey        string
	user        string
	password    string
	tlsCA       string
	tlsCert     string
	tlsKey      string
	replicas    int
	fastSync    bool
	natsListen  string
	// The embedded server's credentials and TLS when it listens.
	listenUser, listenPassword  string
	listenTLSCert, listenTLSKey string
	maxBytes                    int64
	// now is the clock records are stamped with (time.Now if nil): the
	// demo's.
	now func() time.Time
}

func (f *logFlags) bind(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.data, "data", "./data", "directory for the embedded server's data and gradelog's local state")
	fs.StringVar(&f.natsURL, "nats", getenv("GRADELOG_NATS_URL"), "URL(s) of an external NATS cluster (comma-separated); empty runs the embedded server (env GRADELOG_NATS_URL)")
	fs.StringVar(&f.creds, "nats-creds", "", "NATS credentials file (JWT and NKey seed)")
	fs.StringVar(&f.nkey, "nats-nkey", "", "NATS NKey seed file (an NKey user)")
	fs.StringVar(&f.user, "nats-user", getenv("GRADELOG_NATS_USER"), "NATS user (env GRADELOG_NATS_USER)")
	f.password = getenv("GRADELOG_NATS_PASSWORD")
	fs.Var(secret{&f.password}, "nats-password", "NATS password; prefer env GRADELOG_NATS_PASSWORD (flags show in ps)")
	fs.StringVar(&f.tlsCA, "nats-tls-ca", "", "CA certificate to verify the NATS servers")
	fs.StringVar(&f.tlsCert, "nats-tls-cert", "", "client certificate for NATS (mutual TLS)")
	fs.StringVar(&f.tlsKey, "nats-tls-key", "", "client key for NATS (mutual TLS)")
	fs.IntVar(&f.replicas, "replicas", 0, "stream replicas: 1 on the embedded server, 3 on a cluster (0: that default)")
	fs.BoolVar(&f.fastSync, "fast-sync", false, "embedded server: acknowledge writes before they are synced to disk (faster; loses acknowledged events on power failure)")
	fs.StringVar(&f.natsListen, "nats-listen", "", "embedded server: also accept NATS clients on host:port, with --nats-listen-user and its password (default: no network port)")
	fs.StringVar(&f.listenUser, "nats-listen-user", getenv("GRADELOG_NATS_LISTEN_USER"), "embedded server: the user of --nats-listen's clients (env GRADELOG_NATS_LISTEN_USER)")
	f.listenPassword = getenv("GRADELOG_NATS_LISTEN_PASSWORD")
	fs.Var(secret{&f.listenPassword}, "nats-listen-password", "embedded server: that user's password; prefer env GRADELOG_NATS_LISTEN_PASSWORD")
	fs.StringVar(&f.listenTLSCert, "nats-listen-tls-cert", "", "embedded server: TLS certificate for --nats-listen")
	fs.StringVar(&f.listenTLSKey, "nats-listen-tls-key", "", "embedded server: TLS key for --nats-listen")
	fs.Int64Var(&f.maxBytes, "max-bytes", 0, "storage limit of a new stream in bytes (0: unlimited)")
	f.esdbURL = getenv("GRADELOG_ESDB_URL")
	fs.DurationVar(&f.esdbTimeout, "esdb-connect-timeout", 10*time.Second, "how long to try to reach the EventStoreDB server")
	fs.Var(secret{&f.esdbURL}, "esdb", "EventStoreDB connection string (esdb://host:2113?tls=...) to use instead of NATS; prefer env GRADELOG_ESDB_URL, which may hold a password")
}

// secret is a string flag whose value is never shown: pflag prints a
// flag's default in --help, and the default comes from the environment.
type secret struct{ v *string }

func (s secret) String() string     { return "" }
func (s secret) Set(v string) error { *s.v = v; return nil }
func (s secret) Type() string       { return "string" }

// openedLog is an event log and how to release it.
type openedLog struct {
	log      backend
	where    string         // for messages: "embedded NATS, data in ./data" or the URLs, without passwords
	embedded *server.Server // the embedded server, nil on a cluster
	close    func()
}

// backend is what commands need of a log: the log itself, and a sink
// for gradelog mirror. JetStream and EventStoreDB are both.
type backend interface {
	eventlog.Log
	eventlog.Sink
}

// openExisting opens a log that must already exist: an offline command
// (rebuild, verify) on a mistyped --data would otherwise create an empty
// one and find nothing wrong with it.
func (f *logFlags) openExisting(ctx context.Context) (*openedLog, error) {
	if f.natsURL == "" && f.esdbURL == "" {
		if _, err := os.Stat(filepath.Join(f.data, "nats")); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no event log in %s (no %s): is --data the directory of serve?", f.data, filepath.Join(f.data, "nats"))
		}
	}
	return f.open(ctx)
}

func (f *logFlags) open(ctx context.Context) (*openedLog, error) {
	if f.esdbURL != "" {
		return f.openESDB(ctx)
	}
	var nc *nats.Conn
	var where string
	var embedded *server.Server
	closeServer := func() {}
	replicas := f.replicas
	if f.natsURL == "" {
		dir := filepath.Join(f.data, "nats")
		o, auth, err := f.embeddedOptions(dir)
		if err != nil {
			return nil, err
		}
		s, err := natsembed.Start(o)
		if err != nil {
			return nil, err
		}
		embedded, closeServer = s, s.Shutdown
		if nc, err = natsembed.Connect(s, "gradelog", auth...); err != nil {
			s.Shutdown()
			return nil, err
		}
		where = "embedded NATS, data in " + dir
		if o.Listen != "" {
			where += ", clients on " + s.ClientURL()
		}
		if replicas == 0 {
			replicas = 1
		}
	} else {
		var err error
		if nc, err = f.connect(); err != nil {
			return nil, err
		}
		where = "NATS at " + redactURLs(f.natsURL)
		if replicas == 0 {
			replicas = 3
		}
	}
	l, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamConfig{Replicas: replicas, MaxBytes: f.maxBytes, Now: f.now})
	if err != nil {
		nc.Close()
		closeServer()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &openedLog{log: l, where: where, embedded: embedded, close: func() { drain(nc); closeServer() }}, nil
}

// drain flushes and closes nc, and waits (a few seconds at most) until it
// is closed: Drain alone returns at once, and a server shut down under a
// draining connection makes it print errors.
func drain(nc *nats.Conn) {
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := nc.Drain(); err != nil {
		nc.Close()
		return
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		nc.Close()
	}
}

// openESDB opens the EventStoreDB log of --esdb.
func (f *logFlags) openESDB(ctx context.Context) (*openedLog, error) {
	if f.natsURL != "" {
		return nil, errors.New("--esdb and --nats (or GRADELOG_ESDB_URL and GRADELOG_NATS_URL) name two event logs: give one")
	}
	l, err := esdb.Open(ctx, f.esdbURL, esdb.Options{Now: f.now, ConnectTimeout: f.esdbTimeout})
	if err != nil {
		return nil, err
	}
	return &openedLog{log: l, where: "EventStoreDB at " + redactURLs(f.esdbURL), close: func() { l.Close() }}, nil
}

// embeddedOptions configure the embedded server, and auth is how gradelog
// connects to it in process: with --nats-listen the server takes no
// anonymous client, gradelog included.
func (f *logFlags) embeddedOptions(dir string) (o natsembed.Options, auth []nats.Option, err error) {
	o = natsembed.Options{Dir: dir, FastSync: f.fastSync, Listen: f.natsListen}
	if f.natsListen == "" {
		if f.listenTLSCert != "" || f.listenTLSKey != "" {
			return o, nil, errors.New("--nats-listen-tls-cert and --nats-listen-tls-key go with --nats-listen")
		}
		return o, nil, nil
	}
	if f.listenUser == "" || f.listenPassword == "" {
		return o, nil, fmt.Errorf("--nats-listen %s needs --nats-listen-user and a password (env GRADELOG_NATS_LISTEN_PASSWORD or --nats-listen-password): the embedded server takes no anonymous clients", f.natsListen)
	}
	o.Users = []natsembed.User{{Name: f.listenUser, Password: f.listenPassword}}
	if f.listenTLSCert != "" || f.listenTLSKey != "" {
		if o.TLS, err = natsembed.ServerTLS(f.listenTLSCert, f.listenTLSKey, ""); err != nil {
			return o, nil, fmt.Errorf("--nats-listen-tls-cert/--nats-listen-tls-key: %w", err)
		}
	}
	return o, []nats.Option{nats.UserInfo(f.listenUser, f.listenPassword)}, nil
}

// connect dials an external cluster and fails fast, naming the URLs
// (never a password in them) and what to check when it cannot connect.
func (f *logFlags) connect() (*nats.Conn, error) {
	where := redactURLs(f.natsURL)
	opts, err := f.natsOptions()
	if err != nil {
		return nil, fmt.Errorf("NATS at %s: %w", where, err)
	}
	nc, err := nats.Connect(f.natsURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot reach NATS at %s: %w%s", where, err, connectHint(err, f.tlsCert != ""))
	}
	return nc, nil
}

// natsOptions are the client options of the flags: one way to
// authenticate at most, and TLS.
func (f *logFlags) natsOptions() ([]nats.Option, error) {
	if f.natsListen != "" {
		return nil, errors.New("--nats-listen is for the embedded server, not with --nats")
	}
	opts := []nats.Option{nats.Name("gradelog"), nats.Timeout(3 * time.Second), nats.MaxReconnects(-1)}
	ways := 0
	for _, set := range []string{f.creds, f.nkey, f.user} {
		if set != "" {
			ways++
		}
	}
	switch {
	case ways > 1:
		return nil, errors.New("give one of --nats-creds, --nats-nkey and --nats-user")
	case f.user != "" && f.password == "":
		return nil, errors.New("--nats-user needs a password: env GRADELOG_NATS_PASSWORD or --nats-password")
	case f.password != "" && f.user == "":
		return nil, errors.New("a NATS password (GRADELOG_NATS_PASSWORD or --nats-password) needs --nats-user")
	case f.creds != "":
		opts = append(opts, nats.UserCredentials(f.creds))
	case f.nkey != "":
		opt, err := nats.NkeyOptionFromSeed(f.nkey)
		if err != nil {
			return nil, fmt.Errorf("--nats-nkey %s: %w", f.nkey, err)
		}
		opts = append(opts, opt)
	case f.user != "":
		opts = append(opts, nats.UserInfo(f.user, f.password))
	}
	if f.tlsCA != "" {
		opts = append(opts, nats.RootCAs(f.tlsCA))
	}
	if f.tlsCert != "" || f.tlsKey != "" {
		if f.tlsCert == "" || f.tlsKey == "" {
			return nil, errors.New("--nats-tls-cert and --nats-tls-key go together")
		}
		opts = append(opts, nats.ClientCert(f.tlsCert, f.tlsKey))
	}
	return opts, nil
}

// connectHint says what to check after a refused connection; clientCert
// is whether gradelog presented a certificate.
func connectHint(err error, clientCert bool) string {
	var verify *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked):
		return " (the servers refused the credentials: check --nats-user and its password, --nats-nkey or --nats-creds)"
	case errors.As(err, &verify):
		return " (the servers' certificate is not trusted: give their CA with --nats-tls-ca)"
	case errors.Is(err, nats.ErrSecureConnWanted):
		return " (TLS is asked for, by tls:// or a --nats-tls flag, but the servers do not offer it)"
	case !strings.Contains(msg, "after TLS handshake") && !strings.Contains(msg, "certificate"):
		return ""
	case clientCert:
		return " (the servers may have refused the client certificate: is --nats-tls-cert signed by their CA?)"
	}
	return " (the servers may require a client certificate: --nats-tls-cert and --nats-tls-key)"
}

// redactURLs hides the passwords and tokens of a list of NATS URLs
// ("nats://u:p@h:4222,..." becomes "nats://u:xxxxx@h:4222,...").
func redactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		scheme, rest := "", p
		if j := strings.Index(p, "://"); j >= 0 {
			scheme, rest = p[:j+3], p[j+3:]
		}
		host := rest
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			host = rest[:j]
		}
		at := strings.LastIndex(host, "@")
		if at < 0 {
			continue
		}
		if user, _, ok := strings.Cut(host[:at], ":"); ok {
			parts[i] = scheme + user + ":xxxxx" + rest[at:]
		} else {
			parts[i] = scheme + "xxxxx" + rest[at:] // a token
		}
	}
	return strings.Join(parts, ",")
}
