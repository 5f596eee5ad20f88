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

// TestForbiddenLanguage: an access denial's rule is in French when the
// request prefers it, saying what the actor may not do and why without
// the matrix's line; in English by default, as it has always been.
func TestForbiddenLanguage(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof19 := s.token("prof.marchal", []string{"teacher"}, "1/9")
	student := s.token(cohort[0].mat, []string{"student"})
	enrol(t, s, sec)
	mark := map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "12"}}}
	other := cohort[1].mat
	for _, c := range []struct {
		what, method, path, token string
		body                      any
		header                    string
		field, value, rule        string
	}{
		{"a teacher of another UE", "POST", q1_18 + "/entries", prof19, mark, "",
			"ue", "1/8", "prof.marchal is responsible for UE 1/9, not for UE 1/8; sheet.write takes: teacher (of the UE), secretariat (of the programme), jury (member of the jury)"},
		{"a teacher of another UE", "POST", q1_18 + "/entries", prof19, mark, "fr-BE,fr;q=0.9",
			"ue", "1/8", "prof.marchal ne peut pas encoder ou remettre cette feuille de cotes : un enseignant ne le peut que pour les UE dont il est responsable (1/9)"},
		{"a student reading another's history", "GET", "/api/v1/students/" + other + "/history", student, nil, "fr",
			"matricule", other, cohort[0].mat + " ne peut pas consulter le relevé et l'historique de cet étudiant : un étudiant ne le peut que pour son propre dossier, pas pour celui de l'étudiant " + other},
		{"a student listing the students", "GET", "/api/v1/students", student, nil, "fr",
			"role", "student", cohort[0].mat + " ne peut pas consulter la liste des étudiants : son rôle (étudiant) ne le permet pas"},
	} {
		var headers []string
		if c.header != "" {
			headers = []string{"Accept-Language", c.header}
		}
		a := s.must(403, c.method, c.path, c.token, c.body, headers...)
		var got struct {
			Error    string             `json:"error"`
			Problems []handlers.Problem `json:"problems"`
		}
		a.json(t, &got)
		if len(got.Problems) != 1 || got.Problems[0].Field != c.field || got.Problems[0].Value != c.value || got.Problems[0].Rule != c.rule {
			t.Errorf("%s, Accept-Language %q: %+v, want %q %q %q", c.what, c.header, got.Problems, c.field, c.value, c.rule)
		}
		if strings.Contains(got.Problems[0].Rule, "takes") != (c.header == "") {
			t.Errorf("%s, Accept-Language %q: the rule %q", c.what, c.header, got.Problems[0].Rule)
		}
		if !strings.Contains(got.Error, " takes: ") {
			t.Errorf("%s, Accept-Language %q: error %q, want it in English", c.what, c.header, got.Error)
		}
	}
}

// TestAPIRulesLanguage: the rules the API writes itself are in French
// when the request prefers it.
func TestAPIRulesLanguage(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof18 := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	enrol(t, s, sec)
	for _, c := range []struct {
		path, header, field, rule string
	}{
		{q1_18 + "/entries/" + cohort[0].mat + "?activity=Stage", "", "activity", "not a column of the sheet of UE 1/8, Q1 2025-2026"},
		{q1_18 + "/entries/" + cohort[0].mat + "?activity=Stage", "fr", "activity", "n'est pas une colonne de la feuille de cotes UE 1/8, Q1 2025-2026"},
		{q1_18 + "/entries/HE299999", "fr", "student", "ne figure pas sur la feuille de cotes UE 1/8, Q1 2025-2026"},
	} {
		var headers []string
		if c.header != "" {
			headers = []string{"Accept-Language", c.header}
		}
		a := s.must(404, "GET", c.path, prof18, nil, headers...)
		var got struct {
			Problems []handlers.Problem `json:"problems"`
		}
		a.json(t, &got)
		if len(got.Problems) != 1 || got.Problems[0].Field != c.field || got.Problems[0].Rule != c.rule {
			t.Errorf("GET %s, Accept-Language %q: %+v, want %q of field %s", c.path, c.header, got.Problems, c.rule, c.field)
		}
	}
}
