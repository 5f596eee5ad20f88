package i18n

import (
	"errors"
	"testing"

	"golang.org/x/text/language"
)

func TestAccept(t *testing.T) {
	for header, want := range map[string]language.Tag{
		"": English, "fr-BE,fr;q=0.9": French, "fr": French, "en-GB,fr;q=0.5": English,
		"de-DE": English, "nl-BE,fr-BE;q=0.8": French, "*": English, "garbage;;": English,
	} {
		if got := Accept(header); got != want {
			t.Errorf("Accept(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestSameVerbs(t *testing.T) {
	for _, c := range []struct {
		en, fr string
		ok     bool
	}{
		{"UE %s has %d", "l'UE %s a %d", true},
		{"%s before %d", "%[2]d avant %[1]s", true},
		{"activity %q", "l'épreuve « %s »", true},
		{"100%% of %s", "100 %% de %s", true},
		{"%s and %s", "%s", false},
		{"%s", "%s et %s", false},
		{"%d", "%s", false},
		{"%s %d", "%[1]s %[1]s", false},
		{"%s", "%[3]s", false},
	} {
		if err := SameVerbs(c.en, c.fr); (err == nil) != c.ok {
			t.Errorf("SameVerbs(%q, %q) = %v", c.en, c.fr, err)
		}
	}
}

func TestTextInFrench(t *testing.T) {
	c := NewCatalog(map[string]string{
		"%s and %d more":             "%s et %d autres",
		"%s before %d, upheld: %t":   "%[2]d avant %[1]s, fondé : %[3]t",
		"on %s at %s, average %s":    "le %s à %s, moyenne %s",
		"inner %q":                   "interne « %s »",
		"outer (%s)":                 "externe (%s)",
		"a text another package had": "un texte d'un autre paquet",
	}, func(v any) (string, bool) {
		if v, ok := v.(label); ok {
			return "étiquette " + string(v), true
		}
		return "", false
	})
	for _, x := range []struct {
		t      Text
		en, fr string
	}{
		{c.Textf("%s and %d more", label("a"), 12345), "a and 12345 more", "étiquette a et 12345 autres"},
		{c.Textf("%s before %d, upheld: %t", "x", 3, true), "x before 3, upheld: true", "3 avant x, fondé : oui"},
		{c.Textf("on %s at %s, average %s", "2026-07-02", "2026-07-02 14:05", "12.5"), "on 2026-07-02 at 2026-07-02 14:05, average 12.5",
			"le 02/07/2026 à 02/07/2026 à 14:05, moyenne 12,5"},
		{c.Textf("outer (%s)", c.Errorf("inner %q", "y")), `outer (inner "y")`, "externe (interne « y »)"},
		{c.Textf("%s", errors.New("a text another package had")), "a text another package had", "un texte d'un autre paquet"},
		{c.Textf("outer (%s)", "a text another package had"), "outer (a text another package had)", "externe (a text another package had)"},
		{c.Textf("no French for %s", "x"), "no French for x", "no French for x"},
		{Text{}, "", ""},
	} {
		if en, fr := x.t.String(), x.t.In(language.MustParse("fr-BE")); en != x.en || fr != x.fr {
			t.Errorf("%q and %q, want %q and %q", en, fr, x.en, x.fr)
		}
		if en := x.t.In(English); en != x.en {
			t.Errorf("in English: %q, want %q", en, x.en)
		}
	}
}

type label string
