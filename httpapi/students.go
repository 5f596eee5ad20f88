package httpapi

import (
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
)

// Written is the answer to a command: where its records landed, for a
// reader to wait for, and whether it was a retry of one already written.
type Written struct {
	// ID is the ID of the first record written (an appeal's, for one).
	ID              string `json:"id,omitempty"`
	Position        uint64 `json:"position"`
	Version         uint64 `json:"version"`
	Records         int    `json:"records"`
	AlreadyRecorded bool   `json:"already_recorded,omitempty"`
}

func writtenOf(a eventlog.Appended) Written {
	w := Written{Records: len(a.Records), AlreadyRecorded: a.AlreadyRecorded}
	if n := len(a.Records); n > 0 {
		w.ID = a.Records[0].ID.String()
		w.Position, w.Version = a.Records[n-1].Position, a.Records[n-1].Version
	}
	return w
}

func (a *api) registerStudent(c *call) (reply, error) {
	var in handlers.Registration
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.RegisterStudent(c.r.Context(), c.id, c.key, in)
	return created(writtenOf(got)), err
}

// maxDirectory bounds a directory answer.
const maxDirectory = 500

func (a *api) students(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	query, _, err := param(c.r.URL.Query(), "q")
	if err != nil {
		return reply{}, err
	}
	list, err := a.Handlers.Students(c.r.Context(), c.id, query, maxDirectory, q)
	return ok(map[string]any{"students": list}), err
}

func (a *api) student(c *call) (reply, error) {
	s, err := a.Handlers.Student(c.r.Context(), c.id, c.r.PathValue("matricule"))
	return ok(s), err
}

func (a *api) admitStudent(c *call) (reply, error) {
	var in handlers.Admission
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.AdmitStudent(c.r.Context(), c.id, c.key, c.r.PathValue("matricule"), in)
	return ok(writtenOf(got)), err
}

func (a *api) validatePAE(c *call) (reply, error) {
	var in handlers.PAERequest
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.ValidatePAE(c.r.Context(), c.id, c.key, c.r.PathValue("matricule"), c.r.PathValue("year"), in)
	return created(writtenOf(got)), err
}

func (a *api) amendPAE(c *call) (reply, error) {
	var in handlers.Amendment
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.AmendPAE(c.r.Context(), c.id, c.key, c.r.PathValue("matricule"), c.r.PathValue("year"), in)
	return ok(writtenOf(got)), err
}

func (a *api) recogniseCredits(c *call) (reply, error) {
	var in handlers.Recognition
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.RecogniseCredits(c.r.Context(), c.id, c.key, c.r.PathValue("matricule"), in)
	return created(writtenOf(got)), err
}
