package catalog

import (
	"errors"
	"testing"
)

func TestParseRequisite(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"  ", ""},
		{"1/11", "1/11"},
		{"1/11 AND 1/12", "1/11 AND 1/12"},
		{"1/11 ET 1/12 et 1/13", "1/11 AND 1/12 AND 1/13"},
		{"1/1 or 1/2 OU 1/3", "1/1 OR 1/2 OR 1/3"},
		{"(1/1)", "1/1"},
		{"((1/1 AND 1/2)) AND 1/3", "1/1 AND 1/2 AND 1/3"},                   // same operator flattens
		{"1/1 AND (1/2 OR 1/3)", "1/1 AND (1/2 OR 1/3)"},                     // one level
		{"(1/1 OR (1/2 AND (1/3 OR 1/4)))", "1/1 OR (1/2 AND (1/3 OR 1/4))"}, // deeper
		{"OPT/1 AND 2/9", "OPT/1 AND 2/9"},
	}
	for _, tt := range tests {
		r, err := ParseRequisite(tt.in)
		if err != nil {
			t.Errorf("ParseRequisite(%q): %v", tt.in, err)
			continue
		}
		if got := r.String(); got != tt.want {
			t.Errorf("ParseRequisite(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseRequisite(r.String())
		if err != nil || again.String() != r.String() {
			t.Errorf("canonical form %q does not parse back to itself: %q, %v", r, again, err)
		}
	}
}

func TestParseRequisiteErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int // 1-based character position the error names
	}{
		{"AND 1/2", 1},
		{"1/1 AND", 8},
		{"1/1 AND OR 1/2", 9},
		{"1/1 1/2", 5},
		{"1/1 AND 1/2 OR 1/3", 13}, // mixed without brackets
		{"(1/1 AND 1/2", 1},        // the unclosed bracket
		{"1/1)", 4},
		{"1-1", 1},
		{"é AND 1/x", 1},
		{"1/1 AND é", 9}, // positions count characters, not bytes
	}
	for _, tt := range tests {
		_, err := ParseRequisite(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseRequisite(%q) = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Pos != tt.pos {
			t.Errorf("ParseRequisite(%q) error at %d (%v), want at %d", tt.in, se.Pos, err, tt.pos)
		}
	}
}

func TestUnmet(t *testing.T) {
	acquired := map[string]bool{"1/1": true, "1/3": true}
	ok := func(code string) bool { return acquired[code] }
	tests := []struct {
		expr, want string // want "" means satisfied
	}{
		{"", ""},
		{"1/1", ""},
		{"1/2", "1/2"},
		{"1/1 AND 1/2 AND 1/4", "1/2 AND 1/4"},
		{"1/2 OR 1/3", ""},
		{"1/2 OR 1/4", "1/2 OR 1/4"},
		{"1/1 AND (1/2 OR 1/4)", "1/2 OR 1/4"},
		{"1/2 AND (1/3 OR 1/4)", "1/2"},
	}
	for _, tt := range tests {
		r, err := ParseRequisite(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if u := r.Unmet(ok); u != nil {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("Unmet(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}
