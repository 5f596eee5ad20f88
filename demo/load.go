package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/rules"
)

// Options shape the generated cohort.
type Options struct {
	Students int   // default 24; at least 16 (one per role of the scenario)
	Seed     int64 // default 1
}

// Demo describes a loaded demo.
type Demo struct {
	// Accounts are the identities to sign in as: the secretariat, the
	// teachers, the jury's president, secretary and members, the auditor,
	// then a few students.
	Accounts []Account
	Present  time.Time // the demo's "now" after loading
	Year     string
	Records  uint64 // the log's last position
}

// maxStudents bounds a cohort (matricules and load time).
const maxStudents = 1000

// brussels is where the programme's days begin and end.
var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in by handlers
	}
	return loc
}()

// Published is when the demo's documents are published, before its year:
// set the clock to it before publishing them.
var Published = brussel(2025, 8, 31, 12, 0)

// Present is the demo's now once loaded: Monday 7 September 2026, 09:00 in
// Brussels, in the Q3 encoding period (the deadline is 9 September).
var Present = brussel(2026, 9, 7, 9, 0)

// q3 is the calendar of the re-sits, so that Present falls before the
// encoding deadline; Q1 and Q2 follow the ruleset's calendar.
var q3 = handlers.Schedule{ExamsFrom: date("2026-08-17"), ExamsTo: date("2026-09-04"),
	EncodingDeadline: date("2026-09-09"), Deliberation: date("2026-09-10"), Publication: date("2026-09-11")}

// Load generates the cohort of opt into hs's log through its handlers:
// the year from registration to the Q3 re-sits (see the package comment).
// hs.Now must be clock.Now, and the catalog and ruleset of the year must be
// published; the views (hs.Views) must be running. It refuses a log that
// already holds students or a jury for the year. At the end the clock runs
// from Present.
//
// Records are stamped by the event log's own clock: for the facts to carry
// the demo's dates (sheets submitted in June, not today), open the log
// with eventlog.JetStreamConfig{Now: clock.Now} too. A load interrupted
// midway leaves an unfinished demo, which Load and Loaded then refuse.
func Load(ctx context.Context, hs *handlers.Handlers, clock *clock.Clock, opt Options) (Demo, error) {
	if opt.Students == 0 {
		opt.Students = 24
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Students < minStudents || opt.Students > maxStudents {
		return Demo{}, fmt.Errorf("demo: %d students asked; the demo generates between %d (one per role of its scenario) and %d",
			opt.Students, minStudents, maxStudents)
	}
	probe := Published
	clock.Set(probe)
	if hs.Now == nil || !hs.Now().Equal(probe) {
		return Demo{}, errors.New("demo: the handlers do not read the demo's clock; set hs.Now = clock.Now before loading")
	}
	if err := catchUp(ctx, hs); err != nil {
		return Demo{}, err
	}
	if _, ok := hs.Cohort.Documents(Year); !ok {
		return Demo{}, fmt.Errorf("demo: no catalog and ruleset are published for %s; publish the shipped ones before loading", Year)
	}
	if _, loaded, err := describe(ctx, hs); err != nil {
		return Demo{}, err
	} else if loaded {
		return Demo{}, errors.New("demo: the log already holds the demo; serve it as it is (demo.Loaded) or start from an empty data directory")
	}
	if _, ok := hs.Cohort.Jury(Programme, Year); ok {
		return Demo{}, fmt.Errorf("demo: the log already has a jury for %s %s; the demo loads into an empty log only", Programme, Year)
	}
	if n := len(hs.Cohort.Directory("", 0)); n > 0 {
		return Demo{}, fmt.Errorf("demo: the log already holds %d student(s); the demo loads into an empty log only", n)
	}
	l := &loader{ctx: ctx, hs: hs, clock: clock, seed: opt.Seed, students: cohort(opt.Students, opt.Seed), byMat: map[string]student{}}
	for _, s := range l.students {
		l.byMat[s.Matricule] = s
	}
	for _, step := range []func() error{l.setup, l.q1, l.q2, l.appeals, l.q3} {
		if err := step(); err != nil {
			return Demo{}, err
		}
	}
	clock.Run(Present)
	d, _, err := describe(ctx, hs)
	return d, err
}

// loader runs the scenario: each command at the next minutes of the
// frozen clock, under a command named for the history.
type loader struct {
	ctx      context.Context
	hs       *handlers.Handlers
	clock    *clock.Clock
	seed     int64
	students []student
	byMat    map[string]student
	now      time.Time
	commands int
}

// at moves the clock to t.
func (l *loader) at(t time.Time) {
	l.now = t
	l.clock.Set(t)
}

// do runs one command a minute after the last.
func (l *loader) do(what string, f func(ctx context.Context) error) error {
	l.commands++
	l.at(l.now.Add(time.Minute))
	ctx := handlers.WithCommand(l.ctx, handlers.Command{ID: fmt.Sprintf("demo-%05d", l.commands),
		What: "gradelog demo: " + what, Correlation: "gradelog-demo"})
	if err := f(ctx); err != nil {
		return fmt.Errorf("demo: %s: %w", what, err)
	}
	return nil
}

// setup: the jury, the calendar, the students with their admission,
// recognitions and PAE.
func (l *loader) setup() error {
	hs, secr := l.hs, secretariat.Identity()
	l.at(brussel(2025, 9, 1, 9, 0))
	err := l.do("constitute the jury", func(ctx context.Context) error {
		_, err := hs.ConstituteJury(ctx, secr, "", Programme, Year, handlers.JuryInput{President: jury[0].ID, Secretary: jury[1].ID, Members: juryMembers()})
		return err
	})
	for _, s := range []struct {
		session catalog.Session
		dates   handlers.Schedule
	}{{catalog.Q1, handlers.Schedule{}}, {catalog.Q2, handlers.Schedule{}}, {catalog.Q3, q3}} {
		err = errors.Join(err, l.do("schedule "+string(s.session), func(ctx context.Context) error {
			_, err := hs.ScheduleSession(ctx, secr, "", Year, s.session, s.dates)
			return err
		}))
	}
	if err != nil {
		return err
	}
	l.at(brussel(2025, 9, 15, 9, 0))
	for _, s := range l.students {
		if err := l.do("register "+s.Matricule, func(ctx context.Context) error {
			_, err := hs.RegisterStudent(ctx, secr, "", handlers.Registration{Matricule: s.Matricule, FirstName: s.FirstName, LastName: s.LastName, Email: s.Email})
			return err
		}); err != nil {
			return err
		}
		if err := l.do("admit "+s.Matricule, func(ctx context.Context) error {
			_, err := hs.AdmitStudent(ctx, secr, "", s.Matricule, handlers.Admission{Year: Year, Basis: s.basis(), HasBachelor: true})
			return err
		}); err != nil {
			return err
		}
	}
	l.at(brussel(2025, 9, 29, 14, 0))
	president := jury[0].Identity()
	for _, s := range l.students {
		if s.Bloc != 2 {
			continue
		}
		for _, ue := range bloc1UEs {
			if err := l.do("recognise "+ue+" for "+s.Matricule, func(ctx context.Context) error {
				_, err := hs.RecogniseCredits(ctx, president, "", s.Matricule, handlers.Recognition{Year: Year, UE: ue,
					Basis: "master en sciences sociales (ULiège), 2023-2025", Reason: "acquis d'apprentissage équivalents à ceux du bloc 1, dossier examiné par le jury"})
				return err
			}); err != nil {
				return err
			}
		}
	}
	l.at(brussel(2025, 10, 13, 9, 0))
	for _, s := range l.students {
		if err := l.do("validate the PAE of "+s.Matricule, func(ctx context.Context) error {
			_, err := hs.ValidatePAE(ctx, secr, "", s.Matricule, Year, handlers.PAERequest{UEs: s.pae()})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// q1: January. Hardy, who teaches no UE examined in January, is excused.
func (l *loader) q1() error {
	if err := l.session(catalog.Q1, brussel(2026, 1, 14, 9, 0), brussel(2026, 1, 19, 8, 0)); err != nil {
		return err
	}
	return l.deliberate(catalog.Q1, brussel(2026, 2, 4, 9, 0), brussel(2026, 2, 5, 10, 0), "jury.hardy")
}

// q2: June. Gérard is excused.
func (l *loader) q2() error {
	if err := l.session(catalog.Q2, brussel(2026, 6, 15, 9, 0), brussel(2026, 6, 22, 8, 0)); err != nil {
		return err
	}
	return l.deliberate(catalog.Q2, brussel(2026, 7, 1, 9, 0), brussel(2026, 7, 2, 10, 0), "jury.gerard")
}

// q3: the re-sits, every sheet filled and submitted but OpenUE's.
func (l *loader) q3() error {
	return l.session(catalog.Q3, brussel(2026, 8, 31, 9, 0), brussel(2026, 9, 1, 8, 0))
}

func brussel(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, brussels)
}

func date(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// catchUp waits for hs's views to hold the whole log.
func catchUp(ctx context.Context, hs *handlers.Handlers) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := hs.Views.CatchUp(ctx); err != nil {
		return fmt.Errorf("demo: the views did not catch up with the log: %w", err)
	}
	return nil
}
