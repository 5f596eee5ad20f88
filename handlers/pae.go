package handlers

import (
	"context"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// PAERequest is a student's annual programme for a year, with the
// prerequisite waivers the jury grants at the end of the cycle.
type PAERequest struct {
	UEs     []string        `json:"ues"`
	Waivers []events.Waiver `json:"waivers"`
}

// ValidatePAE records the annual programme of a student for a year
// (secretariat), checked against the catalog and the credits the student
// holds from earlier years: prerequisites acquired (or waived at the end of
// the cycle), co-requisites followed before or in the same year,
// eligibility, complements required by the admission. A refused PAE lists
// every violation at once.
func (hs *Handlers) ValidatePAE(ctx context.Context, id auth.Identity, key, mat, year string, in PAERequest) (eventlog.Appended, error) {
	return hs.onPAE(ctx, id, key, mat, year, func(st *studentState, docs projections.Documents, standing projections.Standing) ([]events.Pending, error) {
		if st.pae[year] != nil {
			return nil, refuse(Invalid, "year", year, "the PAE of %s for %s is already validated; amend it instead", st.registered.Matricule, year)
		}
		if err := checkPAE(docs, st, standing, in.UEs, in.Waivers); err != nil {
			return nil, err
		}
		return pend(id, events.PAEValidated{Programme: docs.Catalog.Programme.Code, Year: year,
			UEs: slices.Clone(in.UEs), Waivers: in.Waivers}), nil
	})
}

// Amendment adds UEs to or removes UEs from a validated PAE.
type Amendment struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Reason  string   `json:"reason"`
}

// AmendPAE changes a validated PAE (secretariat); the PAE it leaves is
// checked like a new one.
func (hs *Handlers) AmendPAE(ctx context.Context, id auth.Identity, key, mat, year string, in Amendment) (eventlog.Appended, error) {
	return hs.onPAE(ctx, id, key, mat, year, func(st *studentState, docs projections.Documents, standing projections.Standing) ([]events.Pending, error) {
		p := st.pae[year]
		if p == nil {
			return nil, refuse(NotFound, "year", year, "%s has no validated PAE for %s to amend", st.registered.Matricule, year)
		}
		var ps problems
		if strings.TrimSpace(in.Reason) == "" {
			ps.add("reason", in.Reason, "an amendment states its reason")
		}
		if len(in.Added)+len(in.Removed) == 0 {
			ps.add("added", "", "an amendment adds or removes at least one UE")
		}
		for _, ue := range in.Added {
			if p.Has(ue) {
				ps.add("added", ue, "UE %s is already in the PAE", ue)
			}
		}
		for _, ue := range in.Removed {
			if !p.Has(ue) {
				ps.add("removed", ue, "UE %s is not in the PAE", ue)
			}
		}
		if err := ps.err(Invalid); err != nil {
			return nil, err
		}
		e := events.PAEAmended{Year: year, Added: slices.Clone(in.Added), Removed: slices.Clone(in.Removed), Reason: in.Reason}
		next := *p
		next.UEs = slices.Clone(p.UEs)
		next.Amend(e)
		if err := checkPAE(docs, st, standing, next.UEs, next.Waivers); err != nil {
			return nil, err
		}
		return pend(id, e), nil
	})
}

// onPAE runs a PAE command of the secretariat on an admitted student: decide
// gets the documents of year and the student's standing from earlier
// years, read once the registry has caught up with the log.
func (hs *Handlers) onPAE(ctx context.Context, id auth.Identity, key, mat, year string,
	decide func(*studentState, projections.Documents, projections.Standing) ([]events.Pending, error)) (eventlog.Appended, error) {
	mat = normMatricule(mat)
	if err := holds(id, access.SetPAE); err != nil {
		return eventlog.Appended{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return eventlog.Appended{}, err
	}
	docs, err := hs.authorizeYear(ctx, id, access.SetPAE, year, mat)
	if err != nil {
		return eventlog.Appended{}, err
	}
	standing := hs.Cohort.Standing(mat, year)
	return execute(ctx, hs, events.StudentOf(mat), key, newStudentState, func(st *studentState) ([]events.Pending, error) {
		if err := admitted(st, mat); err != nil {
			return nil, err
		}
		return decide(st, docs, standing)
	})
}

func admitted(st *studentState, mat string) error {
	switch {
	case st.registered == nil:
		return refuse(NotFound, "matricule", mat, "no student is registered with this matricule")
	case st.admission == nil:
		return refuse(Invalid, "matricule", mat, "the student is not admitted to the programme yet; record the admission first")
	}
	return nil
}

// checkPAE lists every reason the UEs and waivers cannot be a PAE.
func checkPAE(docs projections.Documents, st *studentState, standing projections.Standing, ues []string, waivers []events.Waiver) error {
	cat, rs := docs.Catalog, docs.Ruleset
	var ps problems
	if len(ues) == 0 {
		ps.add("ues", "", "a PAE holds at least one UE")
	}
	seen := map[string]bool{}
	for _, code := range ues {
		if seen[code] {
			ps.add("ues", code, "UE %s is listed twice", code)
		}
		seen[code] = true
		if _, ok := cat.UE(code); !ok {
			ps.add("ues", code, "no such UE in the %s catalog", cat.Programme.AcademicYear)
		}
	}
	// The student as readiness sees them: followed = earlier years and
	// this PAE (a co-requisite may be taken the same year); waived
	// prerequisites count as acquired and must then be followed.
	student := rules.Student{
		Acquired:    standing.Acquired,
		Followed:    map[string]bool{},
		Conditions:  rules.Conditions(st.admission.HasBachelor),
		Complements: st.admission.Complements,
	}
	for ue := range standing.Followed {
		student.Followed[ue] = true
	}
	for _, ue := range ues {
		student.Followed[ue] = true
	}
	ready := map[string]rules.Readiness{}
	for _, r := range rs.Readiness(cat, student) {
		ready[r.UE] = r
	}
	waived := map[string][]string{}
	for _, w := range waivers {
		ue, ok := cat.UE(w.UE)
		r := ready[w.UE]
		switch {
		case !ok || !seen[w.UE]:
			ps.add("waivers", w.UE, "a waiver is for a UE of the PAE")
		case len(ue.Prerequisites.Codes()) == 0:
			ps.add("waivers", w.Prerequisite, "UE %s has no prerequisite to waive", w.UE)
		case !slices.Contains(ue.Prerequisites.Codes(), w.Prerequisite):
			ps.add("waivers", w.Prerequisite, "UE %s is not a prerequisite of UE %s (%s)", w.Prerequisite, w.UE, ue.Prerequisites)
		case standing.Acquired[w.Prerequisite]:
			ps.add("waivers", w.Prerequisite, "UE %s is acquired; there is nothing to waive", w.Prerequisite)
		case !r.Waivable:
			ps.add("waivers", w.UE, "a prerequisite is waived only at the end of the cycle (at most %d programme credits left to acquire)",
				rs.Waiver.EndOfCycleRemaining)
		case strings.TrimSpace(w.Reason) == "":
			ps.add("waivers", w.UE, "a waiver states the jury's reason")
		case !student.Followed[w.Prerequisite]:
			ps.add("waivers", w.Prerequisite, "a waived prerequisite becomes a co-requisite: UE %s must be in the PAE or followed before", w.Prerequisite)
		default:
			waived[w.UE] = append(waived[w.UE], w.Prerequisite)
		}
	}
	for _, code := range ues {
		ue, ok := cat.UE(code)
		if !ok {
			continue
		}
		r := ready[code]
		switch r.Status {
		case rules.AlreadyAcquired:
			ps.add("ues", code, "UE %s is already acquired; acquired credits are never re-examined", code)
		case rules.NotRequired:
			ps.add("ues", code, "UE %s is an admission complement the student's admission does not require", code)
		case rules.NotEligible:
			ps.add("ues", code, "UE %s is only for students %s (%s)", code, ue.Eligibility.Condition, ue.Eligibility.Text)
		case rules.PrerequisitesMissing:
			missing := ue.Prerequisites.Unmet(func(c string) bool { return standing.Acquired[c] || slices.Contains(waived[code], c) })
			if missing != nil {
				ps.add("ues", code, "UE %s requires %s acquired first (prerequisite); not acquired: %s", code, ue.Prerequisites, missing)
			}
		}
		if r.CoEnrol != "" {
			ps.add("ues", code, "UE %s requires %s followed before or in the same year (co-requisite); add %s to the PAE", code, ue.Corequisites, r.CoEnrol)
		}
	}
	return ps.err(Invalid)
}
