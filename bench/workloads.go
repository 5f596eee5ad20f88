package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/sheetfile"
)

// marks are what the writers type.
var marks = []string{"12", "9,5", "14.5", "8", "16", "11", "10.5", "13", "7", "15,5", "18", "6.5", "12.5", "ABS"}

// mark has the teacher of d enter one mark in its next empty slot, as a
// form's single entry (RecordEntries: access, deadline, scale, codes,
// carried activities, expectation on the sheet's head, idempotency key).
func (b *bencher) mark(d *desk) error {
	if d.next >= len(d.slots) {
		return fmt.Errorf("sheet %s: its %d slots are filled; the fixture is too small for this many operations", d.ref, len(d.slots))
	}
	s := d.slots[d.next]
	d.next++
	got, err := b.hs.RecordEntries(b.ctx, d.id, uuid.NewString(), d.ref, handlers.SourceForm,
		[]handlers.EntryInput{{Student: s.student, Activity: s.column, Value: marks[d.next%len(marks)]}})
	if err != nil {
		return fmt.Errorf("%s on %s, %s %q: %w", d.id.ID, d.ref, s.student, s.column, err)
	}
	if len(got.Results) != 1 || got.Results[0].Outcome != handlers.Saved {
		return fmt.Errorf("%s on %s, %s %q: not saved: %+v", d.id.ID, d.ref, s.student, s.column, got.Results)
	}
	return nil
}

// capacity is how many marks the fixture's sheets take in all.
func (b *bencher) capacity() int {
	n := 0
	for _, d := range b.desks {
		n += len(d.slots) - d.next
	}
	return n
}

// appendOne: one teacher at a time enters one mark per command, cycling
// over the 64 sheets; raw: one publisher, js.PublishMsg of an envelope of
// the same size to the sheet's subject, waiting for each acknowledgement.
func (b *bencher) appendOne() {
	n := min(b.sz.append1, b.d.Fixture.Group*writers/4)
	raw := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := b.desks[i%writers]
			if err := b.env.Publish(b.ctx, d.raw, d.data); err != nil {
				b.run.Fatal(err)
			}
		}
	}
	ours := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := b.mark(b.desks[i%writers]); err != nil {
				b.run.Fatal(err)
			}
		}
	}
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	b.add(rate("append-1", "validated appends, 1 writer", "marks/s",
		"ours: a teacher's mark through handlers.RecordEntries (checked, expectation, key, views settled); raw: js.PublishMsg of the same bytes, acknowledged",
		n, n, rawD, oursD))
}

// appendMany: 64 teachers, each on their own sheet, enter marks at once;
// raw: 64 publishers, each publishing the same bytes synchronously to its
// sheet's subject.
func (b *bencher) appendMany() {
	n := min(b.sz.append64, b.capacity()*3/4) / writers * writers
	raw := func(lo, hi int) {
		if err := benchraw.FanOut(writers, lo, hi, func(w int) error { return b.env.Publish(b.ctx, b.desks[w].raw, b.desks[w].data) }); err != nil {
			b.run.Fatal(err)
		}
	}
	ours := func(lo, hi int) {
		if err := benchraw.FanOut(writers, lo, hi, func(w int) error { return b.mark(b.desks[w]) }); err != nil {
			b.run.Fatal(err)
		}
	}
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	b.add(rate("append-64", "validated appends, 64 writers", "marks/s",
		"ours: 64 teachers, one sheet each, one mark per RecordEntries; raw: 64 synchronous publishers, one subject each",
		n, n, rawD, oursD))
}

// importSheets: the teacher of a bloc-1 UE uploads the Q2 sheet filled
// for the import group (a CSV of its template: parse, every row and cell
// checked, one atomic append, views settled); raw: an atomic batch
// (jetstreamext.PublishMsgBatch) of as many envelopes of the same size.
// Each operation is a different, empty sheet.
func (b *bencher) importSheets() {
	n := min(b.sz.imports, len(importUEs))
	files := make([][]byte, n)
	refs := make([]handlers.SheetRef, n)
	var data []byte
	rows := 0
	for i := range n {
		refs[i] = handlers.SheetRef{Year: b.d.Fixture.Year, Session: catalog.Q2, UE: importUEs[i]}
		t, err := b.hs.SheetTemplate(b.ctx, cohortgen.Teacher(importUEs[i]), refs[i])
		if err != nil {
			b.run.Fatal(err)
		}
		t.Rows = slices.DeleteFunc(t.Rows, func(r sheetfile.Row) bool { return r.Matricule[:4] != "BXIM" })
		if len(t.Rows) != b.d.Fixture.Import || len(t.Columns) != 1 {
			b.run.Fatalf("sheet %s: %d rows of the import group, %d columns; want %d and 1", refs[i], len(t.Rows), len(t.Columns), b.d.Fixture.Import)
		}
		for j := range t.Rows {
			t.Rows[j].Values[""] = marks[(i+3*j)%len(marks)]
		}
		var buf bytes.Buffer
		if err := sheetfile.WriteCSV(&buf, t); err != nil {
			b.run.Fatal(err)
		}
		files[i], rows = buf.Bytes(), len(t.Rows)
		if data == nil {
			ue, _ := b.cat.UE(importUEs[i])
			data = benchraw.Envelope(b.run, events.SheetOf(refs[i].Year, "Q2", refs[i].UE), events.Pending{
				Event: events.MarkRecorded{Student: t.Rows[0].Matricule, Activity: ue.Activities[0].Title, Entry: events.Entry{Mark: "13.5"}, Source: "csv"},
				Actor: cohortgen.Teacher(importUEs[i]).Actor()})
		}
	}
	runtime.GC()
	raw := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := b.env.PublishBatch(b.ctx, benchraw.Subject(events.SheetOf(refs[i].Year, "Q2", refs[i].UE)), data, rows); err != nil {
				b.run.Fatal(err)
			}
		}
	}
	ours := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r, err := b.hs.ImportSheet(b.ctx, cohortgen.Teacher(refs[i].UE), uuid.NewString(), refs[i], files[i], handlers.ImportOptions{})
			if err != nil {
				b.run.Fatal(err)
			}
			if !r.Written || r.Saved != rows || r.Refused != 0 {
				b.run.Fatalf("import of %s: written %v, %d rows saved, %d refused; want all %d saved", refs[i], r.Written, r.Saved, r.Refused, rows)
			}
		}
	}
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	l := rate("import", fmt.Sprintf("sheet import, %d rows (CSV)", rows), "marks/s",
		"ours: a filled CSV sheet through handlers.ImportSheet, one atomic append; raw: one atomic batch of as many envelopes of the same size",
		n, n*rows, rawD, oursD)
	b.add(l)
}

// transcripts: 8 clients read transcripts over HTTP (the real API on
// loopback, an auditor's token, JSON) of random students of the last
// generated year while a writer appends marks; raw: the same clients
// fetch the student's last record with a direct get under the same load.
func (b *bencher) transcripts() {
	year := cohortgen.YearOf(b.d.Years - 1)
	students := b.hs.Cohort.SessionStudents(cohortgen.Programme, year, catalog.Q1) // everyone with a PAE that year
	if len(students) == 0 {
		b.run.Fatalf("no student in %s", year)
	}
	key, err := auth.LoadOrCreateKey(b.work)
	if err != nil {
		b.run.Fatal(err)
	}
	token, err := key.Mint(cohortgen.Auditor(), time.Now(), time.Hour)
	if err != nil {
		b.run.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.run.Fatal(err)
	}
	srv := &http.Server{Handler: httpapi.New(httpapi.Deps{Ready: b.env.Log.CheckConfig, Handlers: b.hs, Key: key}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * b.cfg.Readers}, Timeout: 30 * time.Second}
	ours := func(r *rand.Rand) error {
		req, err := http.NewRequestWithContext(b.ctx, "GET", base+"/api/v1/students/"+students[r.IntN(len(students))]+"/transcripts/"+year, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
		}
		return nil
	}
	raw := func(r *rand.Rand) error {
		_, err := b.stream.GetLastMsgForSubject(b.ctx, "gl."+string(events.StudentOf(students[r.IntN(len(students))])))
		return err
	}
	// Once with one client at a time, once with cfg.Readers at once (a
	// closed loop: each client sends its next request when it has read the
	// answer to the last).
	for _, clients := range []int{1, b.cfg.Readers} {
		stop := b.writeLoad(students)
		start := time.Now()
		rawLat, ourLat := benchraw.MeasureLatency(b.run, clients, b.sz.reads, raw, ours)
		load := float64(stop()) / time.Since(start).Seconds()
		p50, p99 := benchraw.Percentiles(ourLat)
		r50, r99 := benchraw.Percentiles(rawLat)
		what := fmt.Sprintf("ours: GET /api/v1/students/{m}/transcripts/%s over loopback HTTP (auditor token, JSON) by %d client(s) at once, of %d students, while a writer appends marks (%.0f/s); raw: a direct get of the student's last record, same clients, same load",
			year, clients, len(students), load)
		extra := map[string]float64{"appends_per_s": load, "clients": float64(clients)}
		name, title := "transcript", fmt.Sprintf("transcripts over HTTP under load, %d clients", clients)
		if clients == 1 {
			name, title = "transcript-1", "transcripts over HTTP under load, 1 client"
		}
		b.add(Line{Name: name + "-p50", Title: title + ", p50", Unit: "ms", Ours: ms(p50), Raw: ms(r50),
			Ratio: ms(r50) / ms(p50), Ops: len(ourLat), What: what, Extra: extra})
		b.add(Line{Name: name + "-p99", Title: title + ", p99", Unit: "ms", Ours: ms(p99), Raw: ms(r99),
			Ratio: ms(r99) / ms(p99), Ops: len(ourLat), What: what, Extra: extra})
	}
}

// writeLoad appends single marks (Log.Append with an expectation) about
// the given students to a sheet of the year after the fixture's, one after
// the other, until stopped; stop returns how many it appended.
func (b *bencher) writeLoad(students []string) (stop func() int) {
	sheet := events.SheetOf(cohortgen.YearOf(b.d.Years+1), "Q1", "1/4")
	h, err := b.env.Log.Load(b.ctx, sheet, eventlog.Until{})
	if err != nil {
		b.run.Fatal(err)
	}
	head := h.Head
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	n := 0
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			got, err := b.env.Log.Append(ctx, eventlog.AppendRequest{Aggregate: sheet, Head: head, Events: []events.Pending{{
				Event: events.MarkRecorded{Student: students[i%len(students)], Activity: "Questions socio-politiques et enjeux contemporains",
					Entry: events.Entry{Mark: marks[i%(len(marks)-1)]}, Source: handlers.SourceForm},
				Actor: events.Actor{ID: "prof.load", Roles: []string{"teacher"}}}}})
			if err != nil {
				return
			}
			head = got.Head()
			n++
		}
	}()
	return func() int { cancel(); <-done; return n }
}

// asOfStudents are students to reconstruct: some who followed every
// generated year, then the appellants, then anyone.
func (b *bencher) asOfStudents(n int) []string {
	out := slices.Clone(b.d.Stats.Continuing)
	out = append(out, b.d.Stats.Appellants...)
	if len(out) < n {
		out = append(out, b.hs.Cohort.SessionStudents(cohortgen.Programme, cohortgen.YearOf(b.d.Years-1), catalog.Q1)...)
	}
	seen := map[string]bool{}
	out = slices.DeleteFunc(out, func(m string) bool { dup := seen[m]; seen[m] = true; return dup })
	return out[:min(n, len(out))]
}

// asOf: a student's transcript of their last generated year rebuilt from
// the log as of the end of the generated years (handlers.Transcript with
// ?as_of_position: the documents and every record about the student read
// back by position, 16 in flight, and folded afresh); raw: direct gets of
// the same records, 16 in flight.
func (b *bencher) asOf() {
	students := b.asOfStudents(20)
	bound := b.d.Records
	type target struct {
		mat, year string
		positions []uint64
		records   int
	}
	var ts []target
	for _, m := range students {
		s, _ := b.hs.Cohort.Student(m)
		var years []string
		for y := range s.PAEs {
			if y != b.d.Fixture.Year {
				years = append(years, y)
			}
		}
		if len(years) == 0 {
			continue
		}
		slices.Sort(years)
		pos := b.positionsOf(m, bound)
		docs := 0
		for _, p := range b.docs {
			if p <= bound {
				docs++
			}
		}
		ts = append(ts, target{m, years[len(years)-1], pos, len(pos) - docs})
	}
	if len(ts) == 0 {
		b.run.Fatal("no student to reconstruct")
	}
	n := max(b.sz.asOf, len(ts)) / len(ts) * len(ts)
	records := 0
	for i := range n {
		records += len(ts[i%len(ts)].positions)
	}
	auditor := cohortgen.Auditor()
	ours := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			t := ts[i%len(ts)]
			tr, err := b.hs.Transcript(b.ctx, auditor, t.mat, t.year, handlers.ViewQuery{AsOf: eventlog.Until{Position: bound}})
			if err != nil || tr.AsOf == nil || tr.AsOf.Records != t.records {
				b.run.Fatalf("transcript of %s %s as of %d: %v, %+v; want %d records", t.mat, t.year, bound, err, tr.AsOf, t.records)
			}
		}
	}
	raw := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			benchraw.Gets(b.run, b.ctx, b.stream, ts[i%len(ts)].positions)
		}
	}
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	l := timed("as-of", "as-of reconstruction of a student (transcript)",
		"ours: handlers.Transcript as of a position (documents and the student's records read back and folded); raw: direct gets of the same records, 16 in flight",
		n, rawD, oursD)
	l.Extra = map[string]float64{"records_per_op": float64(records) / float64(n), "students": float64(len(ts))}
	b.add(l)
}

// dossiers: the Q2 dossiers of 200 students of the last generated year
// as the jury saw them when it decided (handlers.Dossier as of the
// deliberation: each rebuilt from the log up to the record before the
// decision); raw: direct gets of the records those rebuilds read.
func (b *bencher) dossiers() {
	year := cohortgen.YearOf(b.d.Years - 1)
	students := b.hs.Cohort.SessionStudents(cohortgen.Programme, year, catalog.Q2)
	students = students[:min(b.sz.dossiers, len(students))]
	positions := make([][]uint64, len(students))
	records := 0
	for i, m := range students {
		d, err := b.hs.Cohort.DecisionBefore(m, "", year, catalog.Q2)
		if err != nil {
			b.run.Fatal(err)
		}
		positions[i] = b.positionsOf(m, d.Position-1)
		records += len(positions[i])
	}
	auditor := cohortgen.Auditor()
	moment := &handlers.JuryMoment{Year: year, Session: string(catalog.Q2)}
	ours := func(lo, hi int) {
		for range hi - lo {
			for _, m := range students {
				d, err := b.hs.Dossier(b.ctx, auditor, m, year, string(catalog.Q2), handlers.ViewQuery{AsJurySaw: moment})
				if err != nil || d.AsOf == nil || d.AsOf.Decision == "" {
					b.run.Fatalf("dossier of %s as the jury saw it: %v, %+v", m, err, d.AsOf)
				}
			}
		}
	}
	raw := func(lo, hi int) {
		for range hi - lo {
			for _, p := range positions {
				benchraw.Gets(b.run, b.ctx, b.stream, p)
			}
		}
	}
	n := b.sz.dossierOps
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	l := timed("dossiers", fmt.Sprintf("deliberation dossiers, %d students as the jury saw them", len(students)),
		"ours: handlers.Dossier as of each student's Q2 decision, one after the other; raw: direct gets of the records each reads, 16 in flight",
		n, rawD, oursD)
	l.Extra = map[string]float64{"records_per_op": float64(records), "students": float64(len(students))}
	b.add(l)
}

// rebuild: every view rebuilt from the whole log (a fresh cohort replaying
// it: decode and fold); raw: an ordered consumer draining the stream and
// counting. It also reports the heap a rebuilt cohort holds per
// student-year.
func (b *bencher) rebuild() {
	last, err := b.env.Log.LastPosition(b.ctx)
	if err != nil {
		b.run.Fatal(err)
	}
	var kept *projections.Cohort
	ours := func(lo, hi int) {
		for range hi - lo {
			kept = nil
			c := projections.NewCohort()
			if err := c.Replay(b.ctx, b.env.Log, last, nil); err != nil {
				b.run.Fatal(err)
			}
			if c.Position() != last {
				b.run.Fatalf("rebuild reached %d, want %d", c.Position(), last)
			}
			kept = c
		}
	}
	raw := func(lo, hi int) {
		for range hi - lo {
			if got := benchraw.Drain(b.run, b.ctx, b.env.Raw); got != int(last) {
				b.run.Fatalf("raw drain read %d messages, want %d", got, last)
			}
		}
	}
	n := b.sz.passes
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(kept)
	kept = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	held := with.HeapAlloc - min(with.HeapAlloc, without.HeapAlloc)
	l := rate("rebuild", "full rebuild of all views", "events/s",
		"ours: a fresh projections.Cohort replaying the whole log (decode, fold); raw: an ordered consumer draining the stream, counting",
		n, n*int(last), rawD, oursD)
	l.Extra["seconds"] = oursD.Seconds() / float64(n)
	l.Extra["raw_seconds"] = rawD.Seconds() / float64(n)
	l.Extra["events"] = float64(last)
	l.Extra["bytes_per_student_year"] = float64(held) / float64(b.d.StudentYears())
	l.Extra["student_years"] = float64(b.d.StudentYears())
	b.add(l)
}

// verify: eventlog.Verify of the whole log (every hash recomputed from the
// stored bytes and chained, the store's configuration checked); raw: an
// ordered consumer draining the stream.
func (b *bencher) verify() {
	last, err := b.env.Log.LastPosition(b.ctx)
	if err != nil {
		b.run.Fatal(err)
	}
	ours := func(lo, hi int) {
		for range hi - lo {
			rep, err := eventlog.Verify(b.ctx, b.env.Log, nil)
			if err != nil || !rep.OK() || uint64(rep.Checked) != last {
				b.run.Fatalf("verify: %v, ok %v, %d records checked, want %d", err, rep.OK(), rep.Checked, last)
			}
		}
	}
	raw := func(lo, hi int) {
		for range hi - lo {
			if got := benchraw.Drain(b.run, b.ctx, b.env.Raw); got != int(last) {
				b.run.Fatalf("raw drain read %d messages, want %d", got, last)
			}
		}
	}
	n := b.sz.passes
	rawD, oursD := benchraw.Measure(b.run, n, raw, ours)
	l := rate("verify", "verification of the whole log", "events/s",
		"ours: eventlog.Verify (every record's hash recomputed and chained, configuration checked); raw: an ordered consumer draining the stream",
		n, n*int(last), rawD, oursD)
	l.Extra["seconds"] = oursD.Seconds() / float64(n)
	l.Extra["events"] = float64(last)
	b.add(l)
}
