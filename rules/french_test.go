package rules

import (
	"testing"

	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every text the rules write for people (a proposal's
// reasons, with textf; the errors a refusal quotes, with errorf) has a
// French with the same verbs, and no French is left of a text no longer
// written.
func TestFrenchCatalog(t *testing.T) {
	i18ntest.Check(t, french, i18ntest.Calls(t, ".", map[string]int{"textf": 0, "errorf": 0}, "textf", "errorf"))
}

// TestFrenchRoles: a list of roles reads as a French sentence takes it.
func TestFrenchRoles(t *testing.T) {
	for _, c := range []struct {
		roles  roleList
		en, fr string
	}{
		{roleList{"secretariat"}, "secretariat", "le secrétariat"},
		{roleList{"teacher", "secretariat", "import"}, "teacher or secretariat or import", "l'enseignant, le secrétariat ou l'import d'un fichier"},
		{roleList{"teacher", "dean"}, "teacher or dean", "l'enseignant ou dean"},
	} {
		if en, fr := c.roles.String(), c.roles.In(i18n.French); en != c.en || fr != c.fr {
			t.Errorf("%v: %q and %q, want %q and %q", []Role(c.roles), en, fr, c.en, c.fr)
		}
	}
}
