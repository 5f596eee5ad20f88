package projections_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// TestLiveEqualsRebuild drives the real command handlers with random
// command sequences (most valid, some refused), then checks invariant 5:
// the live views, fed record by record while the commands ran, equal a full
// rebuild from the log, byte for byte; a second rebuild gives the same
// bytes again; and a snapshot restored from the live views encodes back to
// the same bytes and answers the same transcripts.
func TestLiveEqualsRebuild(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	steps := 250
	if testing.Short() {
		seeds, steps = seeds[:2], 120
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			env := gradetest.Start(t, true)
			d := newDriver(t, env, seed)
			for range steps {
				d.step()
			}
			if d.decisions == 0 {
				t.Fatalf("no jury decision was recorded: the driver tests too little")
			}
			if d.accepted < steps/3 {
				t.Fatalf("only %d of %d random commands were accepted: the driver tests too little", d.accepted, steps)
			}
			ctx := t.Context()
			if err := env.Handlers.Views.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			live := snapshot(t, env.Handlers.Cohort)
			for i := range 2 {
				fresh := projections.NewCohort()
				if err := fresh.Replay(ctx, env.Log, 0, nil); err != nil {
					t.Fatal(err)
				}
				if got := snapshot(t, fresh); !bytes.Equal(got, live) {
					t.Fatalf("rebuild %d differs from the live views after %d commands (%d accepted):\n%s",
						i+1, steps, d.accepted, firstDifference(got, live))
				}
			}
			restored, _, err := projections.Restore(live)
			if err != nil {
				t.Fatal(err)
			}
			if got := snapshot(t, restored); !bytes.Equal(got, live) {
				t.Fatalf("restored snapshot encodes differently:\n%s", firstDifference(got, live))
			}
			for _, mat := range d.students {
				want, err1 := env.Handlers.Cohort.Transcript(mat, gradetest.Year)
				got, err2 := restored.Transcript(mat, gradetest.Year)
				if err1 != nil || err2 != nil || !bytes.Equal(mustJSON(t, got), mustJSON(t, want)) {
					t.Fatalf("transcript of %s from the restored snapshot differs (%v, %v)", mat, err1, err2)
				}
			}
			// The deliberation views read during the run (and kept, see
			// deliberationCache) answer as freshly computed ones, and
			// changing what one read returned changes no later read.
			for _, s := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
				want, err1 := fresh(t, env).Deliberation("MIAS", gradetest.Year, s)
				_, _ = env.Handlers.Cohort.Deliberation("MIAS", gradetest.Year, s) // kept, if it was not
				got, err2 := env.Handlers.Cohort.Deliberation("MIAS", gradetest.Year, s)
				if err1 != nil || err2 != nil || !bytes.Equal(mustJSON(t, got), mustJSON(t, want)) {
					t.Fatalf("live deliberation view of %s differs from a rebuild's (%v, %v):\n%s", s, err1, err2, firstDifference(mustJSON(t, got), mustJSON(t, want)))
				}
				if len(got.Students) > 0 {
					got.Students[0].Status = "changed by a reader"
					if again, _ := env.Handlers.Cohort.Deliberation("MIAS", gradetest.Year, s); again.Students[0].Status != want.Students[0].Status {
						t.Fatalf("a reader's change to the deliberation view of %s shows in the next read: %q", s, again.Students[0].Status)
					}
				}
			}
			t.Logf("%d commands, %d accepted, %d decisions, %d students, log at %d, snapshot %d bytes", steps, d.accepted, d.decisions, len(d.students),
				env.Handlers.Cohort.Position(), len(live))
		})
	}
}

// driver issues random commands through the handlers.
type driver struct {
	t        *testing.T
	env      *gradetest.Env
	rnd      *rand.Rand
	students []string
	paes     map[string][]string
	ues      []catalog.UE
	accepted int
	// decisions counts the jury decisions recorded.
	decisions int
}

var secretariat = auth.Identity{ID: "sec.prop", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}

func newDriver(t *testing.T, env *gradetest.Env, seed uint64) *driver {
	d := &driver{t: t, env: env, rnd: rand.New(rand.NewPCG(seed, 2025)), paes: map[string][]string{}}
	for _, ue := range env.Catalog.UEs {
		if ue.Kind == catalog.Core && ue.Bloc == 1 {
			d.ues = append(d.ues, ue)
		}
	}
	for _, s := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		d.ok(env.Handlers.ScheduleSession(t.Context(), secretariat, "", gradetest.Year, s, handlers.Schedule{}))
	}
	d.ok(env.Handlers.ConstituteJury(t.Context(), secretariat, "", "MIAS", gradetest.Year, handlers.JuryInput{
		President: president.ID, Secretary: "jury.b", Members: []events.JuryMember{
			{ID: president.ID, Name: "A", Institution: "HELMo"}, {ID: "jury.b", Name: "B", Institution: "HEPL"},
			{ID: "jury.c", Name: "C", Institution: "HELMo"}, {ID: "jury.d", Name: "D", Institution: "HEPL"},
			{ID: "jury.e", Name: "E", Institution: "HELMo"}}}))
	return d
}

var president = auth.Identity{ID: "jury.a", Roles: []string{auth.Jury}}

// deliberate takes a random step of a random session's deliberation:
// open (with the president's override), decide a student on the dossier
// shown (granting or refusing what is to deliberate), close, publish,
// appeal, decide an appeal.
func (d *driver) deliberate() {
	ctx, hs := d.t.Context(), d.env.Handlers
	ref := handlers.DeliberationRef{Programme: "MIAS", Year: gradetest.Year, Session: string([]catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}[d.rnd.IntN(3)])}
	mat := d.students[d.rnd.IntN(len(d.students))]
	switch n := d.rnd.IntN(10); {
	case n < 2:
		d.ok(hs.OpenDeliberation(ctx, president, "", ref, handlers.Opening{Present: []string{"jury.a", "jury.b", "jury.c", "jury.d", "jury.e"},
			Override: "sheets pending"}))
	case n < 6:
		dos, err := hs.Cohort.Dossier(mat, ref.Year, catalog.Session(ref.Session))
		if err != nil {
			return
		}
		in := handlers.DecisionInput{Student: mat, RecordVersion: dos.RecordVersion, Motivation: "motivated"}
		for _, u := range dos.Proposal.UEs {
			if u.Status == rules.ToDeliberate || u.Status == rules.NotAcquired && d.rnd.IntN(4) == 0 {
				in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: d.rnd.IntN(2) == 0, Motivation: "motivated"})
			}
		}
		if _, err := hs.RecordDecision(ctx, president, "", ref, in); err == nil {
			d.accepted++
			d.decisions++
		}
	case n < 7:
		d.ok(hs.CloseDeliberation(ctx, president, "", ref))
	case n < 8:
		d.ok(hs.PublishResults(ctx, secretariat, "", ref, d.env.Clock.Now()))
	case n < 9:
		d.ok(hs.FileAppeal(ctx, secretariat, "", ref, handlers.AppealInput{Student: mat, Grounds: "irregularity"}))
	default:
		v, err := hs.Cohort.Deliberation(ref.Programme, ref.Year, catalog.Session(ref.Session))
		if err == nil && len(v.Appeals) > 0 {
			a := v.Appeals[d.rnd.IntN(len(v.Appeals))]
			d.ok(hs.DecideAppeal(ctx, president, "", ref, a.ID, handlers.AppealVerdict{Upheld: d.rnd.IntN(2) == 0, Motivation: "heard"}))
		}
	}
}

// fresh is a cohort rebuilt from env's log.
func fresh(t *testing.T, env *gradetest.Env) *projections.Cohort {
	t.Helper()
	c := projections.NewCohort()
	if err := c.Replay(t.Context(), env.Log, 0, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func (d *driver) ok(_ any, err error) {
	if err == nil {
		d.accepted++
	}
}

func (d *driver) step() {
	ctx, hs := d.t.Context(), d.env.Handlers
	if d.rnd.IntN(4) == 0 { // a jury page read between commands
		_, _ = hs.Cohort.Deliberation("MIAS", gradetest.Year, []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}[d.rnd.IntN(3)])
	}
	switch n := d.rnd.IntN(100); {
	case n < 8 || len(d.students) < 3:
		mat := fmt.Sprintf("HE%06d", len(d.students)+1)
		d.ok(hs.RegisterStudent(ctx, secretariat, "", handlers.Registration{Matricule: mat, FirstName: "Prénom",
			LastName: "Nom" + mat, Email: mat + "@student.helmo.be"}))
		d.ok(hs.AdmitStudent(ctx, secretariat, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true}))
		pae := d.pae()
		d.ok(hs.ValidatePAE(ctx, secretariat, "", mat, gradetest.Year, handlers.PAERequest{UEs: pae}))
		d.students, d.paes[mat] = append(d.students, mat), pae
	case n < 66:
		ref, input := d.entry()
		d.ok(hs.RecordEntries(ctx, secretariat, "", ref, handlers.SourceForm, []handlers.EntryInput{input}))
	case n < 80:
		d.deliberate()
	case n < 82:
		ref, input := d.entry() // the jury's correction after an upheld appeal, or refused
		d.ok(hs.RecordEntries(ctx, president, "", ref, handlers.SourceForm, []handlers.EntryInput{input}))
	case n < 88:
		d.ok(hs.SubmitSheet(ctx, secretariat, "", d.sheet()))
	case n < 94:
		d.ok(hs.ReopenSheet(ctx, secretariat, "", d.sheet(), "material error"))
	default:
		mat := d.students[d.rnd.IntN(len(d.students))]
		d.ok(hs.AmendPAE(ctx, secretariat, "", mat, gradetest.Year, handlers.Amendment{
			Added: []string{d.ues[d.rnd.IntN(len(d.ues))].Code}, Reason: "change of plan"}))
	}
}

// pae is a random set of bloc-1 UEs, co-requisites together.
func (d *driver) pae() []string {
	var out []string
	for _, ue := range d.ues {
		if d.rnd.IntN(3) > 0 {
			out = append(out, ue.Code)
		}
	}
	for _, pair := range [][2]string{{"1/11", "1/12"}} {
		if slices.Contains(out, pair[0]) != slices.Contains(out, pair[1]) {
			out = slices.DeleteFunc(out, func(c string) bool { return c == pair[0] || c == pair[1] })
		}
	}
	return out
}

func (d *driver) sheet() handlers.SheetRef {
	ue := d.ues[d.rnd.IntN(len(d.ues))]
	return handlers.SheetRef{Year: gradetest.Year, Session: ue.Sessions[d.rnd.IntN(len(ue.Sessions))], UE: ue.Code}
}

// entry is a random result for a random student on the sheet of one of
// their UEs (usually): a mark, a code, or (rarely) a cleared entry, with a
// reason in case the sheet was submitted once.
func (d *driver) entry() (handlers.SheetRef, handlers.EntryInput) {
	mat := d.students[d.rnd.IntN(len(d.students))]
	ref := d.sheet()
	if pae := d.paes[mat]; len(pae) > 0 && d.rnd.IntN(10) > 0 {
		ue, _ := d.env.Catalog.UE(pae[d.rnd.IntN(len(pae))])
		ref = handlers.SheetRef{Year: gradetest.Year, Session: ue.Sessions[d.rnd.IntN(len(ue.Sessions))], UE: ue.Code}
	}
	ue, _ := d.env.Catalog.UE(ref.UE)
	in := handlers.EntryInput{Student: mat, Reason: "correction after review"}
	if !ue.Integrated && len(ue.Activities) > 1 {
		in.Activity = ue.Activities[d.rnd.IntN(len(ue.Activities))].Title
	}
	switch n := d.rnd.IntN(20); {
	case n < 14:
		in.Value = fmt.Sprintf("%d.%d", d.rnd.IntN(21), 5*d.rnd.IntN(2))
	case n < 19:
		in.Value = []string{"ABS", "CM", "PP", "FR", "DISP"}[d.rnd.IntN(5)]
	}
	return ref, in
}

func snapshot(t *testing.T, c *projections.Cohort) []byte {
	t.Helper()
	b, err := c.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDifference shows where two encodings part.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d:\n got: ...%s\nwant: ...%s", i, a[from:min(len(a), i+200)], b[from:min(len(b), i+200)])
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
