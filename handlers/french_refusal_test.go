package handlers_test

import (
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
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

// TestDenialInFrench: an access denial reads in French as what the actor
// may not do and why, without the matrix's line the English quotes.
func TestDenialInFrench(t *testing.T) {
	env := gradetest.Start(t, true)
	schedule(t, env, catalog.Q1)
	enrolOne(t, env, "HE500101", "1/4")
	enrolOne(t, env, "HE500102", "1/4")
	fr := language.MustParse("fr-BE")

	_, err := env.Handlers.RecordEntries(t.Context(), responsibleFor("1/8"), "", sheetOf(catalog.Q1, "1/4"), handlers.SourceForm,
		[]handlers.EntryInput{{Student: "HE500101", Value: "12"}})
	var ref *handlers.Refusal
	if !errors.As(err, &ref) || ref.Reason != handlers.Forbidden {
		t.Fatalf("a teacher of another UE: %v, want a refusal for want of a right", err)
	}
	same(t, "a teacher of another UE", ref.Problems, []handlers.Problem{{Field: "ue", Value: "1/4",
		Rule: "prof.x is responsible for UE 1/8, not for UE 1/4; sheet.write takes: teacher (of the UE), secretariat (of the programme), jury (member of the jury)"}})
	same(t, "a teacher of another UE in French", ref.In(fr).Problems, []handlers.Problem{{Field: "UE", Value: "1/4",
		Rule: "prof.x ne peut pas encoder ou remettre cette feuille de cotes : un enseignant ne le peut que pour les UE dont il est responsable (1/8)"}})

	student := auth.Identity{ID: "HE500101", Roles: []string{auth.Student}}
	_, err = env.Handlers.History(t.Context(), student, "HE500102", handlers.ViewQuery{}, projections.HistoryFilter{})
	if !errors.As(err, &ref) || ref.Reason != handlers.Forbidden {
		t.Fatalf("a student reading another's history: %v, want a refusal for want of a right", err)
	}
	same(t, "a student reading another's history in French", ref.In(fr).Problems, []handlers.Problem{{Field: "matricule", Value: "HE500102",
		Rule: "HE500101 ne peut pas consulter le relevé et l'historique de cet étudiant : un étudiant ne le peut que pour son propre dossier, pas pour celui de l'étudiant HE500102"}})
}

// TestUnreadableFileInFrench: a file that is no grade sheet is refused
// with the reader's reason, in French on the sheet's page.
func TestUnreadableFileInFrench(t *testing.T) {
	env := gradetest.Start(t, true)
	schedule(t, env, catalog.Q1)
	enrolOne(t, env, "HE500101", "1/4")
	_, err := env.Handlers.ImportSheet(t.Context(), responsibleFor("1/4"), "", sheetOf(catalog.Q1, "1/4"),
		[]byte("Bonjour,\nvoici mes notes.\n"), handlers.ImportOptions{})
	var ref *handlers.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("%v, want a refusal", err)
	}
	same(t, "a text file", ref.Problems, []handlers.Problem{{Field: "file",
		Rule: `sheetfile: no header row (a line starting with "Matricule") in the CSV file`}})
	same(t, "a text file in French", ref.In(language.French).Problems, []handlers.Problem{{Field: "fichier",
		Rule: "aucune ligne d'en-tête (une ligne commençant par « Matricule ») dans le fichier CSV"}})
}
