package events

// Differential tests: the fast strict decoder must accept exactly what
// encoding/json with DisallowUnknownFields accepts, and decode it the same.
// Run the fuzz target for a deeper check:
//
//	go test ./events -fuzz FuzzFastMatchesEncodingJSON -fuzztime 60s

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

func diffSamples(t testing.TB) [][]byte {
	at := time.Date(2026, 1, 20, 10, 15, 30, 123456789, time.FixedZone("X", 3600))
	evs := []Event{
		MarkRecorded{Student: "HE234567", Activity: "1/8-TP", Entry: Entry{Mark: "13.5"}, Source: "xlsx"},
		MarkRecorded{Student: "Zoë \"q\" <a&b> \u2028 é", Entry: Entry{Code: "ABS"}},
		MarkCorrected{Student: "s", Previous: Entry{Mark: "1"}, Entry: Entry{Mark: "2"}, Reason: "typo\n", AuthorisedBy: "x"},
		SheetSubmitted{Missing: -3}, SheetSubmitted{Missing: 0}, SheetReopened{},
		PAEValidated{Programme: "p", Year: "y", UEs: []string{}, Waivers: []Waiver{{UE: "a", Prerequisite: "b", Reason: "c"}}},
		PAEValidated{UEs: []string{"a", "b", ""}},
		StudentAdmitted{Programme: "p", HasBachelor: true, Complements: []string{"1/1"}},
		DecisionRecorded{Student: "s", RecordVersion: 18446744073709551615, Grants: []CreditGrant{{UE: "u", Granted: true}, {}}},
		DeliberationOpened{MembersPresent: []string{"a"}, Quorum: Quorum{Required: 3, Present: 2, Met: false}},
		SessionScheduled{Year: "y", Starts: at, Ends: at.Add(time.Hour)},
		CatalogPublished{Year: "y", Version: 2, Catalog: json.RawMessage(`{"a":[1,2.5e3,"x\"y",{"b":null}],"c":true}`)},
		RulesetPublished{Ruleset: json.RawMessage(`[]`)},
		JuryConstituted{Members: []JuryMember{{ID: "1", Teaches: []string{"a"}}}},
		AccessRefused{Action: "a", Target: "t", Reason: "r"},
	}
	var out [][]byte
	for i, ev := range evs {
		p := Pending{Event: ev, Actor: Actor{ID: "u", Roles: []string{"teacher"}}, CorrelationID: "c", CausationID: "k"}
		if i%2 == 0 {
			p.Actor.Roles = nil
			p.OccurredAt = at
		}
		r, err := Encode(SheetOf("2025", "Q1", "1/8"), p, at, uuid.NewString(), HashOf([]byte{byte(i)}))
		if err != nil {
			t.Fatal(err)
		}
		var env envelope
		if err := strictJSON(r.Data, &env); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Data, env.Data)
	}
	extra := []string{
		`{}`, `[]`, `null`, `{"missing":1}`, `{"missing":1.0}`, `{"missing":1e2}`, `{"missing":-0}`, `{"missing":01}`,
		`{"student":"a","student":"b","entry":{}}`, `{"Student":"a","entry":{}}`, `{"student":null,"entry":{}}`,
		`{"student":"a","entry":{}}}`, `{"student":"a","entry":{}}]`, ` {"student" : "a" , "entry" : { "mark" : "1" } } `,
		`{"student":"a\u0062","entry":{}}`, "{\"student\":\"\xff\",\"entry\":{}}", `{"ues":null}`, `{"ues":[null]}`,
		`{"record_version":-1}`, `{"record_version":18446744073709551616}`, `{"met":tru}`, `{"quorum":{"met":true,"met":false}}`,
		`{"catalog":{"a":}}`, `{"catalog":[1,]}`, `{"catalog":"x"}`, `{"catalog":12}`, `{"catalog":12 }`, `{"catalog":tru}`,
		`{"starts":"2026-01-20T10:15:30Z"}`, `{"starts":"2026-01-20T10:15:30"}`, `{"starts":"2026-01-20T10:15:30.1+01:00"}`,
	}
	for _, e := range extra {
		out = append(out, []byte(e))
	}
	return out
}

var diffTypes = []func() any{
	func() any { return new(envelope) }, func() any { return new(MarkRecorded) }, func() any { return new(MarkCorrected) },
	func() any { return new(SheetSubmitted) }, func() any { return new(SheetReopened) }, func() any { return new(PAEValidated) },
	func() any { return new(StudentAdmitted) }, func() any { return new(DecisionRecorded) }, func() any { return new(DeliberationOpened) },
	func() any { return new(SessionScheduled) }, func() any { return new(CatalogPublished) }, func() any { return new(RulesetPublished) },
	func() any { return new(JuryConstituted) }, func() any { return new(AccessRefused) },
}

func checkSame(t *testing.T, in []byte) (fastHits int) {
	for _, mk := range diffTypes {
		slow, fast := mk(), mk()
		serr := strictJSON(in, slow)
		ok := fastDecode(in, reflect.ValueOf(fast).Elem(), false)
		if ok {
			fastHits++
			if serr != nil {
				t.Fatalf("%T: fast accepts what encoding/json refuses (%v): %q", slow, serr, in)
			}
			if !reflect.DeepEqual(slow, fast) {
				t.Fatalf("%T: fast %#v\nslow %#v\ninput %q", slow, fast, slow, in)
			}
		}
		// and strict must agree with strictJSON on acceptance
		again := mk()
		if err := strict(in, again); (err == nil) != (serr == nil) || (err == nil && !reflect.DeepEqual(again, slow)) {
			t.Fatalf("%T: strict %v, strictJSON %v on %q", slow, err, serr, in)
		}
	}
	return fastHits
}

func mutate(r *rand.Rand, b []byte) []byte {
	b = bytes.Clone(b)
	tokens := []string{`"`, `\`, `{`, `}`, `[`, `]`, `,`, `:`, ` `, `null`, `1.5`, `-`, `0`, `e`, `"x":1,`, "\xff", "\n", `true`, `\u0041`}
	switch r.IntN(4) {
	case 0:
		if len(b) > 0 {
			i := r.IntN(len(b))
			b = append(b[:i], b[i+1:]...)
		}
	case 1:
		i := r.IntN(len(b) + 1)
		tok := tokens[r.IntN(len(tokens))]
		b = append(b[:i], append([]byte(tok), b[i:]...)...)
	case 2:
		if len(b) > 0 {
			b[r.IntN(len(b))] = byte(r.IntN(128))
		}
	case 3:
		if len(b) > 0 {
			i := r.IntN(len(b))
			b[i] = b[r.IntN(len(b))]
		}
	}
	return b
}

func TestFastMatchesEncodingJSON(t *testing.T) {
	samples := diffSamples(t)
	hits := 0
	for _, s := range samples {
		hits += checkSame(t, s)
	}
	t.Logf("unmutated: %d fast hits", hits)
	r := rand.New(rand.NewPCG(1, 2))
	hits, n := 0, 0
	for range 30000 {
		s := samples[r.IntN(len(samples))]
		for range 1 + r.IntN(3) {
			s = mutate(r, s)
		}
		hits += checkSame(t, s)
		n++
	}
	t.Logf("%d mutated inputs, %d fast hits", n, hits)
}

func FuzzFastMatchesEncodingJSON(f *testing.F) {
	for _, s := range diffSamples(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkSame(t, in) })
}

func TestDecodeFullPathSame(t *testing.T) {
	for _, s := range diffSamples(t)[:30:30] {
		got, err := Decode(s)
		if err != nil {
			continue
		}
		var env envelope
		if err := strictJSON(s, &env); err != nil {
			t.Fatal(err)
		}
		if got.Type != env.Type || !reflect.DeepEqual(got.Actor, env.Actor) || got.Hash != HashOf(s) {
			t.Fatal("mismatch")
		}
	}
}

func TestDecodeMatchesDecodeJSON(t *testing.T) {
	var envs [][]byte
	for i, s := range diffSamples(t) {
		if i < 30 && i%2 == 0 {
			envs = append(envs, s)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	same := func(in []byte) bool {
		a, aerr := Decode(in)
		b, berr := decodeJSON(in)
		if (aerr == nil) != (berr == nil) || (aerr != nil && aerr.Error() != berr.Error()) {
			t.Fatalf("Decode %v, decodeJSON %v on %q", aerr, berr, in)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Decode %#v\ndecodeJSON %#v\non %q", a, b, in)
		}
		return aerr == nil
	}
	ok := 0
	for range 20000 {
		s := envs[r.IntN(len(envs))]
		for range 1 + r.IntN(2) {
			s = mutate(r, s)
		}
		if same(s) {
			ok++
		}
	}
	t.Logf("%d decoded", ok)
}
