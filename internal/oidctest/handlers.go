package oidctest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// codeTTL is how long a code may wait for /token.
const codeTTL = time.Minute

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         i.URL,
		"authorization_endpoint":                         i.URL + "/authorize",
		"token_endpoint":                                 i.URL + "/token",
		"jwks_uri":                                       i.URL + "/jwks",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"scopes_supported":                               []string{"openid", "email", "profile"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post"},
		"authorization_response_iss_parameter_supported": true,
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &i.key.PublicKey, KeyID: i.kid, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// authorize approves the configured user at once, or refuses.
func (i *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("redirect_uri") == "" || err != nil || !back.IsAbs() {
		http.Error(w, "oidctest: missing or relative redirect_uri", http.StatusBadRequest)
		return
	}
	if q.Get("client_id") != i.clientID {
		http.Error(w, "oidctest: unknown client_id", http.StatusBadRequest)
		return
	}
	i.mu.Lock()
	deny, user := i.deny, i.user
	i.deny = false
	i.mu.Unlock()

	answer := url.Values{}
	switch {
	case deny:
		answer.Set("error", "access_denied")
		answer.Set("error_description", "The user declined.")
	case q.Get("response_type") != "code":
		answer.Set("error", "unsupported_response_type")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		answer.Set("error", "invalid_scope")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "PKCE with S256 is required.")
	case user == nil:
		answer.Set("error", "login_required")
	default:
		code := rand.Text()
		i.mu.Lock()
		i.grants[code] = grant{
			user:        *user,
			clientID:    q.Get("client_id"),
			redirectURI: q.Get("redirect_uri"),
			nonce:       q.Get("nonce"),
			challenge:   q.Get("code_challenge"),
			expires:     time.Now().Add(codeTTL),
		}
		i.issued = append(i.issued, code)
		i.mu.Unlock()
		answer.Set("code", code)
	}
	if s := q.Get("state"); s != "" {
		answer.Set("state", s)
	}
	answer.Set("iss", i.URL) // RFC 9207
	params := back.Query()
	for k, v := range answer {
		params[k] = v
	}
	back.RawQuery = params.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code for an access token and an ID token.
func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic { // RFC 6749 §2.3.1: form-encoded before Basic
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != i.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(i.secret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	code := r.PostForm.Get("code")
	i.mu.Lock()
	g, ok := i.grants[code]
	delete(i.grants, code) // single use, even when refused below
	tamper, key := i.tamper, i.key
	if tamper == ForeignKey {
		key = i.foreign
	}
	i.mu.Unlock()

	switch {
	case tamper == LeakyError:
		tokenError(w, http.StatusBadRequest, "server_error",
			fmt.Sprintf("could not handle client_secret=%s code=%s", secret, code))
		return
	case !ok || time.Now().After(g.expires) || g.clientID != id:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	case s256(r.PostForm.Get("code_verifier")) != g.challenge:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}

	access := rand.Text() + rand.Text()
	idToken, err := i.sign(g, access, tamper, key)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	i.mu.Lock()
	i.issued = append(i.issued, access, idToken)
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(TokenTTL / time.Second),
		"id_token":     idToken,
	})
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
