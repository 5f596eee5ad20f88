package projections

import (
	"errors"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every rule the views write (notFound, boundsError,
// textf, with a literal format) has a French with the same verbs, and no
// French is left of a rule no longer written.
func TestFrenchCatalog(t *testing.T) {
	calls := i18ntest.Calls(t, ".", map[string]int{"notFound": 2, "boundsError": 2, "textf": 0}, "notFound", "boundsError", "textf")
	i18ntest.Check(t, french, calls)
}

// TestFrenchBounds: reversed bounds say so in French, an instant as the
// day and time in Brussels; the English is the API's.
func TestFrenchBounds(t *testing.T) {
	at := time.Date(2026, 7, 3, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		from, to eventlog.Until
		en, fr   string
	}{
		{eventlog.Until{Position: 9}, eventlog.Until{Position: 4},
			"the interval starts after it ends: from_position must not exceed to_position (4)",
			"l'intervalle commence après sa fin : la position de départ ne peut dépasser la position d'arrivée (4)"},
		{eventlog.Until{Instant: at.Add(time.Hour)}, eventlog.Until{Instant: at},
			"the interval starts after it ends: from must not be later than to (2026-07-03T08:00:00Z)",
			"l'intervalle commence après sa fin : le moment de départ ne peut être postérieur au moment d'arrivée (03/07/2026 à 10:00:00)"},
	} {
		var be *BoundsError
		if !errors.As(diffBounds(c.from, c.to), &be) {
			t.Fatalf("%+v..%+v: not a BoundsError", c.from, c.to)
		}
		if be.Rule != c.en || be.Why.In(i18n.English) != c.en || be.Why.In(i18n.French) != c.fr {
			t.Errorf("%+v..%+v: %q, %q in French; want %q, %q", c.from, c.to, be.Rule, be.Why.In(i18n.French), c.en, c.fr)
		}
	}
}

// TestFrenchNotFound: a view's unknown UE is said in French with its
// year.
func TestFrenchNotFound(t *testing.T) {
	var nf *NotFoundError
	if !errors.As(notFound("ue", "9/99", "no UE has this code in the catalog of %s", "2025-2026"), &nf) {
		t.Fatal("not a NotFoundError")
	}
	if nf.Rule != "no UE has this code in the catalog of 2025-2026" || nf.Why.In(i18n.French) != "aucune UE ne porte ce code dans le catalogue 2025-2026" {
		t.Errorf("%q, %q in French", nf.Rule, nf.Why.In(i18n.French))
	}
}
