package eventlog_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/natstest"
)

// BenchmarkAppendCluster: appends with expectations and keys to a
// 3-replica stream on an in-process 3-node cluster (every node syncing
// each write, routes on loopback), against the same bytes published
// synchronously to a raw 3-replica stream on the same cluster, with 1 and
// 64 writers. One op = one event. It is what docs/scaling.md's cluster
// figures come from: run it beside BenchmarkAppendConcurrent (one server)
// to compare a replicated stream with a single one.
func BenchmarkAppendCluster(b *testing.B) {
	servers := natstest.Cluster(b, 3)
	ctx := benchraw.Ctx(b)
	l, err := eventlog.OpenJetStream(ctx, natstest.ClusterConn(b, servers), eventlog.JetStreamConfig{Replicas: 3})
	if err != nil {
		b.Fatal(err)
	}
	rawNC := natstest.ClusterConn(b, servers)
	if _, err := eventlog.OpenJetStream(ctx, rawNC, eventlog.JetStreamConfig{Stream: benchraw.Stream, Prefix: benchraw.Prefix, Replicas: 3}); err != nil {
		b.Fatal(err)
	}
	js, err := jetstream.New(rawNC)
	if err != nil {
		b.Fatal(err)
	}
	env := &benchraw.Env{Log: l, Raw: js}
	p := benchPending()
	for _, writers := range []int{1, benchWriters} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			tag := fmt.Sprintf("R%d-%s", writers, uuid.NewString()[:8]) // each run of the function on fresh aggregates
			data := benchData(b, sheetAgg(tag, 0))
			heads := make([]events.Head, writers)
			fanOut := func(lo, hi int, op func(w int) error) {
				if err := benchraw.FanOut(writers, lo, hi, op); err != nil {
					b.Fatal(err)
				}
			}
			raw := func(lo, hi int) {
				fanOut(lo, hi, func(w int) error {
					return env.Publish(ctx, benchraw.Subject(sheetAgg(tag, w)), data)
				})
			}
			ours := func(lo, hi int) {
				fanOut(lo, hi, func(w int) error {
					got, err := env.Log.Append(ctx, eventlog.AppendRequest{
						Aggregate: sheetAgg(tag, w), Head: heads[w], Key: uuid.NewString(),
						Events: []events.Pending{p},
					})
					heads[w] = got.Head()
					return err
				})
			}
			rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
			benchraw.Report(b, "events/s", b.N, b.N, rawD, oursD)
		})
	}
}
