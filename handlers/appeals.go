package handlers

import (
	"context"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// AppealInput is an appeal (recours) against a session's decision.
type AppealInput struct {
	Student string `json:"student"`
	UE      string `json:"ue,omitempty"` // the evaluation contested, if one
	Grounds string `json:"grounds"`
}

// FileAppeal files a student's appeal against their decision of a session
// (the student themself or the secretariat on their behalf), within the
// ruleset's deadline: appeals.working_days working days after the
// publication of the results.
func (hs *Handlers) FileAppeal(ctx context.Context, id auth.Identity, key string, ref DeliberationRef, in AppealInput) (eventlog.Appended, error) {
	in.Student = normMatricule(in.Student)
	if err := hs.catchUp(ctx); err != nil {
		return eventlog.Appended{}, err
	}
	if err := authorize(id, access.FileAppeal, access.Target{Programmes: []string{ref.Programme}, Student: in.Student}); err != nil {
		return eventlog.Appended{}, err
	}
	docs, err := hs.documents(ctx, ref.Year)
	if err != nil {
		return eventlog.Appended{}, err
	}
	var ps problems
	if strings.TrimSpace(in.Grounds) == "" {
		ps.add("grounds", "", "an appeal states its grounds: the irregularity in how the evaluation was run")
	}
	if in.UE != "" {
		s, _ := hs.Cohort.Student(in.Student)
		if pae := s.PAEs[ref.Year]; !pae.Has(in.UE) {
			ps.add("ue", in.UE, "not a UE of %s's programme in %s", in.Student, ref.Year)
		}
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	now := hs.now()
	e := events.AppealFiled{Student: in.Student, UE: in.UE, Grounds: strings.TrimSpace(in.Grounds)}
	return execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		if st.decisions[in.Student] == "" {
			return nil, refuse(Invalid, "student", in.Student, "%s has no decision in the deliberation of %s to appeal against", in.Student, ref)
		}
		if len(st.published) == 0 || now.Before(st.published[0].At) {
			return nil, refuse(Invalid, "session", ref.Session, "the results of %s are not published yet; an appeal follows their publication", ref)
		}
		published := rules.DateOf(st.published[0].At.In(brussels))
		deadline := docs.Ruleset.AppealDeadline(published)
		if now.After(endOfDay(deadline)) {
			return nil, refuse(Invalid, "filed", rules.DateOf(now.In(brussels)).String(),
				"the appeal deadline passed on %s: %d working days after the publication of %s (ruleset appeals.working_days)",
				deadline, docs.Ruleset.Appeals.WorkingDays, published)
		}
		if a := st.pendingAppeal(in.Student); a != nil {
			return nil, refuse(Invalid, "student", in.Student, "an appeal of %s (%s) awaits its decision", in.Student, a.id)
		}
		return pend(id, e), nil
	})
}

// AppealVerdict decides an appeal.
type AppealVerdict struct {
	Upheld     bool   `json:"upheld"`
	Motivation string `json:"motivation"`
}

// DecideAppeal decides an appeal (the jury's president), always with a
// motivation. An upheld appeal reopens the student's case: the jury may
// correct the student's marks of the session and records a new decision,
// which supersedes the old one (kept on record).
func (hs *Handlers) DecideAppeal(ctx context.Context, id auth.Identity, key string, ref DeliberationRef, appeal string, in AppealVerdict) (eventlog.Appended, error) {
	if _, err := hs.juryFor(ctx, id, ref, access.DecideAppeal); err != nil {
		return eventlog.Appended{}, err
	}
	if strings.TrimSpace(in.Motivation) == "" {
		return eventlog.Appended{}, refuse(Invalid, "motivation", "", "the decision on an appeal is motivated, upheld or not")
	}
	return execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		a := st.appeals[appeal]
		switch {
		case a == nil:
			return nil, refuse(NotFound, "appeal", appeal, "no such appeal in the deliberation of %s", ref)
		case a.decided:
			return nil, refuse(Invalid, "appeal", appeal, "the appeal is already decided (upheld: %t)", a.upheld)
		}
		return pend(id, events.AppealDecided{Student: a.student, Appeal: appeal, Upheld: in.Upheld,
			Motivation: strings.TrimSpace(in.Motivation)}), nil
	})
}
