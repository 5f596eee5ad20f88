package rules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gradelog/gradelog/rules"
)

const (
	meth = "Méthodologies"     // 30 h in 1/9 and 1/10
	tp   = "Travaux pratiques" // 45 h in 1/9, 30 h in 1/8
)

// The shipped ruleset: pass 10, UE marks to 0 decimals half-up, activities
// weighted by hours.
func TestUEMark(t *testing.T) {
	cat, rs := shipped(t)
	single := "Questions socio-politiques et enjeux contemporains" // 1/4's one activity
	tests := []struct {
		name string
		ue   string
		in   rules.Sitting
		want rules.UEMark
	}{
		{"single activity", "1/4", acts(t, single, "12.5"), rules.UEMark{Computed: true, Mark: 1300}}, // 12.5 -> 13
		{"single, exactly 10", "1/4", acts(t, single, "10"), rules.UEMark{Computed: true, Mark: 1000}},
		{"single, 9.5 rounds up", "1/4", acts(t, single, "9.5"), rules.UEMark{Computed: true, Mark: 1000}},
		{"single, 9.4 rounds down", "1/4", acts(t, single, "9.4"), rules.UEMark{Computed: true, Mark: 900}},
		{"single, 0 is a mark", "1/4", acts(t, single, "0"), rules.UEMark{Computed: true, Mark: 0}},
		{"integrated", "1/8", whole(t, "11.5"), rules.UEMark{Computed: true, Mark: 1200}},
		{"integrated, nothing yet", "1/8", rules.Sitting{}, rules.UEMark{Missing: []string{"1/8"}}},
		{"integrated, CM", "1/8", whole(t, "CM"), rules.UEMark{Code: "CM"}},
		// (30 x 12 + 45 x 9) / 75 = 765 / 75 = 10.2 -> 10
		{"two activities by hours", "1/9", acts(t, meth, "12", tp, "9"), rules.UEMark{Computed: true, Mark: 1000}},
		// (30 x 12 + 45 x 7) / 75 = 675 / 75 = 9
		{"two activities, failed", "1/9", acts(t, meth, "12", tp, "7"), rules.UEMark{Computed: true, Mark: 900}},
		{"two activities, ABS", "1/9", acts(t, meth, "14", tp, "ABS"), rules.UEMark{Code: "ABS"}},
		{"two activities, PP", "1/9", acts(t, meth, "PP", tp, "14"), rules.UEMark{Code: "PP"}},
		{"two activities, one missing", "1/9", acts(t, meth, "14"), rules.UEMark{Missing: []string{tp}}},
		// FR counts as 0: (30 x 10 + 45 x 0) / 75 = 4
		{"fraud counts as zero", "1/9", acts(t, meth, "10", tp, "FR"), rules.UEMark{Computed: true, Mark: 400, Code: "FR"}},
		// an exempted activity leaves the mean: 45 x 12 / 45 = 12
		{"exempted activity", "1/9", acts(t, meth, "DISP", tp, "12"), rules.UEMark{Computed: true, Mark: 1200}},
		{"every activity exempted", "1/9", acts(t, meth, "DISP", tp, "DISP"), rules.UEMark{Code: "DISP", Acquired: true}},
		{"recognised UE", "1/9", whole(t, "VAL"), rules.UEMark{Code: "VAL", Acquired: true}},
		{"exempted UE", "1/8", whole(t, "DISP"), rules.UEMark{Code: "DISP", Acquired: true}},
		{"internship", "1/12", acts(t, "Stage", "13"), rules.UEMark{Computed: true, Mark: 1300}},
		{"complement with eligibility", "1/3", acts(t, "Cils de l'Action Sociale", "10"), rules.UEMark{Computed: true, Mark: 1000}},
		{"0-credit workshop", "OPT/1", acts(t, "Environnement numérique", "8"), rules.UEMark{Computed: true, Mark: 800}},
	}
	for _, tt := range tests {
		got, err := rs.UEMark(ue(t, cat, tt.ue), tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(rules.UEMark{}, "Explanation")); diff != "" {
			t.Errorf("%s: UEMark (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestUEMarkRefused(t *testing.T) {
	cat, rs := shipped(t)
	tests := []struct {
		name, ue string
		in       rules.Sitting
		want     string // in the error
	}{
		{"activity of an integrated UE", "1/8", acts(t, tp, "12"),
			`UE 1/8 is evaluated with a single integrated mark; activity "Travaux pratiques" cannot be marked`},
		{"UE mark on a per-activity UE", "1/9", whole(t, "12"), "UE 1/9 is marked per activity"},
		{"unknown activity", "1/9", acts(t, meth, "12", tp, "12", "Stage", "12"), `UE 1/9 has no activity "Stage"`},
		{"too many decimals", "1/4", acts(t, "Questions socio-politiques et enjeux contemporains", "12.25"), "more than 1 decimals"},
		{"above the scale", "1/8", whole(t, "21"), "outside the scale 0-20"},
		{"unknown code", "1/8", whole(t, "XX"), `code "XX" is not a code`},
		{"VAL on an activity", "1/9", acts(t, meth, "VAL", tp, "12"), "code VAL (Valorisation de crédits) is recorded on ue, not on activity"},
		{"ABS on a whole per-activity UE", "1/9", whole(t, "ABS"), "is recorded on activity, not on ue"},
	}
	for _, tt := range tests {
		_, err := rs.UEMark(ue(t, cat, tt.ue), tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// Rounding and aggregation are ruleset parameters: the same marks give
// other UE marks under other rules.
func TestUEMarkParameters(t *testing.T) {
	cat, shippedRS := shipped(t)
	u19 := ue(t, cat, "1/9")
	tests := []struct {
		name      string
		precision rules.Precision
		overrides []rules.Override
		in        rules.Sitting
		want      rules.Mark
	}{
		// 1/4-like single mark 9.5 on 1/9: (30 x 9.5 + 45 x 9.5) / 75 = 9.5
		{"9.5 half-up", rules.Precision{Rounding: rules.HalfUp}, nil, acts(t, meth, "9.5", tp, "9.5"), 1000},
		{"9.5 half-even", rules.Precision{Rounding: rules.HalfEven}, nil, acts(t, meth, "9.5", tp, "9.5"), 1000},
		{"9.5 down", rules.Precision{Rounding: rules.Down}, nil, acts(t, meth, "9.5", tp, "9.5"), 900},
		{"9.5 kept to 1 decimal", rules.Precision{Decimals: 1, Rounding: rules.HalfUp}, nil, acts(t, meth, "9.5", tp, "9.5"), 950},
		// absorbing with a failed activity: the lowest failed mark, 8
		{"absorbing, failed", rules.Precision{Rounding: rules.HalfUp},
			[]rules.Override{{UE: "1/9", Method: rules.Absorbing}}, acts(t, meth, "8", tp, "14"), 800},
		// absorbing, all passed: by hours, (30 x 12 + 45 x 14) / 75 = 990 / 75 = 13.2 -> 13
		{"absorbing, passed", rules.Precision{Rounding: rules.HalfUp},
			[]rules.Override{{UE: "1/9", Method: rules.Absorbing}}, acts(t, meth, "12", tp, "14"), 1300},
		// given weights 1 and 3: (8 + 3 x 14) / 4 = 12.5 -> 13 half-up, 12 half-even
		{"weighted half-up", rules.Precision{Rounding: rules.HalfUp}, weights13(), acts(t, meth, "8", tp, "14"), 1300},
		{"weighted half-even", rules.Precision{Rounding: rules.HalfEven}, weights13(), acts(t, meth, "8", tp, "14"), 1200},
	}
	for _, tt := range tests {
		rs := *shippedRS
		rs.UEPrecision = tt.precision
		rs.Aggregation.Overrides = tt.overrides
		got, err := rs.UEMark(u19, tt.in)
		if err != nil || !got.Computed || got.Mark != tt.want {
			t.Errorf("%s: got %+v, %v; want mark %s", tt.name, got, err, tt.want)
		}
	}
}

func weights13() []rules.Override {
	return []rules.Override{{UE: "1/9", Method: rules.Weighted, Weights: []rules.Weight{
		{Activity: meth, Weight: 1}, {Activity: tp, Weight: 3},
	}}}
}
