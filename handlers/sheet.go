package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/projections"
)

// SheetRef names a grade sheet: one UE in one session of a year.
type SheetRef struct {
	Year    string
	Session catalog.Session
	UE      string
}

func (r SheetRef) String() string { return fmt.Sprintf("UE %s, %s %s", r.UE, r.Session, r.Year) }

func (r SheetRef) aggregate() events.AggregateID {
	return events.SheetOf(r.Year, string(r.Session), r.UE)
}

// sheetContext is what a sheet command needs beyond the sheet itself.
type sheetContext struct {
	ref      SheetRef
	ue       catalog.UE
	docs     projections.Documents
	schedule events.SessionScheduled
	now      time.Time
	// closed is set once the session's deliberation closed: its marks are
	// frozen.
	closed *projections.Stamp
}

// sheetContext checks that the sheet can exist: the year's documents are
// published, the UE is in the catalog and evaluated in that session, and
// the session is scheduled.
func (hs *Handlers) sheetContext(ctx context.Context, ref SheetRef) (sheetContext, error) {
	docs, err := hs.documents(ctx, ref.Year)
	if err != nil {
		return sheetContext{}, err
	}
	if err := validSession(ref.Session); err != nil {
		return sheetContext{}, err
	}
	ue, ok := docs.Catalog.UE(ref.UE)
	if !ok {
		return sheetContext{}, refuse(NotFound, "ue", ref.UE, "no such UE in the %s catalog", ref.Year)
	}
	if !ue.HasSession(ref.Session) {
		return sheetContext{}, refuse(NotFound, "session", string(ref.Session), "UE %s is evaluated in %v only", ue.Code, ue.Sessions)
	}
	sched, ok := hs.Cohort.Session(ref.Year, ref.Session)
	if !ok {
		if err := hs.catchUp(ctx); err != nil {
			return sheetContext{}, err
		}
		if sched, ok = hs.Cohort.Session(ref.Year, ref.Session); !ok {
			return sheetContext{}, refuse(Invalid, "session", string(ref.Session),
				"session %s of %s is not scheduled yet; the secretariat schedules it before marks are entered", ref.Session, ref.Year)
		}
	}
	sc := sheetContext{ref: ref, ue: ue, docs: docs, schedule: sched, now: hs.now()}
	if c, ok := hs.Cohort.SessionClosed(ref.Year, ref.Session); ok {
		sc.closed = &c
	}
	return sc, nil
}

// frozen refuses a change to a sheet of a session whose deliberation
// closed.
func (sc sheetContext) frozen() error {
	if sc.closed == nil {
		return nil
	}
	return refuse(Invalid, "session", string(sc.ref.Session), "%s", sc.frozenRule())
}

func (sc sheetContext) frozenRule() i18n.Text {
	return textf("the deliberation of %s %s closed on %s: its marks are frozen and change only through a jury decision after an upheld appeal",
		sc.ref.Session, sc.ref.Year, sc.closed.At.In(brussels).Format("2006-01-02 15:04"))
}

// takesEntries refuses entries on a sheet that takes none: a submitted one
// (until reopened). On a frozen sheet each row is decided on its own: only
// the jury's corrections after an upheld appeal pass.
func (sc sheetContext) takesEntries(st *sheetState) error {
	if sc.closed != nil {
		return nil
	}
	return submittedRefusal(st, sc.ref)
}

// Column is one column of a grade sheet. Key is what a write names as its
// activity: "" for the UE mark, else the activity's title.
type Column struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// columns are the sheet's columns: one UE mark for an integrated or
// single-activity UE, else one per activity.
func columns(ue catalog.UE) []Column {
	if ue.Integrated || len(ue.Activities) == 1 {
		return []Column{{Key: "", Label: "Note UE"}}
	}
	out := make([]Column, len(ue.Activities))
	for i, a := range ue.Activities {
		out[i] = Column{Key: a.Title, Label: a.Title}
	}
	return out
}

// activityOf is where a value written under column key is recorded: a
// single-activity UE's mark is its activity's mark.
func activityOf(ue catalog.UE, key string) string {
	if key == "" && !ue.Integrated && len(ue.Activities) == 1 {
		return ue.Activities[0].Title
	}
	return key
}

// keyOf is the column a recorded activity shows under.
func keyOf(ue catalog.UE, activity string) string {
	if !ue.Integrated && len(ue.Activities) == 1 && activity == ue.Activities[0].Title {
		return ""
	}
	return activity
}

// deadline is the last instant the student's marks are accepted from a
// teacher: the session's encoding deadline or the student's extension.
func (sc sheetContext) deadline(st *sheetState, student string) time.Time {
	d := sc.schedule.EncodingDeadline
	if x, ok := st.extensions[student]; ok && x.After(d) {
		return x
	}
	return d
}

// onSheet is a student on a sheet: due on it by the registry, or only
// holding entries made while they were (their PAE changed since, or the UE
// was acquired at an earlier session by a correction there). Such a student
// keeps their entries, which may be corrected or cleared, and takes no new
// one.
type onSheet struct {
	projections.Due
	heldOnly bool
}

// due says whether a student is on the sheet. The registry is caught up
// before a miss is believed.
func (hs *Handlers) due(ctx context.Context, sc sheetContext, st *sheetState, student string) (onSheet, bool, error) {
	ref := sc.ref
	if d, ok := hs.Cohort.Due(ref.Year, ref.Session, ref.UE, student); ok {
		return onSheet{Due: d}, true, nil
	}
	if err := hs.catchUp(ctx); err != nil {
		return onSheet{}, false, err
	}
	if d, ok := hs.Cohort.Due(ref.Year, ref.Session, ref.UE, student); ok {
		return onSheet{Due: d}, true, nil
	}
	if st.has(student) {
		reg, _ := hs.Cohort.Registration(student)
		return onSheet{Due: projections.Due{StudentRegistered: reg, Carry: carryNone}, heldOnly: true}, true, nil
	}
	return onSheet{}, false, nil
}

// whyNotDue explains why a registered student is not on a sheet.
func (hs *Handlers) whyNotDue(sc sheetContext, student string) i18n.Text {
	s, ok := hs.Cohort.Student(student)
	ref := sc.ref
	pae, validated := s.PAEs[ref.Year]
	switch {
	case !ok:
		return textf("no student is registered with this matricule")
	case !validated:
		return textf("the student has no validated PAE for %s", ref.Year)
	case !pae.Has(ref.UE):
		return textf("UE %s is not in the student's %s PAE", ref.UE, ref.Year)
	}
	return textf("the student is not on the sheet of %s: UE acquired at an earlier session or every presentation of the year used", ref)
}
