package handlers

import (
	"context"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Recognition is the jury's recognition of a UE from a student's prior
// studies or experience (valorisation, VAE).
type Recognition struct {
	Year   string `json:"year"`
	UE     string `json:"ue"`
	Basis  string `json:"basis"`  // the studies or experience recognised
	Reason string `json:"reason"` // the jury's motivation
}

// RecogniseCredits records that a member of the year's jury recognised a
// UE's credits for a student: the UE is acquired without a mark and left
// out of averages. A UE already acquired or recognised is refused.
func (hs *Handlers) RecogniseCredits(ctx context.Context, id auth.Identity, key, mat string, in Recognition) (eventlog.Appended, error) {
	mat = normMatricule(mat)
	if err := holds(id, access.RecogniseCredits); err != nil {
		return eventlog.Appended{}, err
	}
	docs, err := hs.documents(ctx, in.Year)
	if err != nil {
		return eventlog.Appended{}, err
	}
	if _, ok := hs.Cohort.Jury(docs.Catalog.Programme.Code, in.Year); !ok {
		return eventlog.Appended{}, refuse(Invalid, "year", in.Year, "no jury is constituted for %s in %s; the jury recognises prior credits", docs.Catalog.Programme.Code, in.Year)
	}
	t := hs.yearTarget(docs.Catalog.Programme.Code, in.Year)
	t.Student = mat
	if err := authorize(id, access.RecogniseCredits, t); err != nil {
		return eventlog.Appended{}, err
	}
	var ps problems
	ue, ok := docs.Catalog.UE(in.UE)
	switch {
	case !ok:
		ps.add("ue", in.UE, "no such UE in the %s catalog", in.Year)
	case ue.Kind == catalog.Optional:
		ps.add("ue", in.UE, "UE %s is an optional activity without credits: there is nothing to recognise", in.UE)
	case hs.Cohort.Standing(mat, "").Acquired[in.UE]:
		ps.add("ue", in.UE, "%s has already acquired UE %s", mat, in.UE)
	}
	if strings.TrimSpace(in.Basis) == "" {
		ps.add("basis", "", "a recognition names the studies or experience it rests on")
	}
	if strings.TrimSpace(in.Reason) == "" {
		ps.add("reason", "", "a recognition is motivated")
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	return execute(ctx, hs, events.StudentOf(mat), key, newStudentState, func(st *studentState) ([]events.Pending, error) {
		if st.registered == nil {
			return nil, refuse(NotFound, "matricule", mat, "no student is registered with this matricule")
		}
		if st.recognised[in.UE] {
			return nil, refuse(Invalid, "ue", in.UE, "UE %s is already recognised for %s", in.UE, mat)
		}
		return pend(id, events.CreditsRecognised{Year: in.Year, UE: in.UE, Basis: strings.TrimSpace(in.Basis),
			Reason: strings.TrimSpace(in.Reason)}), nil
	})
}
