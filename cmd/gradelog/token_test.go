package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/auth"
)

// token runs gradelog token with --data dir and args.
func token(t *testing.T, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"token", "--data", dir}, args...), noenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// verify checks that out is one token line and verifies it with the key in
// dir.
func verify(t *testing.T, dir, out string) auth.Identity {
	t.Helper()
	tok, ok := strings.CutSuffix(out, "\n")
	if !ok || tok == "" || strings.ContainsAny(tok, "\n ") {
		t.Fatalf("stdout %q, want the token alone on one line", out)
	}
	key, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	id, err := key.Verify(tok, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTokenTeacher(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	before := time.Now()
	out, errOut, err := token(t, dir, "--id", "prof.dupont", "--name", "Marie Dupont", "--role", "teacher", "--ue", "1/8", "--ue", "1/9")
	if err != nil {
		t.Fatal(err)
	}
	id := verify(t, dir, out)
	want := auth.Identity{ID: "prof.dupont", Name: "Marie Dupont", Roles: []string{"teacher"}, UEs: []string{"1/8", "1/9"}}
	exp := id.Expires
	id.Expires = time.Time{}
	if diff := cmp.Diff(want, id); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	if lo, hi := before.Add(8*time.Hour-time.Second), time.Now().Add(8*time.Hour); exp.Before(lo) || exp.After(hi) {
		t.Errorf("expires %s, want 8h from now", exp)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "gradelog: created the signing key "+filepath.Join(dir, "auth.key")) {
		t.Fatalf("stderr %q, want the new key and the summary", errOut)
	}
	summary := "gradelog: token for prof.dupont (teacher; UE 1/8, 1/9) valid until " + exp.UTC().Format("2006-01-02 15:04") + " UTC"
	if lines[1] != summary {
		t.Errorf("summary %q, want %q", lines[1], summary)
	}
	if _, err := os.Stat(filepath.Join(dir, "nats")); !os.IsNotExist(err) {
		t.Errorf("token touched the event log: %v", err)
	}
}

func TestTokenRoles(t *testing.T) {
	dir := t.TempDir()
	out, errOut, err := token(t, dir, "--id", "jury.president", "--role", "jury,secretariat", "--role", "auditor", "--ttl", "24h")
	if err != nil {
		t.Fatal(err)
	}
	id := verify(t, dir, out)
	if diff := cmp.Diff([]string{"jury", "secretariat", "auditor"}, id.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"MIAS"}, id.Programmes); diff != "" {
		t.Errorf("programmes, by default the catalog's (-want +got):\n%s", diff)
	}
	if d := time.Until(id.Expires); d < 23*time.Hour || d > 24*time.Hour {
		t.Errorf("expires in %s, want 24h", d)
	}
	if !regexp.MustCompile(`(?m)^gradelog: token for jury.president \(jury, secretariat, auditor; programme MIAS\) valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC$`).MatchString(errOut) {
		t.Errorf("stderr %q", errOut)
	}
}

func TestTokenRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--id", "x", "--role", "dean"}, "--role dean: unknown role (known: teacher, secretariat, jury, auditor, student)"},
		{[]string{"--id", "x", "--role", "jury,dean"}, "--role dean: unknown role"},
		{[]string{"--id", "x"}, "--role is required"},
		{[]string{"--role", "auditor"}, "--id is required"},
		{[]string{"--id", "prof.dupont", "--role", "teacher", "--ue", "9/9"}, "--ue 9/9: no such UE in the MIAS 2025-2026 catalog"},
		{[]string{"--id", "prof.dupont", "--role", "teacher", "--ue", "1/8", "--ue", "1/99"}, "--ue 1/99: no such UE in the MIAS 2025-2026 catalog"},
		{[]string{"--id", "prof.dupont", "--role", "teacher"}, "--role teacher needs at least one --ue"},
		{[]string{"--id", "sec.x", "--role", "secretariat", "--ue", "1/8"}, "--ue 1/8: only a teacher is scoped to UEs"},
		{[]string{"--id", "x", "--role", "auditor", "--ttl", "8785h"}, "--ttl 8785h0m0s: must be at least 1s and at most 366 days"},
		{[]string{"--id", "x", "--role", "auditor", "--ttl", "-1h"}, "--ttl -1h0m0s: must be at least 1s"},
		{[]string{"--id", "x", "--role", "auditor", "--ttl", "soon"}, `invalid argument "soon" for "--ttl" flag`},
	} {
		dir := t.TempDir()
		out, _, err := token(t, dir, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
		if out != "" {
			t.Errorf("%q: stdout %q", tc.args, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "auth.key")); !os.IsNotExist(err) {
			t.Errorf("%q: a refused token created the key (%v)", tc.args, err)
		}
	}
}

func TestTokenCatalogFlag(t *testing.T) {
	_, _, err := token(t, t.TempDir(), "--id", "prof.dupont", "--role", "teacher", "--ue", "1/8", "--catalog", "testdata/no-such-catalog.yaml")
	if err == nil || !strings.Contains(err.Error(), "no-such-catalog.yaml") {
		t.Errorf("error %v, want one naming the catalog file", err)
	}
}

func TestTokenReusesKey(t *testing.T) {
	dir := t.TempDir()
	out1, _, err := token(t, dir, "--id", "aud.1", "--role", "auditor")
	if err != nil {
		t.Fatal(err)
	}
	key1, err := os.ReadFile(filepath.Join(dir, "auth.key"))
	if err != nil {
		t.Fatal(err)
	}
	out2, errOut2, err := token(t, dir, "--id", "00012345", "--role", "student")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errOut2, "created the signing key") {
		t.Errorf("second run created a key: %q", errOut2)
	}
	key2, err := os.ReadFile(filepath.Join(dir, "auth.key"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key1, key2) {
		t.Fatal("the key changed between two invocations")
	}
	if id := verify(t, dir, out1); id.ID != "aud.1" {
		t.Errorf("first token: %+v", id)
	}
	if id := verify(t, dir, out2); id.ID != "00012345" || !id.Has(auth.Student) {
		t.Errorf("second token: %+v", id)
	}
}

func TestTokenRefusesOpenKey(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.key")
	if err := os.WriteFile(path, make([]byte, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := token(t, dir, "--id", "aud.1", "--role", "auditor")
	if err == nil || !strings.Contains(err.Error(), path) || out != "" {
		t.Errorf("world-readable key: error %v, stdout %q", err, out)
	}
}
