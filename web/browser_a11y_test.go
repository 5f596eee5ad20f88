package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gradelog/gradelog/demo"
)

// The accessibility audit runs axe-core, the standard engine, inside the
// Chromium of the browser tests, on each page as each role sees it, and
// checks the keyboard basics axe cannot see (one h1, the page's language,
// a skip link to the main landmark, a visible focus). GRADELOG_AXE names
// axe.min.js (.ci/run fetches it, its checksum pinned); without it the
// audit is skipped, unless GRADELOG_REQUIRE_BROWSER is set.

// axeTags are the rules run: WCAG 2.0 and 2.1, levels A and AA, and axe's
// best practices. Every impact fails the test.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeDisabled are the rules not run, each with why.
var axeDisabled = map[string]string{}

var axeSource = sync.OnceValues(func() (string, error) {
	p := os.Getenv("GRADELOG_AXE")
	if p == "" {
		return "", nil
	}
	b, err := os.ReadFile(p)
	return string(b), err
})

// needAxe skips t (fails it under GRADELOG_REQUIRE_BROWSER) without axe.
func needAxe(t *testing.T) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("GRADELOG_AXE: %v", err)
	}
	if src == "" {
		const msg = "accessibility audit needs axe-core: set GRADELOG_AXE=path/to/axe.min.js; .ci/run fetches it"
		if os.Getenv("GRADELOG_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " (GRADELOG_REQUIRE_BROWSER is set)")
		}
		t.Skip(msg)
	}
}

// axeRule is one rule an axe run found broken (a violation), or could
// not decide on (incomplete: to review by hand).
type axeRule struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  json.RawMessage `json:"target"`
		Summary string          `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResults are an axe run's findings.
type axeResults struct {
	Violations []axeRule `json:"violations"`
	Incomplete []axeRule `json:"incomplete"`
}

// axeRun runs axe on the document with axeTags (%s) and without
// axeDisabled (%s).
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: %s},
	rules: %s,
	resultTypes: ["violations"],
}).then(r => {
	const rule = v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))});
	return {violations: r.violations.map(rule), incomplete: r.incomplete.map(rule)};
})`

// axeCheck injects axe into the page the browser shows (once per
// document) and runs it.
func axeCheck(t *testing.T, ctx context.Context, page string) axeResults {
	t.Helper()
	src, _ := axeSource()
	if !get(t, ctx, "axe loaded?", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		run(t, ctx, "inject axe into "+page, chromedp.Evaluate[chromedp.Void](src))
	}
	tags, _ := json.Marshal(axeTags)
	rules := map[string]map[string]bool{}
	for id := range axeDisabled {
		rules[id] = map[string]bool{"enabled": false}
	}
	rj, _ := json.Marshal(rules)
	return get(t, ctx, "axe on "+page, chromedp.Evaluate[axeResults](fmt.Sprintf(axeRun, tags, rj), chromedp.EvalAwaitPromise))
}

// axeDescribe lists rules with their impact, help and first nodes.
func axeDescribe(rules []axeRule) string {
	var b strings.Builder
	for _, v := range rules {
		fmt.Fprintf(&b, "\n  %s (%s): %s, %d node(s)", v.ID, v.Impact, v.Help, len(v.Nodes))
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&b, "\n    …")
				break
			}
			fmt.Fprintf(&b, "\n    %s", n.Target)
			if i == 0 && n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
	}
	return b.String()
}

// axe audits the page the browser shows, named page in the messages, and
// returns how many rules it breaks; each one fails t with its impact, its
// help and the first nodes that break it. What axe could not decide is
// logged, to review by hand.
func axe(t *testing.T, ctx context.Context, page string) int {
	t.Helper()
	r := axeCheck(t, ctx, page)
	if len(r.Incomplete) > 0 {
		t.Logf("%s: %d rule(s) axe could not decide, to review:%s", page, len(r.Incomplete), axeDescribe(r.Incomplete))
	}
	if len(r.Violations) > 0 {
		t.Errorf("%s: %d accessibility violation(s):%s", page, len(r.Violations), axeDescribe(r.Violations))
	}
	return len(r.Violations)
}

// a11yBasics is what the keyboard and structure checks read from a page.
type a11yBasics struct {
	Lang     string `json:"lang"`
	H1       int    `json:"h1"`
	Main     int    `json:"main"`
	Skip     string `json:"skip"`     // the first focusable element, when it is the skip link: its target
	SkipOK   bool   `json:"skipOK"`   // the target exists and is the main landmark
	SkipSeen bool   `json:"skipSeen"` // focused, the skip link is on screen
	Wide     int    `json:"wide"`     // how much wider than the window the page is
}

// a11yFocus is how the focused element looks.
type a11yFocus struct {
	What     string `json:"what"`
	Ring     bool   `json:"ring"`     // an outline of 2px or more, or a box shadow
	Changed  bool   `json:"changed"`  // it looks otherwise once blurred
	Visible  bool   `json:"visible"`  // :focus-visible matches
	OnScreen bool   `json:"onScreen"` // in the viewport
}

// a11yFocusJS describes the focused element: its focus ring, compared with
// how it looks once blurred (then it is focused again).
const a11yFocusJS = `(() => {
	const el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) return {what: "body"};
	const look = e => { const c = getComputedStyle(e); return [c.outlineStyle, c.outlineWidth, c.outlineColor, c.boxShadow, c.borderColor, c.backgroundColor, c.color, c.textDecorationLine].join("|"); };
	const c = getComputedStyle(el);
	const ring = (c.outlineStyle !== "none" && parseFloat(c.outlineWidth) >= 2) || c.boxShadow !== "none";
	const focused = look(el), visible = el.matches(":focus-visible");
	const r = el.getBoundingClientRect();
	const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight;
	el.blur();
	const unfocused = look(el);
	el.focus({preventScroll: true});
	let what = el.tagName.toLowerCase();
	if (el.id) what += "#" + el.id;
	else if (el.name) what += "[name=" + el.name + "]";
	if (el.type && el.tagName !== "BUTTON") what += "[type=" + el.type + "]";
	const label = (el.getAttribute("aria-label") || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
	if (label) what += " «" + label + "»";
	return {what, ring, changed: focused !== unfocused, visible, onScreen};
})()`

// a11yBasicsJS reads a page's structure; it focuses the skip link.
const a11yBasicsJS = `(() => {
	const focusable = Array.from(document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"))
		.filter(e => !e.disabled);
	const first = focusable[0];
	let skip = "", skipOK = false, skipSeen = false;
	if (first && first.tagName === "A" && first.getAttribute("href").startsWith("#")) {
		skip = first.getAttribute("href");
		const target = document.getElementById(skip.slice(1));
		skipOK = !!target && target.tagName === "MAIN";
		first.focus();
		const r = first.getBoundingClientRect();
		skipSeen = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
	}
	return {lang: document.documentElement.lang, h1: document.querySelectorAll("h1").length,
		wide: document.documentElement.scrollWidth - innerWidth,
		main: document.querySelectorAll("main, [role=main]").length, skip, skipOK, skipSeen};
})()`

// a11yTabStops is how many Tab presses a11yKeyboard follows on a page.
const a11yTabStops = 30

// a11yKeyboard checks what axe cannot: the page is in French, has one h1 and
// one main landmark, does not scroll sideways, its first tab stop is a
// skip link to the main landmark, visible when focused; each of the first
// tab stops shows a focus ring of its own (which a field to correct does
// not hide), as does the first field of each kind in the main landmark.
func a11yKeyboard(t *testing.T, ctx context.Context, page string) int {
	t.Helper()
	problems := []string{}
	b := get(t, ctx, "the structure of "+page, chromedp.Evaluate[a11yBasics](a11yBasicsJS))
	if b.Lang != "fr" {
		problems = append(problems, fmt.Sprintf("<html lang=%q>, want fr", b.Lang))
	}
	if b.H1 != 1 {
		problems = append(problems, fmt.Sprintf("%d h1, want one", b.H1))
	}
	if b.Main != 1 {
		problems = append(problems, fmt.Sprintf("%d main landmark(s), want one", b.Main))
	}
	switch {
	case b.Skip == "":
		problems = append(problems, "the first tab stop is not a skip link")
	case !b.SkipOK:
		problems = append(problems, "the skip link "+b.Skip+" does not lead to the main landmark")
	case !b.SkipSeen:
		problems = append(problems, "the skip link stays off screen when focused")
	}
	if b.Wide > 0 {
		problems = append(problems, fmt.Sprintf("the page is %d px wider than the window: it scrolls sideways", b.Wide))
	}
	check := func(how string, f a11yFocus) {
		switch {
		case f.What == "body":
		case !f.OnScreen:
			problems = append(problems, fmt.Sprintf("%s: %s is focused off screen", how, f.What))
		case !f.Ring || !f.Changed:
			problems = append(problems, fmt.Sprintf("%s: %s shows no focus ring (ring %v, looks otherwise once blurred %v, :focus-visible %v)", how, f.What, f.Ring, f.Changed, f.Visible))
		}
	}
	// From the skip link (focused by a11yBasicsJS), with the keyboard, until
	// the focus leaves the page.
	for i := range a11yTabStops {
		run(t, ctx, "Tab on "+page, chromedp.KeyEvent(kb.Tab))
		f := get(t, ctx, "the focus on "+page, chromedp.Evaluate[a11yFocus](a11yFocusJS))
		if f.What == "body" {
			break
		}
		check(fmt.Sprintf("Tab %d", i+1), f)
	}
	// The first field of each kind in the page, focused after a key press.
	for _, sel := range []string{
		`main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])`,
		`main input[type=checkbox]`, `main input[type=radio]`, `main input[type=file]`,
		`main select`, `main textarea`, `main button`, `main a[href]`,
	} {
		ok := get(t, ctx, "focus "+sel, chromedp.Evaluate[bool](`(() => {
			const e = Array.from(document.querySelectorAll(`+a11yJSString(sel)+`)).find(e => e.getClientRects().length > 0 && !e.disabled);
			if (!e) return false;
			e.scrollIntoView({block: "center"}); e.focus(); return document.activeElement === e;
		})()`))
		if ok {
			check("focused "+sel, get(t, ctx, "the focus on "+page, chromedp.Evaluate[a11yFocus](a11yFocusJS)))
		}
	}
	if len(problems) > 0 {
		t.Errorf("%s: %d keyboard or structure problem(s):\n  %s", page, len(problems), strings.Join(problems, "\n  "))
	}
	return len(problems)
}

func a11yJSString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserAccessibility audits every page of the interface, on the
// demo, as each role sees it: signed out, teacher, secretariat, jury,
// auditor and student, with refused forms and error pages.
func TestBrowserAccessibility(t *testing.T) {
	needAxe(t)
	ctx := browser(t, 5*time.Minute)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startDemo(t)
	t.Logf("demo loaded after %s", time.Since(start).Round(time.Millisecond))
	// The page keeps the focus as a window in front would: headless, a Tab
	// past the last field gives it to the browser, and :focus then
	// matches nothing.
	run(t, ctx, "focus emulation", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Emulation.setFocusEmulationEnabled", map[string]bool{"enabled": true}, nil)
	}))

	type count struct {
		page      string
		axe, keys int
	}
	var counts []count
	defer func() {
		var b strings.Builder
		total := 0
		for _, c := range counts {
			fmt.Fprintf(&b, "\n  %-45s axe %d · keyboard %d", c.page, c.axe, c.keys)
			total += c.axe + c.keys
		}
		t.Logf("%d page(s) audited, %d problem(s):%s", len(counts), total, b.String())
	}()
	audit := func(page string) {
		t.Helper()
		c := count{page: page}
		c.axe = axe(t, ctx, page)
		c.keys = a11yKeyboard(t, ctx, page)
		counts = append(counts, c)
	}
	// visitStatus opens path, expecting status and, once loaded, the
	// element ready, and audits it.
	visitStatus := func(page, path string, status int64, ready string) {
		t.Helper()
		resp := get(t, ctx, page, chromedp.NavigateResponse(s.URL+path))
		if resp.Status != status {
			t.Errorf("%s: %s answers %d, want %d", page, path, resp.Status, status)
		}
		run(t, ctx, page, chromedp.WaitReady(chromedp.CSS(ready)))
		audit(page)
	}
	visit := func(page, path, ready string) {
		t.Helper()
		visitStatus(page, path, http.StatusOK, ready)
	}

	resit, appellant := s.account(t, "", "repasse les travaux pratiques de l'UE "+demo.OpenUE), s.account(t, "", "recours fondé")
	lastName := appellant.Name[strings.LastIndex(appellant.Name, " ")+1:]
	sheetQ3 := "/feuilles/" + demo.Year + "/Q3/" + demo.OpenUE
	q3, q2 := "/deliberations/"+demo.Year+"/Q3", "/deliberations/"+demo.Year+"/Q2"

	// Signed out.
	visit("connexion", "/connexion", "ul.accounts button")
	// The audit finds what it should: a field without a label, pale text.
	run(t, ctx, "spoil the page", chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend",
		'<div id="temoin"><input name="sans-etiquette"><p>Texte trop pâle</p></div>');
		document.querySelector("#temoin p").style.color = "#c8c8c8"`)) // a style attribute: the pages' CSP drops it
	control := axeCheck(t, ctx, "a spoilt page")
	for _, want := range []string{"label", "color-contrast"} {
		if !slices.ContainsFunc(control.Violations, func(r axeRule) bool { return r.ID == want }) {
			t.Errorf("axe misses the rule %s on a page made to break it; it found:%s", want, axeDescribe(control.Violations))
		}
	}
	run(t, ctx, "restore the page", chromedp.Evaluate[chromedp.Void](`document.getElementById("temoin").remove()`))
	run(t, ctx, "a refused sign-in",
		chromedp.SendKeys(chromedp.CSS(`#jeton`), "pas-un-jeton"),
		chromedp.Click(chromedp.CSS(`form:has(#jeton) button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`main p.refusal`)),
	)
	audit("connexion refusée")

	// The teacher of 1/9.
	a11ySignIn(t, ctx, s.URL, "prof.lambert")
	audit("enseignant : mes feuilles")
	submitted := get(t, ctx, "a submitted sheet", chromedp.Evaluate[string](`(document.querySelector("tbody tr:has(.badge.ok) a") || {}).pathname || ""`))
	visit("enseignant : feuille Q3 ouverte", sheetQ3, `#saisie[data-pending="0"]`)
	run(t, ctx, "a refused value",
		chromedp.Focus(chromedp.CSS(`#saisie input.entry:not([readonly])`)),
		chromedp.KeyEvent("25"), chromedp.KeyEvent(kb.Tab),
		until(`document.querySelector("#saisie tr.refused") !== null && document.getElementById("saisie").dataset.pending === "0"`),
	)
	if invalid := get(t, ctx, "the refused cell", chromedp.Evaluate[int](`document.querySelectorAll('#saisie input.entry[aria-invalid="true"]').length`)); invalid != 1 {
		t.Errorf("after a refused value, %d cell(s) say aria-invalid, want 1", invalid)
	}
	audit("enseignant : feuille, valeur refusée")
	if submitted == "" {
		t.Error("prof.lambert has no submitted sheet to audit")
	} else {
		visit("enseignant : feuille remise", submitted, `dl.facts`)
	}

	// The secretariat.
	a11ySignIn(t, ctx, s.URL, "secr.dubois")
	audit("secrétariat : étudiants")
	visit("secrétariat : recherche", "/etudiants?q="+lastName, `a[href="/etudiants/`+appellant.ID+`"]`)
	visit("secrétariat : dossier d'un étudiant", "/etudiants/"+appellant.ID, `dl.facts`)
	run(t, ctx, "a refused PAE",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action$='/pae']").noValidate = true`),
		chromedp.Click(chromedp.CSS(`form[action$="/pae"] button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#refus`)),
	)
	audit("secrétariat : PAE refusé")
	visit("secrétariat : sessions", "/sessions", `table`)
	visit("secrétariat : feuilles", "/feuilles", `table`)
	visit("secrétariat : feuille Q3 ouverte", sheetQ3, `#saisie`)
	if submitted != "" {
		visit("secrétariat : feuille remise", submitted, `form[action$="/reouverture"]`)
	}
	visit("secrétariat : délibération Q2", q2, `#etat`)

	// The jury's president.
	a11ySignIn(t, ctx, s.URL, "jury.delvaux")
	audit("jury : délibérations")
	visit("jury : délibération Q3 à ouvrir", q3, `form[action$="/ouverture"]`)
	run(t, ctx, "an opening without quorum",
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("input[name=present]").forEach(i => i.checked = false)`),
		chromedp.Click(chromedp.CSS(`form[action$="/ouverture"] button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#refus`)),
	)
	audit("jury : ouverture refusée")
	run(t, ctx, "open the Q3 deliberation",
		chromedp.Navigate(s.URL+q3), chromedp.WaitReady(chromedp.CSS(`form[action$="/ouverture"]`)),
		chromedp.SendKeys(chromedp.CSS(`#derogation`), "Feuille de l'UE 1/9 attendue : ouverture par dérogation pour l'audit d'accessibilité"),
		chromedp.Click(chromedp.CSS(`form[action$="/ouverture"] button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`p.flash`)),
	)
	audit("jury : délibération Q3 ouverte")
	visit("jury : dossier ouvert", q3+"?etudiant="+resit.ID, `#decision-form`)
	run(t, ctx, "a refused decision",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("decision-form").noValidate = true`),
		chromedp.Click(chromedp.CSS(`#decision-form button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#refus`)),
	)
	audit("jury : décision refusée")
	run(t, ctx, "a what-if",
		chromedp.Navigate(s.URL+q3), chromedp.WaitReady(chromedp.CSS(`#changements`)),
		chromedp.SendKeys(chromedp.CSS(`#changements`), resit.ID+":1/9:Travaux pratiques=12"),
		// Every student: the changed proposals in full, the others one line each.
		chromedp.Click(chromedp.CSS(`form[action$="/simulation"] input[name=tous]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/simulation"] button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`main p.flash`)),
		chromedp.WaitReady(chromedp.CSS(`main section.whatif-unchanged`)),
	)
	audit("jury : simulation")
	visit("jury : rejeu Q2", q2+"/rejeu", `#pas`)
	visit("jury : étudiants", "/audit", `#resultats`)

	// The auditor.
	a11ySignIn(t, ctx, s.URL, "audit.martin")
	audit("audit : étudiants")
	visit("audit : recherche", "/audit?q="+lastName, `a[href="/etudiants/`+appellant.ID+`/historique"]`)
	timeline := "/etudiants/" + appellant.ID + "/historique"
	visit("audit : historique", timeline, `#borne-titre`)
	visit("audit : historique à la délibération Q2", timeline+"?deliberation="+demo.Year+"/Q2", `p.audit-asof`)
	run(t, ctx, "the comparison",
		chromedp.Click(chromedp.CSS(`nav.audit-links a[href*="/comparaison"]`)),
		chromedp.WaitReady(chromedp.CSS(`#changements`)),
	)
	audit("audit : comparaison")
	visit("audit : comparaison, formulaire", "/etudiants/"+appellant.ID+"/comparaison", `form.audit-interval`)
	visit("audit : vérification", "/audit/verification", `.audit-ok, .refusal`)
	visitStatus("audit : étudiant inconnu (404)", "/etudiants/XX999999/historique", http.StatusNotFound, `main #refus`)
	visitStatus("audit : page inconnue (404)", "/nulle-part", http.StatusNotFound, `main p.refusal`)
	if h1 := text(t, ctx, "h1"); h1 != "Page introuvable" {
		t.Errorf("an unknown address shows the title %q, want Page introuvable", h1)
	}

	// A student whose results are published.
	a11ySignIn(t, ctx, s.URL, appellant.ID)
	audit("étudiant : relevé")
}

// a11ySignIn signs in with the demo account's button on /connexion, after
// signing out when someone is signed in, and waits for the landing page.
func a11ySignIn(t *testing.T, ctx context.Context, base, id string) {
	t.Helper()
	if get(t, ctx, "signed in?", chromedp.Evaluate[bool](`document.querySelector("header form.who") !== null`)) {
		run(t, ctx, "sign out",
			chromedp.Click(chromedp.CSS(`header form.who button[type=submit]`)),
			chromedp.WaitReady(chromedp.CSS(`ul.accounts button`)),
		)
	} else {
		run(t, ctx, "the sign-in page", chromedp.Navigate(base+"/connexion"), chromedp.WaitReady(chromedp.CSS(`ul.accounts button`)))
	}
	run(t, ctx, "sign in as "+id,
		chromedp.Click(chromedp.CSS(`ul.accounts form:has(input[name=compte][value="`+id+`"]) button`)),
		chromedp.WaitReady(chromedp.CSS(`header form.who`)),
	)
}
