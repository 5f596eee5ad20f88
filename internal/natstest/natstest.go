// Package natstest starts real NATS servers for tests: one embedded server
// or an in-process cluster on loopback, plain or with TLS (a CA made for
// the test, PKI), users and NKeys (SecureCluster). There is no mock of
// NATS anywhere.
package natstest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/gradelog/gradelog/internal/natsembed"
)

// Server starts an embedded JetStream server with its data in a fresh
// temporary directory, syncing every write like production. It is shut
// down when the test ends.
func Server(tb testing.TB) *server.Server {
	tb.Helper()
	return ServerIn(tb, tb.TempDir(), false)
}

// ServerIn starts an embedded server on dir; fast skips the fsync per write.
func ServerIn(tb testing.TB, dir string, fast bool) *server.Server {
	tb.Helper()
	s, err := natsembed.Start(natsembed.Options{Dir: dir, FastSync: fast})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// Conn connects to s in process and closes the connection at the end.
func Conn(tb testing.TB, s *server.Server) *nats.Conn {
	tb.Helper()
	nc, err := natsembed.Connect(s, tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// Cluster starts n clustered servers on loopback ports and waits for a
// JetStream meta leader. Clients connect over TCP with ClientURL, without
// credentials.
func Cluster(tb testing.TB, n int) []*server.Server {
	tb.Helper()
	return SecureCluster(tb, n, Security{})
}

// Security is what a cluster asks: TLS with the PKI's server certificate
// on client connections and mutual TLS on routes, a client certificate
// too when MutualTLS, and credentials (Users, NKeys' public keys). The
// zero value asks nothing.
type Security struct {
	TLS       *PKI
	MutualTLS bool
	Users     []natsembed.User
	NKeys     []string
}

// SecureCluster is Cluster asking sec of its clients and routes.
func SecureCluster(tb testing.TB, n int, sec Security) []*server.Server {
	tb.Helper()
	ports := freePorts(tb, n)
	routes := make([]string, n)
	for i, p := range ports {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", p)
	}
	dir := tb.TempDir()
	servers := make([]*server.Server, n)
	for i := range servers {
		o := natsembed.Options{
			Dir:    filepath.Join(dir, fmt.Sprintf("n%d", i)),
			Listen: "127.0.0.1:0",
			Name:   fmt.Sprintf("n%d", i),
			Cluster: natsembed.Cluster{
				Name: "gradelog-test", Host: "127.0.0.1", Port: ports[i], Routes: routes,
			},
			Users: sec.Users, NKeys: sec.NKeys, Anonymous: len(sec.Users) == 0 && len(sec.NKeys) == 0,
		}
		if sec.TLS != nil {
			o.TLS, o.Cluster.TLS = sec.TLS.ServerTLS(sec.MutualTLS), sec.TLS.RouteTLS()
		}
		s, err := natsembed.Launch(o)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(s.Shutdown)
		servers[i] = s
	}
	for i, s := range servers {
		if err := natsembed.WaitReady(s, fmt.Sprintf("n%d", i)); err != nil {
			tb.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range servers {
			if s.JetStreamIsLeader() {
				return servers
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("natstest: no JetStream meta leader after 20s")
	return nil
}

// URLs is the comma-separated client URLs of servers (tls:// on TLS).
func URLs(servers []*server.Server) string {
	urls := make([]string, len(servers))
	for i, s := range servers {
		urls[i] = s.ClientURL()
	}
	return strings.Join(urls, ",")
}

// NKeyUser makes an NKey user: its public key, for Security.NKeys, and
// the file of its seed, for nats.NkeyOptionFromSeed (--nats-nkey).
func NKeyUser(tb testing.TB) (public, seedFile string) {
	tb.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		tb.Fatal(err)
	}
	public, err = kp.PublicKey()
	if err != nil {
		tb.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		tb.Fatal(err)
	}
	seedFile = filepath.Join(tb.TempDir(), "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		tb.Fatal(err)
	}
	return public, seedFile
}

// ClusterConn connects to every server of a cluster over TCP, so the
// client fails over when one goes away; opts add credentials or TLS.
func ClusterConn(tb testing.TB, servers []*server.Server, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(URLs(servers), append([]nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(50 * time.Millisecond)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		defer l.Close()
	}
	return ports
}
