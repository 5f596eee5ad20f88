package handlers

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every rule the package writes has a French with the
// same verbs, and no French is left of a rule no longer written. Rules
// are written by refuse, problems.add, EntryResult.refuse and problemf,
// texts a rule quotes by textf, all with a literal format.
func TestFrenchCatalog(t *testing.T) {
	calls := i18ntest.Calls(t, ".", map[string]int{"refuse": 3, "add": 2, "problemf": 2, "textf": 0},
		"refuse", "add", "problemf", "textf")
	i18ntest.Check(t, french, calls, passedOn(t)...)
	noLiteralProblems(t)
}

// passedOn are the texts other packages word as the handlers do, which a
// refusal passes on ("%s"): an error, checked to be still written where
// it is. Access denials and the views' rules are translated by their own
// packages (access, projections).
func passedOn(t *testing.T) []string {
	var out []string
	for file, text := range map[string]string{
		"entries.go": "no role to record results under",
	} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), strconv.Quote(text)) {
			t.Errorf("%s no longer writes %q: update passedOn and the French catalog", file, text)
		}
		out = append(out, text)
	}
	return out
}

// noLiteralProblems: a Problem built with a Rule of its own would keep no
// format to translate; problemf builds them all.
func noLiteralProblems(t *testing.T) {
	for _, at := range i18ntest.Keyed(t, ".", "Rule", "problemf") {
		t.Errorf("%s: a Problem with a Rule of its own: build it with problemf, so that its rule can be rendered in French", at)
	}
}

// TestFrenchFields: a field is named in French, an item of a list with
// its rank; a field without a French name keeps its own.
func TestFrenchFields(t *testing.T) {
	for f, want := range map[string]string{
		"first_name": "prénom", "value": "valeur", "grants[0].motivation": "motivation (UE délibérée n° 1)",
		"students[2]": "étudiant n° 3", "changes[1].value": "valeur (changement n° 2)", "jusquau": "jusquau",
		"entries[0].nope": "nope (cote n° 1)", "things[0].value": "things[0].value",
	} {
		if got := frenchField(f); got != want {
			t.Errorf("frenchField(%q) = %q, want %q", f, got, want)
		}
	}
}

// TestFieldsHaveFrenchNames: every field a rule of the package names
// literally has a French name.
func TestFieldsHaveFrenchNames(t *testing.T) {
	src, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	field := regexp.MustCompile(`(?:\brefuse\(\w+, |\.refuse\(\w+, |\.add\(|problemf\()"([a-z_]+)"`)
	for _, name := range src {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range field.FindAllStringSubmatch(string(b), -1) {
			if _, ok := fieldNames[m[1]]; !ok {
				t.Errorf("%s: field %q has no French name in fieldNames", name, m[1])
			}
		}
	}
}

// TestProblemIn: a problem renders in French with its field's French
// name and passes through once rendered; one phrased elsewhere passes
// through; English is the problem as written.
func TestProblemIn(t *testing.T) {
	p := problemf("first_name", "", "a first name is required")
	if got := p.In(i18n.English); got.Rule != "a first name is required" || got.Field != "first_name" {
		t.Errorf("in English: %+v", got)
	}
	fr := p.In(i18n.Accept("fr-BE"))
	if fr.Rule != "le prénom est requis" || fr.Field != "prénom" {
		t.Errorf("in French: %+v", fr)
	}
	if again := fr.French(); again.Rule != fr.Rule || again.Field != fr.Field {
		t.Errorf("rendered twice: %+v", again)
	}
	web := Problem{Field: "jusquau", Value: "demain", Rule: "une date AAAA-MM-JJ est attendue"}
	if got := web.French(); got.Rule != web.Rule || got.Field != web.Field {
		t.Errorf("a problem phrased in French: %+v", got)
	}
	r := &Refusal{Reason: Invalid, Problems: []Problem{p, web}}
	if got := r.In(i18n.French); got.Problems[0].Rule != "le prénom est requis" || r.Problems[0].Rule != "a first name is required" {
		t.Errorf("a refusal in French: %+v (the original: %+v)", got.Problems, r.Problems)
	}
	var none *Refusal
	if none.In(i18n.French) != nil {
		t.Error("a nil refusal in French is not nil")
	}
}
