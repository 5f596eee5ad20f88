package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/datafile"
	"github.com/gradelog/gradelog/seeds"
)

// finding is what the tests assert of a datafile.Finding: where, which
// rule, about what, and whether the file acknowledges it.
type finding struct {
	Line         int
	Severity     datafile.Severity
	Code         string
	Subject      string
	Acknowledged bool
}

func summarise(fs datafile.Findings) []finding {
	var out []finding
	for _, f := range fs {
		out = append(out, finding{f.Line, f.Severity, f.Code, f.Subject, f.Acknowledged})
	}
	return out
}

func loadShipped(t *testing.T) (*catalog.Catalog, datafile.Findings) {
	t.Helper()
	c, fs, err := catalog.Load(seeds.Catalog())
	if err != nil {
		t.Fatalf("the shipped catalog does not load: %v", err)
	}
	return c, fs
}

// The shipped catalog reports the sheet's own inconsistencies, each
// acknowledged, and nothing else.
func TestLoadShipped(t *testing.T) {
	_, fs := loadShipped(t)
	want := []finding{
		{46, datafile.Error, "totals.programme.hours", "programme", true},
		{66, datafile.Error, "totals.bloc.credits", "bloc 1", true},
		{66, datafile.Error, "totals.bloc.hours", "bloc 1", true},
		{68, datafile.Error, "totals.bloc.credits", "bloc 2", true},
		{68, datafile.Error, "totals.bloc.hours", "bloc 2", true},
		{355, datafile.Error, "requisite.unknown-ue", "UE 2/9 (as printed)", true},
	}
	if diff := cmp.Diff(want, summarise(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		if f.File != seeds.CatalogFile || f.Reason == "" {
			t.Errorf("finding %v: want file %s and a reason", f, seeds.CatalogFile)
		}
	}
}

// Each broken copy is refused, with every error named at its line.
func TestLoadBroken(t *testing.T) {
	tests := []struct {
		file string
		want []finding
	}{
		{"valid.yaml", nil},
		{"unknown-ue.yaml", []finding{
			{34, datafile.Error, "requisite.unknown-ue", "UE 1/2", false},
		}},
		{"cycle.yaml", []finding{ // 1/1 -> 1/2 -> 1/3 -> 1/1; 1/3 <-> 1/4 is fine
			{26, datafile.Error, "requisite.cycle", "UE 1/1", false},
		}},
		{"self.yaml", []finding{
			{24, datafile.Error, "requisite.self", "UE 1/1", false},
		}},
		{"syntax.yaml", []finding{
			{39, datafile.Error, "field.value", "ues[1].corequisites", false},
		}},
		{"totals.yaml", []finding{ // declared 70 h vs 60; 8 credits vs 10; 1/1's activity 20 h vs 30
			{7, datafile.Error, "totals.programme.hours", "programme", false},
			{12, datafile.Error, "totals.bloc.credits", "bloc 1", false},
			{14, datafile.Error, "ue.hours.activities", "UE 1/1", false},
		}},
		{"fields.yaml", []finding{
			{20, datafile.Error, "field.duplicate", "ues[0].credits", false},
			{25, datafile.Error, "field.required", "ues[1].title", false},
			{26, datafile.Error, "field.unknown", "ues[1].titel", false},
			{29, datafile.Error, "field.type", "ues[1].hours", false},
		}},
		{"stale-ack.yaml", []finding{
			{12, datafile.Error, "totals.bloc.hours", "bloc 1", true},
			{14, datafile.Error, "ue.sessions.annual", "UE 1/1", false},
			{28, datafile.Warning, "ack.unused", "bloc 1", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := filepath.Join("testdata", tt.file)
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			c, fs, err := catalog.Load(name, data)
			if diff := cmp.Diff(tt.want, summarise(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if wantErr := fs.Errors() > 0; (err != nil) != wantErr || (c == nil) != wantErr {
				t.Errorf("Load: catalog %v, error %v; want an error: %v", c != nil, err, wantErr)
			}
			for _, f := range fs {
				if !strings.HasPrefix(f.String(), name+":") {
					t.Errorf("finding %q does not start with the file name", f)
				}
			}
		})
	}
}

func TestLoadMalformed(t *testing.T) {
	tests := []struct{ name, data, code string }{
		{"empty", "", "yaml.syntax"},
		{"not yaml", "format: [1\n", "yaml.syntax"},
		{"a list", "- 1\n", "field.type"},
		{"alias", "format: 1\nprogramme: &p {code: X}\nblocs: *p\n", "field.alias"},
	}
	for _, tt := range tests {
		_, fs, err := catalog.Load("c.yaml", []byte(tt.data))
		if err == nil || !slices.ContainsFunc(fs, func(f datafile.Finding) bool { return f.Code == tt.code }) {
			t.Errorf("%s: findings %v, error %v; want one with code %s", tt.name, fs, err, tt.code)
		}
	}
}
