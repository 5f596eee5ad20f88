package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
)

// The audit routes: verification of the stored log, a student's offline
// bundle and the refused attempts of a day.

func (a *api) verification(c *call) (reply, error) {
	student, _, err := param(c.r.URL.Query(), "student")
	if err != nil {
		return reply{}, err
	}
	rep, err := a.Handlers.Verification(c.r.Context(), c.id, student)
	if err != nil {
		return reply{}, err
	}
	return ok(rep), nil
}

func (a *api) bundle(c *call) (reply, error) {
	b, err := a.Handlers.Bundle(c.r.Context(), c.id, c.r.PathValue("matricule"))
	if err != nil {
		return reply{}, err
	}
	name := fmt.Sprintf("audit-%s-%s.zip", strings.ToUpper(strings.TrimSpace(c.r.PathValue("matricule"))), a.Now().In(brussels).Format("20060102-150405"))
	return reply{status: http.StatusOK, raw: b, contentType: "application/zip", filename: name}, nil
}

func (a *api) diff(c *call) (reply, error) {
	_, q, err := viewParams(c, false, formatJSON)
	if err != nil {
		return reply{}, err
	}
	query := c.r.URL.Query()
	var from, to eventlog.Until
	for _, b := range []struct {
		name string
		u    *eventlog.Until
	}{{"from", &from}, {"to", &to}} {
		if b.u.Position, err = position(query, b.name+"_position", true); err != nil {
			return reply{}, err
		}
		v, given, err := param(query, b.name)
		if err != nil {
			return reply{}, err
		}
		if given {
			if b.u.Instant, err = instant(b.name, v); err != nil {
				return reply{}, err
			}
		}
	}
	if from == (eventlog.Until{}) && to == (eventlog.Until{}) {
		return reply{}, &badRequest{"query parameters from, from_position, to, to_position: give at least one bound (from alone compares with now)"}
	}
	d, err := a.Handlers.Diff(c.r.Context(), c.id, c.r.PathValue("matricule"), from, to, q)
	return c.reflects(ok(d), d.Position, err)
}

func (a *api) refusals(c *call) (reply, error) {
	day, given, err := param(c.r.URL.Query(), "day")
	if err != nil {
		return reply{}, err
	}
	if !given {
		day = a.Now().In(brussels).Format(time.DateOnly)
	}
	list, err := a.Handlers.Refusals(c.r.Context(), c.id, day)
	if err != nil {
		return reply{}, err
	}
	return ok(Refusals{Day: day, Refusals: list}), nil
}

// Refusals is the answer of the refused attempts of a day.
type Refusals struct {
	Day      string                   `json:"day"`
	Refusals []handlers.RefusalRecord `json:"refusals"`
}
