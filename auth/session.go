package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The web interface keeps its sign-in in a cookie that holds a token like
// any other (minted for the session, verified the same way), so a page and
// the API accept the same credential. A request authenticated by the
// cookie that may change something (any method but GET, HEAD and OPTIONS)
// must also carry the session's CSRF token, in the X-CSRF-Token header or
// the csrf form field: a page of another site can make the browser send
// the cookie, not read the token.
const (
	SessionCookie = "gradelog_session"
	CSRFHeader    = "X-CSRF-Token"
	CSRFField     = "csrf"
	// PositionCookie holds the log position of the user's last write, so
	// that the next page waits for the views to reach it. It is a hint a
	// user can only hurt themselves with (a page that waits), so scripts
	// may set it.
	PositionCookie = "gradelog_pos"
)

// ErrCSRF is a cookie-authenticated change without the session's CSRF
// token.
var ErrCSRF = errors.New("missing or wrong CSRF token for a change made with the session cookie: reload the page")

// CSRF is the CSRF token of a session token: a MAC of it under the key,
// so it needs no storage and dies with the session.
func (k *Key) CSRF(token string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("gradelog csrf\x00"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SetSession sets the session cookie of token: HttpOnly, SameSite=Lax,
// and Secure when the request came over TLS. It is a browser-session
// cookie; the token inside expires on its own.
func SetSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// ClearSession removes the session cookie and the position hint.
func ClearSession(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{SessionCookie, PositionCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
}

// Remember records pos as the user's last write, if it is later than the
// one remembered.
func Remember(w http.ResponseWriter, r *http.Request, pos uint64) {
	if pos <= LastWrite(r) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: PositionCookie, Value: strconv.FormatUint(pos, 10), Path: "/",
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// LastWrite is the position of the user's last write the request carries
// (0: none).
func LastWrite(r *http.Request) uint64 {
	c, err := r.Cookie(PositionCookie)
	if err != nil {
		return 0
	}
	pos, err := strconv.ParseUint(c.Value, 10, 64)
	if err != nil {
		return 0
	}
	return pos
}

// Session returns the session token a request carries in its cookie ("":
// none).
func Session(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// safe reports whether method changes nothing.
func safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// csrfOf reads the CSRF token a request sends: the header, else the form
// field of a form its handler has already parsed (authentication never
// consumes a body).
func csrfOf(r *http.Request) string {
	if h := r.Header.Get(CSRFHeader); h != "" {
		return h
	}
	return r.PostForm.Get(CSRFField)
}

// fromSession authenticates r by its session cookie, checking the CSRF
// token of a change.
func (k *Key) fromSession(r *http.Request, token string, now time.Time) (Identity, error) {
	id, err := k.Verify(token, now)
	if err != nil {
		return Identity{}, err
	}
	if !safe(r.Method) && !hmac.Equal([]byte(csrfOf(r)), []byte(k.CSRF(token))) {
		return Identity{}, ErrCSRF
	}
	return id, nil
}
