package natstest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/internal/natsembed"
)

// A ProcessCluster is a cluster whose servers are child processes of the
// test binary, so that a server can be lost the way a machine is: killed
// with SIGKILL, without the step-down of its raft leaderships and the
// flushes that server.Shutdown does first (it hands leadership over
// politely). A killed server starts again on its own data, under the same
// name and on the same ports.
//
// The children run the test binary itself: the test package must have a
// test that calls RunNode, named to StartProcessCluster; it skips unless
// started as a node.
type ProcessCluster struct {
	Nodes  []*Node
	tb     testing.TB
	helper string
	nc     *nats.Conn // MetaLeader's
}

// Node is one server of a ProcessCluster.
type Node struct {
	Name      string
	ClientURL string // the same across restarts
	spec      nodeSpec
	cmd       *exec.Cmd
	stdin     io.Closer
	done      chan struct{}
}

// nodeSpec is what a child needs to start its server.
type nodeSpec struct {
	Name        string   `json:"name"`
	Dir         string   `json:"dir"`
	Listen      string   `json:"listen"`
	ClusterName string   `json:"cluster_name"`
	ClusterPort int      `json:"cluster_port"`
	Routes      []string `json:"routes"`
}

// envNode carries a child's nodeSpec.
const envNode = "GRADELOG_NATSTEST_NODE"

// nodeReady is the line a child prints once its server is ready.
const nodeReady = "natstest: node ready"

// StartProcessCluster starts n servers as child processes (the test
// named helper, which calls RunNode), with data in fresh directories,
// syncing every write, and waits until the cluster has a JetStream meta
// leader. The children are killed when the test ends, and end on their
// own if the test binary dies (their stdin closes).
func StartProcessCluster(tb testing.TB, n int, helper string) *ProcessCluster {
	tb.Helper()
	ports := freePorts(tb, 2*n)
	routes := make([]string, n)
	for i := range n {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", ports[n+i])
	}
	dir := tb.TempDir()
	c := &ProcessCluster{tb: tb, helper: helper}
	for i := range n {
		name := fmt.Sprintf("n%d", i)
		c.Nodes = append(c.Nodes, &Node{
			Name:      name,
			ClientURL: fmt.Sprintf("nats://127.0.0.1:%d", ports[i]),
			spec: nodeSpec{Name: name, Dir: filepath.Join(dir, name), Listen: fmt.Sprintf("127.0.0.1:%d", ports[i]),
				ClusterName: "gradelog-test", ClusterPort: ports[n+i], Routes: routes},
		})
	}
	tb.Cleanup(func() {
		for _, nd := range c.Nodes {
			nd.kill()
		}
	})
	for i := range c.Nodes {
		c.start(i)
	}
	c.waitMetaLeader(30 * time.Second)
	return c
}

// URLs is the comma-separated client URLs of every node.
func (c *ProcessCluster) URLs() string {
	urls := make([]string, len(c.Nodes))
	for i, nd := range c.Nodes {
		urls[i] = nd.ClientURL
	}
	return strings.Join(urls, ",")
}

// Conn connects to every node over TCP, reconnecting without end, so the
// client fails over when a node goes away; it is closed at the end.
func (c *ProcessCluster) Conn(opts ...nats.Option) *nats.Conn {
	c.tb.Helper()
	nc, err := nats.Connect(c.URLs(), append([]nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(50 * time.Millisecond)}, opts...)...)
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tb.Cleanup(nc.Close)
	return nc
}

// Index is the index of the node named name, -1 if none.
func (c *ProcessCluster) Index(name string) int {
	for i, nd := range c.Nodes {
		if nd.Name == name {
			return i
		}
	}
	return -1
}

// Kill kills node i with SIGKILL and waits until the process is gone.
func (c *ProcessCluster) Kill(i int) {
	c.tb.Helper()
	if !c.Nodes[i].running() {
		c.tb.Fatalf("natstest: node %s is not running", c.Nodes[i].Name)
	}
	c.Nodes[i].kill()
}

// Restart starts node i again, on its data, name and ports, and waits
// until it accepts clients.
func (c *ProcessCluster) Restart(i int) {
	c.tb.Helper()
	if c.Nodes[i].running() {
		c.tb.Fatalf("natstest: node %s is still running", c.Nodes[i].Name)
	}
	c.start(i)
}

func (c *ProcessCluster) start(i int) {
	c.tb.Helper()
	nd := c.Nodes[i]
	spec, err := json.Marshal(nd.spec)
	if err != nil {
		c.tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+c.helper+"$", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), envNode+"="+string(spec))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		c.tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		c.tb.Fatal(err)
	}
	var stderr syncBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		c.tb.Fatal(err)
	}
	nd.cmd, nd.stdin, nd.done = cmd, stdin, make(chan struct{})
	ready := make(chan struct{})
	var seen syncBuf
	go func() {
		lines := bufio.NewScanner(stdout)
		signalled := false
		for lines.Scan() {
			fmt.Fprintln(&seen, lines.Text())
			if !signalled && lines.Text() == nodeReady {
				close(ready)
				signalled = true
			}
		}
		_ = cmd.Wait()
		close(nd.done)
	}()
	select {
	case <-ready:
	case <-nd.done:
		c.tb.Fatalf("natstest: node %s ended before it was ready: %v\nstdout:\n%s\nstderr:\n%s", nd.Name, cmd.ProcessState, seen.String(), stderr.String())
	case <-time.After(30 * time.Second):
		nd.kill()
		c.tb.Fatalf("natstest: node %s not ready after 30s\nstdout:\n%s\nstderr:\n%s", nd.Name, seen.String(), stderr.String())
	}
}

// subjMetaLeader is where the node that is JetStream's meta leader
// answers with its name.
const subjMetaLeader = "natstest.metaleader"

// MetaLeader is the name of the node that is JetStream's meta leader
// (the one that creates consumers and streams), waiting up to limit for
// one to be elected.
func (c *ProcessCluster) MetaLeader(limit time.Duration) string {
	c.tb.Helper()
	if c.nc == nil {
		c.nc = c.Conn()
	}
	deadline := time.Now().Add(limit)
	for {
		m, err := c.nc.Request(subjMetaLeader, nil, time.Second)
		if err == nil {
			return string(m.Data)
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("natstest: no JetStream meta leader after %v: %v", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitMetaLeader waits until JetStream answers (a meta leader is elected).
func (c *ProcessCluster) waitMetaLeader(limit time.Duration) {
	c.tb.Helper()
	nc := c.Conn()
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		c.tb.Fatal(err)
	}
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("natstest: no JetStream meta leader after %v: %v", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (nd *Node) running() bool {
	if nd.done == nil {
		return false
	}
	select {
	case <-nd.done:
		return false
	default:
		return true
	}
}

// kill ends the node's process, if running, with SIGKILL.
func (nd *Node) kill() {
	if !nd.running() {
		return
	}
	_ = nd.cmd.Process.Signal(syscall.SIGKILL)
	<-nd.done
	_ = nd.stdin.Close()
}

// RunNode is the body of the helper test of a ProcessCluster: started as
// a node, it runs the node's server until its stdin closes (or it is
// killed); otherwise the test is skipped.
func RunNode(t *testing.T) {
	raw := os.Getenv(envNode)
	if raw == "" {
		t.Skip("runs a NATS server when started by natstest.StartProcessCluster")
	}
	var spec nodeSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatalf("%s: %v", envNode, err)
	}
	s, err := natsembed.Launch(natsembed.Options{
		Dir: spec.Dir, Listen: spec.Listen, Name: spec.Name, Anonymous: true,
		Cluster: natsembed.Cluster{Name: spec.ClusterName, Host: "127.0.0.1", Port: spec.ClusterPort, Routes: spec.Routes},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := natsembed.WaitReady(s, spec.Name); err != nil {
		t.Fatal(err)
	}
	// Answer MetaLeader while this node is JetStream's meta leader.
	nc, err := nats.Connect("", nats.InProcessServer(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Subscribe(subjMetaLeader, func(m *nats.Msg) {
		if s.JetStreamIsLeader() {
			_ = m.Respond([]byte(spec.Name))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	fmt.Println(nodeReady)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the test binary that started us closes it, or dies
	nc.Close()
	s.Shutdown()
	s.WaitForShutdown()
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
