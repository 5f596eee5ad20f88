package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/internal/natsembed"
	"github.com/gradelog/gradelog/internal/natstest"
)

// TestFullLog is the stream's storage limit as a user meets it: serve
// with --max-bytes a little above what the catalog and 20 students take,
// and the 40-mark import of one sheet posted again and again (each round
// correcting every mark) until the log is full. The import that does not
// fit answers 507 saying the log is full and nothing was written, and
// nothing of it is written: the sheet still holds the previous round's 40
// marks, the log no record of its key, though single marks still fit
// after it. The CLI's import says the same. Once a single mark is refused
// too, the server still serves the sheet, a transcript and /readyz.
func TestFullLog(t *testing.T) {
	const students = 20
	// What the catalog, the sessions and the students take, in a
	// throwaway log: the limit is that plus room for a few rounds.
	probe := t.TempDir()
	seedLog(t, logFlags{data: probe, fastSync: true}, students, nil)
	base := streamBytes(t, probe)
	limit := base + 160<<10

	data := t.TempDir()
	tmpl, _ := seedLog(t, logFlags{data: data, fastSync: true, maxBytes: limit}, students, nil)
	token := mintSecretariat(t, data)
	url, stop := serveIn(t, "--data", data, "--max-bytes", fmt.Sprint(limit))
	api := &httpAPI{t: t, base: url, token: token}
	t.Logf("stream limit %d bytes (%d taken by the catalog and %d students)", limit, base, students)

	// Rounds of the whole sheet until one is refused.
	round, key := 0, ""
	var full answer
	for k := 1; ; k++ {
		if k > 100 {
			t.Fatal("100 imports of the sheet fitted: the storage limit is not enforced")
		}
		key = fmt.Sprintf("full-import-%d", k)
		a := upload(url, token, key, filled(t, tmpl, k), "", nil)
		if a.err != nil {
			t.Fatal(a.err)
		}
		if a.status == http.StatusOK {
			round = k
			continue
		}
		full = a
		break
	}
	t.Logf("import round %d refused after %d rounds: %d %s", round+1, round, full.status, full.body)
	var problem struct {
		Error string `json:"error"`
	}
	if full.status != http.StatusInsufficientStorage || json.Unmarshal(full.body, &problem) != nil ||
		!strings.Contains(problem.Error, "full") || !strings.Contains(problem.Error, "nothing was written") {
		t.Fatalf("an import past the storage limit answered %d %s; want 507 saying the log is full and nothing was written", full.status, full.body)
	}
	if got := roundOf(t, tmpl, sheetMarks(t, api), round+1, round); got != round {
		t.Fatalf("after the refused import the sheet holds round %d's marks, want round %d's, whole", got, round)
	}

	// The CLI, uploading the same round: the same answer, in words.
	file := filepath.Join(t.TempDir(), "notes.csv")
	if err := os.WriteFile(file, filled(t, tmpl, round+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env := map[string]string{"GRADELOG_SERVER": url, "GRADELOG_TOKEN": token}
	err := run(context.Background(), []string{"sheet", "import", clientYear, "Q2", "1/9", file}, func(k string) string { return env[k] }, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "507 Insufficient Storage") || !strings.Contains(errOut.String(), "the event log is full") ||
		!strings.Contains(errOut.String(), "more room") || strings.Contains(errOut.String(), "retry safely") {
		t.Fatalf("CLI import on a full log: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	t.Logf("CLI: %s", strings.TrimSpace(errOut.String()))

	// Single marks (1/4, Q1) until one is refused: those that fit show
	// the import was refused whole though part of it would have fitted.
	q1, _ := sheetPath(clientYear, "Q1", "1/4")
	fitted := 0
	for i, row := range tmpl.Rows {
		status, body := api.do("PUT", q1+"/entries/"+row.Matricule, map[string]string{"value": "12"})
		if status == http.StatusOK {
			fitted++
			continue
		}
		if status != http.StatusInsufficientStorage || !strings.Contains(string(body), "the event log is full") {
			t.Fatalf("mark %d past the storage limit: %d %s, want 507", i, status, body)
		}
		break
	}
	if fitted == len(tmpl.Rows) {
		t.Fatalf("all %d single marks fitted after the refused import", fitted)
	}
	t.Logf("%d single marks fitted after the refused import, then 507", fitted)

	// Reads are still served.
	if got := roundOf(t, tmpl, sheetMarks(t, api), round); got != round {
		t.Fatalf("the sheet holds round %d's marks, want round %d's", got, round)
	}
	for _, path := range []string{"/readyz", "/api/v1/students/" + tmpl.Rows[0].Matricule + "/transcripts/" + clientYear} {
		if status, body := api.do("GET", path, nil); status != http.StatusOK {
			t.Fatalf("GET %s on a full log: %d %s", path, status, body)
		}
	}

	// The log holds no record of the refused import, each earlier one whole.
	stop()
	counts := logRecords(t, data)
	for k := 1; k <= round+1; k++ {
		want := 0
		if k <= round {
			want = 2 * students
		}
		if n := counts["sec.leroy/"+fmt.Sprintf("full-import-%d", k)]; n != want {
			t.Errorf("import round %d: %d records in the log, want %d", k, n, want)
		}
	}
}

// streamBytes is the size of the stream in a stopped serve's data.
func streamBytes(t *testing.T, data string) int64 {
	t.Helper()
	s := natstest.ServerIn(t, filepath.Join(data, "nats"), false)
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	nc, err := natsembed.Connect(s, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close() // before the server goes
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "GRADELOG")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int64(info.State.Bytes)
}
