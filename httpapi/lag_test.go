package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog/logtest"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
)

// stallableServer is a second gradelog server on s's log and key (a
// cluster's), whose projection consumer reads through a held log (logtest.Held).
func stallableServer(t *testing.T, s *server, stallAfter time.Duration) (*server, *handlers.Handlers, *logtest.Held) {
	t.Helper()
	g := &logtest.Held{Log: s.Log}
	hs := handlers.New(s.Log)
	hs.Now = s.Clock.Now
	hs.Views = projections.NewRunner(g, hs.Cohort)
	hs.Views.StallAfter = stallAfter
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Views.Run(ctx)
	}()
	t.Cleanup(func() { g.Release(); cancel(); <-done })
	if err := hs.Views.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(httpapi.New(httpapi.Deps{Ready: s.Log.CheckConfig, Handlers: hs, Key: s.Key, Now: s.Clock.Now}))
	t.Cleanup(ts.Close)
	return &server{Server: s.Server, t: t, url: ts.URL}, hs, g
}

// lagOf reads the lag headers of an answer.
func lagOf(t *testing.T, a answer) (logAt, behind uint64) {
	t.Helper()
	var err error
	if logAt, err = strconv.ParseUint(a.header.Get("Gradelog-Log-Position"), 10, 64); err != nil {
		t.Fatalf("Gradelog-Log-Position %q: %v", a.header.Get("Gradelog-Log-Position"), err)
	}
	if behind, err = strconv.ParseUint(a.header.Get("Gradelog-Behind"), 10, 64); err != nil {
		t.Fatalf("Gradelog-Behind %q: %v", a.header.Get("Gradelog-Behind"), err)
	}
	return logAt, behind
}

// TestStalledViews: a server whose projection consumer is stalled (the
// records it is handed wait at a gate) goes on taking marks: each is
// acknowledged with its position, the first after at most the stall
// threshold, the next ones at once. Its reads answer at once from the
// stale views, and say so: Gradelog-Log-Position is the last write's
// position, Gradelog-Behind the records not applied; /readyz reports the
// same, stalled, since when. A read with min_position waits, then answers
// 503. Released, the views catch up: Behind returns to 0 and they hold
// every mark.
func TestStalledViews(t *testing.T) {
	const stallAfter = 300 * time.Millisecond
	v := scriptYear(t) // two bloc-1 students, Q1 and Q2 scheduled, a few marks
	b, hs, gate := stallableServer(t, v.server, stallAfter)
	statuses := "/api/v1/sessions/" + y + "/Q1/sheets"
	if _, behind := lagOf(t, b.must(200, "GET", statuses, v.sec, nil)); behind != 0 {
		t.Fatalf("caught up, Gradelog-Behind is %d", behind)
	}
	start := v.last

	gate.Hold()
	// A reader waiting for a write the stalled views never reach: 503.
	type result struct {
		a    answer
		took time.Duration
	}
	unreached := make(chan result, 1)
	go func() {
		t0 := time.Now()
		a := b.do("GET", statuses+"?min_position="+strconv.FormatUint(start+1, 10), v.sec, nil)
		unreached <- result{a, time.Since(t0)}
	}()

	// The teacher of 1/4 enters both students' marks, one per request, and
	// the teacher of 1/5 retries a request with the same key.
	prof14 := b.token("prof.delhez", []string{"teacher"}, "1/4")
	prof15 := b.token("prof.servais", []string{"teacher"}, "1/5")
	type write struct {
		path, token, key, student, value string
	}
	writes := []write{
		{"/api/v1/sheets/" + y + "/Q1/1/4", prof14, "m1", v.a, "13"},
		{"/api/v1/sheets/" + y + "/Q1/1/4", prof14, "m2", v.b, "11"},
		{"/api/v1/sheets/" + y + "/Q1/1/5", prof15, "m3", v.a, "16"},
		{"/api/v1/sheets/" + y + "/Q1/1/5", prof15, "m3", v.a, "16"}, // a retry: the same answer, nothing written
		{"/api/v1/sheets/" + y + "/Q1/1/5", prof15, "m4", v.b, "9"},
	}
	var last uint64
	for i, w := range writes {
		t0 := time.Now()
		var rec handlers.Recorded
		a := b.must(200, "POST", w.path+"/entries", w.token, map[string]any{"entries": []handlers.EntryInput{{Student: w.student, Value: w.value}}},
			"Idempotency-Key", w.key)
		took := time.Since(t0)
		a.json(t, &rec)
		t.Logf("mark %d (%s) acknowledged in %s at position %d", i+1, w.key, took.Round(time.Millisecond), rec.Position)
		if len(rec.Results) != 1 || rec.Results[0].Outcome != handlers.Saved || rec.Position == 0 {
			t.Fatalf("mark %d: %+v", i+1, rec)
		}
		// The first write waits for the views to move until they count as
		// stalled; once they do, the next ones do not wait at all.
		if limit := stallAfter + 2*time.Second; i == 0 && took > limit || i > 0 && took > time.Second {
			t.Errorf("mark %d took %s with the views stalled", i+1, took)
		}
		if replayed := a.header.Get("Idempotent-Replayed") == "true"; replayed != (i == 3) {
			t.Errorf("mark %d: Idempotent-Replayed %v", i+1, replayed)
		}
		switch {
		case i == 3 && rec.Position != last:
			t.Errorf("the retry answers position %d, the first attempt wrote %d", rec.Position, last)
		case i != 3 && rec.Position <= last:
			t.Errorf("mark %d at position %d, after %d", i+1, rec.Position, last)
		}
		last = rec.Position
		logAt, behind := lagOf(t, a)
		if logAt != rec.Position || behind != rec.Position-start {
			t.Errorf("mark %d at %d answers Gradelog-Log-Position %d, Gradelog-Behind %d; want %d, %d", i+1, rec.Position, logAt, behind, rec.Position, rec.Position-start)
		}
	}
	if got, err := v.Log.LastPosition(t.Context()); err != nil || got != last {
		t.Fatalf("the log ends at %d (%v), the last mark acknowledged is at %d", got, err, last)
	}

	// Reads answer at once, from the views as they stood, saying how far
	// behind they are.
	t0 := time.Now()
	a := b.must(200, "GET", v.transcriptPath(v.a), v.sec, nil)
	if took := time.Since(t0); took > time.Second {
		t.Errorf("a read without min_position took %s with the views stalled", took)
	}
	logAt, behind := lagOf(t, a)
	if pos := positionOf(t, a); pos != start || logAt != last || behind != last-start {
		t.Errorf("stalled: Gradelog-Position %d, Gradelog-Log-Position %d, Gradelog-Behind %d; want %d, %d, %d", pos, logAt, behind, start, last, last-start)
	}
	var tr projections.Transcript
	a.json(t, &tr)
	if u := ueOf(t, tr.UEs, "1/4"); len(u.Sessions) != 0 {
		t.Errorf("the stalled views show 1/4 marks: %+v", u.Sessions)
	}
	var ready struct {
		Status string          `json:"status"`
		Views  projections.Lag `json:"views"`
	}
	b.must(200, "GET", "/readyz", "", nil).json(t, &ready)
	if lv := ready.Views; ready.Status != "ready" || lv.Views != start || lv.Log != last || lv.Behind != last-start || !lv.Stalled ||
		lv.BehindSince.IsZero() || time.Since(lv.BehindSince) < stallAfter {
		t.Errorf("/readyz stalled: %+v", ready)
	}

	// A command checked against the views (a submission needs the sheet's
	// students) is refused at once with 503, naming how far behind they
	// are, and writes nothing.
	t0 = time.Now()
	refused := b.do("POST", "/api/v1/sheets/"+y+"/Q1/1/4/submit", prof14, map[string]any{})
	if took := time.Since(t0); refused.status != 503 || took > 3*time.Second || !strings.Contains(string(refused.body), "records behind the log") {
		t.Errorf("a submission on stalled views answered %d after %s, want 503 at once naming the lag\n%s", refused.status, took, refused.body)
	}
	if got, err := v.Log.LastPosition(t.Context()); err != nil || got != last {
		t.Errorf("the refused submission moved the log to %d (%v), want %d", got, err, last)
	}

	r := <-unreached
	if r.a.status != 503 || r.took < 9*time.Second {
		t.Errorf("a read with min_position on stalled views answered %d after %s, want 503 after 10 s\n%s", r.a.status, r.took, r.a.body)
	}
	if logAt, behind := lagOf(t, r.a); logAt != last || behind != last-start {
		t.Errorf("the 503 says Gradelog-Log-Position %d, Gradelog-Behind %d; want %d, %d", logAt, behind, last, last-start)
	}

	// Released: a read waiting for the last mark gets it, Behind is 0, and
	// the views hold every mark.
	go func() {
		time.Sleep(100 * time.Millisecond)
		gate.Release()
	}()
	a = b.must(200, "GET", v.transcriptPath(v.a)+"?min_position="+strconv.FormatUint(last, 10), v.sec, nil)
	if pos := positionOf(t, a); pos < last {
		t.Errorf("after release: Gradelog-Position %d, want at least %d", pos, last)
	}
	if logAt, behind := lagOf(t, a); logAt != last || behind != 0 {
		t.Errorf("after release: Gradelog-Log-Position %d, Gradelog-Behind %d; want %d, 0", logAt, behind, last)
	}
	for mat, want := range map[string][2]string{v.a: {"13", "16"}, v.b: {"11", "9"}} {
		var tr projections.Transcript
		b.must(200, "GET", v.transcriptPath(mat), v.sec, nil).json(t, &tr)
		for i, ue := range []string{"1/4", "1/5"} {
			u := ueOf(t, tr.UEs, ue)
			got, _ := json.Marshal(u.Sessions)
			if len(u.Sessions) != 1 || u.Mark == nil || u.Mark.String() != mark(t, want[i]).String() {
				t.Errorf("%s %s after release: mark %v, sessions %s; want %s", mat, ue, u.Mark, got, want[i])
			}
		}
	}
	if l := hs.Views.Lag(); l.Behind != 0 || l.Stalled || !l.BehindSince.IsZero() || l.Views != last {
		t.Errorf("after release: %+v", l)
	}
	b.must(200, "GET", "/readyz", "", nil).json(t, &ready)
	if ready.Views.Behind != 0 || ready.Views.Stalled {
		t.Errorf("/readyz after release: %+v", ready)
	}
}
