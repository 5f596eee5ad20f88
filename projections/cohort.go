package projections

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Cohort is the fold every student view is read from, and the registry the
// write side checks commands against: the documents in force per year, the
// session calendar, every student's path (registration, admission, annual
// programmes, recognitions, results of every sitting, jury decisions,
// degree), the state of every grade sheet, and the index of the log
// positions that concern each student (their history).
//
// Apply is a pure fold: no I/O, no clock; the same records give the same
// Cohort. Reads compute the views (transcript, credit ledger, readiness,
// grade sheet status, deliberation dossier) from it under a read lock.
type Cohort struct {
	mu        sync.RWMutex
	position  uint64
	hash      string               // of the record at position
	documents map[string]Documents // by academic year
	raw       map[string]rawDocuments
	sessions  map[string]map[catalog.Session]events.SessionScheduled
	students  map[string]*student
	// emails indexes students by email (emailKey) for StudentByEmail. It
	// is derived from students, so a snapshot does not store it: Restore
	// builds it again. Several students with one email (which the write
	// side refuses) give the smallest matricule.
	emails map[string]string
	sheets map[events.AggregateID]*sheetState
	// juries and deliberations are keyed by their aggregates.
	juries        map[events.AggregateID]*jury
	deliberations map[events.AggregateID]*deliberation
	// docPositions are the records of catalogs, rulesets and calendars: what
	// a reconstruction reads besides the student's own records.
	docPositions []uint64
	strings      interner
	// deliberationViews are the last deliberation views computed.
	deliberationViews deliberationCache
}

// Documents are the catalog and ruleset in force for a year.
type Documents struct {
	Catalog *catalog.Catalog
	Ruleset *rules.Ruleset
}

// PAE is a student's annual programme as validated, then amended.
type PAE struct {
	Programme string          `json:"programme"`
	UEs       []string        `json:"ues"`
	Waivers   []events.Waiver `json:"waivers,omitempty"`
}

// PAEOf is the PAE a validation sets.
func PAEOf(e events.PAEValidated) *PAE {
	return &PAE{Programme: e.Programme, UEs: slices.Clone(e.UEs), Waivers: slices.Clone(e.Waivers)}
}

// Amend applies an amendment, in a new slice: a PAE handed out earlier
// keeps its UEs.
func (p *PAE) Amend(e events.PAEAmended) {
	ues := slices.DeleteFunc(slices.Clone(p.UEs), func(ue string) bool { return slices.Contains(e.Removed, ue) })
	p.UEs = append(ues, e.Added...)
}

// Has reports whether the PAE holds ue.
func (p *PAE) Has(ue string) bool { return p != nil && slices.Contains(p.UEs, ue) }

// NewCohort returns an empty registry.
func NewCohort() *Cohort {
	return &Cohort{
		documents: map[string]Documents{},
		raw:       map[string]rawDocuments{},
		sessions:  map[string]map[catalog.Session]events.SessionScheduled{},
		students:  map[string]*student{},
		emails:    map[string]string{},
		sheets:    map[events.AggregateID]*sheetState{},
		strings:   newInterner(),

		juries:        map[events.AggregateID]*jury{},
		deliberations: map[events.AggregateID]*deliberation{},
	}
}

// Position is the position of the last record applied.
func (c *Cohort) Position() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.position
}

// Apply folds one record.
func (c *Cohort) Apply(rec events.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.position, c.hash = rec.Position, rec.Hash
	switch e := rec.Event.(type) {
	case events.CatalogPublished:
		raw := c.raw[e.Year]
		raw.Catalog = e.Catalog
		c.setDocuments(e.Year, raw)
		c.docPositions = append(c.docPositions, rec.Position)
	case events.RulesetPublished:
		raw := c.raw[e.Year]
		raw.Ruleset = e.Ruleset
		c.setDocuments(e.Year, raw)
		c.docPositions = append(c.docPositions, rec.Position)
	case events.SessionScheduled:
		if c.sessions[e.Year] == nil {
			c.sessions[e.Year] = map[catalog.Session]events.SessionScheduled{}
		}
		c.sessions[e.Year][catalog.Session(e.Session)] = e
		c.docPositions = append(c.docPositions, rec.Position)
	case events.StudentRegistered:
		if old := c.students[e.Matricule]; old != nil {
			c.unindexEmail(old.Reg)
		}
		c.students[e.Matricule] = &student{Reg: e}
		c.indexEmail(e.Matricule, e.Email)
	case events.SheetSubmitted, events.SheetReopened:
		c.sheet(rec.Aggregate).apply(rec)
		return
	case events.JuryConstituted, events.DeliberationOpened, events.DeliberationClosed, events.ResultsPublished:
		c.applyDeliberation(rec)
		return
	case events.DecisionRecorded, events.AppealFiled, events.AppealDecided:
		c.applyDeliberation(rec)
	}
	c.applyToStudent(rec)
}

// applyToStudent folds the records that concern one student, and indexes
// them in the student's history.
func (c *Cohort) applyToStudent(rec events.Record) {
	var s *student
	switch e := rec.Event.(type) {
	case events.DegreeConferred:
		if s = c.students[e.Student]; s == nil {
			s = c.studentOf(rec.Aggregate)
		}
		if s != nil {
			s.applyPath(rec, c.strings)
		}
	case events.StudentRegistered, events.StudentAdmitted, events.PAEValidated, events.PAEAmended,
		events.CreditsRecognised:
		s = c.studentOf(rec.Aggregate)
		if s != nil {
			s.applyPath(rec, c.strings)
		}
	case events.MarkRecorded:
		s = c.result(rec, e.Student, e.Activity, e.Entry, "")
	case events.MarkCorrected:
		s = c.result(rec, e.Student, e.Activity, e.Entry, "")
	case events.MarkCarriedOver:
		s = c.result(rec, e.Student, e.Activity, events.Entry{Mark: e.Mark}, catalog.Session(e.FromSession))
	case events.DecisionRecorded:
		if s = c.students[e.Student]; s != nil {
			s.decide(rec, e, c.strings)
		}
	case events.DecisionSuperseded:
		if s = c.students[e.Student]; s != nil {
			s.supersede(e.Decision, "")
		}
	default: // deadlines extended, appeals: indexed only
		if m := events.AboutStudent(rec.Event); m != "" {
			s = c.students[m]
		}
	}
	if s != nil {
		s.Positions = append(s.Positions, rec.Position)
	}
}

// indexEmail indexes the student matricule under email. c.mu is held.
func (c *Cohort) indexEmail(matricule, email string) {
	k := emailKey(email)
	if m, ok := c.emails[k]; !ok || matricule < m {
		c.emails[k] = matricule
	}
}

// unindexEmail removes a registration from the email index, before the
// matricule is registered again (which the write side refuses): another
// student with the same email, if any, takes the key. c.mu is held.
func (c *Cohort) unindexEmail(reg events.StudentRegistered) {
	k := emailKey(reg.Email)
	if c.emails[k] != reg.Matricule {
		return
	}
	delete(c.emails, k)
	for m, s := range c.students {
		if m != reg.Matricule && emailKey(s.Reg.Email) == k {
			c.indexEmail(m, s.Reg.Email)
		}
	}
}

// emailKey is what the email index is keyed by: two addresses that
// strings.EqualFold calls equal have the same key, and no others. Each
// rune stands for its case-folding orbit (unicode.SimpleFold), by the
// smallest rune of it, lower-cased when that is ASCII: an address in
// ASCII lower case (as registrations store them) is its own key.
func emailKey(email string) string {
	for i := 0; i < len(email); i++ {
		if email[i] >= utf8.RuneSelf {
			b := make([]byte, 0, len(email))
			for _, r := range email {
				m := r
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					m = min(m, f)
				}
				if m < utf8.RuneSelf {
					m = unicode.ToLower(m)
				}
				b = utf8.AppendRune(b, m)
			}
			return string(b)
		}
	}
	return strings.ToLower(email)
}

// rawDocuments are a year's catalog and ruleset as published: what a
// snapshot keeps of them.
type rawDocuments struct {
	Catalog json.RawMessage `json:"catalog,omitempty"`
	Ruleset json.RawMessage `json:"ruleset,omitempty"`
}

// setDocuments parses a year's documents. The write side refuses a
// document that does not parse, so one never reaches the log; if one did,
// the year would simply have no documents in force.
func (c *Cohort) setDocuments(year string, raw rawDocuments) {
	c.raw[year] = raw
	var d Documents
	if raw.Catalog != nil {
		d.Catalog = parsedCatalogs.get(raw.Catalog, catalog.FromJSON)
	}
	if raw.Ruleset != nil {
		d.Ruleset = parsedRulesets.get(raw.Ruleset, rules.FromJSON)
	}
	c.documents[year] = d
}

// Parsed documents are shared by every cohort of the process: a
// reconstruction as of a past moment (a fresh cohort per view) then costs
// its student's records, not a parse of the catalog and ruleset. Documents
// are never changed once parsed.
var (
	parsedCatalogs = &parsed[catalog.Catalog]{}
	parsedRulesets = &parsed[rules.Ruleset]{}
)

// parsed caches documents by their published bytes; a few versions per
// year are ever published, so it is cleared past maxParsed.
type parsed[T any] struct {
	mu sync.Mutex
	by map[string]*T
}

const maxParsed = 64

func (p *parsed[T]) get(raw []byte, parse func([]byte) (*T, error)) *T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.by[string(raw)]; ok {
		return v
	}
	v, err := parse(raw)
	if err != nil {
		return nil // the write side refuses such a document; see setDocuments
	}
	if p.by == nil || len(p.by) >= maxParsed {
		p.by = map[string]*T{}
	}
	p.by[string(raw)] = v
	return v
}

func (c *Cohort) studentOf(a events.AggregateID) *student {
	t := a.Tokens()
	if a.Kind() != events.KindStudent || len(t) != 1 {
		return nil
	}
	return c.students[t[0]]
}

// result sets (or, for an empty entry, clears) one result of a sitting and
// counts the entry on its sheet.
func (c *Cohort) result(rec events.Record, matricule, activity string, e events.Entry, from catalog.Session) *student {
	year, session, ue, ok := SheetParts(rec.Aggregate)
	s := c.students[matricule]
	if !ok || s == nil {
		return nil
	}
	c.sheet(rec.Aggregate).count(rec.Actor.ID, c.strings)
	r, err := ResultOf(e)
	if err != nil {
		return s
	}
	_, corrected := rec.Event.(events.MarkCorrected)
	s.yearOf(year, c.strings).set(result{
		slot: c.strings.slot(slot{ue, activity, sessionIndex(session)}),
		Code: rules.Code(c.strings.of(string(r.Code))), Mark: r.Mark, From: sessionIndex(from), Corrected: corrected,
	}, e.IsZero())
	return s
}

func (c *Cohort) sheet(a events.AggregateID) *sheetState {
	st := c.sheets[a]
	if st == nil {
		st = &sheetState{}
		c.sheets[a] = st
	}
	return st
}

// SheetParts splits a sheet aggregate into its year, session and UE.
func SheetParts(a events.AggregateID) (year string, session catalog.Session, ue string, ok bool) {
	t := a.Tokens()
	if a.Kind() != events.KindSheet || len(t) != 3 {
		return "", "", "", false
	}
	return t[0], catalog.Session(t[1]), t[2], true
}

// ResultOf reads a recorded entry as a rules.Result.
func ResultOf(e events.Entry) (rules.Result, error) {
	if e.Code != "" {
		return rules.Result{Code: rules.Code(e.Code)}, nil
	}
	if e.Mark == "" {
		return rules.Result{}, nil
	}
	return rules.ParseResult(e.Mark)
}

// interner keeps one copy of the strings every student repeats (UE codes,
// activity titles, codes, years) and of the slots their results are for,
// so a student's record costs its references, not copies.
type interner struct {
	strings map[string]string
	slots   map[slot]*slot
}

func newInterner() interner {
	return interner{strings: map[string]string{}, slots: map[slot]*slot{}}
}

func (in interner) of(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.strings[s]; ok {
		return v
	}
	in.strings[s] = s
	return s
}

func (in interner) slot(s slot) *slot {
	if p, ok := in.slots[s]; ok {
		return p
	}
	s.UE, s.Activity = in.of(s.UE), in.of(s.Activity)
	p := &s
	in.slots[s] = p
	return p
}
