package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
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

// upload posts a multipart form with a file and fields, and the
// session's CSRF token.
func (u *user) upload(path, name, content string, fields url.Values) (status int, body string) {
	u.s.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields.Set(auth.CSRFField, u.csrf())
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				u.s.t.Fatal(err)
			}
		}
	}
	f, err := w.CreateFormFile("fichier", name)
	if err == nil {
		_, err = f.Write([]byte(content))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		u.s.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", u.s.URL+path, &buf)
	if err != nil {
		u.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	status, body, _ = u.do(req)
	return status, body
}

func mustLack(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

var refusalDiv = regexp.MustCompile(`(?s)<div class="refusal" role="alert" id="refus">.*?</div>`)

// refusalBox is the refusal's box of a page ("" when there is none).
func refusalBox(body string) string { return refusalDiv.FindString(body) }

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
	mustContain(t, "the refused schedule", body, "Refusé, rien n'a été enregistré.", `<strong class="field">échéance d&#39;encodage</strong>`, "« 2026-01-20 »",
		"tombe avant la date « fin des examens » (30/01/2026)", `value="2026-01-20"`)
	mustLack(t, "the refused schedule", body, "<code>", "la tentative est consignée")
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
	mustContain(t, "the sheet", page, "Amélie", "Benoît", `name="v:`+mats[0]+`:"`, "Valeurs manquantes", "2 février 2026 à 23:59",
		`<span id="manquantes" class="missing-count" aria-live="polite">2</span>`, `étudiants à compléter : <span id="a-completer" class="incomplete-count">2</span>`)
	// The list counts students, as the sheet's "à compléter" does; the
	// sheet counts values too.
	one := prof.page("/feuilles")
	mustContain(t, "the teacher's sheets", one, `<th scope="col" class="num">Étudiants à compléter</th>`)
	mustLack(t, "the teacher's sheets", one, "Valeurs manquantes")

	// A mark out of scale is refused beside the form with what was typed;
	// nothing is written.
	before = s.last()
	status, body, _ = prof.post(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"25"}, "v:" + mats[1] + ":": {"12,5"}})
	if status != http.StatusUnprocessableEntity || s.last() != before {
		t.Fatalf("mark out of scale: %d, log %d -> %d", status, before, s.last())
	}
	mustContain(t, "the refused sheet", body, "Refusé, rien n'a été enregistré", "25", `value="12,5"`,
		`<strong class="field">valeur (cote n° 1)</strong> « 25 » : `+mats[0]+" : la cote 25 est hors de l&#39;échelle 0-20")
	// A spreadsheet with the same mark, previewed: its report names the
	// row's field as the refusals do, in plain emphasised text.
	status, csv := prof.get("/api/v1/sheets/" + gradetest.Year + "/Q1/1/8/export.csv")
	if status != http.StatusOK {
		t.Fatalf("the sheet's CSV: %d", status)
	}
	csv = strings.Replace(csv, mats[0]+";Dubois;Amélie;he260001@student.helmo.be;02/02/2026;;", mats[0]+";Dubois;Amélie;he260001@student.helmo.be;02/02/2026;25;", 1)
	status, body = prof.upload(sheet+"/import", "notes.csv", csv, url.Values{"apercu": {"1"}})
	if status != http.StatusOK || s.last() != before {
		t.Fatalf("an import's preview: %d, log %d -> %d\n%s", status, before, s.last(), body)
	}
	mustContain(t, "the import's report", body, "Aperçu de l'import (rien n'a été enregistré)", `<strong class="field">`, "« 25 » : ", "hors de l&#39;échelle 0-20")
	mustLack(t, "the import's report", body, "<code>")
	// A teacher may not set a justified absence (a refusal for want of a
	// right: only its security fact is written).
	status, body, _ = prof.post(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"CM"}})
	if status != http.StatusForbidden || s.last() != before+1 {
		t.Fatalf("teacher's CM: %d, log %d -> %d", status, before, s.last())
	}
	mustContain(t, "the refused CM", body, "CM", "ne peut être encodé que par le secrétariat, pas par l&#39;enseignant",
		"Refusé : rien n'a été modifié ; la tentative est consignée au journal.")
	mustLack(t, "the refused CM", body, "rien n'a été enregistré")

	prof.submit(sheet+"/saisie", url.Values{"v:" + mats[0] + ":": {"14,5"}, "v:" + mats[1] + ":": {"9"}})
	page = prof.page(sheet)
	mustContain(t, "the saved sheet", page, "2 valeur(s) enregistrée(s)", `value="14,5"`, `value="9"`, `<span id="manquantes" class="missing-count" aria-live="polite">0</span>`,
		`étudiants à compléter : <span id="a-completer" class="incomplete-count">0</span>`)

	// Submission needs the confirmation.
	status, body, _ = prof.post(sheet+"/remise", nil)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("submission without confirmation: %d", status)
	}
	mustContain(t, "the unconfirmed submission", body, "confirmation")
	prof.submit(sheet+"/remise", url.Values{"confirmation": {"1"}})
	mustContain(t, "the submitted sheet", prof.page(sheet), "Feuille remise.", "remise</span> le")

	// Another teacher: refused, and the refusal recorded; the page says
	// nothing changed and the attempt is recorded.
	other := s.signIn(teacher12)
	refusedBefore := len(s.refusals())
	if status, body := other.get(sheet); status != http.StatusForbidden {
		t.Errorf("another teacher's sheet: %d, want 403", status)
	} else {
		mustContain(t, "another teacher's sheet", body, "Refusé : rien n'a été modifié ; la tentative est consignée au journal.")
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

	// A PAE that breaks requisites is refused with every rule it breaks,
	// in the refusal's box, and nothing is written: first for a student
	// admitted without a PAE, then as the amendment of a validated one.
	page = sec.page("/etudiants/" + mats[0])
	mustContain(t, "the student page", page, "Programmes annuels", "Prérequis pour la suite", "1/8", "Modifier le PAE")
	const newcomer = "HE260009"
	if _, err := s.Handlers.RegisterStudent(t.Context(), secretariat, "", handlers.Registration{Matricule: newcomer, FirstName: "Chloé", LastName: "Martin",
		Email: "he260009@student.helmo.be"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Handlers.AdmitStudent(t.Context(), secretariat, "", newcomer, handlers.Admission{Year: gradetest.Year, Basis: "bachelier AS", HasBachelor: true}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the page of a student without a PAE", sec.page("/etudiants/"+newcomer), "Aucun PAE validé.", "Valider le PAE")
	// Bloc 1 without 1/12 (the co-requisite of 1/11), with 2/9 without its
	// co-requisite 2/11 and 1/3, a complement the admission does not ask.
	breaking := append(slices.DeleteFunc(slices.Clone(bloc1), func(ue string) bool { return ue == "1/12" }), "2/9", "1/3")
	wantProblems := []string{
		`<strong class="field">UE du PAE</strong> « 1/11 » : l&#39;UE 1/11 exige d&#39;avoir suivi 1/12 auparavant ou la même année (corequis)`,
		`<strong class="field">UE du PAE</strong> « 2/9 » : l&#39;UE 2/9 exige d&#39;avoir suivi 2/11 auparavant ou la même année (corequis)`,
		`<strong class="field">UE du PAE</strong> « 1/3 » : l&#39;UE 1/3 est un complément que l&#39;admission de l&#39;étudiant n&#39;exige pas`,
	}
	for _, c := range []struct {
		what, mat string
		form      url.Values
	}{
		{"a new PAE", newcomer, url.Values{"annee": {gradetest.Year}, "ue": breaking}},
		{"an amended PAE", mats[0], url.Values{"annee": {gradetest.Year}, "ue": breaking, "motif": {"réorientation"}}},
	} {
		before := s.last()
		status, body, _ := sec.post("/etudiants/"+c.mat+"/pae", c.form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("%s breaking requisites: %d\n%s", c.what, status, body)
		}
		if s.last() != before {
			t.Errorf("%s breaking requisites wrote %d record(s)", c.what, s.last()-before)
		}
		box := refusalBox(body)
		mustContain(t, c.what+"'s refusal", box, append([]string{"Refusé, rien n'a été enregistré."}, wantProblems...)...)
		if n := strings.Count(box, "<li>"); n != len(wantProblems) {
			t.Errorf("%s's refusal lists %d problem(s), want %d:\n%s", c.what, n, len(wantProblems), box)
		}
		mustContain(t, c.what+"'s form", body, `value="2/9" checked`, `value="1/3" checked`)
		mustLack(t, c.what+"'s form", body, `value="1/12" checked`)
	}
	mustContain(t, "the student without a PAE after the refusal", sec.page("/etudiants/"+newcomer), "Aucun PAE validé.")

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
