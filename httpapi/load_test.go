package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

// TestLoad: 50 teachers and a jury work at once against a real gradelog
// (embedded NATS, sync before acknowledging, as shipped) over loopback
// HTTP, for GRADELOG_LOAD_SECONDS (6 by default). Then the log is read
// whole and every acknowledged write is found in it exactly once, written
// by the request that was acknowledged, and nothing else is.
//
// The teachers: the seed catalog has 25 UEs a student may follow (the
// three admission complements, bloc 1 and bloc 2), each examined in Q2 and
// Q3; the clock stands in the Q2 exams, when both sessions' sheets take
// marks. The 50 teachers are the Q2 and the Q3 teacher of each UE, each
// with a token naming their UE, each posting single marks on their own
// sheet (a form's entry), one request at a time, each with an
// Idempotency-Key. Every fifth post is retried once after its answer (the
// client lost it), every seventh is sent twice at once (the client gave
// up waiting and retried): the retries must get the same answer and write
// nothing. Marks fail (below 9.5): a Q2 mark never takes a student off the
// Q3 sheet of the same UE.
//
// The jury: the Q1 sheets were submitted in January; now the president
// opens the Q1 deliberation, decides every student on the dossier shown
// (a 409 when a teacher's mark changed the student's record in between:
// the decision is taken again on the dossier the 409 carries), asks a
// what-if every ten decisions, closes the deliberation, and goes on
// reading (the deliberation, what-ifs, the minutes) until the teachers
// stop.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	seconds := 6
	if v := os.Getenv("GRADELOG_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GRADELOG_LOAD_SECONDS=%q: a number of seconds", v)
		}
		seconds = n
	}
	lt := startLoad(t, 100) // students per cohort: the jury decides 200 students

	start, err := lt.env.Log.LastPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	deadline := began.Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for _, d := range lt.desks {
		wg.Go(func() { lt.teach(d, deadline) })
	}
	wg.Go(func() { lt.deliberate(deadline) })
	wg.Wait()
	took := time.Since(began)
	for _, err := range lt.errs {
		t.Error(err)
	}
	if len(lt.errs) > 0 {
		t.FailNow()
	}

	lt.verify(t, start)
	lt.report(t, began, took)
}

// loadTest is the running gradelog, its users, and what they were told.
type loadTest struct {
	t      *testing.T
	env    *gradetest.Env
	url    string
	client *http.Client
	desks  []*desk
	jury   map[string]string // member id -> token
	sec    string

	mu        sync.Mutex
	acks      []ack
	latencies map[string][]time.Duration
	behind    map[string][]uint64 // Gradelog-Behind of the answers, by kind
	errs      []error
	conflicts atomic.Int64
	marksEnd  atomic.Int64      // when the last teacher stopped (UnixNano)
	closedAt  atomic.Int64      // when the deliberation was closed (UnixNano)
	filled    atomic.Int64      // teachers who filled every empty slot before the end
	versions  map[string]uint64 // key -> the entry's version its answer gave
}

// desk is one teacher and their sheet.
type desk struct {
	id    auth.Identity
	token string
	path  string
	slots []handlers.EntryInput // the empty slots, in order, values to set
}

// ack is one acknowledged write: what its answer said.
type ack struct {
	kind     string
	key      string // as the log stores it: the actor's id, "/", the key
	command  string // the Gradelog-Command of the answer
	position uint64 // the answer's position
	records  int    // records the answer says were written
	replayed bool   // Idempotent-Replayed: the answer to an earlier request
}

var loadFailing = []string{"4", "5.5", "6", "7.5", "8", "9", "9.4", "3", "8.5", "6.5"} // 9.4 rounds to 9

// startLoad starts gradelog with sync before acknowledging, publishes the
// documents, schedules Q1-Q3, constitutes the jury, enrols two cohorts of
// n students (VAE admissions with the complements and the bloc-1 PAE, and
// bloc-2 students), submits the Q1 sheets in January, and sets the clock
// in the Q2 exams.
func startLoad(t *testing.T, n int) *loadTest {
	t.Helper()
	env := gradetest.Start(t, false)
	ctx := t.Context()
	hs := env.Handlers
	key, err := auth.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(httpapi.New(httpapi.Deps{Ready: env.Log.CheckConfig, Handlers: hs, Key: key, Now: env.Clock.Now}))
	t.Cleanup(ts.Close)
	mint := func(id auth.Identity) string {
		tok, err := key.Mint(id, env.Clock.Now(), 366*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	lt := &loadTest{t: t, env: env, url: ts.URL, jury: map[string]string{}, latencies: map[string][]time.Duration{}, behind: map[string][]uint64{}, versions: map[string]uint64{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}}
	t.Cleanup(lt.client.CloseIdleConnections)

	sec := auth.Identity{ID: "sec.load", Name: "sec.load", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}
	lt.sec = mint(sec)
	for _, q := range []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3} {
		if _, err := hs.ScheduleSession(ctx, sec, "", gradetest.Year, q, handlers.Schedule{}); err != nil {
			t.Fatal(err)
		}
	}
	members := []events.JuryMember{
		{ID: "jury.pres", Name: "Anne Delvaux", Institution: "HELMo", Teaches: []string{"1/8", "2/9"}},
		{ID: "jury.secr", Name: "Marc Thiry", Institution: "HEPL", Teaches: []string{"1/9", "2/3"}},
		{ID: "jury.m3", Name: "Sophie Gérard", Institution: "HELMo", Teaches: []string{"1/10", "2/1"}},
		{ID: "jury.m4", Name: "Luc Wathelet", Institution: "HEPL", Teaches: []string{"1/12", "2/6"}},
		{ID: "jury.m5", Name: "Inès Boulanger", Institution: "HELMo", Teaches: []string{"1/4"}},
	}
	if _, err := hs.ConstituteJury(ctx, sec, "", "MIAS", gradetest.Year, handlers.JuryInput{President: "jury.pres", Secretary: "jury.secr", Members: members}); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		lt.jury[m.ID] = mint(auth.Identity{ID: m.ID, Name: m.Name, Roles: []string{auth.Jury}})
	}

	complements := []string{"1/1", "1/2", "1/3"}
	ues := append(append(slices.Clone(complements), bloc1...), dlBloc2...)
	cohorts := []struct {
		prefix    string
		admission handlers.Admission
		pae       []string
	}{
		{"VA", handlers.Admission{Year: gradetest.Year, Basis: "VAE", Complements: complements}, append(slices.Clone(complements), bloc1...)},
		{"MB", handlers.Admission{Year: gradetest.Year, Basis: "bloc 1 réussi", HasBachelor: true}, dlBloc2},
	}
	var enrol sync.WaitGroup
	var enrolErr atomic.Pointer[error]
	for _, c := range cohorts {
		for w := range 4 {
			enrol.Go(func() {
				for i := w; i < n; i += 4 {
					mat := fmt.Sprintf("%s%06d", c.prefix, i)
					var err error
					if _, err = hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: mat, FirstName: "Prénom " + mat,
						LastName: "Nom " + mat, Email: strings.ToLower(mat) + "@student.load.be"}); err == nil {
						if _, err = hs.AdmitStudent(ctx, sec, "", mat, c.admission); err == nil {
							_, err = hs.ValidatePAE(ctx, sec, "", mat, gradetest.Year, handlers.PAERequest{UEs: c.pae})
						}
					}
					if err != nil {
						err = fmt.Errorf("enrolling %s: %w", mat, err)
						enrolErr.CompareAndSwap(nil, &err)
						return
					}
				}
			})
		}
	}
	enrol.Wait()
	if err := enrolErr.Load(); err != nil {
		t.Fatal(*err)
	}

	teacher := func(ue string, q catalog.Session) auth.Identity {
		id := "prof." + strings.ReplaceAll(ue, "/", "-") + "." + strings.ToLower(string(q))
		return auth.Identity{ID: id, Name: id, Roles: []string{auth.Teacher}, UEs: []string{ue}}
	}
	// January: the Q1 sheets are submitted (their marks are not the
	// point; missing ones are counted).
	for _, ue := range ues {
		if u, _ := env.Catalog.UE(ue); !u.HasSession(catalog.Q1) {
			continue
		}
		ref := handlers.SheetRef{Year: gradetest.Year, Session: catalog.Q1, UE: ue}
		if _, err := hs.SubmitSheet(ctx, teacher(ue, catalog.Q1), "", ref); err != nil {
			t.Fatalf("submitting %s: %v", ref, err)
		}
	}

	// June: the Q2 exams.
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	i := 0
	for _, ue := range ues {
		for _, q := range []catalog.Session{catalog.Q2, catalog.Q3} {
			id := teacher(ue, q)
			ref := handlers.SheetRef{Year: gradetest.Year, Session: q, UE: ue}
			sheet, err := hs.Sheet(ctx, id, ref)
			if err != nil {
				t.Fatal(err)
			}
			d := &desk{id: id, token: mint(id), path: "/api/v1/sheets/" + gradetest.Year + "/" + string(q) + "/" + ue}
			for _, r := range sheet.Rows {
				for _, c := range sheet.Columns {
					if _, locked := r.Locked[c.Key]; !locked {
						d.slots = append(d.slots, handlers.EntryInput{Student: r.Matricule, Activity: c.Key, Value: loadFailing[i%len(loadFailing)]})
						i++
					}
				}
			}
			if len(d.slots) < n {
				t.Fatalf("sheet %s: %d empty slots for %d students", ref, len(d.slots), n)
			}
			lt.desks = append(lt.desks, d)
		}
	}
	if len(lt.desks) != 50 {
		t.Fatalf("%d sheets for 50 teachers", len(lt.desks))
	}
	if err := hs.Views.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	bySlots := func(a, b *desk) int { return len(a.slots) - len(b.slots) }
	t.Logf("set up: %d students, %d teachers with %d to %d empty slots each", 2*n, len(lt.desks),
		len(slices.MinFunc(lt.desks, bySlots).slots), len(slices.MaxFunc(lt.desks, bySlots).slots))
	return lt
}

// failf records a failure seen by a worker.
func (lt *loadTest) failf(format string, args ...any) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if len(lt.errs) < 20 {
		lt.errs = append(lt.errs, fmt.Errorf(format, args...))
	}
}

func (lt *loadTest) failed() bool {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return len(lt.errs) > 0
}

// call sends a request (body JSON-encoded, with an Idempotency-Key when
// key is not empty) and times it under kind.
func (lt *loadTest) call(kind, method, path, token, key string, body any) (answer, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, lt.url+path, r)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	t0 := time.Now()
	resp, err := lt.client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	took := time.Since(t0)
	behind, err := strconv.ParseUint(resp.Header.Get("Gradelog-Behind"), 10, 64)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: Gradelog-Behind %q: %v", method, path, resp.Header.Get("Gradelog-Behind"), err)
	}
	lt.mu.Lock()
	lt.latencies[kind] = append(lt.latencies[kind], took)
	lt.behind[kind] = append(lt.behind[kind], behind)
	lt.mu.Unlock()
	return answer{resp.StatusCode, resp.Header, data}, nil
}

// acked records an acknowledged write.
func (lt *loadTest) acked(kind, actor, key string, a answer, position uint64, records int) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.acks = append(lt.acks, ack{kind: kind, key: actor + "/" + key, command: a.header.Get("Gradelog-Command"),
		position: position, records: records, replayed: a.header.Get("Idempotent-Replayed") == "true"})
}

// teach posts d's marks one at a time until the deadline: first every
// empty slot of the sheet, then, round after round, a correction of each
// (another failing value, naming the entry's version as the teacher saw it).
func (lt *loadTest) teach(d *desk, deadline time.Time) {
	defer stopped(&lt.marksEnd)
	versions := make([]uint64, len(d.slots))
	for round := 0; ; round++ {
		kind := "mark"
		if round > 0 {
			kind = "correction"
		}
		for j, in := range d.slots {
			if !time.Now().Before(deadline) || lt.failed() {
				return
			}
			i := round*len(d.slots) + j
			key := fmt.Sprintf("mark-%d", i)
			in.Value = loadFailing[(3*j+round)%len(loadFailing)]
			if round > 0 {
				in.Version = &versions[j]
			}
			body := map[string]any{"entries": []handlers.EntryInput{in}}
			post := func(label string) {
				a, err := lt.call(label, "POST", d.path+"/entries", d.token, key, body)
				if err != nil {
					lt.failf("%s: %v", d.id.ID, err)
					return
				}
				var rec handlers.Recorded
				if a.status != 200 || json.Unmarshal(a.body, &rec) != nil || rec.Position == 0 || len(rec.Results) != 1 {
					lt.failf("%s %s %+v: %d %s", d.id.ID, d.path, in, a.status, a.body)
					return
				}
				saved := 0
				if rec.Results[0].Outcome == handlers.Saved {
					saved = 1
				}
				if a.header.Get("Idempotent-Replayed") != "true" && saved != 1 {
					lt.failf("%s %s %+v: not saved: %s", d.id.ID, d.path, in, a.body)
					return
				}
				lt.acked(kind, d.id.ID, key, a, rec.Position, saved)
				lt.mu.Lock()
				lt.versions[d.id.ID+"/"+key] = rec.Results[0].Version
				lt.mu.Unlock()
			}
			switch {
			case i%7 == 3: // sent twice at once
				var both sync.WaitGroup
				both.Go(func() { post(kind + " (sent twice at once)") })
				both.Go(func() { post(kind + " (sent twice at once)") })
				both.Wait()
			case i%5 == 1: // retried after its answer
				post(kind)
				post(kind + " (retry)")
			default:
				post(kind)
			}
			if lt.failed() {
				return
			}
			versions[j] = lt.lastVersion(d.id.ID + "/" + key)
		}
		if round == 0 {
			lt.filled.Add(1)
		}
	}
}

// lastVersion is the entry version the first answer to key gave.
func (lt *loadTest) lastVersion(key string) uint64 {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.versions[key]
}

// stopped notes when a worker stopped.
func stopped(at *atomic.Int64) {
	now := time.Now().UnixNano()
	for {
		old := at.Load()
		if old >= now || at.CompareAndSwap(old, now) {
			return
		}
	}
}

// deliberate runs the jury's Q1 deliberation, then reads until the deadline.
func (lt *loadTest) deliberate(deadline time.Time) {
	path := deliberationPath("Q1")
	pres, m3 := lt.jury["jury.pres"], lt.jury["jury.m3"]
	fail := func(what string, a answer, err error) {
		if err != nil {
			lt.failf("jury %s: %v", what, err)
		} else {
			lt.failf("jury %s: %d %s", what, a.status, a.body)
		}
	}
	var w httpapi.Written
	a, err := lt.call("jury open", "POST", path+"/open", pres, "open", handlers.Opening{Present: []string{"jury.pres", "jury.secr", "jury.m3", "jury.m4", "jury.m5"}})
	if err != nil || a.status != 201 || json.Unmarshal(a.body, &w) != nil {
		fail("open", a, err)
		return
	}
	lt.acked("jury open", "jury.pres", "open", a, w.Position, w.Records)

	var dv projections.DeliberationView
	if a, err = lt.call("jury view", "GET", path, m3, "", nil); err != nil || a.status != 200 || json.Unmarshal(a.body, &dv) != nil {
		fail("view", a, err)
		return
	}
	whatIf := func(mat string) bool {
		var wi projections.WhatIfView
		a, err := lt.call("jury what-if", "POST", path+"/what-if", m3, "", handlers.WhatIfInput{Changes: []projections.Change{{Student: mat, UE: "1/4", Value: "8"}}})
		if err != nil || a.status != 200 || json.Unmarshal(a.body, &wi) != nil {
			fail("what-if", a, err)
			return false
		}
		return true
	}
	// The president and the secretary decide at once, each half of the
	// students, on the dossier each is shown.
	var deciders sync.WaitGroup
	for k, member := range []string{"jury.pres", "jury.secr"} {
		deciders.Go(func() {
			for i := k; i < len(dv.Students) && !lt.failed(); i += 2 {
				if !lt.decide(path, member, dv.Students[i].Student.Matricule) {
					return
				}
				if i/2%10 == 9 {
					if !whatIf(dv.Students[i].Student.Matricule) {
						return
					}
					if a, err := lt.call("jury view", "GET", path, m3, "", nil); err != nil || a.status != 200 {
						fail("view", a, err)
						return
					}
				}
			}
		})
	}
	deciders.Wait()
	if lt.failed() {
		return
	}
	a, err = lt.call("jury close", "POST", path+"/close", pres, "close", nil)
	if err != nil || a.status != 200 || json.Unmarshal(a.body, &w) != nil {
		fail("close", a, err)
		return
	}
	lt.acked("jury close", "jury.pres", "close", a, w.Position, w.Records)
	stopped(&lt.closedAt)
	// Until the teachers stop: the jury reads.
	for i := 0; time.Now().Before(deadline) && !lt.failed(); i++ {
		var err error
		switch i % 3 {
		case 0:
			a, err = lt.call("jury view", "GET", path, m3, "", nil)
		case 1:
			if !whatIf(dv.Students[i%len(dv.Students)].Student.Matricule) {
				return
			}
			continue
		case 2:
			a, err = lt.call("jury minutes", "GET", path+"/minutes", pres, "", nil)
		}
		if err != nil || a.status != 200 {
			fail("reading", a, err)
			return
		}
	}
}

// decide records member's decision on mat, on the dossier shown; on a 409
// (the record changed since), again on the dossier the refusal carries.
func (lt *loadTest) decide(path, member, mat string) bool {
	token := lt.jury[member]
	fail := func(what string, a answer, err error) bool {
		if err != nil {
			lt.failf("jury %s: %v", what, err)
		} else {
			lt.failf("jury %s: %d %s", what, a.status, a.body)
		}
		return false
	}
	var dos projections.Dossier
	a, err := lt.call("jury dossier", "GET", "/api/v1/students/"+mat+"/dossiers/"+gradetest.Year+"/Q1", token, "", nil)
	if err != nil || a.status != 200 || json.Unmarshal(a.body, &dos) != nil {
		return fail("dossier of "+mat, a, err)
	}
	version := dos.RecordVersion
	for attempt := 1; ; attempt++ {
		key := fmt.Sprintf("decide-%s-%d", mat, attempt)
		a, err = lt.call("jury decision", "POST", path+"/decisions", token, key, handlers.DecisionInput{Student: mat, RecordVersion: version})
		if err == nil && a.status == 409 && attempt < 50 {
			var p struct{ Current projections.Dossier }
			if json.Unmarshal(a.body, &p) != nil || p.Current.RecordVersion <= version {
				return fail("decision on "+mat+" (409)", a, nil)
			}
			lt.conflicts.Add(1)
			version = p.Current.RecordVersion
			continue
		}
		var d handlers.Decided
		if err != nil || a.status != 201 || json.Unmarshal(a.body, &d) != nil {
			return fail("decision on "+mat, a, err)
		}
		records := 1
		if d.Degree != nil {
			records = 2
		}
		lt.acked("jury decision", member, key, a, d.Position, records)
		return true
	}
}

// verify reads the log after start, whole, and checks it against what was
// acknowledged: every acknowledged write is there exactly once (its
// records, all written by the acknowledged request's command, the answer's
// position among them); a retry wrote nothing and answered the same
// position; no record is there that no answer acknowledged.
func (lt *loadTest) verify(t *testing.T, start uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	byKey := map[string][]events.Record{}
	var all []events.Record
	if err := eventlog.Follow(ctx, lt.env.Log, start, false, func(r events.Record) error {
		all = append(all, r)
		byKey[r.IdempotencyKey] = append(byKey[r.IdempotencyKey], r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	byCommand := map[string]int{}
	for _, r := range all {
		byCommand[r.CorrelationID]++
	}
	groups := map[string][]ack{}
	var keys []string
	for _, a := range lt.acks {
		if groups[a.key] == nil {
			keys = append(keys, a.key)
		}
		groups[a.key] = append(groups[a.key], a)
	}
	var lost, dup, expected, retries int
	for _, key := range keys {
		g := groups[key]
		var first *ack
		for i := range g {
			if !g[i].replayed {
				if first != nil {
					t.Errorf("key %s: two answers wrote (commands %s and %s)", key, first.command, g[i].command)
					dup++
				}
				first = &g[i]
			}
		}
		if first == nil {
			t.Errorf("key %s: only replayed answers", key)
			continue
		}
		recs := byKey[key]
		expected += first.records
		switch {
		case len(recs) == 0:
			lost++
			t.Errorf("acknowledged %s %s at position %d: not in the log", first.kind, key, first.position)
			continue
		case len(recs) > first.records:
			dup++
			t.Errorf("acknowledged %s %s (%d records): %d records in the log", first.kind, key, first.records, len(recs))
		case len(recs) < first.records:
			lost++
			t.Errorf("acknowledged %s %s (%d records): %d records in the log", first.kind, key, first.records, len(recs))
		}
		at := false
		for _, r := range recs {
			at = at || r.Position == first.position
			if r.CorrelationID != first.command {
				t.Errorf("%s: record at %d written by command %s, the answer names %s", key, r.Position, r.CorrelationID, first.command)
			}
		}
		if !at {
			t.Errorf("%s: answered position %d, its records are elsewhere", key, first.position)
		}
		for _, a := range g {
			if !a.replayed {
				continue
			}
			retries++
			if a.position != first.position {
				t.Errorf("%s: a retry answered position %d, the first answer %d", key, a.position, first.position)
			}
			if n := byCommand[a.command]; n > 0 {
				dup++
				t.Errorf("%s: the retry (command %s) wrote %d records", key, a.command, n)
			}
		}
	}
	unacknowledged := map[string]int{}
	for _, r := range all {
		if groups[r.IdempotencyKey] == nil {
			unacknowledged[r.Type]++
		}
	}
	if len(unacknowledged) > 0 {
		t.Errorf("records no answer acknowledged: %v", unacknowledged)
	}
	if len(all) != expected {
		t.Errorf("the log holds %d records after position %d; %d were acknowledged", len(all), start, expected)
	}
	t.Logf("log after position %d: %d records; acknowledged: %d writes (%d records), %d retries answered from the first; lost %d, duplicated %d, unacknowledged %d",
		start, len(all), len(keys), expected, retries, lost, dup, len(unacknowledged))
}

func (lt *loadTest) decisions() int {
	n := 0
	for _, a := range lt.acks {
		if a.kind == "jury decision" {
			n++
		}
	}
	return n
}

// report logs the latencies of each kind of request.
func (lt *loadTest) report(t *testing.T, began time.Time, took time.Duration) {
	t.Helper()
	kinds := make([]string, 0, len(lt.latencies))
	var jury []time.Duration
	marks := 0
	for k, ds := range lt.latencies {
		kinds = append(kinds, k)
		if strings.HasPrefix(k, "jury") {
			jury = append(jury, ds...)
		}
	}
	corrections := 0
	for _, a := range lt.acks {
		switch {
		case a.replayed:
		case a.kind == "mark":
			marks++
		case a.kind == "correction":
			corrections++
		}
	}
	slices.Sort(kinds)
	teaching := time.Unix(0, lt.marksEnd.Load()).Sub(began)
	t.Logf("%s in all; %d teachers posted for %s: %d marks and %d corrections acknowledged (%.0f/s); the jury closed after %s (%d students decided, %d decisions taken again after a 409); %d teachers filled their sheet and went on correcting",
		took.Round(time.Millisecond), len(lt.desks), teaching.Round(time.Millisecond), marks, corrections, float64(marks+corrections)/teaching.Seconds(),
		time.Unix(0, lt.closedAt.Load()).Sub(began).Round(time.Millisecond), lt.decisions(), lt.conflicts.Load(), lt.filled.Load())
	line := func(name string, ds []time.Duration, behind []uint64) {
		slices.Sort(ds)
		slices.Sort(behind)
		p50, p99 := benchraw.Percentiles(ds)
		b := ""
		if len(behind) > 0 {
			b = fmt.Sprintf("  Gradelog-Behind p50 %d p99 %d max %d", behind[len(behind)/2], behind[min(len(behind)-1, len(behind)*99/100)], behind[len(behind)-1])
		}
		t.Logf("  %-32s n=%5d  p50 %8s  p99 %8s  max %8s%s", name, len(ds), p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond), ds[len(ds)-1].Round(100*time.Microsecond), b)
	}
	for _, k := range kinds {
		line(k, lt.latencies[k], lt.behind[k])
	}
	if len(jury) > 0 {
		line("jury (every call)", jury, nil)
	}
}
