package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/sheetfile"
)

// secLeroy is who mintSecretariat's tokens name, for the setup done in
// process: the same actor, so that a file exported here and uploaded with
// a token is the secretariat's own.
var secLeroy = auth.Identity{ID: "sec.leroy", Roles: []string{auth.Secretariat, auth.Jury}, Programmes: []string{"MIAS"}}

// crashSheet is the sheet the crash tests write: UE 1/9 in Q2, two
// activities, so n students make 2n marks.
var crashSheet = handlers.SheetRef{Year: clientYear, Session: catalog.Q2, UE: "1/9"}

// seedStore builds in data, through the command handlers in process, what
// serve then finds: the shipped catalog and ruleset published, Q1 and Q2
// scheduled, n students registered, admitted and given the bloc-1 PAE,
// then whatever more does. It writes with fast sync and stops the server
// cleanly; the views' checkpoint is not saved. It returns the export of
// crashSheet (empty unless more filled it) and the log's last position.
func seedStore(t *testing.T, data string, n int, more func(ctx context.Context, hs *handlers.Handlers) error) (sheetfile.Template, uint64) {
	t.Helper()
	return seedLog(t, logFlags{data: data, fastSync: true}, n, more)
}

// seedLog is seedStore on the log lf opens (a new stream gets lf's limit).
func seedLog(t *testing.T, lf logFlags, n int, more func(ctx context.Context, hs *handlers.Handlers) error) (sheetfile.Template, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	opened, err := lf.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer opened.close()
	cat, rs, err := loadDocuments(io.Discard, "", "")
	if err != nil {
		t.Fatal(err)
	}
	hs := handlers.On(opened.log, projections.NewCohort())
	vctx, stopViews := context.WithCancel(ctx)
	viewsDone := make(chan struct{})
	go func() { defer close(viewsDone); _ = hs.Views.Run(vctx) }()
	defer func() { stopViews(); <-viewsDone }()
	if _, err := hs.PublishCatalog(ctx, cat, rs, systemActor); err != nil {
		t.Fatal(err)
	}
	for _, q := range []catalog.Session{catalog.Q1, catalog.Q2} {
		if _, err := hs.ScheduleSession(ctx, secLeroy, "", clientYear, q, handlers.Schedule{}); err != nil {
			t.Fatal(err)
		}
	}
	pae := strings.Split(clientBloc1, ",")
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				m := fmt.Sprintf("HE%06d", 300000+i)
				_, err := hs.RegisterStudent(ctx, secLeroy, "", handlers.Registration{Matricule: m, FirstName: "Prénom" + m, LastName: "Nom" + m,
					Email: strings.ToLower(m) + "@student.helmo.be"})
				if err == nil {
					_, err = hs.AdmitStudent(ctx, secLeroy, "", m, handlers.Admission{Year: clientYear, Basis: "bachelier", HasBachelor: true})
				}
				if err == nil {
					_, err = hs.ValidatePAE(ctx, secLeroy, "", m, clientYear, handlers.PAERequest{UEs: pae})
				}
				if err != nil {
					mu.Lock()
					first = cmpOr(first, fmt.Errorf("enrolling %s: %w", m, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
	if more != nil {
		if err := more(ctx, hs); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := hs.SheetTemplate(ctx, secLeroy, crashSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Rows) != n || len(tmpl.Columns) != 2 {
		t.Fatalf("sheet %s: %d rows, %d columns; want %d rows, 2 columns", crashSheet, len(tmpl.Rows), len(tmpl.Columns), n)
	}
	last, err := opened.log.LastPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, last
}

func cmpOr(err, next error) error {
	if err != nil {
		return err
	}
	return next
}

// markOf is the mark round k gives cell (row i, column j): integers, so
// that the sheet shows them as sent, and different from round k-1's in
// every cell.
func markOf(k, i, j int) string { return strconv.Itoa((k + i + 7*j) % 20) }

// filled is the template with every cell set to round k's marks, as CSV.
func filled(t *testing.T, tmpl sheetfile.Template, k int) []byte {
	t.Helper()
	for i, row := range tmpl.Rows {
		row.Values = map[string]string{}
		for j, c := range tmpl.Columns {
			row.Values[c.Key] = markOf(k, i, j)
		}
		tmpl.Rows[i] = row
	}
	var buf bytes.Buffer
	if err := sheetfile.WriteCSV(&buf, tmpl); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// answer is an HTTP answer, or the error of a request that got none.
type answer struct {
	status int
	body   []byte
	err    error
}

// upload posts a sheet file with an idempotency key; wrote is closed once
// the whole request, body included, is sent.
func upload(base, token, key string, file []byte, query string, wrote chan<- struct{}) answer {
	path, _ := sheetPath(crashSheet.Year, string(crashSheet.Session), crashSheet.UE)
	ctx := context.Background()
	if wrote != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }})
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", base+path+"/import"+query, bytes.NewReader(file))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	// A fresh connection each time: a kept-alive one to a killed server
	// would fail the next request.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: body, err: err}
}

// sheetMarks reads the sheet from the server: each (student, column)'s
// entry.
func sheetMarks(t *testing.T, api *httpAPI) map[[2]string]string {
	t.Helper()
	path, _ := sheetPath(crashSheet.Year, string(crashSheet.Session), crashSheet.UE)
	status, body := api.do("GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	var s handlers.Sheet
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]string{}
	for _, r := range s.Rows {
		for col, e := range r.Entries {
			if !e.Entry.IsZero() {
				out[[2]string{r.Matricule, col}] = e.Entry.String()
			}
		}
	}
	return out
}

// roundOf says which round's marks the sheet holds: k if every cell holds
// round k's mark, -1 for an empty sheet; otherwise it fails, naming how
// many cells hold each round.
func roundOf(t *testing.T, tmpl sheetfile.Template, marks map[[2]string]string, rounds ...int) int {
	t.Helper()
	if len(marks) == 0 {
		return -1
	}
	counts := map[int]int{}
	for _, k := range rounds {
		for i, row := range tmpl.Rows {
			for j, c := range tmpl.Columns {
				if marks[[2]string{row.Matricule, c.Key}] == markOf(k, i, j) {
					counts[k]++
				}
			}
		}
		if counts[k] == 2*len(tmpl.Rows) && len(marks) == counts[k] {
			return k
		}
	}
	t.Fatalf("the sheet holds %d marks, a mix: cells holding each round's marks %v (want all %d of one round)", len(marks), counts, 2*len(tmpl.Rows))
	return 0
}

// logRecords counts, in the stopped server's log, the sheet's records by
// idempotency key and checks the sheet's hash chain.
func logRecords(t *testing.T, data string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	opened, err := (&logFlags{data: data}).openExisting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer opened.close()
	h, err := opened.log.Load(ctx, events.SheetOf(crashSheet.Year, string(crashSheet.Session), crashSheet.UE), eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	if err := events.VerifyChain(h.Records); err != nil {
		t.Fatal(err)
	}
	keys := map[string]int{}
	ids := map[string]bool{}
	for _, r := range h.Records {
		if ids[r.ID.String()] {
			t.Fatalf("record %s is in the log twice", r.ID)
		}
		ids[r.ID.String()] = true
		keys[r.IdempotencyKey]++
	}
	return keys
}

// TestCrashMidImport kills the real gradelog (SIGKILL) while it applies a
// 1,000-mark sheet import (500 students, two activities: one atomic append
// of 1,000 events), at delays after the request is sent that converge on
// the moment the import is written. Each time, after the crash: the log
// holds all 1,000 records of the import or none, and the sheet served
// after a restart holds all of the import's marks or all of the marks it
// held before; then the same upload, with the same Idempotency-Key, is
// sent again: an import that had landed is answered "already recorded"
// and writes nothing, one that had not lands whole. At the end, every
// import's key has exactly its 1,000 records in the log, once each.
func TestCrashMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gradelog binary; skipped in -short mode")
	}
	bin := buildGradelog(t)
	data := t.TempDir()
	start := time.Now()
	const students = 500
	tmpl, _ := seedStore(t, data, students, nil)
	t.Logf("%d students enrolled in %v", students, time.Since(start).Round(time.Millisecond))
	token := mintSecretariat(t, data)
	marks := 2 * students
	durable := "--fast-sync=false" // production durability: synced before acknowledged

	srv := startServeBin(t, bin, data, durable)
	// Calibration: a dry run is the same decision without the write.
	dryStart := time.Now()
	if a := upload(srv.url, token, "", filled(t, tmpl, 0), "?dry_run=true", nil); a.err != nil || a.status != http.StatusOK {
		t.Fatalf("dry run: %v %d %s", a.err, a.status, a.body)
	}
	dry := time.Since(dryStart)
	lo, hi := time.Duration(0), 3*dry
	delay := dry

	landedRound := -1 // the last round whose import is in the log
	var landed, lost, unanswered int
	var keys []string
	for k := 1; k <= 10; k++ {
		if k > 6 && landed > 0 && lost > 0 {
			break
		}
		key := fmt.Sprintf("crash-import-%d", k)
		keys = append(keys, key)
		file := filled(t, tmpl, k)
		wrote := make(chan struct{})
		done := make(chan answer, 1)
		go func() { done <- upload(srv.url, token, key, file, "", wrote) }()
		select {
		case <-wrote:
		case a := <-done:
			t.Fatalf("round %d: the upload failed before it was sent: %v %d %s", k, a.err, a.status, a.body)
		}
		time.Sleep(delay)
		srv.stop(t, syscall.SIGKILL)
		a := <-done
		answered := a.err == nil
		if answered && a.status != http.StatusOK {
			t.Fatalf("round %d: answered %d %s before the kill", k, a.status, a.body)
		}

		// The log, read with the server down: all of the import or none.
		n := logRecords(t, data)["sec.leroy/"+key]
		switch {
		case n == marks:
			landed++
			if !answered {
				unanswered++
			}
		case n == 0 && !answered:
			lost++
		default:
			t.Fatalf("round %d (killed %v after the upload was sent, answered: %v): %d records of the import in the log, want %d or 0",
				k, delay, answered, n, marks)
		}
		t.Logf("round %d: killed %v after the upload was sent; answered before the kill: %v; import in the log: %v",
			k, delay.Round(time.Microsecond), answered, n == marks)

		// Restarted: the sheet holds this round's marks or the last
		// landed round's, whole.
		srv = startServeBin(t, bin, data, durable)
		api := &httpAPI{t: t, base: srv.url, token: token}
		want := landedRound
		if n == marks {
			want = k
		}
		if got := roundOf(t, tmpl, sheetMarks(t, api), k, landedRound); got != want {
			t.Fatalf("round %d: the sheet holds round %d's marks, want round %d's", k, got, want)
		}

		// The same upload again, same key: recorded exactly once.
		retryStart := time.Now()
		r := upload(srv.url, token, key, file, "", nil)
		took := time.Since(retryStart)
		var rep handlers.ImportReport
		if r.err != nil || r.status != http.StatusOK || json.Unmarshal(r.body, &rep) != nil {
			t.Fatalf("round %d: retry: %v %d %s", k, r.err, r.status, r.body)
		}
		if rep.AlreadyRecorded != (n == marks) || !rep.Written || rep.Saved != students && !rep.AlreadyRecorded {
			t.Fatalf("round %d: retry answered already recorded %v, written %v, %d rows saved; the import was in the log: %v",
				k, rep.AlreadyRecorded, rep.Written, rep.Saved, n == marks)
		}
		if got := roundOf(t, tmpl, sheetMarks(t, api), k); got != k {
			t.Fatalf("round %d: after the retry the sheet holds round %d's marks", k, got)
		}
		landedRound = k

		// The next kill: later if this import was lost, earlier if it
		// landed, towards the moment it is written.
		if n == marks {
			hi = delay
		} else {
			lo = delay
			if !rep.AlreadyRecorded && took > hi {
				hi = took
			}
		}
		delay = (lo + hi) / 2
	}
	srv.stop(t, syscall.SIGTERM)

	counts := logRecords(t, data)
	for _, key := range keys {
		if n := counts["sec.leroy/"+key]; n != marks {
			t.Errorf("import %s: %d records in the log, want %d", key, n, marks)
		}
	}
	t.Logf("%d rounds: %d imports landed before the kill (%d of them unanswered), %d lost with the kill and landed on the retry; each in the log exactly once",
		len(keys), landed, unanswered, lost)
	if landed == 0 || lost == 0 {
		t.Errorf("the kills never fell on both sides of the write (%d landed, %d lost): the test did not exercise a crash mid-import", landed, lost)
	}
}

// TestCrashDuringCatchUp kills the real gradelog (SIGKILL) while its views
// catch up with a large log (no checkpoint: built from the first record),
// as soon as a checkpoint has been saved partway; then again after each
// restart, which resumes from that checkpoint, until the views reach the
// end of the log. After each kill, "gradelog rebuild" replays the log from
// position 0 to the checkpoint's position and finds the same bytes as the
// checkpoint; at the end, the views resumed (several times) from partial
// checkpoints and saved at the end of the log are identical, byte for
// byte, to a full rebuild.
func TestCrashDuringCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gradelog binary; skipped in -short mode")
	}
	bin := buildGradelog(t)
	data := t.TempDir()
	start := time.Now()
	const students, rounds = 500, 12
	_, last := seedStore(t, data, students, func(ctx context.Context, hs *handlers.Handlers) error {
		// A backlog: rounds of 1,000 marks on the 1/9 sheet, each round
		// correcting the one before.
		tmpl, err := hs.SheetTemplate(ctx, secLeroy, crashSheet)
		if err != nil {
			return err
		}
		for k := range rounds {
			var in []handlers.EntryInput
			for i, row := range tmpl.Rows {
				for j, c := range tmpl.Columns {
					in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: c.Key, Value: markOf(k, i, j)})
				}
			}
			if _, err := hs.RecordEntries(ctx, secLeroy, "", crashSheet, handlers.SourceForm, in); err != nil {
				return fmt.Errorf("round %d: %w", k, err)
			}
		}
		return nil
	})
	t.Logf("a log of %d records built in %v", last, time.Since(start).Round(time.Millisecond))
	checkpoint := filepath.Join(data, checkpointName)

	var partial []uint64
	for cycle := 1; cycle <= 8; cycle++ {
		prev, _ := os.Stat(checkpoint)
		srv := startServeBin(t, bin, data, "--fast-sync=false", "--checkpoint-every", "10ms")
		// Kill once the views have saved 1, 2, 4... new checkpoints.
		// No save for a second: the views have caught up (a save is made
		// only when they moved).
		saves, lastSave := 0, time.Now()
		for saves < 1<<(cycle-1) && time.Since(lastSave) < time.Second {
			if fi, err := os.Stat(checkpoint); err == nil && (prev == nil || !os.SameFile(fi, prev)) {
				saves, prev, lastSave = saves+1, fi, time.Now() // each save renames a new file into place
			}
			time.Sleep(500 * time.Microsecond)
		}
		srv.stop(t, syscall.SIGKILL)
		at := checkpointAt(t, checkpoint)
		t.Logf("cycle %d: killed after %d checkpoints, the last at position %d of %d", cycle, saves, at, last)
		if at == last {
			break
		}
		if len(partial) > 0 && at < partial[len(partial)-1] {
			t.Fatalf("cycle %d: the checkpoint went back from %d to %d", cycle, partial[len(partial)-1], at)
		}
		partial = append(partial, at)
		out, errOut, err := runBin(t, bin, "rebuild", "--data", data, "--no-save")
		if err != nil || !strings.Contains(out, fmt.Sprintf("views identical to the checkpoint at position %d\n", at)) {
			t.Fatalf("cycle %d: rebuild against the checkpoint at %d: %v\nstdout:\n%s\nstderr:\n%s", cycle, at, err, out, errOut)
		}
	}
	if len(partial) == 0 {
		t.Fatalf("the views caught up with %d records before the first checkpoint: no kill fell mid-way", last)
	}

	// The last run: resumed from the last partial checkpoint, up to the
	// end of the log, saved at a clean stop; then the full rebuild.
	srv := startServeBin(t, bin, data, "--fast-sync=false", "--checkpoint-every", "10ms")
	if at := resumedAt(t, srv); len(partial) > 0 && at < partial[len(partial)-1] {
		t.Fatalf("resumed at %d, before the last checkpoint %d", at, partial[len(partial)-1])
	}
	waitCheckpoint(t, checkpoint, last)
	srv.stop(t, syscall.SIGTERM)
	out, errOut, err := runBin(t, bin, "rebuild", "--data", data, "--no-save")
	if err != nil || !strings.Contains(out, fmt.Sprintf("views identical to the checkpoint at position %d\n", last)) {
		t.Fatalf("rebuild against the final checkpoint: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	t.Logf("killed mid-way with checkpoints at %v of %d; each, and the views resumed from them to the end, equal a full rebuild", partial, last)
}

// checkpointAt is the position of the checkpoint file.
func checkpointAt(t *testing.T, file string) uint64 {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("checkpoint %s: %v", file, err)
	}
	snap, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("checkpoint %s: %v", file, err)
	}
	_, cp, err := projections.Restore(snap)
	if err != nil {
		t.Fatalf("checkpoint %s: %v", file, err)
	}
	return cp.Position
}
