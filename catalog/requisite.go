package catalog

import (
	"encoding/json"
	"strings"

	"github.com/gradelog/gradelog/datafile"
)

// Requisite is a requisite expression over UE codes, such as
// "1/11 AND (1/9 OR 1/10)". The zero value means "no requisite".
type Requisite struct {
	Expr Expr // nil when there is no requisite
	Line int  // where it was read from, for findings; not published
}

// An Expr is a node of a requisite expression: a Ref, an All or an Any.
// The set is closed.
type Expr interface {
	String() string
	// Unmet returns the part of the expression that ok does not satisfy,
	// or nil when the expression is satisfied.
	Unmet(ok func(code string) bool) Expr
	codes(into *[]string)
	sealed()
}

// Ref names one UE.
type Ref struct{ Code string }

// All is satisfied when every term is (AND, ET).
type All []Expr

// Any is satisfied when at least one term is (OR, OU).
type Any []Expr

func (r Ref) String() string { return r.Code }
func (a All) String() string { return join(a, " AND ") }
func (a Any) String() string { return join(a, " OR ") }

func join(terms []Expr, op string) string {
	s := make([]string, len(terms))
	for i, t := range terms {
		s[i] = t.String()
		if _, ref := t.(Ref); !ref {
			s[i] = "(" + s[i] + ")"
		}
	}
	return strings.Join(s, op)
}

func (r Ref) Unmet(ok func(string) bool) Expr {
	if ok(r.Code) {
		return nil
	}
	return r
}

func (a All) Unmet(ok func(string) bool) Expr {
	var out All
	for _, t := range a {
		if u := t.Unmet(ok); u != nil {
			out = append(out, u)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (a Any) Unmet(ok func(string) bool) Expr {
	for _, t := range a {
		if t.Unmet(ok) == nil {
			return nil
		}
	}
	return a
}

func (r Ref) codes(into *[]string) { *into = append(*into, r.Code) }
func (a All) codes(into *[]string) {
	for _, t := range a {
		t.codes(into)
	}
}
func (a Any) codes(into *[]string) { All(a).codes(into) }

func (Ref) sealed() {}
func (All) sealed() {}
func (Any) sealed() {}

// String returns the canonical text of r: "" for none, brackets only around
// nested operators.
func (r Requisite) String() string {
	if r.Expr == nil {
		return ""
	}
	return r.Expr.String()
}

// Codes returns the UE codes r names, in order of appearance.
func (r Requisite) Codes() []string {
	var out []string
	if r.Expr != nil {
		r.Expr.codes(&out)
	}
	return out
}

// Unmet returns what of r ok leaves unsatisfied; nil when r is satisfied.
func (r Requisite) Unmet(ok func(code string) bool) Expr {
	if r.Expr == nil {
		return nil
	}
	return r.Expr.Unmet(ok)
}

// SetScalar parses a requisite from the YAML file.
func (r *Requisite) SetScalar(value string, line int) error {
	p, err := ParseRequisite(value)
	if err != nil {
		return err
	}
	*r = p
	r.Line = line
	return nil
}

// MarshalJSON publishes r as its canonical text.
func (r Requisite) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// UnmarshalJSON reads the canonical text back.
func (r *Requisite) UnmarshalJSON(data []byte) error { return datafile.UnmarshalScalar(data, r) }
