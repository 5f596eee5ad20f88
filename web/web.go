// Package web is gradelog's user interface: French pages rendered on the
// server (html/template, assets embedded), for teachers, the secretariat,
// the jury, auditors and students.
//
// A page reads and writes through the same handlers as the API, so a rule
// is checked in one place; a form posts to the page's own route, which
// calls the handler and redirects (post, redirect, get), and a refusal is
// shown beside the form with its field, value and rule. The sheet page
// also saves entries as they are typed, by calling the API with the
// session cookie and its CSRF token (static/sheet.js). Every page waits for
// the views to reach the user's last write (auth.LastWrite), so it never
// shows a state older than what the user just did.
package web

import (
	"net/http"
	"time"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/auth/oidc"
	"github.com/gradelog/gradelog/handlers"
)

// Account is an identity the sign-in page offers (the demo's), with what
// it can do there.
type Account struct {
	auth.Identity
	What string
}

// Deps are what the interface needs.
type Deps struct {
	Handlers *handlers.Handlers
	Key      *auth.Key
	// Now is the clock sessions are checked against (time.Now if nil).
	Now func() time.Time
	// Accounts are offered for a one-click sign-in: the demo's accounts,
	// nil outside a demo.
	Accounts []Account
	// Local holds the accounts that sign in with a password, and to which
	// institutional identities are linked (nil: none).
	Local *accounts.Store
	// OIDC signs in with the institution's identity provider (nil: none);
	// OIDCName labels its button ("HELMo").
	OIDC     *oidc.Provider
	OIDCName string
	// Throttle limits failed sign-ins per account and client address
	// (a new one if nil); give the API the same.
	Throttle *auth.Throttle
	// API serves /api/, /healthz and /readyz beside the pages (the sheet
	// page's script and the documents' links call it with the session).
	API http.Handler
}

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 10 * time.Hour

// New returns gradelog's whole HTTP surface: the pages, and d.API under
// its paths.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Throttle == nil {
		d.Throttle = auth.DefaultThrottle()
	}
	u := &ui{Deps: d, pages: parsePages()}
	pages := http.NewServeMux()
	for _, r := range u.routes() {
		pages.Handle(r.pattern, r.handler)
	}
	var h http.Handler = pages
	if d.API != nil {
		// The API beside the pages, whose "GET /" answers what is not a
		// page with a page in French.
		mux := http.NewServeMux()
		mux.Handle("/", pages)
		for _, p := range []string{"/api/", "/healthz", "/readyz"} {
			mux.Handle(p, d.API)
		}
		h = mux
	}
	// Unsafe requests from another origin (a forged form, including the
	// sign-in's) are refused before any handler runs.
	return secure(http.NewCrossOriginProtection().Handler(h))
}

type ui struct {
	Deps
	pages map[string]*pageTemplate
}

// secure sets the headers every answer of the interface carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
