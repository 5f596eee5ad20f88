package projections

import (
	"slices"
	"sync"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Cohort is the registry the write side checks commands against: the
// documents in force per year, the session calendar, every student with
// their admission and annual programmes, and what each sitting recorded.
// Grade sheets take their rosters from it and PAEs their acquired credits.
type Cohort struct {
	mu        sync.RWMutex
	documents map[string]Documents // by academic year
	sessions  map[string]map[catalog.Session]events.SessionScheduled
	students  map[string]*student
}

// Documents are the catalog and ruleset in force for a year.
type Documents struct {
	Catalog *catalog.Catalog
	Ruleset *rules.Ruleset
}

type student struct {
	reg        events.StudentRegistered
	admission  *events.StudentAdmitted
	pae        map[string]*PAE // by year
	recognised map[string]bool // UE -> recognised (valorisation)
	granted    map[string]bool // UE -> credits granted by a jury
	sittings   map[sittingKey]map[catalog.Session]*rules.Sitting
}

type sittingKey struct{ year, ue string }

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
		sessions:  map[string]map[catalog.Session]events.SessionScheduled{},
		students:  map[string]*student{},
	}
}

// Apply folds one record.
func (c *Cohort) Apply(rec events.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e := rec.Event.(type) {
	case events.CatalogPublished:
		d := c.documents[e.Year]
		if cat, err := catalog.FromJSON(e.Catalog); err == nil {
			d.Catalog = cat
		}
		c.documents[e.Year] = d
	case events.RulesetPublished:
		d := c.documents[e.Year]
		if rs, err := rules.FromJSON(e.Ruleset); err == nil {
			d.Ruleset = rs
		}
		c.documents[e.Year] = d
	case events.SessionScheduled:
		if c.sessions[e.Year] == nil {
			c.sessions[e.Year] = map[catalog.Session]events.SessionScheduled{}
		}
		c.sessions[e.Year][catalog.Session(e.Session)] = e
	case events.StudentRegistered:
		c.students[e.Matricule] = &student{reg: e, pae: map[string]*PAE{}, recognised: map[string]bool{},
			granted: map[string]bool{}, sittings: map[sittingKey]map[catalog.Session]*rules.Sitting{}}
	case events.StudentAdmitted:
		if s := c.studentOf(rec.Aggregate); s != nil {
			s.admission = &e
		}
	case events.PAEValidated:
		if s := c.studentOf(rec.Aggregate); s != nil {
			s.pae[e.Year] = PAEOf(e)
		}
	case events.PAEAmended:
		if s := c.studentOf(rec.Aggregate); s != nil && s.pae[e.Year] != nil {
			s.pae[e.Year].Amend(e)
		}
	case events.CreditsRecognised:
		if s := c.studentOf(rec.Aggregate); s != nil {
			s.recognised[e.UE] = true
		}
	case events.DecisionRecorded:
		if s := c.students[e.Student]; s != nil {
			for _, g := range e.Grants {
				if g.Granted {
					s.granted[g.UE] = true
				}
			}
		}
	case events.MarkRecorded:
		c.record(rec.Aggregate, e.Student, e.Activity, e.Entry)
	case events.MarkCorrected:
		c.record(rec.Aggregate, e.Student, e.Activity, e.Entry)
	case events.MarkCarriedOver:
		c.record(rec.Aggregate, e.Student, e.Activity, events.Entry{Mark: e.Mark})
	}
}

func (c *Cohort) studentOf(a events.AggregateID) *student {
	t := a.Tokens()
	if a.Kind() != events.KindStudent || len(t) != 1 {
		return nil
	}
	return c.students[t[0]]
}

// record sets (or, for an empty entry, clears) one result of a sitting.
func (c *Cohort) record(sheet events.AggregateID, matricule, activity string, e events.Entry) {
	year, session, ue, ok := SheetParts(sheet)
	s := c.students[matricule]
	if !ok || s == nil {
		return
	}
	k := sittingKey{year, ue}
	if s.sittings[k] == nil {
		s.sittings[k] = map[catalog.Session]*rules.Sitting{}
	}
	sit := s.sittings[k][session]
	if sit == nil {
		sit = &rules.Sitting{}
		s.sittings[k][session] = sit
	}
	r, err := ResultOf(e)
	switch {
	case err != nil:
		return
	case activity == "" && e.IsZero():
		sit.UE = nil
	case activity == "":
		sit.UE = &r
	case e.IsZero():
		delete(sit.Activities, activity)
	default:
		if sit.Activities == nil {
			sit.Activities = map[string]rules.Result{}
		}
		sit.Activities[activity] = r
	}
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
