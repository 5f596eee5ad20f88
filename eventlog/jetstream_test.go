package eventlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/internal/natstest"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openJS(t testing.TB, nc *nats.Conn, cfg eventlog.JetStreamConfig) *eventlog.JetStream {
	t.Helper()
	l, err := eventlog.OpenJetStream(ctxT(t), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestJetStreamEmbedded runs the acceptance suite on the embedded server,
// one fresh server per test, syncing every write as in production.
func TestJetStreamEmbedded(t *testing.T) {
	logtest.Run(t, func(t *testing.T, now func() time.Time) eventlog.Log {
		return openJS(t, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{Now: now})
	})
}

// TestJetStreamCluster runs the acceptance suite on a 3-node in-process
// cluster with 3 replicas, one fresh stream per test.
func TestJetStreamCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster suite skipped in -short mode")
	}
	servers := natstest.Cluster(t, 3)
	nc := natstest.ClusterConn(t, servers)
	n := 0
	logtest.Run(t, func(t *testing.T, now func() time.Time) eventlog.Log {
		n++
		return openJS(t, nc, eventlog.JetStreamConfig{Stream: fmt.Sprintf("GRADELOG_%d", n), Prefix: fmt.Sprintf("gl%d", n), Replicas: 3, Now: now})
	})
}
