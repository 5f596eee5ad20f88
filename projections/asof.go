package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Source reads records back from the log by position (eventlog.Log does).
type Source interface {
	ReadAt(ctx context.Context, positions []uint64) ([]events.Record, error)
}

// AsOf rebuilds, from the log, a cohort holding what one student's views
// need as they stood at a past moment: the documents (catalogs, rulesets,
// calendars) and the student's own records, at or before the bound. The
// live cohort only says where those records are (its index); their
// content is read from the log and folded afresh, so a view as of a
// moment never depends on the live view's state.
//
// The student must be known to the live cohort (NotFoundError otherwise).
// When the bound is before the student's registration the result holds
// no such student, and the As* views say so.
func (c *Cohort) AsOf(ctx context.Context, src Source, matricule string, until eventlog.Until) (*Cohort, AsOf, error) {
	out, at, _, err := c.asOf(ctx, src, matricule, until)
	return out, at, err
}

// asOf is AsOf that also returns the records it folded, for a caller that
// needs them again (a diff's history).
func (c *Cohort) asOf(ctx context.Context, src Source, matricule string, until eventlog.Until) (*Cohort, AsOf, []events.Record, error) {
	c.mu.RLock()
	s := c.students[matricule]
	var positions []uint64
	if s != nil {
		positions = merge(bounded(c.docPositions, until), bounded(s.Positions, until))
	}
	c.mu.RUnlock()
	if s == nil {
		return nil, AsOf{}, nil, notFound("student", matricule, "no student is registered with this matricule")
	}
	recs, err := src.ReadAt(ctx, positions)
	if err != nil {
		return nil, AsOf{}, nil, fmt.Errorf("reconstruct %s: %w", matricule, err)
	}
	out := NewCohort()
	at := AsOf{Position: until.Position, Instant: until.Instant}
	kept := recs[:0]
	for _, r := range recs {
		if !until.Admits(r.Position, r.RecordedAt) {
			continue
		}
		kept = append(kept, r)
		if err := concerns(r, matricule); err != nil {
			return nil, AsOf{}, nil, err
		}
		if r.Aggregate.Kind() != events.KindCatalog && r.Aggregate.Kind() != events.KindCalendar {
			at.Records++
		}
		out.Apply(r)
	}
	return out, at, kept, nil
}

// DecisionBefore finds the jury decision about matricule that a view "as
// the jury saw it" stops before: the decision of that id, or, with id
// empty, the decision in force taken at the deliberation of year and
// session. Its Position less one is the bound.
func (c *Cohort) DecisionBefore(matricule, id, year string, session catalog.Session) (Decision, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return Decision{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	for _, d := range s.Decisions {
		if id != "" && d.ID == id || id == "" && !d.Superseded && d.Year == year && catalog.Session(d.Session) == session {
			return d.view(), nil
		}
	}
	if id != "" {
		return Decision{}, notFound("decision", id, "no jury decision about student %s has this id", matricule)
	}
	return Decision{}, notFound("deliberation", year+"/"+string(session), "student %s has no decision in force from this session's deliberation", matricule)
}

// bounded returns the positions at or before until.Position.
func bounded(positions []uint64, until eventlog.Until) []uint64 {
	if until.Position == 0 {
		return positions
	}
	i, _ := slices.BinarySearch(positions, until.Position+1)
	return positions[:i]
}

// merge returns the sorted union of two sorted lists, in a new slice.
func merge(a, b []uint64) []uint64 {
	out := make([]uint64, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// concerns checks that a record read for a reconstruction is a document or
// a fact about matricule: an index pointing elsewhere is a bug to report,
// never a silently different view.
func concerns(r events.Record, matricule string) error {
	switch r.Aggregate.Kind() {
	case events.KindCatalog, events.KindCalendar:
		return nil
	case events.KindStudent:
		if r.Aggregate == events.StudentOf(matricule) {
			return nil
		}
	default:
		if events.AboutStudent(r.Event) == matricule {
			return nil
		}
	}
	return fmt.Errorf("reconstruct %s: the record at position %d (%s on %s) is not about this student",
		matricule, r.Position, r.Type, r.Aggregate)
}

// boundText describes a bound for an empty view.
func boundText(at AsOf) string {
	switch {
	case at.Position != 0 && !at.Instant.IsZero():
		return fmt.Sprintf("position %d and %s", at.Position, at.Instant.Format(time.RFC3339))
	case at.Position != 0:
		return fmt.Sprintf("position %d", at.Position)
	}
	return at.Instant.Format(time.RFC3339)
}

// TranscriptAsOf is Transcript rebuilt from the log as of until.
func (c *Cohort) TranscriptAsOf(ctx context.Context, src Source, matricule, year string, until eventlog.Until) (Transcript, error) {
	return viewAsOf(ctx, c, src, matricule, year, until, func(p *Cohort) (Transcript, error) { return p.Transcript(matricule, year) },
		func(v *Transcript) *Basis { return &v.Basis },
		Transcript{Student: Identity{Matricule: matricule}, Year: year, UEs: []TranscriptUE{}})
}

// LedgerAsOf is Ledger rebuilt from the log as of until.
func (c *Cohort) LedgerAsOf(ctx context.Context, src Source, matricule string, until eventlog.Until) (Ledger, error) {
	return viewAsOf(ctx, c, src, matricule, "", until, func(p *Cohort) (Ledger, error) { return p.Ledger(matricule) },
		func(v *Ledger) *Basis { return &v.Basis },
		Ledger{Student: Identity{Matricule: matricule}, Blocs: []Credits{}, Complements: []LedgerUE{}, Funding: []FundingCounter{}, UEs: []LedgerUE{}})
}

// ReadinessAsOf is Readiness rebuilt from the log as of until.
func (c *Cohort) ReadinessAsOf(ctx context.Context, src Source, matricule string, until eventlog.Until) (ReadinessView, error) {
	return viewAsOf(ctx, c, src, matricule, "", until, func(p *Cohort) (ReadinessView, error) { return p.Readiness(matricule) },
		func(v *ReadinessView) *Basis { return &v.Basis },
		ReadinessView{Student: Identity{Matricule: matricule}, UEs: []rules.Readiness{}})
}

// DossierAsOf is Dossier rebuilt from the log as of until: the dossier a
// jury saw at that moment.
func (c *Cohort) DossierAsOf(ctx context.Context, src Source, matricule, year string, session catalog.Session, until eventlog.Until) (Dossier, error) {
	return viewAsOf(ctx, c, src, matricule, year, until, func(p *Cohort) (Dossier, error) { return p.Dossier(matricule, year, session) },
		func(v *Dossier) *Basis { return &v.Basis },
		Dossier{Student: Identity{Matricule: matricule}, Year: year, Session: string(session), UEs: []TranscriptUE{}, Decisions: []Decision{}})
}

// viewAsOf reconstructs the cohort of matricule as of until and reads one
// view from it. An unknown student or year is a NotFoundError, as live; a
// bound before the student's registration, or before the year's documents
// were published, gives the empty view, saying so.
func viewAsOf[V any](ctx context.Context, c *Cohort, src Source, matricule, year string, until eventlog.Until,
	view func(*Cohort) (V, error), basis func(*V) *Basis, empty V) (V, error) {
	var zero V
	if year != "" && !c.knowsYear(year) {
		return zero, notFound("year", year, "no catalog and ruleset are published for this academic year")
	}
	past, at, err := c.AsOf(ctx, src, matricule, until)
	if err != nil {
		return zero, err
	}
	emptyView := func(why string) (V, error) {
		b := basis(&empty)
		b.Position, b.AsOf, b.Empty = past.Position(), &at, why
		return empty, nil
	}
	if _, ok := past.Registration(matricule); !ok {
		return emptyView(fmt.Sprintf("student %s was not registered yet as of %s", matricule, boundText(at)))
	}
	v, err := view(past)
	var nf *NotFoundError
	if errors.As(err, &nf) && nf.Field == "year" {
		return emptyView(fmt.Sprintf("no catalog and ruleset were published for %s yet as of %s", year, boundText(at)))
	}
	if err != nil {
		return zero, err
	}
	basis(&v).AsOf = &at
	return v, nil
}

func (c *Cohort) knowsYear(year string) bool {
	_, ok := c.Documents(year)
	return ok
}
