package access

import (
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every rule the package writes for people (textf,
// with a literal format) has a French with the same verbs, and no French
// is left of a rule no longer written.
func TestFrenchCatalog(t *testing.T) {
	i18ntest.Check(t, french, i18ntest.Calls(t, ".", map[string]int{"textf": 0}, "textf"))
}

// TestFrenchActions: every action of the matrix says in French what it
// lets do.
func TestFrenchActions(t *testing.T) {
	for _, a := range Actions() {
		if actionFrench[a] == "" {
			t.Errorf("action %s has no French", a)
		}
	}
	if len(actionFrench) != len(Actions()) {
		t.Errorf("%d actions in French, %d in the matrix", len(actionFrench), len(Actions()))
	}
}

// TestFrenchRefusals: every refusal of every cell reads in French, says
// what the actor may not do, and names no one else's right: the matrix's
// line stays in the English rule, which is unchanged.
func TestFrenchRefusals(t *testing.T) {
	english := []string{" may ", " takes", "(of the ", "member of the jury", "themself", "president or secretary"}
	denials := 0
	for _, a := range append(Actions(), Action("grade.delete")) {
		for _, c := range columns {
			for _, target := range []Target{inside, beyond, {}} {
				d := Check(c.id, a, target)
				if d == nil {
					continue
				}
				denials++
				if d.Why.String() != d.Rule || d.Why.In(i18n.English) != d.Rule {
					t.Errorf("%s by %s: Why in English %q, Rule %q", a, c.name, d.Why, d.Rule)
				}
				fr := d.Why.In(i18n.French)
				for _, w := range english {
					if strings.Contains(fr, w) {
						t.Errorf("%s by %s: the French %q has English (%q)", a, c.name, fr, w)
					}
				}
				what, ok := actionFrench[a]
				if !ok {
					continue
				}
				_, why, ok := strings.Cut(fr, " ne peut pas "+what+" : ")
				if !ok {
					t.Errorf("%s by %s: the French %q does not say what the actor may not do", a, c.name, fr)
				}
				for _, role := range []string{auth.Teacher, auth.Secretariat, auth.Jury, auth.Auditor} {
					if strings.Contains(why, roleFrench[role]) && !c.id.Has(role) {
						t.Errorf("%s by %s: the French %q names the right of a role the actor does not hold", a, c.name, fr)
					}
				}
			}
		}
	}
	if denials < 100 {
		t.Fatalf("only %d refusals checked", denials)
	}
}

// TestFrenchRefusalWords: the French of each kind of refusal, as a page
// shows it.
func TestFrenchRefusalWords(t *testing.T) {
	student := auth.Identity{ID: "HE252090", Roles: []string{auth.Student}}
	teacher := columns[0].id
	for _, c := range []struct {
		d    *Denied
		want string
	}{
		{Check(student, ReadRecord, Target{Student: "HE252091", Programmes: []string{"MIAS"}}),
			"HE252090 ne peut pas consulter le relevé et l'historique de cet étudiant : un étudiant ne le peut que pour son propre dossier, pas pour celui de l'étudiant HE252091"},
		{Check(student, VerifyLog, Target{}), "HE252090 ne peut pas vérifier le journal : son rôle (étudiant) ne le permet pas"},
		{Check(teacher, WriteSheet, Target{Programmes: []string{"MIAS"}, UEs: []string{"1/9"}}),
			"prof.a ne peut pas encoder ou remettre cette feuille de cotes : un enseignant ne le peut que pour les UE dont il est responsable (1/8)"},
		{Check(columns[3].id, OverrideOpening, inside),
			"jury.s ne peut pas ouvrir une délibération par dérogation : seul le ou la président(e) du jury MIAS 2025-2026 (jury.p) le peut"},
		{Check(columns[1].id, ReopenSheet, beyond), "secr.a ne peut pas rouvrir une feuille de cotes : un secrétariat ne le peut que pour ses propres programmes (MIAS)"},
		{Check(columns[2].id, Decide, Target{Programmes: []string{"MIAS"}}),
			"jury.m ne peut pas prendre une décision en délibération : aucun jury n'est constitué ici"},
		{Check(auth.Identity{ID: "x", Roles: []string{auth.Teacher, auth.Auditor}}, RegisterStudent, inside),
			"x ne peut pas inscrire un étudiant : ses rôles (enseignant et auditeur) ne le permettent pas"},
		{Check(teacher, Action("grade.delete"), inside), "n'est pas une action de la matrice d'accès"},
	} {
		if c.d == nil {
			t.Errorf("allowed, want refused: %q", c.want)
			continue
		}
		if got := c.d.Why.In(i18n.French); got != c.want {
			t.Errorf("%q in French:\n got %q\nwant %q", c.d.Rule, got, c.want)
		}
	}
}
