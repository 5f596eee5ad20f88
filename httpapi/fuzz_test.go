package httpapi

// Fuzz test of request decoding: no body makes (*call).decode panic, for
// any request type the API reads, and decode accepts exactly a blank body
// or one JSON value, with nothing after it but white space, whose object
// keys all name fields of the type (the reference below checks keys
// itself, the way encoding/json matches them), decoding it as
// json.Unmarshal does. Seeds: testdata/fuzz. A deeper run:
//
//	go test ./httpapi -run '^$' -fuzz '^FuzzDecode$' -fuzztime 60s

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/handlers"
)

// requests are the bodies the API decodes (see the c.decode calls).
var requests = []func() any{
	func() any { return new(entries) }, func() any { return new(oneEntry) },
	func() any { return new(reopening) },
	func() any { return new(handlers.Extension) }, func() any { return new(handlers.Registration) },
	func() any { return new(handlers.Admission) }, func() any { return new(handlers.PAERequest) },
	func() any { return new(handlers.Amendment) }, func() any { return new(handlers.Recognition) },
	func() any { return new(handlers.Schedule) }, func() any { return new(handlers.JuryInput) },
	func() any { return new(handlers.Opening) }, func() any { return new(handlers.DecisionInput) },
	func() any { return new(Publication) }, func() any { return new(handlers.AppealInput) },
	func() any { return new(handlers.AppealVerdict) }, func() any { return new(handlers.WhatIfInput) },
}

// reopening is reopenSheet's body, an anonymous struct there.
type reopening struct {
	Reason string `json:"reason"`
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"entries":[{"student":"HE201234","value":"12,5","version":3}],"source":"form"}`))
	f.Add([]byte(`{"ues":["1/8"],"waivers":[{"ue":"2/10","prerequisite":"1/12","reason":"fin de cycle"}]}`))
	f.Add([]byte(`{"student":"HE1","record_version":4,"grants":[{"ue":"1/7","granted":true}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, mk := range requests {
			got, want := mk(), mk()
			err := (&call{body: body}).decode(got)
			werr := reference(body, want)
			if (err == nil) != (werr == "") {
				t.Fatalf("%T: decode says %v, the reference %q, on %q", got, err, werr, body)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%T: decode %+v, json.Unmarshal %+v, on %q", got, got, want, body)
			}
		}
	})
}

// reference decodes body into v as decode should, and says why it refuses.
func reference(body []byte, v any) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	if !json.Valid(body) {
		return "not one JSON value"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return err.Error()
	}
	if k, ok := unknownKey(reflect.TypeOf(v), generic); ok {
		return "unknown field " + k
	}
	if err := json.Unmarshal(body, v); err != nil {
		return err.Error()
	}
	return ""
}

// unknownKey finds a key of v, decoded as any, that names no field of t.
// A type that decodes itself is taken whole.
func unknownKey(t reflect.Type, v any) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if pt := reflect.PointerTo(t); pt.Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		pt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "", false
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			var et reflect.Type
			switch t.Kind() {
			case reflect.Struct:
				f, ok := fieldNamed(t, k)
				if !ok {
					return k, true
				}
				et = f.Type
			case reflect.Map:
				et = t.Elem()
			default:
				return "", false // a type error, decode's to report
			}
			if k, ok := unknownKey(et, e); ok {
				return k, true
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return "", false
		}
		for _, e := range x {
			if k, ok := unknownKey(t.Elem(), e); ok {
				return k, true
			}
		}
	}
	return "", false
}

// fieldNamed is t's field that the JSON key k sets (keys match names
// ignoring case).
func fieldNamed(t reflect.Type, k string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || tag == "-" || f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, k) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
