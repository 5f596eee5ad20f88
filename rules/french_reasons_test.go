package rules_test

import (
	"errors"
	"testing"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/rules"
)

// TestReasonsInFrench: a proposal's reasons keep their English (the API's
// reason) and read in French for the jury, with decimal commas; so do the
// errors of recording a result.
func TestReasonsInFrench(t *testing.T) {
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
	want := map[string][2]string{
		"1/5": {"within the criteria: deficit 1 <= 2, failed credits 10 <= 15, year average 11.56 >= 10",
			"dans les critères : déficit 1 ≤ 2, crédits non acquis 10 ≤ 15, moyenne annuelle 11,56 ≥ 10"},
		"1/6":   {"outside the criteria: deficit 3 > 2", "hors critères : déficit 3 > 2"},
		"OPT/1": {"optional activity without credits: nothing to deliberate", "activité facultative sans crédits : rien à délibérer"},
		"1/4":   {"", ""},
	}
	for _, u := range p.UEs {
		w, ok := want[u.UE]
		if !ok {
			continue
		}
		if u.Reason != w[0] || u.Why.String() != w[0] || u.Why.In(i18n.French) != w[1] {
			t.Errorf("%s: %q (%q), in French %q; want %q, %q", u.UE, u.Reason, u.Why, u.Why.In(i18n.French), w[0], w[1])
		}
	}

	ue, _ := cat.UE("1/4")
	for _, c := range []struct {
		err    error
		en, fr string
	}{
		{rs.CheckRecord(ue, ue.Activities[0].Title, rules.Result{Mark: mark(t, "25")}), "mark 25 is outside the scale 0-20", "la cote 25 est hors de l'échelle 0-20"},
		{rs.CanSet(rules.Result{Code: "CM"}, "teacher"), "code CM (Absence justifiée (certificat médical)) may be set only by secretariat, not by teacher",
			"le code CM (Absence justifiée (certificat médical)) ne peut être encodé que par le secrétariat, pas par l'enseignant"},
	} {
		var l i18n.Localized
		if c.err == nil || c.err.Error() != c.en || !errors.As(c.err, &l) || l.In(i18n.French) != c.fr {
			t.Errorf("%v: want %q, in French %q", c.err, c.en, c.fr)
		}
	}
}
