package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	Clock *demo.Clock
	Hs    *handlers.Handlers
}

// startDemo wires the demo as cmd/gradelog serve --demo does: the log
// stamps records with the demo's clock, the shipped documents are
// published at demo.Published, the cohort is loaded, and the pages offer
// the demo's accounts.
func startDemo(t *testing.T) *demoSite {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clock := &demo.Clock{}
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
	return &demoSite{URL: ts.URL, Demo: d, Clock: clock, Hs: hs}
}

func TestBrowserDemoExplore(t *testing.T) {
	ctx := browser(t, 3*time.Minute)
	start := time.Now()
	s := startDemo(t)
	t.Logf("demo loaded in %s; accounts %+v", time.Since(start), s.Demo.Accounts)
	dump := func(name string) {
		html := get(t, ctx, "html", chromedp.OuterHTML(chromedp.CSS("main")))
		os.WriteFile("/tmp/demo-"+name+".html", []byte(html), 0o644)
	}
	signIn := func(id string) {
		run(t, ctx, "sign in "+id,
			chromedp.Navigate(s.URL+"/connexion"),
			chromedp.WaitVisible(chromedp.CSS(`ul.accounts button`)),
			chromedp.Click(chromedp.Search(`//form[input[@name="compte" and @value="`+id+`"]]//button`)),
			chromedp.WaitVisible(chromedp.CSS(`header form.who`)),
		)
	}
	signIn("prof.lambert")
	run(t, ctx, "sheet", chromedp.Navigate(s.URL+"/feuilles/2025-2026/Q3/1/9"), chromedp.WaitVisible(chromedp.CSS(`#saisie`)))
	dump("sheet")
	signIn("jury.delvaux")
	run(t, ctx, "delib", chromedp.Navigate(s.URL+"/deliberations/2025-2026/Q3"), chromedp.WaitVisible(chromedp.CSS(`#etat`)))
	dump("delib")
	signIn("audit.martin")
	for _, a := range s.Demo.Accounts {
		t.Logf("%s %s %v", a.ID, a.Name, a.Roles)
	}
	app := s.Demo.Accounts[len(s.Demo.Accounts)-2].ID
	run(t, ctx, "timeline", chromedp.Navigate(s.URL+"/etudiants/"+app+"/historique"), chromedp.WaitVisible(chromedp.CSS(`#borne-titre`)))
	dump("timeline")
	run(t, ctx, "timeline", chromedp.Navigate(s.URL+"/etudiants/"+app+"/historique?deliberation=2025-2026/Q2"), chromedp.WaitVisible(chromedp.CSS(`#borne-titre`)))
	dump("timeline-q2")
}
