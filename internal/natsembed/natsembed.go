// Package natsembed runs a NATS server with JetStream inside the gradelog
// process: the embedded default, with nothing to install. By default it
// listens on no network port and clients connect in process.
package natsembed

import (
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configures an embedded server.
type Options struct {
	// Dir holds the JetStream data files.
	Dir string
	// FastSync acknowledges writes before they reach the disk (the server's
	// default two-minute sync interval). The zero value syncs every write
	// before acknowledging it: gradelog's default, see docs/adr/0002.
	FastSync bool
	// Listen is a host:port for NATS clients; empty listens on nothing.
	Listen string
	// Name is the server name (required in a cluster).
	Name string
	// Cluster joins a cluster when Cluster.Port is set.
	Cluster Cluster
	// MaxStore caps JetStream file storage in bytes (0: the server's default).
	MaxStore int64
}

// Cluster describes the routes of a clustered server.
type Cluster struct {
	Name   string
	Host   string
	Port   int
	Routes []string // nats-route://host:port of every member
}

// Start starts a server and waits until it accepts connections.
func Start(o Options) (*server.Server, error) {
	s, err := Launch(o)
	if err != nil {
		return nil, err
	}
	return s, WaitReady(s, "with data in "+o.Dir)
}

// WaitReady waits until s accepts connections, shutting it down if it
// does not within 10 s. Clustered servers are ready only once enough
// routes are up: launch all of them before waiting on any.
func WaitReady(s *server.Server, what string) error {
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("NATS server %s not ready after 10s", what)
	}
	return nil
}

// Launch starts a server without waiting for it.
func Launch(o Options) (*server.Server, error) {
	opts := &server.Options{
		ServerName:             o.Name,
		JetStream:              true,
		StoreDir:               o.Dir,
		NoSigs:                 true,
		NoLog:                  true,
		JetStreamMaxStore:      o.MaxStore,
		SyncAlways:             !o.FastSync,
		DisableJetStreamBanner: true,
	}
	if o.Listen == "" {
		opts.DontListen = true
		opts.Port = -1
	} else {
		host, port, err := splitHostPort(o.Listen)
		if err != nil {
			return nil, err
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
		opts.Host, opts.Port = host, port
	}
	if o.Cluster.Port != 0 {
		opts.Cluster = server.ClusterOpts{Name: o.Cluster.Name, Host: o.Cluster.Host, Port: o.Cluster.Port}
		opts.Routes = server.RoutesFromStr(strings.Join(o.Cluster.Routes, ","))
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	s.Start()
	return s, nil
}

// Connect opens an in-process client connection to s.
func Connect(s *server.Server, name string) (*nats.Conn, error) {
	nc, err := nats.Connect("", nats.InProcessServer(s), nats.Name(name))
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS server: %w", err)
	}
	return nc, nil
}
