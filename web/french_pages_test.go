package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/gradetest"
)

// refusalRE is the refusal a page shows (the layout's "refusal").
var refusalRE = regexp.MustCompile(`(?s)<div class="refusal"[^>]*id="refus"[^>]*>(.*?)</div>`)

// refusalText is the text of the refusal shown on a page, tags removed.
func refusalText(t *testing.T, body string) string {
	t.Helper()
	m := refusalRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no refusal on the page\n%s", body)
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " ")
}

// TestAccessDenialInFrench: a student who opens another student's
// timeline, and a teacher who opens another teacher's sheet, get a 403
// page whose refusal says in French what they may not do and why, with no
// English and without the access matrix's line.
func TestAccessDenialInFrench(t *testing.T) {
	s := startSite(t)
	const mine, other = "HE320001", "HE320002"
	auditEnrol(t, s, mine, "Léa", "Noël", "1/4")
	auditEnrol(t, s, other, "Marc", "Piron", "1/4")
	auditSchedule(t, s, "Q1")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	last, err := s.Log.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	auditCaughtUp(t, s, last)

	english := []string{" may ", "takes", " not ", "record", "student ", "teacher", "secretariat", "auditor", " of the ", "themself", "sheet"}
	for _, c := range []struct {
		what, path string
		u          *user
		want       []string
	}{
		{"a student on another's timeline", "/etudiants/" + other + "/historique", s.signIn(auditStudent(mine)),
			[]string{"matricule « " + other + " » :",
				mine + " ne peut pas consulter le relevé et l'historique de cet étudiant : un étudiant ne le peut que pour son propre dossier, pas pour celui de l'étudiant " + other}},
		{"a teacher on another's sheet", "/feuilles/" + gradetest.Year + "/Q1/1/4", s.signIn(auditTeacher("1/8")),
			[]string{"UE « 1/4 » :", "prof.audit ne peut pas consulter cette feuille de cotes : un enseignant ne le peut que pour les UE dont il est responsable (1/8)"}},
	} {
		status, body := c.u.get(c.path)
		if status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.what, status)
			continue
		}
		text := refusalText(t, body)
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the refusal %q lacks %q", c.what, text, w)
			}
		}
		for _, w := range english {
			if strings.Contains(text, w) {
				t.Errorf("%s: the refusal %q has English (%q)", c.what, text, w)
			}
		}
		// Who else may (the matrix's line) is not the reader's business.
		for _, w := range []string{"jury", "auditeur", "secrétariat"} {
			if strings.Contains(text, w) {
				t.Errorf("%s: the refusal %q names others' rights (%q)", c.what, text, w)
			}
		}
	}
}
