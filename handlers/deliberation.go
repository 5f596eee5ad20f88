package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// Opening is how a jury opens a deliberation: who is present and, when
// grade sheets of the session are not all submitted, the president's
// reason to open anyway.
type Opening struct {
	Present  []string `json:"present"`
	Override string   `json:"override,omitempty"`
}

// OpenDeliberation opens the deliberation of one session (the jury's
// president or secretary). The quorum is computed and recorded: more than
// half of the members teaching a compulsory UE evaluated in the session
// must be present, and the president too. Opening is refused while sheets
// of the session are not submitted, unless the president overrides it
// with a reason.
func (hs *Handlers) OpenDeliberation(ctx context.Context, id auth.Identity, key string, ref DeliberationRef, in Opening) (eventlog.Appended, error) {
	j, err := hs.juryFor(ctx, id, ref, access.OpenDeliberation)
	if err != nil {
		return eventlog.Appended{}, err
	}
	override := strings.TrimSpace(in.Override)
	if override != "" {
		if err := authorize(id, access.OverrideOpening, hs.yearTarget(ref.Programme, ref.Year)); err != nil {
			return eventlog.Appended{}, err
		}
	}
	docs, _ := hs.Cohort.Documents(ref.Year)
	if _, ok := hs.Cohort.Session(ref.Year, catalog.Session(ref.Session)); !ok {
		return eventlog.Appended{}, refuse(Invalid, "session", ref.Session, "session %s of %s is not scheduled", ref.Session, ref.Year)
	}
	statuses, err := hs.Cohort.SheetStatuses(ref.Year, catalog.Session(ref.Session))
	if err != nil {
		return eventlog.Appended{}, viewError(err)
	}
	var ps problems
	present := []string{}
	for _, m := range in.Present {
		m = strings.TrimSpace(m)
		if _, ok := j.Member(m); !ok {
			ps.add("present", m, "not a member of the %s jury of %s", ref.Programme, ref.Year)
		} else if !slices.Contains(present, m) {
			present = append(present, m)
		}
	}
	if !slices.Contains(present, j.President) {
		ps.add("present", strings.Join(present, ","), "the president (%s) chairs the deliberation and must be present", j.President)
	}
	bySheet := map[string]projections.SheetStatus{}
	for _, s := range statuses {
		bySheet[s.UE] = s
	}
	q := quorumRule(j, docs.Catalog, func(ue string) bool {
		s, ok := bySheet[ue]
		return ok && s.Entered+len(s.Teachers) > 0
	}).Of(present)
	if !q.Met {
		ps.add("present", strings.Join(present, ","), "quorum not met: %d of the members teaching a compulsory UE evaluated in %s are present, %d are required (more than half)",
			q.Present, ref.Session, q.Required)
	}
	var open []string
	for _, s := range statuses {
		if s.Enrolled > 0 && s.Status != "submitted" {
			open = append(open, fmt.Sprintf("%s (%s)", s.UE, s.Status))
		}
	}
	switch {
	case len(open) > 0 && override == "":
		ps.add("sheets", strings.Join(open, ", "), "grade sheets of the session are not all submitted; the president may open anyway with a recorded reason (override)")
	case len(open) == 0:
		override = "" // nothing to override
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	e := events.DeliberationOpened{Programme: ref.Programme, Year: ref.Year, Session: ref.Session,
		MembersPresent: present, Quorum: q, Override: override}
	return execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		if st.opened != nil {
			return nil, refuse(Invalid, "session", ref.Session, "the deliberation of %s opened on %s; it opens once", ref, st.openedAt.In(brussels).Format("2006-01-02 15:04"))
		}
		return pend(id, e), nil
	})
}

// QuorumRule is who counts for the quorum of a session's deliberation,
// by the décret's presence rule: the members teaching a compulsory UE
// evaluated in the session (a sheet with a result or an entry), or every
// member when none does. More than half of them must be present.
type QuorumRule struct {
	Counted  []string // the members who count
	Everyone bool     // no member teaches a compulsory UE evaluated in the session
	Required int      // more than half of Counted
}

// Of is the quorum of the members present.
func (r QuorumRule) Of(present []string) events.Quorum {
	q := events.Quorum{Required: r.Required}
	for _, m := range r.Counted {
		if slices.Contains(present, m) {
			q.Present++
		}
	}
	q.Met = q.Present >= q.Required
	return q
}

// quorumRule applies the presence rule to j; evaluated reports whether a
// UE of the session has a result or an entry on its sheet, and is asked
// only until each member is known to count.
func quorumRule(j projections.JuryView, cat *catalog.Catalog, evaluated func(ue string) bool) QuorumRule {
	known := map[string]bool{}
	counts := func(code string) bool {
		if e, ok := known[code]; ok {
			return e
		}
		ue, ok := cat.UE(code)
		e := ok && ue.Kind == catalog.Core && ue.Credits > 0 && evaluated(code)
		known[code] = e
		return e
	}
	var r QuorumRule
	for _, m := range j.Members {
		if slices.ContainsFunc(m.Teaches, counts) {
			r.Counted = append(r.Counted, m.ID)
		}
	}
	if len(r.Counted) == 0 {
		r.Everyone = true
		for _, m := range j.Members {
			r.Counted = append(r.Counted, m.ID)
		}
	}
	r.Required = len(r.Counted)/2 + 1
	return r
}

// QuorumRule is who counts for the quorum of ref's deliberation now, as
// OpenDeliberation decides it: the deliberation page shows it before and
// after the opening.
func (hs *Handlers) QuorumRule(ref DeliberationRef) (QuorumRule, error) {
	docs, err := hs.Cohort.DeliberationDocuments(ref.Programme, ref.Year, catalog.Session(ref.Session))
	if err != nil {
		return QuorumRule{}, viewError(err)
	}
	j, ok := hs.Cohort.Jury(ref.Programme, ref.Year)
	if !ok {
		return QuorumRule{}, refuse(Invalid, "jury", ref.Programme+" "+ref.Year, "no jury is constituted for this programme and year; the secretariat constitutes it first")
	}
	session := catalog.Session(ref.Session)
	var failed error
	r := quorumRule(j, docs.Catalog, func(code string) bool {
		if ue, _ := docs.Catalog.UE(code); !ue.HasSession(session) {
			return false
		}
		s, err := hs.Cohort.SheetStatus(ref.Year, session, code)
		failed = cmp.Or(failed, err)
		return err == nil && s.Entered+len(s.Teachers) > 0
	})
	return r, viewError(failed)
}

// CloseDeliberation closes a session's deliberation (president or
// secretary) once every student of the session has a decision. The
// session's marks are then frozen: they change only through a jury
// decision after an upheld appeal.
func (hs *Handlers) CloseDeliberation(ctx context.Context, id auth.Identity, key string, ref DeliberationRef) (eventlog.Appended, error) {
	if _, err := hs.juryFor(ctx, id, ref, access.OpenDeliberation); err != nil {
		return eventlog.Appended{}, err
	}
	students := hs.Cohort.SessionStudents(ref.Programme, ref.Year, catalog.Session(ref.Session))
	return execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		if err := st.writable(ref); err != nil {
			return nil, err
		}
		var undecided []string
		for _, m := range students {
			if st.decisions[m] == "" {
				undecided = append(undecided, m)
			}
		}
		if len(undecided) > 0 {
			return nil, refuse(Invalid, "students", listSome(undecided, 10), "%d student(s) of the session have no decision yet; every student is decided before closing", len(undecided))
		}
		return pend(id, events.DeliberationClosed{Decisions: len(st.decisions)}), nil
	})
}

// PublishResults publishes a closed session's results at a date (the
// secretariat or the jury's president): students see them from then on.
// Zero at takes the calendar's publication date. Results are published
// again after a decision taken on an appeal.
func (hs *Handlers) PublishResults(ctx context.Context, id auth.Identity, key string, ref DeliberationRef, at time.Time) (eventlog.Appended, error) {
	if err := hs.catchUp(ctx); err != nil {
		return eventlog.Appended{}, err
	}
	if err := authorize(id, access.PublishResults, hs.yearTarget(ref.Programme, ref.Year)); err != nil {
		return eventlog.Appended{}, err
	}
	if at.IsZero() {
		sched, ok := hs.Cohort.Session(ref.Year, catalog.Session(ref.Session))
		if !ok || sched.PublicationAt.IsZero() {
			return eventlog.Appended{}, refuse(Invalid, "at", "", "the calendar gives no publication date for %s; give one", ref)
		}
		at = sched.PublicationAt
	}
	return execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		if st.closed == nil {
			return nil, refuse(Invalid, "session", ref.Session, "the deliberation of %s is not closed; results are published after closing", ref)
		}
		if st.lastPublication > st.lastDecision && len(st.published) > 0 {
			if last := st.published[len(st.published)-1]; last.At.Equal(at) {
				return nil, nil // already so published
			}
		}
		return pend(id, events.ResultsPublished{At: at}), nil
	})
}

// juryFor checks that ref names a session that can be deliberated by a
// constituted jury, and that the access matrix lets id do a there; the
// registry is caught up first (deliberation commands depend on the whole
// picture).
func (hs *Handlers) juryFor(ctx context.Context, id auth.Identity, ref DeliberationRef, a access.Action) (projections.JuryView, error) {
	if err := holds(id, a); err != nil {
		return projections.JuryView{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return projections.JuryView{}, err
	}
	if _, err := hs.Cohort.DeliberationDocuments(ref.Programme, ref.Year, catalog.Session(ref.Session)); err != nil {
		return projections.JuryView{}, viewError(err)
	}
	j, ok := hs.Cohort.Jury(ref.Programme, ref.Year)
	if !ok {
		return projections.JuryView{}, refuse(Invalid, "jury", ref.Programme+" "+ref.Year, "no jury is constituted for this programme and year; the secretariat constitutes it first")
	}
	if err := authorize(id, a, access.Target{Programmes: []string{ref.Programme}, Juries: []access.Jury{juryOf(j)}}); err != nil {
		return projections.JuryView{}, err
	}
	return j, nil
}

// writable refuses unless the deliberation is open and not closed.
func (st *deliberationState) writable(ref DeliberationRef) error {
	if st.opened == nil {
		return refuse(Invalid, "session", ref.Session, "the deliberation of %s has not opened", ref)
	}
	if st.closed != nil {
		return refuse(Invalid, "session", ref.Session, "the deliberation of %s closed on %s; after closing only an upheld appeal leads to a new decision",
			ref, st.closed.RecordedAt.In(brussels).Format("2006-01-02 15:04"))
	}
	return nil
}

// listSome lists at most n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
