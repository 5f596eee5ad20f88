package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Codec errors. Decoding never skips: a record that does not decode stops
// whoever reads it, with an error wrapping one of these.
var (
	ErrUnknownType   = errors.New("unknown event type")
	ErrFutureVersion = errors.New("event schema version newer than this build knows")
	ErrCorrupt       = errors.New("corrupt event")
)

// envelope is the stored form of a record: the exact bytes are hashed.
// Field order is the struct order; never reorder or rename a field.
type envelope struct {
	ID          uuid.UUID       `json:"id"`
	Aggregate   AggregateID     `json:"aggregate"`
	Type        string          `json:"type"`
	Schema      int             `json:"schema"`
	OccurredAt  time.Time       `json:"occurred_at"`
	RecordedAt  time.Time       `json:"recorded_at"`
	Actor       Actor           `json:"actor"`
	Causation   string          `json:"causation,omitempty"`
	Correlation string          `json:"correlation,omitempty"`
	Key         string          `json:"key,omitempty"`
	Prev        string          `json:"prev,omitempty"`
	Data        json.RawMessage `json:"data"`
}

// Encode builds the record for p as the next event of aggregate a after
// prev (the hash of the aggregate's last record, "" if it is new). key is
// the idempotency key of the command. Position and Version stay zero until
// the log stores the record.
func Encode(a AggregateID, p Pending, recordedAt time.Time, key, prev string) (Record, error) {
	if err := a.Validate(); err != nil {
		return Record{}, err
	}
	if p.Event == nil {
		return Record{}, fmt.Errorf("encode: nil event for %s", a)
	}
	data, err := json.Marshal(p.Event)
	if err != nil {
		return Record{}, fmt.Errorf("encode %s: %w", p.Event.EventType(), err)
	}
	id := p.ID
	if id == uuid.Nil {
		id = uuid.New()
	}
	recordedAt = recordedAt.UTC()
	occurred := p.OccurredAt.UTC()
	if p.OccurredAt.IsZero() {
		occurred = recordedAt
	}
	env := envelope{
		ID: id, Aggregate: a, Type: p.Event.EventType(), Schema: CurrentSchema(p.Event.EventType()),
		OccurredAt: occurred, RecordedAt: recordedAt, Actor: p.Actor,
		Causation: p.CausationID, Correlation: p.CorrelationID, Key: key, Prev: prev,
	}
	head, err := json.Marshal(env)
	if err != nil {
		return Record{}, fmt.Errorf("encode envelope of %s: %w", env.Type, err)
	}
	// Data is the last field: splice the event's bytes, already compact
	// JSON, in place of the null, rather than have Marshal check and
	// compact them again. The bytes are the same.
	raw := append(append(head[:len(head)-len("null}")], data...), '}')
	return Record{
		ID: id, Aggregate: a, Type: env.Type, Schema: env.Schema,
		OccurredAt: occurred, RecordedAt: recordedAt, Actor: p.Actor,
		CausationID: p.CausationID, CorrelationID: p.CorrelationID, IdempotencyKey: key,
		PrevHash: prev, Hash: HashOf(raw), Data: raw, Event: p.Event,
	}, nil
}

// HashOf is the hash of a stored envelope: SHA-256, lower-case hex.
func HashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Decode parses a stored envelope. Unknown types, future schema versions,
// unknown fields and malformed bytes are errors; older versions are
// upgraded to the current one. Position and Version are the caller's to set.
func Decode(data []byte) (Record, error) {
	// Fast path: the envelope's data is taken in place and unchecked, for
	// the event's own strict decoding checks exactly those bytes. Anything
	// amiss goes to decodeJSON, which finds and words the error.
	env := envelopes.Get().(*envelope)
	defer func() {
		*env = envelope{}
		envelopes.Put(env)
	}()
	if fastDecode(data, reflect.ValueOf(env).Elem(), true) &&
		env.Type != "" && env.Schema >= 1 && len(env.Data) > 0 &&
		(env.Schema == CurrentSchema(env.Type) || json.Valid(env.Data)) {
		if ev, err := decodeEvent(env.Type, env.Schema, env.Data); err == nil {
			return env.record(data, ev), nil
		}
	}
	return decodeJSON(data)
}

// envelopes recycles Decode's envelopes, which reflection would otherwise
// allocate on every call; they are zeroed before going back.
var envelopes = sync.Pool{New: func() any { return new(envelope) }}

// decodeJSON is Decode with the envelope decoded by encoding/json.
func decodeJSON(data []byte) (Record, error) {
	var env envelope
	if err := strictJSON(data, &env); err != nil {
		return Record{}, fmt.Errorf("%w: envelope: %v", ErrCorrupt, err)
	}
	if env.Type == "" || env.Schema < 1 || len(env.Data) == 0 {
		return Record{}, fmt.Errorf("%w: envelope lacks type, schema or data", ErrCorrupt)
	}
	ev, err := decodeEvent(env.Type, env.Schema, env.Data)
	if err != nil {
		return Record{}, err
	}
	return env.record(data, ev), nil
}

func (env *envelope) record(data []byte, ev Event) Record {
	return Record{
		ID: env.ID, Aggregate: env.Aggregate, Type: env.Type, Schema: env.Schema,
		OccurredAt: env.OccurredAt, RecordedAt: env.RecordedAt, Actor: env.Actor,
		CausationID: env.Causation, CorrelationID: env.Correlation, IdempotencyKey: env.Key,
		PrevHash: env.Prev, Hash: HashOf(data), Data: data, Event: ev,
	}
}

func decodeEvent(typ string, schema int, data []byte) (Event, error) {
	current := CurrentSchema(typ)
	if current == 0 {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
	}
	if schema > current {
		return nil, fmt.Errorf("%w: %s v%d (this build knows up to v%d)", ErrFutureVersion, typ, schema, current)
	}
	data, err := upgrade(typ, schema, data)
	if err != nil {
		return nil, err
	}
	ev, err := decodeCurrent(typ, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s v%d: %v", ErrCorrupt, typ, schema, err)
	}
	return ev, nil
}

// strict decodes exactly one JSON value into v (a pointer), refusing
// unknown fields and trailing data. Plain input (see fastDecode) takes a
// fast path; anything else, and every error, goes through encoding/json.
func strict(data []byte, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		if fastDecode(data, rv.Elem(), false) {
			return nil
		}
		rv.Elem().SetZero() // the fast path may have filled part of it
	}
	return strictJSON(data, v)
}

// strictJSON is strict with encoding/json only.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// Decoder.More reports no more values before a stray ']' or '}', so
	// check the rest of the input directly.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

func decodeAs[T Event](data []byte) (Event, error) {
	var v T
	if err := strict(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}
