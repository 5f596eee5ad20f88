package rules_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/datafile"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

type finding struct {
	Line    int
	Code    string
	Subject string
}

func TestLoadBroken(t *testing.T) {
	cat, _ := shipped(t)
	name := "testdata/broken.yaml"
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rs, fs, err := rules.Load(name, data, cat)
	if err == nil || rs != nil {
		t.Fatalf("Load accepted a broken ruleset")
	}
	var got []finding
	for _, f := range fs {
		got = append(got, finding{f.Line, f.Code, f.Subject})
	}
	want := []finding{
		{6, "precision.rounding", "ue_mark"},                    // half-down
		{11, "aggregation.integrated", "aggregation of UE 1/8"}, // integrated: no aggregation
		{12, "aggregation.unknown-ue", "aggregation of UE 2/12"},
		{13, "aggregation.weights", "aggregation of UE 1/9"}, // Travaux pratiques has no weight
		{21, "role.unknown", "code CM"},                      // secretary
		{22, "code.name", "code CM"},                         // given twice
		{22, "field.unknown", "codes[1].colour"},
		{28, "mentions.order", "mention distinction"}, // 11 after 12
		{33, "calendar.order", "session Q2"},          // encoding deadline before the end of exams
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		if f.Severity != datafile.Error || !strings.HasPrefix(f.String(), name+":") {
			t.Errorf("finding %q: want an error naming the file", f)
		}
	}
}

func TestLoadMismatchedCatalog(t *testing.T) {
	cat, _ := shipped(t)
	c := *cat
	c.Programme.AcademicYear = "2026-2027"
	name, data := seeds.Ruleset()
	if _, fs, err := rules.Load(name, data, &c); err == nil || fs[0].Code != "ruleset.catalog" {
		t.Errorf("a ruleset for another year is accepted: %v", fs)
	}
}

// The canonical JSON reads back to the same ruleset, and its digest is
// stable.
func TestRoundTrip(t *testing.T) {
	_, rs := shipped(t)
	back, err := rules.FromJSON(rs.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rs.Canonical(), back.Canonical()); diff != "" {
		t.Errorf("canonical JSON changed on a round trip:\n%s", diff)
	}
	if back.Digest() != rs.Digest() || len(rs.Digest()) != 64 {
		t.Errorf("digest %s after a round trip, %s before", back.Digest(), rs.Digest())
	}
	if d := rules.Diff(rs, back); d != nil {
		t.Errorf("Diff after a round trip: %v", d)
	}
	if errs := back.Check("published", nil); len(errs) != 0 {
		t.Errorf("the published ruleset fails its checks: %v", errs)
	}
}

func TestDiff(t *testing.T) {
	_, old := shipped(t)
	back, _ := rules.FromJSON(old.Canonical())
	next := *back
	next.Scale.Pass = 1200
	next.Codes = next.Codes[:len(next.Codes)-1] // VAL removed
	next.Aggregation.Overrides = []rules.Override{{UE: "1/9", Method: rules.Absorbing}}
	var got []string
	for _, c := range rules.Diff(old, &next) {
		got = append(got, c.String())
	}
	want := []string{
		`ruleset: scale: {"max":"20","pass":"10","entry_decimals":1,"max_presentations_per_year":2} -> {"max":"20","pass":"12","entry_decimals":1,"max_presentations_per_year":2}`,
		"aggregation of UE 1/9 added",
		"code VAL removed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
}
