package handlers_test

import (
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// TestRefusalInFrench: refusals the handlers write read in French, the
// rules' own texts they quote included, with the fields' French names;
// in English they are as the API has always written them.
func TestRefusalInFrench(t *testing.T) {
	env := gradetest.Start(t, true)
	schedule(t, env, catalog.Q1)
	enrolOne(t, env, "HE500101", "1/4")
	enrolOne(t, env, "HE500102", "1/4")
	q1 := sheetOf(catalog.Q1, "1/4")
	fr := language.MustParse("fr-BE")

	for _, c := range []struct {
		what    string
		entries []handlers.EntryInput
		en, fr  []handlers.Problem
	}{
		{"a mark above the scale", []handlers.EntryInput{{Student: "HE500101", Value: "25"}},
			[]handlers.Problem{{Field: "value", Value: "25", Rule: "mark 25 is outside the scale 0-20"}},
			[]handlers.Problem{{Field: "valeur", Value: "25", Rule: "la cote 25 est hors de l'échelle 0-20"}}},
		{"a student not on the sheet", []handlers.EntryInput{{Student: "HE599999", Value: "12"}},
			[]handlers.Problem{{Field: "student", Value: "HE599999", Rule: "no student is registered with this matricule"}},
			[]handlers.Problem{{Field: "étudiant", Value: "HE599999", Rule: "aucun étudiant n'est inscrit sous ce matricule"}}},
		{"a batch", []handlers.EntryInput{{Student: "HE500101", Value: "12,25"}, {Student: "HE500102", Value: "12,5"}, {Student: "HE500102", Value: "13"}},
			[]handlers.Problem{
				{Field: "entries[0].value", Value: "12,25", Rule: "HE500101: mark 12.25 has more than 1 decimals"},
				{Field: "entries[1].student", Value: "HE500102", Rule: "HE500102: entered twice in this batch (also at 3)"},
				{Field: "entries[2].student", Value: "HE500102", Rule: "HE500102: entered twice in this batch (also at 2)"}},
			[]handlers.Problem{
				{Field: "valeur (cote n° 1)", Value: "12,25", Rule: "HE500101 : la cote 12,25 a plus de 1 décimale(s)"},
				{Field: "étudiant (cote n° 2)", Value: "HE500102", Rule: "HE500102 : encodé deux fois dans cet envoi (aussi en position 3)"},
				{Field: "étudiant (cote n° 3)", Value: "HE500102", Rule: "HE500102 : encodé deux fois dans cet envoi (aussi en position 2)"}}},
	} {
		_, err := env.Handlers.RecordEntries(t.Context(), responsibleFor("1/4"), "", q1, handlers.SourceForm, c.entries)
		var ref *handlers.Refusal
		if !errors.As(err, &ref) {
			t.Fatalf("%s: %v, want a refusal", c.what, err)
		}
		same(t, c.what+" in English", ref.In(language.English).Problems, c.en)
		same(t, c.what+" as written", ref.Problems, c.en)
		same(t, c.what+" in French", ref.In(fr).Problems, c.fr)
	}
}

func same(t *testing.T, what string, got, want []handlers.Problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d problems %+v, want %+v", what, len(got), got, want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Field != w.Field || g.Value != w.Value || g.Rule != w.Rule {
			t.Errorf("%s: problem %d is %q %q %q, want %q %q %q", what, i, g.Field, g.Value, g.Rule, w.Field, w.Value, w.Rule)
		}
	}
}
