package rules_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
)

func set(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

func pick(rs []rules.Readiness, codes ...string) []rules.Readiness {
	var out []rules.Readiness
	for _, r := range rs {
		for _, c := range codes {
			if r.UE == c {
				out = append(out, r)
			}
		}
	}
	return out
}

// In catalog order. The seed declares co-requisites only: 1/11 <-> 1/12 and 2/9 <-> 2/11.
func TestReadinessSeed(t *testing.T) {
	cat, rs := shipped(t)
	st := rules.Student{Complements: []string{"1/1", "1/3"}, Followed: set("2/11")}
	got := pick(rs.Readiness(cat, st), "1/1", "1/2", "1/3", "1/11", "1/12", "2/9", "2/11", "OPT/1")
	want := []rules.Readiness{
		{UE: "1/1", Status: rules.Ready},
		{UE: "1/2", Status: rules.NotRequired},
		{UE: "1/3", Status: rules.NotEligible}, // (q): the admission does not state the condition
		{UE: "1/11", Status: rules.CoEnrol, CoEnrol: "1/12"},
		{UE: "1/12", Status: rules.CoEnrol, CoEnrol: "1/11"},
		{UE: "OPT/1", Status: rules.Ready},
		{UE: "2/9", Status: rules.Ready}, // 2/11 already followed
		{UE: "2/11", Status: rules.CoEnrol, CoEnrol: "2/9"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	st.Conditions = set("without-matching-bachelor")
	if got := pick(rs.Readiness(cat, st), "1/3"); got[0].Status != rules.Ready {
		t.Errorf("1/3 with the condition met: %v", got)
	}
}

// Prerequisites, on a copy of the seed that declares some: 2/7 needs 1/14,
// 2/1 needs 1/4 AND (1/5 OR 1/6).
func TestReadinessPrerequisites(t *testing.T) {
	cat, rs := shipped(t)
	c := *cat
	c.UEs = append([]catalog.UE(nil), cat.UEs...)
	for i := range c.UEs {
		var err error
		switch c.UEs[i].Code {
		case "2/7":
			c.UEs[i].Prerequisites, err = catalog.ParseRequisite("1/14")
		case "2/1":
			c.UEs[i].Prerequisites, err = catalog.ParseRequisite("1/4 AND (1/5 OR 1/6)")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// 6 credits acquired: 114 remain, more than 60: not the end of the cycle.
	early := rules.Student{Acquired: set("1/4", "1/5")}
	want := []rules.Readiness{
		{UE: "2/1", Status: rules.Ready},
		{UE: "2/7", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/14"},
	}
	if diff := cmp.Diff(want, pick(rs.Readiness(&c, early), "2/1", "2/7")); diff != "" {
		t.Errorf("early (-want +got):\n%s", diff)
	}
	// Everything but 1/14 (3) and 2/7 (2): 5 credits remain, <= 60: the jury
	// may waive 2/7's prerequisite.
	var all []string
	for _, u := range c.UEs {
		if u.Code != "1/14" && u.Code != "2/7" {
			all = append(all, u.Code)
		}
	}
	late := rules.Student{Acquired: set(all...)}
	want = []rules.Readiness{
		{UE: "1/14", Status: rules.Ready},
		{UE: "2/7", Status: rules.PrerequisitesMissing, MissingPrerequisites: "1/14", Waivable: true},
	}
	if diff := cmp.Diff(want, pick(rs.Readiness(&c, late), "1/14", "2/7")); diff != "" {
		t.Errorf("late (-want +got):\n%s", diff)
	}
	if got := pick(rs.Readiness(&c, late), "2/9"); got[0].Status != rules.AlreadyAcquired {
		t.Errorf("2/9: %v, want acquired", got)
	}
}
