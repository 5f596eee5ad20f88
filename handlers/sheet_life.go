package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// OpenSheet carries, onto a sheet, the activity marks that pass from
// earlier sessions of the year for every student due on it (a failed,
// non-integrated UE: the student re-sits only the failed activities). Each
// carried mark is a visible event; opening again carries only what is new.
// Writing entries carries the marks of the students written, too.
func (hs *Handlers) OpenSheet(ctx context.Context, id auth.Identity, key string, ref SheetRef) (eventlog.Appended, error) {
	if err := hs.authorizeSheet(ctx, id, access.WriteSheet, ref); err != nil {
		return eventlog.Appended{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return eventlog.Appended{}, err
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return eventlog.Appended{}, err
	}
	if err := sc.frozen(); err != nil {
		return eventlog.Appended{}, err
	}
	roster := hs.Cohort.Roster(ref.Year, ref.Session, ref.UE)
	return execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if err := submittedRefusal(st, ref); err != nil {
			return nil, err
		}
		p := newPlanner(hs, sc, st, id, SourceForm)
		var carries []events.Event
		for _, d := range roster {
			carries = append(carries, p.carries(d.Matricule, d, nil)...)
		}
		return pend(id, carries...), nil
	})
}

// Submitted is the answer to a submission.
type Submitted struct {
	Missing         int    `json:"missing"`
	Position        uint64 `json:"position"`
	Version         uint64 `json:"version"`
	AlreadyRecorded bool   `json:"already_recorded,omitempty"`
}

// SubmitSheet submits a sheet (its teacher or the secretariat): it takes no
// more marks until reopened. Missing entries are counted and recorded; the
// secretariat recovers them by reopening, never by filling them in.
func (hs *Handlers) SubmitSheet(ctx context.Context, id auth.Identity, key string, ref SheetRef) (Submitted, error) {
	if err := hs.authorizeSheet(ctx, id, access.WriteSheet, ref); err != nil {
		return Submitted{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return Submitted{}, err
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return Submitted{}, err
	}
	if err := sc.frozen(); err != nil {
		return Submitted{}, err
	}
	got, err := execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if err := submittedRefusal(st, ref); err != nil {
			return nil, err
		}
		sheet := hs.sheetOf(sc, st, events.Head{})
		return pend(id, events.SheetSubmitted{Missing: sheet.Missing}), nil
	})
	if err != nil {
		return Submitted{}, err
	}
	out := Submitted{Position: last(got).Position, Version: last(got).Version, AlreadyRecorded: got.AlreadyRecorded}
	if e, ok := last(got).Event.(events.SheetSubmitted); ok {
		out.Missing = e.Missing
	}
	return out, nil
}

// ReopenSheet reopens a submitted sheet (secretariat), with a reason.
func (hs *Handlers) ReopenSheet(ctx context.Context, id auth.Identity, key string, ref SheetRef, reason string) (eventlog.Appended, error) {
	if err := hs.authorizeSheet(ctx, id, access.ReopenSheet, ref); err != nil {
		return eventlog.Appended{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return eventlog.Appended{}, refuse(Invalid, "reason", reason, "reopening a sheet states its reason")
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return eventlog.Appended{}, err
	}
	if err := sc.frozen(); err != nil {
		return eventlog.Appended{}, err
	}
	return execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if !st.submitted {
			return nil, refuse(Invalid, "sheet", ref.String(), "the sheet is not submitted; there is nothing to reopen")
		}
		return pend(id, events.SheetReopened{Reason: strings.TrimSpace(reason)}), nil
	})
}

// Extension gives one student of a sheet a later deadline.
type Extension struct {
	Student string    `json:"student"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason"`
}

// ExtendDeadline gives one student of a sheet a later encoding deadline
// than the session's (secretariat): a deferred exam, for instance.
func (hs *Handlers) ExtendDeadline(ctx context.Context, id auth.Identity, key string, ref SheetRef, in Extension) (eventlog.Appended, error) {
	if err := hs.authorizeSheet(ctx, id, access.ExtendDeadline, ref); err != nil {
		return eventlog.Appended{}, err
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return eventlog.Appended{}, err
	}
	if err := sc.frozen(); err != nil {
		return eventlog.Appended{}, err
	}
	in.Student = normMatricule(in.Student)
	var ps problems
	if !in.Until.After(sc.schedule.EncodingDeadline) {
		ps.add("until", in.Until.Format(time.RFC3339), "an extension ends after the session's encoding deadline (%s)",
			sc.schedule.EncodingDeadline.In(brussels).Format("2006-01-02 15:04"))
	}
	if strings.TrimSpace(in.Reason) == "" {
		ps.add("reason", in.Reason, "an extension states its reason")
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	return execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if _, ok, err := hs.due(ctx, sc, st, in.Student); err != nil || !ok {
			if err == nil {
				err = refuse(NotFound, "student", in.Student, "%s", hs.whyNotDue(sc, in.Student))
			}
			return nil, err
		}
		return pend(id, events.DeadlineExtended{Student: in.Student, Until: in.Until, Reason: strings.TrimSpace(in.Reason)}), nil
	})
}

func last(a eventlog.Appended) events.Record {
	if len(a.Records) == 0 {
		return events.Record{}
	}
	return a.Records[len(a.Records)-1]
}
