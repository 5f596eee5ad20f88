package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// comparisonPage compares a student's record between two moments.
type comparisonPage struct {
	Student   projections.Identity
	Matricule string
	// The bounds as typed: a moment (au) and a position for each side.
	From, FromPosition, To, ToPosition string
	Ran                                bool
	FromWords, ToWords                 string
	Position                           uint64 // the last position the later side holds
	FromRecords, ToRecords             int
	Views                              []comparisonView
	Facts                              []auditFact
	Path, Timeline, API                string
}

// comparisonView is the changes of one view (a year's transcript, the
// ledger).
type comparisonView struct {
	Label   string
	Changes []comparisonChange
}

// comparisonChange is one value that changed, and the facts that explain
// it.
type comparisonChange struct {
	What, Before, After string
	Because             []comparisonCause
}

// comparisonCause is a fact that explains a change, by its position.
type comparisonCause struct {
	Position uint64
	Label    string
}

// diff compares a student's transcripts and ledger between two moments
// (dates or log positions; from the start to now by default) and lists
// each change with the facts that explain it, and the facts in between.
func (u *ui) diff(c *req) error {
	mat := strings.ToUpper(strings.TrimSpace(c.r.PathValue("matricule")))
	query := c.r.URL.Query()
	p := &comparisonPage{Matricule: mat, Path: "/etudiants/" + url.PathEscape(mat) + "/comparaison", Timeline: "/etudiants/" + url.PathEscape(mat) + "/historique",
		From: strings.TrimSpace(query.Get("depuis")), FromPosition: strings.TrimSpace(query.Get("depuis_position")),
		To: strings.TrimSpace(query.Get("jusqua")), ToPosition: strings.TrimSpace(query.Get("jusqua_position"))}
	var from, to eventlog.Until
	var problems []handlers.Problem
	for _, b := range []struct {
		day, position string
		dayField, pos string
		u             *eventlog.Until
	}{{p.From, p.FromPosition, "depuis", "depuis_position", &from}, {p.To, p.ToPosition, "jusqua", "jusqua_position", &to}} {
		t, problem := momentOf(b.dayField, b.day)
		if problem != nil {
			problems = append(problems, *problem)
		}
		pos, problem := positionOfField(b.pos, b.position)
		if problem != nil {
			problems = append(problems, *problem)
		}
		b.u.Instant, b.u.Position = t, pos
	}
	if len(problems) > 0 {
		c.refused, c.status = &handlers.Refusal{Reason: handlers.Invalid, Problems: problems}, httpapi.StatusOf(handlers.Invalid)
		u.render(c, "diff", "Comparaison du dossier de "+mat, p)
		return nil
	}
	d, err := u.Handlers.Diff(c.ctx(), c.id, mat, from, to, c.query())
	if ref, ok := shownRefusal(err); ok && ref.Reason == handlers.Invalid {
		// Bounds that make no interval: said beside the form.
		c.refused, c.status = frenchRefusal(ref), httpapi.StatusOf(ref.Reason)
		u.render(c, "diff", "Comparaison du dossier de "+mat, p)
		return nil
	}
	if err != nil {
		return err
	}
	p.Ran, p.Student, p.Position = true, d.Student, d.Position
	p.FromRecords, p.ToRecords = d.From.Records, d.To.Records
	p.FromWords = "à son début"
	if from != (eventlog.Until{}) {
		p.FromWords = boundWords(from)
	}
	p.ToWords = fmt.Sprintf("actuel (position %d)", d.Position)
	if to != (eventlog.Until{}) {
		p.ToWords = boundWords(to)
	}
	p.Facts = auditFacts(d.Facts)
	labels := map[uint64]string{}
	for _, f := range p.Facts {
		labels[f.Position] = f.Label
	}
	for _, ch := range d.Changes {
		label := viewName(ch.View)
		if n := len(p.Views); n == 0 || p.Views[n-1].Label != label {
			p.Views = append(p.Views, comparisonView{Label: label})
		}
		row := comparisonChange{What: whatName(ch.What), Before: changeValue(ch.What, ch.Before), After: changeValue(ch.What, ch.After)}
		for _, pos := range ch.Because {
			row.Because = append(row.Because, comparisonCause{Position: pos, Label: labels[pos]})
		}
		v := &p.Views[len(p.Views)-1]
		v.Changes = append(v.Changes, row)
	}
	api := url.Values{}
	for name, v := range map[string]string{"from_position": p.FromPosition, "to_position": p.ToPosition} {
		if v != "" {
			api.Set(name, v)
		}
	}
	if !from.Instant.IsZero() {
		api.Set("from", apiInstant(from.Instant))
	}
	if !to.Instant.IsZero() {
		api.Set("to", apiInstant(to.Instant))
	}
	if len(api) > 0 {
		p.API = "/api/v1/students/" + url.PathEscape(mat) + "/diff?" + api.Encode()
	}
	title := "Comparaison du dossier de " + mat
	if n := strings.TrimSpace(d.Student.FirstName + " " + d.Student.LastName); n != "" {
		title = "Comparaison du dossier de " + n + " (" + mat + ")"
	}
	u.render(c, "diff", title, p)
	return nil
}

// viewName names a compared view: "Relevé 2025-2026", "Crédits du cycle".
func viewName(v string) string {
	if year, ok := strings.CutPrefix(v, "transcript "); ok {
		return "Relevé de notes " + year
	}
	if v == "ledger" {
		return "Crédits du cycle"
	}
	return v
}

// whatNames name the compared values in French (projections.ViewChange's
// What, less the UE, session and bloc it names).
var whatNames = map[string]string{
	"programme": "programme", "credits enrolled": "crédits inscrits", "credits acquired": "crédits acquis",
	"credits by mark": "crédits acquis par note", "credits deliberated": "crédits délibérés",
	"credits recognised": "crédits valorisés", "credits remaining": "crédits restants", "credits total": "crédits au programme",
	"year average": "moyenne annuelle", "cycle average": "moyenne du cycle", "degree": "grade",
	"credits": "crédits", "mark": "note", "status": "statut", "basis": "fondement", "acquired in": "acquise en",
	"result": "résultat", "code": "code", "missing": "résultats manquants",
}

// whatName names a compared value in French: "UE 1/4 · session de janvier
// (Q1) · résultat", "crédits acquis (bloc 1)", "décision de la session de
// juin (Q2)".
func whatName(what string) string {
	if rest, ok := strings.CutPrefix(what, "UE "); ok {
		code, rest, _ := strings.Cut(rest, " ")
		parts := []string{"UE " + code}
		if s, r, ok := strings.Cut(rest, " "); ok && len(s) == 2 && s[0] == 'Q' {
			parts, rest = append(parts, sessionName(s)), r
		}
		if a, ok := strings.CutPrefix(rest, "("); ok {
			parts = append(parts, "activité « "+strings.TrimSuffix(a, ")")+" »")
		} else {
			parts = append(parts, pdfdoc.Label(whatNames, rest))
		}
		return strings.Join(parts, " · ")
	}
	if s, ok := strings.CutPrefix(what, "decision "); ok {
		return "décision de la " + sessionName(s)
	}
	for _, where := range []string{" bloc ", " cycle"} {
		if i := strings.LastIndex(what, where); i > 0 {
			return pdfdoc.Label(whatNames, what[:i]) + " (" + strings.TrimSpace(what[i:]) + ")"
		}
	}
	return pdfdoc.Label(whatNames, what)
}

// changeValue writes a compared value in French.
func changeValue(what, v string) string {
	switch {
	case v == "":
		return ""
	case strings.HasSuffix(what, " status"):
		return pdfdoc.Status(rules.Status(v))
	case strings.HasSuffix(what, " basis"):
		return pdfdoc.Basis(rules.Basis(v))
	case strings.HasSuffix(what, " acquired in"):
		return pdfdoc.Label(transcriptSessions, v)
	case strings.HasSuffix(what, "average"):
		mark, credits, ok := strings.Cut(v, " over ")
		if ok {
			return resultWords(mark) + " / 20 (sur " + strings.Replace(credits, "credits", "crédits", 1) + ")"
		}
	case strings.HasPrefix(what, "decision "):
		if v == "none in force" {
			return "aucune en vigueur"
		}
		var out []string
		for _, d := range strings.Split(v, " | ") {
			body, id, _ := strings.Cut(d, " (decision ")
			parts := strings.Split(body, "; ")
			parts[0] = outcome(parts[0])
			for i, part := range parts {
				if g, ok := strings.CutPrefix(part, "granted "); ok {
					parts[i] = "crédits octroyés : " + g
				}
			}
			s := strings.Join(parts, " ; ")
			if id != "" {
				s += " (décision " + strings.TrimSuffix(id, ")") + ")"
			}
			out = append(out, s)
		}
		return strings.Join(out, " | ")
	case strings.Contains(v, " (carried from "):
		mark, from, _ := strings.Cut(v, " (carried from ")
		return resultWords(mark) + " (reportée de la " + sessionName(strings.TrimSuffix(from, ")")) + ")"
	}
	return resultWords(v)
}
