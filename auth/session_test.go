package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSessionCookie: a session cookie authenticates like a bearer token;
// a change made with it needs the CSRF token (header or parsed form
// field); the header wins over the cookie.
func TestSessionCookie(t *testing.T) {
	k, err := LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	tok, err := k.Mint(Identity{ID: "prof.lenoir", Roles: []string{Teacher}, UEs: []string{"1/8"}}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := k.Mint(Identity{ID: "sec.leroy", Roles: []string{Secretariat}, Programmes: []string{"MIAS"}}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := func(method string, form url.Values, csrfHeader string) *http.Request {
		r := httptest.NewRequest(method, "/x", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
		if csrfHeader != "" {
			r.Header.Set(CSRFHeader, csrfHeader)
		}
		return r
	}
	if id, err := k.Authenticate(req("GET", nil, ""), now); err != nil || id.ID != "prof.lenoir" {
		t.Errorf("GET with the cookie: %v, %v", id.ID, err)
	}
	if _, err := k.Authenticate(req("POST", nil, ""), now); !errors.Is(err, ErrCSRF) {
		t.Errorf("POST without CSRF: %v, want ErrCSRF", err)
	}
	if _, err := k.Authenticate(req("POST", nil, k.CSRF(other)), now); !errors.Is(err, ErrCSRF) {
		t.Errorf("POST with another session's CSRF: %v, want ErrCSRF", err)
	}
	if _, err := k.Authenticate(req("POST", nil, k.CSRF(tok)), now); err != nil {
		t.Errorf("POST with the CSRF header: %v", err)
	}
	// The form field counts once the handler parsed the form, never by
	// reading the body itself.
	r := req("POST", url.Values{CSRFField: {k.CSRF(tok)}}, "")
	if _, err := k.Authenticate(r, now); !errors.Is(err, ErrCSRF) {
		t.Errorf("POST with an unparsed form: %v, want ErrCSRF", err)
	}
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Authenticate(r, now); err != nil {
		t.Errorf("POST with the parsed form field: %v", err)
	}
	// An expired session is refused like an expired token.
	if _, err := k.Authenticate(req("GET", nil, ""), now.Add(2*time.Hour)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired session: %v", err)
	}
	// A bearer header takes precedence over the cookie.
	b := req("POST", nil, "")
	b.Header.Set("Authorization", "Bearer "+other)
	if id, err := k.Authenticate(b, now); err != nil || id.ID != "sec.leroy" {
		t.Errorf("bearer beside a cookie: %v, %v", id.ID, err)
	}
	// The CSRF token is not the session token and differs per session.
	if k.CSRF(tok) == k.CSRF(other) || strings.Contains(tok, k.CSRF(tok)) {
		t.Error("CSRF tokens are not distinct per session")
	}
}
