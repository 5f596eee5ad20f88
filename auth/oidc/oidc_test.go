package oidc_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gradelog/gradelog/auth/oidc"
	"github.com/gradelog/gradelog/internal/oidctest"
)

const (
	clientID = "gradelog"
	secret   = "s3cr3t-Do-Not-Leak-4f9a2c"
	begin    = "/connexion/oidc"
	retour   = "/connexion/oidc/retour"
)

var alice = oidctest.User{Subject: "u-42", Email: "alice@helmo.test", Name: "Alice Martin", EmailVerified: true}

// app hosts Begin and Finish like the web sign-in does, and a browser: a
// client with a cookie jar that does not follow redirects, so each step of
// the flow can be looked at or spoiled.
type app struct {
	t       *testing.T
	issuer  *oidctest.Issuer
	p       *oidc.Provider
	url     string
	browser *http.Client

	mu     sync.Mutex
	claims oidc.Claims
	err    error
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{t: t, issuer: oidctest.Start(t, clientID, secret)}
	a.issuer.SignInAs(alice)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+begin, func(w http.ResponseWriter, r *http.Request) { a.p.Begin(w, r) })
	mux.HandleFunc("GET "+retour, func(w http.ResponseWriter, r *http.Request) {
		c, err := a.p.Finish(w, r)
		a.mu.Lock()
		a.claims, a.err = c, err
		a.mu.Unlock()
		if err != nil {
			http.Error(w, "refused", http.StatusForbidden)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	p, err := oidc.New(t.Context(), a.config())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.p = p
	a.newBrowser()
	return a
}

func (a *app) config() oidc.Config {
	return oidc.Config{
		Issuer:       a.issuer.URL,
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  a.url + retour,
		Scopes:       []string{"roles"},
	}
}

// newBrowser forgets every cookie.
func (a *app) newBrowser() {
	jar, _ := cookiejar.New(nil)
	a.browser = &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// redirect GETs u and returns where it redirects to.
func (a *app) redirect(u string) *url.URL {
	a.t.Helper()
	resp, err := a.browser.Get(u)
	if err != nil {
		a.t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		a.t.Fatalf("GET %s: %s, want 302", u, resp.Status)
	}
	to, err := resp.Location()
	if err != nil {
		a.t.Fatalf("GET %s: %v", u, err)
	}
	return to
}

// toCallback runs Begin and the issuer, and returns the redirect URL the
// issuer sends the browser back to.
func (a *app) toCallback() *url.URL {
	a.t.Helper()
	authorize := a.redirect(a.url + begin)
	if !strings.HasPrefix(authorize.String(), a.issuer.URL+"/authorize?") {
		a.t.Fatalf("Begin redirected to %s, want the issuer's /authorize", authorize)
	}
	back := a.redirect(authorize.String())
	if !strings.HasPrefix(back.String(), a.url+retour+"?") {
		a.t.Fatalf("issuer redirected to %s, want %s", back, retour)
	}
	return back
}

// finish GETs the callback and returns what Finish returned, after checking
// that an error carries no secret.
func (a *app) finish(callback *url.URL) (oidc.Claims, error) {
	a.t.Helper()
	resp, err := a.browser.Get(callback.String())
	if err != nil {
		a.t.Fatalf("GET %s: %v", callback, err)
	}
	resp.Body.Close()
	a.mu.Lock()
	c, ferr := a.claims, a.err
	a.mu.Unlock()
	if ferr != nil {
		noLeak(a.t, ferr, append(a.issuer.Issued(), a.cookie())...)
	}
	return c, ferr
}

// cookie is the value of the sign-in cookie the browser would send.
func (a *app) cookie() string {
	u, _ := url.Parse(a.url + retour)
	for _, c := range a.browser.Jar.Cookies(u) {
		return c.Value
	}
	return ""
}

func (a *app) signIn() (oidc.Claims, error) {
	a.t.Helper()
	return a.finish(a.toCallback())
}

// noLeak fails if err's text holds the client secret or any of secrets.
func noLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := err.Error()
	for _, s := range append(secrets, secret, url.QueryEscape(secret)) {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("error %q leaks %q", msg, s)
		}
	}
}

func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("sign-in succeeded, want an error containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	got, err := a.signIn()
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	want := oidc.Claims{Issuer: a.issuer.URL, Subject: alice.Subject, Email: alice.Email, Name: alice.Name, EmailVerified: true}
	if got != want {
		t.Errorf("claims = %+v, want %+v", got, want)
	}
	if c := a.cookie(); c != "" {
		t.Errorf("cookie still set after Finish: %q", c)
	}
}

func TestBegin(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rec := httptest.NewRecorder()
	a.p.Begin(rec, httptest.NewRequest("GET", a.url+begin, nil))
	resp := rec.Result()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302", resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	for k, want := range map[string]string{
		"response_type":         "code",
		"client_id":             clientID,
		"redirect_uri":          a.url + retour,
		"scope":                 "openid email profile roles",
		"code_challenge_method": "S256",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if len(resp.Cookies()) != 1 {
		t.Fatalf("cookies = %v, want one", resp.Cookies())
	}
	c := resp.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge != 600 || c.Path != retour {
		t.Errorf("cookie = %+v, want HttpOnly, SameSite=Lax, not Secure over http, Max-Age=600, Path=%s", c, retour)
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		t.Fatalf("cookie value %q: want state.nonce.verifier", c.Value)
	}
	for i, k := range []string{"state", "nonce"} {
		if len(q.Get(k)) != 43 || q.Get(k) != parts[i] {
			t.Errorf("%s = %q, want the 43-character value %q of the cookie", k, q.Get(k), parts[i])
		}
	}
	if ch := q.Get("code_challenge"); len(ch) != 43 || strings.Contains(loc.String(), parts[2]) {
		t.Errorf("code_challenge = %q: want an S256 challenge, not the verifier", ch)
	}
	if q.Get("state") == q.Get("nonce") {
		t.Error("state and nonce are equal")
	}
}

func TestBeginSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rec := httptest.NewRecorder()
	a.p.Begin(rec, httptest.NewRequest("GET", "https://gradelog.test"+begin, nil))
	if c := rec.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("cookies = %v, want one Secure cookie", c)
	}
}

func TestWrongStateRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	back := a.toCallback()
	q := back.Query()
	q.Set("state", strings.Repeat("A", 43))
	back.RawQuery = q.Encode()
	before := a.cookie()
	_, err := a.finish(back)
	wantErr(t, err, "state")
	if !errors.Is(err, oidc.ErrState) {
		t.Errorf("error %v is not ErrState", err)
	}
	if a.cookie() != before {
		t.Error("a mismatched state cleared the sign-in under way")
	}
}

func TestMissingStateCookieRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	back := a.toCallback()
	a.newBrowser()
	_, err := a.finish(back)
	wantErr(t, err, "cookie")
	if !errors.Is(err, oidc.ErrState) {
		t.Errorf("error %v is not ErrState", err)
	}
}

func TestReplayedCodeRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	back := a.toCallback()
	u, _ := url.Parse(a.url + retour)
	saved := a.browser.Jar.Cookies(u)
	if _, err := a.finish(back); err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	for _, c := range saved {
		c.Path = retour
	}
	a.browser.Jar.SetCookies(u, saved) // the same browser state, replayed
	_, err := a.finish(back)
	wantErr(t, err, "refused the code", "invalid_grant")
}

func TestDeniedAtIssuer(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.issuer.Deny()
	_, err := a.signIn()
	wantErr(t, err, "access_denied", a.issuer.URL)
	var ie *oidc.IssuerError
	if !errors.As(err, &ie) || ie.Code != "access_denied" {
		t.Errorf("error %v: want an *IssuerError with code access_denied", err)
	}
	if _, err := a.signIn(); err != nil {
		t.Errorf("sign-in after a denial: %v", err)
	}
}

func TestMixedUpIssuerRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	back := a.toCallback()
	q := back.Query()
	q.Set("iss", "https://evil.test")
	back.RawQuery = q.Encode()
	_, err := a.finish(back)
	wantErr(t, err, "another issuer")
}

func TestSpoiledIDTokenRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper oidctest.Tamper
		want   string
	}{
		{"WrongAudience", oidctest.WrongAudience, "audience"},
		{"Expired", oidctest.Expired, "expired"},
		{"WrongNonce", oidctest.WrongNonce, "nonce"},
		{"ForeignKey", oidctest.ForeignKey, "signature"},
		{"WrongIssuer", oidctest.WrongIssuer, "different provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t)
			a.issuer.Tamper(tc.tamper)
			_, err := a.signIn()
			wantErr(t, err, "ID token", "refused", tc.want)
		})
	}
}

func TestTokenErrorEchoingSecretsIsRedacted(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.issuer.Tamper(oidctest.LeakyError)
	back := a.toCallback()
	_, err := a.finish(back) // finish checks the secret and the code are absent
	wantErr(t, err, "server_error", "[redacted]")
	noLeak(t, err, back.Query().Get("code"))
}

func TestNewUnreachableIssuer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + l.Addr().String() + "/realms/helmo"
	l.Close()
	_, err = oidc.New(t.Context(), oidc.Config{Issuer: issuer, ClientID: clientID, ClientSecret: secret, RedirectURL: "https://gradelog.test" + retour})
	wantErr(t, err, issuer)
	noLeak(t, err)
}

func TestNewMisconfiguredIssuer(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for name, c := range map[string]func(*oidc.Config){
		"no discovery":    func(c *oidc.Config) { c.Issuer += "/realms/none" },
		"issuer mismatch": func(c *oidc.Config) { c.Issuer += "/" },
		"not a URL":       func(c *oidc.Config) { c.Issuer = "login.example.be" },
		"no client ID":    func(c *oidc.Config) { c.ClientID = "" },
		"no redirect":     func(c *oidc.Config) { c.RedirectURL = retour },
	} {
		cfg := a.config()
		c(&cfg)
		_, err := oidc.New(context.Background(), cfg)
		if err == nil {
			t.Errorf("%s: New succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), cfg.Issuer) {
			t.Errorf("%s: error %q does not name the issuer %s", name, err, cfg.Issuer)
		}
		noLeak(t, err)
	}
}

func TestScopesNotDuplicated(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	cfg := a.config()
	cfg.Scopes = []string{"email", "openid", "groups"}
	p, err := oidc.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.Begin(rec, httptest.NewRequest("GET", a.url+begin, nil))
	loc, _ := rec.Result().Location()
	if got, want := strings.Fields(loc.Query().Get("scope")), []string{"openid", "email", "profile", "groups"}; !slices.Equal(got, want) {
		t.Errorf("scope = %q, want %q", got, want)
	}
}
