package projections

import (
	"fmt"
	"slices"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
)

// acquisition is where a UE stands over the whole path: the outcome of the
// year it was acquired in, or of the last year it was taken.
type acquisition struct {
	year string
	o    ueOutcome
}

// path folds every year of s, in order: per UE, its first acquisition or
// its latest outcome. It also returns the documents of the last year with
// documents (the programme's catalog and ruleset as they now stand).
func (c *Cohort) path(s *student) (map[string]acquisition, Documents, string) {
	out := map[string]acquisition{}
	var last Documents
	lastYear := ""
	for _, y := range s.Years {
		d, ok := c.documents[y.Year]
		if !ok || d.Catalog == nil || d.Ruleset == nil {
			continue
		}
		last, lastYear = d, y.Year
		for _, o := range c.outcomes(s, y, d, "", false) {
			if prev, ok := out[o.ue.Code]; ok && prev.o.status == rules.Acquired {
				continue
			}
			out[o.ue.Code] = acquisition{y.Year, o}
		}
	}
	return out, last, lastYear
}

// Ledger returns matricule's credit ledger.
func (c *Cohort) Ledger(matricule string) (Ledger, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return Ledger{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	l := Ledger{Basis: Basis{Position: c.position}, Student: identity(s),
		Blocs: []Credits{}, Complements: []LedgerUE{}, Funding: []FundingCounter{}, UEs: []LedgerUE{}}
	acq, d, _ := c.path(s)
	if d.Catalog == nil {
		l.Empty = fmt.Sprintf("student %s has no programme in any year with a published catalog", matricule)
		return l, nil
	}
	l.Programme = d.Catalog.Programme.Code
	var complements []string
	if s.Admission != nil {
		complements = s.Admission.Complements
	}
	for _, ue := range d.Catalog.UEs {
		lu := ledgerUE(ue, acq[ue.Code])
		switch {
		case ue.Kind == catalog.Complement && slices.Contains(complements, ue.Code):
			l.Complements = append(l.Complements, lu)
		case ue.Kind == catalog.Core:
			l.UEs = append(l.UEs, lu)
			l.Cycle.count(lu)
			l.blocOf(ue.Bloc).count(lu)
		}
	}
	l.Funding = c.funding(s, acq, d.Ruleset)
	return l, nil
}

func ledgerUE(ue catalog.UE, a acquisition) LedgerUE {
	lu := LedgerUE{Code: ue.Code, Title: ue.Title, Bloc: ue.Bloc, Credits: ue.Credits}
	if a.year == "" {
		return lu
	}
	lu.Year = a.year
	if a.o.mark.Computed {
		m := a.o.mark.Mark
		lu.Mark = &m
	}
	if a.o.status == rules.Acquired {
		lu.Acquired, lu.Basis, lu.Session = true, a.o.basis, string(a.o.in)
	}
	return lu
}

func (l *Ledger) blocOf(bloc int) *Credits {
	i := slices.IndexFunc(l.Blocs, func(c Credits) bool { return c.Bloc == bloc })
	if i < 0 {
		l.Blocs = append(l.Blocs, Credits{Bloc: bloc})
		i = len(l.Blocs) - 1
	}
	return &l.Blocs[i]
}

func (cr *Credits) count(lu LedgerUE) {
	cr.Total += lu.Credits
	if !lu.Acquired {
		cr.Remaining += lu.Credits
		return
	}
	cr.Acquired += lu.Credits
	switch lu.Basis {
	case rules.ByMark:
		cr.ByMark += lu.Credits
	case rules.ByGrant:
		cr.Deliberated += lu.Credits
	default:
		cr.Recognised += lu.Credits
	}
}

// funding counts, per funding rule, the programme credits acquired in the
// first years of the student's path.
func (c *Cohort) funding(s *student, acq map[string]acquisition, rs *rules.Ruleset) []FundingCounter {
	var years []string
	closed := 0 // years over: followed by another, or deliberated in Q3
	for _, y := range s.Years {
		if y.PAE == nil {
			continue
		}
		if len(years) > 0 {
			closed = len(years)
		}
		years = append(years, y.Year)
		for _, d := range s.Decisions {
			if d.Year == y.Year && d.Session == string(catalog.Q3) && !d.Superseded {
				closed = len(years)
			}
		}
	}
	out := []FundingCounter{}
	for _, f := range rs.Funding {
		fc := FundingCounter{Credits: f.Credits, WithinYears: f.Years, YearsUsed: len(years)}
		window := years[:min(f.Years, len(years))]
		for _, a := range acq {
			if a.o.status == rules.Acquired && a.o.ue.Kind == catalog.Core && slices.Contains(window, a.year) {
				fc.Acquired += a.o.ue.Credits
			}
		}
		switch {
		case fc.Acquired >= fc.Credits:
			fc.Status = "met"
		case slices.Contains(rs.FundingShortfalls(closed, fc.Acquired), f):
			fc.Status = "missed"
		default:
			fc.Status = "in-progress"
		}
		out = append(out, fc)
	}
	return out
}

// Readiness returns, for every UE of the programme, whether matricule may
// take it next year, given everything acquired and followed so far.
func (c *Cohort) Readiness(matricule string) (ReadinessView, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return ReadinessView{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	v := ReadinessView{Basis: Basis{Position: c.position}, Student: identity(s), UEs: []rules.Readiness{}}
	acq, d, last := c.path(s)
	if d.Catalog == nil {
		v.Empty = fmt.Sprintf("student %s has no programme in any year with a published catalog", matricule)
		return v, nil
	}
	v.Programme, v.After = d.Catalog.Programme.Code, last
	st := rules.Student{Acquired: map[string]bool{}, Followed: map[string]bool{}}
	for ue, a := range acq {
		st.Followed[ue] = true
		if a.o.status == rules.Acquired {
			st.Acquired[ue] = true
		}
	}
	for _, y := range s.Years {
		if y.PAE != nil {
			for _, ue := range y.PAE.UEs {
				st.Followed[ue] = true
			}
		}
	}
	if s.Admission != nil {
		st.Conditions, st.Complements = rules.Conditions(s.Admission.HasBachelor), s.Admission.Complements
	}
	v.UEs = d.Ruleset.Readiness(d.Catalog, st)
	for _, ue := range d.Catalog.UEs {
		if ue.Kind == catalog.Core && !st.Acquired[ue.Code] {
			v.Remaining += ue.Credits
		}
	}
	v.EndOfCycle = v.Remaining <= d.Ruleset.Waiver.EndOfCycleRemaining
	return v, nil
}
