package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Schedule is the calendar of one session. A zero schedule takes the dates
// the ruleset publishes for the session.
type Schedule struct {
	ExamsFrom        rules.Date `json:"exams_from"`
	ExamsTo          rules.Date `json:"exams_to"`
	EncodingDeadline rules.Date `json:"encoding_deadline"`
	Deliberation     rules.Date `json:"deliberation"`
	Publication      rules.Date `json:"publication"`
}

// ScheduleSession schedules (or reschedules) a session of a year
// (secretariat). Marks are accepted until the end of the encoding deadline
// day, Europe/Brussels time.
func (hs *Handlers) ScheduleSession(ctx context.Context, id auth.Identity, key, year string, session catalog.Session, in Schedule) (eventlog.Appended, error) {
	docs, err := hs.authorizeYear(ctx, id, access.ScheduleSession, year, "")
	if err != nil {
		return eventlog.Appended{}, err
	}
	if err := validSession(session); err != nil {
		return eventlog.Appended{}, err
	}
	if in == (Schedule{}) {
		d, ok := docs.Ruleset.Session(session)
		if !ok {
			return eventlog.Appended{}, refuse(Invalid, "session", string(session), "the %s ruleset publishes no dates for it; give them", year)
		}
		in = Schedule{d.ExamsFrom, d.ExamsTo, d.EncodingDeadline, d.Deliberation, d.Publication}
	}
	var ps problems
	order := []struct {
		field string
		d     rules.Date
	}{{"exams_from", in.ExamsFrom}, {"exams_to", in.ExamsTo}, {"encoding_deadline", in.EncodingDeadline},
		{"deliberation", in.Deliberation}, {"publication", in.Publication}}
	for i, o := range order {
		switch {
		case o.d.IsZero():
			ps.add(o.field, "", "the date is required")
		case i > 0 && !order[i-1].d.IsZero() && o.d.Before(order[i-1].d):
			ps.add(o.field, o.d.String(), "comes before %s %s; the order is exams, encoding deadline, deliberation, publication",
				fieldName(order[i-1].field), order[i-1].d)
		}
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	e := events.SessionScheduled{Year: year, Session: string(session),
		Starts: startOfDay(in.ExamsFrom), Ends: endOfDay(in.ExamsTo), EncodingDeadline: endOfDay(in.EncodingDeadline),
		DeliberationAt: startOfDay(in.Deliberation), PublicationAt: startOfDay(in.Publication)}
	return execute(ctx, hs, events.CalendarOf(year), key, newCalendarState, func(st *calendarState) ([]events.Pending, error) {
		if sameSchedule(st.sessions[session], e) {
			return nil, nil // already so scheduled
		}
		return pend(id, e), nil
	})
}

func validSession(s catalog.Session) error {
	switch s {
	case catalog.Q1, catalog.Q2, catalog.Q3:
		return nil
	}
	return refuse(NotFound, "session", string(s), "sessions are Q1 (January), Q2 (June) and Q3 (August-September)")
}

// Moment reads a moment as a reader bounds a view with it: a day
// (YYYY-MM-DD, meaning its end in Europe/Brussels), a day and a minute
// (YYYY-MM-DDTHH:MM, the end of that minute in Brussels), or an RFC 3339
// instant. An unescaped "+" of an offset, read from a query string as a
// space, is taken as the "+" it was.
func Moment(v string) (time.Time, bool) {
	if d, err := time.ParseInLocation(time.DateOnly, v, brussels); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond), true // 23:59:59.999999999, DST or not
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if d, err := time.ParseInLocation(layout, v, brussels); err == nil {
			return d.Add(time.Minute - time.Nanosecond), true
		}
	}
	for _, s := range []string{v, strings.Replace(v, " ", "+", 1)} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// EndOfDay is the last second of d in Brussels: where a deadline ends.
func EndOfDay(d rules.Date) time.Time { return endOfDay(d) }

// startOfDay is midnight in Brussels on d; endOfDay the last second of d.
func startOfDay(d rules.Date) time.Time {
	y, m, day := d.Time().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, brussels)
}

func endOfDay(d rules.Date) time.Time {
	y, m, day := d.Time().Date()
	return time.Date(y, m, day, 23, 59, 59, 0, brussels)
}

// calendarState is a year's calendar: the sessions as last scheduled.
type calendarState struct {
	sessions map[catalog.Session]events.SessionScheduled
}

func newCalendarState() *calendarState {
	return &calendarState{sessions: map[catalog.Session]events.SessionScheduled{}}
}

func (st *calendarState) apply(rec events.Record) {
	if e, ok := rec.Event.(events.SessionScheduled); ok {
		st.sessions[catalog.Session(e.Session)] = e
	}
}

func sameSchedule(a, b events.SessionScheduled) bool {
	return a.Year == b.Year && a.Session == b.Session && a.Starts.Equal(b.Starts) && a.Ends.Equal(b.Ends) &&
		a.EncodingDeadline.Equal(b.EncodingDeadline) && a.DeliberationAt.Equal(b.DeliberationAt) && a.PublicationAt.Equal(b.PublicationAt)
}

// Sessions returns the scheduled sessions of a year.
func (hs *Handlers) Sessions(ctx context.Context, id auth.Identity, year string) ([]events.SessionScheduled, error) {
	if err := authorize(id, access.ReadCalendar, access.Target{}); err != nil {
		return nil, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return nil, err
	}
	if _, err := hs.documents(ctx, year); err != nil {
		return nil, err
	}
	return hs.Cohort.Sessions(year), nil
}
