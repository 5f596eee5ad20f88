package rules_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
)

// rec is a Record with a UE mark given as "12", a code such as "CM", or ""
// for no result at all.
func rec(t *testing.T, code, s string) rules.Record {
	t.Helper()
	switch {
	case s == "":
		return rules.Record{UE: code, Mark: rules.UEMark{Missing: []string{"all"}}}
	case s[0] >= 'A' && s[0] <= 'Z':
		return rules.Record{UE: code, Mark: rules.UEMark{Code: rules.Code(s), Acquired: s == "VAL" || s == "DISP"}}
	}
	return rules.Record{UE: code, Mark: rules.UEMark{Computed: true, Mark: mark(t, s)}}
}

type ueRow struct {
	UE     string
	Status rules.Status
	Basis  rules.Basis
}

func rows(p rules.Proposal) []ueRow {
	var out []ueRow
	for _, u := range p.UEs {
		out = append(out, ueRow{u.UE, u.Status, u.Basis})
	}
	return out
}

// Bloc 1 after Q2. Criteria: deficit <= 2, failed credits <= 15, year
// average >= 10.
func TestProposeAjourne(t *testing.T) {
	cat, rs := shipped(t)
	in := rules.ProposalInput{Session: catalog.Q2, Year: []rules.Record{
		rec(t, "1/4", "12"), rec(t, "1/5", "9"), rec(t, "1/6", "7"), rec(t, "1/7", "14"),
		rec(t, "1/8", "10"), rec(t, "1/9", "11"), rec(t, "1/10", "12"), rec(t, "1/11", "13"),
		rec(t, "1/12", "14"), rec(t, "1/13", "CM"), rec(t, "1/14", "12"), rec(t, "OPT/1", "8"),
	}}
	p, err := rs.Propose(cat, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []ueRow{
		{"1/4", rules.Acquired, rules.ByMark},
		{"1/5", rules.ToDeliberate, rules.BelowPass}, // deficit 1
		{"1/6", rules.NotAcquired, rules.BelowPass},  // deficit 3 > 2
		{"1/7", rules.Acquired, rules.ByMark},
		{"1/8", rules.Acquired, rules.ByMark}, // exactly 10
		{"1/9", rules.Acquired, rules.ByMark},
		{"1/10", rules.Acquired, rules.ByMark},
		{"1/11", rules.Acquired, rules.ByMark},
		{"1/12", rules.Acquired, rules.ByMark},
		{"1/13", rules.NotAcquired, rules.Blocked},
		{"1/14", rules.Acquired, rules.ByMark},
		{"OPT/1", rules.NotAcquired, rules.BelowPass}, // 0 credits: shown, never holds back
	}
	if diff := cmp.Diff(want, rows(p)); diff != "" {
		t.Errorf("UEs (-want +got):\n%s", diff)
	}
	// Failed: 1/5 (3) + 1/6 (4) + 1/13 (3) = 10. Acquired: 3+3+9+9+9+3+11+3 = 50.
	// Year average over the 57 credits with a mark:
	// (3x12 + 3x9 + 4x7 + 3x14 + 9x10 + 9x11 + 9x12 + 3x13 + 11x14 + 3x12) / 57
	// = 659 / 57 = 11.5614 -> 11.56.
	got := []any{p.FailedCredits, p.AcquiredCredits, p.ToDeliberateCredits, p.YearAverage.Mark, p.CycleCredits, p.Outcome, p.IfGranted}
	wantFig := []any{10, 50, 3, rules.Mark(1156), 50, rules.Ajourne, rules.Ajourne}
	if diff := cmp.Diff(wantFig, got); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
	if p.UEs[2].Deficit != 300 || p.UEs[2].Reason != "outside the criteria: deficit 3 > 2" {
		t.Errorf("1/6: deficit %s, reason %q", p.UEs[2].Deficit, p.UEs[2].Reason)
	}
}

// Bloc 2 after Q3, bloc 1 acquired earlier (1/8 granted by a jury with 9).
func TestProposeCycle(t *testing.T) {
	cat, rs := shipped(t)
	var in rules.ProposalInput
	in.Session = catalog.Q3
	for _, u := range cat.UEs {
		switch {
		case u.Code == "1/8":
			r := rec(t, u.Code, "9")
			r.Granted = true
			in.Earlier = append(in.Earlier, r)
		case u.Kind == catalog.Core && u.Bloc == 1:
			in.Earlier = append(in.Earlier, rec(t, u.Code, "14"))
		case u.Code == "2/8":
			in.Year = append(in.Year, rec(t, u.Code, "9"))
		case u.Code == "2/9":
			in.Year = append(in.Year, rec(t, u.Code, "16"))
		case u.Kind == catalog.Core && u.Bloc == 2:
			in.Year = append(in.Year, rec(t, u.Code, "15"))
		}
	}
	p, err := rs.Propose(cat, in)
	if err != nil {
		t.Fatal(err)
	}
	// Year: 41 credits at 15 + 2/8 3 x 9 + 2/9 16 x 16 = 615 + 27 + 256 = 898;
	// 898 / 60 = 14.9667 -> 14.97. Only 2/8 failed (3 credits), deficit 1.
	// Cycle: bloc 1 51 x 14 + 9 x 9 (the real mark of the granted 1/8) = 795;
	// (795 + 898) / 120 = 14.1083 -> 14.11: distinction.
	got := []any{p.YearAverage.Mark, p.FailedCredits, p.ToDeliberateCredits, p.CycleCredits, p.Outcome, p.IfGranted, p.CycleAverage.Mark, p.Mention.Name}
	want := []any{rules.Mark(1497), 3, 3, 117, rules.YearClosed, rules.CycleCompleted, rules.Mark(1411), "distinction"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// After Q1 most UEs are not evaluated yet; a student with every UE
// acquired passes the year whatever the session.
func TestProposeQ1(t *testing.T) {
	cat, rs := shipped(t)
	in := rules.ProposalInput{Session: catalog.Q1, Year: []rules.Record{
		rec(t, "1/4", "12"), rec(t, "1/5", ""), rec(t, "1/9", ""), rec(t, "1/12", ""),
	}}
	p, err := rs.Propose(cat, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []ueRow{
		{"1/4", rules.Acquired, rules.ByMark},
		{"1/5", rules.Pending, rules.NotYet},
		{"1/9", rules.Pending, rules.NotYet},  // annual: examined from Q2
		{"1/12", rules.Pending, rules.NotYet}, // internship, annual
	}
	if diff := cmp.Diff(want, rows(p)); diff != "" {
		t.Errorf("UEs (-want +got):\n%s", diff)
	}
	if p.Outcome != rules.InProgress || p.FailedCredits != 0 {
		t.Errorf("outcome %s, failed %d; want in-progress, 0", p.Outcome, p.FailedCredits)
	}
	in = rules.ProposalInput{Session: catalog.Q1, Year: []rules.Record{rec(t, "1/4", "12"), rec(t, "1/3", "VAL")},
		Complements: []string{"1/3"}}
	if p, _ := rs.Propose(cat, in); p.Outcome != rules.YearPassed || p.UEs[1].Basis != rules.ByCode {
		t.Errorf("all acquired: outcome %s, 1/3 basis %s; want year-passed, code", p.Outcome, p.UEs[1].Basis)
	}
	if _, err := rs.Propose(cat, rules.ProposalInput{Year: []rules.Record{rec(t, "2/12", "10")}}); err == nil {
		t.Error("a proposal for an unknown UE is not refused")
	}
}
