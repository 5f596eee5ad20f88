package eventlog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// JetStreamConfig configures the JetStream backend.
type JetStreamConfig struct {
	Stream     string        // stream name; default "GRADELOG"
	Prefix     string        // first subject token; default "gl"
	Replicas   int           // 1 (embedded) or 3 (cluster); default 1
	Duplicates time.Duration // dedup window for idempotency keys; default 10m
	MaxBytes   int64         // storage limit; 0: unlimited
	Now        func() time.Time
}

func (c *JetStreamConfig) defaults() {
	if c.Stream == "" {
		c.Stream = "GRADELOG"
	}
	if c.Prefix == "" {
		c.Prefix = defaultPrefix
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Duplicates == 0 {
		c.Duplicates = 10 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// streamConfig is the append-only configuration gradelog creates.
func (c JetStreamConfig) streamConfig() jetstream.StreamConfig {
	maxBytes := c.MaxBytes
	if maxBytes == 0 {
		maxBytes = -1
	}
	return jetstream.StreamConfig{
		Name:               c.Stream,
		Description:        "gradelog event log (append-only)",
		Subjects:           []string{subjects{c.Prefix}.all()},
		Retention:          jetstream.LimitsPolicy,
		MaxMsgs:            -1,
		MaxBytes:           maxBytes,
		MaxAge:             0,
		MaxMsgsPerSubject:  -1,
		Discard:            jetstream.DiscardNew,
		Storage:            jetstream.FileStorage,
		Replicas:           c.Replicas,
		Duplicates:         c.Duplicates,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowRollup:        false,
		AllowDirect:        true,
		AllowAtomicPublish: true,
	}
}

// relaxations lists every way cfg departs from an append-only log that
// gradelog can work on. Empty means the stream is safe.
func relaxations(cfg jetstream.StreamConfig, want JetStreamConfig) []string {
	var bad []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	all := subjects{want.Prefix}.all()
	check(slices.Contains(cfg.Subjects, all), "subjects %v do not include %q", cfg.Subjects, all)
	check(cfg.Retention == jetstream.LimitsPolicy, "retention is %v, want limits (interest and work-queue retention delete messages)", cfg.Retention)
	check(cfg.Discard == jetstream.DiscardNew, "discard policy is %v, want new (discard old deletes the oldest events at a limit)", cfg.Discard)
	check(cfg.MaxAge == 0, "max age is %v, want unlimited", cfg.MaxAge)
	check(cfg.MaxMsgsPerSubject <= 0, "max messages per subject is %d, want unlimited (the limit deletes an aggregate's oldest events)", cfg.MaxMsgsPerSubject)
	check(cfg.DenyDelete, "deny delete is off")
	check(cfg.DenyPurge, "deny purge is off")
	check(!cfg.AllowRollup, "rollup is allowed")
	check(!cfg.AllowMsgTTL, "per-message TTLs are allowed")
	check(cfg.SubjectDeleteMarkerTTL == 0, "subject delete markers are enabled (TTL %v), which relaxes deny purge", cfg.SubjectDeleteMarkerTTL)
	check(!cfg.AllowMsgSchedules, "message schedules are allowed, which relaxes deny purge and rollup")
	check(!cfg.AllowMsgCounter, "message counters are enabled")
	check(!cfg.Sealed, "the stream is sealed and accepts no appends")
	check(cfg.Storage == jetstream.FileStorage, "storage is %v, want file", cfg.Storage)
	check(cfg.PersistMode == jetstream.DefaultPersistMode, "persist mode is %v, want default (async persistence acknowledges unwritten events)", cfg.PersistMode)
	check(cfg.AllowDirect, "direct get is off (needed to read an aggregate)")
	check(cfg.AllowAtomicPublish, "atomic publish is off (needed for all-or-nothing appends)")
	check(cfg.Duplicates > 0, "duplicate window is off (needed for idempotent retries)")
	check(cfg.Mirror == nil, "the stream is a mirror and accepts no appends")
	check(cfg.Replicas == want.Replicas, "the stream has %d replicas, gradelog is configured for %d", cfg.Replicas, want.Replicas)
	return bad
}

func relaxedError(stream string, bad []string) error {
	return fmt.Errorf("%w: stream %q: %s; refusing to run (fix the stream's configuration or use a new stream)",
		ErrRelaxed, stream, strings.Join(bad, "; "))
}
