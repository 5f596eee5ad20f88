package handlers

import (
	"time"

	"github.com/gradelog/gradelog/events"
)

// DeliberationRef names one session's deliberation.
type DeliberationRef struct {
	Programme string
	Year      string
	Session   string
}

func (r DeliberationRef) String() string { return r.Programme + " " + r.Session + " " + r.Year }

func (r DeliberationRef) aggregate() events.AggregateID {
	return events.DeliberationOf(r.Programme, r.Year, r.Session)
}

// deliberationState is a deliberation aggregate: opening, decisions,
// closing, publications and appeals.
type deliberationState struct {
	opened    *events.DeliberationOpened
	openedAt  time.Time
	closed    *events.Record
	published []events.ResultsPublished
	// lastPublication is the position of the last publication, and
	// lastDecision that of the last decision: a decision after the last
	// publication (an appeal's) may be published again.
	lastPublication, lastDecision uint64
	decisions                     map[string]string // student -> ID of their last decision
	appeals                       map[string]*appealState
}

type appealState struct {
	id       string
	student  string
	decided  bool
	upheld   bool
	answered bool
}

func newDeliberationState() *deliberationState {
	return &deliberationState{decisions: map[string]string{}, appeals: map[string]*appealState{}}
}

func (st *deliberationState) apply(rec events.Record) {
	switch e := rec.Event.(type) {
	case events.DeliberationOpened:
		st.opened, st.openedAt = &e, rec.RecordedAt
	case events.DecisionRecorded:
		st.decisions[e.Student], st.lastDecision = rec.ID.String(), rec.Position
		if a := st.appeals[e.Appeal]; a != nil {
			a.answered = true
		}
	case events.DeliberationClosed:
		st.closed = &rec
	case events.ResultsPublished:
		st.published, st.lastPublication = append(st.published, e), rec.Position
	case events.AppealFiled:
		st.appeals[rec.ID.String()] = &appealState{id: rec.ID.String(), student: e.Student}
	case events.AppealDecided:
		if a := st.appeals[e.Appeal]; a != nil {
			a.decided, a.upheld = true, e.Upheld
		}
	}
}

// upheld returns the upheld appeal of student no decision has answered.
func (st *deliberationState) upheld(student string) *appealState {
	for _, a := range st.appeals {
		if a.student == student && a.upheld && !a.answered {
			return a
		}
	}
	return nil
}

// pendingAppeal returns the appeal of student not decided yet.
func (st *deliberationState) pendingAppeal(student string) *appealState {
	for _, a := range st.appeals {
		if a.student == student && !a.decided {
			return a
		}
	}
	return nil
}

func (st *deliberationState) isPresent(member string) bool {
	if st.opened == nil {
		return false
	}
	for _, m := range st.opened.MembersPresent {
		if m == member {
			return true
		}
	}
	return false
}
