package events

import (
	"time"

	"github.com/google/uuid"
)

// Event is one fact of the domain. The set is closed: only types of this
// package implement it (the unexported method seals it).
type Event interface {
	// EventType is the stable wire name, for example "mark.recorded".
	EventType() string
	sealed()
}

// Actor is who caused a fact: an authenticated person or a system process,
// with the roles under which the command was authorised.
type Actor struct {
	ID    string   `json:"id"`
	Roles []string `json:"roles,omitempty"`
}

// Pending is an event about to be appended: the event and the metadata its
// author decides. The log fills in the rest (aggregate, time recorded,
// previous hash, position).
type Pending struct {
	ID            uuid.UUID // zero: the log assigns a random UUID
	Event         Event
	OccurredAt    time.Time // when the fact happened; zero: when it is recorded
	Actor         Actor
	CausationID   string // the command or event that caused this one
	CorrelationID string // the request or workflow the command belongs to
}

// Record is an event as stored in the log, with its envelope.
type Record struct {
	ID        uuid.UUID
	Aggregate AggregateID
	// Position is the record's place in the whole log (the JetStream stream
	// sequence, the EventStoreDB commit position in $all); it orders every
	// record and is what projections checkpoint.
	Position uint64
	// Version is the aggregate's version after this record, as the backend
	// counts it; it is what an append's expectation names. On JetStream it
	// equals Position; on EventStoreDB it is the stream revision plus one
	// (so that the zero head still means a new aggregate).
	Version       uint64
	Type          string
	Schema        int // the schema version the record was written with
	OccurredAt    time.Time
	RecordedAt    time.Time // stamped by the appending node; "as of" reads cut on it
	Actor         Actor
	CausationID   string
	CorrelationID string
	// IdempotencyKey is the key of the command that produced the record.
	IdempotencyKey string
	PrevHash       string // hash of the previous record of the same aggregate; "" for the first
	Hash           string // SHA-256 of Data, hex
	// Data is the exact stored envelope; the hash is computed over it.
	Data  []byte
	Event Event // upgraded to the current schema version
}

// Head is where an aggregate stood when a decision was taken: the version
// and hash of its last record. The zero Head means the aggregate is new.
type Head struct {
	Version uint64
	Hash    string
}

// Head returns the head an aggregate has once r is its last record.
func (r Record) Head() Head { return Head{Version: r.Version, Hash: r.Hash} }
