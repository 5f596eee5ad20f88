package filelog

import (
	"reflect"
	"testing"
)

// TestParseFast: the fast path takes the lines Import writes, decoding
// them as the strict decoder does, and leaves any other form to it.
func TestParseFast(t *testing.T) {
	for _, r := range []recordLine{
		{Position: 1, Version: 1, Aggregate: "student.HE201001", Type: "student.registered", Schema: 1, Hash: "ab12", Envelope: []byte(`{"a":"é"}`)},
		{Position: 18446744073709551615, Version: 7, Aggregate: "sheet.2025-2026.Q1.1/8", Hash: "00", Envelope: []byte{0, 1, 2}},
	} {
		line, err := appendJSON(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		line = line[:len(line)-1]
		got, ok := parseFast(line)
		var strict recordLine
		if err := decodeStrict(line, &strict); err != nil {
			t.Fatal(err)
		}
		if !ok || !reflect.DeepEqual(got, strict) || !reflect.DeepEqual(got, r) {
			t.Errorf("parseFast(%s) = %+v, %v; strict %+v", line, got, ok, strict)
		}
	}
	for _, line := range []string{
		`{"position":1,"version":1,"aggregate":"s\u0061","hash":"x","envelope":"AA=="}`,
		`{"position":01,"version":1,"aggregate":"sa","hash":"x","envelope":"AA=="}`,
		`{"position":1,"version":1,"aggregate":"sa","hash":"x","envelope":"AA=="} `,
		`{"position":1,"version":1,"aggregate":"sa","hash":"x","envelope":"AA==","x":1}`,
		`{"position":1,"version":-1,"aggregate":"sa","hash":"x","envelope":"AA=="}`,
		`{"position":1,"version":1,"aggregate":"s` + "\xc3\xa9" + `","hash":"x","envelope":"AA=="}`,
		`{"position":1,"version":1,"aggregate":"sa","hash":"x","envelope":"A"}`,
		`{"position":1,"version":1,"aggregate":"sa","schema":1,"type":"t","hash":"x","envelope":"AA=="}`,
	} {
		if r, ok := parseFast([]byte(line)); ok {
			t.Errorf("parseFast took %s: %+v", line, r)
		}
	}
}
