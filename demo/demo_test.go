package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/demo"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// env is a fresh gradelog (embedded NATS, shipped documents) on the
// demo's clock.
type env struct {
	hs    *handlers.Handlers
	log   eventlog.Log
	clock *clock.Clock
}

func start(t *testing.T) env {
	t.Helper()
	e := gradetest.Start(t, true)
	clock := &clock.Clock{}
	e.Handlers.Now = clock.Now
	return env{hs: e.Handlers, log: e.Log, clock: clock}
}

// load loads the demo and reports how long it took.
func (e env) load(t *testing.T, opt demo.Options) demo.Demo {
	t.Helper()
	began := time.Now()
	d, err := demo.Load(t.Context(), e.hs, e.clock, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d students in %s: %d records, %d accounts", len(e.hs.Cohort.Directory("", 0)), time.Since(began).Round(time.Millisecond), d.Records, len(d.Accounts))
	return d
}

var (
	q1 = handlers.DeliberationRef{Programme: demo.Programme, Year: demo.Year, Session: "Q1"}
	q2 = handlers.DeliberationRef{Programme: demo.Programme, Year: demo.Year, Session: "Q2"}
	q3 = handlers.DeliberationRef{Programme: demo.Programme, Year: demo.Year, Session: "Q3"}

	openSheet = handlers.SheetRef{Year: demo.Year, Session: catalog.Q3, UE: demo.OpenUE}
)

// account returns the demo's account with id, or the first with role.
func account(t *testing.T, d demo.Demo, idOrRole string) demo.Account {
	t.Helper()
	for _, a := range d.Accounts {
		if a.ID == idOrRole || slices.Contains(a.Roles, idOrRole) {
			return a
		}
	}
	t.Fatalf("no account %s in %+v", idOrRole, d.Accounts)
	return demo.Account{}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	e := start(t)
	d := e.load(t, demo.Options{})
	ctx := t.Context()
	secr := account(t, d, auth.Secretariat).Identity()

	if d.Year != demo.Year || !d.Present.Equal(demo.Present) {
		t.Errorf("demo of %s at %s", d.Year, d.Present)
	}
	if now := e.clock.Now(); now.Before(d.Present) || now.After(d.Present.Add(time.Minute)) {
		t.Errorf("the clock reads %s after loading, want it running from %s", now, d.Present)
	}
	if last, err := e.log.LastPosition(ctx); err != nil || last != d.Records {
		t.Errorf("records %d, log at %d (%v)", d.Records, last, err)
	}
	if n := len(e.hs.Cohort.Directory("", 0)); n != 24 {
		t.Errorf("%d students, want 24", n)
	}

	// The sheet left for the newcomer: students due, nothing entered, draft.
	lambert := account(t, d, "prof.lambert")
	if !slices.Equal(lambert.UEs, []string{demo.OpenUE}) {
		t.Errorf("the newcomer's teacher teaches %v", lambert.UEs)
	}
	sh, err := e.hs.Sheet(ctx, lambert.Identity(), openSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) == 0 || sh.Status != "draft" || sh.Version != 0 || sh.Missing == 0 {
		t.Errorf("open sheet: %d rows, %s, version %d, %d missing", len(sh.Rows), sh.Status, sh.Version, sh.Missing)
	}
	for _, row := range sh.Rows {
		if len(row.Entries) != 0 {
			t.Errorf("open sheet: %s holds %v", row.Matricule, row.Entries)
		}
	}
	statuses, err := e.hs.SheetStatuses(ctx, secr, demo.Year, "Q3", handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	others := 0
	for _, s := range statuses {
		switch {
		case s.Enrolled == 0:
		case s.UE == demo.OpenUE:
			if s.Status != "empty" || s.Entered != 0 {
				t.Errorf("Q3 sheet of %s: %s, %d entered", s.UE, s.Status, s.Entered)
			}
		case s.Status != "submitted" || s.Missing != 0:
			t.Errorf("Q3 sheet of %s: %s, %d missing", s.UE, s.Status, s.Missing)
		default:
			others++
		}
	}
	if others == 0 {
		t.Error("no other Q3 sheet with students was filled and submitted")
	}
	if n := len(e.hs.Cohort.SessionStudents(demo.Programme, demo.Year, catalog.Q3)); n == 0 {
		t.Error("no student in Q3")
	}

	// Q1 and Q2: closed, published, everyone decided; Q3 not opened.
	pres := account(t, d, "jury.delvaux").Identity()
	degrees := 0
	for _, ref := range []handlers.DeliberationRef{q1, q2} {
		v, err := e.hs.Deliberation(ctx, pres, ref, handlers.ViewQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if v.Closed == nil || v.Status != projections.Published || v.Undecided != 0 || v.Decided != len(v.Students) || len(v.Students) == 0 || !v.Opened.Quorum.Met || v.Unpublished != 0 {
			t.Errorf("%s: %s, closed %v, %d decided, %d undecided, quorum %+v, %d unpublished", ref, v.Status, v.Closed, v.Decided, v.Undecided, v.Opened.Quorum, v.Unpublished)
		}
		for _, s := range v.Students {
			if s.Decision != nil && s.Decision.Outcome == string(rules.CycleCompleted) {
				degrees++
			}
		}
		if ref == q2 {
			var got []string
			for _, a := range v.Appeals {
				got = append(got, a.Status)
			}
			if slices.Sort(got); !slices.Equal(got, []string{"rejected", "upheld"}) {
				t.Errorf("Q2 appeals: %+v", v.Appeals)
			}
		}
	}
	if degrees == 0 {
		t.Error("no degree conferred")
	}
	if v, err := e.hs.Deliberation(ctx, pres, q3, handlers.ViewQuery{}); err != nil || v.Status != projections.NotOpened {
		t.Errorf("Q3 deliberation: %s (%v)", v.Status, err)
	}

	// The log: ABS by a teacher, CM by the secretariat, a correction after
	// the appeal; every actor is an account of the demo.
	actors := map[string]bool{"gradelog": true} // the catalog's publisher
	for _, a := range d.Accounts {
		actors[a.ID] = true
	}
	codes := map[string]string{}
	corrected := false
	err = e.log.Scan(ctx, 0, false, func(s eventlog.Stored) error {
		rec, err := eventlog.Decode(s)
		if err != nil {
			return err
		}
		if !actors[rec.Actor.ID] {
			t.Errorf("record %d (%s) by %s, not an account of the demo", rec.Position, rec.Type, rec.Actor.ID)
		}
		switch ev := rec.Event.(type) {
		case events.MarkRecorded:
			if ev.Entry.Code != "" {
				codes[ev.Entry.Code] = rec.Actor.ID
			}
		case events.MarkCorrected:
			corrected = ev.Reason != "" && rec.Actor.ID == pres.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if codes["ABS"] == "" || codes["CM"] != secr.ID || !corrected {
		t.Errorf("codes recorded %v (want ABS, and CM by the secretariat), mark corrected by the president: %t", codes, corrected)
	}

	t.Run("accounts", func(t *testing.T) { testAccounts(t, e, d) })
	t.Run("loaded", func(t *testing.T) {
		got, ok, err := demo.Loaded(ctx, e.hs)
		if err != nil || !ok {
			t.Fatalf("Loaded: %t, %v", ok, err)
		}
		if diff := cmp.Diff(d.Accounts, got.Accounts); diff != "" || !got.Present.Equal(d.Present) || got.Year != d.Year || got.Records != d.Records {
			t.Errorf("Loaded describes another demo (-load +loaded):\n%s", diff)
		}
		if _, err := demo.Load(ctx, e.hs, e.clock, demo.Options{}); err == nil || !strings.Contains(err.Error(), "already holds the demo") {
			t.Errorf("a second load: %v", err)
		}
	})
}

// testAccounts checks that every account mints a valid token and reads what
// its What line promises.
func testAccounts(t *testing.T, e env, d demo.Demo) {
	ctx := t.Context()
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, a := range d.Accounts {
		tok, err := key.Mint(a.Identity(), d.Present, time.Hour)
		if err != nil {
			t.Errorf("%s: %v", a.ID, err)
			continue
		}
		id, err := key.Verify(tok, d.Present)
		if err != nil || id.ID != a.ID || id.Name != a.Name || !slices.Equal(id.Roles, a.Roles) {
			t.Errorf("%s: verified as %+v (%v)", a.ID, id, err)
		}
		if len(a.Roles) != 1 || a.What == "" || a.Name == "" {
			t.Errorf("%s: roles %v, name %q, what %q", a.ID, a.Roles, a.Name, a.What)
		}
		roles[a.Roles[0]]++
		switch a.Roles[0] {
		case auth.Secretariat:
			if _, err := e.hs.SheetStatuses(ctx, id, demo.Year, "Q3", handlers.ViewQuery{}); err != nil {
				t.Errorf("%s: %v", a.ID, err)
			}
		case auth.Teacher:
			for _, ue := range a.UEs {
				for _, q := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
					sh, err := e.hs.Sheet(ctx, id, handlers.SheetRef{Year: demo.Year, Session: q, UE: ue})
					if r := (*handlers.Refusal)(nil); err != nil && !(errors.As(err, &r) && r.Reason == handlers.NotFound) {
						t.Errorf("%s reads %s %s: %v", a.ID, ue, q, err)
					}
					if want := q == catalog.Q3 && ue == demo.OpenUE; err == nil && len(sh.Rows) > 0 && (sh.Status == "draft") != want {
						t.Errorf("%s: sheet of %s %s is %s", a.ID, ue, q, sh.Status)
					}
				}
			}
		case auth.Jury:
			v, err := e.hs.Deliberation(ctx, id, q2, handlers.ViewQuery{})
			if err != nil || len(v.Students) == 0 {
				t.Fatalf("%s: %v", a.ID, err)
			}
			if _, err := e.hs.Dossier(ctx, id, v.Students[0].Student.Matricule, demo.Year, "Q2", handlers.ViewQuery{}); err != nil {
				t.Errorf("%s: %v", a.ID, err)
			}
			if _, err := e.hs.Minutes(ctx, id, q2, handlers.ViewQuery{}); err != nil {
				t.Errorf("%s: %v", a.ID, err)
			}
		case auth.Auditor:
			st := account(t, d, auth.Student)
			h, err := e.hs.History(ctx, id, st.ID, handlers.ViewQuery{}, projections.HistoryFilter{})
			if err != nil || len(h.Entries) == 0 {
				t.Errorf("%s reads the history of %s: %d entries, %v", a.ID, st.ID, len(h.Entries), err)
			}
		case auth.Student:
			tr, err := e.hs.Transcript(ctx, id, a.ID, demo.Year, handlers.ViewQuery{})
			if err != nil {
				t.Errorf("%s: %v", a.ID, err)
				continue
			}
			q2Results := 0
			for _, u := range tr.UEs {
				if slices.ContainsFunc(u.Sessions, func(s projections.SittingView) bool { return s.Session == "Q2" }) {
					q2Results++
				}
			}
			if q2Results == 0 || len(tr.Decisions) < 2 {
				t.Errorf("%s sees %d UEs with Q2 results, %d decisions", a.ID, q2Results, len(tr.Decisions))
			}
			switch {
			case strings.Contains(a.What, "diplôme") && (tr.Degree == nil || tr.Degree.Mention == ""):
				t.Errorf("%s: no degree with a mention: %+v", a.ID, tr.Degree)
			case strings.Contains(a.What, "recours") && ueMark(tr, "1/11") != "11":
				t.Errorf("%s: 1/11 at %s after the appeal", a.ID, ueMark(tr, "1/11"))
			case strings.Contains(a.What, "repasse"):
				sh, err := e.hs.Sheet(ctx, account(t, d, "prof.lambert").Identity(), openSheet)
				if err != nil || !slices.ContainsFunc(sh.Rows, func(r handlers.SheetRow) bool { return r.Matricule == a.ID }) {
					t.Errorf("%s is not on the open Q3 sheet (%v)", a.ID, err)
				}
			}
		}
	}
	for _, r := range auth.Roles() {
		if roles[r] == 0 {
			t.Errorf("no %s account", r)
		}
	}
	if roles[auth.Teacher] < 3 || roles[auth.Jury] < 5 || roles[auth.Student] < 2 {
		t.Errorf("accounts by role: %v", roles)
	}
}

func ueMark(tr projections.Transcript, ue string) string {
	for _, u := range tr.UEs {
		if u.Code == ue && u.Mark != nil {
			return u.Mark.String()
		}
	}
	return "-"
}

// TestNewcomer takes the newcomer's path: the teacher fills the open Q3
// sheet and submits it; the president opens the Q3 deliberation.
func TestNewcomer(t *testing.T) {
	t.Parallel()
	e := start(t)
	d := e.load(t, demo.Options{})
	ctx := t.Context()
	prof := account(t, d, "prof.lambert").Identity()
	pres := account(t, d, "jury.delvaux").Identity()

	// Before the sheet is submitted, the jury cannot open (without override).
	var all []string
	for _, a := range d.Accounts {
		if slices.Contains(a.Roles, auth.Jury) {
			all = append(all, a.ID)
		}
	}
	if _, err := e.hs.OpenDeliberation(ctx, pres, "", q3, handlers.Opening{Present: all}); err == nil {
		t.Fatal("Q3 opened with the sheet of " + demo.OpenUE + " not submitted")
	}
	sh, err := e.hs.Sheet(ctx, prof, openSheet)
	if err != nil {
		t.Fatal(err)
	}
	var in []handlers.EntryInput
	for _, row := range sh.Rows {
		for _, col := range sh.Columns {
			if _, locked := row.Locked[col.Key]; !locked {
				in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: "12"})
			}
		}
	}
	if _, err := e.hs.RecordEntries(ctx, prof, "", openSheet, handlers.SourceForm, in); err != nil {
		t.Fatal(err)
	}
	if got, err := e.hs.SubmitSheet(ctx, prof, "", openSheet); err != nil || got.Missing != 0 {
		t.Fatalf("submit: %+v, %v", got, err)
	}
	if _, err := e.hs.OpenDeliberation(ctx, pres, "", q3, handlers.Opening{Present: all}); err != nil {
		t.Fatal(err)
	}
	v, err := e.hs.Deliberation(ctx, pres, q3, handlers.ViewQuery{})
	if err != nil || v.Status != projections.Open || len(v.Students) == 0 || !v.Opened.Quorum.Met {
		t.Fatalf("Q3: %s, %d students, %v", v.Status, len(v.Students), err)
	}
	for _, s := range v.Students {
		if s.Proposed == "" {
			t.Errorf("Q3: no proposal for %s", s.Student.Matricule)
		}
	}
	// A restart still recognises the demo.
	if _, ok, err := demo.Loaded(ctx, e.hs); !ok || err != nil {
		t.Errorf("Loaded after the newcomer's work: %t, %v", ok, err)
	}
}

// TestDeterministic: a seed gives the same students and marks on any log.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	var runs [3][]string
	for i, seed := range []int64{7, 7, 8} {
		e := start(t)
		e.load(t, demo.Options{Seed: seed, Students: 20})
		runs[i] = record(t, e)
	}
	if diff := cmp.Diff(runs[0], runs[1]); diff != "" {
		t.Errorf("two loads of seed 7 differ:\n%s", diff)
	}
	if cmp.Equal(runs[0], runs[2]) {
		t.Error("seeds 7 and 8 give the same cohort")
	}
}

// record is every student with their results of the year.
func record(t *testing.T, e env) []string {
	t.Helper()
	secr := auth.Identity{ID: "secr.dubois", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	var out []string
	for _, s := range e.hs.Cohort.Directory("", 0) {
		tr, err := e.hs.Transcript(t.Context(), secr, s.Matricule, demo.Year, handlers.ViewQuery{})
		if err != nil {
			t.Fatal(err)
		}
		ues, _ := json.Marshal(tr.UEs)
		out = append(out, s.Matricule+" "+s.FirstName+" "+s.LastName+" "+s.Email+" "+string(ues))
	}
	return out
}

// TestRefused: Load wants an empty log and the demo's clock; Loaded does
// not mistake another log for the demo.
func TestRefused(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := t.Context()
	if _, ok, err := demo.Loaded(ctx, e.hs); ok || err != nil {
		t.Errorf("Loaded on an empty log: %t, %v", ok, err)
	}
	if _, err := demo.Load(ctx, e.hs, &clock.Clock{}, demo.Options{}); err == nil || !strings.Contains(err.Error(), "clock") {
		t.Errorf("load on another clock: %v", err)
	}
	if _, err := demo.Load(ctx, e.hs, e.clock, demo.Options{Students: 5}); err == nil {
		t.Error("load of 5 students: no error")
	}
	secr := auth.Identity{ID: "someone", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	if _, err := e.hs.RegisterStudent(ctx, secr, "", handlers.Registration{Matricule: "HE000001", FirstName: "A", LastName: "B", Email: "a.b@example.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, e.hs, e.clock, demo.Options{}); err == nil || !strings.Contains(err.Error(), "1 student") {
		t.Errorf("load on a log with a student: %v", err)
	}
	if _, ok, err := demo.Loaded(ctx, e.hs); ok || err != nil {
		t.Errorf("Loaded on a log without the demo: %t, %v", ok, err)
	}
}

// TestTimeline: with the log stamping records on the demo's clock too (as
// `serve --demo` must open it), the facts fall on the demo's calendar, in
// order, before Present. The server syncs every write, like production:
// the load time logged is the one a newcomer waits.
func TestTimeline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clock := &clock.Clock{}
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.ServerIn(t, t.TempDir(), false)), eventlog.JetStreamConfig{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := handlers.New(l)
	hs.Now = clock.Now
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Views.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	cat, rs := gradetest.Shipped(t)
	clock.Set(time.Date(2025, 8, 25, 9, 0, 0, 0, time.UTC))
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		t.Fatal(err)
	}
	e := env{hs: hs, log: l, clock: clock}
	d := e.load(t, demo.Options{})
	var last time.Time
	err = l.Scan(ctx, 0, false, func(s eventlog.Stored) error {
		rec, err := eventlog.Decode(s)
		if err != nil {
			return err
		}
		if rec.RecordedAt.Before(last) || !rec.RecordedAt.Before(d.Present) {
			t.Errorf("record %d (%s) recorded at %s, after %s, before %s?", rec.Position, rec.Type, rec.RecordedAt, last, d.Present)
		}
		last = rec.RecordedAt
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := hs.Sheet(ctx, account(t, d, auth.Secretariat).Identity(), handlers.SheetRef{Year: demo.Year, Session: catalog.Q2, UE: "1/11"})
	if err != nil || sh.SubmittedAt.Year() != 2026 || sh.SubmittedAt.Month() != time.June {
		t.Errorf("1/11 Q2 submitted at %s (%v)", sh.SubmittedAt, err)
	}
}
