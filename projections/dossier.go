package projections

import (
	"maps"
	"slices"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
)

// Dossier returns the deliberation dossier of matricule for one session of
// year: the record up to that session, the rules' proposal and every
// decision taken on the student so far. The proposal is the one the jury
// of that session is shown: decisions of the session itself are beside
// it, not in it.
func (c *Cohort) Dossier(matricule, year string, session catalog.Session) (Dossier, error) {
	return c.Proposal(matricule, year, session, nil)
}

// Proposal is Dossier with the credits of the UEs in grant granted: what
// a decision granting them would give (outcome, mention, averages).
func (c *Cohort) Proposal(matricule, year string, session catalog.Session, grant []string) (Dossier, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, d, err := c.lookup(matricule, year)
	if err != nil {
		return Dossier{}, err
	}
	if sessionIndex(session) == 0 {
		return Dossier{}, notFound("session", string(session), "a session is Q1, Q2 or Q3")
	}
	return c.dossier(s, year, session, d, grant)
}

// dossier computes the dossier of s with the UEs in grant granted.
func (c *Cohort) dossier(s *student, year string, session catalog.Session, d Documents, grant []string) (Dossier, error) {
	v := Dossier{Basis: Basis{Position: c.position}, Student: identity(s), Year: year, Session: string(session),
		Programme: d.Catalog.Programme.Code, UEs: []TranscriptUE{}, Decisions: []Decision{}}
	if n := len(s.Positions); n > 0 {
		v.RecordVersion = s.Positions[n-1]
	}
	for _, dec := range s.Decisions {
		v.Decisions = append(v.Decisions, dec.view())
	}
	y := s.year(year)
	if y == nil || y.PAE == nil {
		v.Empty = "student " + s.Reg.Matricule + " has no validated programme in " + year
		return v, nil
	}
	p := *y.PAE
	v.PAE = &p
	in := rules.ProposalInput{Session: session}
	if s.Admission != nil {
		in.Complements = s.Admission.Complements
	}
	for _, o := range c.outcomes(s, y, d, session, true) {
		v.UEs = append(v.UEs, transcriptUE(y, o))
		r := record(o)
		r.Granted = r.Granted || slices.Contains(grant, o.ue.Code) && o.status != rules.Acquired
		switch {
		case y.PAE.Has(o.ue.Code):
			in.Year = append(in.Year, r)
		case o.status == rules.Acquired: // recognised this year, outside the PAE
			in.Earlier = append(in.Earlier, r)
		}
	}
	acq, _, _ := c.path(s)
	for _, code := range slices.Sorted(maps.Keys(acq)) {
		if a := acq[code]; a.year < year && a.o.status == rules.Acquired {
			in.Earlier = append(in.Earlier, record(a.o))
		}
	}
	p2, err := d.Ruleset.Propose(d.Catalog, in)
	if err != nil {
		return Dossier{}, err
	}
	v.Proposal = proposalView(p2)
	return v, nil
}

// record is a UE outcome as a proposal takes it.
func record(o ueOutcome) rules.Record {
	r := rules.Record{UE: o.ue.Code, Mark: o.last, Granted: o.basis == rules.ByGrant}
	if o.mark.Computed && !o.last.Computed {
		m := o.mark
		r.Counted = &m
	}
	if o.basis == rules.ByRecognition {
		r.Mark = rules.UEMark{Code: "VAL", Acquired: true, Explanation: "prior credits recognised"}
	}
	return r
}

func proposalView(p rules.Proposal) ProposalView {
	v := ProposalView{
		UEs: []UEProposal{}, AcquiredCredits: p.AcquiredCredits, ToDeliberateCredits: p.ToDeliberateCredits,
		FailedCredits: p.FailedCredits, CycleCredits: p.CycleCredits,
		YearAverage: averageOf(p.YearAverage), CycleAverage: averageOf(p.CycleAverage),
		Outcome: string(p.Outcome), IfGranted: string(p.IfGranted), Criteria: p.Criteria.Text,
	}
	if p.Mention != nil {
		v.Mention = p.Mention.Name
	}
	for _, u := range p.UEs {
		up := UEProposal{UE: u.UE, Credits: u.Credits, Code: string(u.Mark.Code), Status: u.Status, Basis: u.Basis, Reason: u.Reason, Why: u.Why}
		if u.Mark.Computed {
			m := u.Mark.Mark
			up.Mark = &m
		}
		if u.Basis == rules.BelowPass {
			d := u.Deficit
			up.Deficit = &d
		}
		v.UEs = append(v.UEs, up)
	}
	return v
}
