package bench

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
)

// Fixture is what the write workloads write into: the year after the
// generated ones (its documents published, its sessions scheduled) with
// students whose sheets are empty. Every UE of the catalog with credits
// has a sheet in each of its sessions: 64 sheets, one per concurrent
// writer. A writer on a sheet of session s enters marks of the students
// of group s of its bloc (VAE students with the complements and bloc 1,
// or bloc-2 students), whom no other session's writer touches: a mark in
// Q1 never takes a student off a Q2 or Q3 sheet another writer fills.
// The import group are bloc-1 students whose Q2 sheets are imported.
type Fixture struct {
	Year   string `json:"year"`
	Group  int    `json:"group"`  // students per session and bloc
	Import int    `json:"import"` // students of the imported sheets
}

// Students is how many students the fixture enrols.
func (f Fixture) Students() int { return 6*f.Group + f.Import }

var (
	defaultFixture = Fixture{Group: 80, Import: 500}
	quickFixture   = Fixture{Group: 4, Import: 20}
	sessions       = []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}
	complements    = []string{"1/1", "1/2", "1/3"}
	// importUEs are the sheets the import workload uploads, one per
	// operation: the single-column bloc-1 UEs, in Q2.
	importUEs = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/10", "1/11", "1/12", "1/13", "1/14"}
)

// fixtureMatricule names student i of a group: "BXQ1V0001" (session,
// bloc 1 with complements) or "BXQ2B0001" (bloc 2); "BXIM0001" for the
// import group.
func fixtureMatricule(group string, i int) string { return fmt.Sprintf("BX%s%04d", group, i+1) }

func groupOf(q catalog.Session, bloc int) string {
	if bloc == 2 {
		return string(q) + "B"
	}
	return string(q) + "V"
}

// prepareFixture publishes the documents of year index k, schedules its
// sessions and enrols the fixture's students.
func prepareFixture(ctx context.Context, hs *handlers.Handlers, clock *clock.Clock, k int, fx Fixture) (Fixture, error) {
	fx.Year = cohortgen.YearOf(k)
	cat, rs, err := cohortgen.Documents(k)
	if err != nil {
		return fx, err
	}
	brussels, _ := time.LoadLocation("Europe/Brussels")
	clock.Set(time.Date(cohortgen.FirstYear+k, 9, 15, 8, 0, 0, 0, brussels))
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		return fx, err
	}
	sec := cohortgen.Secretariat()
	for _, q := range sessions {
		if _, err := hs.ScheduleSession(ctx, sec, "", fx.Year, q, handlers.Schedule{}); err != nil {
			return fx, err
		}
	}
	var bloc1, bloc2 []string
	for _, ue := range cat.UEs {
		if ue.Kind == catalog.Core && ue.Bloc == 1 {
			bloc1 = append(bloc1, ue.Code)
		}
		if ue.Kind == catalog.Core && ue.Bloc == 2 {
			bloc2 = append(bloc2, ue.Code)
		}
	}
	type enrolment struct {
		mat string
		adm handlers.Admission
		pae []string
	}
	var all []enrolment
	for _, q := range sessions {
		for i := range fx.Group {
			all = append(all, enrolment{fixtureMatricule(groupOf(q, 1), i),
				handlers.Admission{Year: fx.Year, Basis: "VAE", Complements: complements}, append(append([]string{}, complements...), bloc1...)})
			all = append(all, enrolment{fixtureMatricule(groupOf(q, 2), i),
				handlers.Admission{Year: fx.Year, Basis: "bloc 1 réussi", HasBachelor: true}, bloc2})
		}
	}
	for i := range fx.Import {
		all = append(all, enrolment{fixtureMatricule("IM", i),
			handlers.Admission{Year: fx.Year, Basis: "bachelier assistant social", HasBachelor: true}, bloc1})
	}
	clock.Set(time.Date(cohortgen.FirstYear+k, 9, 15, 9, 0, 0, 0, brussels))
	var next atomic.Int64
	err = benchraw.FanOut(16, 0, 16, func(int) error {
		for i := int(next.Add(1)) - 1; i < len(all); i = int(next.Add(1)) - 1 {
			e := all[i]
			if _, err := hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: e.mat, FirstName: "Prénom",
				LastName: "Nom " + e.mat, Email: strings.ToLower(e.mat) + "@bench.example.be"}); err != nil {
				return fmt.Errorf("bench: register %s: %w", e.mat, err)
			}
			if _, err := hs.AdmitStudent(ctx, sec, "", e.mat, e.adm); err != nil {
				return fmt.Errorf("bench: admit %s: %w", e.mat, err)
			}
			if _, err := hs.ValidatePAE(ctx, sec, "", e.mat, fx.Year, handlers.PAERequest{UEs: e.pae}); err != nil {
				return fmt.Errorf("bench: PAE of %s: %w", e.mat, err)
			}
		}
		return nil
	})
	return fx, err
}

// desk is one writer's sheet of the fixture and the empty slots it fills.
type desk struct {
	id    auth.Identity
	ref   handlers.SheetRef
	slots []slot
	next  int
	data  []byte // the raw side's envelope
	raw   string // the raw side's subject
}

type slot struct{ student, column string }

// desks are the fixture's 64 sheets, each with its teacher and slots.
func desks(tb benchraw.TB, cat *catalog.Catalog, fx Fixture) []*desk {
	var out []*desk
	for _, ue := range cat.UEs {
		if ue.Kind == catalog.Optional {
			continue
		}
		for _, q := range sessions {
			if !ue.HasSession(q) {
				continue
			}
			d := &desk{id: cohortgen.Teacher(ue.Code), ref: handlers.SheetRef{Year: fx.Year, Session: q, UE: ue.Code}}
			cols := []string{""}
			if !ue.Integrated && len(ue.Activities) > 1 {
				cols = nil
				for _, a := range ue.Activities {
					cols = append(cols, a.Title)
				}
			}
			for i := range fx.Group {
				for _, c := range cols {
					d.slots = append(d.slots, slot{fixtureMatricule(groupOf(q, ue.Bloc), i), c})
				}
			}
			activity := ue.Activities[0].Title
			if ue.Integrated {
				activity = ""
			}
			agg := events.SheetOf(fx.Year, string(q), ue.Code)
			d.data = benchraw.Envelope(tb, agg, events.Pending{
				Event: events.MarkRecorded{Student: d.slots[0].student, Activity: activity, Entry: events.Entry{Mark: "13.5"}, Source: handlers.SourceForm},
				Actor: d.id.Actor()})
			d.raw = benchraw.Subject(agg)
			out = append(out, d)
		}
	}
	return out
}
