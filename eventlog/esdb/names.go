package esdb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	es "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// The stream scheme, in one place: one stream per aggregate instance,
// named by the log's prefix ("gradelog" by default), a dash and the
// aggregate id ("gradelog-sheet.2025-2026.Q1.1/8"). EventStoreDB takes any
// character in a stream name, and '$' only marks system streams at the
// start, so the aggregate id goes in as it is. A prefix holds letters,
// digits and '_' only: no prefix followed by its dash is then the start
// of another prefix's streams, and the server-side filter on
// "<prefix>-" selects exactly one log's streams. The category EventStoreDB
// derives (the part before the first dash) is the prefix.
//
// Each event's type is the record's type. Its metadata is the JSON object
// {"hash": ..., "schema": N}, plus "source_position" for a record a mirror
// imported (see Sink); its data is the exact envelope the hash covers.
const (
	DefaultPrefix = "gradelog"
	sep           = "-"
)

// names maps aggregates to the streams of one log.
type names struct{ prefix string }

// streamPrefix is what every stream of the log starts with.
func (n names) streamPrefix() string { return n.prefix + sep }

func (n names) stream(a events.AggregateID) string { return n.prefix + sep + string(a) }

func (n names) aggregate(stream string) (events.AggregateID, error) {
	rest, ok := strings.CutPrefix(stream, n.streamPrefix())
	if !ok || rest == "" {
		return "", fmt.Errorf("stream %q is outside the log's scheme %q", stream, n.streamPrefix()+"<aggregate>")
	}
	return events.AggregateID(rest), nil
}

// ours reports whether a recorded event is a record of this log: in one of
// its streams and not a system event (a tombstone's "$streamDeleted").
func (n names) ours(e *es.RecordedEvent) bool {
	return e != nil && len(e.StreamID) > len(n.streamPrefix()) && strings.HasPrefix(e.StreamID, n.streamPrefix()) &&
		!strings.HasPrefix(e.EventType, "$")
}

func validPrefix(p string) error {
	if p == "" {
		return fmt.Errorf("stream prefix is empty")
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("stream prefix %q: character %q is not allowed (letters, digits and _ only)", p, r)
		}
	}
	return nil
}

// metadata is what each event carries beside the envelope.
type metadata struct {
	Hash   string `json:"hash"`
	Schema int    `json:"schema"`
	// Source is the position, in the log it was copied from, of a record a
	// mirror imported; 0 (absent) for a record stored by Append.
	Source uint64 `json:"source_position,omitempty"`
}

func (m metadata) encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // a struct of a string and two integers always encodes
	}
	return b
}

func decodeMetadata(b []byte) (metadata, error) {
	var m metadata
	if len(b) == 0 {
		return m, fmt.Errorf("no metadata")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("metadata %q: %v", b, err)
	}
	return m, nil
}

// stored is a recorded event as eventlog sees it. Metadata that does not
// decode leaves Hash empty and Schema 0: Decode then refuses the record
// (its schema disagrees with the envelope's).
func (n names) stored(e *es.RecordedEvent) eventlog.Stored {
	a, _ := n.aggregate(e.StreamID) // callers keep to the log's streams
	m, _ := decodeMetadata(e.UserMetadata)
	return eventlog.Stored{
		Aggregate: a,
		Position:  e.Position.Commit,
		Version:   e.EventNumber + 1,
		Type:      e.EventType,
		Schema:    m.Schema,
		Hash:      m.Hash,
		Data:      e.Data,
		Where:     fmt.Sprintf("stream %s revision %d", e.StreamID, e.EventNumber),
	}
}

// idSpace is the namespace of the event ids the log derives.
var idSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/gradelog/gradelog/eventlog/esdb"))

// appendEventID is the EventStoreDB event id of the i-th event of an
// append to stream under idempotency key: the same for every retry of the
// append, so that the server recognises one that already landed.
func appendEventID(stream, key string, i int) uuid.UUID {
	return uuid.NewSHA1(idSpace, []byte("append\x00"+stream+"\x00"+key+"\x00"+strconv.Itoa(i)))
}

// importEventID is the event id of the record a mirror copies from source
// position pos into stream.
func importEventID(stream string, pos uint64) uuid.UUID {
	return uuid.NewSHA1(idSpace, []byte("import\x00"+stream+"\x00"+strconv.FormatUint(pos, 10)))
}

// expectation is the expected revision of a stream whose last record has
// version v (revision v-1); 0 is a stream that must not exist yet.
func expectation(v uint64) es.ExpectedRevision {
	if v == 0 {
		return es.NoStream{}
	}
	return es.Revision(v - 1)
}
