package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

var (
	auditSec         = auth.Identity{ID: "sec.audit", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	auditAuditor     = auth.Identity{ID: "audit.martin", Roles: []string{auth.Auditor}}
	auditBrussels, _ = time.LoadLocation("Europe/Brussels")
)

// auditTeacher teaches ue.
func auditTeacher(ue string) auth.Identity {
	return auth.Identity{ID: "prof.audit", Roles: []string{auth.Teacher}, UEs: []string{ue}}
}

func auditStudent(mat string) auth.Identity {
	return auth.Identity{ID: mat, Roles: []string{auth.Student}}
}

// auditEnrol registers, admits and gives a PAE of ues to a student.
func auditEnrol(t *testing.T, s *site, mat, first, last string, ues ...string) {
	t.Helper()
	ctx, hs := t.Context(), s.Handlers
	if _, err := hs.RegisterStudent(ctx, auditSec, "", handlers.Registration{Matricule: mat, FirstName: first, LastName: last,
		Email: strings.ToLower(mat) + "@student.helmo.be"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.AdmitStudent(ctx, auditSec, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social", HasBachelor: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.ValidatePAE(ctx, auditSec, "", mat, gradetest.Year, handlers.PAERequest{UEs: ues}); err != nil {
		t.Fatal(err)
	}
}

func auditSchedule(t *testing.T, s *site, sessions ...catalog.Session) {
	t.Helper()
	for _, q := range sessions {
		if _, err := s.Handlers.ScheduleSession(t.Context(), auditSec, "", gradetest.Year, q, handlers.Schedule{}); err != nil {
			t.Fatal(err)
		}
	}
}

// auditFetch fetches a document with the session cookie: its status,
// content type and body.
func auditFetch(t *testing.T, u *user, path string) (int, string, []byte) {
	t.Helper()
	resp, err := u.client.Get(u.s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func auditHas(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in the page\n%s", what, w, body)
		}
	}
}

func auditLacks(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: %q should not be in the page", what, w)
		}
	}
}

// auditCaughtUp waits for the views to apply the log up to position (the
// pages read them; the setup wrote through the handlers, not a session).
func auditCaughtUp(t *testing.T, s *site, position uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Handlers.Views.WaitFor(ctx, position); err != nil {
		t.Fatal(err)
	}
}

// auditRefusedBy counts the refused attempts of actor recorded today.
func auditRefusedBy(t *testing.T, s *site, actor string) int {
	t.Helper()
	day := s.Clock.Now().In(auditBrussels).Format(time.DateOnly)
	list, err := s.Handlers.Refusals(t.Context(), auditSec, day)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range list {
		if r.Actor == actor {
			n++
		}
	}
	return n
}

// TestAuditTrailOfACorrection: an auditor finds Zoé Lefèvre without
// accents, reads her timeline with the actor and reason of a correction,
// sees her record before and after it, the diff with its cause and an
// intact log, downloads the history PDF and the bundle with the session,
// and writes nothing. A student reads neither another's timeline nor
// their own transcript before publication.
func TestAuditTrailOfACorrection(t *testing.T) {
	s := startSite(t)
	ctx := t.Context()
	auditSchedule(t, s, catalog.Q1)
	const zoe, marc = "HE300001", "HE300002"
	auditEnrol(t, s, zoe, "Zoé", "Lefèvre", "1/4")
	auditEnrol(t, s, marc, "Marc", "Dupont", "1/4")
	ref := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q1, UE: "1/4"}
	first, err := s.Handlers.RecordEntries(ctx, auditTeacher("1/4"), "", ref, handlers.SourceForm, []handlers.EntryInput{{Student: zoe, Value: "7.5"}})
	if err != nil {
		t.Fatal(err)
	}
	// The log stamps records with the wall clock: a moment between the
	// mark and its correction.
	time.Sleep(30 * time.Millisecond)
	between := time.Now()
	time.Sleep(30 * time.Millisecond)
	const why = "erreur de transcription de la copie"
	cmd := handlers.Command{ID: "5f0c2d8e-0000-4000-8000-000000000001", What: "POST /api/v1/sheets/2025-2026/Q1/1/4/entries", Correlation: "relecture-copies-q1"}
	second, err := s.Handlers.RecordEntries(handlers.WithCommand(ctx, cmd), auditTeacher("1/4"), "", ref, handlers.SourceForm,
		[]handlers.EntryInput{{Student: zoe, Value: "13.5", Reason: why}})
	if err != nil {
		t.Fatal(err)
	}
	auditCaughtUp(t, s, second.Position)
	aud := s.signIn(auditAuditor)
	timeline := "/etudiants/" + zoe + "/historique"

	t.Run("search", func(t *testing.T) {
		body := aud.page("/audit?q=" + url.QueryEscape("lefevre ZOE"))
		auditHas(t, "search without accents", body, zoe, "Lefèvre", `href="`+timeline+`"`)
		auditLacks(t, "search without accents", body, marc)
		body = aud.page("/audit?q=nobody")
		auditHas(t, "search finding nobody", body, "Aucun étudiant ne correspond")
	})

	t.Run("timeline", func(t *testing.T) {
		body := aud.page(timeline)
		auditHas(t, "timeline", body, "Inscription", "Admission", "PAE validé", "Note encodée", "Note corrigée",
			"prof.audit", "(enseignant)", "sec.audit", "« "+why+" »", "<del>7,5</del> → <ins>13,5</ins>",
			fmt.Sprintf(`id="fait-%d"`, second.Position), "autorisée par prof.audit", `class="hash"`,
			"corrélation <code>relecture-copies-q1</code>", "commande <code>POST /api/v1/sheets/2025-2026/Q1/1/4/entries</code>", "/api/v1/students/"+zoe+"/history?format=pdf", "/api/v1/students/"+zoe+"/bundle",
			"gradelog verify --bundle", "/etudiants/"+zoe+"/comparaison")
		// Filtered to corrections: the recorded mark is left out.
		body = aud.page(timeline + "?type=mark.corrected")
		auditHas(t, "corrections only", body, "Note corrigée")
		auditLacks(t, "corrections only", body, "Note encodée</strong>", "PAE validé</strong>")
		status, body := aud.get(timeline + "?type=gossip")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Note corrigée") {
			t.Errorf("an unknown kind: %d, want 422 with the whole history shown", status)
		}
		auditHas(t, "an unknown kind", body, `role="alert"`, `<strong class="field">type</strong>`)
	})

	t.Run("as of", func(t *testing.T) {
		before := aud.page(timeline + "?au=" + url.QueryEscape(between.Format(time.RFC3339Nano)))
		auditHas(t, "as of a moment before the correction", before, "État reconstitué au ", "7,5", "Relevé "+gradetest.Year, "Crédits du cycle")
		auditLacks(t, "as of a moment before the correction", before, "13,5", "Note corrigée")
		today := time.Now().In(auditBrussels).Format(time.DateOnly)
		after := aud.page(timeline + "?au=" + today)
		auditHas(t, "as of today", after, "État reconstitué au ", "23:59", "13,5", "Note corrigée")
		yesterday := time.Now().In(auditBrussels).AddDate(0, 0, -1).Format(time.DateOnly)
		auditHas(t, "as of yesterday", aud.page(timeline+"?au="+yesterday), "aucun dossier")
		byPosition := aud.page(timeline + fmt.Sprintf("?position=%d", first.Position))
		auditHas(t, "as of the mark's position", byPosition, fmt.Sprintf("État reconstitué à la position %d", first.Position), "7,5")
		auditLacks(t, "as of the mark's position", byPosition, "13,5")
		status, body := aud.get(timeline + "?au=hier")
		if status != http.StatusUnprocessableEntity {
			t.Errorf("as of a date that is not one: %d, want 422", status)
		}
		auditHas(t, "as of a date that is not one", body, `<strong class="field">au</strong>`, "AAAA-MM-JJ")
		if status, _ := aud.get(timeline + "?heure=10:00"); status != http.StatusUnprocessableEntity {
			t.Errorf("as of a time without a date: %d, want 422", status)
		}
		auditHas(t, "as of today at 23:59", aud.page(timeline+"?au="+today+"&heure=23:59"), "23:59", "13,5")
	})

	t.Run("diff", func(t *testing.T) {
		body := aud.page(fmt.Sprintf("/etudiants/%s/comparaison?depuis_position=%d", zoe, first.Position))
		auditHas(t, "diff over the correction", body, "Relevé de notes "+gradetest.Year, "UE 1/4", "<del>7,5</del>", "<ins>13,5</ins>",
			fmt.Sprintf(`href="#fait-%d"`, second.Position), "Note corrigée (position", "« "+why+" »", "prof.audit")
		body = aud.page("/etudiants/" + zoe + "/comparaison")
		auditHas(t, "diff from the start", body, "Entre le dossier à son début et le dossier actuel", "Inscription", "<ins>13,5</ins>")
		status, _ := aud.get(fmt.Sprintf("/etudiants/%s/comparaison?depuis_position=%d&jusqua_position=1", zoe, second.Position))
		if status != http.StatusUnprocessableEntity {
			t.Errorf("a diff whose start is after its end: %d, want 422", status)
		}
	})

	t.Run("verification", func(t *testing.T) {
		auditHas(t, "verification", aud.page("/audit/verification"), "Journal intact", "tout le journal", "Empreinte des têtes")
		auditHas(t, "verification of one student", aud.page("/audit/verification?etudiant="+strings.ToLower(zoe)), "Journal intact", zoe)
		status, body := aud.get("/audit/verification?etudiant=HE999999")
		if status != http.StatusNotFound || !strings.Contains(body, `role="alert"`) {
			t.Errorf("verification of an unknown student: %d", status)
		}
	})

	t.Run("documents", func(t *testing.T) {
		status, ct, b := auditFetch(t, aud, "/api/v1/students/"+zoe+"/history?format=pdf")
		if status != http.StatusOK || ct != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("history PDF with the session: %d %s %q", status, ct, b[:min(len(b), 40)])
		}
		status, ct, b = auditFetch(t, aud, "/api/v1/students/"+zoe+"/bundle")
		if status != http.StatusOK || ct != "application/zip" || !bytes.HasPrefix(b, []byte("PK")) {
			t.Errorf("bundle with the session: %d %s %q", status, ct, b[:min(len(b), 40)])
		}
	})

	t.Run("auditor writes nothing", func(t *testing.T) {
		before := auditRefusedBy(t, s, auditAuditor.ID)
		status, _, _ := aud.post("/feuilles/2025-2026/Q1/1/4/saisie",
			url.Values{"v:" + zoe + ":Questions socio-politiques et enjeux contemporains": {"20"}})
		if status != http.StatusForbidden {
			t.Errorf("an auditor's entry: %d, want 403", status)
		}
		if n := auditRefusedBy(t, s, auditAuditor.ID) - before; n != 1 {
			t.Errorf("an auditor's entry recorded %d access.refused facts, want 1", n)
		}
		h, err := s.Handlers.History(ctx, auditAuditor, zoe, handlers.ViewQuery{}, projections.HistoryFilter{Kind: "mark"})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(h.Entries); n != 2 {
			t.Errorf("after the auditor's attempt, %d mark facts, want 2", n)
		}
	})

	t.Run("student", func(t *testing.T) {
		st := s.signIn(auditStudent(zoe))
		before := auditRefusedBy(t, s, zoe)
		if status, _ := st.get("/etudiants/" + marc + "/historique"); status != http.StatusForbidden {
			t.Errorf("a student reading another's timeline: %d, want 403", status)
		}
		if n := auditRefusedBy(t, s, zoe) - before; n != 1 {
			t.Errorf("a student reading another's timeline recorded %d refusals, want 1", n)
		}
		status, body := st.get("/releve")
		if status != http.StatusNotFound {
			t.Errorf("the transcript before publication: %d, want 404", status)
		}
		auditHas(t, "the transcript before publication", body, "pas encore publiés")
		auditLacks(t, "the transcript before publication", body, "7,5", "13,5", "Questions socio-politiques")
		if status, _ := st.get("/audit/verification"); status != http.StatusForbidden {
			t.Errorf("a student verifying the log: %d, want 403", status)
		}
	})
}

// TestStudentTranscriptOncePublished: a student sees their transcript
// only once the results of a deliberated session are published, at the
// calendar's date, with marks, credits, the jury's decision and the PDF.
func TestStudentTranscriptOncePublished(t *testing.T) {
	s := startSite(t)
	ctx, hs := t.Context(), s.Handlers
	const mat = "HE310001"
	members := []events.JuryMember{
		{ID: "jury.pres", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/4"}},
		{ID: "jury.secr", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9"}},
		{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10"}},
		{ID: "jury.m4", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12"}},
		{ID: "jury.m5", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/8"}},
	}
	pres := auth.Identity{ID: "jury.pres", Roles: []string{auth.Jury}}
	s.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC)) // the Q2 exams
	auditSchedule(t, s, catalog.Q2, catalog.Q3)
	if _, err := hs.ConstituteJury(ctx, auditSec, "", "MIAS", gradetest.Year,
		handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: members}); err != nil {
		t.Fatal(err)
	}
	var bloc1 []string
	for _, ue := range s.Catalog.UEs {
		if ue.Kind == catalog.Core && ue.Bloc == 1 {
			bloc1 = append(bloc1, ue.Code)
		}
	}
	auditEnrol(t, s, mat, "Léa", "Noël", bloc1...)
	for _, ue := range s.Catalog.UEs {
		if !ue.HasSession(catalog.Q2) {
			continue
		}
		ref := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q2, UE: ue.Code}
		sheet, err := hs.Sheet(ctx, auditSec, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(sheet.Rows) == 0 {
			continue
		}
		var in []handlers.EntryInput
		for _, row := range sheet.Rows {
			for _, col := range sheet.Columns {
				if _, locked := row.Locked[col.Key]; !locked {
					in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: "14.5"})
				}
			}
		}
		if _, err := hs.RecordEntries(ctx, auditTeacher(ue.Code), "", ref, handlers.SourceForm, in); err != nil {
			t.Fatalf("marks of %s: %v", ue.Code, err)
		}
		if _, err := hs.SubmitSheet(ctx, auditTeacher(ue.Code), "", ref); err != nil {
			t.Fatalf("submitting %s: %v", ue.Code, err)
		}
	}
	s.Clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)) // the deliberation
	delib := handlers.DeliberationRef{Programme: "MIAS", Year: gradetest.Year, Session: "Q2"}
	var present []string
	for _, m := range members {
		present = append(present, m.ID)
	}
	if _, err := hs.OpenDeliberation(ctx, pres, "", delib, handlers.Opening{Present: present}); err != nil {
		t.Fatal(err)
	}
	d, err := hs.Dossier(ctx, pres, mat, gradetest.Year, "Q2", handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.RecordDecision(ctx, pres, "", delib, handlers.DecisionInput{Student: mat, RecordVersion: d.RecordVersion}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.CloseDeliberation(ctx, pres, "", delib); err != nil {
		t.Fatal(err)
	}
	published, err := hs.PublishResults(ctx, auditSec, "", delib, time.Time{}) // for the calendar's 2026-07-03
	if err != nil {
		t.Fatal(err)
	}
	auditCaughtUp(t, s, published.Records[len(published.Records)-1].Position)

	st := s.signIn(auditStudent(mat))
	status, body := st.get("/releve")
	if status != http.StatusNotFound {
		t.Errorf("the transcript before the publication date: %d, want 404", status)
	}
	auditHas(t, "the transcript before the publication date", body, "pas encore publiés")
	auditLacks(t, "the transcript before the publication date", body, "14,5")

	s.Clock.Set(time.Date(2026, 7, 3, 8, 0, 0, 0, time.UTC)) // published, 10:00 in Brussels
	st = s.signIn(auditStudent(mat))                         // the earlier session has expired
	body = st.page("/releve")
	pdf := "/api/v1/students/" + mat + "/transcripts/" + gradetest.Year + "?format=pdf"
	auditHas(t, "the published transcript", body, "Léa Noël", "Année académique "+gradetest.Year, "14,5", "année réussie",
		"60 acquis sur 60 inscrits", "Crédits du cycle", pdf, `class="noprint`, "tel que publié")
	auditLacks(t, "the published transcript", body, "pas encore publiés")
	status, ct, b := auditFetch(t, st, pdf)
	if status != http.StatusOK || ct != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("the transcript PDF with the session: %d %s", status, ct)
	}
	// Staff have no transcript of their own.
	aud := s.signIn(auditAuditor)
	if status, _ := aud.get("/releve"); status != http.StatusForbidden {
		t.Errorf("an auditor's own transcript: %d, want 403", status)
	}
	// The auditor sees the record as the jury saw it before its decision.
	body = aud.page("/etudiants/" + mat + "/historique?deliberation=" + url.QueryEscape(gradetest.Year+"/Q2"))
	auditHas(t, "as the jury saw it", body, "tel que le jury le voyait juste avant sa décision", "Q2 "+gradetest.Year, "14,5")
}
