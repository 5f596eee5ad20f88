package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
)

var (
	secretariat = auth.Identity{ID: "sec.leroy", Name: "Claire Leroy", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	teacher18   = auth.Identity{ID: "prof.lenoir", Name: "Paul Lenoir", Roles: []string{auth.Teacher}, UEs: []string{"1/8", "1/9"}}
	teacher12   = auth.Identity{ID: "prof.collin", Name: "Jeanne Collin", Roles: []string{auth.Teacher}, UEs: []string{"1/12"}}
	bloc1       = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
)

// cohort registers, admits and enrols students in bloc 1 through the
// handlers.
func (s *site) cohort(names ...string) []string {
	s.t.Helper()
	ctx, hs := s.t.Context(), s.Handlers
	var mats []string
	for i, name := range names {
		first, last, _ := strings.Cut(name, " ")
		mat := "HE26000" + string(rune('1'+i))
		if _, err := hs.RegisterStudent(ctx, secretariat, "", handlers.Registration{Matricule: mat, FirstName: first, LastName: last,
			Email: strings.ToLower(mat) + "@student.helmo.be"}); err != nil {
			s.t.Fatal(err)
		}
		if _, err := hs.AdmitStudent(ctx, secretariat, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier AS", HasBachelor: true}); err != nil {
			s.t.Fatal(err)
		}
		if _, err := hs.ValidatePAE(ctx, secretariat, "", mat, gradetest.Year, handlers.PAERequest{UEs: bloc1}); err != nil {
			s.t.Fatal(err)
		}
		mats = append(mats, mat)
	}
	return mats
}

// last is the log's last position.
func (s *site) last() uint64 {
	s.t.Helper()
	p, err := s.Log.LastPosition(s.t.Context())
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// refusals are the access.refused facts of the clock's day.
func (s *site) refusals() []handlers.RefusalRecord {
	s.t.Helper()
	got, err := s.Handlers.Refusals(s.t.Context(), auth.Identity{ID: "audit", Roles: []string{auth.Auditor}}, s.Clock.Now().Format("2006-01-02"))
	if err != nil {
		s.t.Fatal(err)
	}
	return got
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not show %q", what, w)
		}
	}
}

// TestTeacherAndSecretariatPages runs a session's grading through the
// pages: the secretariat schedules it, a teacher fills and submits a
// sheet (refusals shown beside the form, nothing written), another
// teacher is refused and recorded, the secretariat reopens the sheet and
// records a justified absence, and a PAE breaking requisites is refused
// with every rule.
func TestTeacherAndSecretariatPages(t *testing.T) {
	s := startSite(t)
	mats := s.cohort("Amélie Dubois", "Benoît Lambert")
	sec := s.signIn(secretariat)

	// Sessions: a schedule out of order is refused naming the field; then Q1.
	q1 := url.Values{"annee": {gradetest.Year}, "session": {"Q1"}, "examens_du": {"2026-01-05"}, "examens_au": {"2026-01-30"},
		"echeance": {"2026-02-02"}, "deliberation": {"2026-02-04"}, "publication": {"2026-02-06"}}
	bad := url.Values{}
	for k, v := range q1 {
		bad[k] = v
	}
	bad.Set("echeance", "2026-01-20")
	before := s.last()
	status, body, _ := sec.post("/sessions", bad)
	if status != http.StatusUnprocessableEntity || s.last() != before {
		t.Fatalf("schedule out of order: %d, log %d -> %d", status, before, s.last())
	}
	mustContain(t, "the refused schedule", body, "<code>échéance d&#39;encodage</code>", "« 2026-01-20 »",
		"tombe avant la date « fin des examens » (30/01/2026)", `value="2026-01-20"`)
	sec.submit("/sessions", q1)
	mustContain(t, "the sessions page", sec.page("/sessions"), "Q1", "2 février 2026 à 23:59")

	// The teacher's sheets, and the sheet of 1/8 in Q1.
	prof := s.signIn(teacher18)
	mustContain(t, "the teacher's sheets", prof.page("/feuilles"), "UE 1/8", "Q1 2025-2026")
	if strings.Contains(prof.page("/feuilles"), "UE 1/12") {
		t.Error("the teacher's sheets list another teacher's UE")
	}
	sheet := "/feuilles/" + gradetest.Year + "/Q1/1/8"
	page := prof.page(sheet)
	mustContain(t, "the sheet", page, "Amélie", "Benoît", `name="v:`+mats[0]+`:"`, "Valeurs manquantes", "2 février 2026 à 23:59")

	// A mark out of scale is refused beside the form with what was typed;
	// nothing is written.
	before = s.last()
	status, body, _ = prof.post(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"25"}, "v:" + mats[1] + ":": {"12,5"}})
	if status != http.StatusUnprocessableEntity || s.last() != before {
		t.Fatalf("mark out of scale: %d, log %d -> %d", status, before, s.last())
	}
	mustContain(t, "the refused sheet", body, "Refusé, rien n'a été enregistré", "25", `value="12,5"`,
		"<code>valeur (cote n° 1)</code> « 25 » : "+mats[0]+" : la cote 25 est hors de l&#39;échelle 0-20")
	// A teacher may not set a justified absence (a refusal for want of a
	// right: only its security fact is written).
	status, body, _ = prof.post(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"CM"}})
	if status != http.StatusForbidden || s.last() != before+1 {
		t.Fatalf("teacher's CM: %d, log %d -> %d", status, before, s.last())
	}
	mustContain(t, "the refused CM", body, "CM", "ne peut être encodé que par le secrétariat, pas par l&#39;enseignant")

	prof.submit(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"14,5"}, "v:" + mats[1] + ":": {"9"}})
	page = prof.page(sheet)
	mustContain(t, "the saved sheet", page, "2 valeur(s) enregistrée(s)", `value="14,5"`, `value="9"`, `<span id="manquantes" class="missing-count" aria-live="polite">0</span>`)

	// Submission needs the confirmation.
	status, body, _ = prof.post(sheet+"/remise", nil)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("submission without confirmation: %d", status)
	}
	mustContain(t, "the unconfirmed submission", body, "confirmation")
	prof.submit(sheet+"/remise", url.Values{"confirmation": {"1"}})
	mustContain(t, "the submitted sheet", prof.page(sheet), "Feuille remise.", "remise</span> le")

	// Another teacher: refused, and the refusal recorded.
	other := s.signIn(teacher12)
	refusedBefore := len(s.refusals())
	if status, _ := other.get(sheet); status != http.StatusForbidden {
		t.Errorf("another teacher's sheet: %d, want 403", status)
	}
	before = s.last()
	if status, _, _ := other.post(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"3"}}); status != http.StatusForbidden {
		t.Errorf("another teacher's entry: %d, want 403", status)
	}
	if got := s.refusals(); len(got) != refusedBefore+2 || got[len(got)-1].Actor != teacher12.ID {
		t.Errorf("refusals recorded: %d -> %+v", refusedBefore, got)
	}
	if s.last() != before+1 {
		t.Errorf("a refused entry wrote %d records, want only its refusal", s.last()-before)
	}

	// The secretariat reopens the sheet (a reason is required) and records
	// a justified absence from the student's page.
	if status, _, _ := sec.post(sheet+"/reouverture", url.Values{"motif": {""}}); status != http.StatusUnprocessableEntity {
		t.Errorf("reopening without a reason: %d", status)
	}
	sec.submit(sheet+"/reouverture", url.Values{"motif": {"certificat médical reçu"}})
	sec.submit("/etudiants/"+mats[1]+"/absence", url.Values{"annee": {gradetest.Year}, "session": {"Q1"}, "epreuve": {"1/8|"},
		"code": {"CM"}, "motif": {"certificat médical du 12 janvier"}})
	mustContain(t, "the reopened sheet", sec.page(sheet), `value="CM"`, "rouverte")

	// A PAE with unmet prerequisites is refused with every rule.
	page = sec.page("/etudiants/" + mats[0])
	mustContain(t, "the student page", page, "Programmes annuels", "Prérequis pour la suite", "1/8")
	status, body, _ = sec.post("/etudiants/"+mats[0]+"/pae", url.Values{"annee": {gradetest.Year}, "ue": {"2/3", "2/9"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("PAE with missing prerequisites: %d", status)
	}
	mustContain(t, "the refused PAE", body, "2/3", `value="2/9" checked`)

	// Search ignores case and accents.
	mustContain(t, "the directory", sec.page("/etudiants?q=amelie"), mats[0])
}

// TestSessionCookieOnTheAPI: the API takes the session cookie, and a
// change made with it needs the CSRF token; the write is remembered for
// the next page.
func TestSessionCookieOnTheAPI(t *testing.T) {
	s := startSite(t)
	mats := s.cohort("Amélie Dubois")
	if _, err := s.Handlers.ScheduleSession(t.Context(), secretariat, "", gradetest.Year, "Q1", handlers.Schedule{}); err != nil {
		t.Fatal(err)
	}
	prof := s.signIn(teacher18)
	api := s.URL + "/api/v1/sheets/" + gradetest.Year + "/Q1/1/8/entries"
	body, _ := json.Marshal(map[string]any{"source": "form", "entries": []handlers.EntryInput{{Student: mats[0], Value: "13"}}})
	post := func(csrf string) *http.Response {
		req, _ := http.NewRequest("POST", api, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set(auth.CSRFHeader, csrf)
		}
		resp, err := prof.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	before := s.last()
	if resp := post(""); resp.StatusCode != http.StatusUnauthorized || s.last() != before {
		t.Errorf("cookie without CSRF token: %d, log %d -> %d", resp.StatusCode, before, s.last())
	}
	if resp := post("forged"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookie with a wrong CSRF token: %d", resp.StatusCode)
	}
	if resp := post(prof.csrf()); resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie with its CSRF token: %d", resp.StatusCode)
	}
	if status, _ := prof.get("/api/v1/sheets/" + gradetest.Year + "/Q1/1/8/export.xlsx"); status != http.StatusOK {
		t.Errorf("download with the session: %d", status)
	}
	// Without a session, a page sends to the sign-in.
	anon := s.anonymous()
	if status, _ := anon.get("/feuilles"); status != http.StatusSeeOther {
		t.Errorf("a page without a session: %d, want a redirect to the sign-in", status)
	}
}
