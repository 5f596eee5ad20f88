package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/handlers"
)

// TestRebuild: rebuild replays a log of a few thousand records, finds the
// views identical to the checkpoint serve saved, reports a checkpoint
// whose views differ (exit status 1, after completing), replaces it unless
// --no-save, and starts over from a missing or unreadable checkpoint.
func TestRebuild(t *testing.T) {
	data := t.TempDir()
	checkpoint := filepath.Join(data, checkpointName)
	if _, _, err := rebuildIn(t, "--data", data); err == nil || !strings.Contains(err.Error(), "no event log in "+data) {
		t.Fatalf("rebuild without a log: %v", err)
	}

	// A log: 150 students with their path and six Q1 marks each. The
	// checkpoint is saved only at shutdown.
	url, stop := serveIn(t, "--data", data, "--checkpoint-every", "1h")
	api := &httpAPI{t: t, base: url, token: mintSecretariat(t, data)}
	const students = 150
	var entries []handlers.EntryInput
	for i := range students {
		m := fmt.Sprintf("HE3%05d", i)
		api.write("POST", "/api/v1/students", handlers.Registration{Matricule: m, FirstName: "Prénom", LastName: "Nom" + m,
			Email: strings.ToLower(m) + "@student.helmo.be"})
		api.write("POST", "/api/v1/students/"+m+"/admission", handlers.Admission{Year: clientYear, Basis: "bachelier", HasBachelor: true})
		api.write("PUT", "/api/v1/students/"+m+"/pae/"+clientYear, handlers.PAERequest{UEs: strings.Split(clientBloc1, ",")})
		entries = append(entries, handlers.EntryInput{Student: m, Value: fmt.Sprint(i % 21)})
	}
	api.write("PUT", "/api/v1/sessions/"+clientYear+"/Q1", map[string]string{})
	for _, ue := range []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/13"} {
		path, _ := sheetPath(clientYear, "Q1", ue)
		api.write("POST", path+"/entries", map[string]any{"entries": entries})
	}
	last := api.last
	stop()

	out, errOut, err := rebuildIn(t, "--data", data)
	if err != nil {
		t.Fatalf("rebuild: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, "rebuild", out, fmt.Sprintf("views identical to the checkpoint at position %d", last),
		fmt.Sprintf("replayed %d events in ", last), fmt.Sprintf("checkpoint saved at position %d in %s", last, checkpoint))
	wantIn(t, "rebuild progress", errOut, fmt.Sprintf("replaying the log: position %d of %d (100%%), %d events, ", last, last, last))
	if m := regexp.MustCompile(`replayed (\d+) events in (\S+) \((\d+) events/s\)`).FindStringSubmatch(out); m != nil {
		t.Logf("rebuild: %s events in %s, %s events/s", m[1], m[2], m[3])
	} else {
		t.Errorf("rebuild: no summary line:\n%s", out)
	}

	// A checkpoint whose views differ from the log's: an error naming the
	// position, exit status 1; --no-save leaves the file as it was.
	tamperCheckpoint(t, checkpoint, `"he300007@student.helmo.be"`, `"xx300007@student.helmo.be"`)
	tampered, _ := os.ReadFile(checkpoint)
	out, errOut, err = rebuildIn(t, "--data", data, "--no-save")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("rebuild on a tampered checkpoint: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, "differing checkpoint", errOut, fmt.Sprintf("differ from the checkpoint at position %d (first difference at byte ", last), "xx300007")
	wantIn(t, "differing checkpoint", out, fmt.Sprintf("replayed %d events", last), "--no-save: "+checkpoint+" left as it was")
	if now, _ := os.ReadFile(checkpoint); !bytes.Equal(now, tampered) {
		t.Errorf("--no-save changed the checkpoint")
	}
	// Without --no-save the rebuilt views replace it.
	if _, _, err = rebuildIn(t, "--data", data); !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("rebuild on a tampered checkpoint: %v", err)
	}
	if out, _, err = rebuildIn(t, "--data", data); err != nil || !strings.Contains(out, "identical") {
		t.Fatalf("rebuild after replacing the checkpoint: %v\n%s", err, out)
	}

	// No checkpoint, or an unreadable one: said, nothing compared, saved.
	for name, prepare := range map[string]func() error{
		"no checkpoint at " + checkpoint:    func() error { return os.Remove(checkpoint) },
		"checkpoint unreadable (checkpoint": func() error { return os.WriteFile(checkpoint, []byte("not gzip"), 0o600) },
	} {
		if err := prepare(); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := rebuildIn(t, "--data", data)
		if err != nil || strings.Contains(out, "identical") {
			t.Fatalf("rebuild (%s): %v\n%s%s", name, err, out, errOut)
		}
		wantIn(t, "rebuild", errOut, name)
		wantIn(t, "rebuild", out, fmt.Sprintf("checkpoint saved at position %d", last))
	}
	if out, _, err = rebuildIn(t, "--data", data); err != nil || !strings.Contains(out, "identical") {
		t.Fatalf("rebuild after saving: %v\n%s", err, out)
	}
}

// TestReplayProgressBar: on a terminal the replay shows a bar with the
// count, the rate and the time left.
func TestReplayProgressBar(t *testing.T) {
	var w bytes.Buffer
	p := newReplayProgress(&w, 1000, true)
	for pos := uint64(1); pos <= 500; pos++ {
		p.step(pos)
	}
	time.Sleep(120 * time.Millisecond) // past the throttle
	p.step(501)
	p.pause()
	for pos := uint64(502); pos <= 1000; pos++ {
		p.step(pos)
	}
	p.finish()
	wantIn(t, "bar", w.String(), "replaying the log", "1000/1000", "events/s")
	if !regexp.MustCompile(`\(501/1000, \d+ events/s\) \[\w+:\w+\]`).MatchString(w.String()) {
		t.Errorf("no count and time left at 501:\n%q", w.String())
	}
	if p.count != 1000 {
		t.Errorf("count %d", p.count)
	}
}

// rebuildIn runs "gradelog rebuild args..." in process.
func rebuildIn(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), append([]string{"rebuild", "--fast-sync"}, args...), noenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// serveIn runs "gradelog serve args..." in process until stop, which
// waits for it to end.
func serveIn(t *testing.T, args ...string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--http", "127.0.0.1:0", "--fast-sync"}, args...), noenv, &out, io.Discard)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	listening := regexp.MustCompile(`(?m)^gradelog: listening on (http://\S+)$`)
	for {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], stop
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("serve ended: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// tamperCheckpoint replaces old with new, once, in the checkpoint's
// snapshot.
func tamperCheckpoint(t *testing.T, file, old, new string) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(snap, []byte(old)) {
		t.Fatalf("the snapshot holds no %s", old)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(bytes.Replace(snap, []byte(old), []byte(new), 1))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
