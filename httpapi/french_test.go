package httpapi

import (
	"testing"

	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every rule the API writes itself (textf, with a
// literal format) has a French with the same verbs, and no French is left
// of a rule no longer written; and no problem is built with a rule of its
// own, which would keep no format to translate.
func TestFrenchCatalog(t *testing.T) {
	i18ntest.Check(t, french, i18ntest.Calls(t, ".", map[string]int{"textf": 0}, "textf"))

	for _, at := range i18ntest.Keyed(t, ".", "Rule") {
		t.Errorf("%s: a problem with a Rule of its own: build it with handlers.ProblemOf and textf, so that its rule can be rendered in French", at)
	}
}
