package projections

import (
	"maps"
	"slices"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
)

// sheetState is what the log says of one grade sheet beyond its results:
// submissions, reopenings, and who entered how many results.
type sheetState struct {
	Submitted   bool
	SubmittedAt time.Time
	SubmittedBy string
	Submissions int
	Reopenings  int
	Entries     map[string]int // results recorded, by actor
}

func (st *sheetState) apply(rec events.Record) {
	switch rec.Event.(type) {
	case events.SheetSubmitted:
		st.Submitted, st.SubmittedAt, st.SubmittedBy = true, rec.RecordedAt, rec.Actor.ID
		st.Submissions++
	case events.SheetReopened:
		st.Submitted = false
		st.Reopenings++
	}
}

func (st *sheetState) count(actor string, in interner) {
	if st.Entries == nil {
		st.Entries = map[string]int{}
	}
	st.Entries[in.of(actor)]++
}

// SheetStatuses returns the status of every grade sheet of a session: one
// per UE of the catalog evaluated in that session, in catalog order.
func (c *Cohort) SheetStatuses(year string, session catalog.Session) ([]SheetStatus, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, err := c.sessionDocuments(year, session)
	if err != nil {
		return nil, err
	}
	out := []SheetStatus{}
	students := slices.Sorted(maps.Keys(c.students))
	for _, ue := range d.Catalog.UEs {
		if ue.HasSession(session) {
			out = append(out, c.sheetStatus(d, year, session, ue, students))
		}
	}
	return out, nil
}

// SheetStatus returns the status of the grade sheet of ue.
func (c *Cohort) SheetStatus(year string, session catalog.Session, ue string) (SheetStatus, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, err := c.sessionDocuments(year, session)
	if err != nil {
		return SheetStatus{}, err
	}
	u, ok := d.Catalog.UE(ue)
	if !ok {
		return SheetStatus{}, notFound("ue", ue, "no UE has this code in the catalog of %s", year)
	}
	if !u.HasSession(session) {
		return SheetStatus{}, notFound("session", string(session), "UE %s is not evaluated in this session", ue)
	}
	return c.sheetStatus(d, year, session, u, slices.Sorted(maps.Keys(c.students))), nil
}

func (c *Cohort) sessionDocuments(year string, session catalog.Session) (Documents, error) {
	d, ok := c.documents[year]
	if !ok || d.Catalog == nil || d.Ruleset == nil {
		return Documents{}, notFound("year", year, "no catalog and ruleset are published for this academic year")
	}
	if sessionIndex(session) == 0 {
		return Documents{}, notFound("session", string(session), "a session is Q1, Q2 or Q3")
	}
	return d, nil
}

// sheetStatus is the status of the sheet of ue; students are every
// matricule, sorted.
func (c *Cohort) sheetStatus(d Documents, year string, session catalog.Session, ue catalog.UE, students []string) SheetStatus {
	v := SheetStatus{Year: year, Session: string(session), UE: ue.Code, Title: ue.Title, Status: "empty",
		MissingStudents: []string{}, Teachers: []TeacherEntries{}}
	if sched, ok := c.sessions[year][session]; ok {
		v.Deadline = sched.EncodingDeadline
	}
	for _, m := range students {
		s := c.students[m]
		if _, due := c.due(d, ue, year, session, s); !due {
			continue
		}
		v.Enrolled++
		sit, found := s.year(year).sitting(ue.Code, session)
		if um, err := d.Ruleset.UEMark(ue, sit); found && err == nil && len(um.Missing) == 0 {
			v.Entered++
		} else {
			v.MissingStudents = append(v.MissingStudents, m)
		}
	}
	v.Missing = len(v.MissingStudents)
	st := c.sheets[events.SheetOf(year, string(session), ue.Code)]
	if st == nil {
		return v
	}
	for _, actor := range slices.Sorted(maps.Keys(st.Entries)) {
		v.Teachers = append(v.Teachers, TeacherEntries{Actor: actor, Entries: st.Entries[actor]})
	}
	v.SubmittedAt, v.SubmittedBy, v.Submissions, v.Reopenings = st.SubmittedAt, st.SubmittedBy, st.Submissions, st.Reopenings
	switch {
	case st.Submitted:
		v.Status = "submitted"
	case st.Reopenings > 0:
		v.Status = "reopened"
	case len(st.Entries) > 0:
		v.Status = "draft"
	}
	return v
}
