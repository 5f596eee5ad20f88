package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
)

// signInPage offers the ways in this server allows: a local account's
// password, the institution's sign-in (OpenID Connect), an API token
// (minted by `gradelog token`) and, in a demo, one button per demo
// account.
func (u *ui) signInPage(w http.ResponseWriter, r *http.Request) {
	u.showSignIn(w, r, http.StatusOK, "")
}

func (u *ui) showSignIn(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u.write(w, status, "signin", view{Title: "Connexion", Message: msg, Accounts: u.Accounts,
		Data: map[string]any{"Next": next(r), "Local": u.Local != nil && u.Local.Len() > 0, "OIDC": u.OIDCName, "ID": r.PostFormValue("identifiant")}})
}

// next is where to go after signing in: a path of this site only (no
// scheme, no host, no "//" or "/\\", no control character a browser would
// strip into one).
func next(r *http.Request) string {
	s := r.FormValue("suite")
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") ||
		strings.ContainsFunc(s, func(c rune) bool { return unicode.IsControl(c) || c == '\\' }) {
		return "/"
	}
	return s
}

// signIn opens a session for a demo account, a local account's password
// or the identity of a token. Passwords and tokens are throttled per
// client address and per account, failures recorded as refusals.
func (u *ui) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		u.showSignIn(w, r, http.StatusBadRequest, "Formulaire illisible.")
		return
	}
	if acc := r.PostForm.Get("compte"); acc != "" {
		for _, a := range u.Accounts {
			if a.ID == acc {
				u.openSession(w, r, a.Identity)
				return
			}
		}
		u.showSignIn(w, r, http.StatusUnauthorized, "Compte de démonstration inconnu : "+acc+".")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("identifiant"))
	account := "" // the account the attempt names, if it exists
	if u.Local != nil {
		if _, ok := u.Local.Get(name); ok {
			account = name
		}
	}
	keys := []string{"addr " + auth.ClientAddr(r)}
	if account != "" {
		keys = append(keys, "account "+account)
	}
	attempt, ok := u.begin(w, r, keys...)
	if !ok {
		return
	}
	var id auth.Identity
	var err error
	method := "token"
	if name != "" && u.Local != nil {
		method = "password"
		id, err = u.Local.Authenticate(name, r.PostForm.Get("mot_de_passe"))
	} else {
		id, err = u.Key.Verify(strings.TrimSpace(r.PostForm.Get("jeton")), u.Now())
	}
	if err != nil {
		why := err.Error()
		if attempt.Done(false, time.Now()) {
			why += "; further attempts are throttled"
		}
		u.recordSignIn(r, account, method, why)
		msg := "Identifiant ou mot de passe incorrect."
		switch {
		case errors.Is(err, accounts.ErrDisabled):
			msg = "Ce compte est désactivé. Adressez-vous au secrétariat."
		case method == "token":
			msg = "Jeton refusé : " + err.Error() + ". Demandez un jeton à l'administrateur (gradelog token)."
		}
		u.showSignIn(w, r, http.StatusUnauthorized, msg)
		return
	}
	attempt.Done(true, time.Now())
	u.openSession(w, r, id)
}

// openSession signs id in with a session token of its own.
func (u *ui) openSession(w http.ResponseWriter, r *http.Request, id auth.Identity) {
	token, err := u.Key.Mint(id, u.Now(), sessionTTL)
	if err != nil {
		u.showSignIn(w, r, http.StatusUnauthorized, "Identité refusée : "+err.Error()+".")
		return
	}
	auth.SetSession(w, r, token)
	http.Redirect(w, r, next(r), http.StatusSeeOther)
}

// begin starts a sign-in attempt under keys, or answers 429 when one of
// them has failed too often lately.
func (u *ui) begin(w http.ResponseWriter, r *http.Request, keys ...string) (*auth.Attempt, bool) {
	attempt, wait := u.Throttle.Begin(time.Now(), keys...)
	if attempt != nil {
		return attempt, true
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	u.showSignIn(w, r, http.StatusTooManyRequests,
		fmt.Sprintf("Trop de tentatives de connexion échouées. Réessayez dans %s.", frenchWait(wait)))
	return nil, false
}

// recordSignIn appends a refused sign-in to the security log, whatever
// became of the request.
func (u *ui) recordSignIn(r *http.Request, account, method, why string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if err := u.Handlers.SignInRefused(ctx, account, method, auth.ClientAddr(r), why); err != nil {
		slog.Error("recording a refused sign-in", "method", method, "err", err)
	}
}

// frenchWait says a wait in minutes, or seconds under one.
func frenchWait(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d secondes", int(d.Seconds()))
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

func (u *ui) signOut(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err == nil {
		if _, err := u.Key.Authenticate(r, u.Now()); err == nil {
			auth.ClearSession(w, r)
		}
	}
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
}

// notFound answers an address that is no page of the interface.
func (u *ui) notFound(c *req) error {
	c.status = http.StatusNotFound
	u.render(c, "error", "Page introuvable", "Aucune page de gradelog ne se trouve à cette adresse : "+c.r.URL.Path+". Vérifiez l'adresse, ou repartez de votre page d'accueil.")
	return nil
}

// home sends each user to their first page.
func (u *ui) home(c *req) error {
	nav := navOf(c.id, "")
	if len(nav) == 0 {
		c.status = http.StatusForbidden
		u.render(c, "error", "Aucun accès", "Votre identité n'a aucun rôle connu.")
		return nil
	}
	http.Redirect(c.w, c.r, nav[0].Href, http.StatusSeeOther)
	return nil
}
