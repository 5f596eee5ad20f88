package handlers

import (
	"context"
	"slices"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/projections"
)

// authorize refuses (Forbidden) unless the access matrix lets id do a on
// t. Every command and query calls it, with a target built from the
// current state by the functions below, before it reads or writes.
func authorize(id auth.Identity, a access.Action, t access.Target) error {
	if d := access.Check(id, a, t); d != nil {
		return refuse(Forbidden, d.Field, d.Value, "%s", d.Why)
	}
	return nil
}

// holds refuses (Forbidden) unless one of id's roles is granted a at all:
// a list then keeps the items authorize allows.
func holds(id auth.Identity, a access.Action) error {
	if d := access.Holds(id, a); d != nil {
		return refuse(Forbidden, d.Field, d.Value, "%s", d.Why)
	}
	return nil
}

// yearTarget is a programme's year (its sessions, jury, deliberations).
func (hs *Handlers) yearTarget(programme, year string) access.Target {
	t := access.Target{Programmes: []string{programme}}
	if j, ok := hs.Cohort.Jury(programme, year); ok {
		t.Juries = []access.Jury{juryOf(j)}
	}
	return t
}

// authorizeYear refuses unless id may do a in year (for student, if not
// empty), under the programme of the year's catalog, and returns the
// year's documents.
func (hs *Handlers) authorizeYear(ctx context.Context, id auth.Identity, a access.Action, year, student string) (projections.Documents, error) {
	if err := holds(id, a); err != nil {
		return projections.Documents{}, err
	}
	docs, err := hs.documents(ctx, year)
	if err != nil {
		return projections.Documents{}, err
	}
	t := hs.yearTarget(docs.Catalog.Programme.Code, year)
	t.Student = student
	return docs, authorize(id, a, t)
}

// sheetTarget is a grade sheet: its UE in the year's programme.
func (hs *Handlers) sheetTarget(docs projections.Documents, ref SheetRef) access.Target {
	t := hs.yearTarget(docs.Catalog.Programme.Code, ref.Year)
	t.UEs = []string{ref.UE}
	return t
}

// studentTarget is a student's record: the programmes of their admission
// and PAEs, the UEs of their PAEs and the juries of their years.
func (hs *Handlers) studentTarget(mat string) access.Target {
	t := access.Target{Student: mat}
	s, ok := hs.Cohort.Student(mat)
	if !ok {
		return t
	}
	if s.Admission != nil {
		t.Programmes = append(t.Programmes, s.Admission.Programme)
	}
	for year, p := range s.PAEs {
		t.Programmes = append(t.Programmes, p.Programme)
		t.UEs = append(t.UEs, p.UEs...)
		if j, ok := hs.Cohort.Jury(p.Programme, year); ok {
			t.Juries = append(t.Juries, juryOf(j))
		}
	}
	slices.Sort(t.Programmes) // once each, as a refusal names them
	slices.Sort(t.UEs)
	t.Programmes, t.UEs = slices.Compact(t.Programmes), slices.Compact(t.UEs)
	return t
}

// authorizeStudent refuses unless id may do a on mat's record.
func (hs *Handlers) authorizeStudent(id auth.Identity, a access.Action, mat string) error {
	return authorize(id, a, hs.studentTarget(mat))
}

func juryOf(j projections.JuryView) access.Jury {
	out := access.Jury{Programme: j.Programme, Year: j.Year, President: j.President, Secretary: j.Secretary}
	for _, m := range j.Members {
		out.Members = append(out.Members, m.ID)
	}
	return out
}

// authorizeSheet refuses unless id may do a on the sheet ref.
func (hs *Handlers) authorizeSheet(ctx context.Context, id auth.Identity, a access.Action, ref SheetRef) error {
	if err := holds(id, a); err != nil {
		return err
	}
	docs, err := hs.documents(ctx, ref.Year)
	if err != nil {
		return err
	}
	return authorize(id, a, hs.sheetTarget(docs, ref))
}

// MaySheet reports whether id may do a on the sheet ref (what a page asks
// before showing a sheet's forms; the commands check it again).
func (hs *Handlers) MaySheet(id auth.Identity, a access.Action, ref SheetRef) bool {
	docs, ok := hs.Cohort.Documents(ref.Year)
	return ok && authorize(id, a, hs.sheetTarget(docs, ref)) == nil
}

// rulesetRoles are the ruleset roles an actor records results under, most
// trusted first. An import always records as "import", whoever uploads it,
// so that the ruleset can say what an import may never do (clear a CM).
func rulesetRoles(id auth.Identity, source string) []string {
	if source == SourceXLSX || source == SourceCSV {
		return []string{"import"}
	}
	var out []string
	for _, r := range []string{auth.Secretariat, auth.Jury, auth.Teacher} {
		if id.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// Sources of an entry.
const (
	SourceForm = "form"
	SourceAPI  = "api"
	SourceXLSX = "xlsx"
	SourceCSV  = "csv"
)
