package datafile

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type upper string

func (u *upper) SetScalar(v string, _ int) error {
	if strings.ToUpper(v) != v {
		return errors.New("want capitals")
	}
	*u = upper(v)
	return nil
}

type doc struct {
	Name  string  `yaml:"name" datafile:"required"`
	Count int     `yaml:"count"`
	On    bool    `yaml:"on"`
	Code  upper   `yaml:"code"`
	Items []item  `yaml:"items"`
	Ptr   *item   `yaml:"ptr"`
	Tags  []upper `yaml:"tags"`
}

type item struct {
	Title string `yaml:"title" datafile:"required"`
	Line  int    `yaml:"-"`
}

type short struct {
	Line int
	Code string
}

func shorten(fs Findings) []short {
	var out []short
	for _, f := range fs {
		out = append(out, short{f.Line, f.Code})
	}
	return out
}

func TestDecode(t *testing.T) {
	var d doc
	fs := Decode("d.yaml", []byte("name: x\ncount: 3\non: true\ncode: AB\nitems:\n  - title: a\n  - {title: b}\nptr: {title: c}\ntags: [X, Y]\n"), &d)
	if len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	want := doc{Name: "x", Count: 3, On: true, Code: "AB", Items: []item{{"a", 6}, {"b", 7}}, Ptr: &item{"c", 8}, Tags: []upper{"X", "Y"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecodeRefuses(t *testing.T) {
	data := `count: three
on: yes
code: ab
items:
  - {title: a, title: b}
  - {titel: c}
extra: 1
tags: {a: 1}
`
	var d doc
	got := shorten(Decode("d.yaml", []byte(data), &d))
	want := []short{
		{1, "field.type"},      // three is not a number
		{2, "field.type"},      // yes is a string in YAML 1.2, not a bool
		{3, "field.value"},     // upper refuses ab
		{5, "field.duplicate"}, // title twice
		{6, "field.unknown"},   // titel
		{6, "field.required"},  // so title is missing
		{7, "field.unknown"},   // extra
		{8, "field.type"},      // a mapping for a list
		{1, "field.required"},  // name
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAcknowledge(t *testing.T) {
	var fs Findings
	fs.Add("f", 3, Error, "totals.x", "bloc 1", "wrong")
	fs.Add("f", 4, Error, "totals.x", "bloc 2", "wrong too")
	fs.Acknowledge("f", []Acknowledgement{{Code: "totals.x", Subject: "bloc 1", Reason: "known", Line: 9}, {Code: "gone", Subject: "s", Line: 10}})
	if fs.Errors() != 1 || !fs[0].Acknowledged || fs[2].Code != "ack.unused" || fs[2].Severity != Warning {
		t.Errorf("findings: %v", fs)
	}
	if got := fs[0].String(); got != "f:3: error: [totals.x] wrong (acknowledged: known)" {
		t.Errorf("String() = %q", got)
	}
	if err := fs.Err(); err == nil || err.Error() != "f:4: error: [totals.x] wrong too" {
		t.Errorf("Err() = %v", err)
	}
}

func TestDiffLists(t *testing.T) {
	type rec struct {
		Key  string `json:"key"`
		N    int    `json:"n"`
		Line int    `json:"-"`
	}
	old := []rec{{"a", 1, 1}, {"b", 2, 2}}
	next := []rec{{"b", 3, 9}, {"c", 4, 9}, {"a", 1, 7}}
	var got []string
	for _, c := range DiffLists(old, next, func(r rec) string { return r.Key }) {
		got = append(got, c.String())
	}
	want := []string{"b: n: 2 -> 3", "c added"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
