package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func runGradelog(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// The shipped catalog and ruleset: only the sheet's own inconsistencies,
// each acknowledged, and status 0.
func TestCatalogLintShipped(t *testing.T) {
	out, errOut, err := runGradelog(t, "catalog", "lint")
	if err != nil || errOut != "" {
		t.Fatalf("lint: %v, stderr %q", err, errOut)
	}
	golden(t, "catalog-lint-shipped.golden", out)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(l, "(acknowledged: ") {
			t.Errorf("unacknowledged finding: %s", l)
		}
	}
}

func TestCatalogLintBroken(t *testing.T) {
	out, errOut, err := runGradelog(t, "catalog", "lint", "testdata/broken-catalog.yaml")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("lint of a broken catalog: %v, want exit status 1", err)
	}
	for _, want := range []string{
		"testdata/broken-catalog.yaml:9: error: [totals.programme.hours]",
		"testdata/broken-catalog.yaml:14: error: [totals.bloc.hours]",
		`testdata/broken-catalog.yaml:25: error: [requisite.cycle] UE 1/1: requisite cycle through a prerequisite, which no student can satisfy: 1/1 requires 1/2 requires 1/1`,
		`testdata/broken-catalog.yaml:25: error: [requisite.unknown-ue] UE 1/1: prerequisite "1/2 AND 1/9" names UE 1/9, which does not exist`,
		`testdata/broken-catalog.yaml:45: error: [field.unknown] ues[2]: unknown field "ects"`,
	} {
		if !strings.Contains(out, want+"") {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 5 {
		t.Errorf("%d findings, want 5:\n%s", n, out)
	}
	if errOut != "gradelog: 5 unacknowledged error(s)\n" {
		t.Errorf("stderr %q", errOut)
	}
}

func TestCatalogLintRuleset(t *testing.T) {
	out, _, err := runGradelog(t, "catalog", "lint", "--ruleset", "../../rules/testdata/broken.yaml")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "../../rules/testdata/broken.yaml:11: error: [aggregation.integrated] aggregation of UE 1/8: UE 1/8 is evaluated with a single integrated mark") {
		t.Errorf("lint --ruleset of a broken ruleset: %v\n%s", err, out)
	}
	if _, _, err := runGradelog(t, "catalog", "lint", "no-such-file.yaml"); err == nil || errors.As(err, &ee) {
		t.Errorf("lint of a missing file: %v, want a plain error", err)
	}
}

func TestCatalogShow(t *testing.T) {
	out, _, err := runGradelog(t, "catalog", "show")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "catalog-show.golden", out)
	if _, _, err := runGradelog(t, "catalog", "show", "testdata/broken-catalog.yaml"); err == nil {
		t.Error("show accepted a broken catalog")
	}
}
