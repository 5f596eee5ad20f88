// Package natstest starts real NATS servers for tests: one embedded server
// or an in-process cluster on loopback. There is no mock of NATS anywhere.
package natstest

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

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
// JetStream meta leader. Clients connect over TCP with ClientURL.
func Cluster(tb testing.TB, n int) []*server.Server {
	tb.Helper()
	ports := freePorts(tb, n)
	routes := make([]string, n)
	for i, p := range ports {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", p)
	}
	dir := tb.TempDir()
	servers := make([]*server.Server, n)
	for i := range servers {
		s, err := natsembed.Launch(natsembed.Options{
			Dir:    filepath.Join(dir, fmt.Sprintf("n%d", i)),
			Listen: "127.0.0.1:0",
			Name:   fmt.Sprintf("n%d", i),
			Cluster: natsembed.Cluster{
				Name: "gradelog-test", Host: "127.0.0.1", Port: ports[i], Routes: routes,
			},
		})
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

// ClusterConn connects to every server of a cluster over TCP, so the
// client fails over when one goes away.
func ClusterConn(tb testing.TB, servers []*server.Server) *nats.Conn {
	tb.Helper()
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	nc, err := nats.Connect(strings.Join(urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
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
