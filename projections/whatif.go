package projections

import (
	"fmt"
	"maps"
	"slices"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// WhatIf is a hypothesis for a session's proposals: other results, and
// optionally other deliberation criteria.
type WhatIf struct {
	Changes []Change
	// Students are shown besides those the changes touch; All shows every
	// student of the session (so does a change of criteria).
	Students []string
	All      bool
	Criteria *rules.Deliberation
}

// WhatIf computes, in memory, the proposals of a session's students under
// a hypothesis and compares them with the real ones. It writes nothing
// and changes nothing: the hypothetical results are set on copies. The
// changes must have been checked against the catalog and ruleset (an
// unreadable value is an error).
func (c *Cohort) WhatIf(programme, year string, session catalog.Session, w WhatIf) (WhatIfView, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, err := c.deliberationDocuments(programme, year, session)
	if err != nil {
		return WhatIfView{}, err
	}
	after := d
	v := WhatIfView{Basis: Basis{Position: c.position}, Programme: programme, Year: year, Session: string(session),
		Students: []WhatIfStudent{}}
	if w.Criteria != nil {
		rs := *d.Ruleset
		rs.Deliberation = *w.Criteria
		after.Ruleset = &rs
		v.Criteria = fmt.Sprintf("max_deficit %s, max_failed_credits %d, min_year_average %s",
			w.Criteria.MaxDeficit, w.Criteria.MaxFailedCredits, w.Criteria.MinYearAverage)
		sim := *w.Criteria
		sim.Text = "" // the ruleset's words state its own figures
		v.Simulated = &sim
	}
	byStudent := map[string][]Change{}
	for _, ch := range w.Changes {
		byStudent[ch.Student] = append(byStudent[ch.Student], ch)
	}
	who := slices.Concat(w.Students, slices.Collect(maps.Keys(byStudent)))
	if w.All || w.Criteria != nil {
		who = c.sessionStudents(programme, year, session)
	}
	slices.Sort(who)
	for _, m := range slices.Compact(who) {
		s := c.students[m]
		if s == nil {
			return WhatIfView{}, notFound("student", m, "no student is registered with this matricule")
		}
		before, err := c.dossier(s, year, session, d, nil)
		if err != nil {
			return WhatIfView{}, err
		}
		hyp, err := s.with(year, session, byStudent[m])
		if err != nil {
			return WhatIfView{}, err
		}
		changed, err := c.dossier(hyp, year, session, after, nil)
		if err != nil {
			return WhatIfView{}, err
		}
		ws := WhatIfStudent{Student: identity(s), Changes: byStudent[m], Before: before.Proposal, After: changed.Proposal}
		ws.Differences = compareProposals(before.Proposal, changed.Proposal)
		if len(ws.Differences) > 0 {
			v.Changed++
		}
		v.Students = append(v.Students, ws)
	}
	return v, nil
}

// with returns a copy of s with the changes applied to year; s itself and
// every result it holds stay as they are.
func (s *student) with(year string, session catalog.Session, changes []Change) (*student, error) {
	if len(changes) == 0 {
		return s, nil
	}
	cp := *s
	cp.Years = slices.Clone(s.Years)
	i := slices.IndexFunc(cp.Years, func(y *studentYear) bool { return y.Year == year })
	if i < 0 {
		return nil, notFound("student", s.Reg.Matricule, "the student has no record in %s", year)
	}
	y := *cp.Years[i]
	y.Results = slices.Clone(y.Results)
	cp.Years[i] = &y
	for _, ch := range changes {
		at := session
		if ch.Session != "" {
			at = catalog.Session(ch.Session)
		}
		if sessionIndex(at) == 0 {
			return nil, notFound("session", ch.Session, "a session is Q1, Q2 or Q3")
		}
		entry := events.Entry{Mark: ch.Value}
		if _, err := rules.ParseMark(ch.Value); err != nil && ch.Value != "" {
			entry = events.Entry{Code: ch.Value}
		}
		r, err := ResultOf(entry)
		if err != nil {
			return nil, fmt.Errorf("what-if for %s, UE %s: %w", ch.Student, ch.UE, err)
		}
		y.set(result{slot: &slot{ch.UE, ch.Activity, sessionIndex(at)}, Code: r.Code, Mark: r.Mark, Corrected: true},
			entry.IsZero())
	}
	return &cp, nil
}

// compareProposals lists how proposal b differs from a: UE statuses, the
// outcomes, the mention and the year average.
func compareProposals(a, b ProposalView) []Difference {
	out := []Difference{}
	before := map[string]UEProposal{}
	for _, u := range a.UEs {
		before[u.UE] = u
	}
	for _, u := range b.UEs {
		if p, ok := before[u.UE]; ok && p.Status != u.Status {
			out = append(out, Difference{What: DiffStatus, UE: u.UE, From: string(p.Status), To: string(u.Status)})
		}
	}
	add := func(what, from, to string) {
		if from != to {
			out = append(out, Difference{What: what, From: from, To: to})
		}
	}
	add(DiffOutcome, a.Outcome, b.Outcome)
	add(DiffIfGranted, a.IfGranted, b.IfGranted)
	add(DiffMention, a.Mention, b.Mention)
	add(DiffYearAverage, averageText(a.YearAverage), averageText(b.YearAverage))
	return out
}

func averageText(a *Average) string {
	if a == nil {
		return ""
	}
	return a.Mark.String()
}
