package handlers_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// The students of the deliberated year ("dt": deliberation test).
const (
	dtA = "HE270001" // bloc 1, 12 everywhere: passes the year at Q2
	dtB = "HE270002" // bloc 1, 1/12 at 9: to deliberate at Q2
	dtD = "HE270004" // bloc 2 after the jury recognised bloc 1, 15 everywhere: completes the cycle
	dtX = "HE270009" // admitted without a PAE: a student of no session
)

var (
	dtSec  = auth.Identity{ID: "sec.dt", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	dtPres = dtJuror("jury.pres")
	dtSecr = dtJuror("jury.secr")
	dtM3   = dtJuror("jury.m3")
	dtM4   = dtJuror("jury.m4")
)

func dtJuror(id string) auth.Identity { return auth.Identity{ID: id, Roles: []string{auth.Jury}} }

func dtTeacher(ues ...string) auth.Identity {
	return auth.Identity{ID: "prof.dt", Roles: []string{auth.Teacher}, UEs: ues}
}

func dtStudent(mat string) auth.Identity {
	return auth.Identity{ID: mat, Roles: []string{auth.Student}}
}

// dtMembers is a joint jury of five (a new slice on every call).
func dtMembers() []events.JuryMember {
	return []events.JuryMember{
		{ID: "jury.pres", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/4", "2/9"}},
		{ID: "jury.secr", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9", "2/3"}},
		{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10", "2/1"}},
		{ID: "jury.m4", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12", "2/6"}},
		{ID: "jury.m5", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/8"}},
	}
}

func dtJuryInput(members []events.JuryMember) handlers.JuryInput {
	return handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: members}
}

func idsOf(ms []events.JuryMember) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// dtPlan is the plan of marks: what each student gets on each column.
func dtPlan(mat, ue, _ string) string {
	switch {
	case mat == dtB && ue == "1/12":
		return "9"
	case mat == dtD:
		return "15"
	}
	return "12"
}

func dtRef(s catalog.Session) handlers.DeliberationRef {
	return handlers.DeliberationRef{Programme: "MIAS", Year: gradetest.Year, Session: string(s)}
}

func dtAggregate(s catalog.Session) events.AggregateID {
	return events.DeliberationOf("MIAS", gradetest.Year, string(s))
}

func dtSheet(s catalog.Session, ue string) handlers.SheetRef {
	return handlers.SheetRef{Year: gradetest.Year, Session: s, UE: ue}
}

// Clock times, UTC (Brussels is two hours ahead in summer).
var (
	dtInQ2Exams   = time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC) // before the Q2 encoding deadline (2026-06-29)
	dtQ2Jury      = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)  // the Q2 deliberation day
	dtQ2Published = time.Date(2026, 7, 3, 8, 0, 0, 0, time.UTC)  // the calendar's Q2 publication day, 10:00 in Brussels
	dtQ2Appeals   = time.Date(2026, 7, 6, 10, 0, 0, 0, time.UTC) // within three working days of the publication
)

// dtYear is gradelog running one academic year, driven through the
// handlers.
type dtYear struct {
	t   *testing.T
	env *gradetest.Env
	hs  *handlers.Handlers
}

// in is y reporting to t (a subtest).
func (y dtYear) in(t *testing.T) *dtYear { y.t = t; return &y }

// newYear starts gradelog with the shipped documents and schedules the
// sessions with the ruleset's dates.
func newYear(t *testing.T, sessions ...catalog.Session) *dtYear {
	t.Helper()
	env := gradetest.Start(t, true)
	y := &dtYear{t: t, env: env, hs: env.Handlers}
	for _, s := range sessions {
		if _, err := y.hs.ScheduleSession(t.Context(), dtSec, "", gradetest.Year, s, handlers.Schedule{}); err != nil {
			t.Fatal(err)
		}
	}
	return y
}

func (y *dtYear) constituteJury(members []events.JuryMember) {
	y.t.Helper()
	if _, err := y.hs.ConstituteJury(y.t.Context(), dtSec, "", "MIAS", gradetest.Year, dtJuryInput(members)); err != nil {
		y.t.Fatalf("jury: %v", err)
	}
}

// admit registers and admits a student with the complements given.
func (y *dtYear) admit(mat string, complements ...string) {
	y.t.Helper()
	ctx := y.t.Context()
	if _, err := y.hs.RegisterStudent(ctx, dtSec, "", handlers.Registration{Matricule: mat, FirstName: "Étudiant", LastName: mat,
		Email: strings.ToLower(mat) + "@student.helmo.be"}); err != nil {
		y.t.Fatal(err)
	}
	if _, err := y.hs.AdmitStudent(ctx, dtSec, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social",
		HasBachelor: true, Complements: complements}); err != nil {
		y.t.Fatal(err)
	}
}

// recognise has the president recognise UEs of a student's prior studies.
func (y *dtYear) recognise(mat string, ues ...string) {
	y.t.Helper()
	for _, ue := range ues {
		if _, err := y.hs.RecogniseCredits(y.t.Context(), dtPres, "", mat, handlers.Recognition{Year: gradetest.Year, UE: ue,
			Basis: "master en sciences sociales (ULiège)", Reason: "contenus et acquis équivalents"}); err != nil {
			y.t.Fatalf("recognising %s for %s: %v", ue, mat, err)
		}
	}
}

// validatePAE gives an admitted student their programme of the year.
func (y *dtYear) validatePAE(mat string, ues ...string) {
	y.t.Helper()
	if _, err := y.hs.ValidatePAE(y.t.Context(), dtSec, "", mat, gradetest.Year, handlers.PAERequest{UEs: ues}); err != nil {
		y.t.Fatalf("PAE of %s: %v", mat, err)
	}
}

// enrol admits a student (with the complements among ues) and validates
// their PAE.
func (y *dtYear) enrol(mat string, ues ...string) {
	y.t.Helper()
	var complements []string
	for _, code := range ues {
		if ue, _ := y.env.Catalog.UE(code); ue.Kind == catalog.Complement {
			complements = append(complements, code)
		}
	}
	y.admit(mat, complements...)
	y.validatePAE(mat, ues...)
}

// bloc lists the programme UEs of a bloc.
func (y *dtYear) bloc(n int) []string {
	var out []string
	for _, ue := range y.env.Catalog.UEs {
		if ue.Kind == catalog.Core && ue.Bloc == n {
			out = append(out, ue.Code)
		}
	}
	return out
}

// enterMarks enters plan's value ("" for none) on every column of every
// sheet of the session with students due, as the UE's teacher.
func (y *dtYear) enterMarks(s catalog.Session, plan func(mat, ue, activity string) string) {
	y.t.Helper()
	ctx := y.t.Context()
	for _, ue := range y.env.Catalog.UEs {
		if !ue.HasSession(s) {
			continue
		}
		ref := dtSheet(s, ue.Code)
		sheet, err := y.hs.Sheet(ctx, dtSec, ref)
		if err != nil {
			y.t.Fatal(err)
		}
		var in []handlers.EntryInput
		for _, row := range sheet.Rows {
			for _, col := range sheet.Columns {
				if _, locked := row.Locked[col.Key]; locked {
					continue
				}
				if v := plan(row.Matricule, ue.Code, col.Key); v != "" {
					in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: v})
				}
			}
		}
		if len(in) == 0 {
			continue
		}
		if _, err := y.hs.RecordEntries(ctx, dtTeacher(ue.Code), "", ref, handlers.SourceForm, in); err != nil {
			y.t.Fatalf("marks of %s: %v", ref, err)
		}
	}
}

// submitSheets submits every sheet of the session with students due, as
// the UE's teacher.
func (y *dtYear) submitSheets(s catalog.Session) {
	y.t.Helper()
	ctx := y.t.Context()
	for _, ue := range y.env.Catalog.UEs {
		if !ue.HasSession(s) {
			continue
		}
		ref := dtSheet(s, ue.Code)
		sheet, err := y.hs.Sheet(ctx, dtSec, ref)
		if err != nil {
			y.t.Fatal(err)
		}
		if len(sheet.Rows) == 0 {
			continue
		}
		if _, err := y.hs.SubmitSheet(ctx, dtTeacher(ue.Code), "", ref); err != nil {
			y.t.Fatalf("submitting %s: %v", ref, err)
		}
	}
}

// open opens a session's deliberation as the president.
func (y *dtYear) open(s catalog.Session, present ...string) {
	y.t.Helper()
	if _, err := y.hs.OpenDeliberation(y.t.Context(), dtPres, "", dtRef(s), handlers.Opening{Present: present}); err != nil {
		y.t.Fatalf("opening %s: %v", s, err)
	}
}

// version is the record version of the dossier the jury is shown.
func (y *dtYear) version(mat string, s catalog.Session) uint64 {
	y.t.Helper()
	d, err := y.hs.Dossier(y.t.Context(), dtPres, mat, gradetest.Year, string(s), handlers.ViewQuery{})
	if err != nil {
		y.t.Fatal(err)
	}
	return d.RecordVersion
}

// decide records a decision on the version of the dossier shown now.
func (y *dtYear) decide(by auth.Identity, s catalog.Session, in handlers.DecisionInput) handlers.Decided {
	y.t.Helper()
	in.RecordVersion = y.version(in.Student, s)
	got, err := y.hs.RecordDecision(y.t.Context(), by, "", dtRef(s), in)
	if err != nil {
		y.t.Fatalf("decision on %s: %v", in.Student, err)
	}
	return got
}

// decideEveryone decides every undecided student of the session as the
// president, granting the UEs proposed to deliberate.
func (y *dtYear) decideEveryone(s catalog.Session) {
	y.t.Helper()
	ctx := y.t.Context()
	dv, err := y.hs.Deliberation(ctx, dtPres, dtRef(s), handlers.ViewQuery{})
	if err != nil {
		y.t.Fatal(err)
	}
	for _, st := range dv.Students {
		if st.Decision != nil {
			continue
		}
		in := handlers.DecisionInput{Student: st.Student.Matricule}
		for _, ue := range st.ToDeliberate {
			in.Grants = append(in.Grants, handlers.GrantInput{UE: ue, Granted: true, Motivation: "dans les critères publiés"})
		}
		y.decide(dtPres, s, in)
	}
}

func (y *dtYear) closeSession(s catalog.Session) {
	y.t.Helper()
	if _, err := y.hs.CloseDeliberation(y.t.Context(), dtPres, "", dtRef(s)); err != nil {
		y.t.Fatalf("closing %s: %v", s, err)
	}
}

// publish publishes a closed session's results at the calendar's date and
// returns the publication record.
func (y *dtYear) publish(s catalog.Session) events.Record {
	y.t.Helper()
	got, err := y.hs.PublishResults(y.t.Context(), dtSec, "", dtRef(s), time.Time{})
	if err != nil || len(got.Records) != 1 {
		y.t.Fatalf("publishing %s: %v, %d records", s, err, len(got.Records))
	}
	return got.Records[0]
}

// records are the records of an aggregate.
func (y *dtYear) records(a events.AggregateID) []events.Record {
	y.t.Helper()
	h, err := y.env.Log.Load(y.t.Context(), a, eventlog.Until{})
	if err != nil {
		y.t.Fatal(err)
	}
	return h.Records
}

// opening is the DeliberationOpened record of a session, read back from
// the log.
func (y *dtYear) opening(s catalog.Session) events.DeliberationOpened {
	y.t.Helper()
	for _, r := range y.records(dtAggregate(s)) {
		if e, ok := r.Event.(events.DeliberationOpened); ok {
			return e
		}
	}
	y.t.Fatalf("no deliberation.opened record for %s", s)
	return events.DeliberationOpened{}
}

// last is the log's last position.
func (y *dtYear) last() uint64 {
	y.t.Helper()
	p, err := y.env.Log.LastPosition(y.t.Context())
	if err != nil {
		y.t.Fatal(err)
	}
	return p
}

var reasonNames = map[handlers.Reason]string{handlers.Invalid: "Invalid", handlers.NotFound: "NotFound",
	handlers.Forbidden: "Forbidden", handlers.Conflict: "Conflict", handlers.Unavailable: "Unavailable"}

// refused runs a command that must be refused for reason with a problem
// naming field, and checks that the log did not move. It returns the
// refusal (nil if there was none).
func (y *dtYear) refused(what string, reason handlers.Reason, field string, command func() error) *handlers.Refusal {
	y.t.Helper()
	before := y.last()
	err := command()
	var r *handlers.Refusal
	switch {
	case !errors.As(err, &r):
		y.t.Errorf("%s: got %v, want a refusal (%s naming %q)", what, err, reasonNames[reason], field)
	case r.Reason != reason || !slices.ContainsFunc(r.Problems, func(p handlers.Problem) bool { return p.Field == field }):
		y.t.Errorf("%s: refused as %s with %v, want %s naming %q", what, reasonNames[r.Reason], r.Problems, reasonNames[reason], field)
	}
	if after := y.last(); after != before {
		y.t.Errorf("%s: refused, yet the log moved from %d to %d", what, before, after)
	}
	return r
}

// markedYear is the Q2 session of students A, B and D (and X, admitted
// without a PAE) with the jury constituted, the marks of the plan entered
// and every sheet submitted; the clock is on the deliberation day.
func markedYear(t *testing.T) *dtYear {
	t.Helper()
	y := newYear(t, catalog.Q2, catalog.Q3)
	y.constituteJury(dtMembers())
	y.env.Clock.Set(dtInQ2Exams)
	y.enrol(dtA, y.bloc(1)...)
	y.enrol(dtB, y.bloc(1)...)
	y.admit(dtD)
	y.recognise(dtD, y.bloc(1)...)
	y.validatePAE(dtD, y.bloc(2)...)
	y.admit(dtX)
	y.enterMarks(catalog.Q2, dtPlan)
	y.submitSheets(catalog.Q2)
	y.env.Clock.Set(dtQ2Jury)
	return y
}

// deliberatingYear is markedYear with the Q2 deliberation opened by the
// president, every member present.
func deliberatingYear(t *testing.T) *dtYear {
	t.Helper()
	y := markedYear(t)
	y.open(catalog.Q2, idsOf(dtMembers())...)
	return y
}

// TestQuorumAtOpening: the quorum is more than half of the members
// teaching a compulsory UE (programme, with credits) with entries in the
// session, every member when none does; the president is present; what
// was found is recorded at opening.
func TestQuorumAtOpening(t *testing.T) {
	// In Q1 the student has entries in 1/1 (an admission complement), 1/4,
	// 1/5 and 1/6; 1/7's sheet is submitted without any; 1/9 is examined
	// in Q2 only. By default pres, secr and m3 teach a UE evaluated in Q1.
	teaches := map[string][]string{"jury.pres": {"1/4"}, "jury.secr": {"1/5"}, "jury.m3": {"1/6"},
		"jury.m4": {"1/1"}, "jury.m5": {"1/9"}, "jury.m6": {"1/7"}}
	none := map[string][]string{"jury.pres": {"1/9"}, "jury.secr": {"1/10"}, "jury.m3": {"1/11"},
		"jury.m4": {"1/12"}, "jury.m5": nil, "jury.m6": {"2/1"}}
	everyone := []string{"jury.pres", "jury.secr", "jury.m3", "jury.m4", "jury.m5", "jury.m6"}
	cases := []struct {
		name    string
		teaches map[string][]string // changes to teaches
		present []string
		want    events.Quorum // recorded, when it opens
		refused string        // words of the rule, when refused
	}{
		{name: "two of the three teaching", present: []string{"jury.pres", "jury.secr"},
			want: events.Quorum{Required: 2, Present: 2, Met: true}},
		{name: "everyone present", present: everyone,
			want: events.Quorum{Required: 2, Present: 3, Met: true}},
		{name: "members teaching no UE with entries do not count", present: []string{"jury.pres", "jury.m4", "jury.m5", "jury.m6"},
			refused: "quorum not met: 1 of"},
		{name: "half of four is not more than half", teaches: map[string][]string{"jury.m6": {"1/4", "1/7"}},
			present: []string{"jury.pres", "jury.secr", "jury.m4", "jury.m5"}, refused: "quorum not met: 2 of"},
		{name: "three of four", teaches: map[string][]string{"jury.m6": {"1/4", "1/7"}},
			present: []string{"jury.pres", "jury.secr", "jury.m6"}, want: events.Quorum{Required: 3, Present: 3, Met: true}},
		{name: "the president absent", present: []string{"jury.secr", "jury.m3", "jury.m4"},
			refused: "the president (jury.pres)"},
		{name: "someone not of the jury", present: []string{"jury.pres", "jury.secr", "jury.intrus"},
			refused: "not a member"},
		{name: "every member counts when none teaches an evaluated UE", teaches: none,
			present: []string{"jury.pres", "jury.secr", "jury.m3"}, refused: "quorum not met: 3 of"},
		{name: "four of six when none teaches an evaluated UE", teaches: none,
			present: []string{"jury.pres", "jury.secr", "jury.m3", "jury.m4"}, want: events.Quorum{Required: 4, Present: 4, Met: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := newYear(t, catalog.Q1)
			members := append(dtMembers(), events.JuryMember{ID: "jury.m6", Name: "Paul Hansen", Institution: "HEPL"})
			for i := range members {
				members[i].Teaches = teaches[members[i].ID]
				if ues, ok := c.teaches[members[i].ID]; ok {
					members[i].Teaches = ues
				}
			}
			y.constituteJury(members)
			y.enrol(dtA, "1/1", "1/4", "1/5", "1/6", "1/7", "1/9")
			y.enterMarks(catalog.Q1, func(_, ue, _ string) string {
				if ue == "1/7" {
					return "" // the sheet is submitted empty
				}
				return "12"
			})
			y.submitSheets(catalog.Q1)
			open := func() error {
				_, err := y.hs.OpenDeliberation(t.Context(), dtPres, "", dtRef(catalog.Q1), handlers.Opening{Present: c.present})
				return err
			}
			if c.refused != "" {
				if r := y.refused("opening", handlers.Invalid, "present", open); r != nil && !strings.Contains(r.Error(), c.refused) {
					t.Errorf("opening refused with %v, want the rule saying %q", r, c.refused)
				}
				return
			}
			if err := open(); err != nil {
				t.Fatalf("opening: %v", err)
			}
			if got := y.opening(catalog.Q1); got.Quorum != c.want || !slices.Equal(got.MembersPresent, c.present) {
				t.Errorf("recorded quorum %+v with %v present, want %+v with %v", got.Quorum, got.MembersPresent, c.want, c.present)
			}
		})
	}
}

// TestJuryConstitutionRefusals: a jury of fewer than five, of one
// institution, without its president or secretary among its members, with
// a member twice, an unknown institution or UE is refused, naming the
// field; constituting the same jury again writes nothing.
func TestJuryConstitutionRefusals(t *testing.T) {
	y := newYear(t)
	constitute := func(id auth.Identity, in handlers.JuryInput) func() error {
		return func() error {
			_, err := y.hs.ConstituteJury(t.Context(), id, "", "MIAS", gradetest.Year, in)
			return err
		}
	}
	cases := []struct {
		name, field, rule string
		change            func(in *handlers.JuryInput)
	}{
		{"fewer than five members", "members", "at least 5 members", func(in *handlers.JuryInput) { in.Members = in.Members[:4] }},
		{"a single institution", "members", "joint", func(in *handlers.JuryInput) {
			for i := range in.Members {
				in.Members[i].Institution = "HELMo"
			}
		}},
		{"a president who is not a member", "president", "one of the jury's members", func(in *handlers.JuryInput) { in.President = "jury.intrus" }},
		{"the president as secretary", "secretary", "not the president", func(in *handlers.JuryInput) { in.Secretary = in.President }},
		{"a member listed twice", "members[5].id", "listed twice", func(in *handlers.JuryInput) {
			in.Members = append(in.Members, events.JuryMember{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HEPL"})
		}},
		{"an unknown institution", "members[2].institution", "not an institution", func(in *handlers.JuryInput) { in.Members[2].Institution = "ULiège" }},
		{"an unknown UE taught", "members[1].teaches", "no such UE", func(in *handlers.JuryInput) { in.Members[1].Teaches = []string{"1/9", "3/1"} }},
	}
	for _, c := range cases {
		in := dtJuryInput(dtMembers())
		c.change(&in)
		if r := y.refused(c.name, handlers.Invalid, c.field, constitute(dtSec, in)); r != nil && !strings.Contains(r.Error(), c.rule) {
			t.Errorf("%s: refused with %v, want the rule saying %q", c.name, r, c.rule)
		}
	}
	y.refused("constituted by a teacher", handlers.Forbidden, "role", constitute(dtTeacher("1/4"), dtJuryInput(dtMembers())))

	before := y.last()
	if err := constitute(dtSec, dtJuryInput(dtMembers()))(); err != nil {
		t.Fatal(err)
	}
	if after := y.last(); after != before+1 {
		t.Fatalf("constituting the jury: the log moved from %d to %d, want one record", before, after)
	}
	// The same jury again, as typed with stray spaces: nothing new.
	again := dtJuryInput(dtMembers())
	again.President, again.Members[3].Name = " jury.pres ", " Luc Wathelet "
	for _, in := range []handlers.JuryInput{dtJuryInput(dtMembers()), again} {
		got, err := y.hs.ConstituteJury(t.Context(), dtSec, "", "MIAS", gradetest.Year, in)
		if err != nil || len(got.Records) != 0 {
			t.Errorf("the same jury again: %d records, %v", len(got.Records), err)
		}
	}
	if after := y.last(); after != before+1 {
		t.Errorf("the same jury again moved the log from %d to %d", before+1, after)
	}
}

// TestOpeningDeliberation: sheets not submitted block the opening unless
// the president overrides it with a recorded reason; the secretary may
// not override; a plain member may not open; a deliberation opens once.
func TestOpeningDeliberation(t *testing.T) {
	y := newYear(t, catalog.Q2)
	y.constituteJury(dtMembers())
	y.env.Clock.Set(dtInQ2Exams)
	y.enrol(dtA, y.bloc(1)...)
	y.enrol(dtB, y.bloc(1)...)
	y.enterMarks(catalog.Q2, dtPlan) // not submitted
	y.env.Clock.Set(dtQ2Jury)
	everyone := idsOf(dtMembers())
	open := func(by auth.Identity, in handlers.Opening) func() error {
		return func() error {
			_, err := y.hs.OpenDeliberation(t.Context(), by, "", dtRef(catalog.Q2), in)
			return err
		}
	}
	const reason = "les fiches sont complètes, seule la soumission manque (enseignant malade)"

	y.refused("sheets not submitted", handlers.Invalid, "sheets", open(dtPres, handlers.Opening{Present: everyone}))
	y.refused("the secretary overriding", handlers.Forbidden, "actor", open(dtSecr, handlers.Opening{Present: everyone, Override: reason}))
	y.refused("a plain member opening", handlers.Forbidden, "actor", open(dtM3, handlers.Opening{Present: everyone}))

	if err := open(dtPres, handlers.Opening{Present: everyone, Override: "  " + reason + " "})(); err != nil {
		t.Fatalf("the president overriding: %v", err)
	}
	if got := y.opening(catalog.Q2); got.Override != reason || !got.Quorum.Met || !slices.Equal(got.MembersPresent, everyone) {
		t.Errorf("opened with override %q, quorum %+v, present %v", got.Override, got.Quorum, got.MembersPresent)
	}
	y.refused("opening twice", handlers.Invalid, "session", open(dtPres, handlers.Opening{Present: everyone, Override: reason}))
}

// TestMentionOnCompletingTheCycle: the decision completing the cycle
// confers the proposed mention, or a higher one with a motivation
// (jury_may_raise), never a lower or unknown one; a mention without the
// degree is refused.
func TestMentionOnCompletingTheCycle(t *testing.T) {
	y := deliberatingYear(t)
	ref := dtRef(catalog.Q2)
	decide := func(mat, mention, motivation string) func() error {
		return func() error {
			_, err := y.hs.RecordDecision(t.Context(), dtPres, "", ref, handlers.DecisionInput{Student: mat,
				RecordVersion: y.version(mat, catalog.Q2), Mention: mention, Motivation: motivation})
			return err
		}
	}
	const why = "travail de fin d'études remarquable, publié"

	// D's cycle average is 15 (bloc 1 recognised, left out): distinction.
	y.refused("a mention below the proposed one", handlers.Invalid, "mention", decide(dtD, "satisfaction", why))
	y.refused("a higher mention without motivation", handlers.Invalid, "motivation", decide(dtD, "grande distinction", ""))
	y.refused("an unknown mention", handlers.Invalid, "mention", decide(dtD, "summa cum laude", why))
	y.refused("a mention for a student not completing the cycle", handlers.Invalid, "mention", decide(dtA, "distinction", why))

	got := y.decide(dtPres, catalog.Q2, handlers.DecisionInput{Student: dtD, Mention: "grande distinction", Motivation: why})
	if got.Outcome != string(rules.CycleCompleted) || got.Mention != "grande distinction" || got.Degree == nil || got.Degree.Mention != "grande distinction" {
		t.Fatalf("raised mention: %+v, degree %+v", got, got.Degree)
	}
	var decision *events.DecisionRecorded
	var degree *events.DegreeConferred
	for _, r := range y.records(dtAggregate(catalog.Q2)) {
		switch e := r.Event.(type) {
		case events.DecisionRecorded:
			decision = &e
		case events.DegreeConferred:
			degree = &e
		}
	}
	if decision == nil || decision.ProposedMention != "distinction" || decision.Mention != "grande distinction" || decision.Motivation != why {
		t.Errorf("the decision record: %+v", decision)
	}
	if degree == nil || degree.Student != dtD || degree.Mention != "grande distinction" || degree.Average != "15" || degree.Decision != got.ID {
		t.Errorf("the degree record: %+v (decision %s)", degree, got.ID)
	}
}

// TestDecisionRevisedBeforeClosing: a second decision on a student of an open
// deliberation says why, and supersedes the first, which stays on record.
func TestDecisionRevisedBeforeClosing(t *testing.T) {
	y := deliberatingYear(t)
	ref := dtRef(catalog.Q2)
	first := y.decide(dtSecr, catalog.Q2, handlers.DecisionInput{Student: dtA})
	y.refused("a second decision without motivation", handlers.Invalid, "motivation", func() error {
		_, err := y.hs.RecordDecision(t.Context(), dtPres, "", ref, handlers.DecisionInput{Student: dtA, RecordVersion: y.version(dtA, catalog.Q2)})
		return err
	})
	second := y.decide(dtPres, catalog.Q2, handlers.DecisionInput{Student: dtA, Motivation: "erreur matérielle dans la première décision"})
	if second.Supersedes != first.ID || second.ID == first.ID {
		t.Fatalf("the second decision %s supersedes %q, want %s", second.ID, second.Supersedes, first.ID)
	}

	tr, err := y.hs.Transcript(t.Context(), dtSec, dtA, gradetest.Year, handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]projections.Decision{}
	for _, d := range tr.Decisions {
		byID[d.ID] = d
	}
	if d, ok := byID[first.ID]; !ok || !d.Superseded || d.SupersededBy != second.ID {
		t.Errorf("the first decision on the record: %+v (found %t)", d, ok)
	}
	if d, ok := byID[second.ID]; !ok || d.Superseded || d.Motivation == "" {
		t.Errorf("the second decision on the record: %+v (found %t)", d, ok)
	}
	dv, err := y.hs.Deliberation(t.Context(), dtM3, ref, handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range dv.Students {
		if st.Student.Matricule == dtA && (st.Decision == nil || st.Decision.ID != second.ID) {
			t.Errorf("the deliberation shows A's decision %+v, want %s", st.Decision, second.ID)
		}
	}
	if dv.Decided != 1 {
		t.Errorf("the deliberation counts %d students decided, want 1", dv.Decided)
	}
}

// TestClosingPublishingAndAppeals: closing needs every student decided;
// publishing needs the deliberation closed; an appeal follows the
// publication's date, against a decision, one pending at a time; an
// appeal is decided once, with a motivation.
func TestClosingPublishingAndAppeals(t *testing.T) {
	y := deliberatingYear(t)
	ctx := t.Context()
	ref := dtRef(catalog.Q2)
	appeal := func(by auth.Identity, mat string) func() error {
		return func() error {
			_, err := y.hs.FileAppeal(ctx, by, "", ref, handlers.AppealInput{Student: mat, Grounds: "l'examen a commencé avec une heure de retard"})
			return err
		}
	}
	verdict := func(id string, v handlers.AppealVerdict) func() error {
		return func() error {
			_, err := y.hs.DecideAppeal(ctx, dtPres, "", ref, id, v)
			return err
		}
	}

	y.refused("publication before closing", handlers.Invalid, "session", func() error {
		_, err := y.hs.PublishResults(ctx, dtSec, "", ref, time.Time{})
		return err
	})
	y.decide(dtPres, catalog.Q2, handlers.DecisionInput{Student: dtA})
	y.decide(dtPres, catalog.Q2, handlers.DecisionInput{Student: dtD})
	if r := y.refused("closing with a student undecided", handlers.Invalid, "students", func() error {
		_, err := y.hs.CloseDeliberation(ctx, dtSecr, "", ref)
		return err
	}); r != nil && r.Problems[0].Value != dtB {
		t.Errorf("closing refused naming %q, want %s", r.Problems[0].Value, dtB)
	}
	y.decideEveryone(catalog.Q2)
	y.closeSession(catalog.Q2)

	y.refused("an appeal before any publication", handlers.Invalid, "session", appeal(dtStudent(dtA), dtA))
	y.publish(catalog.Q2) // for 2026-07-03; the clock says 2026-07-01
	y.refused("an appeal before the publication date", handlers.Invalid, "session", appeal(dtStudent(dtA), dtA))

	y.env.Clock.Set(dtQ2Appeals)
	y.refused("an appeal on a student without decision", handlers.Invalid, "student", appeal(dtSec, dtX))
	y.refused("an appeal for another student", handlers.Forbidden, "matricule", appeal(dtStudent(dtB), dtA))
	filed, err := y.hs.FileAppeal(ctx, dtStudent(dtA), "", ref, handlers.AppealInput{Student: dtA, Grounds: "l'examen de 1/4 a commencé avec une heure de retard"})
	if err != nil || len(filed.Records) != 1 {
		t.Fatalf("A's appeal: %v", err)
	}
	id := filed.Records[0].ID.String()
	y.refused("a second appeal while one is pending", handlers.Invalid, "student", appeal(dtSec, dtA))

	y.refused("a verdict without motivation", handlers.Invalid, "motivation", verdict(id, handlers.AppealVerdict{Upheld: true, Motivation: "  "}))
	y.refused("a verdict on no appeal", handlers.NotFound, "appeal", verdict("00000000-0000-0000-0000-000000000000",
		handlers.AppealVerdict{Motivation: "sans objet"}))
	if err := verdict(id, handlers.AppealVerdict{Upheld: false, Motivation: "le retard a été compensé par une heure supplémentaire"})(); err != nil {
		t.Fatalf("deciding the appeal: %v", err)
	}
	y.refused("deciding the appeal twice", handlers.Invalid, "appeal", verdict(id, handlers.AppealVerdict{Upheld: true, Motivation: "à la réflexion"}))
}

// TestFrozenSession: once the deliberation closed, the session's sheets
// take no entry, reopening, extension or submission; only a jury member
// corrects the marks of a student whose appeal was upheld, until a new
// decision answers it, whatever the encoding deadline.
func TestFrozenSession(t *testing.T) {
	y := deliberatingYear(t)
	ctx := t.Context()
	y.decideEveryone(catalog.Q2)
	y.closeSession(catalog.Q2)
	y.env.Clock.Set(dtQ2Jury.Add(24 * time.Hour)) // the encoding deadline (2026-06-29) passed
	sheet := dtSheet(catalog.Q2, "1/4")
	entry := func(by auth.Identity, mat, value string) func() error {
		return func() error {
			_, err := y.hs.RecordEntries(ctx, by, "", sheet, handlers.SourceForm, []handlers.EntryInput{
				{Student: mat, Value: value, Reason: "recours: question mal posée"}})
			return err
		}
	}

	y.refused("a teacher's entry", handlers.Invalid, "session", entry(dtTeacher("1/4"), dtA, "13"))
	y.refused("the secretariat's entry", handlers.Invalid, "session", entry(dtSec, dtA, "13"))
	y.refused("reopening a sheet", handlers.Invalid, "session", func() error {
		_, err := y.hs.ReopenSheet(ctx, dtSec, "", sheet, "erreur d'encodage signalée")
		return err
	})
	y.refused("extending a deadline", handlers.Invalid, "session", func() error {
		_, err := y.hs.ExtendDeadline(ctx, dtSec, "", sheet, handlers.Extension{Student: dtA,
			Until: time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC), Reason: "examen reporté"})
		return err
	})
	y.refused("submitting a sheet", handlers.Invalid, "session", func() error {
		_, err := y.hs.SubmitSheet(ctx, dtTeacher("1/4"), "", sheet)
		return err
	})
	y.refused("a jury member's correction without an appeal", handlers.Invalid, "session", entry(dtM4, dtA, "13"))

	// A appeals; the president upholds it.
	y.publish(catalog.Q2)
	y.env.Clock.Set(dtQ2Appeals)
	filed, err := y.hs.FileAppeal(ctx, dtStudent(dtA), "", dtRef(catalog.Q2), handlers.AppealInput{Student: dtA, UE: "1/4",
		Grounds: "la question 3 portait sur une matière non enseignée"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := y.hs.DecideAppeal(ctx, dtPres, "", dtRef(catalog.Q2), filed.Records[0].ID.String(),
		handlers.AppealVerdict{Upheld: true, Motivation: "la question 3 est neutralisée"}); err != nil {
		t.Fatal(err)
	}
	y.refused("a teacher's correction after the appeal", handlers.Invalid, "session", entry(dtTeacher("1/4"), dtA, "13"))
	y.refused("a jury member's correction for a student without appeal", handlers.Invalid, "session", entry(dtM4, dtB, "13"))

	before := y.last()
	got, err := y.hs.RecordEntries(ctx, dtM4, "", sheet, handlers.SourceForm, []handlers.EntryInput{
		{Student: dtA, Value: "13", Reason: "recours fondé: question 3 neutralisée"}})
	if err != nil || len(got.Results) != 1 || got.Results[0].Outcome != handlers.Saved {
		t.Fatalf("the jury's correction after the upheld appeal: %+v, %v", got, err)
	}
	if after := y.last(); after != before+1 {
		t.Errorf("the correction moved the log from %d to %d, want one record", before, after)
	}
	recs := y.records(events.SheetOf(gradetest.Year, "Q2", "1/4"))
	if c, ok := recs[len(recs)-1].Event.(events.MarkCorrected); !ok || c.Student != dtA || c.Previous.Mark != "12" || c.Entry.Mark != "13" || c.AuthorisedBy != dtM4.ID {
		t.Errorf("the correction's record: %+v", recs[len(recs)-1].Event)
	}

	// The new decision answers the appeal: the session is frozen again.
	y.decide(dtPres, catalog.Q2, handlers.DecisionInput{Student: dtA, Motivation: "nouvelle délibération après recours fondé"})
	y.refused("a jury member's correction once the appeal is answered", handlers.Invalid, "session", entry(dtM4, dtA, "14"))
}

// TestPublicationEmbargo: a student sees nothing before results are
// published and their date has come; then their record as the log held
// it at the publication.
func TestPublicationEmbargo(t *testing.T) {
	y := deliberatingYear(t)
	transcript := func() (projections.Transcript, error) {
		return y.hs.Transcript(t.Context(), dtStudent(dtA), dtA, gradetest.Year, handlers.ViewQuery{})
	}
	read := func() error { _, err := transcript(); return err }

	y.refused("the transcript before any publication", handlers.NotFound, "results", read)
	y.decideEveryone(catalog.Q2)
	y.closeSession(catalog.Q2)
	y.refused("the transcript of a closed, unpublished session", handlers.NotFound, "results", read)
	pub := y.publish(catalog.Q2) // for 2026-07-03; the clock says 2026-07-01
	y.refused("the transcript before the publication date", handlers.NotFound, "results", read)

	y.env.Clock.Set(dtQ2Published)
	tr, err := transcript()
	if err != nil {
		t.Fatalf("the transcript once published: %v", err)
	}
	if tr.AsOf == nil || tr.AsOf.Position != pub.Position {
		t.Errorf("the student's transcript is bound by %+v, want the publication's position %d", tr.AsOf, pub.Position)
	}
	if len(tr.Decisions) != 1 || tr.Decisions[0].Outcome != string(rules.YearPassed) {
		t.Errorf("the student sees the decisions %+v", tr.Decisions)
	}

	// Published again for a later date: until then the first publication
	// still holds.
	later, err := y.hs.PublishResults(t.Context(), dtSec, "", dtRef(catalog.Q2), dtQ2Published.AddDate(0, 0, 7))
	if err != nil || len(later.Records) != 1 {
		t.Fatalf("publish again: %v, %d records", err, len(later.Records))
	}
	if tr, err := transcript(); err != nil || tr.AsOf == nil || tr.AsOf.Position != pub.Position {
		t.Errorf("before the second publication's date: %v, bound %+v, want %d", err, tr.AsOf, pub.Position)
	}
	y.env.Clock.Set(dtQ2Published.AddDate(0, 0, 8))
	if tr, err := transcript(); err != nil || tr.AsOf == nil || tr.AsOf.Position != later.Records[0].Position {
		t.Errorf("after the second publication's date: %v, bound %+v, want %d", err, tr.AsOf, later.Records[0].Position)
	}
}

// TestWhatIfRefusals: a what-if's changes are checked like entries and
// refused naming the field; other criteria keep the ruleset's values for
// those left out. Nothing is written either way.
func TestWhatIfRefusals(t *testing.T) {
	y := markedYear(t)
	ref := dtRef(catalog.Q2)
	whatIf := func(in handlers.WhatIfInput) func() error {
		return func() error {
			_, err := y.hs.WhatIf(t.Context(), dtM3, ref, in, handlers.ViewQuery{})
			return err
		}
	}
	change := func(mat, ue, activity, value string) handlers.WhatIfInput {
		return handlers.WhatIfInput{Changes: []projections.Change{{Student: mat, UE: ue, Activity: activity, Value: value}}}
	}
	// A bad value on a valid activity is the value's fault, as
	// RecordEntries says for the same input on a sheet.
	cases := []struct {
		name, field string
		in          handlers.WhatIfInput
	}{
		{name: "an unknown UE", field: "changes[0].ue", in: change(dtA, "3/1", "", "12")},
		{name: "a student outside the session", field: "changes[0].student", in: change(dtX, "1/9", "Travaux pratiques", "12")},
		{name: "a student to show outside the session", field: "students[0]", in: handlers.WhatIfInput{Students: []string{dtX}}},
		{name: "an activity of an integrated UE", field: "changes[0].activity", in: change(dtA, "1/8", "Travaux pratiques", "12")},
		{name: "a value that is no mark", field: "changes[0].value", in: change(dtA, "1/9", "Travaux pratiques", "12,5,0")},
		{name: "a value that is no code", field: "changes[0].value", in: change(dtA, "1/9", "Travaux pratiques", "XYZ")},
		{name: "a mark off the scale", field: "changes[0].value", in: change(dtA, "1/9", "Travaux pratiques", "25")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y.in(t).refused(c.name, handlers.Invalid, c.field, whatIf(c.in))
		})
	}

	// Only the maximum deficit changes: B's 9 in 1/12 falls outside the
	// criteria; the other criteria stay the ruleset's.
	zero, err := rules.ParseMark("0")
	if err != nil {
		t.Fatal(err)
	}
	before := y.last()
	v, err := y.hs.WhatIf(t.Context(), dtM3, ref, handlers.WhatIfInput{Criteria: &handlers.Criteria{MaxDeficit: &zero}}, handlers.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"max_deficit 0", "max_failed_credits 15", "min_year_average 10"} {
		if !strings.Contains(v.Criteria, want) {
			t.Errorf("the what-if's criteria %q do not say %q", v.Criteria, want)
		}
	}
	var who []string
	for _, s := range v.Students {
		who = append(who, s.Student.Matricule)
	}
	if !slices.Equal(who, []string{dtA, dtB, dtD}) || v.Changed != 1 {
		t.Errorf("the what-if shows %v, %d changed; want every student of the session, B changed", who, v.Changed)
	}
	if after := y.last(); after != before {
		t.Errorf("the what-if moved the log from %d to %d", before, after)
	}

	// A single-activity UE's mark goes under the sheet's column "", as on
	// a sheet: it is the mark of the UE's only activity.
	v, err = y.hs.WhatIf(t.Context(), dtM3, ref, change(dtA, "1/4", "", "8"), handlers.ViewQuery{})
	if err != nil || len(v.Students) != 1 || len(v.Students[0].Changes) != 1 || v.Students[0].Changes[0].Activity == "" {
		t.Errorf("what-if on 1/4 under the column \"\": %v, %+v", err, v.Students)
	}
}
