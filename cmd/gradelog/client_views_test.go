package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/projections"
)

// TestClientViews reads every view of a marked student through the CLI:
// JSON (indented), CSV, the transcript's PDF, as of a past position, and
// the grade sheet status of the session.
func TestClientViews(t *testing.T) {
	s := startClientAPI(t)
	sec := s.mint("sec.leroy", []string{auth.Secretariat, auth.Jury})
	prof := s.mint("prof.lenoir", []string{auth.Teacher}, "1/8")
	s.must(sec, "student", "register", "HE201001", "--first-name", "Amélie", "--last-name", "Dubois", "--email", "amelie.dubois@student.helmo.be")
	s.must(sec, "student", "admit", "HE201001", "--year", clientYear, "--basis", "bachelier assistant social", "--has-bachelor")
	s.must(sec, "pae", "validate", "HE201001", "--year", clientYear, "--ue", clientBloc1)
	s.must(sec, "session", "schedule", clientYear, "Q1")
	before := lastPosition(t, s)
	s.must(prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "14")
	at := itoa(lastPosition(t, s))

	// Transcript: indented JSON with the UE mark, once the views hold the mark.
	out := s.must(sec, "transcript", "he201001", clientYear, "--min-position", at)
	if !strings.HasPrefix(out, "{\n  \"") {
		t.Errorf("transcript JSON not indented:\n%.200s", out)
	}
	var tr projections.Transcript
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	if got := ueMark(tr.UEs, "1/8"); got != "14" {
		t.Errorf("transcript: UE 1/8 mark %q, want 14\n%s", got, out)
	}
	// As of the log before the mark: no mark yet.
	var then projections.Transcript
	if err := json.Unmarshal([]byte(s.must(sec, "transcript", "HE201001", clientYear, "--as-of-position", itoa(before))), &then); err != nil {
		t.Fatal(err)
	}
	if got := ueMark(then.UEs, "1/8"); got != "" || then.AsOf == nil || len(then.UEs) != len(tr.UEs) {
		t.Errorf("transcript as of position %d: UE 1/8 mark %q, as_of %+v", before, got, then.AsOf)
	}
	_, errOut, err := s.cli(sec, "transcript", "HE201001", clientYear, "--as-of", "yesterday")
	if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad --as-of: %v %s", err, errOut)
	}

	// CSV: the header, then the UEs.
	out = s.must(sec, "transcript", "HE201001", clientYear, "--format", "csv")
	wantIn(t, "transcript csv", csvHead(out), "ue;title;")
	wantIn(t, "transcript csv", out, "Piloter une organisation - partie 1")

	// PDF: only to a file.
	dir := t.TempDir()
	pdf := filepath.Join(dir, "releve.pdf")
	if _, _, err := s.cli(sec, "transcript", "HE201001", clientYear, "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "-o FILE") {
		t.Errorf("pdf without -o: %v", err)
	}
	out = s.must(sec, "transcript", "HE201001", clientYear, "--format", "pdf", "-o", pdf)
	wantIn(t, "transcript pdf", out, pdf+" written (transcript 2025-2026 of HE201001, pdf, ")
	if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Errorf("%s: %v %.20q", pdf, err, data)
	}
	if _, _, err := s.cli(sec, "transcript", "HE201001", clientYear, "--format", "pdf", "-o", pdf); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("pdf over an existing file: %v", err)
	}
	s.must(sec, "transcript", "HE201001", clientYear, "--format", "pdf", "-o", pdf, "--force")
	if _, _, err := s.cli(sec, "ledger", "HE201001", "--format", "pdf"); err == nil || !strings.Contains(err.Error(), "json or csv") {
		t.Errorf("ledger as pdf: %v", err)
	}

	// Ledger, readiness, history: JSON and CSV.
	for _, view := range []string{"ledger", "readiness", "history"} {
		var v struct {
			projections.Basis
			Student projections.Identity `json:"student"`
		}
		out := s.must(sec, view, "HE201001")
		if err := json.Unmarshal([]byte(out), &v); err != nil || v.Student.Matricule != "HE201001" || v.Position == 0 {
			t.Errorf("%s: %v %+v\n%.300s", view, err, v, out)
		}
		out = s.must(sec, view, "HE201001", "--format", "csv")
		if head := csvHead(out); !strings.Contains(head, ";") {
			t.Errorf("%s csv: no header: %q", view, head)
		}
	}
	out = s.must(sec, "ledger", "HE201001")
	wantIn(t, "ledger", out, `"code": "1/8"`, `"acquired": true`)
	out = s.must(sec, "history", "HE201001")
	wantIn(t, "history", out, `"entries": [`, `"value": "14"`)

	// Dossier: JSON only, for the jury.
	var d projections.Dossier
	if err := json.Unmarshal([]byte(s.must(sec, "dossier", "HE201001", clientYear, "q1")), &d); err != nil {
		t.Fatal(err)
	}
	if d.Session != "Q1" || d.Student.Matricule != "HE201001" || ueMark(d.UEs, "1/8") != "14" {
		t.Errorf("dossier: %+v", d)
	}
	if _, errOut := s.refused(1, prof, "dossier", "HE201001", clientYear, "Q1"); !strings.Contains(errOut, "forbidden") {
		t.Errorf("dossier by a teacher: %s", errOut)
	}

	// Sheet status: the UE, under the sheet group's flags.
	out = s.must(prof, "sheet", "status", clientYear, "q1")
	wantIn(t, "sheet status", out, `"ue": "1/8"`, `"status": "draft"`)
	if strings.Contains(out, `"ue": "1/9"`) {
		t.Errorf("a teacher of 1/8 sees the sheet of 1/9:\n%s", out)
	}
	file := filepath.Join(dir, "sheets.csv")
	out = s.must(sec, "sheet", "status", clientYear, "Q1", "--format", "csv", "-o", file, "--server", s.url, "--token", sec)
	wantIn(t, "sheet status -o", out, file+" written (sheet status of Q1 2025-2026, csv, ")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "sheet status csv", string(data), "1/8")
	var stderr bytes.Buffer
	err = run(t.Context(), []string{"sheet", "status", clientYear, "Q1", "--server", s.url}, noenv, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "GRADELOG_TOKEN") {
		t.Errorf("sheet status without a token: %v", err)
	}
}

// lastPosition is the position of the last record in the server's log.
func lastPosition(t *testing.T, s *apiServer) uint64 {
	t.Helper()
	p, err := s.Log.LastPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ueMark is the mark that counts for ue, "" if none.
func ueMark(ues []projections.TranscriptUE, ue string) string {
	for _, u := range ues {
		if u.Code == ue && u.Mark != nil {
			return u.Mark.String()
		}
	}
	return ""
}

// csvHead is the first line of a CSV answer, without a byte-order mark.
func csvHead(s string) string {
	head, _, _ := strings.Cut(strings.TrimPrefix(s, "\uFEFF"), "\n")
	return head
}
