package rules

import (
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/internal/i18n"
)

// Status is where a UE's credits stand in a proposal.
type Status string

const (
	Acquired     Status = "acquired"
	ToDeliberate Status = "to-deliberate" // below the pass mark, within the published criteria
	NotAcquired  Status = "not-acquired"
	Pending      Status = "pending" // not evaluated yet this year (after Q1)
)

// Basis is why a UE has its status.
type Basis string

const (
	ByMark        Basis = "mark"       // the UE mark reaches the pass mark
	ByCode        Basis = "code"       // acquired without a mark (VAL, DISP)
	ByGrant       Basis = "granted"    // granted by an earlier jury decision
	ByRecognition Basis = "recognised" // prior credits recognised (valorisation)
	BelowPass     Basis = "below-pass" // the UE mark is below the pass mark
	Blocked       Basis = "blocked"    // a code leaves no mark (ABS, CM, PP)
	Incomplete    Basis = "incomplete" // results are missing
	NotYet        Basis = "not-yet-evaluated"
)

// Outcome is a student's standing after a session.
type Outcome string

const (
	InProgress     Outcome = "in-progress"     // after Q1, UEs remain
	Ajourne        Outcome = "ajourne"         // after Q2, failed UEs may be re-sat in Q3
	YearClosed     Outcome = "year-closed"     // after Q3, unacquired UEs go into next year's PAE
	YearPassed     Outcome = "year-passed"     // every UE of the year acquired
	CycleCompleted Outcome = "cycle-completed" // every credit of the cycle acquired: degree, mention
)

// Record is one UE of a student's record as a proposal takes it.
type Record struct {
	UE      string
	Mark    UEMark // the mark at this session (the real mark, for a granted UE)
	Granted bool   // credits granted by an earlier jury decision
	// Counted, when set, is the mark averages count instead of Mark: the
	// last computed mark of a UE whose last sitting has none (a code).
	Counted *UEMark
}

// counted is the mark an average takes for r.
func (r Record) counted() UEMark {
	if r.Counted != nil {
		return *r.Counted
	}
	return r.Mark
}

// ProposalInput is a student's record for one session.
type ProposalInput struct {
	Session     catalog.Session
	Year        []Record // the UEs of this year's PAE
	Earlier     []Record // UEs acquired in earlier years of the cycle
	Complements []string // admission complements the student must acquire
}

// UEProposal is the proposal for one UE.
type UEProposal struct {
	UE      string
	Credits int
	Mark    UEMark
	Status  Status
	Basis   Basis
	Deficit Mark   // pass mark minus UE mark, when below
	Reason  string // for a UE below the pass mark: the criteria it meets or fails
	// Why is Reason as written, to render it in French (Why.In).
	Why i18n.Text
}

// because sets the UE's reason.
func (up *UEProposal) because(t i18n.Text) { up.Reason, up.Why = t.String(), t }

// Proposal is what the jury is shown for one student and session, beside
// its own decision. Outcome assumes the UEs to deliberate are refused;
// IfGranted assumes they are granted. The jury decides.
type Proposal struct {
	Session                              catalog.Session
	UEs                                  []UEProposal
	AcquiredCredits, ToDeliberateCredits int
	FailedCredits                        int // year credits not acquired, to-deliberate included
	YearAverage, CycleAverage            Average
	CycleCredits                         int // programme credits acquired over the cycle
	Outcome, IfGranted                   Outcome
	Mention                              *Mention // when IfGranted completes the cycle
	Criteria                             Deliberation
}

// Propose computes the proposal for in under the catalog and ruleset.
func (rs *Ruleset) Propose(cat *catalog.Catalog, in ProposalInput) (Proposal, error) {
	p := Proposal{Session: in.Session, Criteria: rs.Deliberation}
	var year []Graded
	for _, r := range in.Year {
		ue, ok := cat.UE(r.UE)
		if !ok {
			return Proposal{}, fmt.Errorf("UE %s is not in the catalog", r.UE)
		}
		up := UEProposal{UE: r.UE, Credits: ue.Credits, Mark: r.Mark}
		up.Status, up.Basis = rs.Status(ue, r, in.Session)
		if up.Status != Acquired && up.Status != Pending && ue.Credits > 0 {
			p.FailedCredits += ue.Credits
		}
		p.UEs = append(p.UEs, up)
		year = append(year, Graded{ue, r.counted()})
	}
	p.YearAverage = rs.Average(year)
	for i := range p.UEs {
		rs.criteria(&p.UEs[i], p.FailedCredits, p.YearAverage)
		switch p.UEs[i].Status {
		case Acquired:
			p.AcquiredCredits += p.UEs[i].Credits
		case ToDeliberate:
			p.ToDeliberateCredits += p.UEs[i].Credits
		}
	}
	p.Outcome, p.CycleCredits = rs.outcome(cat, in, p.UEs, false)
	p.IfGranted, _ = rs.outcome(cat, in, p.UEs, true)
	if p.IfGranted == CycleCompleted {
		var cycle []Graded
		for _, r := range append(in.Earlier, in.Year...) {
			ue, _ := cat.UE(r.UE)
			cycle = append(cycle, Graded{ue, r.counted()})
		}
		p.CycleAverage = rs.Average(cycle)
		if m, ok := rs.Mention(p.CycleAverage); ok {
			p.Mention = &m
		}
	}
	return p, nil
}

// Status is a UE's status at session s before deliberation criteria are
// applied: a UE below the pass mark is NotAcquired with basis BelowPass.
func (rs *Ruleset) Status(ue catalog.UE, r Record, s catalog.Session) (Status, Basis) {
	m := r.Mark
	switch {
	case r.Granted:
		return Acquired, ByGrant
	case m.Acquired:
		return Acquired, ByCode
	case m.Computed && m.Mark >= rs.Scale.Pass:
		return Acquired, ByMark
	case m.Computed:
		return NotAcquired, BelowPass
	case m.Code != "":
		return NotAcquired, Blocked
	case s == catalog.Q1 && (!ue.HasSession(catalog.Q1) || len(m.Missing) == 0 || len(m.Missing) == len(ue.Activities) || ue.Integrated):
		// Nothing recorded (no result, no missing part listed) or nothing
		// entered yet: the UE may still be evaluated later in the year.
		return Pending, NotYet
	}
	return NotAcquired, Incomplete
}

// criteria applies the published deliberation criteria to a UE below the
// pass mark and records which hold, for the jury to read.
func (rs *Ruleset) criteria(up *UEProposal, failed int, avg Average) {
	if up.Basis != BelowPass {
		return
	}
	d := rs.Deliberation
	up.Deficit = rs.Scale.Pass - up.Mark.Mark
	if up.Credits == 0 {
		up.because(textf("optional activity without credits: nothing to deliberate"))
		return
	}
	var fails clauses
	if up.Deficit > d.MaxDeficit {
		fails = append(fails, textf("deficit %s > %s", up.Deficit, d.MaxDeficit))
	}
	if failed > d.MaxFailedCredits {
		fails = append(fails, textf("failed credits %d > %d", failed, d.MaxFailedCredits))
	}
	if !avg.Defined || avg.Mark < d.MinYearAverage {
		fails = append(fails, textf("year average %s < %s", avg, d.MinYearAverage))
	}
	if len(fails) > 0 {
		up.because(textf("outside the criteria: %s", fails))
		return
	}
	up.Status = ToDeliberate
	up.because(textf("within the criteria: deficit %s <= %s, failed credits %d <= %d, year average %s >= %s",
		up.Deficit, d.MaxDeficit, failed, d.MaxFailedCredits, avg.Mark, d.MinYearAverage))
}

// outcome is the student's outcome, with the UEs to deliberate counted as
// acquired when granted is true, and the cycle's acquired programme credits.
func (rs *Ruleset) outcome(cat *catalog.Catalog, in ProposalInput, ues []UEProposal, granted bool) (Outcome, int) {
	acquired := map[string]bool{}
	for _, r := range in.Earlier {
		acquired[r.UE] = true
	}
	open := false
	for _, u := range ues {
		switch {
		case u.Status == Acquired || granted && u.Status == ToDeliberate:
			acquired[u.UE] = true
		case u.Credits > 0:
			open = true // an optional 0-credit activity never holds a student back
		}
	}
	credits, complete := 0, true
	for _, ue := range cat.UEs {
		if ue.Kind == catalog.Core {
			if acquired[ue.Code] {
				credits += ue.Credits
			} else {
				complete = false
			}
		}
	}
	for _, c := range in.Complements {
		complete = complete && acquired[c]
	}
	switch {
	case complete:
		return CycleCompleted, credits
	case !open:
		return YearPassed, credits
	case in.Session == catalog.Q1:
		return InProgress, credits
	case in.Session == catalog.Q2:
		return Ajourne, credits
	}
	return YearClosed, credits
}
