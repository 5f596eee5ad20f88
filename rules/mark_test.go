package rules_test

import (
	"testing"

	"github.com/gradelog/gradelog/rules"
)

func TestParseMark(t *testing.T) {
	tests := []struct {
		in   string
		want rules.Mark
	}{
		{"0", 0}, {"10", 1000}, {"12.5", 1250}, {"12,5", 1250}, {"9.99", 999}, {"20", 2000}, {" 7.05 ", 705},
	}
	for _, tt := range tests {
		got, err := rules.ParseMark(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMark(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-1", "12.345", "1e2", "12.", ".5", "abc", "12,5,0", "+3"} {
		if got, err := rules.ParseMark(bad); err == nil {
			t.Errorf("ParseMark(%q) = %d, want an error", bad, got)
		}
	}
}

func TestMarkString(t *testing.T) {
	for m, want := range map[rules.Mark]string{0: "0", 1000: "10", 1250: "12.5", 1225: "12.25", 705: "7.05"} {
		if got := m.String(); got != want {
			t.Errorf("Mark(%d).String() = %q, want %q", m, got, want)
		}
	}
}

// Rounding is exact: 9.5 is exactly half, whatever a float would say.
func TestPrecision(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		mode     rules.Rounding
		want     string
	}{
		{"9.5", 0, rules.HalfUp, "10"},
		{"9.5", 0, rules.HalfEven, "10"}, // 10 is even
		{"9.5", 0, rules.Down, "9"},
		{"10.5", 0, rules.HalfUp, "11"},
		{"10.5", 0, rules.HalfEven, "10"},
		{"9.49", 0, rules.HalfUp, "9"},
		{"9.45", 1, rules.HalfUp, "9.5"},
		{"9.45", 1, rules.HalfEven, "9.4"}, // 9.4 is even in tenths
		{"9.45", 1, rules.Down, "9.4"},
		{"9.5", 2, rules.Down, "9.5"}, // nothing to round
		{"10", 0, rules.Down, "10"},
	}
	for _, tt := range tests {
		p := rules.Precision{Decimals: tt.decimals, Rounding: tt.mode}
		m, _ := rules.ParseMark(tt.in)
		if got := p.Round(m).String(); got != tt.want {
			t.Errorf("%s to %d decimals %s = %s, want %s", tt.in, tt.decimals, tt.mode, got, tt.want)
		}
	}
	// (30 x 12 + 45 x 9) / 75 = 765 / 75 = 10.2 exactly: 76500 hundredths-hours / 75.
	if got := (rules.Precision{Decimals: 0, Rounding: rules.HalfUp}).Ratio(30*1200+45*900, 75); got != 1000 {
		t.Errorf("Ratio = %s, want 10", got)
	}
	// 2 / 3 of a hundredth: 0.0066.. -> 0.01 half-up, 0 down.
	if got := (rules.Precision{Decimals: 2, Rounding: rules.HalfUp}).Ratio(2, 3); got != 1 {
		t.Errorf("Ratio(2, 3) = %d, want 1", got)
	}
}
