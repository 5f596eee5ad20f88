package web_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/gradelog/gradelog/demo"
)

// The flows of the roles the newcomer's walk (browser_demo_test.go) does
// not take, on the demo as `gradelog serve --demo` loads it: the
// secretariat, a student, and the jury's replay and what-if panel. Each
// test starts its own demo and browser; screenshots are roles-NN-*.png.

// snapper numbers a test's screenshots from first.
func snapper(first int) func(name string) step {
	n := first - 1
	return func(name string) step {
		n++
		return shot(fmt.Sprintf("roles-%02d-%s", n, name))
	}
}

// status is the HTTP status of the page the browser shows (a form's
// refusal answers 422 with the page again, a forbidden page 403).
func status(t *testing.T, ctx context.Context) int {
	t.Helper()
	return get(t, ctx, "the page's status", chromedp.Evaluate[int](`performance.getEntriesByType("navigation")[0].responseStatus`))
}

// logPosition is the log's last position as the server knows it, read
// from the Gradelog-Log-Position header of an API answer with the
// session's cookie (a read: it writes nothing).
func logPosition(t *testing.T, ctx context.Context) uint64 {
	t.Helper()
	h := get(t, ctx, "the log's position", chromedp.Evaluate[string](`fetch("/api/v1/juries/`+demo.Programme+`/`+demo.Year+`")
		.then(r => r.status === 200 ? r.headers.get("Gradelog-Log-Position") : "status " + r.status)`, chromedp.EvalAwaitPromise))
	p, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		t.Fatalf("the log's position: %q", h)
	}
	return p
}

// download fetches the link a CSS selector names and answers its status,
// content type and length.
func download(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "fetch "+sel, chromedp.Evaluate[string](`fetch(document.querySelector(`+strconv.Quote(sel)+`).href)
		.then(async r => r.status + " " + r.headers.get("Content-Type") + " " + (await r.arrayBuffer()).byteLength)`, chromedp.EvalAwaitPromise))
}

// media emulates a CSS media type ("print"; "" for the screen again).
func media(m string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// texts reads the trimmed text of every element matching a CSS selector.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	return get(t, ctx, "read "+sel, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(sel)+`)).map(e => e.innerText.trim())`))
}

// unaccent is s in lower case without its accents, as one types a name
// on a keyboard without them.
func unaccent(s string) string {
	out, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	return strings.ToLower(out)
}

// TestBrowserRolesSecretariat: the secretariat finds a student by a name
// typed without its accent, reads their PAE and what they may take next,
// has an amended PAE that breaks three requisites refused with all three
// and nothing written, reschedules the Q3 session (dates out of order
// refused first), extends a student's deadline on the open Q3 sheet (the
// deadline day itself refused first), records a justified absence (CM)
// seen on the sheet, and reopens a submitted sheet (a reason is required).
func TestBrowserRolesSecretariat(t *testing.T) {
	ctx := browser(t, 2*time.Minute)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startDemo(t)
	snap := snapper(1)
	s.signIn(t, ctx, "secr.dubois", "Étudiants")

	// 1. The directory: a student whose last name has an accent, found by
	// typing it without.
	type entry struct{ Last, First, Matricule string }
	all := get(t, ctx, "the directory", chromedp.Evaluate[[]entry](`Array.from(document.querySelectorAll("main table tbody tr")).map(tr => ({
		Last: tr.cells[0].innerText.trim(), First: tr.cells[1].innerText.trim(), Matricule: tr.cells[2].innerText.trim()}))`))
	i := slices.IndexFunc(all, func(e entry) bool { return unaccent(e.Last) != strings.ToLower(e.Last) })
	if len(all) != 24 || i < 0 {
		t.Fatalf("the directory lists %d students (want the demo's 24), one with an accented last name at %d: %+v", len(all), i, all)
	}
	st := all[i]
	typed := unaccent(st.Last)
	run(t, ctx, "search "+typed,
		chromedp.Focus(chromedp.CSS(`main input[name=q]`)),
		chromedp.KeyEvent(typed), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//main//input[@name="q" and @value="`+typed+`"]`)), // the answer's, not what was typed
		snap("recherche-sans-accent"),
	)
	found := texts(t, ctx, "main table tbody tr")
	if len(found) == 0 || len(found) >= len(all) || !slices.ContainsFunc(found, func(r string) bool { return strings.Contains(r, st.Matricule) }) {
		t.Fatalf("searching %q (for %s %s) lists %q", typed, st.Last, st.Matricule, found)
	}
	for _, r := range found {
		if !strings.Contains(unaccent(r), typed) {
			t.Errorf("searching %q lists %q", typed, r)
		}
	}
	if got := get(t, ctx, "the search box", chromedp.Value(chromedp.CSS(`main input[name=q]`))); got != typed {
		t.Errorf("the search box shows %q after searching, want %q", got, typed)
	}
	// The demo's emails hold the names without accents, so the search
	// above would find the student without folding accents; typed with
	// the wrong accent, the name is found only if the search folds them.
	if wrong := strings.Map(func(r rune) rune {
		switch r {
		case 'è', 'ë', 'ê':
			return 'é'
		case 'é':
			return 'è'
		}
		return r
	}, st.Last); wrong != st.Last {
		run(t, ctx, "search "+wrong,
			chromedp.Focus(chromedp.CSS(`main input[name=q]`)),
			chromedp.KeyEvent(kb.End), chromedp.KeyEvent(strings.Repeat(kb.Backspace, len([]rune(typed)))),
			chromedp.KeyEvent(wrong), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.Search(`//main//input[@name="q" and @value="`+wrong+`"]`)),
		)
		if got := texts(t, ctx, "main table tbody tr"); !slices.ContainsFunc(got, func(r string) bool { return strings.Contains(r, st.Matricule) }) {
			t.Errorf("searching %q (for %s %s) lists %q", wrong, st.Last, st.Matricule, got)
		}
	}

	// 2. Their page: the PAE, what they may take next.
	studentPath := "/etudiants/" + st.Matricule
	run(t, ctx, "open "+st.Matricule,
		chromedp.Click(chromedp.CSS(`main a[href="`+studentPath+`"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "`+st.Matricule+`")]`)),
		snap("etudiant"),
	)
	if h := text(t, ctx, "h1"); h != st.First+" "+st.Last+" ("+st.Matricule+")" {
		t.Errorf("the student's page is titled %q", h)
	}
	pae := func() []string {
		t.Helper()
		return get(t, ctx, "the PAE", chromedp.Evaluate[[]string](`(() => {
			const h = Array.from(document.querySelectorAll("main h3")).find(h => h.textContent.trim() === "`+demo.Year+`");
			return h ? Array.from(h.nextElementSibling.querySelectorAll("li")).map(li => li.textContent.trim().split(" ")[1]) : [];
		})()`))
	}
	bloc1 := []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	if got := pae(); !slices.Equal(got, bloc1) {
		t.Fatalf("the PAE %s of %s shows %v, want bloc 1 %v", demo.Year, st.Matricule, got, bloc1)
	}
	type ready struct{ UE, Status, Missing, CoEnrol string }
	readiness := get(t, ctx, "readiness", chromedp.Evaluate[[]ready](`(() => {
		const h = Array.from(document.querySelectorAll("main h2")).find(h => h.textContent.startsWith("Prérequis pour la suite"));
		if (!h) return [];
		return Array.from(h.nextElementSibling.nextElementSibling.querySelectorAll("tbody tr")).map(tr => ({
			UE: tr.cells[0].innerText.trim(), Status: tr.cells[1].innerText.trim(), Missing: tr.cells[2].innerText.trim(), CoEnrol: tr.cells[3].innerText.trim()}));
	})()`))
	situation := map[string]ready{}
	for _, r := range readiness {
		situation[r.UE] = r
	}
	for ue, want := range map[string]ready{
		"1/4": {Status: "acquise"}, "2/1": {Status: "accessible"}, "1/3": {Status: "non requis"},
		"2/9": {Status: "avec ses corequis", CoEnrol: "2/11"}, "2/11": {Status: "avec ses corequis", CoEnrol: "2/9"},
	} {
		if got := situation[ue]; got.Status != want.Status || got.CoEnrol != want.CoEnrol || got.Missing != "" {
			t.Errorf("readiness of %s after %s: %+v, want %q with co-requisite %q", ue, demo.Year, got, want.Status, want.CoEnrol)
		}
	}
	if got := text(t, ctx, "main h2 + p"); !strings.Contains(got, "crédit(s) du programme restent à acquérir") {
		t.Errorf("readiness says %q", got)
	}

	// 3. An amended PAE that drops 1/12 (the co-requisite of 1/11), adds
	// 1/3 (a complement the admission does not require) and 2/9 without
	// its co-requisite 2/11: refused with the three, nothing written.
	paeForm := `main form[action="` + studentPath + `/pae"]`
	ticked := func() []string {
		t.Helper()
		return get(t, ctx, "the ticked UEs", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(paeForm+` input[name=ue]:checked`)+`)).map(i => i.value)`))
	}
	if got := ticked(); !slices.Equal(got, bloc1) {
		t.Errorf("the PAE form ticks %v, want the PAE in force %v", got, bloc1)
	}
	before := logPosition(t, ctx)
	run(t, ctx, "amend the PAE against its requisites",
		chromedp.Click(chromedp.CSS(paeForm+` input[name=ue][value="1/12"]`)),
		chromedp.Click(chromedp.CSS(paeForm+` input[name=ue][value="1/3"]`)),
		chromedp.Click(chromedp.CSS(paeForm+` input[name=ue][value="2/9"]`)),
		chromedp.SendKeys(chromedp.CSS(paeForm+` input[name=motif]`), "réorientation"),
		chromedp.Click(chromedp.Search(`//form[@action="`+studentPath+`/pae"]//button[contains(., "Modifier le PAE")]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .refusal`)),
		snap("pae-refuse"),
	)
	if got := status(t, ctx); got != 422 {
		t.Errorf("the refused PAE answers %d, want 422", got)
	}
	problems := texts(t, ctx, "main .refusal li")
	if len(problems) != 3 {
		t.Errorf("the refused PAE lists %d problem(s), want 3 (1/3, 1/11, 2/9): %q", len(problems), problems)
	}
	for _, ue := range []string{"1/3", "1/11", "2/9"} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, "« "+ue+" »") }) {
			t.Errorf("the refused PAE does not name UE %s: %q", ue, problems)
		}
	}
	want := append(slices.DeleteFunc(slices.Clone(bloc1), func(ue string) bool { return ue == "1/12" }), "1/3", "2/9")
	if got := ticked(); !sameSet(got, want) {
		t.Errorf("after the refusal the form ticks %v, want what was ticked %v", got, want)
	}
	if got := pae(); !slices.Equal(got, bloc1) {
		t.Errorf("after the refusal the PAE shows %v, want unchanged %v", got, bloc1)
	}
	if after := logPosition(t, ctx); after != before {
		t.Errorf("the refused PAE moved the log from %d to %d", before, after)
	}
	run(t, ctx, "read the student's page again", chromedp.Navigate(s.URL+studentPath), chromedp.WaitVisible(chromedp.CSS(paeForm)))
	if got := pae(); !slices.Equal(got, bloc1) {
		t.Errorf("read again, the PAE shows %v, want unchanged %v", got, bloc1)
	}
	if got := ticked(); !slices.Equal(got, bloc1) {
		t.Errorf("read again, the PAE form ticks %v, want %v", got, bloc1)
	}
	// The optional workshop added, which breaks nothing.
	run(t, ctx, "add the optional workshop",
		chromedp.Click(chromedp.CSS(paeForm+` input[name=ue][value="OPT/1"]`)),
		chromedp.SendKeys(chromedp.CSS(paeForm+` input[name=motif]`), "atelier"),
		chromedp.Click(chromedp.Search(`//form[@action="`+studentPath+`/pae"]//button[contains(., "Modifier le PAE")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "PAE modifié")]`)),
		snap("pae-modifie"),
	)
	if got, want := pae(), append(slices.Clone(bloc1), "OPT/1"); !sameSet(got, want) {
		t.Errorf("amended, the PAE shows %v, want %v", got, want)
	}
	if after := logPosition(t, ctx); after != before+1 {
		t.Errorf("the amendment wrote %d record(s), want 1", after-before)
	}

	// 4. The calendar: Q3 rescheduled, dates out of order refused first.
	q3Deadline := func() string {
		t.Helper()
		return get(t, ctx, "the Q3 deadline", chromedp.Evaluate[string](`(() => {
			const th = Array.from(document.querySelectorAll("main table tbody th")).find(th => th.textContent.trim() === "Q3");
			return th ? th.parentElement.cells[2].innerText.trim() : "";
		})()`))
	}
	run(t, ctx, "the sessions' page",
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Sessions"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Sessions et échéances")]`)),
		snap("sessions"),
	)
	if got := texts(t, ctx, "main table tbody th"); !slices.Equal(got, []string{"Q1", "Q2", "Q3"}) {
		t.Errorf("the calendar lists %v, want Q1, Q2, Q3", got)
	}
	if got := q3Deadline(); got != "9 septembre 2026 à 23:59" {
		t.Errorf("the Q3 deadline shows %q, want the demo's 9 septembre 2026 à 23:59", got)
	}
	sessionForm := `main form[action="/sessions"][method=post]`
	dates := map[string]string{"examens_du": "2026-08-17", "examens_au": "2026-09-04", "echeance": "2026-08-31", "deliberation": "2026-09-10", "publication": "2026-09-11"}
	steps := []step{chromedp.SetValue(chromedp.CSS(sessionForm+` select[name=session]`), "Q3")}
	for _, f := range []string{"examens_du", "examens_au", "echeance", "deliberation", "publication"} {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sessionForm+` input[name=`+f+`]`), dates[f]))
	}
	before = logPosition(t, ctx)
	steps = append(steps,
		chromedp.Click(chromedp.Search(`//form[@action="/sessions" and @method="post"]//button[contains(., "Planifier")]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .refusal`)),
		snap("sessions-refus"),
	)
	run(t, ctx, "a deadline before the exams end", steps...)
	if got := texts(t, ctx, "main .refusal li"); len(got) != 1 || !strings.Contains(got[0], "« 2026-08-31 »") {
		t.Errorf("the deadline before the end of the exams is refused with %q, want the one date named", got)
	}
	// The field is named in plain emphasised text, not as code; the box
	// keeps its distance from the form below it.
	if got := get(t, ctx, "the field's font", chromedp.Evaluate[string](`(() => {
		const f = document.querySelector("main .refusal li strong.field");
		return f ? f.textContent + " / " + getComputedStyle(f).fontFamily : "none";
	})()`)); !strings.HasPrefix(got, "échéance d'encodage / ") || strings.Contains(got, "monospace") {
		t.Errorf("the refused field shows as %q, want its French label in the page's font", got)
	}
	if gap := get(t, ctx, "the gap below the refusal", chromedp.Evaluate[float64](`(() => {
		const box = document.querySelector("main .refusal");
		return box.nextElementSibling.getBoundingClientRect().top - box.getBoundingClientRect().bottom;
	})()`)); gap < 12 {
		t.Errorf("the refusal's box is %.0f px from the form below it, want some room (at least 12 px)", gap)
	}
	if got := q3Deadline(); got != "9 septembre 2026 à 23:59" {
		t.Errorf("after the refusal the Q3 deadline shows %q", got)
	}
	if after := logPosition(t, ctx); after != before {
		t.Errorf("the refused schedule moved the log from %d to %d", before, after)
	}
	if got := get(t, ctx, "the kept dates", chromedp.Evaluate[string](`["session", "examens_du", "publication"].map(n => document.querySelector(`+strconv.Quote(sessionForm)+` + " [name=" + n + "]").value).join(" ")`)); got != "Q3 2026-08-17 2026-09-11" {
		t.Errorf("after the refusal the form holds %q, want what was typed", got)
	}
	run(t, ctx, "a day's more to encode",
		chromedp.SetValue(chromedp.CSS(sessionForm+` input[name=echeance]`), "2026-09-10"),
		chromedp.Click(chromedp.Search(`//form[@action="/sessions" and @method="post"]//button[contains(., "Planifier")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Session Q3 `+demo.Year+` planifiée")]`)),
		snap("sessions-replanifiee"),
	)
	if got := q3Deadline(); got != "10 septembre 2026 à 23:59" {
		t.Errorf("rescheduled, the Q3 deadline shows %q, want 10 septembre 2026 à 23:59", got)
	}

	// 5. The open Q3 sheet of 1/9: the new deadline, and one student's
	// extended (the deadline's own day refused first).
	sheetPath := "/feuilles/" + demo.Year + "/Q3/" + demo.OpenUE
	openSheet := func(path, what string) {
		t.Helper()
		run(t, ctx, "open "+path,
			chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Feuilles de cotes"]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Feuilles de cotes"]`)),
			chromedp.Click(chromedp.CSS(`main a[href="`+path+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#etat`)),
		)
		if what != "" {
			run(t, ctx, "snap "+what, snap(what))
		}
	}
	run(t, ctx, "the sheets' list",
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Feuilles de cotes"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Feuilles de cotes"]`)),
	)
	if got := text(t, ctx, "main section h2"); !strings.Contains(got, "Q3 "+demo.Year) || !strings.Contains(got, "10 septembre 2026 à 23:59") {
		t.Errorf("the sheets' list heads Q3 with %q, want the new deadline", got)
	}
	openSheet(sheetPath, "")
	type row struct{ Matricule, Name, State string }
	rows := func() []row {
		t.Helper()
		return get(t, ctx, "the sheet's rows", chromedp.Evaluate[[]row](`Array.from(document.querySelectorAll("#saisie tbody tr[data-student]")).map(tr => ({
			Matricule: tr.dataset.student, Name: tr.cells[0].innerText.trim(), State: tr.querySelector("td.state").innerText.trim()}))`))
	}
	before1 := rows()
	if len(before1) != 3 {
		t.Fatalf("the Q3 sheet of %s has %d rows, want the demo's 3 re-sits: %+v", demo.OpenUE, len(before1), before1)
	}
	if got := text(t, ctx, "#etat + dt + dd"); got != "10 septembre 2026 à 23:59" {
		t.Errorf("the sheet's deadline shows %q, want the rescheduled one", got)
	}
	missing := text(t, ctx, "#manquantes")
	resit := s.account(t, "", "repasse les travaux pratiques de l'UE "+demo.OpenUE) // CM below
	late := before1[slices.IndexFunc(before1, func(r row) bool { return r.Matricule != resit.ID })]
	extend := `main form[action="` + sheetPath + `/prolongation"]`
	before = logPosition(t, ctx)
	run(t, ctx, "extend to the deadline's own day",
		chromedp.SetValue(chromedp.CSS(extend+` select[name=etudiant]`), late.Matricule),
		chromedp.SetValue(chromedp.CSS(extend+` input[name=jusquau]`), "2026-09-10"),
		chromedp.SendKeys(chromedp.CSS(extend+` input[name=motif]`), "examen reporté"),
		chromedp.Click(chromedp.Search(`//form[@action="`+sheetPath+`/prolongation"]//button[contains(., "Prolonger")]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .refusal`)),
		snap("prolongation-refusee"),
	)
	if got := texts(t, ctx, "main .refusal li"); len(got) != 1 || !strings.Contains(got[0], "« 2026-09-10 »") {
		t.Errorf("an extension to the deadline's day is refused with %q, want the date named", got)
	}
	if after := logPosition(t, ctx); after != before {
		t.Errorf("the refused extension moved the log from %d to %d", before, after)
	}
	if got := get(t, ctx, "the kept reason", chromedp.Value(chromedp.CSS(extend+` input[name=motif]`))); got != "examen reporté" {
		t.Errorf("after the refusal the reason shows %q", got)
	}
	run(t, ctx, "extend by a week",
		chromedp.SetValue(chromedp.CSS(extend+` input[name=jusquau]`), "2026-09-18"),
		chromedp.Click(chromedp.Search(`//form[@action="`+sheetPath+`/prolongation"]//button[contains(., "Prolonger")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Échéance prolongée pour `+late.Matricule+`")]`)),
		snap("prolongation"),
	)
	for _, r := range rows() {
		extended := strings.Contains(r.State, "prolongation au 18 septembre 2026 à 23:59")
		if extended != (r.Matricule == late.Matricule) {
			t.Errorf("after extending %s's deadline, the row of %s says %q", late.Matricule, r.Matricule, r.State)
		}
	}

	// 6. A justified absence (CM) on the re-sit's practical work, from
	// their page, seen on the sheet.
	run(t, ctx, "find "+resit.ID,
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Étudiants"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main input[name=q]`)),
		chromedp.Focus(chromedp.CSS(`main input[name=q]`)),
		chromedp.KeyEvent(resit.ID), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//main//input[@name="q" and @value="`+resit.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`main a[href="/etudiants/`+resit.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main form[action="/etudiants/`+resit.ID+`/absence"]`)),
	)
	absence := `main form[action="/etudiants/` + resit.ID + `/absence"]`
	if got := get(t, ctx, "the default code", chromedp.Value(chromedp.CSS(absence+` select[name=code]`))); got != "CM" {
		t.Errorf("the absence form proposes the code %q, want CM", got)
	}
	run(t, ctx, "record a CM",
		chromedp.SetValue(chromedp.CSS(absence+` select[name=session]`), "Q3"),
		chromedp.SetValue(chromedp.CSS(absence+` select[name=epreuve]`), demo.OpenUE+"|Travaux pratiques"),
		chromedp.SendKeys(chromedp.CSS(absence+` input[name=motif]`), "certificat du 3/9"),
		chromedp.Click(chromedp.Search(`//form[@action="/etudiants/`+resit.ID+`/absence"]//button[contains(., "Enregistrer")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Absence enregistrée (CM) pour l'UE `+demo.OpenUE+`, Q3")]`)),
		snap("absence-enregistree"),
	)
	openSheet(sheetPath, "feuille-q3-cm")
	cell := get(t, ctx, "the CM's cell", chromedp.Evaluate[string](`(() => {
		const col = Array.from(document.querySelectorAll("#saisie thead th")).findIndex(th => th.textContent.trim() === "Travaux pratiques");
		const td = document.querySelector('#saisie tr[data-student="`+resit.ID+`"]').cells[col];
		const input = td.querySelector("input.entry");
		return input ? input.value : td.innerText.trim();
	})()`))
	if cell != "CM" {
		t.Errorf("the practical work of %s on the Q3 sheet shows %q, want CM", resit.ID, cell)
	}
	if was, _ := strconv.Atoi(missing); text(t, ctx, "#manquantes") != strconv.Itoa(was-1) {
		t.Errorf("missing values on the sheet: %s before the CM, %s after", missing, text(t, ctx, "#manquantes"))
	}

	// 7. A submitted Q3 sheet reopened: a reason is required (the browser
	// asks for one, the server refuses blanks), then given.
	submitted := "/feuilles/" + demo.Year + "/Q3/1/10" // the re-sit after a CM in June
	openSheet(submitted, "")
	if got := text(t, ctx, "#etat"); !strings.HasPrefix(got, "remise") {
		t.Fatalf("the sheet %s says %q, want remise", submitted, got)
	}
	reopen := `main form[action="` + submitted + `/reouverture"]`
	run(t, ctx, "reopen without a reason",
		chromedp.Click(chromedp.Search(`//form[@action="`+submitted+`/reouverture"]//button[contains(., "Rouvrir la feuille")]`)),
		chromedp.Sleep(100*time.Millisecond), // a post would have left the page by then
	)
	if invalid := get(t, ctx, "the reason's validity", chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(reopen+` input[name=motif]`)+`).validity.valueMissing`)); !invalid {
		t.Error("the reopening's empty reason is not flagged as missing")
	}
	if loc := get(t, ctx, "location", chromedp.Location()); loc != s.URL+submitted {
		t.Errorf("an empty reason was posted: the browser went to %s", loc)
	}
	before = logPosition(t, ctx)
	run(t, ctx, "reopen with a blank reason",
		chromedp.SendKeys(chromedp.CSS(reopen+` input[name=motif]`), "   "),
		chromedp.Click(chromedp.Search(`//form[@action="`+submitted+`/reouverture"]//button[contains(., "Rouvrir la feuille")]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .refusal`)),
		snap("reouverture-refusee"),
	)
	if got := status(t, ctx); got != 422 {
		t.Errorf("reopening with a blank reason answers %d, want 422", got)
	}
	if got := text(t, ctx, "#etat"); !strings.HasPrefix(got, "remise") {
		t.Errorf("after the refused reopening the sheet says %q, want still remise", got)
	}
	if after := logPosition(t, ctx); after != before {
		t.Errorf("the refused reopening moved the log from %d to %d", before, after)
	}
	run(t, ctx, "reopen with a reason",
		chromedp.Clear(chromedp.CSS(reopen+` input[name=motif]`)),
		chromedp.SendKeys(chromedp.CSS(reopen+` input[name=motif]`), "CM reçu tard"),
		chromedp.Click(chromedp.Search(`//form[@action="`+submitted+`/reouverture"]//button[contains(., "Rouvrir la feuille")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Feuille rouverte")]`)),
		snap("feuille-rouverte"),
	)
	if got := text(t, ctx, "#etat"); !strings.HasPrefix(got, "rouverte") {
		t.Errorf("the reopened sheet says %q, want rouverte", got)
	}
	// The import of a reopened sheet asks for a reason: beside the file,
	// both on one line, the two options below each other, aligned.
	type box struct{ Top, Left, Bottom float64 }
	boxes := get(t, ctx, "the import form's layout", chromedp.Evaluate[map[string]box](`(() => {
		const f = document.querySelector('main form[action$="/import"]'), out = {};
		const at = (name, e) => { if (e) { const r = e.getBoundingClientRect(); out[name] = {Top: r.top, Left: r.left, Bottom: r.bottom}; } };
		at("file", f.querySelector("input[name=fichier]"));
		at("reason", f.querySelector("input[name=motif]"));
		at("preview", f.querySelector("input[name=apercu]").closest("label"));
		at("partial", f.querySelector("input[name=partiel]").closest("label"));
		at("button", f.querySelector("button"));
		return out;
	})()`))
	file, reason, preview, partial, button := boxes["file"], boxes["reason"], boxes["preview"], boxes["partial"], boxes["button"]
	switch {
	case reason == (box{}):
		t.Error("the reopened sheet's import asks for no reason")
	case math.Abs(reason.Bottom-file.Bottom) > 2 || reason.Left <= file.Left:
		t.Errorf("the import's reason is not beside the file: file %+v, reason %+v", file, reason)
	case preview.Left != partial.Left || preview.Top < file.Bottom || partial.Top < preview.Bottom || button.Top < partial.Bottom:
		t.Errorf("the import's options are not aligned below the file: file %+v, options %+v and %+v, button %+v", file, preview, partial, button)
	}
	if after := logPosition(t, ctx); after != before+1 {
		t.Errorf("reopening wrote %d record(s), want 1", after-before)
	}
	run(t, ctx, "the sheets' list after reopening",
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Feuilles de cotes"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Feuilles de cotes"]`)),
	)
	if got := text(t, ctx, `main tr:has(a[href="`+submitted+`"])`); !strings.Contains(got, "rouverte") {
		t.Errorf("the sheets' list shows %q for the reopened sheet", got)
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestBrowserRolesStudent: the student whose appeal was upheld signs in
// and lands on their transcript, published: every UE with its mark (the
// corrected one said so), the credits, the jury's decisions; the PDF link
// answers a PDF; printed, the page drops the navigation and the links;
// another student's history is refused, in French.
func TestBrowserRolesStudent(t *testing.T) {
	ctx := browser(t, time.Minute)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startDemo(t)
	snap := snapper(20)
	me, other := s.account(t, "", "recours fondé"), s.account(t, "", "repasse les travaux pratiques")
	s.signIn(t, ctx, me.ID, "Mon relevé de notes")
	run(t, ctx, "the transcript", snap("releve"))

	if got := text(t, ctx, "main dl.facts dd"); got != me.Name+" ("+me.ID+")" {
		t.Errorf("the transcript is of %q, want %s (%s)", got, me.Name, me.ID)
	}
	year := `main section[aria-labelledby="annee-` + demo.Year + `"]`
	if got := text(t, ctx, year+" h2"); !strings.HasPrefix(got, "Année académique "+demo.Year) {
		t.Errorf("the year's heading: %q", got)
	}
	type ue struct{ UE, Sessions, Mark, Status string }
	ues := get(t, ctx, "the UEs", chromedp.Evaluate[[]ue](`Array.from(document.querySelectorAll(`+strconv.Quote(year+" tbody tr")+`)).map(tr => ({
		UE: tr.cells[0].innerText.trim(), Sessions: tr.cells[3].innerText.trim(), Mark: tr.cells[4].innerText.trim(), Status: tr.cells[5].innerText.trim()}))`))
	if len(ues) != 11 {
		t.Fatalf("the transcript lists %d UEs, want the 11 of bloc 1: %+v", len(ues), ues)
	}
	for _, u := range ues {
		if u.Mark == "" || !strings.HasPrefix(u.Status, "acquise") {
			t.Errorf("UE %s: mark %q, status %q; want a mark, acquired (the year is passed)", u.UE, u.Mark, u.Status)
		}
		if corrected := strings.Contains(u.Sessions, "(corrigée)"); corrected != (u.UE == "1/11") {
			t.Errorf("UE %s's sessions say %q: only 1/11's mark was corrected after the appeal", u.UE, u.Sessions)
		}
		if u.UE == "1/11" && u.Mark != "11" {
			t.Errorf("UE 1/11 shows %q, want the corrected 11", u.Mark)
		}
	}
	facts := map[string]string{}
	for _, f := range get(t, ctx, "the year's facts", chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll(`+strconv.Quote(year+" dl.facts dt")+`)).map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])`)) {
		facts[f[0]] = f[1]
	}
	if got := facts["Crédits"]; got != "60 acquis sur 60 inscrits (0 restants)" {
		t.Errorf("credits: %q", got)
	}
	if got := facts["Décision du jury"]; !strings.Contains(got, "juin (Q2) : année réussie") || strings.Contains(got, "ajourné") {
		t.Errorf("the jury's decisions: %q, want the year passed in June (the decision after the appeal, not the one it replaced)", got)
	}
	ledger := get(t, ctx, "the ledger", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('main section[aria-labelledby="credits-titre"] tbody tr')).map(tr => tr.innerText.replace(/\s+/g, " ").trim())`))
	if len(ledger) != 3 || ledger[0] != "Bloc 1 60 60 60 0 0 0" {
		t.Errorf("the cycle's credits: %q, want bloc 1's 60 acquired by mark", ledger)
	}

	// The year's PDF.
	if got := download(t, ctx, year+` a[href*="format=pdf"]`); !strings.HasPrefix(got, "200 application/pdf") {
		t.Errorf("the transcript's PDF link answers %q, want 200 application/pdf", got)
	}

	// Printed: no navigation, no footer, no links of the screen; the
	// transcript itself stays.
	display := func(sel string) string {
		t.Helper()
		return get(t, ctx, "display of "+sel, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(`+strconv.Quote(sel)+`)).display`))
	}
	hidden := []string{"header.top", "footer", "a.skip", "main p.noprint", year + " p.noprint"}
	for _, sel := range hidden {
		if got := display(sel); got == "none" {
			t.Errorf("on screen, %s is hidden", sel)
		}
	}
	run(t, ctx, "print", media("print"), snap("releve-impression"))
	for _, sel := range hidden {
		if got := display(sel); got != "none" {
			t.Errorf("printed, %s shows (display %s)", sel, got)
		}
	}
	for _, sel := range []string{year + " table", year + " dl.facts", "main h1"} {
		if got := display(sel); got == "none" {
			t.Errorf("printed, %s is hidden", sel)
		}
	}
	run(t, ctx, "back to the screen", media(""))

	// Another student's history: refused, in French, without their name.
	timeline := "/etudiants/" + other.ID + "/historique"
	run(t, ctx, "another student's history",
		chromedp.Navigate(s.URL+timeline),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
		snap("historique-refuse"),
	)
	if got := status(t, ctx); got != 403 {
		t.Errorf("%s answers %d to %s, want 403", timeline, got, me.ID)
	}
	if got := text(t, ctx, "main h1"); got != "Refusé" {
		t.Errorf("%s shows %q to %s, want Refusé", timeline, got, me.ID)
	}
	// A refusal for want of a right is recorded: the page says so rather
	// than that nothing was recorded.
	if got := text(t, ctx, "main .refusal"); !strings.HasPrefix(got, "Refusé : rien n'a été modifié ; la tentative est consignée au journal.") || strings.Contains(got, "rien n'a été enregistré") {
		t.Errorf("the refusal says %q, want that nothing changed and the attempt is recorded", got)
	}
	if got := text(t, ctx, `main a[href="/"]`); got != "Retour à l'accueil" {
		t.Errorf("the refusal's way back reads %q", got)
	}
	if lang := get(t, ctx, "lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "fr" {
		t.Errorf("the refusal's page is in %q", lang)
	}
	if body := text(t, ctx, "main"); strings.Contains(body, other.Name) {
		t.Errorf("the refusal shows the other student's name: %q", body)
	}
	t.Logf("the refusal: %q", text(t, ctx, "main .refusal"))
	if got := texts(t, ctx, "header nav a"); !slices.Equal(got, []string{"Mon relevé"}) {
		t.Errorf("a student's navigation offers %q, want only their transcript", got)
	}
}

// TestBrowserRolesJuryReplayAndWhatIf: the jury's president steps through
// the Q2 deliberation's replay with the keyboard, each step with the
// dossier as the jury had it (the appellant's mark before and after its
// correction, every version matching); then, on the deliberation's
// what-if panel, a mark raised and a criterion loosened change proposals
// while nothing is written.
func TestBrowserRolesJuryReplayAndWhatIf(t *testing.T) {
	ctx := browser(t, time.Minute)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startDemo(t)
	snap := snapper(30)
	appellant := s.account(t, "", "recours fondé")
	s.signIn(t, ctx, "jury.delvaux", "Délibérations")
	delib := "/deliberations/" + demo.Year + "/Q2"
	run(t, ctx, "the Q2 deliberation",
		chromedp.Click(chromedp.CSS(`main a[href="`+delib+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[aria-labelledby=etat]`)),
	)
	counts := text(t, ctx, `section[aria-labelledby=etat] dl`)
	if !strings.Contains(counts, "publiée") || !strings.Contains(counts, "24 décidé(s), 0 à décider") {
		t.Fatalf("the Q2 deliberation says %q, want published with its 24 students decided", counts)
	}

	// 1. The replay, step by step.
	type shown struct {
		Heading, Dossier, Version, Badge, Position, Current string
		Prev, Next                                          bool
	}
	at := func() shown {
		t.Helper()
		return get(t, ctx, "the step", chromedp.Evaluate[shown](`(() => {
			const dd = dt => { const e = Array.from(document.querySelectorAll("#pas .panel dt")).find(e => e.textContent.trim() === dt); return e ? e.nextElementSibling.innerText.trim() : ""; };
			const cur = document.querySelector("[aria-current=step]");
			return {
				Heading: document.getElementById("pas-titre").innerText.trim(),
				Dossier: document.querySelector("#pas .split > div:first-child dl.facts dd").innerText.trim(),
				Version: dd("Version du dossier"), Position: dd("Position dans le journal"),
				Badge: (document.querySelector("#pas .panel .badge") || {innerText: ""}).innerText.trim(),
				Current: cur ? cur.innerText.trim() : "",
				Prev: !!document.querySelector("#pas a[rel=prev]"), Next: !!document.querySelector("#pas a[rel=next]"),
			};
		})()`))
	}
	mark := func(ue string) string {
		t.Helper()
		return get(t, ctx, "the mark of "+ue, chromedp.Evaluate[string](`(() => {
			const th = Array.from(document.querySelectorAll("#pas .split > div:first-child tbody th")).find(th => th.textContent.trim() === "`+ue+`");
			return th ? th.parentElement.cells[4].innerText.trim() : "";
		})()`))
	}
	run(t, ctx, "the replay",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Rejeu des décisions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pas-titre`)),
		snap("rejeu-pas-1"),
	)
	list := texts(t, ctx, `section[aria-labelledby=tous-pas] li`)
	n := len(list)
	if n != 25 {
		t.Errorf("the replay lists %d decisions, want the 24 students and the decision after the appeal", n)
	}
	if got := texts(t, ctx, `section[aria-labelledby=tous-pas] .badge.bad`); len(got) != 0 {
		t.Errorf("the replay flags %d decision(s) taken on another version of the dossier", len(got))
	}
	// check asserts the step shown is step i: its heading, the dossier of
	// the student it names, a version that matches, the links around it.
	check := func(i int) shown {
		t.Helper()
		st := at()
		prefix := fmt.Sprintf("Pas %d sur %d : ", i, n)
		mat := st.Heading[strings.LastIndex(st.Heading, "(")+1 : max(strings.LastIndex(st.Heading, ")"), 0)]
		if !strings.HasPrefix(st.Heading, prefix) || st.Dossier != mat || !strings.HasPrefix(st.Current, fmt.Sprintf("Pas %d : ", i)) {
			t.Errorf("at step %d: heading %q, the dossier of %q, the list's current step %q", i, st.Heading, st.Dossier, st.Current)
		}
		if !strings.Contains(st.Version, "conforme") || st.Badge != "conforme" {
			t.Errorf("at step %d, the dossier's version: %q (badge %q), want conforme", i, st.Version, st.Badge)
		}
		if st.Prev != (i > 1) || st.Next != (i < n) {
			t.Errorf("at step %d: previous link %v, next link %v", i, st.Prev, st.Next)
		}
		return st
	}
	first := check(1)
	run(t, ctx, "the next step, with the keyboard",
		chromedp.Focus(chromedp.CSS(`#pas a[rel=next]`)), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h2[@id="pas-titre" and starts-with(., "Pas 2 ")]`)),
	)
	second := check(2)
	if second.Dossier == first.Dossier {
		t.Errorf("steps 1 and 2 show the same dossier %s", first.Dossier)
	}
	if p1, _ := strconv.Atoi(first.Position); p1 == 0 || func() bool { p2, _ := strconv.Atoi(second.Position); return p2 <= p1 }() {
		t.Errorf("the decisions' positions in the log: step 1 at %q, step 2 at %q", first.Position, second.Position)
	}
	run(t, ctx, "back, with the keyboard",
		chromedp.Focus(chromedp.CSS(`#pas a[rel=prev]`)), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h2[@id="pas-titre" and starts-with(., "Pas 1 ")]`)),
	)
	if again := check(1); again != first {
		t.Errorf("back at step 1: %+v, first seen %+v", again, first)
	}
	// The appellant's first decision, replaced after the appeal, with the
	// mark the jury had then; the last step, the decision taken again on
	// the corrected mark.
	replaced := slices.IndexFunc(list, func(l string) bool { return strings.Contains(l, appellant.ID) && strings.Contains(l, "remplacée") })
	if replaced < 0 || !strings.Contains(list[n-1], appellant.ID) {
		t.Fatalf("the replay does not list %s's decision replaced after the appeal, then the new one last: %q", appellant.ID, list)
	}
	run(t, ctx, "the replaced decision",
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//section[@aria-labelledby="tous-pas"]//a[starts-with(., "Pas %d :")]`, replaced+1))),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h2[@id="pas-titre" and starts-with(., "Pas %d ")]`, replaced+1))),
		snap("rejeu-decision-remplacee"),
	)
	check(replaced + 1)
	if got := mark("1/11"); got != "7" {
		t.Errorf("the dossier of %s as the jury had it on 1 July shows 1/11 at %q, want 7 (before the appeal)", appellant.ID, got)
	}
	if got := text(t, ctx, "#pas .panel dd strong"); got != "ajourné·e" {
		t.Errorf("the replaced decision: %q, want ajourné·e", got)
	}
	facts := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, f := range get(t, ctx, "the decision's facts", chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll("#pas .panel dt")).map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])`)) {
			out[f[0]] = f[1]
		}
		return out
	}
	if got := facts()["Remplacée par"]; !strings.HasPrefix(got, fmt.Sprintf("la décision du pas %d : année réussie, le ", n)) {
		t.Errorf("the replaced decision says it was replaced by %q, want the last step's", got)
	}
	run(t, ctx, "the decision that replaced it, with the keyboard",
		chromedp.Focus(chromedp.Search(`//div[contains(@class, "panel")]//dd/a[starts-with(., "la décision du pas")]`)), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h2[@id="pas-titre" and starts-with(., "Pas %d ")]`, n))),
		snap("rejeu-dernier-pas"),
	)
	check(n)
	// The decision's panel has room (45 % of the split): its facts' values
	// no longer wrap every few words.
	if w := get(t, ctx, "the panel's width", chromedp.Evaluate[[]float64](`(() => {
		const split = document.querySelector("#pas .split"), panel = split.querySelector(".panel");
		return [panel.getBoundingClientRect().width / split.getBoundingClientRect().width,
			Math.min(...Array.from(panel.querySelectorAll("dl.facts dd")).map(dd => dd.getBoundingClientRect().width))];
	})()`)); w[0] < 0.43 || w[1] < 280 {
		t.Errorf("the replay's decision panel takes %.0f %% of the split, its facts %.0f px; want at least 43 %% and 280 px", 100*w[0], w[1])
	}
	if got := facts()["Remplace"]; !strings.HasPrefix(got, fmt.Sprintf("la décision du pas %d : ajourné·e, le ", replaced+1)) {
		t.Errorf("the decision after the appeal says it replaces %q, want step %d's", got, replaced+1)
	}
	if got := mark("1/11"); got != "11" {
		t.Errorf("the dossier of %s as the jury had it after the appeal shows 1/11 at %q, want the corrected 11", appellant.ID, got)
	}
	if got := facts()["Après le recours"]; !strings.HasPrefix(got, "recours introduit le ") || !strings.Contains(got, "jugé fondé le ") {
		t.Errorf("the decision after the appeal names the appeal as %q, want when it was filed, on what grounds, and upheld", got)
	}
	if got := text(t, ctx, "#pas .panel dd strong"); got != "année réussie" {
		t.Errorf("the decision after the appeal: %q, want année réussie", got)
	}
	if got := text(t, ctx, "#pas nav"); !strings.Contains(got, "Dernier pas") {
		t.Errorf("the last step's navigation says %q", got)
	}

	// 2. What if: a student ajourné on the internship (1/12) had 12, and
	// the jury deliberated deficits down to 6/20.
	run(t, ctx, "back to the deliberation",
		chromedp.Click(chromedp.Search(`//a[starts-with(., "← Retour à la délibération")]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[aria-labelledby=simulation]`)),
	)
	type student struct{ Matricule, Failed, Decision string }
	students := get(t, ctx, "the students", chromedp.Evaluate[[]student](`Array.from(document.querySelectorAll("table.jury-students tbody tr")).map(tr => ({
		Matricule: tr.cells[1].innerText.trim(), Failed: tr.cells[4].innerText.trim(), Decision: tr.cells[6].innerText.trim()}))`))
	k := slices.IndexFunc(students, func(s student) bool { return s.Failed == "1/12" && strings.Contains(s.Decision, "ajourné") })
	if k < 0 {
		t.Fatalf("no student of Q2 is ajourné on 1/12 alone: %+v", students)
	}
	target := students[k]
	before := logPosition(t, ctx)
	form := `section[aria-labelledby=simulation] form`
	run(t, ctx, "simulate",
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name=changements]`), target.Matricule+":1/12=12"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=deficit_max]`), "4"),
		chromedp.Click(chromedp.CSS(form+` input[name=tous]`)),
		snap("simulation-saisie"),
		chromedp.Click(chromedp.Search(`//section[@aria-labelledby="simulation"]//button[contains(., "Simuler")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[starts-with(., "Simulation")]`)),
		snap("simulation-resultat"),
	)
	if got := text(t, ctx, "main p.flash"); !strings.Contains(got, "rien n'a été enregistré") {
		t.Errorf("the what-if says %q", got)
	}
	summary := get(t, ctx, "the what-if's summary", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main > p")).map(p => p.innerText.trim()).find(p => p.includes("dont la proposition change")) || ""`))
	criteria := get(t, ctx, "the simulated criteria", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main > p")).map(p => p.innerText.trim()).find(p => p.startsWith("Critères simulés")) || ""`))
	if criteria != "Critères simulés : déficit maximal 4, crédits non acquis au plus 15, moyenne annuelle minimale 10/20" {
		t.Errorf("the what-if's criteria: %q, want the deficit of 4 and the ruleset's others, in French", criteria)
	}
	if !strings.Contains(summary, "sur 24 comparé(s)") {
		t.Errorf("the what-if's summary: %q, want the 24 students compared", summary)
	}
	changed, _ := strconv.Atoi(strings.Fields(summary)[0])
	if got := len(texts(t, ctx, "main section.whatif-changed h3 .badge.warn")); changed < 2 || got != changed {
		t.Errorf("the what-if says %d proposal(s) changed and flags %d; want the changed mark's and at least one by the criterion", changed, got)
	}
	// The changed proposals first under their count, then the unchanged
	// ones, one line each: the page no longer runs to 12,000 px.
	if got := text(t, ctx, "main section.whatif-changed h2"); got != fmt.Sprintf("Propositions qui changent (%d)", changed) {
		t.Errorf("the changed proposals are headed %q", got)
	}
	if got := text(t, ctx, "main section.whatif-unchanged h2"); got != fmt.Sprintf("Propositions inchangées (%d)", 24-changed) {
		t.Errorf("the unchanged proposals are headed %q", got)
	}
	layout := get(t, ctx, "the what-if's layout", chromedp.Evaluate[[]float64](`(() => {
		const rows = Array.from(document.querySelectorAll("main section.whatif-unchanged tbody tr"));
		const last = Array.from(document.querySelectorAll("main section.whatif-changed > section")).pop();
		return [rows.length, Math.max(...rows.map(r => r.getBoundingClientRect().height)),
			last.getBoundingClientRect().bottom - document.querySelector("main section.whatif-unchanged").getBoundingClientRect().top,
			document.documentElement.scrollHeight];
	})()`))
	if rows, tallest, order, height := layout[0], layout[1], layout[2], layout[3]; int(rows) != 24-changed || tallest > 60 || order > 0 || height > 6000 {
		t.Errorf("the what-if lists %.0f unchanged students (want %d) in rows up to %.0f px tall (want one line), the last changed one %.0f px past the unchanged ones' start (want before), a page %.0f px tall",
			rows, 24-changed, tallest, order, height)
	}
	sim := `section[aria-labelledby="sim-` + target.Matricule + `"]`
	if got := text(t, ctx, sim+" h3 .badge"); got != "proposition changée" {
		t.Errorf("%s's proposal in the what-if: %q", target.Matricule, got)
	}
	if got := text(t, ctx, sim+" p"); !strings.Contains(got, "UE 1/12") || !strings.HasSuffix(got, "(Q2) : 12") {
		t.Errorf("%s's simulated change: %q", target.Matricule, got)
	}
	proposal := get(t, ctx, "the proposal before and after", chromedp.Evaluate[[]string](`Array.from(document.querySelector(`+strconv.Quote(sim+" table")+`).tBodies[0].rows[0].cells).slice(1).map(td => td.innerText.trim())`))
	if !slices.Equal(proposal, []string{"ajourné·e", "année réussie"}) {
		t.Errorf("%s's proposal before and after the what-if: %q, want ajourné·e then année réussie", target.Matricule, proposal)
	}
	if got := get(t, ctx, "the kept hypothesis", chromedp.Value(chromedp.CSS(`section[aria-labelledby=simulation] textarea[name=changements]`))); got != target.Matricule+":1/12=12" {
		t.Errorf("the what-if's form holds %q, want the hypothesis to change", got)
	}
	if after := logPosition(t, ctx); after != before {
		t.Errorf("the what-if moved the log from %d to %d", before, after)
	}
	run(t, ctx, "the deliberation after the what-if",
		chromedp.Click(chromedp.Search(`//a[starts-with(., "← Retour à la délibération")]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[aria-labelledby=etat]`)),
	)
	if got := text(t, ctx, `section[aria-labelledby=etat] dl`); got != counts {
		t.Errorf("after the what-if the deliberation says %q, before %q", got, counts)
	}
	row := get(t, ctx, "the target's row", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("table.jury-students tbody tr")).find(tr => tr.cells[1].innerText.trim() === "`+target.Matricule+`").cells[6].innerText.trim()`))
	if row != target.Decision {
		t.Errorf("after the what-if %s's decision reads %q, before %q", target.Matricule, row, target.Decision)
	}
	// The what-if's example names the demo's students: the first one on
	// the deliberation's page, the student whose dossier is open beside it
	// (with a UE they sit in Q2). The deliberation's dossier keeps its
	// 60/40 split.
	example := func() string {
		t.Helper()
		return get(t, ctx, "the what-if's example", chromedp.Evaluate[string](`document.querySelector("section[aria-labelledby=simulation] textarea").placeholder + " | " + document.getElementById("changements-aide").innerText`))
	}
	if got, first := example(), students[0].Matricule+":"; !strings.HasPrefix(got, first) || !strings.Contains(got, "Par exemple "+first) {
		t.Errorf("the what-if's example on the deliberation's page: %q, want one for %s, the first student", got, students[0].Matricule)
	}
	run(t, ctx, "the target's dossier",
		chromedp.Click(chromedp.CSS(`table.jury-students a[href*="etudiant=`+target.Matricule+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#dossier .split`)),
	)
	if got := example(); !strings.HasPrefix(got, target.Matricule+":") || !strings.Contains(got, "Par exemple "+target.Matricule+":") || !strings.Contains(got, "=10") {
		t.Errorf("the what-if's example beside %s's dossier: %q", target.Matricule, got)
	}
	if r := get(t, ctx, "the dossier's split", chromedp.Evaluate[float64](`(() => {
		const split = document.querySelector("#dossier .split");
		return split.querySelector(".panel").getBoundingClientRect().width / split.getBoundingClientRect().width;
	})()`)); r < 0.37 || r > 0.42 {
		t.Errorf("the deliberation's decision panel takes %.0f %% of the split, want its 40 %%", 100*r)
	}
}
