package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	at := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)
	for _, e := range sampleEvents() {
		p := Pending{Event: e, Actor: Actor{ID: "S001", Roles: []string{"secretariat"}}, CorrelationID: "c"}
		r, err := Encode(StudentOf("HE201234"), p, at, "k", "abc")
		if err != nil {
			t.Fatalf("Encode(%s): %v", e.EventType(), err)
		}
		got, err := Decode(r.Data)
		if err != nil {
			t.Fatalf("Decode(%s): %v", e.EventType(), err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("%s round trip (-encoded +decoded):\n%s", e.EventType(), diff)
		}
		if got.OccurredAt != at || got.PrevHash != "abc" || got.IdempotencyKey != "k" {
			t.Errorf("%s: envelope metadata lost: %+v", e.EventType(), got)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	r, err := Encode(StudentOf("HE1"), Pending{Event: SheetReopened{Reason: "x"}}, time.Now(), "k", "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(r.Data)
	cases := []struct {
		name string
		data string
		want error
	}{
		{"unknown type", strings.Replace(s, `"sheet.reopened"`, `"sheet.burnt"`, 1), ErrUnknownType},
		{"future version", strings.Replace(s, `"schema":1`, `"schema":2`, 1), ErrFutureVersion},
		{"unknown envelope field", strings.Replace(s, `"type":`, `"colour":"red","type":`, 1), ErrCorrupt},
		{"unknown event field", strings.Replace(s, `"reason":`, `"extra":1,"reason":`, 1), ErrCorrupt},
		{"truncated", s[:len(s)-3], ErrCorrupt},
		{"trailing data", s + `{}`, ErrCorrupt},
		{"no schema", strings.Replace(s, `"schema":1`, `"schema":0`, 1), ErrCorrupt},
	}
	for _, tc := range cases {
		if _, err := Decode([]byte(tc.data)); !errors.Is(err, tc.want) {
			t.Errorf("%s: Decode error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestAggregateValidate(t *testing.T) {
	for _, ok := range []AggregateID{SheetOf("2025-2026", "Q1", "1/8"), StudentOf("HE201234"), DeliberationOf("MIAS", "2025-2026", "Q3")} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []AggregateID{"student", "nobody.x", StudentOf("HE 1"), StudentOf("a*"), StudentOf("a>"), "student..x"} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%q validated", bad)
		}
	}
}

// TestEncodeSplicesData: the envelope Encode writes is byte for byte what
// encoding/json writes for it with the event's data in place.
func TestEncodeSplicesData(t *testing.T) {
	for _, e := range sampleEvents() {
		r, err := Encode(StudentOf("HE1"), Pending{Event: e, Actor: Actor{ID: "a", Roles: []string{"teacher"}}, CorrelationID: "c"}, time.Now(), "k", "p")
		if err != nil {
			t.Fatal(err)
		}
		var env envelope
		if err := json.Unmarshal(r.Data, &env); err != nil {
			t.Fatalf("%s: %v", e.EventType(), err)
		}
		want, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.Data, want) {
			t.Fatalf("%s:\n got %s\nwant %s", e.EventType(), r.Data, want)
		}
	}
}
