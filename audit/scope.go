package audit

import (
	"slices"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
)

// Scope is the set of aggregates that may hold facts about one student,
// derived from the student's own records: the student's aggregate, and for
// every academic year of one of their annual programmes (PAE) the year's
// documents (catalog, calendar), the programme's jury and deliberations,
// and the grade sheets of every UE the programme ever listed. Handlers
// record a result only for a UE of the student's PAE, and a decision only
// in their programme's deliberations, so no fact about the student lies
// outside it.
type Scope struct {
	Matricule string
	years     map[string]*yearScope
}

type yearScope struct {
	programmes []string
	ues        []string
}

// ScopeOf derives the scope of matricule from the records of its student
// aggregate, in order.
func ScopeOf(matricule string, own []events.Record) Scope {
	s := Scope{Matricule: matricule, years: map[string]*yearScope{}}
	year := func(y string) *yearScope {
		if s.years[y] == nil {
			s.years[y] = &yearScope{}
		}
		return s.years[y]
	}
	add := func(list []string, v ...string) []string {
		for _, x := range v {
			if !slices.Contains(list, x) {
				list = append(list, x)
			}
		}
		return list
	}
	for _, r := range own {
		switch e := r.Event.(type) {
		case events.PAEValidated:
			y := year(e.Year)
			y.programmes, y.ues = add(y.programmes, e.Programme), add(y.ues, e.UEs...)
		case events.PAEAmended:
			y := year(e.Year)
			y.ues = add(y.ues, e.Added...)
		}
	}
	return s
}

// Holds reports whether a may hold a fact about the student, or a
// document their facts are read with.
func (s Scope) Holds(a events.AggregateID) bool {
	t := a.Tokens()
	switch a.Kind() {
	case events.KindStudent:
		return a == events.StudentOf(s.Matricule)
	case events.KindCatalog, events.KindCalendar:
		return len(t) == 1 && s.years[t[0]] != nil
	case events.KindJury, events.KindDeliberation:
		return len(t) >= 2 && s.years[t[1]] != nil && slices.Contains(s.years[t[1]].programmes, t[0])
	case events.KindSheet:
		return len(t) == 3 && s.years[t[0]] != nil && slices.Contains(s.years[t[0]].ues, t[2])
	}
	return false
}

// Candidates lists every aggregate the scope holds, whether or not the log
// has records in it: what an export loads.
func (s Scope) Candidates() []events.AggregateID {
	out := []events.AggregateID{events.StudentOf(s.Matricule)}
	for y, ys := range s.years {
		out = append(out, events.CatalogOf(y), events.CalendarOf(y))
		for _, p := range ys.programmes {
			out = append(out, events.JuryOf(p, y))
			for _, q := range sessions {
				out = append(out, events.DeliberationOf(p, y, string(q)))
			}
		}
		for _, ue := range ys.ues {
			for _, q := range sessions {
				out = append(out, events.SheetOf(y, string(q), ue))
			}
		}
	}
	slices.Sort(out)
	return out
}

var sessions = []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}
