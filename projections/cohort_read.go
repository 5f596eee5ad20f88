package projections

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Documents returns the catalog and ruleset in force for year.
func (c *Cohort) Documents(year string) (Documents, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := c.documents[year]
	return d, d.Catalog != nil && d.Ruleset != nil
}

// Session returns the calendar of one session of a year, as last scheduled.
func (c *Cohort) Session(year string, s catalog.Session) (events.SessionScheduled, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.sessions[year][s]
	return e, ok
}

// Sessions returns the scheduled sessions of a year in order.
func (c *Cohort) Sessions(year string) []events.SessionScheduled {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := slices.Collect(maps.Values(c.sessions[year]))
	slices.SortFunc(out, func(a, b events.SessionScheduled) int { return strings.Compare(a.Session, b.Session) })
	return out
}

// Student is what the registry knows of one student.
type Student struct {
	events.StudentRegistered
	Admission *events.StudentAdmitted
	PAEs      map[string]PAE // by year
}

// Registration returns how matricule was registered, without copying the
// rest of the record (what a sheet row or an import row needs).
func (c *Cohort) Registration(matricule string) (events.StudentRegistered, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return events.StudentRegistered{}, false
	}
	return s.Reg, true
}

// Student returns the registration, admission and PAEs of matricule.
func (c *Cohort) Student(matricule string) (Student, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return Student{}, false
	}
	return s.view(), true
}

func (s *student) view() Student {
	out := Student{StudentRegistered: s.Reg, Admission: s.Admission, PAEs: map[string]PAE{}}
	for _, y := range s.Years {
		if p := y.PAE; p != nil {
			out.PAEs[y.Year] = PAE{Programme: p.Programme, UEs: slices.Clone(p.UEs), Waivers: slices.Clone(p.Waivers)}
		}
	}
	return out
}

// Standing is what a PAE is validated against: the UEs a student has
// acquired (by mark, code, recognition or jury grant) and followed, in
// years before `before`.
type Standing struct {
	Acquired map[string]bool
	Followed map[string]bool
}

// Standing returns matricule's standing before the academic year `before`
// ("" for every year).
func (c *Cohort) Standing(matricule, before string) Standing {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st := Standing{Acquired: map[string]bool{}, Followed: map[string]bool{}}
	if s := c.students[matricule]; s != nil {
		c.standing(s, before, st)
	}
	return st
}

func (c *Cohort) standing(s *student, before string, st Standing) {
	for _, r := range s.Recognised {
		st.Acquired[r.UE] = true
	}
	for ue := range s.granted() {
		st.Acquired[ue] = true
	}
	for _, y := range s.Years {
		if before != "" && y.Year >= before {
			continue
		}
		if y.PAE != nil {
			for _, ue := range y.PAE.UEs {
				st.Followed[ue] = true
			}
		}
		d, ok := c.documents[y.Year]
		if !ok || d.Catalog == nil || d.Ruleset == nil {
			continue
		}
		for _, r := range y.Results {
			if st.Acquired[r.UE] {
				continue
			}
			u, found := d.Catalog.UE(r.UE)
			if !found {
				continue
			}
			sit, _ := y.sitting(r.UE, sessions[r.Session])
			if m, err := d.Ruleset.UEMark(u, sit); err == nil && acquires(d.Ruleset, m) {
				st.Acquired[r.UE] = true
			}
		}
	}
}

// acquires reports whether a UE mark acquires the credits by itself.
func acquires(rs *rules.Ruleset, m rules.UEMark) bool {
	return m.Acquired || m.Computed && m.Mark >= rs.Scale.Pass
}

// Due is a student who must be evaluated on a grade sheet.
type Due struct {
	events.StudentRegistered
	// Carry says what of the UE carries from earlier sessions of the year
	// (Whole when nothing does).
	Carry rules.Carry
	// Presented lists the earlier sessions of the year with a result.
	Presented []catalog.Session
}

// Due reports whether matricule must be evaluated on the sheet of ue in
// session of year: the UE is in their PAE and may be evaluated in that
// session, and they have neither acquired it at an earlier session of the
// year nor used every presentation the ruleset allows.
func (c *Cohort) Due(year string, session catalog.Session, ue, matricule string) (Due, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.documents[year]
	if !ok || d.Catalog == nil || d.Ruleset == nil {
		return Due{}, false
	}
	u, ok := d.Catalog.UE(ue)
	if !ok {
		return Due{}, false
	}
	return c.due(d, u, year, session, c.students[matricule])
}

// Roster returns every student due on a sheet, by name.
func (c *Cohort) Roster(year string, session catalog.Session, ue string) []Due {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.documents[year]
	if !ok || d.Catalog == nil || d.Ruleset == nil {
		return nil
	}
	u, ok := d.Catalog.UE(ue)
	if !ok {
		return nil
	}
	var out []Due
	for _, s := range c.students {
		if due, ok := c.due(d, u, year, session, s); ok {
			out = append(out, due)
		}
	}
	slices.SortFunc(out, func(a, b Due) int {
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName),
			strings.Compare(a.Matricule, b.Matricule))
	})
	return out
}

func (c *Cohort) due(d Documents, u catalog.UE, year string, session catalog.Session, s *student) (Due, bool) {
	if s == nil || !u.HasSession(session) {
		return Due{}, false
	}
	y := s.year(year)
	if y == nil || !y.PAE.Has(u.Code) || s.holds(u.Code, year, session) {
		return Due{}, false
	}
	out := Due{StudentRegistered: s.Reg}
	var history []rules.Sitting
	for _, earlier := range y.sittings(u.Code) {
		sit, _ := y.sitting(u.Code, earlier)
		if earlier >= session || sit.UE == nil && len(sit.Activities) == 0 {
			continue
		}
		history = append(history, sit)
		out.Presented = append(out.Presented, earlier)
	}
	if len(out.Presented) >= d.Ruleset.Scale.MaxPresentations {
		return Due{}, false
	}
	out.Carry = d.Ruleset.Carried(u, history)
	if !out.Carry.Whole && out.Carry.Marks == nil && out.Carry.Resit == nil {
		return Due{}, false // acquired at an earlier session
	}
	return out, true
}

// StudentByEmail returns the matricule of the student with email, case
// ignored (strings.EqualFold); of several, the smallest matricule.
func (c *Cohort) StudentByEmail(email string) (string, bool) {
	k := emailKey(email)
	c.mu.RLock()
	defer c.mu.RUnlock()
	m, ok := c.emails[k]
	return m, ok
}

// Years lists the academic years whose documents are published, oldest
// first.
func (c *Cohort) Years() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.documents))
	for y := range c.documents {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// Entry is one line of the student directory.
type Entry struct {
	events.StudentRegistered
	Admitted bool     `json:"admitted"`
	Years    []string `json:"years"` // the years with a PAE
}

// Directory lists the registered students whose matricule, names or email
// contain every word of query (case and accents ignored; "" matches all),
// sorted by last name, first name and matricule, at most limit (0: all).
func (c *Cohort) Directory(query string, limit int) []Entry {
	words := strings.Fields(fold(query))
	// Each entry's names are folded once, not in every comparison.
	type sorted struct {
		Entry
		last, first string
	}
	c.mu.RLock()
	found := []sorted{}
	for _, s := range c.students {
		text := fold(s.Reg.Matricule + " " + s.Reg.FirstName + " " + s.Reg.LastName + " " + s.Reg.Email)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
			e := Entry{StudentRegistered: s.Reg, Admitted: s.Admission != nil, Years: []string{}}
			for _, y := range s.Years {
				if y.PAE != nil {
					e.Years = append(e.Years, y.Year)
				}
			}
			found = append(found, sorted{e, fold(s.Reg.LastName), fold(s.Reg.FirstName)})
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(found, func(a, b sorted) int {
		return cmp.Or(strings.Compare(a.last, b.last), strings.Compare(a.first, b.first), strings.Compare(a.Matricule, b.Matricule))
	})
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	out := make([]Entry, len(found))
	for i, f := range found {
		out[i] = f.Entry
	}
	return out
}

// fold lowercases s and strips its accents (NFD, marks removed), for
// searches.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s) // NFD, NFC and removing marks change no ASCII
	}
	t := folders.Get().(transform.Transformer)
	defer folders.Put(t)
	out, _, err := transform.String(t, s) // resets t first
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// folders recycle fold's transformers, whose building and buffers cost
// more than folding a name; one is used by one goroutine at a time.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}
