package httpapi_test

import (
	"strings"
	"testing"

	"github.com/gradelog/gradelog/handlers"
)

// TestRefusalLanguage: a refusal's rules are in English unless the
// request prefers French (Accept-Language); its fields keep the API's
// names either way.
func TestRefusalLanguage(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof18 := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	enrol(t, s, sec)
	body := map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "20.5"}}}
	for _, c := range []struct {
		header, rule string
	}{
		{"", "mark 20.5 is outside the scale 0-20"},
		{"en-GB,en;q=0.9", "mark 20.5 is outside the scale 0-20"},
		{"de-DE", "mark 20.5 is outside the scale 0-20"},
		{"fr-BE,fr;q=0.9", "la cote 20,5 est hors de l'échelle 0-20"},
		{"nl-BE,fr;q=0.8,en;q=0.5", "la cote 20,5 est hors de l'échelle 0-20"},
	} {
		var headers []string
		if c.header != "" {
			headers = []string{"Accept-Language", c.header}
		}
		a := s.must(422, "POST", q1_18+"/entries", prof18, body, headers...)
		var got struct {
			Error    string             `json:"error"`
			Problems []handlers.Problem `json:"problems"`
		}
		a.json(t, &got)
		if len(got.Problems) != 1 || got.Problems[0].Field != "value" || got.Problems[0].Value != "20.5" || got.Problems[0].Rule != c.rule {
			t.Errorf("Accept-Language %q: %+v, want the rule %q of field value", c.header, got.Problems, c.rule)
		}
		if !strings.Contains(got.Error, "outside the scale") {
			t.Errorf("Accept-Language %q: error %q, want it in English", c.header, got.Error)
		}
		if !strings.Contains(strings.Join(a.header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("Accept-Language %q: Vary %q", c.header, a.header.Values("Vary"))
		}
	}
}
