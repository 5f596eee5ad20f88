package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// apiServer is gradelog's real HTTP handler on an embedded NATS server.
type apiServer struct {
	*gradetest.Server
	t   *testing.T
	url string
}

func startClientAPI(t *testing.T) *apiServer {
	t.Helper()
	s := gradetest.Serve(t)
	return &apiServer{Server: s, t: t, url: s.URL}
}

func (s *apiServer) mint(id string, roles []string, ues ...string) string {
	return s.Token(id, roles, ues...)
}

// cli runs a gradelog command line against the server with tok, the way a
// user with GRADELOG_SERVER and GRADELOG_TOKEN set would.
func (s *apiServer) cli(tok string, args ...string) (stdout, stderr string, err error) {
	s.t.Helper()
	getenv := func(k string) string {
		return map[string]string{"GRADELOG_SERVER": s.url, "GRADELOG_TOKEN": tok}[k]
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// must runs a command line that must succeed.
func (s *apiServer) must(tok string, args ...string) string {
	s.t.Helper()
	out, errOut, err := s.cli(tok, args...)
	if err != nil {
		s.t.Fatalf("gradelog %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// refused runs a command line that must end with exit status code.
func (s *apiServer) refused(code int, tok string, args ...string) (stdout, stderr string) {
	s.t.Helper()
	out, errOut, err := s.cli(tok, args...)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != code {
		s.t.Fatalf("gradelog %s: %v, want exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, code, out, errOut)
	}
	return out, errOut
}

func wantIn(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

const (
	clientYear  = gradetest.Year
	clientBloc1 = "1/4,1/5,1/6,1/7,1/8,1/9,1/10,1/11,1/12,1/13"
)

// TestClientWorkflow drives the grading API through the CLI: students are
// registered, admitted and given a PAE; Q1 is scheduled; 1/8 is marked by
// hand, shown, exported as CSV, edited and imported back.
func TestClientWorkflow(t *testing.T) {
	s := startClientAPI(t)
	sec := s.mint("sec.leroy", []string{auth.Secretariat})
	prof := s.mint("prof.lenoir", []string{auth.Teacher}, "1/8")

	for _, st := range [][4]string{
		{"HE201001", "Amélie", "Dubois", "amelie.dubois@student.helmo.be"},
		{"he201002", "Bruno", "Lambert", "bruno.lambert@student.helmo.be"},
	} {
		out := s.must(sec, "student", "register", st[0], "--first-name", st[1], "--last-name", st[2], "--email", st[3])
		wantIn(t, "register", out, "student "+strings.ToUpper(st[0])+" registered: "+st[1]+" "+st[2])
		s.must(sec, "student", "admit", st[0], "--year", clientYear, "--basis", "bachelier assistant social", "--has-bachelor")
		s.must(sec, "pae", "validate", st[0], "--year", clientYear, "--ue", clientBloc1)
	}
	out := s.must(sec, "pae", "amend", "HE201001", "--year", clientYear, "--add", "1/14", "--reason", "inscription complète")
	wantIn(t, "pae amend", out, "PAE 2025-2026 of HE201001 amended: +1/14")
	out = s.must(sec, "student", "show", "he201001")
	wantIn(t, "student show", out, "HE201001  Amélie Dubois <amelie.dubois@student.helmo.be>",
		`admission: MIAS, basis "bachelier assistant social", matching bachelor: yes`,
		"PAE 2025-2026 (MIAS, 11 UEs): 1/4, 1/5, 1/6, 1/7, 1/8, 1/9, 1/10, 1/11, 1/12, 1/13, 1/14")

	out = s.must(sec, "session", "schedule", clientYear, "q1")
	wantIn(t, "session schedule", out, "session Q1 2025-2026 scheduled", "Q1       2026-01-05 to 2026-01-30  2026-02-02 23:59")
	out = s.must(sec, "session", "schedule", clientYear, "Q1")
	wantIn(t, "session schedule again", out, "already so scheduled")
	out = s.must(prof, "session", "list", clientYear)
	wantIn(t, "session list", out, "SESSION  EXAMS", "2026-02-04", "2026-02-06")

	// By hand, then the table.
	out = s.must(prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "14")
	wantIn(t, "sheet mark", out, "HE201001 on UE 1/8, Q1 2025-2026, Note UE: 14 saved (entry version ")
	out = s.must(prof, "sheet", "show", clientYear, "Q1", "1/8")
	table := regexp.MustCompile(`(?m)^MATRICULE +NAME +Note UE +DEADLINE\n` +
		`HE201001 +Dubois Amélie +14 +2026-02-02 23:59\n` +
		`HE201002 +Lambert Bruno +\(missing\) +2026-02-02 23:59\n`)
	if !table.MatchString(out) {
		t.Errorf("sheet show: no table:\n%s", out)
	}
	wantIn(t, "sheet show", out, "UE 1/8 Piloter une organisation - partie 1, Q1 2025-2026", "deadline 2026-02-02 23:59",
		"status: draft, 1 missing, version ")
	var sheet handlers.Sheet
	if err := json.Unmarshal([]byte(s.must(prof, "sheet", "show", clientYear, "Q1", "1/8", "--json")), &sheet); err != nil || len(sheet.Rows) != 2 {
		t.Fatalf("sheet show --json: %v %+v", err, sheet)
	}

	// Export as CSV, fill in Lambert's mark, import it back.
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.csv")
	out = s.must(prof, "sheet", "export", clientYear, "Q1", "1/8", "--format", "csv", "-o", file)
	wantIn(t, "sheet export", out, file+" written (UE 1/8, Q1 2025-2026, ")
	if _, errOut, err := s.cli(prof, "sheet", "export", clientYear, "Q1", "1/8", "--format", "csv", "-o", file); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("export over an existing file: %v %s", err, errOut)
	}
	t.Chdir(dir)
	out = s.must(prof, "sheet", "export", clientYear, "Q1", "1/8")
	if _, err := os.Stat(filepath.Join(dir, "notes-2025-2026-Q1-UE1-8.xlsx")); err != nil {
		t.Errorf("export under the server's name: %v\n%s", err, out)
	}
	setMark(t, file, "HE201002", "12,5")
	out = s.must(prof, "sheet", "import", clientYear, "Q1", "1/8", file)
	wantIn(t, "sheet import", out, "import of the sheet of UE 1/8, Q1 2025-2026 (csv, all-or-nothing)",
		"LINE  MATRICULE  OUTCOME    CAUSES", "HE201001   unchanged", "HE201002   saved",
		"1 saved, 1 unchanged, 0 refused; written (sheet version ")
	out = s.must(prof, "sheet", "show", clientYear, "Q1", "1/8")
	wantIn(t, "sheet show after import", out, "12.5", "status: draft, 0 missing")

	// A refused row: the report says why and the exit status is 1.
	setMark(t, file, "HE201001", "25")
	out, errOut := s.refused(1, prof, "sheet", "import", clientYear, "Q1", "1/8", file, "--dry-run")
	wantIn(t, "dry run", out, "17    HE201001   refused    Note UE: value \"25\": mark 25 is outside the scale 0-20", "dry run: nothing written")
	wantIn(t, "dry run stderr", errOut, "1 row(s) refused")
	out, _ = s.refused(1, prof, "sheet", "import", clientYear, "Q1", "1/8", file)
	wantIn(t, "refused import", out, "0 saved, 1 unchanged, 1 refused; nothing written: the import is all or nothing")
	setMark(t, file, "HE201002", "15")
	out, _ = s.refused(1, prof, "sheet", "import", clientYear, "Q1", "1/8", file, "--partial")
	wantIn(t, "partial import", out, "(csv, partial)", "HE201002   saved", "1 saved, 0 unchanged, 1 refused; written (sheet version ")

	// Submit, reopen, extend.
	out = s.must(prof, "sheet", "submit", clientYear, "Q1", "1/8")
	wantIn(t, "submit", out, "UE 1/8, Q1 2025-2026 submitted with 0 missing")
	_, errOut = s.refused(1, prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "15")
	wantIn(t, "mark on a submitted sheet", errOut, "gradelog: refused (422 Unprocessable Entity)", `sheet "UE 1/8, Q1 2025-2026": the sheet was submitted`)
	_, errOut = s.refused(1, prof, "sheet", "reopen", clientYear, "Q1", "1/8", "--reason", "oubli")
	wantIn(t, "reopen by a teacher", errOut, "gradelog: forbidden (403 Forbidden)", `role "teacher": prof.lenoir may not sheet.reopen; it takes: secretariat (of the programme)`)
	s.must(sec, "sheet", "reopen", clientYear, "Q1", "1/8", "--reason", "certificat médical reçu")
	out = s.must(sec, "sheet", "extend", clientYear, "Q1", "1/8", "he201001", "--until", "2026-02-10", "--reason", "examen reporté")
	wantIn(t, "extend", out, "HE201001 may be marked until 2026-02-10 23:59")
	out = s.must(sec, "sheet", "open", clientYear, "Q1", "1/8")
	wantIn(t, "open", out, "opened: 0 carried mark(s) recorded")
	out = s.must(prof, "sheet", "show", clientYear, "Q1", "1/8")
	wantIn(t, "sheet show after extension", out, "2026-02-10 23:59 (extended)", "status: draft, 0 missing")
}

// setMark sets the Note UE of matricule in a CSV sheet.
func setMark(t *testing.T, file, matricule, value string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
	r.Comma, r.FieldsPerRecord = ';', -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col, found := -1, false
	for _, rec := range records {
		if rec[0] == "Matricule" {
			for i, h := range rec {
				if h == "Note UE" {
					col = i
				}
			}
		}
		if rec[0] == matricule && col >= 0 {
			rec[col], found = value, true
		}
	}
	if !found {
		t.Fatalf("no row %s under Note UE in %s", matricule, file)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestClientRefusals: a refused command prints field "value": rule and
// exits 1; a stale --if-match prints the current entry; a retry with the
// same idempotency key writes nothing; a bad token and an unreachable
// server say what to do.
func TestClientRefusals(t *testing.T) {
	s := startClientAPI(t)
	sec := s.mint("sec.leroy", []string{auth.Secretariat})
	prof := s.mint("prof.lenoir", []string{auth.Teacher}, "1/8")

	out, errOut := s.refused(1, sec, "student", "register", "HE-1", "--first-name", " ", "--last-name", "Dubois", "--email", "not-an-email")
	if out != "" {
		t.Errorf("refused register printed on stdout: %q", out)
	}
	if want := "gradelog: refused (422 Unprocessable Entity)\n" +
		`matricule "HE-1": a matricule is 4 to 16 letters and digits` + "\n" +
		`first_name "": a first name is required` + "\n" +
		`email "not-an-email": not an email address (name@domain)` + "\n"; errOut != want {
		t.Errorf("refused register: stderr\n%s\nwant\n%s", errOut, want)
	}

	// The same key twice: the second gets the first answer, writes nothing.
	reg := []string{"student", "register", "HE201001", "--first-name", "Amélie", "--last-name", "Dubois",
		"--email", "amelie.dubois@student.helmo.be", "--idempotency-key", "reg-1", "-v"}
	_, errOut, err := s.cli(sec, reg...)
	if err != nil {
		t.Fatal(err, errOut)
	}
	wantIn(t, "verbose register", errOut, "gradelog: idempotency key reg-1", "POST "+s.url+"/api/v1/students: 201 Created")
	_, errOut, err = s.cli(sec, reg...)
	if err != nil {
		t.Fatal(err, errOut)
	}
	wantIn(t, "retried register", errOut, "already answered idempotency key reg-1")
	_, errOut = s.refused(1, sec, "student", "register", "HE201001", "--first-name", "Amélie", "--last-name", "Dubois", "--email", "amelie.dubois@student.helmo.be")
	wantIn(t, "register again", errOut, `matricule "HE201001": already registered (Amélie Dubois, amelie.dubois@student.helmo.be)`)

	s.must(sec, "student", "admit", "HE201001", "--year", clientYear, "--basis", "VAE", "--has-bachelor")
	_, errOut = s.refused(1, sec, "pae", "validate", "HE201001", "--year", clientYear, "--ue", "1/11,9/9")
	wantIn(t, "refused PAE", errOut, `ues "9/9": no such UE in the 2025-2026 catalog`,
		`ues "1/11": UE 1/11 requires 1/12 followed before or in the same year (co-requisite); add 1/12 to the PAE`)
	_, errOut = s.refused(1, sec, "pae", "validate", "HE201001", "--year", clientYear, "--ue", "1/8", "--waiver", "1/8:1/4:fin de cycle: décision")
	wantIn(t, "refused waiver", errOut, `waivers "1/4": UE 1/8 has no prerequisite to waive`)
	s.must(sec, "pae", "validate", "HE201001", "--year", clientYear, "--ue", "1/8")
	s.must(sec, "session", "schedule", clientYear, "Q1")
	_, errOut = s.refused(1, sec, "session", "schedule", clientYear, "Q4")
	wantIn(t, "unknown session", errOut, "gradelog: not found (404 Not Found)", `session "Q4": sessions are Q1`)
	_, errOut = s.refused(1, sec, "session", "schedule", clientYear, "Q2", "--exams-from", "2026-06-01")
	wantIn(t, "partial schedule", errOut, `exams_to "": the date is required`)

	// A stale --if-match: nothing written, the current entry printed.
	s.must(prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "12", "--if-match", "0")
	var sheet handlers.Sheet
	if err := json.Unmarshal([]byte(s.must(prof, "sheet", "show", clientYear, "Q1", "1/8", "--json")), &sheet); err != nil {
		t.Fatal(err)
	}
	seen := sheet.Rows[0].Entries[""].Version
	s.must(sec, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "13", "--if-match", itoa(seen))
	_, errOut = s.refused(1, prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "11", "--if-match", itoa(seen))
	wantIn(t, "stale if-match", errOut, "gradelog: conflict (409 Conflict)",
		`version "`+itoa(seen)+`": the entry changed since that version: it is now 13`,
		"current entry: 13, version "+itoa(seen+1)+", by sec.leroy on ",
		"re-run with --if-match "+itoa(seen+1)+" to replace it")
	out = s.must(prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "13")
	wantIn(t, "same value", out, "already 13; nothing written")
	_, errOut = s.refused(1, prof, "sheet", "mark", clientYear, "Q1", "1/8", "HE201001", "abc")
	wantIn(t, "bad value", errOut, `value "abc": code "ABC" is not a code of the 2025-2026 ruleset (ABS, CM, PP, FR, DISP, VAL)`)
	_, errOut = s.refused(1, prof, "sheet", "show", clientYear, "Q1", "1/9")
	wantIn(t, "other UE", errOut, `ue "1/9": prof.lenoir is responsible for UE 1/8, not for UE 1/9`)
	_, errOut = s.refused(1, prof, "sheet", "mark", clientYear, "Q1", "1/9", "HE201001", "12")
	wantIn(t, "mark on another teacher's UE", errOut, "gradelog: forbidden (403 Forbidden)", `ue "1/9": prof.lenoir is responsible for UE 1/8, not for UE 1/9; sheet.write takes`)

	// Authentication and connection.
	_, errOut = s.refused(1, "not-a-token", "student", "show", "HE201001")
	wantIn(t, "bad token", errOut, "gradelog: not authenticated (401 Unauthorized)", `mint one with "gradelog token"`)
	var stderr bytes.Buffer
	err = run(context.Background(), []string{"student", "show", "HE201001", "--server", "http://127.0.0.1:1", "--token", sec}, noenv, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:1") || !strings.Contains(err.Error(), `"gradelog serve"`) {
		t.Errorf("unreachable server: %v", err)
	}
	err = run(context.Background(), []string{"student", "show", "HE201001", "--server", s.url}, noenv, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "GRADELOG_TOKEN") {
		t.Errorf("no token: %v", err)
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
