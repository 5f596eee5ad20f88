package rules_test

import (
	"strings"
	"testing"

	"github.com/gradelog/gradelog/rules"
)

func TestCanReplace(t *testing.T) {
	_, rs := shipped(t)
	tests := []struct {
		old  string // "" for nothing recorded
		next string
		role rules.Role
		want string // "" for allowed, else part of the error
	}{
		{"", "12", "teacher", ""},
		{"", "12", "import", ""},
		{"", "ABS", "teacher", ""},
		{"", "CM", "teacher", "code CM (Absence justifiée (certificat médical)) may be set only by secretariat, not by teacher"},
		{"", "CM", "secretariat", ""},
		{"CM", "ABS", "import", "code CM (Absence justifiée (certificat médical)) may be cleared only by secretariat, not by import"},
		{"CM", "12", "teacher", "may be cleared only by secretariat"},
		{"CM", "CM", "import", "may be set only by secretariat"},
		{"CM", "12", "secretariat", ""},
		{"ABS", "CM", "secretariat", ""},
		{"ABS", "12", "import", ""},
		{"12", "ABS", "import", ""},
		{"", "PP", "import", ""},
		{"", "FR", "teacher", "may be set only by secretariat or jury"},
		{"FR", "12", "secretariat", "may be cleared only by jury"},
		{"", "DISP", "secretariat", ""},
		{"", "VAL", "teacher", "may be set only by jury"},
		{"", "VAL", "jury", ""},
		{"", "XX", "secretariat", `code "XX" is not a code of the 2025-2026 ruleset (ABS, CM, PP, FR, DISP, VAL)`},
		{"", "12", "student", "a mark may be recorded only by teacher or secretariat or jury or import, not by student"},
	}
	for _, tt := range tests {
		var old *rules.Result
		if tt.old != "" {
			r := res(t, tt.old)
			old = &r
		}
		err := rs.CanReplace(old, res(t, tt.next), tt.role)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q -> %q by %s: %v, want allowed", tt.old, tt.next, tt.role, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q -> %q by %s: %v, want an error containing %q", tt.old, tt.next, tt.role, err, tt.want)
		}
	}
}

// Every code of the shipped ruleset has the effect the domain gives it.
func TestShippedCodes(t *testing.T) {
	_, rs := shipped(t)
	want := map[rules.Code]rules.Effect{
		"ABS": rules.Blocks, "CM": rules.Blocks, "PP": rules.Blocks,
		"FR": rules.Zero, "DISP": rules.Acquires, "VAL": rules.Acquires,
	}
	for code, effect := range want {
		if c, ok := rs.Code(code); !ok || c.Effect != effect {
			t.Errorf("code %s: %+v, want effect %s", code, c, effect)
		}
	}
	if len(rs.Codes) != len(want) {
		t.Errorf("%d codes, want %d", len(rs.Codes), len(want))
	}
}
