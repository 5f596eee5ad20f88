package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
)

// req is one signed-in request.
type req struct {
	w     http.ResponseWriter
	r     *http.Request
	id    auth.Identity
	csrf  string
	flash string
	// refused is the refusal of the form this page answers, shown beside
	// it with what was typed (r.PostForm).
	refused *handlers.Refusal
	status  int
	// logged: the refusal, for want of a right, is recorded in the log as
	// an access.refused fact.
	logged bool
	// written is the position of a write this request made.
	written uint64
}

// wrote notes a write this request made: the page it shows and the next
// ones reflect it.
func (c *req) wrote(pos uint64) {
	auth.Remember(c.w, c.r, pos)
	c.written = max(c.written, pos)
}

// positionOf is the position of the last record of an append (0: none).
func positionOf(a eventlog.Appended) uint64 {
	if n := len(a.Records); n > 0 {
		return a.Records[n-1].Position
	}
	return 0
}

// ctx is the request's context.
func (c *req) ctx() context.Context { return c.r.Context() }

// query is how a page reads the views: no older than the user's last
// write.
func (c *req) query() handlers.ViewQuery {
	return handlers.ViewQuery{MinPosition: max(auth.LastWrite(c.r), c.written)}
}

// pageFunc renders a page.
type pageFunc func(c *req) error

// formFunc runs a form's command; on success it answers where to go next,
// what to tell the user, and the log position written.
type formFunc func(c *req) (done, error)

// done is a form's success.
type done struct {
	next     string // where to go (the page itself when "")
	flash    string // the French message shown there
	position uint64 // what the next page must reflect
}

// maxForm bounds a form's body (an uploaded sheet included).
const maxForm = 8 << 20

// signedIn authenticates r by its session, or redirects to the sign-in.
func (u *ui) signedIn(w http.ResponseWriter, r *http.Request) (*req, bool) {
	token := auth.Session(r)
	id, err := u.Key.Authenticate(r, u.Now())
	if err != nil || token == "" {
		if errors.Is(err, auth.ErrCSRF) {
			http.Error(w, "Jeton anti-falsification absent ou erroné : rechargez la page.", http.StatusForbidden)
			return nil, false
		}
		http.Redirect(w, r, "/connexion?suite="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false
	}
	c := &req{w: w, r: r, id: id, csrf: u.Key.CSRF(token), status: http.StatusOK}
	if f, err := r.Cookie(flashCookie); err == nil {
		c.flash, _ = url.QueryUnescape(f.Value)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return c, true
}

// page serves a page that writes nothing.
func (u *ui) page(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := u.signedIn(w, r)
		if !ok {
			return
		}
		if err := fn(c); err != nil {
			u.fail(c, err)
		}
	})
}

// posted authenticates a form's post (its CSRF token is in the form)
// and gives it a command of its own.
func (u *ui) posted(w http.ResponseWriter, r *http.Request) (*req, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseMultipartForm(maxForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		http.Error(w, "Formulaire illisible ou trop grand (8 Mo au plus).", http.StatusBadRequest)
		return nil, false
	}
	c, ok := u.signedIn(w, r)
	if !ok {
		return nil, false
	}
	cmd := handlers.Command{ID: uuid.NewString(), What: "UI " + r.Method + " " + r.URL.Path, Correlation: "ui " + c.id.ID}
	c.r = r.WithContext(handlers.WithCommand(r.Context(), cmd))
	return c, true
}

// post serves a post that shows its outcome itself (an upload's report).
func (u *ui) post(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := u.posted(w, r); ok {
			if err := fn(c); err != nil {
				u.fail(c, err)
			}
		}
	})
}

// form serves a form's post: its command, then a redirect to the page
// (post, redirect, get); a refusal shows the page again (back) with the
// problems and what was typed.
func (u *ui) form(fn formFunc, back pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := u.posted(w, r)
		if !ok {
			return
		}
		d, err := fn(c)
		if err != nil {
			u.record(c, err)
			var ref *handlers.Refusal
			if !errors.As(err, &ref) {
				u.fail(c, err)
				return
			}
			c.refused, c.status = ref, httpapi.StatusOf(ref.Reason)
			if err := back(c); err != nil {
				u.fail(c, err)
			}
			return
		}
		c.wrote(d.position)
		if d.flash != "" {
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(d.flash), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		next := d.next
		if next == "" {
			next = strings.TrimSuffix(r.URL.Path, "/"+lastSegment(r.URL.Path))
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

const flashCookie = "gradelog_flash"

func lastSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// record appends a refusal for want of a right as a security fact, as the
// API does; the page then says the attempt is recorded.
func (u *ui) record(c *req, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx()), 10*time.Second)
	defer cancel()
	if rerr := u.Handlers.Refused(ctx, c.id, "UI "+c.r.Pattern, c.r.URL.Path, err); rerr != nil {
		slog.Error("recording a refused attempt", "route", c.r.Pattern, "err", rerr)
		return
	}
	var ref *handlers.Refusal
	if errors.As(err, &ref) && ref.Reason == handlers.Forbidden {
		c.logged = true
	}
}

// fail answers a page that could not be shown: a refusal with its status
// and problems (recorded when for want of a right), anything else as an
// internal error, logged and not shown.
func (u *ui) fail(c *req, err error) {
	var ref *handlers.Refusal
	switch {
	case errors.As(err, &ref):
		if c.refused == nil {
			u.record(c, err)
		}
		c.refused, c.status = ref, httpapi.StatusOf(ref.Reason)
		u.render(c, "error", "Refusé", nil)
	case errors.Is(err, eventlog.ErrFull):
		c.status = http.StatusInsufficientStorage
		u.render(c, "error", "Journal plein", "Le journal des événements est plein : rien n'a été écrit.")
	default:
		slog.Error("page failed", "route", c.r.Pattern, "err", err)
		c.status = http.StatusInternalServerError
		u.render(c, "error", "Erreur interne", "Erreur interne : rien n'a été écrit. Réessayez ; si elle persiste, prévenez l'administrateur.")
	}
}
