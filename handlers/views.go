package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
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
		return r, viewError(err)
	}
	r, err := hs.Cohort.Readiness(mat)
	return r, viewError(err)
}

// History returns every fact about a student, read from the log.
func (hs *Handlers) History(ctx context.Context, id auth.Identity, mat string, q ViewQuery) (projections.History, error) {
	mat = normMatricule(mat)
	if err := hs.viewable(ctx, id, mat, &q); err != nil {
		return projections.History{}, err
	}
	h, err := hs.Cohort.History(ctx, hs.Log, mat, q.AsOf)
	return h, viewError(err)
}

// Dossier returns a student's deliberation dossier for one session. Only
// the jury, the secretariat and auditors read dossiers.
func (hs *Handlers) Dossier(ctx context.Context, id auth.Identity, mat, year, session string, q ViewQuery) (projections.Dossier, error) {
	mat = normMatricule(mat)
	if err := allow(id, "read deliberation dossiers", auth.Jury, auth.Secretariat, auth.Auditor); err != nil {
		return projections.Dossier{}, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return projections.Dossier{}, err
	}
	if q.AsOf != (eventlog.Until{}) {
		d, err := hs.Cohort.DossierAsOf(ctx, hs.Log, mat, year, catalog.Session(session), q.AsOf)
		return d, viewError(err)
	}
	d, err := hs.Cohort.Dossier(mat, year, catalog.Session(session))
	return d, viewError(err)
}

// SheetStatuses returns where every grade sheet of a session stands. A
// teacher sees the sheets of their own UEs.
func (hs *Handlers) SheetStatuses(ctx context.Context, id auth.Identity, year, session string, q ViewQuery) ([]projections.SheetStatus, error) {
	if err := allow(id, "read grade sheet statuses", auth.Teacher, auth.Secretariat, auth.Jury, auth.Auditor); err != nil {
		return nil, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return nil, err
	}
	all, err := hs.Cohort.SheetStatuses(year, catalog.Session(session))
	if err != nil {
		return nil, viewError(err)
	}
	if id.Has(auth.Secretariat) || id.Has(auth.Jury) || id.Has(auth.Auditor) {
		return all, nil
	}
	mine := []projections.SheetStatus{}
	for _, s := range all {
		if id.Teaches(s.UE) {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

// viewable refuses unless id may read mat's views (the student themself,
// the secretariat, the jury or an auditor), then waits for the views to
// reach q.MinPosition. A student sees their record as the log held it when
// the last results in force were published (publication embargo): q is
// bounded accordingly.
func (hs *Handlers) viewable(ctx context.Context, id auth.Identity, mat string, q *ViewQuery) error {
	staff := id.Has(auth.Secretariat) || id.Has(auth.Jury) || id.Has(auth.Auditor)
	if !(staff || id.Has(auth.Student) && strings.EqualFold(id.ID, mat)) {
		return refuse(Forbidden, "matricule", mat, "%s may not read the record of student %s; the secretariat, the jury, auditors and the student may", id.ID, mat)
	}
	if err := hs.reach(ctx, *q); err != nil {
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
func (hs *Handlers) reach(ctx context.Context, q ViewQuery) error {
	if q.MinPosition == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, minPositionWait)
	defer cancel()
	if err := hs.Views.WaitFor(ctx, q.MinPosition); err != nil {
		return &Refusal{Reason: Unavailable, Problems: []Problem{{Field: "min_position", Value: fmt.Sprint(q.MinPosition),
			Rule: fmt.Sprintf("the views have not reached this log position within %s: %v", minPositionWait, err)}}}
	}
	return nil
}

// viewError turns a view's NotFoundError into a refusal naming what is
// unknown.
func viewError(err error) error {
	var nf *projections.NotFoundError
	if errors.As(err, &nf) {
		return refuse(NotFound, nf.Field, nf.Value, "%s", nf.Rule)
	}
	return err
}
