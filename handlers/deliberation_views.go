package handlers

import (
	"context"
	"strconv"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// Deliberation returns where a session's deliberation stands, with every
// student of the session, their proposal and decision.
func (hs *Handlers) Deliberation(ctx context.Context, id auth.Identity, ref DeliberationRef, q ViewQuery) (projections.DeliberationView, error) {
	if err := hs.deliberationReader(ctx, id, ref, q); err != nil {
		return projections.DeliberationView{}, err
	}
	v, err := hs.Cohort.Deliberation(ref.Programme, ref.Year, catalog.Session(ref.Session))
	return v, viewError(err)
}

// Minutes returns the minutes of a session's deliberation.
func (hs *Handlers) Minutes(ctx context.Context, id auth.Identity, ref DeliberationRef, q ViewQuery) (projections.Minutes, error) {
	if err := hs.deliberationReader(ctx, id, ref, q); err != nil {
		return projections.Minutes{}, err
	}
	m, err := hs.Cohort.Minutes(ctx, hs.Log, ref.Programme, ref.Year, catalog.Session(ref.Session))
	return m, viewError(err)
}

// Replay returns a session's decisions in recorded order, each with the
// dossier it was taken on, rebuilt from the log.
func (hs *Handlers) Replay(ctx context.Context, id auth.Identity, ref DeliberationRef, q ViewQuery) (projections.Replay, error) {
	if err := hs.deliberationReader(ctx, id, ref, q); err != nil {
		return projections.Replay{}, err
	}
	r, err := hs.Cohort.ReplayDeliberation(ctx, hs.Log, ref.Programme, ref.Year, catalog.Session(ref.Session))
	return r, viewError(err)
}

// WhatIfInput is a hypothesis: results as they might be, for some
// students or the whole session, and optionally other criteria.
type WhatIfInput struct {
	Changes  []projections.Change `json:"changes,omitempty"`
	Students []string             `json:"students,omitempty"`
	// All compares every student of the session.
	All bool `json:"all,omitempty"`
	// Criteria replace the ruleset's deliberation criteria; a criterion
	// left out keeps the ruleset's value.
	Criteria *Criteria `json:"criteria,omitempty"`
}

// Criteria are hypothetical deliberation criteria.
type Criteria struct {
	MaxDeficit       *rules.Mark `json:"max_deficit,omitempty"`
	MaxFailedCredits *int        `json:"max_failed_credits,omitempty"`
	MinYearAverage   *rules.Mark `json:"min_year_average,omitempty"`
}

// WhatIf shows the proposals a hypothesis would give beside the real
// ones. Every change is checked like an entry on a grade sheet; nothing
// is written.
func (hs *Handlers) WhatIf(ctx context.Context, id auth.Identity, ref DeliberationRef, in WhatIfInput, q ViewQuery) (projections.WhatIfView, error) {
	if err := hs.deliberationReader(ctx, id, ref, q); err != nil {
		return projections.WhatIfView{}, err
	}
	docs, err := hs.documents(ctx, ref.Year)
	if err != nil {
		return projections.WhatIfView{}, err
	}
	inSession := func(m string) bool {
		return hs.Cohort.InSession(ref.Programme, ref.Year, catalog.Session(ref.Session), m)
	}
	var ps problems
	in2 := projections.WhatIf{All: in.All}
	if c := in.Criteria; c != nil {
		crit := docs.Ruleset.Deliberation
		if c.MaxDeficit != nil {
			crit.MaxDeficit = *c.MaxDeficit
		}
		if c.MaxFailedCredits != nil {
			crit.MaxFailedCredits = *c.MaxFailedCredits
		}
		if c.MinYearAverage != nil {
			crit.MinYearAverage = *c.MinYearAverage
		}
		if crit.MaxFailedCredits < 0 || crit.MaxDeficit < 0 || crit.MinYearAverage < 0 {
			ps.add("criteria", "", "criteria are not negative")
		}
		in2.Criteria = &crit
	}
	for i, m := range in.Students {
		m = normMatricule(m)
		if !inSession(m) {
			ps.add("students["+strconv.Itoa(i)+"]", m, "not a student of the session (no validated %s programme in %s)", ref.Programme, ref.Year)
		}
		in2.Students = append(in2.Students, m)
	}
	if len(in.Changes) == 0 && len(in.Students) == 0 && !in.All && in.Criteria == nil {
		ps.add("changes", "", "a what-if states changes, students, all or criteria")
	}
	for i, ch := range in.Changes {
		field := "changes[" + strconv.Itoa(i) + "]"
		ch.Student = normMatricule(ch.Student)
		session := catalog.Session(ch.Session)
		if session == "" {
			session = catalog.Session(ref.Session)
		}
		ue, ok := docs.Catalog.UE(ch.UE)
		if ok {
			ch.Activity = activityOf(ue, ch.Activity) // a single-activity UE's mark is its activity's
		}
		next, res, err := normalise(ch.Value)
		switch {
		case !inSession(ch.Student):
			ps.add(field+".student", ch.Student, "not a student of the session (no validated %s programme in %s)", ref.Programme, ref.Year)
		case !ok:
			ps.add(field+".ue", ch.UE, "no such UE in the %s catalog", ref.Year)
		case validSession(session) != nil || !ue.HasSession(session):
			ps.add(field+".session", string(session), "UE %s is evaluated in %v", ue.Code, ue.Sessions)
		case err != nil:
			ps.add(field+".value", ch.Value, "not a mark on the scale 0-%s nor a code (%s)", docs.Ruleset.Scale.Max, docs.Ruleset.CodeList())
		case !next.IsZero():
			if err := docs.Ruleset.CheckRecord(ue, ch.Activity, res); err != nil {
				f := recordField(ue, ch.Activity, res)
				ps.add(field+"."+f, map[string]string{"value": ch.Value, "activity": ch.Activity}[f], "%s", err)
			}
		}
		ch.Value, ch.Session = next.Mark+next.Code, string(session)
		in2.Changes = append(in2.Changes, ch)
	}
	if err := ps.err(Invalid); err != nil {
		return projections.WhatIfView{}, err
	}
	v, err := hs.Cohort.WhatIf(ref.Programme, ref.Year, catalog.Session(ref.Session), in2)
	return v, viewError(err)
}

// deliberationReader waits for q.MinPosition, then refuses unless id may
// read the deliberations of ref.
func (hs *Handlers) deliberationReader(ctx context.Context, id auth.Identity, ref DeliberationRef, q ViewQuery) error {
	if err := holds(id, access.ReadDeliberation); err != nil {
		return err
	}
	if err := hs.reach(ctx, q); err != nil {
		return err
	}
	return authorize(id, access.ReadDeliberation, hs.yearTarget(ref.Programme, ref.Year))
}
