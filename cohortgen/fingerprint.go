package cohortgen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/gradelog/gradelog/projections"
)

// Fingerprint digests what the views hold of every student, leaving out
// what depends on the order concurrent commands reached the log (positions,
// record versions, ids, instants): registration, PAEs, each year's UE
// results, statuses and marks, the decisions in force and superseded, and
// the credit ledger. Two generations with the same options have the same
// fingerprint.
func Fingerprint(c *projections.Cohort) (string, error) {
	h := sha256.New()
	for _, e := range c.Directory("", 0) {
		m := e.Matricule
		s, _ := c.Student(m)
		fmt.Fprintf(h, "%s|%s|%s|%s\n", m, s.FirstName, s.LastName, s.Email)
		if s.Admission != nil {
			fmt.Fprintf(h, " admitted %s %v %v\n", s.Admission.Basis, s.Admission.HasBachelor, s.Admission.Complements)
		}
		years := slices.Sorted(func(yield func(string) bool) {
			for y := range s.PAEs {
				if !yield(y) {
					return
				}
			}
		})
		for _, y := range years {
			fmt.Fprintf(h, " pae %s %v\n", y, s.PAEs[y].UEs)
			t, err := c.Transcript(m, y)
			if err != nil {
				return "", err
			}
			for _, u := range t.UEs {
				fmt.Fprintf(h, "  %s %s %s %s", u.Code, u.Status, u.Basis, u.AcquiredIn)
				if u.Mark != nil {
					fmt.Fprintf(h, " %s", u.Mark)
				}
				for _, st := range u.Sessions {
					fmt.Fprintf(h, " [%s %s %v", st.Session, st.Result, st.Corrected)
					for _, a := range st.Activities {
						fmt.Fprintf(h, " %s=%s<%s", a.Activity, a.Result, a.CarriedFrom)
					}
					io.WriteString(h, "]")
				}
				io.WriteString(h, "\n")
			}
			for _, d := range t.Decisions {
				fmt.Fprintf(h, "  decision %s %s %s %s %v %v %q\n", d.Year, d.Session, d.Outcome, d.Mention,
					d.Granted, d.Superseded, d.Motivation)
			}
		}
		l, err := c.Ledger(m)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, " ledger %+v\n", l.Cycle)
		for _, u := range l.UEs {
			fmt.Fprintf(h, "  %s %v %s %s %s\n", u.Code, u.Acquired, u.Basis, u.Year, u.Session)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
