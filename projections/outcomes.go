package projections

import (
	"maps"
	"slices"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
)

// ueOutcome is where one UE of one student-year stands, up to a session.
type ueOutcome struct {
	ue       catalog.UE
	sittings []sittingOutcome // in session order
	// mark is the UE mark that counts: that of the sitting that acquired
	// the credits, else of the last sitting with a computed mark, else of
	// the last sitting. last is the last sitting's, which decides the
	// status of a UE not acquired.
	mark, last rules.UEMark
	status     rules.Status
	basis      rules.Basis
	// in is the session the credits were acquired in ("" when not
	// acquired, or acquired without a session: recognition).
	in catalog.Session
}

type sittingOutcome struct {
	session catalog.Session
	sitting rules.Sitting
	mark    rules.UEMark
	err     error // the sitting holds what the rules refuse
}

// outcomes computes every UE of student-year y, in catalog order: the UEs
// of the PAE, those with results and those recognised that year. Only
// sessions up to upTo count ("" for all), and only decisions taken in
// them; with before, only decisions taken before upTo (what the jury of
// upTo is shown).
func (c *Cohort) outcomes(s *student, y *studentYear, d Documents, upTo catalog.Session, before bool) []ueOutcome {
	wanted := map[string]bool{}
	if y.PAE != nil {
		for _, ue := range y.PAE.UEs {
			wanted[ue] = true
		}
	}
	for _, r := range y.Results {
		wanted[r.UE] = true
	}
	for _, r := range s.Recognised {
		if r.Year == y.Year {
			wanted[r.UE] = true
		}
	}
	granted := s.granted()
	var out []ueOutcome
	for _, ue := range d.Catalog.UEs {
		if !wanted[ue.Code] {
			continue
		}
		o := ueOutcome{ue: ue, status: rules.Pending, basis: rules.NotYet}
		var history []rules.Sitting
		for _, session := range y.sittings(ue.Code) {
			if upTo != "" && session > upTo {
				continue
			}
			sit, _ := y.sitting(ue.Code, session)
			m, err := d.Ruleset.UEMark(ue, d.Ruleset.Counting(ue, history, sit))
			history = append(history, sit)
			o.sittings = append(o.sittings, sittingOutcome{session, sit, m, err})
			if err == nil && o.in == "" && acquires(d.Ruleset, m) {
				o.in = session
			}
		}
		g, isGranted := granted[ue.Code]
		isGranted = isGranted && g.Year == y.Year && (upTo == "" || catalog.Session(g.Session) < upTo ||
			!before && catalog.Session(g.Session) == upTo)
		o.settle(d.Ruleset)
		switch rec, recognised := s.isRecognised(ue.Code); {
		case recognised && rec.Year <= y.Year:
			o.status, o.basis, o.in = rules.Acquired, rules.ByRecognition, ""
		case o.status == rules.Acquired:
		case isGranted:
			o.status, o.basis, o.in = rules.Acquired, rules.ByGrant, catalog.Session(g.Session)
		}
		out = append(out, o)
	}
	return out
}

// settle finds the mark that counts and the status from the sittings: a
// UE acquired at one session stays acquired, whatever a later sitting
// says (credits are acquired for good).
func (o *ueOutcome) settle(rs *rules.Ruleset) {
	n := len(o.sittings)
	if n == 0 {
		return
	}
	last := o.sittings[n-1]
	o.last, o.mark = last.mark, last.mark
	for _, so := range slices.Backward(o.sittings) {
		if so.mark.Computed {
			o.mark = so.mark
			break
		}
	}
	if o.in != "" {
		for _, so := range o.sittings {
			if so.session == o.in {
				o.mark, o.last = so.mark, so.mark
				o.status, o.basis = rs.Status(o.ue, rules.Record{UE: o.ue.Code, Mark: so.mark}, so.session)
				return
			}
		}
	}
	o.status, o.basis = rs.Status(o.ue, rules.Record{UE: o.ue.Code, Mark: last.mark}, last.session)
}

// cycleAverage is the credit-weighted average, over every year up to
// `year`, of the last computed mark of each UE; `current` are the
// outcomes of `year` itself, already computed.
func (c *Cohort) cycleAverage(s *student, year string, current []ueOutcome, rs *rules.Ruleset) rules.Average {
	last := map[string]rules.Graded{}
	for _, y := range s.Years {
		if y.Year > year {
			break
		}
		d, ok := c.documents[y.Year]
		if !ok || d.Catalog == nil || d.Ruleset == nil {
			continue
		}
		outcomes := current
		if y.Year != year {
			outcomes = c.outcomes(s, y, d, "", false)
		}
		for _, o := range outcomes {
			if o.mark.Computed {
				last[o.ue.Code] = rules.Graded{UE: o.ue, Mark: o.mark}
			}
		}
	}
	keys := slices.Sorted(maps.Keys(last))
	gs := make([]rules.Graded, len(keys))
	for i, k := range keys {
		gs[i] = last[k]
	}
	return rs.Average(gs)
}

func averageOf(a rules.Average) *Average {
	if !a.Defined {
		return nil
	}
	return &Average{Mark: a.Mark, Credits: a.Credits}
}
