package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/minutespdf"
)

// The jury and its deliberations: constitution, opening, decisions,
// closing, publication, appeals, and the views of a session's
// deliberation (state, minutes, replay, what-if).

// deliberation is the path of one session's deliberation.
const deliberation = "/api/v1/deliberations/{programme}/{year}/{session}"

func deliberationRef(c *call) handlers.DeliberationRef {
	return handlers.DeliberationRef{Programme: c.r.PathValue("programme"), Year: c.r.PathValue("year"), Session: c.r.PathValue("session")}
}

func (a *api) constituteJury(c *call) (reply, error) {
	var in handlers.JuryInput
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.ConstituteJury(c.r.Context(), c.id, c.key, c.r.PathValue("programme"), c.r.PathValue("year"), in)
	return ok(writtenOf(got)), err
}

func (a *api) jury(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	j, err := a.Handlers.Jury(c.r.Context(), c.id, c.r.PathValue("programme"), c.r.PathValue("year"), q)
	return ok(j), err
}

func (a *api) openDeliberation(c *call) (reply, error) {
	var in handlers.Opening
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.OpenDeliberation(c.r.Context(), c.id, c.key, deliberationRef(c), in)
	return created(writtenOf(got)), err
}

func (a *api) recordDecision(c *call) (reply, error) {
	var in handlers.DecisionInput
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.RecordDecision(c.r.Context(), c.id, c.key, deliberationRef(c), in)
	return created(got), err
}

func (a *api) closeDeliberation(c *call) (reply, error) {
	got, err := a.Handlers.CloseDeliberation(c.r.Context(), c.id, c.key, deliberationRef(c))
	return ok(writtenOf(got)), err
}

// Publication is when a session's results are published: an RFC 3339
// instant or a day (its start in Europe/Brussels); empty takes the
// calendar's publication date.
type Publication struct {
	At string `json:"at,omitempty"`
}

func (a *api) publishResults(c *call) (reply, error) {
	var in Publication
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	var at time.Time
	if in.At != "" {
		var err error
		if at, err = publicationInstant(in.At); err != nil {
			return reply{}, err
		}
	}
	got, err := a.Handlers.PublishResults(c.r.Context(), c.id, c.key, deliberationRef(c), at)
	return ok(writtenOf(got)), err
}

func publicationInstant(v string) (time.Time, error) {
	if d, err := time.ParseInLocation(time.DateOnly, v, brussels); err == nil {
		return d, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, &badRequest{fmt.Sprintf("at %q: an RFC 3339 instant or a day such as 2026-07-03 (its start in Europe/Brussels)", v)}
}

func (a *api) fileAppeal(c *call) (reply, error) {
	var in handlers.AppealInput
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.FileAppeal(c.r.Context(), c.id, c.key, deliberationRef(c), in)
	return created(writtenOf(got)), err
}

func (a *api) decideAppeal(c *call) (reply, error) {
	var in handlers.AppealVerdict
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.DecideAppeal(c.r.Context(), c.id, c.key, deliberationRef(c), c.r.PathValue("appeal"), in)
	return ok(writtenOf(got)), err
}

func (a *api) deliberationView(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	v, err := a.Handlers.Deliberation(c.r.Context(), c.id, deliberationRef(c), q)
	return c.reflects(ok(v), v.Position, err)
}

func (a *api) minutes(c *call) (reply, error) {
	format, q, err := viewParams(c, false, formatJSON, formatPDF)
	if err != nil {
		return reply{}, err
	}
	m, err := a.Handlers.Minutes(c.r.Context(), c.id, deliberationRef(c), q)
	if err != nil {
		return reply{}, err
	}
	rep := ok(m)
	if format == formatPDF {
		var buf bytes.Buffer
		err = minutespdf.Write(&buf, m, minutespdf.Options{GeneratedAt: a.Now()})
		rep = reply{status: http.StatusOK, raw: buf.Bytes(), contentType: "application/pdf",
			filename: fmt.Sprintf("pv-%s-%s-%s.pdf", m.Programme, m.Year, m.Session)}
	}
	return c.reflects(rep, m.Position, err)
}

func (a *api) replay(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	r, err := a.Handlers.Replay(c.r.Context(), c.id, deliberationRef(c), q)
	return c.reflects(ok(r), r.Position, err)
}

func (a *api) whatIf(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	var in handlers.WhatIfInput
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	v, err := a.Handlers.WhatIf(c.r.Context(), c.id, deliberationRef(c), in, q)
	return c.reflects(ok(v), v.Position, err)
}
