package oidc

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrState is wrapped by the errors of Finish when the sign-in cannot be
// tied to one started by Begin in this browser: cookie missing, expired or
// malformed, or state different from the cookie's.
var ErrState = errors.New("sign-in state refused")

// IssuerError is an error the issuer sent back to the redirect URL
// (RFC 6749 §4.1.2.1), e.g. Code "access_denied" when the user declined.
type IssuerError struct {
	Issuer      string
	Code        string // e.g. access_denied, login_required
	Description string // the issuer's error_description, possibly empty
}

func (e *IssuerError) Error() string {
	s := fmt.Sprintf("oidc: issuer %s refused the sign-in: %s", e.Issuer, e.Code)
	if e.Description != "" {
		s += fmt.Sprintf(" (%s)", e.Description)
	}
	return s
}

// maxText bounds text that comes from the issuer or the browser.
const maxText = 200

// clip shortens s to maxText bytes and makes it one printable line.
func clip(s string) string {
	if len(s) > maxText {
		s = s[:maxText] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// redact removes every secret from s: a last guard against an issuer or
// library echoing the client secret, the code or a token into an error.
func redact(s string, secrets ...string) string {
	for _, v := range secrets {
		if v == "" {
			continue
		}
		s = strings.ReplaceAll(s, v, "[redacted]")
		if e := url.QueryEscape(v); e != v {
			s = strings.ReplaceAll(s, e, "[redacted]") // as in a form body
		}
	}
	return s
}
