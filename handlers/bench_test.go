package handlers_test

// Benchmarks of the command handlers as teachers use them, against raw
// JetStream in the same run, on the same embedded server, syncing every
// write like production (see internal/benchraw). Each reports
//
//	x-raw         our rate divided by the raw rate (1 = as fast as raw)
//	marks/s       our rate
//	raw-marks/s   the raw rate
//	ns/op         our time per operation
//
// Run them with
//
//	go test ./handlers/ -run '^$' -bench 'ImportSheet|ConcurrentTeachers' -benchtime=1s -count=3
//
// or, for a quick pass, -benchtime=3x (an op of BenchmarkImportSheet is one
// import, of BenchmarkConcurrentTeachers one mark). Every environment is set
// up (cohort registered, admitted, PAEs validated, sessions scheduled, files
// written) while the timer is stopped; BenchmarkImportSheet starts one
// gradelog per op, about 0.1 s each on two cores. Any refused command or
// mark fails the benchmark.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/sheetfile"
)

const (
	importRows   = 200 // students on the imported sheet
	teachers     = 50  // concurrent teachers in BenchmarkConcurrentTeachers
	enrolWorkers = 16  // concurrent secretaries enrolling a cohort
)

var (
	complements = []string{"1/1", "1/2", "1/3"}
	bloc1       = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	bloc2       = []string{"2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/10", "2/11"}

	secretariat = auth.Identity{ID: "sec.bench", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	// inQ2 is in the Q2 exams, before the Q2 (and Q3) encoding deadlines.
	inQ2 = time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC)
)

// benchEnv is gradelog (handlers, registry, shipped catalog and ruleset,
// a fixed clock in the Q2 exams, sessions Q2 and Q3 scheduled) on the log
// of a benchraw environment: the raw stream is on the same server.
type benchEnv struct {
	*benchraw.Env
	hs   *handlers.Handlers
	cat  *catalog.Catalog
	stop func() // stops the registry and the server (also done at cleanup)
}

// startGradelog starts gradelog on a server with its data in dir, which
// may hold the store of an earlier gradelog: publishing the documents and
// scheduling the sessions again then writes nothing.
func startGradelog(b *testing.B, dir string) *benchEnv {
	b.Helper()
	env := benchraw.New(b, dir, false)
	ctx, cancel := context.WithCancel(context.Background())
	cat, rs := gradetest.Shipped(b)
	hs := handlers.New(env.Log)
	hs.Now = func() time.Time { return inQ2 }
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Views.Run(ctx)
	}()
	stop := sync.OnceFunc(func() { cancel(); <-done; env.Server.Shutdown() })
	b.Cleanup(stop)
	if _, err := hs.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog", Roles: []string{"system"}}); err != nil {
		b.Fatal(err)
	}
	for _, q := range []catalog.Session{catalog.Q2, catalog.Q3} {
		if _, err := hs.ScheduleSession(ctx, secretariat, "", gradetest.Year, q, handlers.Schedule{}); err != nil {
			b.Fatal(err)
		}
	}
	return &benchEnv{Env: env, hs: hs, cat: cat, stop: stop}
}

// storeOf returns a directory holding the store of a stopped gradelog
// with cohort c enrolled, for startGradelog to start on copies of it.
func storeOf(b *testing.B, c cohort) string {
	b.Helper()
	dir := b.TempDir()
	env := startGradelog(b, dir)
	env.enrol(b, c)
	env.stop()
	return dir
}

// copyOf copies a stopped store into a new directory.
func copyOf(b *testing.B, store string) string {
	b.Helper()
	dir := b.TempDir()
	if err := os.CopyFS(dir, os.DirFS(store)); err != nil {
		b.Fatal(err)
	}
	return dir
}

// cohort is n students, matricules prefix000000 on, all admitted the same
// way with the same PAE.
type cohort struct {
	prefix    string
	n         int
	admission handlers.Admission
	pae       []string
}

func (c cohort) matricule(i int) string { return fmt.Sprintf("%s%06d", c.prefix, i) }

// enrol registers, admits and validates the PAE of every student of c, as
// enrolWorkers secretaries working at once.
func (e *benchEnv) enrol(b *testing.B, c cohort) {
	b.Helper()
	ctx := benchraw.Ctx(b)
	var next atomic.Int64
	var wg sync.WaitGroup
	var fe benchraw.FirstErr
	for range enrolWorkers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < c.n && fe.Err() == nil; i = int(next.Add(1)) - 1 {
				fe.Set(e.enrolOne(ctx, c, c.matricule(i)))
			}
		})
	}
	wg.Wait()
	if err := fe.Err(); err != nil {
		b.Fatal(err)
	}
}

func (e *benchEnv) enrolOne(ctx context.Context, c cohort, mat string) error {
	if _, err := e.hs.RegisterStudent(ctx, secretariat, "", handlers.Registration{Matricule: mat,
		FirstName: "Prénom " + mat, LastName: "Nom " + mat, Email: mat + "@student.bench.be"}); err != nil {
		return fmt.Errorf("register %s: %w", mat, err)
	}
	if _, err := e.hs.AdmitStudent(ctx, secretariat, "", mat, c.admission); err != nil {
		return fmt.Errorf("admit %s: %w", mat, err)
	}
	if _, err := e.hs.ValidatePAE(ctx, secretariat, "", mat, gradetest.Year, handlers.PAERequest{UEs: c.pae}); err != nil {
		return fmt.Errorf("PAE of %s: %w", mat, err)
	}
	return nil
}

// teacherOf is the teacher responsible for the sheet of ue in session q.
func teacherOf(ue string, q catalog.Session) auth.Identity {
	return auth.Identity{ID: "prof." + strings.ReplaceAll(ue, "/", "-") + "." + strings.ToLower(string(q)),
		Roles: []string{auth.Teacher}, UEs: []string{ue}}
}

// markEnvelope is the raw side's stand-in for one mark: a MarkRecorded of
// the same student, activity, source and actor as ours, encoded like our
// log encodes it.
func markEnvelope(b *testing.B, ref handlers.SheetRef, actor auth.Identity, student, activity, source string) []byte {
	b.Helper()
	return benchraw.Envelope(b, events.SheetOf(ref.Year, string(ref.Session), ref.UE), events.Pending{
		Event: events.MarkRecorded{Student: student, Activity: activity, Entry: events.Entry{Mark: "13.5"}, Source: source},
		Actor: actor.Actor(),
	})
}

// importValues are what teachers type on a sheet: marks with a point or a
// comma, codes in any case.
var importValues = []string{"12", "9,5", "14.5", "8", "16", "abs", "11", "10.5", "PP", "13", "7", "15,5", "18", "6.5", "12.5"}

// BenchmarkImportSheet: the teacher of UE 1/9 uploads the Q2 sheet of 1/9
// (two activities, Méthodologies and Travaux pratiques) filled for a
// cohort of 200 students with the bloc-1 PAE: 400 marks in one
// all-or-nothing import (ImportSheet: parse the file, check every row and
// cell, one atomic append). Against jetstreamext.PublishMsgBatch of 400
// envelopes of the same size. One op = one import of a freshly filled file;
// the rates count marks. Sub-benchmarks: xlsx and csv.
//
// Every op imports into an empty sheet, so that each is a real 400-mark
// write and not an "unchanged" re-upload, and each is the same work: a
// cohort has a single two-activity sheet per session, and a sheet holding a
// previous cohort's marks grows, so every op gets its own gradelog. The
// cohort is enrolled once, through the handlers, into a store that is
// then copied for each op; the op's server starts on its copy (a
// restarted gradelog), with the raw stream beside it, before the timer
// starts, and stops after the op. Raw op i publishes on the server of our
// op i.
func BenchmarkImportSheet(b *testing.B) {
	for _, format := range []string{"xlsx", "csv"} {
		b.Run(format, func(b *testing.B) { benchImport(b, format) })
	}
}

func benchImport(b *testing.B, format string) {
	ctx := benchraw.Ctx(b)
	ref := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q2, UE: "1/9"}
	teacher := teacherOf(ref.UE, ref.Session)
	students := cohort{prefix: "HE", n: importRows, pae: bloc1,
		admission: handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social", HasBachelor: true}}

	store := storeOf(b, students)
	subject := benchraw.Subject(events.SheetOf(ref.Year, string(ref.Session), ref.UE))
	data := markEnvelope(b, ref, teacher, students.matricule(0), "Travaux pratiques", format)
	var env *benchEnv
	var file []byte
	marks, total := 0, 0
	prepare := func(i int) func() {
		dir := copyOf(b, store)
		env = startGradelog(b, dir)
		file, marks = filledSheet(b, env.hs, teacher, ref, format, i)
		total += marks
		// A first write on each side: an op is not a restarted server's
		// first write to its streams.
		if err := env.Publish(ctx, benchraw.Prefix+".warm-up", data); err != nil {
			b.Fatal(err)
		}
		if _, err := env.hs.ScheduleSession(ctx, secretariat, "", gradetest.Year, catalog.Q1, handlers.Schedule{}); err != nil {
			b.Fatal(err)
		}
		runtime.GC() // of the setup's garbage, not during the op
		return func() { env.stop(); _ = os.RemoveAll(dir) }
	}
	raw := func(int) {
		if err := env.PublishBatch(ctx, subject, data, marks); err != nil {
			b.Fatal(err)
		}
	}
	ours := func(i int) {
		r, err := env.hs.ImportSheet(ctx, teacher, uuid.NewString(), ref, file, handlers.ImportOptions{})
		if err != nil {
			b.Fatalf("import %d: %v", i, err)
		}
		if err := checkImport(r, marks); err != nil {
			b.Fatalf("import %d: %v", i, err)
		}
	}
	rawD, oursD := benchraw.MeasureEach(b, b.N, prepare, raw, ours)
	benchraw.Report(b, "marks/s", b.N, total, rawD, oursD)
}

// filledSheet downloads the sheet as a template, fills every cell to fill
// (values varying with op) and writes it in format; it returns the file and
// the number of cells filled.
func filledSheet(b *testing.B, hs *handlers.Handlers, teacher auth.Identity, ref handlers.SheetRef, format string, op int) ([]byte, int) {
	b.Helper()
	t, err := hs.SheetTemplate(benchraw.Ctx(b), teacher, ref)
	if err != nil {
		b.Fatal(err)
	}
	if len(t.Rows) != importRows || len(t.Columns) != 2 {
		b.Fatalf("sheet %s: %d rows, %d columns; want %d rows, 2 columns", ref, len(t.Rows), len(t.Columns), importRows)
	}
	n := 0
	for i, row := range t.Rows {
		for j, c := range t.Columns {
			row.Values[c.Key] = importValues[(op+3*i+j)%len(importValues)]
			n++
		}
	}
	var buf bytes.Buffer
	write := sheetfile.WriteXLSX
	if format == "csv" {
		write = sheetfile.WriteCSV
	}
	if err := write(&buf, t); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), n
}

// checkImport fails unless the import wrote all its marks, refusing none.
func checkImport(r handlers.ImportReport, marks int) error {
	saved := 0
	for _, row := range r.Rows {
		for _, c := range row.Cells {
			if c.Outcome == handlers.Saved {
				saved++
			}
			if c.Outcome == handlers.Refused {
				return fmt.Errorf("row %d (%s), column %q refused: %+v", row.Line, row.Matricule, c.Column, c.Problems)
			}
		}
		if row.Outcome == handlers.Refused {
			return fmt.Errorf("row %d (%s) refused: %+v", row.Line, row.Matricule, row.Problems)
		}
	}
	if !r.Written || r.Refused != 0 || r.Unchanged != 0 || saved != marks {
		return fmt.Errorf("written %v, %d rows saved, %d unchanged, %d refused, %d marks saved; want all %d marks saved",
			r.Written, r.Saved, r.Unchanged, r.Refused, saved, marks)
	}
	return nil
}

// BenchmarkConcurrentTeachers: 50 teachers, each responsible for their own
// grade sheet, type marks at the same time, one mark per RecordEntries
// call (a form's single entry). Against 50 raw publishers, each
// publishing envelopes of the same size as its teacher's marks,
// synchronously, to its own subject. One op = one mark; b.N marks are
// spread evenly over the teachers.
//
// The sheets: the seed catalog has 25 UEs a student may follow (the three
// admission complements, bloc 1 and bloc 2), each examined in Q2 and Q3;
// the clock stands in the Q2 exams, when both sessions' sheets take marks,
// so the 50 teachers are the Q2 and the Q3 teacher of each UE. Two cohorts
// of b.N/50 students fill them: VAE admissions with the complements and
// the bloc-1 PAE, and bloc-2 students. Each teacher writes the empty
// slots of their sheet (student x column) in order, so every mark is a
// new MarkRecorded. Every mark fails (below 9.5, which the UE mark would
// round up to 10): a Q2 mark never takes a student off the Q3 sheet of the
// same UE, whichever of the two teachers posts first.
func BenchmarkConcurrentTeachers(b *testing.B) {
	env := startGradelog(b, b.TempDir())
	ctx := benchraw.Ctx(b)
	n := (b.N + teachers - 1) / teachers // marks per teacher, at most
	env.enrol(b, cohort{prefix: "VA", n: n, pae: append(append([]string{}, complements...), bloc1...),
		admission: handlers.Admission{Year: gradetest.Year, Basis: "VAE", Complements: complements}})
	env.enrol(b, cohort{prefix: "MB", n: n, pae: bloc2,
		admission: handlers.Admission{Year: gradetest.Year, Basis: "bloc 1 réussi", HasBachelor: true}})

	type slot struct{ student, column string }
	type desk struct {
		id    auth.Identity
		ref   handlers.SheetRef
		slots []slot
		next  int
		data  []byte // the raw side's envelope
		raw   string // the raw side's subject
	}
	var desks []*desk
	for _, ue := range append(append(append([]string{}, complements...), bloc1...), bloc2...) {
		for _, q := range []catalog.Session{catalog.Q2, catalog.Q3} {
			d := &desk{id: teacherOf(ue, q), ref: handlers.SheetRef{Year: gradetest.Year, Session: q, UE: ue}}
			sheet, err := env.hs.Sheet(ctx, d.id, d.ref)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range sheet.Rows {
				for _, c := range sheet.Columns {
					d.slots = append(d.slots, slot{r.Matricule, c.Key})
				}
			}
			if len(d.slots) < n {
				b.Fatalf("sheet %s: %d empty slots for %d marks", d.ref, len(d.slots), n)
			}
			u, _ := env.cat.UE(ue)
			activity := d.slots[0].column // what a mark is recorded under: a single activity's mark is its activity's
			if activity == "" && !u.Integrated && len(u.Activities) == 1 {
				activity = u.Activities[0].Title
			}
			d.data = markEnvelope(b, d.ref, d.id, d.slots[0].student, activity, handlers.SourceForm)
			d.raw = benchraw.Subject(events.SheetOf(d.ref.Year, string(d.ref.Session), d.ref.UE))
			desks = append(desks, d)
		}
	}
	if len(desks) != teachers {
		b.Fatalf("%d sheets for %d teachers", len(desks), teachers)
	}
	failing := []string{"4", "5.5", "6", "7.5", "8", "9", "9.4", "3", "8.5", "6.5"} // 9.4 rounds to 9

	raw := func(lo, hi int) {
		if err := benchraw.FanOut(teachers, lo, hi, func(w int) error {
			return env.Publish(ctx, desks[w].raw, desks[w].data)
		}); err != nil {
			b.Fatal(err)
		}
	}
	ours := func(lo, hi int) {
		if err := benchraw.FanOut(teachers, lo, hi, func(w int) error {
			d := desks[w]
			s := d.slots[d.next]
			d.next++
			got, err := env.hs.RecordEntries(ctx, d.id, uuid.NewString(), d.ref, handlers.SourceForm,
				[]handlers.EntryInput{{Student: s.student, Activity: s.column, Value: failing[d.next%len(failing)]}})
			if err != nil {
				return fmt.Errorf("%s on %s, %s %q: %w", d.id.ID, d.ref, s.student, s.column, err)
			}
			if len(got.Results) != 1 || got.Results[0].Outcome != handlers.Saved {
				return fmt.Errorf("%s on %s, %s %q: not saved: %+v", d.id.ID, d.ref, s.student, s.column, got.Results)
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
	benchraw.Report(b, "marks/s", b.N, b.N, rawD, oursD)
}
