package projections

import (
	"cmp"
	"encoding/json"
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
	Reg        events.StudentRegistered
	Admission  *events.StudentAdmitted
	Years      []*studentYear // sorted by academic year
	Recognised []recognition
	Decisions  []decision
	Degree     *events.DegreeConferred
	// Positions index every record about the student, in log order: the
	// history, and what a reconstruction as of a past moment reads.
	Positions []uint64
}

// studentYear is one academic year of a student.
type studentYear struct {
	Year    string
	PAE     *PAE
	Results []result // one per (UE, session, activity), in first-recorded order
}

// result is the current result of one activity (or, with activity "", of
// the UE itself) at one session. It is 32 bytes: what it is for is an
// interned slot shared by every student, and the value a code and a mark.
type result struct {
	*slot
	Code      rules.Code
	Mark      rules.Mark
	From      uint8 // for a carried mark, the session it comes from
	Corrected bool
}

// slot is what a result is for: a UE, an activity ("" for the UE itself)
// and a session (sessionIndex).
type slot struct {
	UE, Activity string
	Session      uint8
}

func (r result) value() rules.Result { return rules.Result{Code: r.Code, Mark: r.Mark} }

// resultJSON is a result as a snapshot stores it.
type resultJSON struct {
	UE        string     `json:"ue"`
	Activity  string     `json:"activity,omitempty"`
	Session   uint8      `json:"session"`
	Code      rules.Code `json:"code,omitempty"`
	Mark      rules.Mark `json:"mark"`
	From      uint8      `json:"from,omitempty"`
	Corrected bool       `json:"corrected,omitempty"`
}

func (r result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{r.UE, r.Activity, r.Session, r.Code, r.Mark, r.From, r.Corrected})
}

func (r *result) UnmarshalJSON(data []byte) error {
	var j resultJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*r = result{&slot{j.UE, j.Activity, j.Session}, j.Code, j.Mark, j.From, j.Corrected}
	return nil
}

type recognition struct {
	Year, UE, Basis string
}

type decision struct {
	ID            string
	Position      uint64
	At            time.Time
	Year, Session string
	Outcome       string
	Mention       string
	Motivation    string
	Granted       []string
	SupersededBy  string
	Superseded    bool
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
		e.Programme, e.Basis = in.of(e.Programme), in.of(e.Basis)
		s.Admission = &e
	case events.PAEValidated:
		p := PAEOf(e)
		p.intern(in)
		s.yearOf(e.Year, in).PAE = p
	case events.PAEAmended:
		if y := s.year(e.Year); y != nil && y.PAE != nil {
			y.PAE.Amend(e)
		}
	case events.CreditsRecognised:
		s.Recognised = append(s.Recognised, recognition{in.of(e.Year), in.of(e.UE), in.of(e.Basis)})
	case events.DegreeConferred:
		s.Degree = &e
	}
}

func (s *student) year(y string) *studentYear {
	i, found := slices.BinarySearchFunc(s.Years, y, func(a *studentYear, y string) int {
		return cmp.Compare(a.Year, y)
	})
	if !found {
		return nil
	}
	return s.Years[i]
}

func (s *student) yearOf(y string, in interner) *studentYear {
	i, found := slices.BinarySearchFunc(s.Years, y, func(a *studentYear, y string) int {
		return cmp.Compare(a.Year, y)
	})
	if !found {
		s.Years = slices.Insert(s.Years, i, &studentYear{Year: in.of(y)})
	}
	return s.Years[i]
}

// set records r, replacing the result of the same (UE, session, activity);
// clear removes it.
func (y *studentYear) set(r result, clear bool) {
	i := slices.IndexFunc(y.Results, func(o result) bool {
		return *o.slot == *r.slot
	})
	switch {
	case clear && i >= 0:
		y.Results = slices.Delete(y.Results, i, i+1)
	case clear:
	case i >= 0:
		r.Corrected = r.Corrected || y.Results[i].Corrected
		y.Results[i] = r
	default:
		y.Results = append(y.Results, r)
	}
}

// sitting is what session s recorded for ue, as the rules take it.
func (y *studentYear) sitting(ue string, s catalog.Session) (rules.Sitting, bool) {
	var out rules.Sitting
	found := false
	si := sessionIndex(s)
	for _, r := range y.Results {
		if r.UE != ue || r.Session != si {
			continue
		}
		found = true
		if r.Activity == "" {
			v := r.value()
			out.UE = &v
			continue
		}
		if out.Activities == nil {
			out.Activities = map[string]rules.Result{}
		}
		out.Activities[r.Activity] = r.value()
	}
	return out, found
}

// sittings lists the sessions with a result for ue, in session order.
func (y *studentYear) sittings(ue string) []catalog.Session {
	var seen [len(sessions)]bool
	for _, r := range y.Results {
		if r.UE == ue {
			seen[r.Session] = true
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
	d := decision{ID: rec.ID.String(), Position: rec.Position, At: rec.RecordedAt,
		Outcome: e.Outcome, Mention: e.Mention, Motivation: e.Motivation}
	if t := rec.Aggregate.Tokens(); rec.Aggregate.Kind() == events.KindDeliberation && len(t) == 3 {
		d.Year, d.Session = in.of(t[1]), in.of(t[2])
	}
	for _, g := range e.Grants {
		if g.Granted {
			d.Granted = append(d.Granted, in.of(g.UE))
		}
	}
	if e.Supersedes != "" {
		s.supersede(e.Supersedes, d.ID)
	}
	s.Decisions = append(s.Decisions, d)
}

func (s *student) supersede(id, by string) {
	if s.Degree != nil && s.Degree.Decision == id {
		s.Degree = nil // conferred by a decision no longer in force
	}
	for i := range s.Decisions {
		if s.Decisions[i].ID == id {
			s.Decisions[i].Superseded = true
			if by != "" {
				s.Decisions[i].SupersededBy = by
			}
		}
	}
}

// granted reports the UEs whose credits a decision in force granted, with
// the session of that decision.
func (s *student) granted() map[string]decision {
	out := map[string]decision{}
	for _, d := range s.Decisions {
		if d.Superseded {
			continue
		}
		for _, ue := range d.Granted {
			out[ue] = d
		}
	}
	return out
}

// holds reports whether, before session of year, the credits of ue were
// acquired without a mark: by a jury grant in force taken at an earlier
// session, or a recognition for that year or before. Such a UE is never
// examined again.
func (s *student) holds(ue, year string, session catalog.Session) bool {
	if r, ok := s.isRecognised(ue); ok && r.Year <= year {
		return true
	}
	for _, d := range s.Decisions {
		earlier := d.Year < year || d.Year == year && catalog.Session(d.Session) < session
		if earlier && !d.Superseded && slices.Contains(d.Granted, ue) {
			return true
		}
	}
	return false
}

func (s *student) isRecognised(ue string) (recognition, bool) {
	for _, r := range s.Recognised {
		if r.UE == ue {
			return r, true
		}
	}
	return recognition{}, false
}

// intern shares the PAE's programme and UE codes with every other PAE.
func (p *PAE) intern(in interner) {
	p.Programme = in.of(p.Programme)
	for i, ue := range p.UEs {
		p.UEs[i] = in.of(ue)
	}
}
