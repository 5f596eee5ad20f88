package projections

import (
	"time"

	"github.com/gradelog/gradelog/events"
)

// jury is a programme's jury for a year, as last constituted.
type jury struct {
	events.JuryConstituted
	Position uint64    `json:"position"`
	At       time.Time `json:"at"`
}

// deliberation is one session's deliberation: its opening, the decisions
// in recorded order, its closing, publication and appeals. Decisions and
// appeals keep their positions; what the minutes and the replay show of
// them is read back from the log.
type deliberation struct {
	Programme string        `json:"programme"`
	Year      string        `json:"year"`
	Session   string        `json:"session"`
	Opened    *opening      `json:"opened,omitempty"`
	Decisions []decisionRef `json:"decisions,omitempty"`
	Closed    *stamp        `json:"closed,omitempty"`
	// Publications are in recorded order; the last one is in force for the
	// deliberation view, each one from its date for students.
	Publications []publication   `json:"publications,omitempty"`
	Appeals      []*appealRecord `json:"appeals,omitempty"`
}

type opening struct {
	events.DeliberationOpened
	stamp
}

// stamp is who recorded a fact, when and where in the log.
type stamp struct {
	Position uint64    `json:"position"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

func stampOf(rec events.Record) stamp {
	return stamp{Position: rec.Position, At: rec.RecordedAt, By: rec.Actor.ID}
}

type publication struct {
	At time.Time `json:"at"` // when students may see the results
	stamp
}

type decisionRef struct {
	ID      string `json:"id"`
	Student string `json:"student"`
	stamp
}

type appealRecord struct {
	ID      string `json:"id"`
	Student string `json:"student"`
	UE      string `json:"ue,omitempty"`
	Grounds string `json:"grounds"`
	stamp
	Decided    *stamp `json:"decided,omitempty"`
	Upheld     bool   `json:"upheld,omitempty"`
	Motivation string `json:"motivation,omitempty"`
	// AnsweredBy is the decision that re-deliberated after the appeal
	// was upheld.
	AnsweredBy string `json:"answered_by,omitempty"`
}

// applyJury folds the records of jury and deliberation aggregates.
func (c *Cohort) applyDeliberation(rec events.Record) {
	switch e := rec.Event.(type) {
	case events.JuryConstituted:
		c.juries[rec.Aggregate] = &jury{JuryConstituted: e, Position: rec.Position, At: rec.RecordedAt}
		return
	}
	d := c.deliberation(rec.Aggregate)
	if d == nil {
		return
	}
	switch e := rec.Event.(type) {
	case events.DeliberationOpened:
		d.Opened = &opening{e, stampOf(rec)}
	case events.DecisionRecorded:
		d.Decisions = append(d.Decisions, decisionRef{ID: rec.ID.String(), Student: e.Student, stamp: stampOf(rec)})
		if e.Appeal != "" {
			if a := d.appeal(e.Appeal); a != nil {
				a.AnsweredBy = rec.ID.String()
			}
		}
	case events.DeliberationClosed:
		s := stampOf(rec)
		d.Closed = &s
	case events.ResultsPublished:
		d.Publications = append(d.Publications, publication{At: e.At, stamp: stampOf(rec)})
	case events.AppealFiled:
		d.Appeals = append(d.Appeals, &appealRecord{ID: rec.ID.String(), Student: e.Student, UE: e.UE, Grounds: e.Grounds, stamp: stampOf(rec)})
	case events.AppealDecided:
		if a := d.appeal(e.Appeal); a != nil {
			s := stampOf(rec)
			a.Decided, a.Upheld, a.Motivation = &s, e.Upheld, e.Motivation
		}
	}
}

// deliberation returns the deliberation of aggregate a, creating it.
func (c *Cohort) deliberation(a events.AggregateID) *deliberation {
	t := a.Tokens()
	if a.Kind() != events.KindDeliberation || len(t) != 3 {
		return nil
	}
	d := c.deliberations[a]
	if d == nil {
		d = &deliberation{Programme: t[0], Year: t[1], Session: t[2]}
		c.deliberations[a] = d
	}
	return d
}

// published is the last publication, if any.
func (d *deliberation) published() *publication {
	if n := len(d.Publications); n > 0 {
		return &d.Publications[n-1]
	}
	return nil
}

func (d *deliberation) appeal(id string) *appealRecord {
	for _, a := range d.Appeals {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// upheldPending reports whether student has an upheld appeal in d that no
// decision has answered yet: the jury must deliberate again, and may
// correct the session's marks of that student.
func (d *deliberation) upheldPending(student string) (*appealRecord, bool) {
	for _, a := range d.Appeals {
		if a.Student == student && a.Upheld && a.AnsweredBy == "" {
			return a, true
		}
	}
	return nil, false
}
