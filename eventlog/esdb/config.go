package esdb

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/gradelog/gradelog/eventlog"
)

// truncating are the stream metadata settings under which EventStoreDB
// stops returning a stream's older events at once and scavenging removes
// them for good.
var truncating = map[string]string{
	"$maxAge":   "events older than this many seconds are hidden and scavenged",
	"$maxCount": "all but this many last events are hidden and scavenged",
	"$tb":       "events before this revision are hidden and scavenged (a soft delete sets it)",
}

// CheckConfig implements eventlog.Log. EventStoreDB has no switch making a
// stream append-only, as JetStream's deny-delete and deny-purge are: any
// user with the right can delete a stream or set metadata that truncates
// it. What CheckConfig checks is what the log's streams say now: it reads
// $all from the start, filtered on the server to the events of types
// $metadata and $streamDeleted, and returns an error wrapping
// eventlog.ErrRelaxed naming every stream of the log whose latest metadata
// sets $maxAge, $maxCount or $tb (truncation, soft deletion) and every
// stream that was tombstoned (hard deleted).
//
// It cannot see: server options (an in-memory database, disabled flushes
// to disk, scavenging schedules), which the gRPC API does not expose; who
// may delete or rewrite metadata (the access lists in $settings and in
// each stream's metadata: check that only administrators hold $d and $mw
// on the log's streams); and metadata later replaced, even if a scavenge
// ran while it was in force (the hash chains, checked by Verify, show
// records removed from the middle of an aggregate; published heads, those
// removed at its end). Its cost is one server-side pass over all of $all.
func (l *Log) CheckConfig(ctx context.Context) error {
	meta := map[string][]byte{} // stream of the log -> its latest metadata
	tombstoned := map[string]bool{}
	err := l.do(ctx, func(c *es.Client) error {
		end, err := lastOfAll(ctx, c)
		if err != nil || end == nil {
			return err
		}
		sub, err := c.SubscribeToAll(ctx, es.SubscribeToAllOptions{
			From:            es.Start{},
			MaxSearchWindow: 1000,
			Filter:          &es.SubscriptionFilter{Type: es.EventFilterType, Prefixes: []string{"$metadata", "$streamDeleted"}},
		})
		if err != nil {
			return err
		}
		defer sub.Close()
		for {
			ev := sub.Recv()
			switch {
			case ev.SubscriptionDropped != nil:
				return ev.SubscriptionDropped.Error
			case ev.EventAppeared != nil:
				e := ev.EventAppeared.OriginalEvent()
				if e == nil {
					continue
				}
				switch {
				case e.EventType == "$metadata" && strings.HasPrefix(e.StreamID, "$$"+l.names.streamPrefix()):
					meta[strings.TrimPrefix(e.StreamID, "$$")] = e.Data
				case e.EventType == "$streamDeleted" && strings.HasPrefix(e.StreamID, l.names.streamPrefix()):
					tombstoned[e.StreamID] = true
				}
				if e.Position.Commit >= end.Commit {
					return nil
				}
			case ev.CheckPointReached != nil:
				if ev.CheckPointReached.Commit >= end.Commit {
					return nil
				}
			case ev.CaughtUp != nil:
				return nil
			}
		}
	})
	if err != nil {
		return fmt.Errorf("check the metadata of streams %s* on EventStoreDB at %s: %w", l.names.streamPrefix(), l.where, err)
	}
	if bad := relaxations(meta, tombstoned); len(bad) > 0 {
		return fmt.Errorf("%w: EventStoreDB at %s, streams %s*: %s; refusing to run (remove these settings from the streams' metadata, or use a new prefix)",
			eventlog.ErrRelaxed, l.where, l.names.streamPrefix(), strings.Join(bad, "; "))
	}
	return nil
}

// relaxations lists, in stream order, every truncating setting in the
// latest metadata of each stream and every tombstoned stream.
func relaxations(meta map[string][]byte, tombstoned map[string]bool) []string {
	var bad []string
	for stream, raw := range meta {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			bad = append(bad, fmt.Sprintf("stream %s: metadata %q does not parse (%v)", stream, raw, err))
			continue
		}
		keys := make([]string, 0, len(truncating))
		for k := range truncating {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, ok := m[k]; ok && string(v) != "null" {
				bad = append(bad, fmt.Sprintf("stream %s: %s=%s (%s)", stream, k, v, truncating[k]))
			}
		}
	}
	for stream := range tombstoned {
		bad = append(bad, fmt.Sprintf("stream %s: tombstoned (deleted for good)", stream))
	}
	sort.Strings(bad)
	return bad
}
