package sheetfile

// Fuzz tests of the upload readers: no bytes make the CSV or the XLSX
// reader panic or hang (errors are fine, if they read in French), and
// what they accept keeps the promises of Upload: distinct columns, one
// trimmed value per column in every row, rows in file order. Seeds: files of the package's writers,
// whole, truncated and corrupted, under testdata/fuzz. Deeper runs:
//
//	go test ./sheetfile -run '^$' -fuzz '^FuzzReadCSV$' -fuzztime 60s
//	go test ./sheetfile -run '^$' -fuzz '^FuzzReadXLSX$' -fuzztime 60s

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzReadCSV(f *testing.F) {
	data := fuzzSeed(f, WriteCSV)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("UE,1/8\nMatricule,Email\nHE1,a@b.be\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer hangGuard("readCSV")()
		up, err := readCSV(data)
		checkUpload(t, "csv", up, err)
	})
}

func FuzzReadXLSX(f *testing.F) {
	data := fuzzSeed(f, WriteXLSX)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer hangGuard("readXLSX")()
		up, err := readXLSX(data)
		checkUpload(t, "xlsx", up, err)
	})
}

// hangGuard ends the process if a read takes over 10 s: the fuzzer then
// reports the input as a crasher, where a hang would only stall it. Call
// the function it returns when the read is done.
func hangGuard(what string) (done func() bool) {
	return time.AfterFunc(10*time.Second, func() { panic(what + " took over 10 s") }).Stop
}

// fuzzSeed is a one-student sheet as write writes it.
func fuzzSeed(f *testing.F, write func(io.Writer, Template) error) []byte {
	var buf bytes.Buffer
	t := Template{Year: "2025-2026", Session: "Q1", UE: "1/8", Max: "20", Columns: []Column{{}, {Key: "TP"}},
		Codes: []Code{{"CM", "Certificat médical"}}, Rows: []Row{{Matricule: "HE1", Email: "a@b.be", Values: map[string]string{"": "12.5"}}}}
	if err := write(&buf, t); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

func checkUpload(t *testing.T, format string, up Upload, err error) {
	if err != nil {
		checkReadError(t, err)
		return
	}
	if up.Format != format {
		t.Fatalf("format %q, want %q", up.Format, format)
	}
	sorted := slices.Sorted(slices.Values(up.Columns))
	if len(slices.Compact(sorted)) != len(up.Columns) {
		t.Fatalf("columns %q repeat", up.Columns)
	}
	line := 0
	for _, r := range up.Rows {
		if r.Line <= line {
			t.Fatalf("row at line %d after line %d", r.Line, line)
		}
		line = r.Line
		if len(r.Values) != len(up.Columns) {
			t.Fatalf("line %d: values %q for columns %q", r.Line, r.Values, up.Columns)
		}
		for _, s := range []string{r.Matricule, r.Email, r.LastName, r.FirstName} {
			if strings.TrimSpace(s) != s {
				t.Fatalf("line %d: %q is not trimmed", r.Line, s)
			}
		}
		for _, k := range up.Columns {
			if v, ok := r.Values[k]; !ok || strings.TrimSpace(v) != v {
				t.Fatalf("line %d: column %q: value %q (%v)", r.Line, k, v, ok)
			}
		}
	}
}
