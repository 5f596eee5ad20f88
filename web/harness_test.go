package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/web"
)

// site is gradelog's pages and API over real HTTP on an embedded NATS
// server.
type site struct {
	*gradetest.Env
	t   *testing.T
	URL string
	Key *auth.Key
}

func startSite(t *testing.T, accounts ...web.Account) *site {
	t.Helper()
	return serveSite(t, gradetest.Start(t, true), accounts...)
}

// serveSite serves the pages and the API of a running env.
func serveSite(t *testing.T, env *gradetest.Env, accounts ...web.Account) *site {
	t.Helper()
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, env, env.Handlers, key, accounts)
}

// replica is a second server on the same log and key (a cluster's), whose
// views apply each new record lag late (gradetest.Env.Replica).
func (s *site) replica(lag time.Duration, accounts ...web.Account) *site {
	s.t.Helper()
	return serveOn(s.t, s.Env, s.Env.Replica(s.t, lag), s.Key, accounts)
}

func serveOn(t *testing.T, env *gradetest.Env, hs *handlers.Handlers, key *auth.Key, accounts []web.Account) *site {
	api := httpapi.New(httpapi.Deps{Ready: env.Log.CheckConfig, Handlers: hs, Key: key, Now: env.Clock.Now})
	ts := httptest.NewServer(web.New(web.Deps{Handlers: hs, Key: key, Now: env.Clock.Now, Accounts: accounts, API: api}))
	t.Cleanup(ts.Close)
	e := *env
	e.Handlers = hs
	return &site{Env: &e, t: t, URL: ts.URL, Key: key}
}

// user is a browser-like client signed in as one identity: cookies kept,
// redirects not followed.
type user struct {
	s      *site
	client *http.Client
}

// signIn signs id in with a token, as the sign-in page's form does.
func (s *site) signIn(id auth.Identity) *user {
	s.t.Helper()
	tok, err := s.Key.Mint(id, s.Clock.Now(), 24*time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	u := s.anonymous()
	if status, _, loc := u.post("/connexion", url.Values{"jeton": {tok}}); status != http.StatusSeeOther || loc != "/" {
		s.t.Fatalf("sign-in of %s: %d to %q", id.ID, status, loc)
	}
	return u
}

// anonymous is a client with no session.
func (s *site) anonymous() *user {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &user{s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// csrf is the session's CSRF token, as its pages carry it.
func (u *user) csrf() string {
	base, _ := url.Parse(u.s.URL)
	for _, c := range u.client.Jar.Cookies(base) {
		if c.Name == auth.SessionCookie {
			return u.s.Key.CSRF(c.Value)
		}
	}
	return ""
}

func (u *user) do(req *http.Request) (status int, body, location string) {
	u.s.t.Helper()
	resp, err := u.client.Do(req)
	if err != nil {
		u.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		u.s.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// get fetches a page.
func (u *user) get(path string) (status int, body string) {
	u.s.t.Helper()
	req, err := http.NewRequest("GET", u.s.URL+path, nil)
	if err != nil {
		u.s.t.Fatal(err)
	}
	status, body, _ = u.do(req)
	return status, body
}

// page fetches a page that must answer 200.
func (u *user) page(path string) string {
	u.s.t.Helper()
	status, body := u.get(path)
	if status != http.StatusOK {
		u.s.t.Fatalf("GET %s: %d\n%s", path, status, body)
	}
	return body
}

// post submits a form with the session's CSRF token.
func (u *user) post(path string, form url.Values) (status int, body, location string) {
	u.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get(auth.CSRFField) == "" {
		if tok := u.csrf(); tok != "" {
			form.Set(auth.CSRFField, tok)
		}
	}
	req, err := http.NewRequest("POST", u.s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		u.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req)
}

// submit posts a form that must succeed (303) and returns where it leads.
func (u *user) submit(path string, form url.Values) string {
	u.s.t.Helper()
	status, body, loc := u.post(path, form)
	if status != http.StatusSeeOther {
		u.s.t.Fatalf("POST %s: %d, want 303\n%s", path, status, body)
	}
	return loc
}
