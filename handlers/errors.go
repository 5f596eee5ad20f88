package handlers

import (
	"fmt"
	"strings"
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
}

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

func (r *Refusal) Error() string {
	s := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		s[i] = p.String()
	}
	return "refused: " + strings.Join(s, "; ")
}

// refuse returns a refusal of one problem.
func refuse(reason Reason, field, value, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Problems: []Problem{{Field: field, Value: value, Rule: fmt.Sprintf(format, args...)}}}
}

// problems collects the problems of a command that lists them all.
type problems []Problem

func (ps *problems) add(field, value, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Value: value, Rule: fmt.Sprintf(format, args...)})
}

// err returns nil when no problem was found.
func (ps problems) err(reason Reason) error {
	if len(ps) == 0 {
		return nil
	}
	return &Refusal{Reason: reason, Problems: ps}
}
