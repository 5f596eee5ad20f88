package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/demo"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/web"
)

// demoSite is `gradelog serve --demo` in a test: the log, the handlers
// and the pages on the demo's clock, the demo loaded.
type demoSite struct {
	URL   string
	Demo  demo.Demo
	Clock *clock.Clock
}

// startDemo wires the demo as cmd/gradelog serve --demo does: the log
// stamps records with the demo's clock, the shipped documents are
// published at demo.Published, the cohort is loaded, and the pages offer
// the demo's accounts.
func startDemo(t *testing.T) *demoSite {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clock := &clock.Clock{}
	clock.Set(demo.Published)
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.ServerIn(t, t.TempDir(), true)), eventlog.JetStreamConfig{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := handlers.New(l)
	hs.Now = clock.Now
	vctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Views.Run(vctx)
	}()
	t.Cleanup(func() { stop(); <-done })
	cat, rs := gradetest.Shipped(t)
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Load(ctx, hs, clock, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	accounts := make([]web.Account, len(d.Accounts))
	for i, a := range d.Accounts {
		accounts[i] = web.Account{Identity: a.Identity(), What: a.What}
	}
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Deps{Ready: l.CheckConfig, Handlers: hs, Key: key, Now: clock.Now})
	ts := httptest.NewServer(web.New(web.Deps{Handlers: hs, Key: key, Now: clock.Now, Accounts: accounts, API: api}))
	t.Cleanup(ts.Close)
	return &demoSite{URL: ts.URL, Demo: d, Clock: clock}
}

// account is the demo's account with id, or the first student's whose
// description says what.
func (s *demoSite) account(t *testing.T, id, what string) demo.Account {
	t.Helper()
	for _, a := range s.Demo.Accounts {
		if id != "" && a.ID == id || what != "" && slices.Contains(a.Roles, auth.Student) && strings.Contains(a.What, what) {
			return a
		}
	}
	t.Fatalf("the demo has no account %q (%q) among %+v", id, what, s.Demo.Accounts)
	return demo.Account{}
}

// signIn signs in with the demo account's button on /connexion, reached
// by signing out when someone is signed in, and waits for the page it
// leads to, whose heading holds landing.
func (s *demoSite) signIn(t *testing.T, ctx context.Context, id, landing string) {
	t.Helper()
	signedIn := get(t, ctx, "who", chromedp.Evaluate[bool](`document.querySelector("header form.who") !== null`))
	if signedIn {
		run(t, ctx, "sign out",
			chromedp.Click(chromedp.Search(`//header//button[contains(., "Se déconnecter")]`)),
			chromedp.WaitVisible(chromedp.CSS(`ul.accounts button`)),
		)
	} else {
		run(t, ctx, "the sign-in page", chromedp.Navigate(s.URL+"/connexion"), chromedp.WaitVisible(chromedp.CSS(`ul.accounts button`)))
	}
	button := `//ul[@class="accounts"]//form[input[@name="compte" and @value="` + id + `"]]//button`
	run(t, ctx, "sign in as "+id,
		chromedp.Focus(chromedp.Search(button)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "`+landing+`")]`)),
	)
	if who := text(t, ctx, "header form.who span"); !strings.Contains(who, s.account(t, id, "").Name) {
		t.Fatalf("signed in as %s, the header says %q", id, who)
	}
}

// TestBrowserDemoNewcomer walks the newcomer's path on the demo, as after
// `gradelog serve --demo`: the teacher of UE 1/9 fills its open Q3 sheet
// with the keyboard and submits it; the jury's president opens the Q3
// deliberation, decides every student and closes it; the auditor finds
// the student whose June mark was corrected after an appeal, rebuilds
// their record as the jury saw it, compares it with today's and verifies
// the log.
func TestBrowserDemoNewcomer(t *testing.T) {
	ctx := browser(t, 3*time.Minute)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startDemo(t)
	t.Logf("demo loaded after %s: %d records, clock at %s", time.Since(start).Round(time.Millisecond), s.Demo.Records, s.Clock.Now().Format(time.DateTime))
	shots := 0
	snap := func(name string) step {
		shots++
		return shot(fmt.Sprintf("demo-%02d-%s", shots, name))
	}
	signIn := func(id, landing string) {
		t.Helper()
		s.signIn(t, ctx, id, landing)
	}

	// The demo's students to follow: the re-sit of 1/9's practical work,
	// and the appellant whose June mark was corrected.
	resit, appellant := s.account(t, "", "repasse les travaux pratiques de l'UE "+demo.OpenUE), s.account(t, "", "recours fondé")
	passing := []string{"12", "13,5", "11", "14"}

	// 1. The teacher of UE 1/9 fills the open Q3 sheet with the keyboard.
	run(t, ctx, "the sign-in page", chromedp.Navigate(s.URL+"/connexion"), chromedp.WaitVisible(chromedp.CSS(`ul.accounts button`)), snap("connexion"))
	signIn("prof.lambert", "Mes feuilles de cotes")
	sheetPath := "/feuilles/" + demo.Year + "/Q3/" + demo.OpenUE
	// The list counts the students still to complete, and says so.
	listed := get(t, ctx, "the list's count", chromedp.Evaluate[[]string](`(() => {
		const tr = document.querySelector('main tr:has(a[href="`+sheetPath+`"])'), heads = tr.closest("table").tHead.rows[0].cells;
		return [heads[heads.length - 1].innerText.trim(), tr.cells[tr.cells.length - 1].innerText.trim()];
	})()`))
	run(t, ctx, "open the Q3 sheet of 1/9",
		snap("mes-feuilles"),
		chromedp.Focus(chromedp.CSS(`a[href="`+sheetPath+`"]`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#saisie`)),
		until(`document.getElementById("saisie").dataset.pending === "0"`),
		snap("feuille-vide"),
	)
	incomplete := get(t, ctx, "the rows to complete", chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#saisie td.state")).filter(td => td.innerText.startsWith("à compléter")).length`))
	if listed[0] != "Étudiants à compléter" || listed[1] != text(t, ctx, "#a-completer") || listed[1] != fmt.Sprint(incomplete) {
		t.Errorf("the list's %q says %s for the sheet, whose page says %s student(s) to complete and has %d row(s) to complete (%s value(s) missing)",
			listed[0], listed[1], text(t, ctx, "#a-completer"), incomplete, text(t, ctx, "#manquantes"))
	}
	// The open cells in the order Tab visits them: each is left with
	// Enter when the next one is the same column's next student, else
	// with Tab; Enter on the column's last student saves it and moves to
	// the confirmation.
	type cell struct{ Student, Activity string }
	cells := get(t, ctx, "the open cells", chromedp.Evaluate[[]cell](`Array.from(document.querySelectorAll("#saisie input.entry:not([readonly])")).map(
		i => ({Student: i.closest("tr").dataset.student, Activity: i.dataset.activity}))`))
	if len(cells) == 0 {
		t.Fatal("the Q3 sheet of 1/9 has no open cell")
	}
	values := map[cell]string{}
	fill := []step{chromedp.Focus(chromedp.CSS(`#saisie input.entry`))}
	for i, c := range cells {
		v := passing[i%len(passing)]
		if c.Student == resit.ID && c.Activity == "Travaux pratiques" {
			v = "7" // with the methods' 13 carried from June: 1/9 to deliberate
		}
		values[c] = v
		// Enter goes to the same column's next student (on the column's
		// last, it saves and moves to the confirmation), Tab to the next
		// cell.
		leave := kb.Tab
		j := i + 1
		for j < len(cells) && cells[j].Activity != c.Activity {
			j++
		}
		if j == i+1 || i == len(cells)-1 {
			leave = kb.Enter
		}
		fill = append(fill, chromedp.KeyEvent(v), chromedp.KeyEvent(leave))
	}
	rows := get(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll("#saisie tbody tr[data-student]").length`))
	fill = append(fill,
		until(fmt.Sprintf(`document.querySelectorAll("#saisie tr.saved").length === %d && document.getElementById("saisie").dataset.pending === "0"`, rows)),
		snap("feuille-remplie"))
	run(t, ctx, "fill the sheet with the keyboard", fill...)
	t.Logf("sheet filled: %v", values)
	for c, want := range values {
		sel := `tr[data-student="` + c.Student + `"] input.entry[data-activity="` + c.Activity + `"]`
		if got := get(t, ctx, "read a cell", chromedp.Value(chromedp.CSS(sel))); got != want {
			t.Errorf("the cell %s of %s shows %q after saving, want %q", c.Activity, c.Student, got, want)
		}
	}
	if got := text(t, ctx, "#manquantes"); got != "0" {
		t.Errorf("missing values after filling: %q, want 0", got)
	}
	if got := text(t, ctx, "#a-completer"); got != "0" {
		t.Errorf("students to complete after filling: %q, want 0", got)
	}
	if got := text(t, ctx, "section[aria-labelledby=remise] label"); !strings.Contains(got, "valeurs manquantes : 0") {
		t.Errorf("the submission's confirmation after filling says %q, want no value missing", got)
	}
	if focused := get(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.name`)); focused != "confirmation" {
		t.Fatalf("after the last cell, the focus is on %q, want the confirmation", focused)
	}
	run(t, ctx, "submit the sheet",
		chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Feuille remise")]`)),
		snap("feuille-remise"),
	)
	if row := text(t, ctx, `tbody tr:has(a[href="`+sheetPath+`"])`); !strings.Contains(row, "remise") {
		t.Errorf("the list of sheets after the submission shows %q for 1/9", row)
	}

	// 2. The jury's president opens the Q3 deliberation, decides every
	// student and closes it.
	signIn("jury.delvaux", "Délibérations")
	delib := "/deliberations/" + demo.Year + "/Q3"
	run(t, ctx, "open the Q3 deliberation's page",
		snap("deliberations"),
		chromedp.Click(chromedp.CSS(`a[href="`+delib+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="`+delib+`/ouverture"]`)),
		snap("deliberation-a-ouvrir"),
	)
	if open := get(t, ctx, "sheets not submitted", chromedp.Evaluate[bool](`document.querySelector("#ouverture ~ .panel") !== null`)); open {
		t.Errorf("the opening form still lists sheets not submitted: %s", text(t, ctx, "#ouverture ~ .panel"))
	}
	members := get(t, ctx, "members", chromedp.Evaluate[[]bool](`Array.from(document.querySelectorAll("input[name=present]")).map(i => i.checked)`))
	if len(members) == 0 || slices.Contains(members, false) {
		t.Errorf("the opening form ticks %v, want every member present", members)
	}
	run(t, ctx, "open the deliberation",
		chromedp.Click(chromedp.Search(`//form[@action="`+delib+`/ouverture"]//button[contains(., "Ouvrir la délibération")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Délibération ouverte")]`)),
		snap("deliberation-ouverte"),
	)
	t.Logf("opened: %s", text(t, ctx, "p.flash"))
	// Every member sits, but only those who teach a compulsory UE of the
	// session count for the quorum: the page says how many of them, and
	// which.
	type member struct{ Counts, Present string }
	jury := get(t, ctx, "the jury", chromedp.Evaluate[[]member](`Array.from(document.querySelectorAll("section[aria-labelledby=jury] tbody tr")).map(tr => ({
		Counts: tr.cells[4].innerText.trim(), Present: tr.cells[5].innerText.trim()}))`))
	counted := 0
	for _, m := range jury {
		if m.Counts == "compte" {
			counted++
		}
	}
	if counted == 0 || counted == len(jury) {
		t.Errorf("the jury's table says %d of %d members count for the quorum; the demo's Q3 has members who teach no UE re-sat in September: %+v", counted, len(jury), jury)
	}
	quorum := fmt.Sprintf("%d des %d membres qui enseignent une UE obligatoire de la session sont présents ; il en faut plus de la moitié (%d) : quorum atteint", counted, counted, counted/2+1)
	if got := text(t, ctx, "#quorum"); got != quorum {
		t.Errorf("the quorum reads %q, want %q", got, quorum)
	}
	type student struct{ Matricule, Proposed, IfRefused string }
	students := get(t, ctx, "the students", chromedp.Evaluate[[]student](`Array.from(document.querySelectorAll("table.jury-students tbody tr")).map(tr => {
		const p = tr.cells[2].innerText.split("\n");
		return {Matricule: tr.cells[1].innerText.trim(), Proposed: p[0].trim(), IfRefused: (p[1] || "").replace("si refus :", "").trim()};
	})`))
	t.Logf("students: %+v", students)
	if len(students) == 0 {
		t.Fatal("the Q3 deliberation has no student")
	}
	// Each student: their dossier from the table, the UEs to deliberate
	// granted (the internship of 1/12 refused) with a motivation each, a
	// motivation when the outcome is unfavourable.
	granted, refusals := 0, 0
	for i, st := range students {
		run(t, ctx, "open the dossier of "+st.Matricule,
			chromedp.Click(chromedp.CSS(`table.jury-students a[href*="etudiant=`+st.Matricule+`"]`)),
			chromedp.WaitReady(chromedp.CSS(`#decision-form input[name=etudiant][value="`+st.Matricule+`"]`)),
		)
		ues := get(t, ctx, "the UEs to deliberate", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#decision-form input[name=ue]")).map(i => i.value)`))
		if st.Matricule == resit.ID && !slices.Contains(ues, demo.OpenUE) {
			t.Errorf("%s, with 7 in the practical work of %s, has %v to deliberate", st.Matricule, demo.OpenUE, ues)
		}
		var steps []step
		refused := false
		for _, ue := range ues {
			grant, why := "oui", "UE "+ue+" : déficit limité, acquis d'apprentissage atteints dans l'ensemble"
			if ue == "1/12" {
				grant, why, refused = "non", "UE "+ue+" : stage encore insuffisant en septembre, à refaire", true
				refusals++
			} else {
				granted++
			}
			steps = append(steps,
				chromedp.Click(chromedp.CSS(`#decision-form input[name="octroi:`+ue+`"][value="`+grant+`"]`)),
				chromedp.SendKeys(chromedp.CSS(`#decision-form input[name="motivation:`+ue+`"]`), why),
			)
		}
		want := st.Proposed
		if refused {
			want = st.IfRefused
		}
		if strings.Contains(want, "ajourné") || strings.Contains(want, "année clôturée") {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(`#decision-form textarea[name=motivation]`), "Résultat défavorable : "+want+", motivé par le jury."))
		}
		steps = append(steps, snap(fmt.Sprintf("dossier-%d-%s", i+1, st.Matricule)),
			chromedp.Click(chromedp.Search(`//form[@id="decision-form"]//button[contains(., "Enregistrer la décision")]`)),
			chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Décision enregistrée pour `+st.Matricule+`")]`)),
		)
		run(t, ctx, "decide on "+st.Matricule, steps...)
		if got := text(t, ctx, "p.flash"); !strings.Contains(got, want) {
			t.Errorf("deciding on %s (UEs to deliberate %v, refused %v): %q, want %q", st.Matricule, ues, refused, got, want)
		}
		t.Logf("%s: %s", st.Matricule, text(t, ctx, "p.flash"))
	}
	if granted == 0 || refusals == 0 {
		t.Errorf("the jury granted %d and refused %d UEs to deliberate; the demo's Q3 should have both (1/9 of %s, the internship 1/12)", granted, refusals, resit.ID)
	}
	run(t, ctx, "the list after the decisions", snap("deliberation-decidee"))
	run(t, ctx, "close the deliberation",
		chromedp.Click(chromedp.CSS(`form[action="`+delib+`/cloture"] input[name=confirmation]`)),
		chromedp.Click(chromedp.Search(`//form[@action="`+delib+`/cloture"]//button[contains(., "Clôturer la délibération")]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Délibération clôturée")]`)),
		snap("deliberation-close"),
	)
	if got := text(t, ctx, `section[aria-labelledby=etat] dd`); got != "close" {
		t.Errorf("the deliberation's status after closing: %q, want close", got)
	}
	if got := text(t, ctx, `section[aria-labelledby=etat] dl`); !strings.Contains(got, fmt.Sprintf("%d décidé(s), 0 à décider", len(students))) {
		t.Errorf("the deliberation after closing says %q", got)
	}
	minutes := get(t, ctx, "the minutes' link", chromedp.Evaluate[string](`document.querySelector("section[aria-labelledby=etat] a[href*=minutes]").href`))
	pdf := get(t, ctx, "fetch the minutes", chromedp.Evaluate[string](`fetch(document.querySelector("section[aria-labelledby=etat] a[href*=minutes]").href)
		.then(async r => r.status + " " + r.headers.get("Content-Type") + " " + (await r.arrayBuffer()).byteLength)`, chromedp.EvalAwaitPromise))
	t.Logf("minutes %s: %s", minutes, pdf)
	if !strings.HasPrefix(pdf, "200 application/pdf") {
		t.Errorf("the minutes' link %s answers %q, want 200 application/pdf", minutes, pdf)
	}

	// 3. The auditor finds the appellant, rebuilds their record as the
	// jury saw it, compares it with today's and verifies the log.
	signIn("audit.martin", "Audit")
	lastName := appellant.Name[strings.LastIndex(appellant.Name, " ")+1:]
	timeline := "/etudiants/" + appellant.ID + "/historique"
	run(t, ctx, "search the appellant",
		chromedp.Focus(chromedp.CSS(`#q`)),
		chromedp.KeyEvent(lastName), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h2[@id="resultats" and contains(., "`+lastName+`")]`)),
		snap("audit-recherche"),
		chromedp.Click(chromedp.CSS(`a[href="`+timeline+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#borne-titre`)),
		snap("historique"),
	)
	// The mark of the appealed UE in a reconstituted transcript.
	appealed := func() string {
		t.Helper()
		return get(t, ctx, "the mark of 1/11", chromedp.Evaluate[string](`(() => {
			const th = Array.from(document.querySelectorAll(".audit-transcript tbody th")).find(th => th.textContent.trim() === "1/11");
			return th ? th.parentElement.cells[4].textContent.trim() : "";
		})()`))
	}
	// As of the Q2 deliberation: its decision in force, the one taken again
	// after the appeal, was taken on the corrected mark.
	run(t, ctx, "as of the Q2 deliberation",
		chromedp.SetValue(chromedp.CSS(`select#deliberation`), demo.Year+"/Q2"),
		chromedp.Click(chromedp.Search(`//form[.//select[@id="deliberation"]]//button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.audit-asof`)),
		snap("historique-deliberation-q2"),
	)
	if got := text(t, ctx, "p.audit-asof"); !strings.Contains(got, "État reconstitué") || !strings.Contains(got, "Q2 2025-2026") {
		t.Errorf("as of the Q2 deliberation, the page says %q", got)
	}
	if got := appealed(); got != "11" {
		t.Errorf("as of the Q2 deliberation (the decision in force, after the appeal), 1/11 shows %q, want the corrected 11", got)
	}
	// As the jury saw it before its first Q2 decision (the student ajourné):
	// the mark before the appeal's correction.
	first := get(t, ctx, "the first Q2 decision", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("select#decision option")).find(o => o.text.startsWith("Q2") && o.text.includes("ajourné")).value`))
	run(t, ctx, "as of the first Q2 decision",
		chromedp.SetValue(chromedp.CSS(`select#decision`), first),
		chromedp.Click(chromedp.Search(`//form[.//select[@id="decision"]]//button`)),
		chromedp.WaitReady(chromedp.CSS(`select#decision option[selected][value="`+first+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.audit-asof`)),
		snap("historique-avant-recours"),
	)
	if got := text(t, ctx, "p.audit-asof"); !strings.Contains(got, "État reconstitué") {
		t.Errorf("as of the first Q2 decision, the page says %q", got)
	}
	if got := appealed(); got != "7" {
		t.Errorf("as the jury saw it before its first Q2 decision, 1/11 shows %q, want 7 (before the appeal's correction)", got)
	}
	run(t, ctx, "compare with today",
		chromedp.Click(chromedp.Search(`//a[contains(., "Comparer le dossier entre deux moments")]`)),
		chromedp.WaitVisible(chromedp.CSS(`#changements`)),
		snap("comparaison"),
	)
	change := get(t, ctx, "the change of 1/11", chromedp.Evaluate[string](`(() => {
		const th = Array.from(document.querySelectorAll("table.audit-diff th[scope=row]")).find(th => th.textContent.trim() === "UE 1/11 · note");
		return th ? th.parentElement.innerText : "";
	})()`))
	if f := strings.Split(change, "\t"); len(f) != 4 || f[1] != "7" || f[2] != "11" || !strings.Contains(f[3], "Note corrigée") {
		t.Errorf("the comparison since the first Q2 decision shows the mark of 1/11 as %q, want 7 then 11, explained by the corrected mark", change)
	}
	run(t, ctx, "verify the log",
		chromedp.Click(chromedp.Search(`//a[contains(., "Historique de l'étudiant")]`)),
		chromedp.WaitVisible(chromedp.CSS(`#borne-titre`)),
		chromedp.Click(chromedp.CSS(`a[href="/audit/verification"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.audit-ok, .refusal`)),
		snap("verification"),
	)
	if got := text(t, ctx, ".audit-ok, .refusal"); !strings.Contains(got, "Journal intact") {
		t.Errorf("the verification says %q, want the log intact", got)
	}
}
