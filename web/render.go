package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}

// pageTemplate is one page with the layout.
type pageTemplate = template.Template

// parsePages parses each page of templates/ with the layout; a page
// defines "content".
func parsePages() map[string]*pageTemplate {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	partials, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		files := append([]string{"templates/layout.html", n}, partials...)
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, files...))
	}
	return pages
}

// view is what every page template gets.
type view struct {
	Title   string
	User    auth.Identity
	Nav     []link
	CSRF    string
	Flash   string
	Refused *handlers.Refusal
	// Logged: the refusal, for want of a right, is recorded in the log
	// (access.refused): nothing was changed, but the attempt is kept.
	Logged   bool
	Form     map[string][]string // what the refused form held
	Message  string
	Path     string
	Data     any
	Accounts []Account
}

// link is a navigation entry.
type link struct {
	Href, Label string
	Current     bool
}

// navOf is the navigation of an identity's roles.
func navOf(id auth.Identity, path string) []link {
	var out []link
	add := func(href, label string) {
		for _, l := range out {
			if l.Href == href {
				return
			}
		}
		out = append(out, link{Href: href, Label: label, Current: path == href || strings.HasPrefix(path, href+"/")})
	}
	if id.Has(auth.Teacher) {
		add("/feuilles", "Mes feuilles de cotes")
	}
	if id.Has(auth.Secretariat) {
		add("/etudiants", "Étudiants")
		add("/sessions", "Sessions")
		add("/feuilles", "Feuilles de cotes")
		add("/deliberations", "Délibérations")
	}
	if id.Has(auth.Jury) {
		add("/deliberations", "Délibérations")
		add("/audit", "Étudiants")
	}
	if id.Has(auth.Auditor) {
		add("/audit", "Audit")
		add("/audit/verification", "Vérification du journal")
	}
	if id.Has(auth.Student) {
		add("/releve", "Mon relevé")
	}
	return out
}

// render writes page name with data; a refused form's problems, in
// French, and values come with it.
func (u *ui) render(c *req, name, title string, data any) {
	v := view{Title: title, CSRF: c.csrf, Flash: c.flash, Refused: c.refused.In(i18n.French), Logged: c.logged, Path: c.r.URL.Path, Data: data}
	if c.id.ID != "" {
		v.User, v.Nav = c.id, navOf(c.id, c.r.URL.Path)
	}
	if s, ok := data.(string); ok {
		v.Message, v.Data = s, nil
	}
	if c.refused != nil {
		v.Form = c.r.PostForm
	}
	u.write(c.w, c.status, name, v)
}

func (u *ui) write(w http.ResponseWriter, status int, name string, v view) {
	t := u.pages[name]
	var buf bytes.Buffer
	if t == nil {
		slog.Error("no such page template", "name", name)
		http.Error(w, "page inconnue", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, v); err != nil {
		slog.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "Erreur interne d'affichage.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
