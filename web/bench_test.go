package web_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/clock"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/web"
)

// benchStudents is the size of the generated year the pages are read
// from: a large cohort for one programme (MIAS admits about 150 a year).
const benchStudents = 400

// BenchmarkPages: the pages each role opens most, rendered in full over
// real HTTP with a session cookie, on a year of benchStudents students
// generated through the handlers (cohortgen: marks, re-sits, three
// deliberations, appeals), against raw direct gets of the records the
// page is about (16 in flight, benchraw.Gets): what reading the page's
// facts straight from JetStream costs, with no view, no rule and no HTML.
// One op = one page. Reports p50 and p99 of both sides and p99-x-raw (raw
// p99 / our p99: above 1, the page is faster than reading its facts raw).
//
//	sheet        a teacher's Q1 grade sheet, every enrolled student a row
//	             (raw: the sheet's records)
//	dossier      the jury's Q2 deliberation page, every student of the
//	             session a row, with a student's dossier open (raw: the
//	             deliberation's records and every record about the
//	             student)
//	timeline     an auditor's history of that student (raw: every record
//	             about the student)
//	asof         the same as the jury saw it at its Q2 decision (raw: the
//	             same)
//	transcript   the student's own published transcript (raw: the same)
//
// The student is the one with the most UEs to deliberate or failed in
// Q2; the sheet is the Q1 sheet with the most students.
func BenchmarkPages(b *testing.B) {
	clk := &clock.Clock{}
	env := benchraw.NewWith(b, b.TempDir(), true, eventlog.JetStreamConfig{Now: clk.Now})
	ctx := benchraw.Ctx(b)
	hs := handlers.New(env.Log)
	hs.Now = clk.Now
	vctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = hs.Views.Run(vctx) }()
	b.Cleanup(func() { stop(); <-done })
	start := time.Now()
	st, err := cohortgen.Generate(ctx, hs, clk, cohortgen.Options{Students: benchStudents})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d students, %d records in %v", st.Students, st.Records, time.Since(start).Round(time.Millisecond))

	key, err := auth.LoadOrCreateKey(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(httpapi.Deps{Ready: env.Log.CheckConfig, Handlers: hs, Key: key, Now: clk.Now})
	ts := httptest.NewServer(web.New(web.Deps{Handlers: hs, Key: key, Now: clk.Now, API: api}))
	b.Cleanup(ts.Close)
	stream, err := env.Raw.Stream(ctx, "GRADELOG")
	if err != nil {
		b.Fatal(err)
	}

	year := cohortgen.YearOf(0)
	president := cohortgen.President()
	q2 := handlers.DeliberationRef{Programme: cohortgen.Programme, Year: year, Session: "Q2"}
	delib, err := hs.Deliberation(ctx, president, q2, handlers.ViewQuery{})
	if err != nil {
		b.Fatal(err)
	}
	// The student with the most UEs to deliberate or failed, and the Q1
	// sheet with the most students.
	mat, most := "", -1
	for _, s := range delib.Students {
		if n := len(s.ToDeliberate) + len(s.Failed); n > most {
			mat, most = s.Student.Matricule, n
		}
	}
	sheets, err := hs.SheetStatuses(ctx, cohortgen.Secretariat(), year, "Q1", handlers.ViewQuery{})
	if err != nil {
		b.Fatal(err)
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if s.Enrolled > sheet.Enrolled {
			sheet = s
		}
	}
	positions := func(aggs ...events.AggregateID) []uint64 {
		var out []uint64
		for _, a := range aggs {
			h, err := env.Log.Load(ctx, a, eventlog.Until{})
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range h.Records {
				out = append(out, r.Position)
			}
		}
		return out
	}
	// Every record about the student, wherever it lies (their own, the
	// sheets', the deliberations').
	h, err := hs.History(ctx, cohortgen.Auditor(), mat, handlers.ViewQuery{}, projections.HistoryFilter{})
	if err != nil {
		b.Fatal(err)
	}
	var student []uint64
	for _, e := range h.Entries {
		student = append(student, e.Position)
	}
	pages := []struct {
		name, path string
		who        auth.Identity
		raw        []uint64
		want       string // a text the page must hold
	}{
		{"sheet", "/feuilles/" + year + "/Q1/" + sheet.UE, cohortgen.Teacher(sheet.UE),
			positions(events.SheetOf(year, "Q1", sheet.UE)), sheet.Title},
		{"dossier", "/deliberations/" + year + "/Q2?etudiant=" + mat, president,
			append(positions(events.DeliberationOf(cohortgen.Programme, year, "Q2")), student...), "Dossier de"},
		{"timeline", "/etudiants/" + mat + "/historique", cohortgen.Auditor(), student, mat},
		{"asof", "/etudiants/" + mat + "/historique?deliberation=" + year + "/Q2", cohortgen.Auditor(), student, "État reconstitué"},
		{"transcript", "/releve", auth.Identity{ID: mat, Roles: []string{auth.Student}}, student, "Mon relevé de notes"},
	}
	for _, p := range pages {
		tok, err := key.Mint(p.who, clk.Now(), 24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		get := func() (int, string, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+p.path, nil)
			if err != nil {
				return 0, "", err
			}
			req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, "", err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body), err
		}
		status, body, err := get()
		if err != nil || status != http.StatusOK || !strings.Contains(body, p.want) {
			b.Fatalf("%s %s as %s: %d %v, want 200 with %q\n%.2000s", p.name, p.path, p.who.ID, status, err, p.want, body)
		}
		b.Run(fmt.Sprintf("page=%s/records=%d", p.name, len(p.raw)), func(b *testing.B) {
			ours := func(*rand.Rand) error {
				status, _, err := get()
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("%s: %d", p.path, status)
				}
				return err
			}
			raw := func(*rand.Rand) error {
				benchraw.Gets(b, ctx, stream, p.raw)
				return nil
			}
			b.ResetTimer()
			rawLat, ourLat := benchraw.MeasureLatency(b, 1, b.N, raw, ours)
			b.StopTimer()
			benchraw.ReportLatency(b, rawLat, ourLat)
			b.ReportMetric(float64(len(body)), "bytes")
		})
	}
}
