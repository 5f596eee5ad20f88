// Package natsembed runs a NATS server with JetStream inside the gradelog
// process: the embedded default, with nothing to install. By default it
// listens on no network port and clients connect in process; a server
// that listens requires credentials of every client, in-process ones
// included, and may require TLS of its network clients and routes.
package natsembed

import (
	"crypto/tls"
	"errors"
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
	// Launch refuses to listen without Users or NKeys unless Anonymous.
	Listen string
	// Users and NKeys (public keys of NKey users) are who may connect,
	// in process too (pass Connect their credentials). None: anyone.
	Users []User
	NKeys []string
	// Anonymous lets a listening server take clients without
	// credentials: natstest's plain clusters, never gradelog's server.
	Anonymous bool
	// TLS, when set, is required of network clients (mutual TLS when its
	// ClientAuth requires a certificate); in-process clients skip it.
	TLS *tls.Config
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
	// TLS, when set, secures the routes: give it Certificates, RootCAs
	// and, for mutual TLS, ClientCAs with ClientAuth.
	TLS *tls.Config
}

// User is a user name and password.
type User struct {
	Name, Password string
}

// errAnonymous is Launch's refusal to listen without credentials.
var errAnonymous = errors.New("embedded NATS server: listening on the network needs a user or an NKey (no anonymous clients)")

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
		if len(o.Users) == 0 && len(o.NKeys) == 0 && !o.Anonymous {
			return nil, errAnonymous
		}
		host, port, err := splitHostPort(o.Listen)
		if err != nil {
			return nil, err
		}
		if port == 0 {
			port = server.RANDOM_PORT
		}
		opts.Host, opts.Port = host, port
	}
	for _, u := range o.Users {
		opts.Users = append(opts.Users, &server.User{Username: u.Name, Password: u.Password})
	}
	for _, k := range o.NKeys {
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: k})
	}
	if o.TLS != nil {
		opts.TLSConfig = o.TLS
		opts.TLSVerify = o.TLS.ClientAuth == tls.RequireAndVerifyClientCert
		opts.TLSTimeout = tlsTimeout
	}
	if o.Cluster.Port != 0 {
		opts.Cluster = server.ClusterOpts{Name: o.Cluster.Name, Host: o.Cluster.Host, Port: o.Cluster.Port,
			TLSConfig: o.Cluster.TLS, TLSTimeout: tlsTimeout}
		opts.Routes = server.RoutesFromStr(strings.Join(o.Cluster.Routes, ","))
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	s.Start()
	return s, nil
}

// tlsTimeout is the seconds a TLS handshake may take (the server's default).
const tlsTimeout = 2

// Connect opens an in-process client connection to s; opts carry its
// credentials (nats.UserInfo) when s has users. Wrong ones are refused
// only after the server's write deadline (10 s) over the in-process pipe.
func Connect(s *server.Server, name string, opts ...nats.Option) (*nats.Conn, error) {
	nc, err := nats.Connect("", append([]nats.Option{nats.InProcessServer(s), nats.Name(name)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded NATS server: %w", err)
	}
	return nc, nil
}
