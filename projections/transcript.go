package projections

import (
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/rules"
)

// NotFoundError says which student, year, session or UE a view was asked
// for that the log does not know.
type NotFoundError struct {
	Field, Value, Rule string
	// Why is Rule as written, for its French (Why.In); zero when the
	// error was made without it.
	Why i18n.Text
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Rule)
}

// notFound is the error of field and value whose rule format writes with
// args, a literal format that french.go translates.
func notFound(field, value, format string, args ...any) error {
	why := textf(format, args...)
	return &NotFoundError{Field: field, Value: value, Rule: why.String(), Why: why}
}

// Transcript returns matricule's transcript for year.
func (c *Cohort) Transcript(matricule, year string) (Transcript, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, d, err := c.lookup(matricule, year)
	if err != nil {
		return Transcript{}, err
	}
	t := Transcript{
		Basis:   Basis{Position: c.position},
		Student: identity(s), Year: year,
		Programme: d.Catalog.Programme.Code, ProgrammeTitle: d.Catalog.Programme.Title,
		UEs: []TranscriptUE{},
	}
	y := s.year(year)
	if y == nil {
		t.Empty = fmt.Sprintf("student %s has no programme and no result in %s", matricule, year)
		return t, nil
	}
	var graded []rules.Graded
	outcomes := c.outcomes(s, y, d, "", false)
	for _, o := range outcomes {
		t.UEs = append(t.UEs, transcriptUE(y, o))
		t.Credits.add(o, y.PAE.Has(o.ue.Code))
		graded = append(graded, rules.Graded{UE: o.ue, Mark: o.mark})
	}
	t.YearAverage = averageOf(d.Ruleset.Average(graded))
	t.CycleAverage = averageOf(c.cycleAverage(s, year, outcomes, d.Ruleset))
	for _, dec := range s.Decisions {
		if dec.Year == year {
			t.Decisions = append(t.Decisions, dec.view())
		}
	}
	if s.Degree != nil && s.Degree.Year == year {
		avg, _ := rules.ParseMark(s.Degree.Average)
		t.Degree = &Degree{Year: year, Average: avg, Mention: s.Degree.Mention}
	}
	return t, nil
}

// lookup finds a student and the documents of a year, or says which is
// unknown.
func (c *Cohort) lookup(matricule, year string) (*student, Documents, error) {
	s := c.students[matricule]
	if s == nil {
		return nil, Documents{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	d, ok := c.documents[year]
	if !ok || d.Catalog == nil || d.Ruleset == nil {
		return nil, Documents{}, notFound("year", year, "no catalog and ruleset are published for this academic year")
	}
	return s, d, nil
}

func identity(s *student) Identity {
	return Identity{Matricule: s.Reg.Matricule, FirstName: s.Reg.FirstName, LastName: s.Reg.LastName, Email: s.Reg.Email}
}

func transcriptUE(y *studentYear, o ueOutcome) TranscriptUE {
	u := TranscriptUE{
		Code: o.ue.Code, Title: o.ue.Title, Bloc: o.ue.Bloc, Kind: string(o.ue.Kind), Credits: o.ue.Credits,
		Integrated: o.ue.Integrated, Sessions: []SittingView{}, Status: o.status, Basis: o.basis,
		AcquiredIn: string(o.in),
	}
	if o.mark.Computed {
		m := o.mark.Mark
		u.Mark = &m
	}
	for _, so := range o.sittings {
		u.Sessions = append(u.Sessions, sittingView(y, o.ue, so))
	}
	return u
}

func sittingView(y *studentYear, ue catalog.UE, so sittingOutcome) SittingView {
	v := SittingView{Session: string(so.session), Code: string(so.mark.Code), Missing: so.mark.Missing,
		Explanation: so.mark.Explanation}
	if so.err != nil {
		v.Explanation = so.err.Error()
	}
	if so.mark.Computed {
		m := so.mark.Mark
		v.Mark = &m
	}
	if so.sitting.UE != nil {
		v.Result = so.sitting.UE.String()
	}
	si := sessionIndex(so.session)
	for _, r := range y.Results {
		if r.UE == ue.Code && r.Session == si && r.Activity == "" {
			v.Corrected = r.Corrected
		}
	}
	for _, a := range ue.Activities {
		for _, r := range y.Results {
			if r.UE != ue.Code || r.Session != si || r.Activity != a.Title {
				continue
			}
			ar := ActivityResult{Activity: a.Title, Hours: a.Hours, Result: r.value().String(), Corrected: r.Corrected}
			if r.From != 0 {
				ar.CarriedFrom = string(sessions[r.From])
			}
			v.Activities = append(v.Activities, ar)
		}
	}
	return v
}

// add counts one UE's credits; only UEs of the PAE are enrolled.
func (yc *YearCredits) add(o ueOutcome, enrolled bool) {
	cr := o.ue.Credits
	if enrolled {
		yc.Enrolled += cr
	}
	if o.status != rules.Acquired {
		if enrolled {
			yc.Remaining += cr
		}
		return
	}
	yc.Acquired += cr
	switch o.basis {
	case rules.ByMark:
		yc.ByMark += cr
	case rules.ByGrant:
		yc.Deliberated += cr
	case rules.ByRecognition, rules.ByCode: // valorisation, or a VAL/DISP code
		yc.Recognised += cr
	}
}

func (d decision) view() Decision {
	return Decision{ID: d.ID, Position: d.Position, At: d.At, Year: d.Year, Session: d.Session,
		Outcome: d.Outcome, Mention: d.Mention, Granted: d.Granted, Motivation: d.Motivation,
		Superseded: d.Superseded, SupersededBy: d.SupersededBy}
}
