package projections

import (
	"slices"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Jury returns the jury of a programme for a year, as last constituted.
func (c *Cohort) Jury(programme, year string) (JuryView, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.jury(programme, year)
}

func (c *Cohort) jury(programme, year string) (JuryView, bool) {
	j := c.juries[events.JuryOf(programme, year)]
	if j == nil {
		return JuryView{}, false
	}
	return JuryView{Programme: j.Programme, Year: j.Year, President: j.President, Secretary: j.Secretary,
		Members: slices.Clone(j.Members), Position: j.Position, ConstitutedAt: j.At}, true
}

// SessionClosed reports whether a deliberation of session of year has
// closed, and when: the session's marks are then frozen.
func (c *Cohort) SessionClosed(year string, session catalog.Session) (Stamp, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, d := range c.deliberations {
		if d.Year == year && d.Session == string(session) && d.Closed != nil {
			return Stamp(*d.Closed), true
		}
	}
	return Stamp{}, false
}

// UpheldAppeal returns the upheld appeal of student against session of
// year that no new decision has answered yet: until one does, the jury
// may correct the student's marks of that session.
func (c *Cohort) UpheldAppeal(year string, session catalog.Session, student string) (AppealView, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, d := range c.deliberations {
		if d.Year == year && d.Session == string(session) {
			if a, ok := d.upheldPending(student); ok {
				return a.view(), true
			}
		}
	}
	return AppealView{}, false
}

// SessionStudents returns the matricules of the students a deliberation
// of session decides on, in order: those of programme with a validated
// programme in year whose year no earlier session settled (a decision in
// force passing the year or completing the cycle).
func (c *Cohort) SessionStudents(programme, year string, session catalog.Session) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sessionStudents(programme, year, session)
}

func (c *Cohort) sessionStudents(programme, year string, session catalog.Session) []string {
	var out []string
	for m, s := range c.students {
		if s.inSession(programme, year, session) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// InSession reports whether a deliberation of session decides on
// matricule (see SessionStudents).
func (c *Cohort) InSession(programme, year string, session catalog.Session, matricule string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	return s != nil && s.inSession(programme, year, session)
}

func (s *student) inSession(programme, year string, session catalog.Session) bool {
	y := s.year(year)
	return y != nil && y.PAE != nil && y.PAE.Programme == programme && !s.settled(year, session)
}

// settled reports whether a decision in force taken at a session of year
// before session passed the year or completed the cycle.
func (s *student) settled(year string, session catalog.Session) bool {
	for _, d := range s.Decisions {
		if !d.Superseded && d.Year == year && catalog.Session(d.Session) < session &&
			(d.Outcome == string(rules.YearPassed) || d.Outcome == string(rules.CycleCompleted)) {
			return true
		}
	}
	return false
}

// Deliberation returns where the deliberation of one session stands, with
// every student of the session, their proposal and the decision in force.
func (c *Cohort) Deliberation(programme, year string, session catalog.Session) (DeliberationView, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, err := c.deliberationDocuments(programme, year, session)
	if err != nil {
		return DeliberationView{}, err
	}
	a := events.DeliberationOf(programme, year, string(session))
	if v, ok := c.deliberationViews.get(a, c.position); ok {
		return v, nil
	}
	v, err := c.deliberationView(programme, year, session, d)
	if err == nil {
		c.deliberationViews.put(a, v)
	}
	return v, err
}

// deliberationView computes the view of a session's deliberation.
func (c *Cohort) deliberationView(programme, year string, session catalog.Session, d Documents) (DeliberationView, error) {
	v := DeliberationView{Basis: Basis{Position: c.position}, Programme: programme, Year: year, Session: string(session),
		Status: NotOpened, Students: []DeliberationStudent{}, Appeals: []AppealView{}}
	if j, ok := c.jury(programme, year); ok {
		v.Jury = &j
	}
	del := c.deliberations[events.DeliberationOf(programme, year, string(session))]
	if del != nil {
		v.Opened, v.Closed = del.opening(), del.closed()
		if p := del.published(); p != nil {
			at := p.At
			v.PublishedAt = &at
			for _, dec := range del.Decisions {
				if dec.Position > p.Position {
					v.Unpublished++
				}
			}
		}
		for _, a := range del.Appeals {
			v.Appeals = append(v.Appeals, a.view())
		}
		v.Status = del.status()
	}
	last := map[string]string{} // student -> their last decision in this deliberation
	if del != nil {
		for _, dec := range del.Decisions {
			last[dec.Student] = dec.ID
		}
	}
	for _, m := range c.sessionStudents(programme, year, session) {
		s := c.students[m]
		dos, err := c.dossier(s, year, session, d, nil)
		if err != nil {
			return DeliberationView{}, err
		}
		ds := DeliberationStudent{Student: dos.Student, RecordVersion: dos.RecordVersion,
			Proposed: dos.Proposal.IfGranted, IfRefused: dos.Proposal.Outcome, YearAverage: dos.Proposal.YearAverage,
			ToDeliberate: []string{}, Failed: []string{}, Status: "undecided"}
		for _, u := range dos.Proposal.UEs {
			switch {
			case u.Status == rules.ToDeliberate:
				ds.ToDeliberate = append(ds.ToDeliberate, u.UE)
			case u.Status == rules.NotAcquired && u.Credits > 0:
				ds.Failed = append(ds.Failed, u.UE)
			}
		}
		if del != nil {
			if id := last[m]; id != "" {
				for _, dec := range s.Decisions {
					if dec.ID == id {
						view := dec.view()
						ds.Decision, ds.Status = &view, "decided"
					}
				}
			}
			if _, ok := del.upheldPending(m); ok {
				ds.Status = "re-deliberation"
			}
		}
		if ds.Decision != nil {
			v.Decided++
		} else {
			v.Undecided++
		}
		v.Students = append(v.Students, ds)
	}
	return v, nil
}

// DeliberationDocuments checks that programme, year and session name a
// session that can be deliberated, and returns the year's documents.
func (c *Cohort) DeliberationDocuments(programme, year string, session catalog.Session) (Documents, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.deliberationDocuments(programme, year, session)
}

// deliberationDocuments checks that programme, year and session name a
// session that can be deliberated, and returns the year's documents.
func (c *Cohort) deliberationDocuments(programme, year string, session catalog.Session) (Documents, error) {
	d, err := c.sessionDocuments(year, session)
	if err == nil && d.Catalog.Programme.Code != programme {
		err = notFound("programme", programme, "the %s catalog is that of programme %s", year, d.Catalog.Programme.Code)
	}
	return d, err
}

func (d *deliberation) status() string {
	switch {
	case len(d.Publications) > 0:
		return Published
	case d.Closed != nil:
		return Closed
	case d.Opened != nil:
		return Open
	}
	return NotOpened
}

func (d *deliberation) opening() *Opening {
	if d.Opened == nil {
		return nil
	}
	o := d.Opened
	return &Opening{Stamp: Stamp(o.stamp), Present: slices.Clone(o.MembersPresent), Quorum: o.Quorum, Override: o.Override}
}

func (d *deliberation) closed() *Stamp {
	if d.Closed == nil {
		return nil
	}
	s := Stamp(*d.Closed)
	return &s
}

func (a *appealRecord) view() AppealView {
	v := AppealView{ID: a.ID, Student: a.Student, UE: a.UE, Grounds: a.Grounds, Filed: Stamp(a.stamp),
		Status: "filed", Motivation: a.Motivation, AnsweredBy: a.AnsweredBy}
	if a.Decided != nil {
		s := Stamp(*a.Decided)
		v.Decided = &s
		v.Status = map[bool]string{true: "upheld", false: "rejected"}[a.Upheld]
	}
	return v
}

// differences lists how decision e departs from the rules' proposal it
// was taken on, as the decision records it: a UE granted outside the
// criteria or refused within them, an outcome other than the proposed
// one, a mention other than the proposed one.
func differences(e events.DecisionRecorded) []Difference {
	out := []Difference{}
	for _, g := range e.Grants {
		switch {
		case g.Granted && g.Basis != events.GrantWithinCriteria:
			out = append(out, Difference{What: DiffGrant, UE: g.UE, From: string(rules.NotAcquired), To: "granted"})
		case !g.Granted && g.Basis == events.GrantWithinCriteria:
			out = append(out, Difference{What: DiffGrant, UE: g.UE, From: string(rules.ToDeliberate), To: "refused"})
		}
	}
	if e.Outcome != e.Proposed {
		out = append(out, Difference{What: DiffOutcome, From: e.Proposed, To: e.Outcome})
	}
	if e.Mention != e.ProposedMention {
		out = append(out, Difference{What: DiffMention, From: e.ProposedMention, To: e.Mention})
	}
	return out
}

// PublishedBound is the log position of the last publication of results
// in force at now: what a student may see of their record is what the log
// held then. False when no results are published yet.
func (c *Cohort) PublishedBound(now time.Time) (uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var bound uint64
	for _, d := range c.deliberations {
		for _, p := range d.Publications {
			if !p.At.After(now) && p.Position > bound {
				bound = p.Position
			}
		}
	}
	return bound, bound > 0
}
