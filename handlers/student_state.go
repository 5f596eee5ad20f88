package handlers

import (
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// studentState is a student aggregate: registration, admission and PAEs.
type studentState struct {
	registered *events.StudentRegistered
	admission  *events.StudentAdmitted
	pae        map[string]*projections.PAE // by year, amendments applied
	recognised map[string]bool
}

func newStudentState() *studentState {
	return &studentState{pae: map[string]*projections.PAE{}, recognised: map[string]bool{}}
}

func (st *studentState) apply(rec events.Record) {
	switch e := rec.Event.(type) {
	case events.StudentRegistered:
		st.registered = &e
	case events.StudentAdmitted:
		st.admission = &e
	case events.PAEValidated:
		st.pae[e.Year] = projections.PAEOf(e)
	case events.PAEAmended:
		if p := st.pae[e.Year]; p != nil {
			p.Amend(e)
		}
	case events.CreditsRecognised:
		st.recognised[e.UE] = true
	}
}
