package web

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/auth/oidc"
)

// The institution's sign-in (OpenID Connect): the issuer authenticates,
// the local accounts authorize. An identity signs in only when an account
// is linked to it (by issuer and subject, or by a verified email the
// secretariat recorded); its roles and scopes are the account's.

func (u *ui) oidcBegin(w http.ResponseWriter, r *http.Request) {
	if u.OIDC == nil || u.Local == nil {
		http.NotFound(w, r)
		return
	}
	u.OIDC.Begin(w, r)
}

// issuerErrors are the error codes of an authorization response (RFC 6749
// 4.1.2.1, OpenID Connect Core 3.1.2.6): the only issuer text recorded.
var issuerErrors = []string{"invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
	"invalid_scope", "server_error", "temporarily_unavailable", "interaction_required", "login_required",
	"account_selection_required", "consent_required", "invalid_request_uri", "invalid_request_object",
	"request_not_supported", "request_uri_not_supported", "registration_not_supported"}

func (u *ui) oidcFinish(w http.ResponseWriter, r *http.Request) {
	if u.OIDC == nil || u.Local == nil {
		http.NotFound(w, r)
		return
	}
	attempt, ok := u.begin(w, r, "addr "+auth.ClientAddr(r))
	if !ok {
		return
	}
	id, why, msg, err := u.institutionIdentity(w, r)
	switch {
	case errors.Is(err, oidc.ErrState):
		// No sign-in of this browser under way: anyone can send a browser
		// here, so this is neither counted nor recorded.
		attempt.Done(true, time.Now())
		u.showSignIn(w, r, http.StatusBadRequest, "Aucune connexion par l'institution n'est en cours dans ce navigateur. Recommencez.")
	case err != nil:
		attempt.Done(false, time.Now())
		u.recordSignIn(r, "", "oidc", why)
		status := http.StatusUnauthorized
		if errors.Is(err, accounts.ErrNoAccount) || errors.Is(err, accounts.ErrDisabled) {
			status = http.StatusForbidden
		}
		u.showSignIn(w, r, status, msg)
	default:
		attempt.Done(true, time.Now())
		u.openSession(w, r, id)
	}
}

// institutionIdentity finishes the institution's sign-in and finds the
// account linked to the identity; on failure, it says why for the record
// (no text of the request's but a known error code) and what to show.
func (u *ui) institutionIdentity(w http.ResponseWriter, r *http.Request) (id auth.Identity, why, msg string, err error) {
	claims, err := u.OIDC.Finish(w, r)
	if err != nil {
		why = err.Error()
		if ie := (*oidc.IssuerError)(nil); errors.As(err, &ie) {
			why = "the issuer answered an error"
			if slices.Contains(issuerErrors, ie.Code) {
				why += " " + ie.Code
			}
		}
		return id, why, "La connexion par l'institution a échoué. Recommencez, ou adressez-vous au secrétariat.", err
	}
	id, err = u.Local.ByOIDC(claims.Issuer, claims.Subject, claims.Email, claims.EmailVerified)
	if err != nil {
		why = "issuer " + claims.Issuer + ", subject " + claims.Subject + ": " + err.Error()
		msg = "Connexion refusée."
		switch {
		case errors.Is(err, accounts.ErrNoAccount):
			msg = "Votre identité institutionnelle n'est liée à aucun compte gradelog. Le secrétariat peut la lier à votre compte (gradelog account)."
		case errors.Is(err, accounts.ErrDisabled):
			msg = "Connexion refusée : ce compte est désactivé."
		}
	}
	return id, why, msg, err
}
