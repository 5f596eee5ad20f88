package events

// Fuzz test of the record codec: Decode never panics on any bytes, its fast
// path agrees with encoding/json (decodeJSON, strictJSON), and a record it
// accepts encodes back (Encode) to one that decodes to the same value.
// Seeds: testdata/fuzz/FuzzDecode. A deeper run:
//
//	go test ./events -run '^$' -fuzz '^FuzzDecode$' -fuzztime 60s

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
)

func FuzzDecode(f *testing.F) {
	at := time.Date(2026, 1, 26, 14, 5, 0, 0, time.UTC)
	for _, e := range sampleEvents()[:3] {
		r, err := Encode(SheetOf("2025-2026", "Q1", "1/8"), Pending{Event: e, Actor: Actor{ID: "T001"}}, at, "k", "")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(r.Data)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"type":"sheet.reopened","schema":1,"data":{"reason":"x"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data)
		slow, serr := decodeJSON(data)
		if (err == nil) != (serr == nil) || err != nil && err.Error() != serr.Error() {
			t.Fatalf("Decode: %v\ndecodeJSON: %v\ninput %q", err, serr, data)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(r, slow) {
			t.Fatalf("Decode %#v\ndecodeJSON %#v\ninput %q", r, slow, data)
		}
		var env envelope
		if err := strictJSON(data, &env); err != nil {
			t.Fatalf("decodeJSON accepts an envelope strictJSON refuses (%v): %q", err, data)
		}
		ev := reflect.New(reflect.TypeOf(r.Event))
		if err := strictJSON(env.Data, ev.Interface()); err != nil || !reflect.DeepEqual(ev.Elem().Interface(), r.Event) {
			t.Fatalf("event %#v, encoding/json %#v (%v) on %q", r.Event, ev.Elem().Interface(), err, env.Data)
		}
		roundTrip(t, r)
	})
}

// roundTrip encodes r again and checks the record decodes to r, up to what
// Encode normalises: times in UTC (an unset occurrence time becomes the
// recording time), a nil ID drawn afresh, empty slices omitted, raw JSON
// compacted; and that a second pass writes the same bytes.
func roundTrip(t *testing.T, r Record) {
	again, err := reencode(r)
	if err != nil {
		// What Decode takes but Encode guards: the aggregate's form, and
		// times JSON can write (a UTC year from 0 to 9999).
		if r.Aggregate.Validate() != nil || strings.Contains(err.Error(), "year outside of range") {
			return
		}
		t.Fatalf("a decoded record does not encode: %v\n%q", err, r.Data)
	}
	back, err := Decode(again.Data)
	if err != nil {
		t.Fatalf("the re-encoded record does not decode: %v\n%s", err, again.Data)
	}
	want := r
	want.Schema = CurrentSchema(r.Type)
	want.Data, want.Hash = again.Data, again.Hash
	if r.ID == uuid.Nil {
		want.ID = again.ID
	}
	if r.OccurredAt.IsZero() {
		want.OccurredAt = r.RecordedAt
	}
	if diff := cmp.Diff(want, back, sameRecord); diff != "" {
		t.Fatalf("round trip of %q (-decoded +re-encoded and decoded):\n%s", r.Data, diff)
	}
	third, err := reencode(back)
	if err != nil || !bytes.Equal(third.Data, again.Data) {
		t.Fatalf("encoding is not stable (%v):\n%s\n%s", err, again.Data, third.Data)
	}
}

func reencode(r Record) (Record, error) {
	p := Pending{ID: r.ID, Event: r.Event, OccurredAt: r.OccurredAt, Actor: r.Actor, CausationID: r.CausationID, CorrelationID: r.CorrelationID}
	return Encode(r.Aggregate, p, r.RecordedAt, r.IdempotencyKey, r.PrevHash)
}

// sameRecord compares times as instants (cmp uses time.Time.Equal), nil
// and empty slices alike, and raw JSON as json.Marshal writes it.
var sameRecord = cmp.Options{
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().Type() != reflect.TypeFor[json.RawMessage]() }, cmpopts.EquateEmpty()),
	cmp.Comparer(func(a, b json.RawMessage) bool {
		ca, erra := json.Marshal(a)
		cb, errb := json.Marshal(b)
		return erra == nil && errb == nil && bytes.Equal(ca, cb)
	}),
}
