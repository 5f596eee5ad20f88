package catalog

import (
	"fmt"
	"regexp"
	"strings"
)

// SyntaxError is a malformed requisite expression. Pos is the 1-based
// character position of the problem in the expression.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("requisite: at character %d: %s", e.Pos, e.Msg)
}

// ParseRequisite parses a requisite expression:
//
//	expr = term { op term }     op = AND | ET | OR | OU (any case)
//	term = CODE | "(" expr ")"  CODE like 1/8
//
// Brackets nest to any depth. AND and OR may not be mixed at one level
// without brackets: "1/1 AND 1/2 OR 1/3" is refused as ambiguous to a
// reader, whatever precedence a parser would pick. The empty string is
// the empty requisite.
func ParseRequisite(s string) (Requisite, error) {
	toks := tokenize(s)
	if len(toks) == 0 {
		return Requisite{}, nil
	}
	p := parser{toks: toks, end: len([]rune(s)) + 1}
	e, err := p.expr()
	if err != nil {
		return Requisite{}, err
	}
	if t, ok := p.peek(); ok {
		return Requisite{}, &SyntaxError{t.pos, fmt.Sprintf("unexpected %q", t.text)}
	}
	return Requisite{Expr: e}, nil
}

type token struct {
	text string
	pos  int
}

var (
	tokenRE = regexp.MustCompile(`\(|\)|[^\s()]+`)
	codeRE  = regexp.MustCompile(`^[A-Z0-9]+/[0-9]+$`)
)

func tokenize(s string) []token {
	var toks []token
	for _, loc := range tokenRE.FindAllStringIndex(s, -1) {
		toks = append(toks, token{s[loc[0]:loc[1]], len([]rune(s[:loc[0]])) + 1})
	}
	return toks
}

type parser struct {
	toks []token
	i    int
	end  int // position just past the text, for "unexpected end"
}

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func operator(text string) (string, bool) {
	switch strings.ToUpper(text) {
	case "AND", "ET":
		return "AND", true
	case "OR", "OU":
		return "OR", true
	}
	return "", false
}

func (p *parser) expr() (Expr, error) {
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	terms, op := []Expr{first}, ""
	for {
		t, ok := p.peek()
		if !ok || t.text == ")" {
			break
		}
		o, isOp := operator(t.text)
		if !isOp {
			return nil, &SyntaxError{t.pos, fmt.Sprintf("want AND or OR, got %q", t.text)}
		}
		if op != "" && o != op {
			return nil, &SyntaxError{t.pos, "AND and OR mixed without brackets; add brackets to say which binds first"}
		}
		op = o
		p.i++
		next, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	return combine(op, terms), nil
}

// combine builds an operator node, flattening nested nodes of the same
// operator so that each expression has one canonical form.
func combine(op string, terms []Expr) Expr {
	if len(terms) == 1 {
		return terms[0]
	}
	var out []Expr
	for _, t := range terms {
		switch x := t.(type) {
		case All:
			if op == "AND" {
				out = append(out, x...)
				continue
			}
		case Any:
			if op == "OR" {
				out = append(out, x...)
				continue
			}
		}
		out = append(out, t)
	}
	if op == "AND" {
		return All(out)
	}
	return Any(out)
}

func (p *parser) term() (Expr, error) {
	t, ok := p.peek()
	if !ok {
		return nil, &SyntaxError{p.end, "unexpected end; want a UE code or ("}
	}
	p.i++
	switch {
	case t.text == "(":
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if c, ok := p.peek(); !ok || c.text != ")" {
			return nil, &SyntaxError{t.pos, "bracket opened here is never closed"}
		}
		p.i++
		return e, nil
	case codeRE.MatchString(t.text):
		return Ref{t.text}, nil
	}
	return nil, &SyntaxError{t.pos, fmt.Sprintf("want a UE code like 1/8 or (, got %q", t.text)}
}
