package oidc

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Finish completes a sign-in on the redirect URL. It checks the state
// against Begin's cookie (in constant time), exchanges the code with the
// PKCE verifier, verifies the ID token (signature, issuer, audience, expiry,
// nonce, and access token hash when present), clears the cookie and returns
// the claims.
//
// An error sent back by the issuer is an *IssuerError; a missing, expired
// or mismatched state wraps ErrState. The cookie is left alone when the
// state does not match it: it may belong to a genuine sign-in under way.
func (p *Provider) Finish(w http.ResponseWriter, r *http.Request) (Claims, error) {
	q := r.URL.Query()
	f, found := readFlight(r)
	matches := found && subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) == 1
	if matches {
		p.clearFlight(w, r)
	}

	// The state first: an error= without a sign-in under way is anyone's
	// text, not the issuer's.
	switch {
	case !found:
		return Claims{}, fmt.Errorf("oidc: no sign-in at %s under way in this browser (cookie missing or expired): %w", p.issuer, ErrState)
	case !matches:
		return Claims{}, fmt.Errorf("oidc: sign-in at %s: the state does not match this browser's: %w", p.issuer, ErrState)
	}
	if code := q.Get("error"); code != "" {
		return Claims{}, &IssuerError{
			Issuer:      p.issuer,
			Code:        clip(redact(code, p.secret)),
			Description: clip(redact(q.Get("error_description"), p.secret)),
		}
	}
	// RFC 9207: an issuer that names itself must be ours (mix-up attacks).
	if iss := q.Get("iss"); iss != "" && iss != p.issuer {
		return Claims{}, fmt.Errorf("oidc: sign-in at %s answered by another issuer", p.issuer)
	}
	code := q.Get("code")
	if code == "" {
		return Claims{}, fmt.Errorf("oidc: sign-in at %s: no code in the redirect", p.issuer)
	}

	ctx := gooidc.ClientContext(r.Context(), p.client)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: issuer %s refused the code: %s", p.issuer, p.scrub(exchangeError(err), code, f.verifier))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, fmt.Errorf("oidc: issuer %s returned no ID token", p.issuer)
	}
	refuse := func(why string) (Claims, error) {
		return Claims{}, fmt.Errorf("oidc: ID token from %s refused: %s", p.issuer, p.scrub(why, code, f.verifier, raw, tok.AccessToken, tok.RefreshToken))
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return refuse(strings.TrimPrefix(err.Error(), "oidc: "))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.nonce)) != 1 {
		return refuse("nonce does not match this sign-in")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return refuse(err.Error())
		}
	}
	if idt.Subject == "" {
		return refuse("no subject")
	}
	var extra struct {
		Email         string   `json:"email"`
		EmailVerified flexBool `json:"email_verified"`
		Name          string   `json:"name"`
	}
	if err := idt.Claims(&extra); err != nil {
		return refuse("unreadable claims: " + err.Error())
	}
	return Claims{
		Issuer:        idt.Issuer,
		Subject:       idt.Subject,
		Email:         extra.Email,
		Name:          extra.Name,
		EmailVerified: bool(extra.EmailVerified),
	}, nil
}

// exchangeError describes a failed code exchange by the OAuth error code
// and description only: a token endpoint's raw body is not shown.
func exchangeError(err error) string {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err.Error()
	}
	s := re.ErrorCode
	if s == "" && re.Response != nil {
		s = re.Response.Status
	}
	if re.ErrorDescription != "" {
		s += " (" + re.ErrorDescription + ")"
	}
	return s
}

// scrub makes text from the issuer or a library fit for an error: without
// the secret, the code, the verifier or tokens, short and on one line.
func (p *Provider) scrub(s string, secrets ...string) string {
	return clip(redact(s, append(secrets, p.secret)...))
}

// flexBool reads a JSON boolean, or a string "true"/"false" as some issuers
// send email_verified.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	case "false", "null", "":
		*b = false
	default:
		return fmt.Errorf("email_verified: not a boolean: %s", clip(string(data)))
	}
	return nil
}
