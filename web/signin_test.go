package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/auth/oidc"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/internal/oidctest"
	"github.com/gradelog/gradelog/web"
)

const goodPassword = "une phrase de passe assez longue"

// signInSite serves the pages with local accounts (secr.dubois has a
// password; prof.oidc is linked to an institutional identity) and an
// OpenID issuer of its own.
func signInSite(t *testing.T) (*site, *oidctest.Issuer) {
	t.Helper()
	env := gradetest.Start(t, true)
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	local, err := accounts.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []accounts.Account{
		{ID: "secr.dubois", Name: "Nathalie Dubois", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}},
		{ID: "prof.oidc", Name: "Claire Lambert", Roles: []string{auth.Teacher}, UEs: []string{"1/9"}, OIDCIssuer: "", OIDCSubject: ""},
	} {
		if err := local.Put(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := local.SetPassword("secr.dubois", goodPassword); err != nil {
		t.Fatal(err)
	}
	iss := oidctest.Start(t, "gradelog", "client-secret")
	prof, _ := local.Get("prof.oidc")
	prof.OIDCIssuer, prof.OIDCSubject = iss.URL, "sub-lambert"
	if err := local.Put(prof); err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	provider, err := oidc.New(context.Background(), oidc.Config{Issuer: iss.URL, ClientID: "gradelog", ClientSecret: "client-secret",
		RedirectURL: ts.URL + "/connexion/institution/retour"})
	if err != nil {
		t.Fatal(err)
	}
	throttle := auth.DefaultThrottle()
	h = web.New(web.Deps{Handlers: env.Handlers, Key: key, Now: env.Clock.Now, Local: local, OIDC: provider, OIDCName: "HELMo", Throttle: throttle,
		API: httpapi.New(httpapi.Deps{Handlers: env.Handlers, Key: key, Now: env.Clock.Now, Throttle: throttle})})
	return &site{Env: env, t: t, URL: ts.URL, Key: key}, iss
}

// refusedSignIns are the refused sign-ins recorded today.
func refusedSignIns(t *testing.T, s *site) []events.Record {
	t.Helper()
	var out []events.Record
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	day := s.Clock.Now().In(brussels).Format(time.DateOnly)
	recs, err := s.Log.Load(t.Context(), events.SecurityOf(day), eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs.Records {
		if e, ok := r.Event.(events.AccessRefused); ok && strings.HasPrefix(e.Action, "sign in") {
			out = append(out, r)
		}
	}
	return out
}

func TestPasswordSignIn(t *testing.T) {
	s, _ := signInSite(t)
	u := s.anonymous()
	if body := u.page("/connexion"); !strings.Contains(body, `autocomplete="current-password"`) || !strings.Contains(body, "Se connecter avec HELMo") {
		t.Fatalf("sign-in page lacks the password form or the institution's button:\n%s", body)
	}

	status, body, _ := u.post("/connexion", url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {"mauvais mot de passe"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, "Identifiant ou mot de passe incorrect") || !strings.Contains(body, `value="secr.dubois"`) {
		t.Fatalf("wrong password: %d\n%s", status, body)
	}
	status, body, _ = u.post("/connexion", url.Values{"identifiant": {"personne-inconnue-xyz"}, "mot_de_passe": {"x"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, "Identifiant ou mot de passe incorrect") {
		t.Fatalf("unknown account: %d\n%s", status, body)
	}
	recs := refusedSignIns(t, s)
	if len(recs) != 2 || recs[0].Actor.ID != "secr.dubois" || recs[1].Actor.ID != "anonymous" {
		t.Fatalf("recorded sign-ins: %+v", recs)
	}
	for _, r := range recs {
		if strings.Contains(string(r.Data), "personne-inconnue-xyz") || strings.Contains(string(r.Data), "mauvais") {
			t.Fatalf("a refused sign-in recorded what was typed: %s", r.Data)
		}
	}

	for _, away := range []string{"//attaquant.example", "/\t/attaquant.example", "/\\attaquant.example", "https://attaquant.example/"} {
		if _, _, loc := s.anonymous().post("/connexion", url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {goodPassword}, "suite": {away}}); loc != "/" {
			t.Errorf("after signing in, suite=%q leads to %q, want /", away, loc)
		}
	}
	if status, _, loc := u.post("/connexion", url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {goodPassword}, "suite": {"/etudiants"}}); status != http.StatusSeeOther || loc != "/etudiants" {
		t.Fatalf("right password: %d to %q", status, loc)
	}
	if body := u.page("/etudiants"); !strings.Contains(body, "Nathalie Dubois") {
		t.Fatalf("signed in, the directory does not name the user:\n%s", body)
	}
}

// TestSignInThrottled: after five failures an account is locked for a
// while, even with the right password, and the lockout is recorded once.
func TestSignInThrottled(t *testing.T) {
	s, _ := signInSite(t)
	u := s.anonymous()
	for i := 0; i < 5; i++ {
		if status, _, _ := u.post("/connexion", url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {"essai"}}); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	req, _ := http.NewRequest("POST", s.URL+"/connexion", strings.NewReader(url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {goodPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := u.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after five failures: %s, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	recs := refusedSignIns(t, s)
	locks := 0
	for _, r := range recs {
		if strings.Contains(r.Event.(events.AccessRefused).Reason, "throttled") {
			locks++
		}
	}
	if len(recs) != 5 || locks != 1 {
		t.Fatalf("%d refused sign-ins recorded, %d lockouts; want 5 and 1", len(recs), locks)
	}
	// The API shares the throttle: the address is locked there too.
	req, _ = http.NewRequest("GET", s.URL+"/api/v1/students", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	if status, body, _ := u.do(req); status != http.StatusTooManyRequests {
		t.Fatalf("a refused token from the address after the lockout: %d %s", status, body)
	}
}

// TestSignInFromAnotherOrigin: a sign-in form posted from another site is
// refused before anything is checked or recorded.
func TestSignInFromAnotherOrigin(t *testing.T) {
	s, _ := signInSite(t)
	req, _ := http.NewRequest("POST", s.URL+"/connexion", strings.NewReader(url.Values{"identifiant": {"secr.dubois"}, "mot_de_passe": {goodPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://attaquant.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	status, _, _ := s.anonymous().do(req)
	if status != http.StatusForbidden {
		t.Fatalf("cross-origin sign-in: %d, want 403", status)
	}
	if recs := refusedSignIns(t, s); len(recs) != 0 {
		t.Fatalf("a cross-origin post was recorded as a sign-in: %+v", recs)
	}
}

// TestInstitutionSignIn: the institution's identity signs in when an
// account is linked to it, with the account's roles; another identity is
// refused and recorded.
func TestInstitutionSignIn(t *testing.T) {
	s, iss := signInSite(t)
	follow := func(u *user, path string) (int, string) {
		t.Helper()
		target := s.URL + path
		for range 5 {
			req, _ := http.NewRequest("GET", target, nil)
			status, body, loc := u.do(req)
			switch {
			case status != http.StatusFound && status != http.StatusSeeOther:
				return status, body
			case strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "/connexion/institution/retour"):
				return status, loc // back in gradelog, signed in
			}
			if strings.HasPrefix(loc, "/") {
				loc = s.URL + loc
			}
			target = loc
		}
		t.Fatal("too many redirects")
		return 0, ""
	}
	iss.SignInAs(oidctest.User{Subject: "sub-lambert", Email: "claire.lambert@helmo.be", Name: "Claire Lambert", EmailVerified: true})
	u := s.anonymous()
	status, where := follow(u, "/connexion/institution")
	if status != http.StatusSeeOther || where != "/" {
		t.Fatalf("linked identity: %d %q", status, where)
	}
	if body := u.page("/feuilles"); !strings.Contains(body, "Claire Lambert") {
		t.Fatalf("signed in by the institution, the sheets page does not name the teacher:\n%s", body)
	}

	// An issuer's error with no sign-in under way is anyone's text: not
	// shown, not recorded.
	status, body := s.anonymous().get("/connexion/institution/retour?error=access_denied&error_description=Appelez+le+0800+PHISH")
	if status != http.StatusBadRequest || strings.Contains(body, "PHISH") || len(refusedSignIns(t, s)) != 0 {
		t.Fatalf("forged issuer error: %d, recorded %d\n%s", status, len(refusedSignIns(t, s)), body)
	}

	iss.SignInAs(oidctest.User{Subject: "sub-inconnu", Email: "x@helmo.be", Name: "X", EmailVerified: true})
	status, body = follow(s.anonymous(), "/connexion/institution")
	if status != http.StatusForbidden || !strings.Contains(body, "liée à aucun compte gradelog") {
		t.Fatalf("unlinked identity: %d\n%s", status, body)
	}
	recs := refusedSignIns(t, s)
	if len(recs) != 1 || !strings.Contains(recs[0].Event.(events.AccessRefused).Reason, "sub-inconnu") {
		t.Fatalf("recorded: %+v", recs)
	}
}

// TestUnknownAddress: an address that is no page answers a page in French
// with status 404 (after the sign-in, as every page); a page's address
// with another method still answers 405, and the API keeps its paths.
func TestUnknownAddress(t *testing.T) {
	s := startSite(t)
	anon := s.anonymous()
	req, _ := http.NewRequest("GET", s.URL+"/nulle-part", nil)
	if status, _, loc := anon.do(req); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/connexion?suite=") {
		t.Fatalf("an unknown address signed out: %d to %q, want the sign-in", status, loc)
	}
	u := s.signIn(auth.Identity{ID: "prof.x", Name: "Prof X", Roles: []string{auth.Teacher}, UEs: []string{"1/4"}})
	for _, path := range []string{"/nulle-part", "/feuilles/2025-2026/Q1/1/4/saisie"} {
		status, body := u.get(path)
		if status != http.StatusNotFound || !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "<h1>Page introuvable</h1>") {
			t.Errorf("GET %s: %d, want 404 and the French page\n%s", path, status, body)
		}
	}
	if status, _, _ := u.post("/feuilles", nil); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /feuilles: %d, want 405", status)
	}
	if status, _ := u.get("/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz: %d, want 200", status)
	}
	req, _ = http.NewRequest("GET", s.URL+"/api/v1/nulle-part", nil)
	if status, body, _ := u.do(req); status != http.StatusNotFound || strings.Contains(body, "<html") {
		t.Errorf("GET /api/v1/nulle-part: %d, want the API's 404\n%s", status, body)
	}
}
