package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/bench"
)

// TestBenchCommand: gradelog bench on a tiny dataset (--quick) generates
// it, prints the table with every workload and budget, writes JSON that
// parses with a positive raw figure and ratio on every line, then reuses
// the dataset on a second run and refuses one of another size.
func TestBenchCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "bench")
	file := filepath.Join(t.TempDir(), "bench.json")
	args := []string{"bench", "--data", data, "--students", "20", "--years", "2", "--quick", "--json", file}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut.String())
	}
	wantIn(t, "bench", out.String(), "20 students x 2 years", "validated appends, 1 writer", "validated appends, 64 writers",
		"sheet import", "transcripts over HTTP under load, 1 client, p99", "transcripts over HTTP under load, 8 clients, p99", "as-of reconstruction", "deliberation dossiers",
		"full rebuild of all views", "verification of the whole log", "budgets", "rebuild of 50,000 students x 2 years")
	wantIn(t, "bench progress", errOut.String(), "generating 20 students x 2 years")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var res bench.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, b)
	}
	want := []string{"append-1", "append-64", "import", "transcript-1-p50", "transcript-1-p99", "transcript-p50", "transcript-p99",
		"as-of", "dossiers", "rebuild", "verify"}
	if len(res.Lines) != len(want) {
		t.Fatalf("%d workload lines, want %d: %+v", len(res.Lines), len(want), res.Lines)
	}
	for i, l := range res.Lines {
		if l.Name != want[i] || !(l.Ours > 0) || !(l.Raw > 0) || !(l.Ratio > 0) || l.Ops == 0 {
			t.Errorf("line %d: %+v; want %s with positive figures", i, l, want[i])
		}
	}
	if len(res.Budgets) != 6 || res.Durability != "sync-always" || res.Dataset.Stats.StudentYears != 40 {
		t.Errorf("budgets %+v, durability %q, %d student-years", res.Budgets, res.Durability, res.Dataset.Stats.StudentYears)
	}

	// Again: the dataset is reused (nothing generated), as JSON on stdout.
	out.Reset()
	errOut.Reset()
	if err := run(context.Background(), append(args[:len(args)-2], "--format", "json"), func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("bench again: %v\n%s", err, errOut.String())
	}
	if strings.Contains(errOut.String(), "generating") {
		t.Errorf("the second run generated the dataset again:\n%s", errOut.String())
	}
	var again bench.Result
	if err := json.Unmarshal(out.Bytes(), &again); err != nil || again.Dataset.At != res.Dataset.At || len(again.Lines) != len(want) {
		t.Errorf("second run: %v, dataset of %v (first %v), %d lines", err, again.Dataset.At, res.Dataset.At, len(again.Lines))
	}
	err = run(context.Background(), []string{"bench", "--data", data, "--students", "21", "--quick"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "holds a dataset of 20 students x 2 years") {
		t.Errorf("bench on a dataset of another size: %v", err)
	}
}
