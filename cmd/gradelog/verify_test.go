package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/handlers"
)

// TestVerifyCommand: an auditor exports a bundle from a running server,
// the operator verifies the stopped log and publishes its heads, and the
// auditor verifies the bundle offline against them; an altered bundle, an
// altered heads file and a missing student are refused with exit status 1
// or an error naming the problem.
func TestVerifyCommand(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	url, stop := serveIn(t, "--data", data)
	tok := mintSecretariat(t, data)
	api := &httpAPI{t: t, base: url, token: tok}
	const m = "HE301001"
	api.write("POST", "/api/v1/students", handlers.Registration{Matricule: m, FirstName: "Inès", LastName: "Audit", Email: "he301001@student.helmo.be"})
	api.write("POST", "/api/v1/students/"+m+"/admission", handlers.Admission{Year: clientYear, Basis: "bachelier", HasBachelor: true})
	api.write("PUT", "/api/v1/students/"+m+"/pae/"+clientYear, handlers.PAERequest{UEs: strings.Split(clientBloc1, ",")})
	api.write("PUT", "/api/v1/sessions/"+clientYear+"/Q1", map[string]string{})
	path, _ := sheetPath(clientYear, "Q1", "1/4")
	api.write("POST", path+"/entries", map[string]any{"entries": []handlers.EntryInput{{Student: m, Value: "13"}}})
	bundle := filepath.Join(files, "audit.zip")
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"bundle", m, "-o", bundle, "--server", url, "--token", tok}, noenv, &out, &errOut); err != nil {
		t.Fatalf("bundle: %v\n%s%s", err, out.String(), errOut.String())
	}
	stop()

	verify := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut strings.Builder
		err := run(t.Context(), append([]string{"verify"}, args...), noenv, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	heads := filepath.Join(files, "heads.json")
	got, err := verify("--data", data, "--fast-sync", "--heads-out", heads)
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, got)
	}
	wantIn(t, "verify", got, "verified the whole log", "chain heads at position", "heads written to "+heads)
	if got, err = verify("--data", data, "--fast-sync", "--student", m, "--heads", heads); err != nil {
		t.Fatalf("verify --student: %v\n%s", err, got)
	}
	wantIn(t, "verify --student", got, "the aggregates of student "+m, "every chain still holds the records published")
	if got, err = verify("--data", data, "--fast-sync", "--heads-out", heads); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("--heads-out over a published heads file: %v\n%s", err, got)
	}
	if got, err = verify("--data", data, "--fast-sync", "--student", "HE999999"); err == nil || !strings.Contains(err.Error(), `"HE999999"`) {
		t.Errorf("verify of an unknown student: %v\n%s", err, got)
	}

	// Offline: intact, then verified against the heads.
	if got, err = verify("--bundle", bundle); err != nil {
		t.Fatalf("verify --bundle: %v\n%s", err, got)
	}
	wantIn(t, "verify --bundle", got, "bundle intact", "not yet shown to be the institution's record")
	if got, err = verify("--bundle", bundle, "--heads", heads); err != nil {
		t.Fatalf("verify --bundle --heads: %v\n%s", err, got)
	}
	wantIn(t, "verify --bundle --heads", got, "bundle VERIFIED against the published heads")

	// A truncated bundle and an altered heads file.
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(files, "cut.zip")
	writeFile(t, cut, string(raw[:len(raw)/2]))
	got, err = verify("--bundle", cut)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(got, "PROBLEM") || !strings.Contains(got, "NOT verified") {
		t.Errorf("a truncated bundle: %v\n%s", err, got)
	}
	h, _ := os.ReadFile(heads)
	altered := filepath.Join(files, "altered.json")
	writeFile(t, altered, strings.Replace(string(h), `"records": 1`, `"records": 2`, 1))
	if got, err = verify("--bundle", bundle, "--heads", altered); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("an altered heads file: %v\n%s", err, got)
	}
}
