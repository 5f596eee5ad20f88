package rules_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/rules"
)

func date(t *testing.T, s string) rules.Date {
	t.Helper()
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAppealDeadline(t *testing.T) {
	_, rs := shipped(t) // 3 working days
	tests := []struct{ published, want string }{
		{"2026-07-03", "2026-07-08"}, // Friday -> Mon, Tue, Wed
		{"2026-02-06", "2026-02-11"},
		{"2026-05-13", "2026-05-19"}, // Wednesday; Thursday 14 is Ascension
		{"2026-09-07", "2026-09-10"}, // Monday -> Tue, Wed, Thu
	}
	for _, tt := range tests {
		if got := rs.AppealDeadline(date(t, tt.published)); got.String() != tt.want {
			t.Errorf("AppealDeadline(%s) = %s, want %s", tt.published, got, tt.want)
		}
	}
	when := time.Date(2026, 7, 3, 23, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	if got := rules.DateOf(when); got.String() != "2026-07-03" {
		t.Errorf("DateOf(%v) = %s", when, got)
	}
}

func TestFundingShortfalls(t *testing.T) {
	_, rs := shipped(t) // 60 within 2 years, 120 within 4
	tests := []struct {
		years, credits int
		want           []int // credits of the rules breached
	}{
		{1, 0, nil},
		{2, 59, []int{60}},
		{2, 60, nil},
		{3, 100, nil},
		{4, 119, []int{120}},
		{4, 50, []int{60, 120}},
	}
	for _, tt := range tests {
		var got []int
		for _, f := range rs.FundingShortfalls(tt.years, tt.credits) {
			got = append(got, f.Credits)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%d years, %d credits (-want +got):\n%s", tt.years, tt.credits, diff)
		}
	}
}
