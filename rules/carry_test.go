package rules_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/rules"
)

func TestCarried(t *testing.T) {
	cat, shippedRS := shipped(t)
	r := func(s string) rules.Result { return res(t, s) }
	tests := []struct {
		name    string
		ue      string
		keep    rules.Keep
		history []rules.Sitting
		want    rules.Carry
	}{
		// Q2: (30 x 12 + 45 x 7) / 75 = 9, failed: Méthodologies carries, TP is re-sat.
		{"failed, one activity passed", "1/9", rules.Latest,
			[]rules.Sitting{acts(t, meth, "12", tp, "7")},
			rules.Carry{Marks: map[string]rules.Result{meth: r("12")}, Resit: []string{tp}}},
		// Q1 12 / 7, then Méthodologies re-sat anyway at 9 and TP 8:
		// (30 x 9 + 45 x 8) / 75 = 8.4 -> 8, failed.
		{"latest mark counts", "1/9", rules.Latest,
			[]rules.Sitting{acts(t, meth, "12", tp, "7"), acts(t, meth, "9", tp, "8")},
			rules.Carry{Marks: map[string]rules.Result{}, Resit: []string{meth, tp}}},
		{"best mark counts", "1/9", rules.Best,
			[]rules.Sitting{acts(t, meth, "12", tp, "7"), acts(t, meth, "9", tp, "8")},
			rules.Carry{Marks: map[string]rules.Result{meth: r("12")}, Resit: []string{tp}}},
		{"a code never carries", "1/9", rules.Latest,
			[]rules.Sitting{acts(t, meth, "12", tp, "7"), acts(t, meth, "CM", tp, "8")},
			rules.Carry{Marks: map[string]rules.Result{}, Resit: []string{meth, tp}}},
		{"best ignores a later code", "1/9", rules.Best,
			[]rules.Sitting{acts(t, meth, "12", tp, "7"), acts(t, meth, "CM", tp, "8")},
			rules.Carry{Marks: map[string]rules.Result{meth: r("12")}, Resit: []string{tp}}},
		{"integrated UE never carries parts", "1/8", rules.Latest,
			[]rules.Sitting{whole(t, "8")}, rules.Carry{Whole: true}},
		// (30 x 12 + 45 x 9) / 75 = 10.2 -> 10: acquired, nothing to re-sit.
		{"acquired UE", "1/9", rules.Latest,
			[]rules.Sitting{acts(t, meth, "12", tp, "9")}, rules.Carry{}},
		{"no sitting yet", "1/9", rules.Latest, nil, rules.Carry{Whole: true}},
	}
	for _, tt := range tests {
		rs := *shippedRS
		rs.CarryOver.Keep = tt.keep
		got := rs.Carried(ue(t, cat, tt.ue), tt.history)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
	rs := *shippedRS
	rs.CarryOver.WithinYear = false
	if got := rs.Carried(ue(t, cat, "1/9"), []rules.Sitting{acts(t, meth, "12", tp, "7")}); !got.Whole {
		t.Errorf("without carry-over, got %+v, want the whole UE re-sat", got)
	}
}
