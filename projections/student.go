package projections

import (
	"cmp"
	"slices"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// student is one student's folded path. It is kept small (a few KiB per
// student-year): results are a flat slice of small values, and the
// strings they repeat are interned.
type student struct {
	reg        events.StudentRegistered
	admission  *events.StudentAdmitted
	years      []*studentYear // sorted by academic year
	recognised []recognition
	decisions  []decision
	degree     *events.DegreeConferred
	// positions index every record about the student, in log order: the
	// history, and what a reconstruction as of a past moment reads.
	positions []uint64
}

// studentYear is one academic year of a student.
type studentYear struct {
	year    string
	pae     *PAE
	results []result // one per (UE, session, activity), in first-recorded order
}

// result is the current result of one activity (or, with activity "", of
// the UE itself) at one session.
type result struct {
	ue, activity string
	value        rules.Result
	session      uint8 // sessionIndex
	from         uint8 // for a carried mark, the session it comes from
	corrected    bool
}

type recognition struct {
	year, ue, basis string
}

type decision struct {
	id            string
	position      uint64
	at            time.Time
	year, session string
	outcome       string
	mention       string
	motivation    string
	granted       []string
	supersededBy  string
	superseded    bool
}

var sessions = [...]catalog.Session{"", catalog.Q1, catalog.Q2, catalog.Q3}

func sessionIndex(s catalog.Session) uint8 {
	if i := slices.Index(sessions[:], s); i > 0 {
		return uint8(i)
	}
	return 0
}

func (s *student) applyPath(rec events.Record, in interner) {
	switch e := rec.Event.(type) {
	case events.StudentAdmitted:
		s.admission = &e
	case events.PAEValidated:
		s.yearOf(e.Year, in).pae = PAEOf(e)
	case events.PAEAmended:
		if y := s.year(e.Year); y != nil && y.pae != nil {
			y.pae.Amend(e)
		}
	case events.CreditsRecognised:
		s.recognised = append(s.recognised, recognition{in.of(e.Year), in.of(e.UE), in.of(e.Basis)})
	case events.DegreeConferred:
		s.degree = &e
	}
}

func (s *student) year(y string) *studentYear {
	i, found := slices.BinarySearchFunc(s.years, y, func(a *studentYear, y string) int {
		return cmp.Compare(a.year, y)
	})
	if !found {
		return nil
	}
	return s.years[i]
}

func (s *student) yearOf(y string, in interner) *studentYear {
	i, found := slices.BinarySearchFunc(s.years, y, func(a *studentYear, y string) int {
		return cmp.Compare(a.year, y)
	})
	if !found {
		s.years = slices.Insert(s.years, i, &studentYear{year: in.of(y)})
	}
	return s.years[i]
}

// set records r, replacing the result of the same (UE, session, activity);
// clear removes it.
func (y *studentYear) set(r result, clear bool) {
	i := slices.IndexFunc(y.results, func(o result) bool {
		return o.ue == r.ue && o.session == r.session && o.activity == r.activity
	})
	switch {
	case clear && i >= 0:
		y.results = slices.Delete(y.results, i, i+1)
	case clear:
	case i >= 0:
		r.corrected = r.corrected || y.results[i].corrected
		y.results[i] = r
	default:
		y.results = append(y.results, r)
	}
}

// sitting is what session s recorded for ue, as the rules take it.
func (y *studentYear) sitting(ue string, s catalog.Session) (rules.Sitting, bool) {
	var out rules.Sitting
	found := false
	si := sessionIndex(s)
	for _, r := range y.results {
		if r.ue != ue || r.session != si {
			continue
		}
		found = true
		if r.activity == "" {
			v := r.value
			out.UE = &v
			continue
		}
		if out.Activities == nil {
			out.Activities = map[string]rules.Result{}
		}
		out.Activities[r.activity] = r.value
	}
	return out, found
}

// sittings lists the sessions with a result for ue, in session order.
func (y *studentYear) sittings(ue string) []catalog.Session {
	var seen [len(sessions)]bool
	for _, r := range y.results {
		if r.ue == ue {
			seen[r.session] = true
		}
	}
	var out []catalog.Session
	for i, ok := range seen {
		if ok && i > 0 {
			out = append(out, sessions[i])
		}
	}
	return out
}

func (s *student) decide(rec events.Record, e events.DecisionRecorded, in interner) {
	d := decision{id: rec.ID.String(), position: rec.Position, at: rec.RecordedAt,
		outcome: e.Outcome, mention: e.Mention, motivation: e.Motivation}
	if t := rec.Aggregate.Tokens(); rec.Aggregate.Kind() == events.KindDeliberation && len(t) == 3 {
		d.year, d.session = in.of(t[1]), in.of(t[2])
	}
	for _, g := range e.Grants {
		if g.Granted {
			d.granted = append(d.granted, in.of(g.UE))
		}
	}
	if e.Supersedes != "" {
		s.supersede(e.Supersedes, d.id)
	}
	s.decisions = append(s.decisions, d)
}

func (s *student) supersede(id, by string) {
	for i := range s.decisions {
		if s.decisions[i].id == id {
			s.decisions[i].superseded = true
			if by != "" {
				s.decisions[i].supersededBy = by
			}
		}
	}
}

// granted reports the UEs whose credits a decision in force granted, with
// the session of that decision.
func (s *student) granted() map[string]decision {
	out := map[string]decision{}
	for _, d := range s.decisions {
		if d.superseded {
			continue
		}
		for _, ue := range d.granted {
			out[ue] = d
		}
	}
	return out
}

func (s *student) isRecognised(ue string) (recognition, bool) {
	for _, r := range s.recognised {
		if r.ue == ue {
			return r, true
		}
	}
	return recognition{}, false
}
