package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/seeds"
)

func noenv(string) string { return "" }

// startServe runs `gradelog serve args...` in the background and returns
// the base URL it listens on; the server stops at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var served error
	go func() {
		defer close(done)
		served = run(ctx, append([]string{"serve", "--http", "127.0.0.1:0"}, args...), noenv, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if served != nil {
			t.Errorf("serve returned %v", served)
		}
	})
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "gradelog: listening on "); ok {
			go io.Copy(io.Discard, pr)
			return addr
		}
	}
	<-done
	t.Fatalf("serve ended before listening: %v", served)
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
	err := run(context.Background(), []string{"serve", "--nats", "nats://127.0.0.1:1", "--http", "127.0.0.1:0", "--data", t.TempDir()}, noenv, io.Discard, io.Discard)
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
	base := startServe(t, "--nats", strings.Join(urls, ","), "--data", t.TempDir())
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d %s", code, body)
	}
}

// TestServePublishesCatalogOnce: the first start publishes the shipped
// catalog and ruleset, a restart publishes nothing, a changed catalog file
// becomes version 2 with its change printed, and a broken one keeps the
// server from starting with nothing published.
func TestServePublishesCatalogOnce(t *testing.T) {
	data := t.TempDir()
	out := serveOnce(t, "--data", data)
	for _, want := range []string{"catalog MIAS 2025-2026 version 1 published now", "ruleset 2025-2026 version 1 published now"} {
		if !strings.Contains(out, want) {
			t.Fatalf("first start: output lacks %q:\n%s", want, out)
		}
	}
	if out := serveOnce(t, "--data", data); !strings.Contains(out, "catalog MIAS 2025-2026 version 1 in force") || strings.Contains(out, "published now") {
		t.Fatalf("restart:\n%s", out)
	}
	_, shipped := seeds.Catalog()
	changed := filepath.Join(t.TempDir(), "catalog.yaml")
	edited := strings.Replace(string(shipped), "title: Droit des associations", "title: Droit des associations et fondations", 1)
	if err := os.WriteFile(changed, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out = serveOnce(t, "--data", data, "--catalog", changed)
	if !strings.Contains(out, "catalog MIAS 2025-2026 version 2 published now") || !strings.Contains(out, "UE 1/13: title") {
		t.Fatalf("changed catalog:\n%s", out)
	}

	broken := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(shipped), "cycle_credits:", "ects: 1\n  cycle_credits:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := t.TempDir()
	var stderr strings.Builder
	err := run(context.Background(), []string{"serve", "--data", fresh, "--catalog", broken, "--http", "127.0.0.1:0"}, noenv, io.Discard, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "ects") {
		t.Fatalf("broken catalog: err %v, stderr %q", err, stderr.String())
	}
	if _, statErr := os.Stat(filepath.Join(fresh, "nats")); !os.IsNotExist(statErr) {
		t.Fatalf("a refused start opened the log: %v", statErr)
	}
}

// serveOnce starts serve, waits until it listens and stops it, returning
// what it printed.
func serveOnce(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--http", "127.0.0.1:0"}, args...), noenv, &out, io.Discard)
	}()
	for !strings.Contains(out.String(), "listening on") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return out.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
