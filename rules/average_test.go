package rules_test

import (
	"testing"

	"github.com/gradelog/gradelog/rules"
)

func TestAverage(t *testing.T) {
	cat, rs := shipped(t)
	g := func(code string, m rules.UEMark) rules.Graded { return rules.Graded{UE: ue(t, cat, code), Mark: m} }
	marked := func(s string) rules.UEMark { return rules.UEMark{Computed: true, Mark: mark(t, s)} }
	year := []rules.Graded{
		g("1/4", marked("12")),                              // 3 credits
		g("1/8", marked("8")),                               // 9 credits, deliberated: the real mark 8 counts
		g("1/12", marked("14")),                             // 11 credits
		g("1/3", marked("20")),                              // complement: left out
		g("OPT/1", marked("5")),                             // 0 credits: weighs nothing
		g("1/9", rules.UEMark{Code: "VAL", Acquired: true}), // no mark: left out
		g("1/13", rules.UEMark{Code: "CM"}),                 // no mark: left out
	}
	// (3 x 12 + 9 x 8 + 11 x 14) / 23 = 262 / 23 = 11.3913 -> 11.39
	got := rs.Average(year)
	if want := (rules.Average{Defined: true, Mark: 1139, Credits: 23}); got != want {
		t.Errorf("Average = %+v, want %+v", got, want)
	}
	if got := rs.Average(year[3:]); got.Defined {
		t.Errorf("Average without a credit-bearing mark = %+v, want undefined", got)
	}
}

func TestMention(t *testing.T) {
	_, rs := shipped(t)
	tests := []struct {
		avg  string
		want string // "" for no mention
	}{
		{"11.99", ""}, {"12", "satisfaction"}, {"13.99", "satisfaction"}, {"14", "distinction"},
		{"16.5", "grande distinction"}, {"18", "la plus grande distinction"}, {"20", "la plus grande distinction"},
	}
	for _, tt := range tests {
		m, ok := rs.Mention(rules.Average{Defined: true, Mark: mark(t, tt.avg), Credits: 120})
		if m.Name != tt.want || ok != (tt.want != "") {
			t.Errorf("Mention(%s) = %q, %v; want %q", tt.avg, m.Name, ok, tt.want)
		}
	}
	if _, ok := rs.Mention(rules.Average{}); ok {
		t.Error("Mention of an undefined average is a mention")
	}
	if !rs.Mentions.JuryMayRaise {
		t.Error("the shipped ruleset lets the jury raise a mention")
	}
}
