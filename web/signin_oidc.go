package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gradelog/gradelog/accounts"
)

// The institution's sign-in (OpenID Connect): the issuer authenticates,
// the local accounts authorize. An identity signs in only when an account
// is linked to it (by issuer and subject, or by a verified email the
// secretariat recorded); its roles and scopes are the account's.

func (u *ui) oidcBegin(w http.ResponseWriter, r *http.Request) {
	if u.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	u.OIDC.Begin(w, r)
}

func (u *ui) oidcFinish(w http.ResponseWriter, r *http.Request) {
	if u.OIDC == nil || u.Local == nil {
		http.NotFound(w, r)
		return
	}
	keys := []string{"addr " + clientAddr(r)}
	if u.throttled(w, r, keys) {
		return
	}
	claims, err := u.OIDC.Finish(w, r)
	if err != nil {
		u.Throttle.Fail(keys[0], time.Now())
		u.recordSignIn(r, "", "oidc", err.Error())
		u.showSignIn(w, r, http.StatusUnauthorized, "La connexion par l'institution a échoué : "+err.Error()+".")
		return
	}
	id, err := u.Local.ByOIDC(claims.Issuer, claims.Subject, claims.Email, claims.EmailVerified)
	if err != nil {
		u.recordSignIn(r, "", "oidc", "issuer "+claims.Issuer+", subject "+claims.Subject+": "+err.Error())
		msg := "Connexion refusée : " + err.Error() + "."
		if errors.Is(err, accounts.ErrNoAccount) {
			msg = "Votre identité institutionnelle n'est liée à aucun compte gradelog. Le secrétariat peut la lier à votre compte (gradelog account)."
		}
		u.showSignIn(w, r, http.StatusForbidden, msg)
		return
	}
	u.openSession(w, r, id)
}
