package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/projections"
)

// ViewQuery says which state a view is read in.
type ViewQuery struct {
	// MinPosition: wait until the live views have applied this log
	// position (a write's answer), so a reader never sees a state older
	// than its own last write. Zero: read the live views as they are.
	MinPosition uint64
	// AsOf: rebuild the view from the log as it stood at this bound
	// instead of reading the live views (zero: the live views).
	AsOf eventlog.Until
	// AsJurySaw: rebuild the view as the jury saw it when it took a
	// decision (as of the record before it); it replaces AsOf.
	AsJurySaw *JuryMoment
	decision  string // the decision AsJurySaw resolved to
}

// JuryMoment names a jury decision about the student: by its id, or as
// the decision in force of one session's deliberation.
type JuryMoment struct {
	Decision      string
	Year, Session string
}

// resolve turns q.AsJurySaw into a bound on the log.
func (hs *Handlers) resolve(mat string, q *ViewQuery) error {
	m := q.AsJurySaw
	if m == nil {
		return nil
	}
	if m.Decision == "" && (m.Year == "" || m.Session == "") {
		return refuse(Invalid, "as_of_deliberation", m.Year+"/"+m.Session, "name the deliberation as YEAR/SESSION, for example 2025-2026/Q2")
	}
	d, err := hs.Cohort.DecisionBefore(mat, m.Decision, m.Year, catalog.Session(m.Session))
	if err != nil {
		return viewError(err)
	}
	q.AsOf, q.decision = eventlog.Until{Position: d.Position - 1}, d.ID
	return nil
}

// stamp marks a view read as the jury saw it with the decision.
func (q ViewQuery) stamp(b *projections.Basis) {
	if b.AsOf != nil {
		b.AsOf.Decision = q.decision
	}
}

// minPositionWait bounds how long a read waits for the views to reach
// its MinPosition.
const minPositionWait = 10 * time.Second

// Transcript returns a student's transcript for a year.
func (hs *Handlers) Transcript(ctx context.Context, id auth.Identity, mat, year string, q ViewQuery) (projections.Transcript, error) {
	mat = normMatricule(mat)
	if err := hs.viewable(ctx, id, mat, &q); err != nil {
		return projections.Transcript{}, err
	}
	if q.AsOf != (eventlog.Until{}) {
		t, err := hs.Cohort.TranscriptAsOf(ctx, hs.Log, mat, year, q.AsOf)
		q.stamp(&t.Basis)
		return t, viewError(err)
	}
	t, err := hs.Cohort.Transcript(mat, year)
	return t, viewError(err)
}

// Ledger returns a student's credit ledger.
func (hs *Handlers) Ledger(ctx context.Context, id auth.Identity, mat string, q ViewQuery) (projections.Ledger, error) {
	mat = normMatricule(mat)
	if err := hs.viewable(ctx, id, mat, &q); err != nil {
		return projections.Ledger{}, err
	}
	if q.AsOf != (eventlog.Until{}) {
		l, err := hs.Cohort.LedgerAsOf(ctx, hs.Log, mat, q.AsOf)
		q.stamp(&l.Basis)
		return l, viewError(err)
	}
	l, err := hs.Cohort.Ledger(mat)
	return l, viewError(err)
}

// Readiness returns a student's prerequisite readiness for next year.
func (hs *Handlers) Readiness(ctx context.Context, id auth.Identity, mat string, q ViewQuery) (projections.ReadinessView, error) {
	mat = normMatricule(mat)
	if err := hs.viewable(ctx, id, mat, &q); err != nil {
		return projections.ReadinessView{}, err
	}
	if q.AsOf != (eventlog.Until{}) {
		r, err := hs.Cohort.ReadinessAsOf(ctx, hs.Log, mat, q.AsOf)
		q.stamp(&r.Basis)
		return r, viewError(err)
	}
	r, err := hs.Cohort.Readiness(mat)
	return r, viewError(err)
}

// History returns the facts about a student that f selects, read from the
// log.
func (hs *Handlers) History(ctx context.Context, id auth.Identity, mat string, q ViewQuery, f projections.HistoryFilter) (projections.History, error) {
	mat = normMatricule(mat)
	if err := hs.viewable(ctx, id, mat, &q); err != nil {
		return projections.History{}, err
	}
	if err := hs.checkFilter(f); err != nil {
		return projections.History{}, err
	}
	h, err := hs.Cohort.History(ctx, hs.Log, mat, q.AsOf, f)
	q.stamp(&h.Basis)
	return h, viewError(err)
}

// Diff returns what changed in a student's record between two bounds,
// and the facts that changed it (staff only; the zero to is now).
func (hs *Handlers) Diff(ctx context.Context, id auth.Identity, mat string, from, to eventlog.Until, q ViewQuery) (projections.Diff, error) {
	mat = normMatricule(mat)
	if err := holds(id, access.CompareRecord); err != nil {
		return projections.Diff{}, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return projections.Diff{}, err
	}
	if err := hs.authorizeStudent(id, access.CompareRecord, mat); err != nil {
		return projections.Diff{}, err
	}
	d, err := hs.Cohort.Diff(ctx, hs.Log, mat, from, to)
	if be := (*projections.BoundsError)(nil); errors.As(err, &be) {
		return projections.Diff{}, refuse(Invalid, be.Field, be.Value, "%s", written(be.Rule, be.Why))
	}
	return d, viewError(err)
}

// checkFilter refuses a history filter naming an unknown year, UE or
// kind of fact.
func (hs *Handlers) checkFilter(f projections.HistoryFilter) error {
	var ps problems
	if f.Kind != "" && !slices.ContainsFunc(events.Types(), func(t string) bool {
		family, _, _ := strings.Cut(t, ".")
		return f.Kind == t || f.Kind == family
	}) {
		ps.add("kind", f.Kind, "not a kind of fact; give an event type (%s) or its family (the part before the dot)", strings.Join(events.Types(), ", "))
	}
	if f.Year != "" {
		d, ok := hs.Cohort.Documents(f.Year)
		if !ok {
			return refuse(NotFound, "year", f.Year, "no catalog and ruleset are published for this academic year")
		}
		if _, ok := d.Catalog.UE(f.UE); f.UE != "" && !ok {
			ps.add("ue", f.UE, "the %s catalog has no UE with this code", f.Year)
		}
	}
	return ps.err(Invalid)
}

// Dossier returns a student's deliberation dossier for one session. Only
// the jury, the secretariat and auditors read dossiers.
func (hs *Handlers) Dossier(ctx context.Context, id auth.Identity, mat, year, session string, q ViewQuery) (projections.Dossier, error) {
	mat = normMatricule(mat)
	if err := holds(id, access.ReadDeliberation); err != nil {
		return projections.Dossier{}, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return projections.Dossier{}, err
	}
	if _, err := hs.authorizeYear(ctx, id, access.ReadDeliberation, year, mat); err != nil {
		return projections.Dossier{}, err
	}
	if err := hs.resolve(mat, &q); err != nil {
		return projections.Dossier{}, err
	}
	if q.AsOf != (eventlog.Until{}) {
		d, err := hs.Cohort.DossierAsOf(ctx, hs.Log, mat, year, catalog.Session(session), q.AsOf)
		q.stamp(&d.Basis)
		return d, viewError(err)
	}
	d, err := hs.Cohort.Dossier(mat, year, catalog.Session(session))
	return d, viewError(err)
}

// SheetStatuses returns where every grade sheet of a session stands. A
// teacher sees the sheets of their own UEs.
func (hs *Handlers) SheetStatuses(ctx context.Context, id auth.Identity, year, session string, q ViewQuery) ([]projections.SheetStatus, error) {
	if err := holds(id, access.ReadSheet); err != nil {
		return nil, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return nil, err
	}
	all, err := hs.Cohort.SheetStatuses(year, catalog.Session(session))
	if err != nil {
		return nil, viewError(err)
	}
	docs, err := hs.documents(ctx, year)
	if err != nil {
		return nil, err
	}
	mine := []projections.SheetStatus{}
	t := hs.yearTarget(docs.Catalog.Programme.Code, year) // the year's jury, read once
	for _, s := range all {
		t.UEs = []string{s.UE}
		if authorize(id, access.ReadSheet, t) == nil {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

// viewable waits for the views to reach q.MinPosition, then refuses
// unless id may read mat's record (access.ReadRecord). A student sees their record as the log held it when
// the last results in force were published (publication embargo): q is
// bounded accordingly.
func (hs *Handlers) viewable(ctx context.Context, id auth.Identity, mat string, q *ViewQuery) error {
	if err := holds(id, access.ReadRecord); err != nil {
		return err
	}
	if err := hs.reach(ctx, *q); err != nil {
		return err
	}
	if err := hs.authorizeStudent(id, access.ReadRecord, mat); err != nil {
		return err
	}
	// Only a student reading their own record is held to the embargo.
	staff := id.Has(auth.Secretariat) || id.Has(auth.Jury) || id.Has(auth.Auditor)
	if err := hs.resolve(mat, q); err != nil {
		return err
	}
	if staff {
		return nil
	}
	bound, ok := hs.Cohort.PublishedBound(hs.now())
	if !ok {
		return refuse(NotFound, "results", mat, "no results are published yet; students see their record once the results of a session are published")
	}
	if q.AsOf.Position == 0 || q.AsOf.Position > bound {
		q.AsOf.Position = bound
	}
	return nil
}

// reach waits until the live views have applied q.MinPosition.
// Reach waits until the views reflect q.MinPosition (a reader's own last
// write), without catching up with the rest of the log: what a page that
// reads the views directly calls first.
func (hs *Handlers) Reach(ctx context.Context, q ViewQuery) error { return hs.reach(ctx, q) }

func (hs *Handlers) reach(ctx context.Context, q ViewQuery) error {
	if q.MinPosition == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, minPositionWait)
	defer cancel()
	if err := hs.Views.WaitFor(ctx, q.MinPosition); err != nil {
		return &Refusal{Reason: Unavailable, Problems: []Problem{problemf("min_position", fmt.Sprint(q.MinPosition),
			"the views have not reached this log position within %s: %v", minPositionWait, err)}}
	}
	return nil
}

// viewError turns a view's NotFoundError into a refusal naming what is
// unknown.
func viewError(err error) error {
	var nf *projections.NotFoundError
	if errors.As(err, &nf) {
		return refuse(NotFound, nf.Field, nf.Value, "%s", written(nf.Rule, nf.Why))
	}
	return err
}

// written is a rule another package wrote, as it wrote it (why, for its
// French) or, without that, as rule.
func written(rule string, why i18n.Text) any {
	if why.IsZero() {
		return rule
	}
	return why
}
