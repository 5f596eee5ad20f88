package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// The jury's year: a jury of six (five teach a bloc-1 UE), three bloc-1 students, Q2 sheets filled
// and submitted.
const (
	juryA = "HE260001" // passes everything
	juryB = "HE260002" // 1/12 at 9: to deliberate, granted
	juryC = "HE260003" // 1/9's practical work at 6: to deliberate, refused
)

var (
	jurySec     = auth.Identity{ID: "sec.leroy", Name: "Claire Leroy", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	juryAuditor = auth.Identity{ID: "audit.renard", Name: "Luc Renard", Roles: []string{auth.Auditor}}
	juryBloc1   = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	juryMembers = []events.JuryMember{
		{ID: "jury.pres", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/8"}},
		{ID: "jury.secr", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9"}},
		{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10"}},
		{ID: "jury.m4", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12"}},
		{ID: "jury.m5", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/4"}},
		// Teaches only a bloc-2 UE, evaluated in no session of the test: sits
		// without counting for the quorum.
		{ID: "jury.m6", Name: "Olivier Hardy", Institution: "HEPL", Teaches: []string{"2/9"}},
	}
)

func juryIdentity(id string) auth.Identity {
	for _, m := range juryMembers {
		if m.ID == id {
			return auth.Identity{ID: m.ID, Name: m.Name, Roles: []string{auth.Jury}}
		}
	}
	return auth.Identity{ID: id, Name: id, Roles: []string{auth.Jury}}
}

// juryMark is the plan: the value each student gets on each Q2 column.
func juryMark(mat, ue, activity string) string {
	switch {
	case mat == juryB && ue == "1/12":
		return "9"
	case mat == juryC && ue == "1/9" && activity == "Travaux pratiques":
		return "6"
	case mat == juryA:
		return "14"
	}
	return "12"
}

// juryYear sets the year up through the handlers: the jury, the students,
// Q1 and Q2 scheduled, every Q2 sheet filled and submitted.
func juryYear(t *testing.T, s *site) {
	t.Helper()
	ctx, hs, y := t.Context(), s.Handlers, gradetest.Year
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := hs.ConstituteJury(ctx, jurySec, "", "MIAS", y, handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: juryMembers})
	must("jury", err)
	for i, mat := range []string{juryA, juryB, juryC} {
		_, err := hs.RegisterStudent(ctx, jurySec, "", handlers.Registration{Matricule: mat, FirstName: []string{"Alice", "Benoît", "Céline"}[i],
			LastName: []string{"Martin", "Lambert", "Dubois"}[i], Email: strings.ToLower(mat) + "@student.helmo.be"})
		must("register "+mat, err)
		_, err = hs.AdmitStudent(ctx, jurySec, "", mat, handlers.Admission{Year: y, Basis: "bachelier assistant social", HasBachelor: true})
		must("admit "+mat, err)
		_, err = hs.ValidatePAE(ctx, jurySec, "", mat, y, handlers.PAERequest{UEs: juryBloc1})
		must("PAE "+mat, err)
	}
	for _, q := range []catalog.Session{catalog.Q1, catalog.Q2} {
		_, err := hs.ScheduleSession(ctx, jurySec, "", y, q, handlers.Schedule{})
		must("schedule "+string(q), err)
	}
	s.Clock.Set(time.Date(2026, 6, 27, 10, 0, 0, 0, time.UTC))
	prof := auth.Identity{ID: "prof.collin", Name: "Jeanne Collin", Roles: []string{auth.Teacher}, UEs: juryBloc1}
	for _, ue := range juryBloc1 {
		ref := handlers.SheetRef{Year: y, Session: catalog.Q2, UE: ue}
		sh, err := hs.Sheet(ctx, prof, ref)
		must("sheet "+ue, err)
		var in []handlers.EntryInput
		for _, row := range sh.Rows {
			for _, col := range sh.Columns {
				if _, locked := row.Locked[col.Key]; !locked {
					in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: juryMark(row.Matricule, ue, col.Key)})
				}
			}
		}
		if len(in) == 0 {
			continue
		}
		_, err = hs.RecordEntries(ctx, prof, "", ref, handlers.SourceForm, in)
		must("entries "+ue, err)
		_, err = hs.SubmitSheet(ctx, prof, "", ref)
		must("submit "+ue, err)
	}
	s.Clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
}

var recordVersion = regexp.MustCompile(`name="record_version" value="(\d+)"`)

// juryVersion is the record version the decision form of a page carries.
func juryVersion(t *testing.T, body string) string {
	t.Helper()
	m := recordVersion.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no decision form on the page:\n%s", body)
	}
	return m[1]
}

func juryShows(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not show %q", what, w)
		}
	}
}

func juryHides(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

// TestJuryDeliberationPages runs a Q2 deliberation through the pages: the
// list, the opening refused without the quorum then opened, a student's
// dossier and a decision refused for a missing motivation (the field named,
// what was typed kept), decisions recorded, a decision on a stale dossier
// refused with the current one, a non-member refused and recorded, the
// closing, the minutes PDF with the session cookie, and the replay step by
// step.
func TestJuryDeliberationPages(t *testing.T) {
	s := startSite(t)
	juryYear(t, s)
	y := gradetest.Year
	page := "/deliberations/" + y + "/Q2"
	pres := s.signIn(juryIdentity("jury.pres"))

	// The list, then the deliberation before it opens.
	list := pres.page("/deliberations")
	juryShows(t, "the deliberations' list", list, "Année académique "+y, `href="`+page+`"`, "Délibération Q2 "+y, "à ouvrir")
	body := pres.page(page)
	juryShows(t, "the deliberation before opening", body, "Ouvrir la délibération", "Anne Delvaux", "président(e)", "Marc Thiry", "secrétaire",
		"Benoît Lambert", "Céline Dubois", "Alice Martin", "1/12", `name="present" value="jury.m5" checked`,
		// Who counts for the quorum, and how many must sit.
		"Le quorum se calcule sur les 5 membres qui enseignent une UE obligatoire évaluée à cette session : il en faut plus de la moitié présents, soit 3.",
		"Comptent pour le quorum les 5 membres qui enseignent une UE obligatoire évaluée à cette session.",
		`value="jury.m5" checked> Inès Boulanger (membre, HELMo) · <span class="muted">compte pour le quorum</span>`,
		`value="jury.m6" checked> Olivier Hardy (membre, HEPL)</label>`, "ne compte pas")
	juryHides(t, "the deliberation before opening", body, "Enregistrer la décision", "Procès-verbal (PDF)")

	// Opening: without the quorum, refused naming the rule, the ticks kept.
	status, body, _ := pres.post(page+"/ouverture", url.Values{"present": {"jury.pres", "jury.secr"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("opening without the quorum: %d\n%s", status, body)
	}
	juryShows(t, "the refused opening", body, "Refusé, rien n'a été enregistré", "quorum non atteint", `name="present" value="jury.pres" checked`)
	juryHides(t, "the refused opening", body, `name="present" value="jury.m3" checked`)
	// m5 is excused; four of the five who count sit, and m6, who does not.
	loc := pres.submit(page+"/ouverture", url.Values{"present": {"jury.pres", "jury.secr", "jury.m3", "jury.m4", "jury.m6"}})
	if loc != page {
		t.Errorf("after the opening: to %q, want %q", loc, page)
	}
	body = pres.page(page)
	quorum := "4 des 5 membres qui enseignent une UE obligatoire de la session sont présents ; il en faut plus de la moitié (3)"
	juryShows(t, "the open deliberation", body, "Délibération ouverte : "+quorum+" : quorum atteint.", "ouverte",
		`<dd id="quorum">`+quorum+` :
      <span class="badge ok">quorum atteint</span></dd>`, "0 décidé(s), 3 à décider", "/api/v1/deliberations/MIAS/"+y+"/Q2/minutes?format=pdf",
		page+"/rejeu", "?etudiant="+juryB)
	juryHides(t, "the open deliberation", body, "membre(s) présent(s) pour")
	juryHides(t, "the open deliberation", body, "Ouvrir la délibération")

	// B's dossier beside the decision form; granting 1/12 without its
	// motivation is refused, naming the field, and what was typed stays.
	body = pres.page(page + "?etudiant=" + juryB)
	juryShows(t, "B's dossier", body, "Dossier de Benoît Lambert", "Stage", "à délibérer", "Enregistrer la décision", `name="octroi:1/12"`,
		"Motivation pour l'UE 1/12")
	versionB := juryVersion(t, body)
	decision := url.Values{"etudiant": {juryB}, "record_version": {versionB}, "ue": {"1/12"}, "octroi:1/12": {"oui"},
		"motivation": {"Moyenne annuelle satisfaisante"}}
	status, body, _ = pres.post(page+"/decisions?etudiant="+juryB, decision)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a grant without motivation: %d\n%s", status, body)
	}
	juryShows(t, "the refused decision", body, `<strong class="field">motivation (UE délibérée n° 1)</strong>`, "dans les critères : déficit", "Moyenne annuelle satisfaisante", `value="oui" required checked aria-invalid="true"`,
		"Dossier de Benoît Lambert")
	decision.Set("motivation:1/12", "déficit d'un point, stage autrement réussi")
	loc = pres.submit(page+"/decisions?etudiant="+juryB, decision)
	if !strings.HasPrefix(loc, page+"?etudiant="+juryB) {
		t.Errorf("after B's decision: to %q", loc)
	}
	body = pres.page(loc)
	juryShows(t, "B decided", body, "Décision enregistrée pour "+juryB+" : année réussie.", "Décision en vigueur", "crédits octroyés : 1/12")

	// A, as the secretary: nothing to deliberate.
	secr := s.signIn(juryIdentity("jury.secr"))
	body = secr.page(page + "?etudiant=" + juryA)
	secr.submit(page+"/decisions", url.Values{"etudiant": {juryA}, "record_version": {juryVersion(t, body)}})

	// C: the jury reads the dossier; meanwhile the secretariat corrects a
	// mark; the decision on the version read is refused with the current
	// dossier and what was typed.
	body = pres.page(page + "?etudiant=" + juryC)
	staleC := juryVersion(t, body)
	ctx, hs, ref := t.Context(), s.Handlers, handlers.SheetRef{Year: y, Session: catalog.Q2, UE: "1/11"}
	if _, err := hs.ReopenSheet(ctx, jurySec, "", ref, "erreur d'encodage signalée"); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.RecordEntries(ctx, jurySec, "", ref, handlers.SourceForm, []handlers.EntryInput{{Student: juryC, Value: "12.5", Reason: "erreur d'encodage"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.SubmitSheet(ctx, jurySec, "", ref); err != nil {
		t.Fatal(err)
	}
	decisionC := url.Values{"etudiant": {juryC}, "record_version": {staleC}, "ue": {"1/9"}, "octroi:1/9": {"non"},
		"motivation:1/9": {"travaux pratiques très insuffisants (6/20)"}, "motivation": {"échec en travaux pratiques de 1/9"}}
	status, body, _ = pres.post(page+"/decisions", decisionC)
	if status != http.StatusConflict {
		t.Fatalf("a decision on a stale dossier: %d\n%s", status, body)
	}
	currentC := juryVersion(t, body)
	juryShows(t, "the stale decision", body, "Le dossier a changé depuis que vous l'avez ouvert", "record_version",
		"travaux pratiques très insuffisants (6/20)", "échec en travaux pratiques de 1/9", "Dossier de Céline Dubois")
	if currentC == staleC {
		t.Errorf("the refused page carries the stale version %s", staleC)
	}
	decisionC.Set("record_version", currentC)
	body = pres.page(pres.submit(page+"/decisions", decisionC))
	juryShows(t, "C decided", body, "Décision enregistrée pour "+juryC+" : ajourné·e.")

	// Who may not decide: a jury member outside this jury, and a member
	// absent at the opening; both refused and recorded.
	for _, who := range []string{"jury.intrus", "jury.m5"} {
		u := s.signIn(juryIdentity(who))
		status, body, _ := u.post(page+"/decisions", url.Values{"etudiant": {juryA}, "record_version": {"1"}})
		if status != http.StatusForbidden {
			t.Errorf("%s's decision: %d, want 403\n%s", who, status, body)
		}
		if who == "jury.m5" && !strings.Contains(body, "Seuls les membres du jury présents") && !strings.Contains(body, "n&#39;était pas présent(e) à l&#39;ouverture") {
			t.Errorf("m5's refusal does not say why:\n%s", body)
		}
	}
	refused, err := hs.Refusals(ctx, juryAuditor, s.Clock.Now().In(time.UTC).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"jury.intrus", "jury.m5"} {
		if !slices.ContainsFunc(refused, func(r handlers.RefusalRecord) bool {
			return r.Actor == who && strings.Contains(r.Target, "/decisions")
		}) {
			t.Errorf("%s's refused decision is not recorded: %+v", who, refused)
		}
	}

	// Closing: confirmed, once everyone is decided.
	body = pres.page(page)
	juryShows(t, "the deliberation with everyone decided", body, "3 décidé(s), 0 à décider", "Clôturer la délibération")
	status, body, _ = pres.post(page+"/cloture", url.Values{})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "confirmation") {
		t.Errorf("closing unconfirmed: %d\n%s", status, body)
	}
	body = pres.page(pres.submit(page+"/cloture", url.Values{"confirmation": {"1"}}))
	juryShows(t, "the closed deliberation", body, "Délibération clôturée", `<span class="badge ok">close</span>`, "Clôturée")
	body = pres.page(page + "?etudiant=" + juryA)
	juryHides(t, "a closed deliberation", body, "Enregistrer la décision")

	// The minutes, with the session cookie.
	resp := juryGet(t, s, pres, "/api/v1/deliberations/MIAS/"+y+"/Q2/minutes?format=pdf")
	if resp.status != http.StatusOK || resp.contentType != "application/pdf" || !bytes.HasPrefix(resp.body, []byte("%PDF")) {
		t.Errorf("minutes PDF: %d %s %q", resp.status, resp.contentType, resp.body[:min(20, len(resp.body))])
	}

	// The replay, step by step, as another member.
	m4 := s.signIn(juryIdentity("jury.m4"))
	body = m4.page(page + "/rejeu")
	juryShows(t, "the replay", body, "quorum : "+quorum+" : quorum atteint.", "Pas 1 sur 3 : Benoît Lambert", "conforme", "octroyés", "déficit d&#39;un point, stage autrement réussi",
		"Pas 2 : Alice Martin", "Pas 3 : Céline Dubois", "Pas suivant", "Le dossier tel qu'il était")
	body = m4.page(page + "/rejeu?pas=3")
	juryShows(t, "the replay's third step", body, "Pas 3 sur 3 : Céline Dubois", "refusés", "échec en travaux pratiques de 1/9",
		"Écarts par rapport à la proposition", "Pas précédent", "Dernier pas", "conforme")
	if status, _ := m4.get(page + "/rejeu?pas=4"); status != http.StatusNotFound {
		t.Errorf("replay step 4 of 3: %d", status)
	}

	// An auditor reads the deliberation and dossiers, and decides nothing.
	aud := s.signIn(juryAuditor)
	juryShows(t, "the auditor's list", aud.page("/deliberations"), "close", "3")
	body = aud.page(page + "?etudiant=" + juryC)
	juryShows(t, "the auditor's dossier", body, "Dossier de Céline Dubois", "Seuls les membres du jury présents")
	juryHides(t, "the auditor's dossier", body, "Enregistrer la décision", "Clôturer la délibération")
}

// TestJuryWhatIf runs the what-if panel: other results, then other
// criteria for every student, compared with the real proposals, and an
// unreadable line refused on the deliberation page with what was typed;
// nothing is written.
func TestJuryWhatIf(t *testing.T) {
	s := startSite(t)
	juryYear(t, s)
	page := "/deliberations/" + gradetest.Year + "/Q2"
	m3 := s.signIn(juryIdentity("jury.m3"))
	body := m3.page(page)
	// The example names the session's first student (A, nothing to
	// deliberate: their first UE sat in Q2); with C's dossier open, C and
	// the activity the rules send to the jury.
	juryShows(t, "the what-if form", body, `action="`+page+`/simulation"`, `name="changements"`, "Simuler",
		`placeholder="`+juryA+`:1/4=10"`, "Par exemple <code>"+juryA+":1/4=10</code>")
	juryShows(t, "the what-if form beside C's dossier", m3.page(page+"?etudiant="+juryC),
		`placeholder="`+juryC+`:1/9:Travaux pratiques=10"`, "Par exemple <code>"+juryC+":1/9:Travaux pratiques=10</code>")
	juryHides(t, "the what-if form", body, "HE260003:1/9:Travaux pratiques=10</code>")
	before := juryLast(t, s)

	// A better practical work for C.
	status, body, _ := m3.post(page+"/simulation", url.Values{"changements": {juryC + ":1/9:Travaux pratiques=10"}})
	if status == http.StatusForbidden && strings.Contains(body, "anti-falsification") {
		t.Fatalf("what-if: 403 for want of the CSRF token the form carries: routes.go must serve POST %s/simulation with u.post(u.whatIf), "+
			"which parses the form before the session is checked (u.page does not)", page)
	}
	if status != http.StatusOK {
		t.Fatalf("what-if: %d\n%s", status, body)
	}
	juryShows(t, "the what-if", body, "Simulation : rien n'a été enregistré", "Céline Dubois", "proposition changée", "ajourné·e", "année réussie",
		"UE 1/9 · Travaux pratiques (Q2) : 10", "1 étudiant(s) dont la proposition change, sur 1 comparé(s)", "statut de l&#39;UE", "à délibérer", "acquise",
		juryC+":1/9:Travaux pratiques=10</textarea>", "Propositions qui changent (1)")
	juryHides(t, "the what-if", body, "Critères simulés", "Propositions inchangées")

	// Other criteria for everyone: a deficit of one point at most, a year
	// average of 9,5, the failed credits the ruleset's; in French.
	status, body, _ = m3.post(page+"/simulation", url.Values{"deficit_max": {"1"}, "moyenne_min": {"9,5"}, "tous": {"1"}})
	if status != http.StatusOK {
		t.Fatalf("what-if on criteria: %d\n%s", status, body)
	}
	juryShows(t, "the what-if on criteria", body,
		"Critères simulés : déficit maximal 1, crédits non acquis au plus 15, moyenne annuelle minimale 9,5/20", "Alice Martin", "Benoît Lambert", "Céline Dubois",
		"1 étudiant(s) dont la proposition change, sur 3 comparé(s)", `name="deficit_max" value="1"`, `name="tous" value="1" checked`)
	juryHides(t, "the what-if on criteria", body, "max_deficit", "max_failed_credits", "min_year_average")
	// The changed proposal (C's 1/9, more than a point short, no longer
	// to deliberate) first, in full, under its count, though C comes last
	// by matricule; the two unchanged after it, one line each.
	changed, unchanged := strings.Index(body, `<h2 id="changees">Propositions qui changent (1)</h2>`), strings.Index(body, `<h2 id="inchangees">Propositions inchangées (2)</h2>`)
	c, a, b := strings.Index(body, `<h3 id="sim-`+juryC+`">`), strings.Index(body, `<tr id="sim-`+juryA+`">`), strings.Index(body, `<tr id="sim-`+juryB+`">`)
	if changed < 0 || unchanged < changed || c < changed || c > unchanged || a < unchanged || b < a {
		t.Errorf("the what-if on criteria lists the changed proposals at %d (C at %d), the unchanged at %d (A at %d, B at %d)", changed, c, unchanged, a, b)
	}
	juryHides(t, "the what-if on criteria", body, "Changements simulés")
	if n := strings.Count(body, "Proposition avant et après la simulation"); n != 1 {
		t.Errorf("the what-if on criteria shows %d full comparison(s), want only the changed one's", n)
	}

	// A change that changes nothing: no proposal changes; A is listed on
	// one line, with the change simulated.
	status, body, _ = m3.post(page+"/simulation", url.Values{"changements": {juryA + ":1/4=14"}})
	if status != http.StatusOK {
		t.Fatalf("a what-if that changes nothing: %d\n%s", status, body)
	}
	juryShows(t, "a what-if that changes nothing", body, "0 étudiant(s) dont la proposition change, sur 1 comparé(s)", "Propositions qui changent (0)",
		"Aucune proposition ne change.", "Propositions inchangées (1)", `<th scope="col">Changements simulés</th>`, `<tr id="sim-`+juryA+`">`, "(Q2) : 14</td></tr>")
	juryHides(t, "a what-if that changes nothing", body, "Proposition avant et après la simulation")

	// An unreadable line: the deliberation page again, the line named and kept.
	status, body, _ = m3.post(page+"/simulation", url.Values{"changements": {juryC + " 1/9 10"}, "moyenne_min": {"dix"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("an unreadable what-if: %d\n%s", status, body)
	}
	juryShows(t, "the unreadable what-if", body, "Refusé, rien n'a été enregistré", `<strong class="field">changements</strong>`, "« "+juryC+" 1/9 10 »",
		"MATRICULE:UE=VALEUR", "(par exemple "+juryA+":1/4=10)", `<strong class="field">moyenne_min</strong>`, "Étudiants de la session", juryC+" 1/9 10</textarea>", `name="moyenne_min" value="dix"`)
	// A change the handlers refuse: a mark off the scale.
	status, body, _ = m3.post(page+"/simulation", url.Values{"changements": {juryC + ":1/11=25"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `<strong class="field">valeur (changement n° 1)</strong>`) {
		t.Errorf("a mark off the scale: %d\n%s", status, body)
	}
	if after := juryLast(t, s); after != before {
		t.Errorf("the what-if wrote to the log: %d -> %d", before, after)
	}
}

func juryLast(t *testing.T, s *site) uint64 {
	t.Helper()
	p, err := s.Log.LastPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type juryAnswer struct {
	status      int
	contentType string
	body        []byte
}

// juryGet fetches path with the user's cookies, keeping the answer's type.
func juryGet(t *testing.T, s *site, u *user, path string) juryAnswer {
	t.Helper()
	resp, err := u.client.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return juryAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b}
}
