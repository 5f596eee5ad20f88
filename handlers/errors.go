package handlers

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/internal/i18n"
)

// Reason classifies a refusal; the API maps it to a status code.
type Reason int

const (
	Invalid     Reason = iota // the command breaks a rule (422)
	NotFound                  // it names something that does not exist (404)
	Forbidden                 // the actor's roles do not allow it (403)
	Conflict                  // the state changed since the version it was based on (409)
	Unavailable               // the views have not caught up with what was asked (503)
)

// Problem is one broken rule: the field, the value it had and the rule,
// phrased for the person who sent it.
type Problem struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Rule  string `json:"rule"`
	// rule is what Rule was written from, for In; zero when Rule was
	// phrased elsewhere (package web phrases its own in French).
	rule i18n.Text
}

// In is p for a reader of language tag: in French, its rule in French
// and its field's French name (french.go). A problem phrased elsewhere,
// or already rendered, is returned unchanged; so is a rule without a
// translation.
func (p Problem) In(tag language.Tag) Problem {
	if p.rule.IsZero() || !i18n.IsFrench(tag) {
		return p
	}
	p.Rule, p.Field, p.rule = p.rule.In(tag), frenchField(p.Field), i18n.Text{}
	return p
}

// French is p.In(French), for a template.
func (p Problem) French() Problem { return p.In(i18n.French) }

func (p Problem) String() string {
	if p.Field == "" {
		return p.Rule
	}
	return fmt.Sprintf("%s %q: %s", p.Field, p.Value, p.Rule)
}

// Refusal is a command refused before anything was appended. It lists
// every problem found, not only the first.
type Refusal struct {
	Reason   Reason
	Problems []Problem
	// Current is the state a conflicting write was not based on (the
	// entry as it now stands), for the writer to see what won.
	Current any
}

// In is a copy of r with its problems for a reader of language tag
// (Problem.In).
func (r *Refusal) In(tag language.Tag) *Refusal {
	if r == nil {
		return nil
	}
	out := *r
	out.Problems = make([]Problem, len(r.Problems))
	for i, p := range r.Problems {
		out.Problems[i] = p.In(tag)
	}
	return &out
}

func (r *Refusal) Error() string {
	s := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		s[i] = p.String()
	}
	return "refused: " + strings.Join(s, "; ")
}

// refuse returns a refusal of one problem.
func refuse(reason Reason, field, value, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Problems: []Problem{problemf(field, value, format, args...)}}
}

// problemf is the problem of field and value whose rule format writes
// with args. Every problem of the package is built with it (refuse, add),
// with a literal format that french.go translates.
func problemf(field, value, format string, args ...any) Problem {
	t := textf(format, args...)
	return Problem{Field: field, Value: value, Rule: t.String(), rule: t}
}

// ProblemOf is the problem of field and value whose rule another package
// wrote, with its own French catalog (httpapi): Problem.In renders it.
func ProblemOf(field, value string, rule i18n.Text) Problem {
	return problemf(field, value, "%s", rule)
}

// textf is a text a rule quotes as one of its arguments (frozenRule,
// whyNotDue): the rule in French quotes it in French.
func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }

// of is p as the problem of one item of a list: its field under the
// item's, its rule after whom it is about ("HE201001 / Examen: ...").
func (p Problem) of(item, about string) Problem {
	var rule any = p.Rule
	if !p.rule.IsZero() {
		rule = p.rule
	}
	return problemf(item+"."+p.Field, p.Value, "%s: %s", about, rule)
}

// problems collects the problems of a command that lists them all.
type problems []Problem

func (ps *problems) add(field, value, format string, args ...any) {
	*ps = append(*ps, problemf(field, value, format, args...))
}

// err returns nil when no problem was found.
func (ps problems) err(reason Reason) error {
	if len(ps) == 0 {
		return nil
	}
	return &Refusal{Reason: reason, Problems: ps}
}
