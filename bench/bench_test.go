package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchBudgets: the budgets are read from the lines, the rebuild's
// extrapolated to 50,000 x 2 student-years and said so, each marked PASS
// or MISS with its margin.
func TestBenchBudgets(t *testing.T) {
	r := Result{Lines: []Line{
		{Name: "append-1", Title: "validated appends, 1 writer", Ours: 900, Raw: 1000, Ratio: 0.9},
		{Name: "append-64", Title: "validated appends, 64 writers", Ours: 600, Raw: 1000, Ratio: 0.6},
		{Name: "transcript-1-p99", Ours: 2, Raw: 1, Ops: 4000, Extra: map[string]float64{"appends_per_s": 500, "clients": 1}},
		{Name: "transcript-p99", Ours: 6, Raw: 3, Ops: 4000, Extra: map[string]float64{"appends_per_s": 500, "clients": 8}},
		{Name: "rebuild", Extra: map[string]float64{"student_years": 10_000, "seconds": 2, "events": 200_000, "bytes_per_student_year": 3000}},
	}}
	got := map[string]Budget{}
	for _, b := range budgets(r) {
		got[b.Name] = b
	}
	check := func(name string, value float64, pass bool, note string) {
		t.Helper()
		b, ok := got[name]
		if !ok || b.Value != value || b.Pass != pass || !strings.Contains(b.Note, note) {
			t.Errorf("budget %q: %+v; want %v, pass %v, note with %q", name, b, value, pass, note)
		}
	}
	check("rebuild of 50,000 students x 2 years", 20, true, "extrapolated linearly from 10000 student-years")
	check("views per student-year", 3000, true, "10000 student-years")
	check("transcript p99 while appends run, 1 client", 2, true, "raw direct get p99 1.00 ms")
	check("transcript p99 while appends run, 8 clients", 6, false, "4000 reads")
	check("validated appends vs raw sync publish, 1 writer", 0.9, true, "900 vs 1000")
	check("validated appends vs raw sync publish, 64 writers", 0.6, false, "600 vs 1000")
	if b := got["transcript p99 while appends run, 8 clients"]; b.Margin > -0.19 || b.Margin < -0.21 {
		t.Errorf("p99 6 ms against 5: margin %v, want -0.2", b.Margin)
	}
}

// TestBenchDataset: a directory that is neither empty nor a dataset is
// refused, and so is a dataset of another size.
func TestBenchDataset(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Config{Data: dir, Students: 10, Years: 1}.Dataset(context.Background())
	if err == nil || !strings.Contains(err.Error(), "holds no dataset") {
		t.Errorf("a directory of other files: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte(`{"students": 50, "years": 2, "seed": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Config{Data: dir, Students: 10, Years: 1}.Dataset(context.Background())
	if err == nil || !strings.Contains(err.Error(), "holds a dataset of 50 students x 2 years") {
		t.Errorf("a dataset of another size: %v", err)
	}
	d, err := Config{Data: dir, Students: 50, Years: 2}.Dataset(context.Background())
	if err != nil || d.Students != 50 {
		t.Errorf("the dataset of the marker: %+v, %v", d, err)
	}
}
