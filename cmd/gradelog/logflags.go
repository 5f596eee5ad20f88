package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/internal/natsembed"
)

// logFlags are the flags of every command that opens the event log: the
// embedded server by default, or an external NATS cluster.
type logFlags struct {
	data       string
	natsURL    string
	creds      string
	user       string
	password   string
	tlsCA      string
	tlsCert    string
	tlsKey     string
	replicas   int
	fastSync   bool
	natsListen string
	maxBytes   int64
	// now is the clock records are stamped with (time.Now if nil): the
	// demo's.
	now func() time.Time
}

func (f *logFlags) bind(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.data, "data", "./data", "directory for the embedded server's data and gradelog's local state")
	fs.StringVar(&f.natsURL, "nats", getenv("GRADELOG_NATS_URL"), "URL(s) of an external NATS cluster (comma-separated); empty runs the embedded server (env GRADELOG_NATS_URL)")
	fs.StringVar(&f.creds, "nats-creds", "", "NATS credentials file (JWT and NKey seed)")
	fs.StringVar(&f.user, "nats-user", getenv("GRADELOG_NATS_USER"), "NATS user (env GRADELOG_NATS_USER)")
	fs.StringVar(&f.password, "nats-password", getenv("GRADELOG_NATS_PASSWORD"), "NATS password (env GRADELOG_NATS_PASSWORD)")
	fs.StringVar(&f.tlsCA, "nats-tls-ca", "", "CA certificate to verify the NATS servers")
	fs.StringVar(&f.tlsCert, "nats-tls-cert", "", "client certificate for NATS (mutual TLS)")
	fs.StringVar(&f.tlsKey, "nats-tls-key", "", "client key for NATS (mutual TLS)")
	fs.IntVar(&f.replicas, "replicas", 0, "stream replicas: 1 on the embedded server, 3 on a cluster (0: that default)")
	fs.BoolVar(&f.fastSync, "fast-sync", false, "embedded server: acknowledge writes before they are synced to disk (faster; loses acknowledged events on power failure)")
	fs.StringVar(&f.natsListen, "nats-listen", "", "embedded server: also accept NATS clients on host:port (default: no network port)")
	fs.Int64Var(&f.maxBytes, "max-bytes", 0, "storage limit of a new stream in bytes (0: unlimited)")
}

// openedLog is an event log and how to release it.
type openedLog struct {
	log   *eventlog.JetStream
	where string // for messages: "embedded NATS, data in ./data" or the URL
	close func()
}

// openExisting opens a log that must already exist: an offline command
// (rebuild, verify) on a mistyped --data would otherwise create an empty
// one and find nothing wrong with it.
func (f *logFlags) openExisting(ctx context.Context) (*openedLog, error) {
	if f.natsURL == "" {
		if _, err := os.Stat(filepath.Join(f.data, "nats")); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no event log in %s (no %s): is --data the directory of serve?", f.data, filepath.Join(f.data, "nats"))
		}
	}
	return f.open(ctx)
}

func (f *logFlags) open(ctx context.Context) (*openedLog, error) {
	var nc *nats.Conn
	var where string
	closeServer := func() {}
	replicas := f.replicas
	if f.natsURL == "" {
		dir := filepath.Join(f.data, "nats")
		s, err := natsembed.Start(natsembed.Options{Dir: dir, FastSync: f.fastSync, Listen: f.natsListen})
		if err != nil {
			return nil, err
		}
		closeServer = s.Shutdown
		if nc, err = natsembed.Connect(s, "gradelog"); err != nil {
			s.Shutdown()
			return nil, err
		}
		where = "embedded NATS, data in " + dir
		if replicas == 0 {
			replicas = 1
		}
	} else {
		var err error
		if nc, err = f.connect(); err != nil {
			return nil, err
		}
		where = "NATS at " + f.natsURL
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
	return &openedLog{log: l, where: where, close: func() { nc.Drain(); closeServer() }}, nil
}

// connect dials an external cluster and fails fast, naming the URL, when
// it cannot be reached.
func (f *logFlags) connect() (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("gradelog"), nats.Timeout(3 * time.Second), nats.MaxReconnects(-1)}
	if f.creds != "" {
		opts = append(opts, nats.UserCredentials(f.creds))
	}
	if f.user != "" {
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
	nc, err := nats.Connect(f.natsURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot reach NATS at %s: %w", f.natsURL, err)
	}
	return nc, nil
}
