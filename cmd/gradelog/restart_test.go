package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
)

// TestRestartResumesViews is the checkpoint's "done when", on the real
// binary: a server killed with SIGKILL (no final save) resumes its views
// from the last checkpoint and serves the same bytes as before the kill;
// "gradelog rebuild" replays the whole log and finds the views identical to
// the checkpoint; and a log restored from an older copy, under a newer
// checkpoint, is detected: the views are rebuilt and show the older state.
func TestRestartResumesViews(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gradelog binary; skipped in -short mode")
	}
	bin := buildGradelog(t)
	data := t.TempDir()
	checkpoint := filepath.Join(data, checkpointName)

	// 1. A first server: three students marked in 1/4. Stopped cleanly,
	// its log is copied: the "older copy" restored at the end.
	srv := startServeBin(t, bin, data, "--checkpoint-every", "100ms")
	wantIn(t, "first start stderr", srv.stderr.String(), "no checkpoint at "+checkpoint)
	api := &httpAPI{t: t, base: srv.url, token: mintSecretariat(t, data)}
	students := []string{"HE201001", "HE201002", "HE201003"}
	for i, m := range students {
		api.write("POST", "/api/v1/students", handlers.Registration{Matricule: m, FirstName: "Prénom" + m, LastName: "Nom",
			Email: strings.ToLower(m) + "@student.helmo.be"})
		api.write("POST", "/api/v1/students/"+m+"/admission", handlers.Admission{Year: clientYear, Basis: "bachelier", HasBachelor: true})
		api.write("PUT", "/api/v1/students/"+m+"/pae/"+clientYear, handlers.PAERequest{UEs: strings.Split(clientBloc1, ",")})
		if i == 0 {
			api.write("PUT", "/api/v1/sessions/"+clientYear+"/Q1", map[string]string{})
		}
		api.mark("1/4", m, fmt.Sprint(10+i))
	}
	older := api.views(students)
	olderAt := api.last
	srv.stop(t, syscall.SIGTERM)
	wantIn(t, "clean stop", srv.stdout.String(), "gradelog: stopped")
	olderLog := filepath.Join(t.TempDir(), "nats")
	if err := os.CopyFS(olderLog, os.DirFS(filepath.Join(data, "nats"))); err != nil {
		t.Fatal(err)
	}

	// 2. Restarted: it resumes from the checkpoint saved at shutdown. More
	// marks; once a checkpoint holds them, a few more, then a crash.
	srv = startServeBin(t, bin, data, "--checkpoint-every", "100ms")
	api.base = srv.url
	if at := resumedAt(t, srv); at != olderAt {
		t.Errorf("restart after a clean stop resumed at position %d, want %d (the final save)", at, olderAt)
	}
	if !bytes.Equal(flat(api.views(students)), flat(older)) {
		t.Errorf("views after a clean restart differ from before it")
	}
	for i, m := range students {
		api.mark("1/5", m, fmt.Sprint(11+i))
		api.mark("1/6", m, "CM")
	}
	waitCheckpoint(t, checkpoint, api.last)
	api.mark("1/7", "HE201001", "16")
	api.mark("1/4", "HE201001", "9,5") // a correction
	api.mark("1/13", "HE201002", "ABS")
	before := api.views(students)
	lastAt := api.last
	time.Sleep(20 * time.Millisecond) // the acknowledged records reach the OS
	srv.stop(t, syscall.SIGKILL)

	// 3. After the crash: resumed from the last checkpoint, caught up with
	// the log, the same bytes.
	srv = startServeBin(t, bin, data, "--checkpoint-every", "100ms")
	api.base = srv.url
	at := resumedAt(t, srv)
	if at == 0 || at > lastAt {
		t.Errorf("after the crash: resumed at position %d, want 1..%d", at, lastAt)
	}
	t.Logf("after SIGKILL: resumed from the checkpoint at position %d, log at %d", at, lastAt)
	after := api.views(students)
	for name, want := range before {
		if !bytes.Equal(after[name], want) {
			t.Errorf("%s after the crash differs:\n%s\nbefore:\n%s", name, after[name], want)
		}
	}
	if !strings.Contains(string(after["transcript HE201001"]), `"result": "9.5"`) {
		t.Errorf("the correction is not in the transcript:\n%s", after["transcript HE201001"])
	}
	srv.stop(t, syscall.SIGTERM)

	// 4. rebuild replays the log: identical to the checkpoint; the server
	// resumes from the rebuilt checkpoint with the same views.
	out, errOut, err := runBin(t, bin, "rebuild", "--data", data)
	if err != nil {
		t.Fatalf("rebuild: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	wantIn(t, "rebuild", out, fmt.Sprintf("views identical to the checkpoint at position %d", lastAt),
		fmt.Sprintf("replayed %d events in ", lastAt), fmt.Sprintf("checkpoint saved at position %d", lastAt))
	wantIn(t, "rebuild progress", errOut, fmt.Sprintf("replaying the log: position %d of %d (100%%)", lastAt, lastAt))
	if m := regexp.MustCompile(`replayed (\d+) events in (\S+) \((\d+) events/s\)`).FindStringSubmatch(out); m != nil {
		t.Logf("rebuild: %s events in %s, %s events/s", m[1], m[2], m[3])
	}
	srv = startServeBin(t, bin, data)
	api.base = srv.url
	if at := resumedAt(t, srv); at != lastAt {
		t.Errorf("after rebuild: resumed at %d, want %d", at, lastAt)
	}
	if !bytes.Equal(flat(api.views(students)), flat(before)) {
		t.Errorf("views after rebuild differ")
	}
	srv.stop(t, syscall.SIGTERM)

	// 5. The log restored from the older copy, under the newer checkpoint:
	// the checkpoint is ahead, discarded, and the views show the older log.
	if err := os.RemoveAll(filepath.Join(data, "nats")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(data, "nats"), os.DirFS(olderLog)); err != nil {
		t.Fatal(err)
	}
	srv = startServeBin(t, bin, data)
	api.base = srv.url
	wantIn(t, "restored log", srv.stderr.String(),
		fmt.Sprintf("checkpoint at position %d is ahead of the log, which ends at %d", lastAt, olderAt), "rebuilding the views from the whole log")
	api.last = olderAt
	restored := api.views(students)
	for name, want := range older {
		if !bytes.Equal(restored[name], want) {
			t.Errorf("%s on the restored log:\n%s\nwant (before the copy):\n%s", name, restored[name], want)
		}
	}
	srv.stop(t, syscall.SIGTERM)
}

// buildGradelog builds the gradelog binary of this package.
func buildGradelog(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build gradelog with")
	}
	bin := filepath.Join(t.TempDir(), "gradelog")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binEnv is the environment of the binary: none of the caller's GRADELOG_*.
func binEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GRADELOG_") {
			env = append(env, kv)
		}
	}
	return env
}

// runBin runs the binary to its end.
func runBin(t *testing.T, bin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = binEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// mintSecretariat mints a secretariat and jury token with the key in data.
func mintSecretariat(t *testing.T, data string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"token", "--id", "sec.leroy", "--role", "secretariat,jury", "--data", data}, noenv, &out, &errOut); err != nil {
		t.Fatalf("token: %v\n%s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// serveProc is a running "gradelog serve".
type serveProc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	url            string
	done           chan struct{}
}

// startServeBin starts the binary's serve on data and waits until it
// listens; it is killed at the end of the test if still running.
func startServeBin(t *testing.T, bin, data string, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--data", data, "--http", "127.0.0.1:0", "--fast-sync"}, args...)...)
	p.cmd.Env = binEnv()
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	listening := regexp.MustCompile(`(?m)^gradelog: listening on (http://\S+)$`)
	deadline := time.After(20 * time.Second)
	for {
		if m := listening.FindStringSubmatch(p.stdout.String()); m != nil {
			p.url = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("serve ended before listening: %v\nstdout:\n%s\nstderr:\n%s", p.cmd.ProcessState, p.stdout.String(), p.stderr.String())
		case <-deadline:
			t.Fatalf("serve not listening after 20s\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop sends sig and waits for the process to end.
func (p *serveProc) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not end on %v\nstdout:\n%s\nstderr:\n%s", sig, p.stdout.String(), p.stderr.String())
	}
	if sig != syscall.SIGKILL && !p.cmd.ProcessState.Success() {
		t.Fatalf("serve ended with %v on %v\nstderr:\n%s", p.cmd.ProcessState, sig, p.stderr.String())
	}
}

// resumedAt is the checkpoint position serve says it resumed from.
func resumedAt(t *testing.T, p *serveProc) uint64 {
	t.Helper()
	m := regexp.MustCompile(`views resumed from the checkpoint at position (\d+)`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("serve did not resume from the checkpoint\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	at, _ := strconv.ParseUint(m[1], 10, 64)
	return at
}

// waitCheckpoint waits until the checkpoint file holds position at.
func waitCheckpoint(t *testing.T, file string, at uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var cp projections.Checkpoint
		raw, err := os.ReadFile(file)
		if err == nil {
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(raw)); err == nil {
				var data []byte
				if data, err = io.ReadAll(zr); err == nil {
					_, cp, err = projections.Restore(data)
				}
			}
		}
		if err == nil && cp.Position >= at {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint at position %d in %s after 10s (last: %d, %v)", at, file, cp.Position, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// httpAPI calls a server's API with a token, remembering the position of
// the last record written.
type httpAPI struct {
	t           *testing.T
	base, token string
	last        uint64
}

func (a *httpAPI) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var in io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		in = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.base+path, in)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// write sends a command that must succeed.
func (a *httpAPI) write(method, path string, body any) {
	a.t.Helper()
	status, out := a.do(method, path, body)
	var w struct {
		Position uint64 `json:"position"`
	}
	if status/100 != 2 || json.Unmarshal(out, &w) != nil {
		a.t.Fatalf("%s %s: %d %s", method, path, status, out)
	}
	a.last = max(a.last, w.Position)
}

// mark records a student's UE mark in Q1 (as the secretariat: the
// encoding deadline may have passed).
func (a *httpAPI) mark(ue, matricule, value string) {
	a.t.Helper()
	path, err := sheetPath(clientYear, "Q1", ue)
	if err != nil {
		a.t.Fatal(err)
	}
	a.write("PUT", path+"/entries/"+matricule, map[string]string{"value": value})
}

// views reads the students' transcripts and ledgers and the Q1 sheet
// statuses, as the server answers them, once they hold the last write.
func (a *httpAPI) views(students []string) map[string][]byte {
	a.t.Helper()
	q := "?min_position=" + itoa(a.last)
	paths := map[string]string{"sheet status Q1": "/api/v1/sessions/" + clientYear + "/Q1/sheets" + q}
	for _, m := range students {
		paths["transcript "+m] = "/api/v1/students/" + m + "/transcripts/" + clientYear + q
		paths["ledger "+m] = "/api/v1/students/" + m + "/ledger" + q
	}
	out := map[string][]byte{}
	for name, path := range paths {
		status, body := a.do("GET", path, nil)
		if status != http.StatusOK {
			a.t.Fatalf("GET %s: %d %s", path, status, body)
		}
		out[name] = body
	}
	return out
}

// flat is views as one comparable text.
func flat(views map[string][]byte) []byte {
	data, _ := json.Marshal(views) // sorted keys
	return data
}
