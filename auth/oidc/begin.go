package oidc

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	// cookieName is the cookie that carries a sign-in from Begin to Finish.
	cookieName = "gradelog_oidc"
	// cookieTTL is how long a sign-in may take at the issuer.
	cookieTTL = 10 * time.Minute
	// randLen is the length of state and nonce, base64url of 32 random bytes,
	// and of a PKCE verifier (RFC 7636 §4.1).
	randLen = 43
)

// flight is what Begin remembers for Finish, in the cookie.
type flight struct {
	state, nonce, verifier string
}

// Begin starts a sign-in: it sets a 10-minute HttpOnly, SameSite=Lax cookie
// (Secure when the request came over TLS or the redirect URL is https)
// holding a fresh state, nonce and PKCE verifier, and redirects (302) to the
// issuer's authorization endpoint with the state, the nonce and the S256
// code challenge.
func (p *Provider) Begin(w http.ResponseWriter, r *http.Request) {
	f := flight{state: random(), nonce: random(), verifier: oauth2.GenerateVerifier()}
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    f.state + "." + f.nonce + "." + f.verifier,
		Path:     p.cookiePath,
		MaxAge:   int(cookieTTL / time.Second),
		Expires:  time.Now().Add(cookieTTL),
		HttpOnly: true,
		Secure:   p.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	to := p.oauth.AuthCodeURL(f.state, gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier))
	http.Redirect(w, r, to, http.StatusFound)
}

// readFlight returns the sign-in in r's cookie, if any and well formed.
func readFlight(r *http.Request) (flight, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return flight{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return flight{}, false
	}
	for _, s := range parts {
		if len(s) != randLen {
			return flight{}, false
		}
		if _, err := base64.RawURLEncoding.DecodeString(s); err != nil {
			return flight{}, false
		}
	}
	return flight{state: parts[0], nonce: parts[1], verifier: parts[2]}, true
}

// clearFlight deletes the cookie.
func (p *Provider) clearFlight(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    "",
		Path:     p.cookiePath,
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HttpOnly: true,
		Secure:   p.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (p *Provider) secure(r *http.Request) bool {
	return r.TLS != nil || p.secureURL
}

// random returns 32 bytes from crypto/rand, base64url without padding.
func random() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
