package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/accounts"
)

const accountPassword = "correct horse battery"

// account runs gradelog account with --data dir, args and stdin.
func account(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(&env{getenv: noenv, stdout: &out, stderr: &errOut})
	root.SetArgs(append(append([]string{"account"}, args...), "--data", dir))
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestAccountAddListPasswdDisable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, accounts.File)
	out, _, err := account(t, dir, accountPassword+"\n", "add", "--id", "prof.dupont", "--name", "Marie Dupont",
		"--role", "teacher", "--ue", "1/8", "--ue", "1/9", "--email", "m.dupont@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if want := "gradelog: account prof.dupont (teacher; UE 1/8, 1/9) added to " + path + " (password set)\n"; out != want {
		t.Errorf("add said %q, want %q", out, want)
	}
	if _, _, err := account(t, dir, "", "add", "--id", "jury.martin", "--role", "jury", "--no-password",
		"--oidc-issuer", "https://idp.example.org", "--oidc-subject", "42"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := account(t, dir, "another good password\r\n", "add", "--id", "sec.leroy", "--role", "secretariat", "--programme", "MIAS"); err != nil {
		t.Fatal(err)
	}
	s, err := accounts.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("prof.dupont", accountPassword); err != nil {
		t.Errorf("password read from stdin: %v", err)
	}
	if _, err := s.Authenticate("sec.leroy", "another good password"); err != nil {
		t.Errorf("password read from stdin with CRLF: %v", err)
	}
	if id, err := s.ByOIDC("https://idp.example.org", "42", "", false); err != nil || id.ID != "jury.martin" {
		t.Errorf("OIDC link: %s, %v", id.ID, err)
	}

	out, _, err = account(t, dir, "", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^ID +NAME +ROLES +SCOPE +PASSWORD +OIDC +EMAIL +DISABLED$`,
		`(?m)^jury\.martin +- +jury +- +no +42@https://idp\.example\.org +- +no$`,
		`(?m)^prof\.dupont +Marie Dupont +teacher +UE 1/8,1/9 +yes +- +m\.dupont@example\.org +no$`,
		`(?m)^sec\.leroy +- +secretariat +programme MIAS +yes +- +- +no$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("list does not match %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "argon2") || strings.Contains(out, "$") {
		t.Errorf("list shows a hash:\n%s", out)
	}

	out, _, err = account(t, dir, "a brand new password\n", "passwd", "prof.dupont")
	if err != nil {
		t.Fatal(err)
	}
	if want := "gradelog: password of prof.dupont set in " + path + "\n"; out != want {
		t.Errorf("passwd said %q, want %q", out, want)
	}
	if _, err := s.Authenticate("prof.dupont", accountPassword); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Errorf("old password after passwd: %v, want ErrBadCredentials", err)
	}

	out, _, err = account(t, dir, "", "disable", "prof.dupont")
	if err != nil {
		t.Fatal(err)
	}
	if want := "gradelog: account prof.dupont disabled in " + path + "\n"; out != want {
		t.Errorf("disable said %q, want %q", out, want)
	}
	if _, err := s.Authenticate("prof.dupont", "a brand new password"); !errors.Is(err, accounts.ErrDisabled) {
		t.Errorf("after disable: %v, want ErrDisabled", err)
	}
	if _, _, err := account(t, dir, "", "enable", "prof.dupont"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("prof.dupont", "a brand new password"); err != nil {
		t.Errorf("after enable: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", path, fi.Mode().Perm())
	}
}

func TestAccountErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, accounts.File)
	if _, _, err := account(t, dir, accountPassword+"\n", "add", "--id", "jury.martin", "--role", "jury"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{accountPassword, []string{"add", "--role", "jury"}, "--id is required"},
		{accountPassword, []string{"add", "--id", "x", "--role", "dean"}, "--role dean: unknown role"},
		{accountPassword, []string{"add", "--id", "x", "--role", "teacher"}, "--role teacher needs at least one --ue"},
		{accountPassword, []string{"add", "--id", "x", "--role", "teacher", "--ue", "9/9"}, "--ue 9/9: no such UE in the MIAS 2025-2026 catalog"},
		{accountPassword, []string{"add", "--id", "x", "--role", "jury", "--ue", "1/8"}, "--ue 1/8: only a teacher is scoped to UEs"},
		{accountPassword, []string{"add", "--id", "x", "--role", "secretariat"}, "--role secretariat needs at least one --programme"},
		{accountPassword, []string{"add", "--id", "x", "--role", "jury", "--programme", "MIAS"}, "--programme MIAS: only a secretariat works for programmes"},
		{accountPassword, []string{"add", "--id", "x", "--role", "jury", "--oidc-subject", "42"}, "--oidc-issuer and --oidc-subject go together"},
		{"", []string{"add", "--id", "x", "--role", "jury", "--no-password"}, "--no-password needs --oidc-issuer and --oidc-subject, or --email"},
		{accountPassword, []string{"add", "--id", "jury.martin", "--role", "jury"}, "--id jury.martin: the account already exists in " + path},
		{"", []string{"add", "--id", "x", "--role", "jury"}, "no password on stdin: give it on one line, or --no-password"},
		{"too short\n", []string{"add", "--id", "x", "--role", "jury"}, "password too short: at least 12 characters"},
		{"jury.martin.x\n", []string{"add", "--id", "jury.martin.x", "--role", "jury"}, "password is the account id"},
		{"", []string{"passwd", "jury.martin"}, "no password on stdin: give it on one line"},
		{accountPassword, []string{"passwd", "nobody"}, "account nobody: not in " + path},
		{"", []string{"disable", "nobody"}, "account nobody in " + path + ": no such account"},
	} {
		_, _, err := account(t, dir, tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("account %s: %v, want an error containing %q", strings.Join(tc.args, " "), err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "too short\"") {
			t.Errorf("error %q shows the password", err)
		}
	}
	s, err := accounts.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 {
		t.Errorf("%d accounts after refused commands, want 1", s.Len())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := account(t, dir, "", "list"); err == nil || !strings.Contains(err.Error(), path+" has permissions 0644") {
		t.Errorf("list of a 0644 file: %v, want a refusal naming it", err)
	}
}
