package web

import (
	"net/http"
	"strings"

	"github.com/gradelog/gradelog/auth"
)

// signInPage offers a sign-in with an API token (minted by `gradelog
// token`) and, in a demo, one button per demo account.
func (u *ui) signInPage(w http.ResponseWriter, r *http.Request) {
	u.showSignIn(w, r, http.StatusOK, "")
}

func (u *ui) showSignIn(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u.write(w, status, "signin", view{Title: "Connexion", Message: msg, Accounts: u.Accounts,
		Data: map[string]string{"Next": next(r)}})
}

// next is where to go after signing in: a path of this site only.
func next(r *http.Request) string {
	s := r.FormValue("suite")
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	return s
}

// signIn opens a session for a demo account or for the identity of a
// token, with a session token of its own.
func (u *ui) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		u.showSignIn(w, r, http.StatusBadRequest, "Formulaire illisible.")
		return
	}
	now := u.Now()
	var id auth.Identity
	if acc := r.PostForm.Get("compte"); acc != "" {
		found := false
		for _, a := range u.Accounts {
			if a.ID == acc {
				id, found = a.Identity, true
			}
		}
		if !found {
			u.showSignIn(w, r, http.StatusUnauthorized, "Compte de démonstration inconnu : "+acc+".")
			return
		}
	} else {
		var err error
		if id, err = u.Key.Verify(strings.TrimSpace(r.PostForm.Get("jeton")), now); err != nil {
			u.showSignIn(w, r, http.StatusUnauthorized, "Jeton refusé : "+err.Error()+". Demandez un jeton à l'administrateur (gradelog token).")
			return
		}
	}
	token, err := u.Key.Mint(id, now, sessionTTL)
	if err != nil {
		u.showSignIn(w, r, http.StatusUnauthorized, "Identité refusée : "+err.Error()+".")
		return
	}
	auth.SetSession(w, r, token)
	http.Redirect(w, r, next(r), http.StatusSeeOther)
}

func (u *ui) signOut(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err == nil {
		if _, err := u.Key.Authenticate(r, u.Now()); err == nil {
			auth.ClearSession(w, r)
		}
	}
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
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
