package projections_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// eventsPerStudent is what one student-year of the filled log holds: a
// registration, an admission and a PAE, then marks on every activity of
// the eleven bloc-1 UEs in each session they are evaluated in, then
// corrections: about what a year in the programme writes.
const eventsPerStudent = 50

// cohortLog fills l with the shipped documents and students*50 records:
// each student's three path records in one append, then the marks, sheet
// by sheet, in atomic batches of up to 1000 (corrections after the first
// round). busy, when not "", is one more student whose records (three,
// then marks and corrections up to busyEvents in all) are spread over the
// whole log, among everyone else's: what an auditor reconstructs.
func cohortLog(tb testing.TB, ctx context.Context, l eventlog.Log, students int, busy string, busyEvents int) {
	tb.Helper()
	cat, rs := gradetest.Shipped(tb)
	year := cat.Programme.AcademicYear
	system := events.Actor{ID: "gradelog", Roles: []string{"system"}}
	heads := map[events.AggregateID]events.Head{}
	put := func(a events.AggregateID, evs ...events.Event) {
		p := make([]events.Pending, len(evs))
		for i, e := range evs {
			p[i] = events.Pending{Event: e, Actor: system}
		}
		got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: heads[a], Key: uuid.NewString(), Events: p})
		if err != nil {
			tb.Fatal(err)
		}
		heads[a] = got.Head()
	}
	put(events.CatalogOf(year),
		events.CatalogPublished{Year: year, Programme: cat.Programme.Code, Version: 1, Digest: cat.Digest(), Catalog: cat.Canonical()},
		events.RulesetPublished{Year: year, Version: 1, Digest: rs.Digest(), Ruleset: rs.Canonical()})
	var ues []string
	type slot struct {
		session  catalog.Session
		ue       string
		activity string
	}
	var slots []slot
	for _, u := range cat.UEs {
		if u.Kind != catalog.Core || u.Bloc != 1 {
			continue
		}
		ues = append(ues, u.Code)
		for _, s := range u.Sessions {
			if u.Integrated {
				slots = append(slots, slot{s, u.Code, ""})
				continue
			}
			for _, a := range u.Activities {
				slots = append(slots, slot{s, u.Code, a.Title})
			}
		}
	}
	mats := make([]string, students)
	for i := range mats {
		mats[i] = fmt.Sprintf("HE%07d", i+1)
	}
	if busy != "" {
		mats = append(mats, busy)
	}
	for _, m := range mats {
		put(events.StudentOf(m),
			events.StudentRegistered{Matricule: m, FirstName: "Prénom", LastName: "Nom " + m, Email: strings.ToLower(m) + "@student.helmo.be"},
			events.StudentAdmitted{Programme: cat.Programme.Code, Basis: "bachelier", HasBachelor: true},
			events.PAEValidated{Programme: cat.Programme.Code, Year: year, UEs: ues})
	}
	perStudent := eventsPerStudent - 3
	busyLeft, busyPerBatch := busyEvents-3, (busyEvents-3+perStudent-1)/perStudent
	var pending []events.Event
	for i := range perStudent {
		sl := slots[i%len(slots)]
		sheet := events.SheetOf(year, string(sl.session), sl.ue)
		flush := func() {
			for len(pending) > 0 {
				n := min(len(pending), eventlog.MaxBatch)
				put(sheet, pending[:n]...)
				pending = pending[n:]
			}
		}
		for k, m := range mats {
			if m == busy {
				continue
			}
			pending = append(pending, markEvent(m, sl.activity, i, k, i >= len(slots)))
		}
		for j := 0; j < busyPerBatch && busyLeft > 0; j++ {
			pending = append(pending, markEvent(busy, sl.activity, i, j, i > 0 || j > 0))
			busyLeft--
		}
		flush()
	}
}

// markEvent is a mark for student m, or its correction.
func markEvent(m, activity string, round, k int, correction bool) events.Event {
	entry := events.Entry{Mark: strconv.Itoa(6 + (round*7+k)%15)}
	if correction {
		return events.MarkCorrected{Student: m, Activity: activity, Previous: events.Entry{Mark: "10"}, Entry: entry,
			Reason: "encoding error", AuthorisedBy: "sec.bench", Source: "form"}
	}
	return events.MarkRecorded{Student: m, Activity: activity, Entry: entry, Source: "xlsx"}
}
