package httpapi

import (
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
)

func (a *api) sessions(c *call) (reply, error) {
	s, err := a.Handlers.Sessions(c.r.Context(), c.id, c.r.PathValue("year"))
	return ok(map[string]any{"sessions": s}), err
}

func (a *api) scheduleSession(c *call) (reply, error) {
	var in handlers.Schedule
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.ScheduleSession(c.r.Context(), c.id, c.key, c.r.PathValue("year"), catalog.Session(c.r.PathValue("session")), in)
	return ok(writtenOf(got)), err
}
