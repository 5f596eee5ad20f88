package catalog_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
)

// ignoreLines drops the positions a catalog keeps from its file; they are
// not published.
var ignoreLines = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Line"
}, cmp.Ignore())

func TestRoundTrip(t *testing.T) {
	c, _ := loadShipped(t)
	back, err := catalog.FromJSON(c.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, back, ignoreLines); diff != "" {
		t.Errorf("catalog changed on a JSON round trip (-before +after):\n%s", diff)
	}
	if string(back.Canonical()) != string(c.Canonical()) || back.Digest() != c.Digest() {
		t.Error("canonical JSON or digest changed on a round trip")
	}
	if len(c.Digest()) != 64 {
		t.Errorf("digest %q is not hex SHA-256", c.Digest())
	}
	if d := catalog.Diff(c, back); d != nil {
		t.Errorf("Diff after a round trip: %v", d)
	}
	// The published form still passes the checks (acknowledged findings aside).
	for _, f := range back.Check("published") {
		if f.Code != "totals.bloc.hours" && f.Code != "totals.bloc.credits" &&
			f.Code != "totals.programme.hours" && f.Code != "requisite.unknown-ue" {
			t.Errorf("published catalog: %v", f)
		}
	}
}

func TestDiff(t *testing.T) {
	old, _ := loadShipped(t)
	next, _ := catalog.FromJSON(old.Canonical())
	for i := range next.UEs {
		if next.UEs[i].Code == "1/8" {
			next.UEs[i].Hours = 80
		}
	}
	next.UEs = next.UEs[:len(next.UEs)-1] // 2/11 removed
	next.UEs = append(next.UEs, catalog.UE{Code: "2/12", Title: "Mémoire"})
	next.Programme.Declared.Hours = 1320
	var got []string
	for _, c := range catalog.Diff(old, next) {
		got = append(got, c.String())
	}
	want := []string{
		`programme: declared: {"hours":1820,"credits":120} -> {"hours":1320,"credits":120}`,
		"UE 1/8: hours: 75 -> 80",
		"UE 2/11 removed",
		"UE 2/12 added",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
}
