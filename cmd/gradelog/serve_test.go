package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/internal/natstest"
)

func noenv(string) string { return "" }

// startServe runs `gradelog serve args...` in the background and returns
// the base URL it listens on; the server stops at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--http", "127.0.0.1:0"}, args...), noenv, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "gradelog: listening on "); ok {
			go io.Copy(io.Discard, pr)
			return addr
		}
	}
	t.Fatalf("serve ended before listening: %v", <-done)
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeEmbedded: the README's run command starts an embedded server,
// creates and verifies the stream and answers /healthz and /readyz.
func TestServeEmbedded(t *testing.T) {
	data := t.TempDir()
	base := startServe(t, "--data", data)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, base+path); code != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, code, body)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(data, "nats", "jetstream", "*", "streams", "GRADELOG")); len(m) != 1 {
		t.Errorf("no GRADELOG stream under %s/nats", data)
	}
}

// TestServeRefusesRelaxedStream: a stream loosened behind gradelog's back
// keeps it from starting, with the reason.
func TestServeRefusesRelaxedStream(t *testing.T) {
	data := t.TempDir()
	s := natstest.ServerIn(t, filepath.Join(data, "nats"), false)
	js, _ := jetstream.New(natstest.Conn(t, s))
	_, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "GRADELOG", Subjects: []string{"gl.>"}, AllowDirect: true, AllowAtomicPublish: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown()
	s.WaitForShutdown()
	err = run(context.Background(), []string{"serve", "--data", data, "--http", "127.0.0.1:0"}, noenv, io.Discard, io.Discard)
	if !errors.Is(err, eventlog.ErrRelaxed) || !strings.Contains(err.Error(), "deny purge is off") {
		t.Fatalf("serve on a relaxed stream: %v", err)
	}
}

// TestServeUnreachableNATS fails fast with the URL in the message.
func TestServeUnreachableNATS(t *testing.T) {
	start := time.Now()
	err := run(context.Background(), []string{"serve", "--nats", "nats://127.0.0.1:1", "--http", "127.0.0.1:0"}, noenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nats://127.0.0.1:1") {
		t.Fatalf("serve --nats to nowhere: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to fail", d)
	}
}

// TestServeExternalCluster runs serve against a 3-node cluster.
func TestServeExternalCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	servers := natstest.Cluster(t, 3)
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.ClientURL())
	}
	base := startServe(t, "--nats", strings.Join(urls, ","))
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d %s", code, body)
	}
}
