package handlers

import (
	"context"
	"errors"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/auth"
)

// Audit: verification of the stored log and offline bundles, for auditors
// and the secretariat. Both read the log's stored bytes, not the views.

// Verification recomputes the hash chains of the whole log, or of one
// student's scope (student not empty), and checks the store is
// append-only. A whole log found intact comes with the heads to publish.
func (hs *Handlers) Verification(ctx context.Context, id auth.Identity, student string) (audit.LogReport, error) {
	if err := authorize(id, access.VerifyLog, access.Target{}); err != nil {
		return audit.LogReport{}, err
	}
	student = normMatricule(student)
	rep, err := audit.VerifyLog(ctx, hs.Log, student, hs.now())
	if errors.Is(err, audit.ErrNoStudent) {
		return audit.LogReport{}, refuse(NotFound, "student", student, "no student is registered with this matricule")
	}
	return rep, err
}

// Bundle exports the audit bundle of a student: the chains of every
// aggregate that may hold a fact about them, whole, and the report of
// their history, for verification offline (gradelog verify --bundle).
func (hs *Handlers) Bundle(ctx context.Context, id auth.Identity, mat string) ([]byte, error) {
	mat = normMatricule(mat)
	if err := hs.authorizeStudent(id, access.ExportBundle, mat); err != nil {
		return nil, err
	}
	b, err := audit.Export(ctx, hs.Log, mat, audit.ExportOptions{By: id.ID, At: hs.now()})
	if errors.Is(err, audit.ErrNoStudent) {
		return nil, refuse(NotFound, "matricule", mat, "no student is registered with this matricule")
	}
	return b, err
}
