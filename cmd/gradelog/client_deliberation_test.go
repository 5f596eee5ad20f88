package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/projections"
)

// juryYAML is a jury of five, from both institutions of the programme
// (one named by its full name); prof.renard teaches no UE of the session.
const juryYAML = `president: prof.lenoir
secretary: prof.marchal
members:
  - id: prof.lenoir
    name: Claire Lenoir
    institution: HELMo
    teaches: [1/8]
  - id: prof.marchal
    name: Marc Marchal
    institution: HEPL
    teaches: [1/4]
  - {id: prof.dumont, name: Denis Dumont, institution: HELMo, teaches: [1/5]}
  - {id: prof.collin, name: Chloé Collin, institution: HEPL, teaches: [1/6]}
  - {id: prof.renard, name: René Renard, institution: Haute Ecole de la Province de Liège}
`

// TestClientDeliberation drives a Q1 deliberation through the CLI: the
// jury is constituted from a file, the deliberation opened by the
// president over unsubmitted sheets, both students decided (one on a
// version read for the user, one with a grant), shown, what-if'd, closed,
// its minutes written and its decisions replayed; results are published,
// an appeal is filed, upheld and answered by a new decision. Refusals
// name the rule and exit 1.
func TestClientDeliberation(t *testing.T) {
	s := startClientAPI(t)
	sec := s.mint("sec.leroy", []string{auth.Secretariat})
	prof := s.mint("prof.lenoir", []string{auth.Teacher}, "1/4", "1/8")
	pres := s.mint("prof.lenoir", []string{auth.Jury})
	secretary := s.mint("prof.marchal", []string{auth.Jury})
	member := s.mint("prof.dumont", []string{auth.Jury})
	absent := s.mint("prof.collin", []string{auth.Jury})
	outsider := s.mint("prof.x", []string{auth.Jury})
	const prog = "MIAS"
	delib := func(cmd string, more ...string) []string {
		return append([]string{"deliberation", cmd, prog, clientYear, "Q1"}, more...)
	}

	// Two students on 1/4 and 1/8: Dubois passes both, Lambert has 9 in
	// 1/8, within the criteria (deficit 1, year average 10).
	for _, st := range [][3]string{{"HE201001", "Amélie", "Dubois"}, {"HE201002", "Bruno", "Lambert"}} {
		s.must(sec, "student", "register", st[0], "--first-name", st[1], "--last-name", st[2], "--email", strings.ToLower(st[0])+"@student.helmo.be")
		s.must(sec, "student", "admit", st[0], "--year", clientYear, "--basis", "bachelier assistant social", "--has-bachelor")
		s.must(sec, "pae", "validate", st[0], "--year", clientYear, "--ue", "1/4,1/8")
	}
	s.must(sec, "session", "schedule", clientYear, "Q1")
	for _, m := range [][3]string{{"1/4", "HE201001", "14"}, {"1/8", "HE201001", "14"}, {"1/4", "HE201002", "13"}, {"1/8", "HE201002", "9"}} {
		s.must(prof, "sheet", "mark", clientYear, "Q1", m[0], m[1], m[2])
	}

	// The jury, from YAML; again: nothing written.
	dir := t.TempDir()
	juryFile := filepath.Join(dir, "jury.yaml")
	writeFile(t, juryFile, juryYAML)
	out := s.must(sec, "jury", "constitute", prog, clientYear, "--file", juryFile)
	wantIn(t, "jury constitute", out, "jury of MIAS 2025-2026 constituted (log position ",
		"president prof.lenoir, secretary prof.marchal, 5 members (HELMo 2, HEPL 3)")
	if !regexp.MustCompile(`(?m)^prof\.renard +René Renard +HEPL +member +-$`).MatchString(out) {
		t.Errorf("jury constitute: the institution is not the server's code:\n%s", out)
	}
	out = s.must(sec, "jury", "constitute", prog, clientYear, "--file", juryFile)
	wantIn(t, "jury constitute again", out, "already so constituted; nothing written")
	out = s.must(prof, "jury", "show", prog, clientYear)
	if !regexp.MustCompile(`(?m)^ID +NAME +INSTITUTION +ROLE +TEACHES\n` +
		`prof\.lenoir +Claire Lenoir +HELMo +president +1/8\n` +
		`prof\.marchal +Marc Marchal +HEPL +secretary +1/4\n`).MatchString(out) {
		t.Errorf("jury show: no table:\n%s", out)
	}
	// A jury too small, as JSON: the server's rule; a misspelt key: the file's.
	small := filepath.Join(dir, "small.json")
	writeFile(t, small, `{"president": "prof.lenoir", "secretary": "prof.marchal", "members": [
		{"id": "prof.lenoir", "name": "Claire Lenoir", "institution": "HELMo"},
		{"id": "prof.marchal", "name": "Marc Marchal", "institution": "HEPL"}]}`)
	_, errOut := s.refused(1, sec, "jury", "constitute", prog, clientYear, "--file", small)
	wantIn(t, "small jury", errOut, "gradelog: refused (422 Unprocessable Entity)", `members "2": a jury has at least 5 members`)
	misspelt := filepath.Join(dir, "misspelt.yaml")
	writeFile(t, misspelt, strings.Replace(juryYAML, "teaches: [1/8]", "teach: [1/8]", 1))
	if _, _, err := s.cli(sec, "jury", "constitute", prog, clientYear, "--file", misspelt); err == nil || !strings.Contains(err.Error(), "teach") {
		t.Errorf("misspelt jury file: %v", err)
	}

	// Before opening.
	out = s.must(pres, delib("show", "--min-position", itoa(lastPosition(t, s)))...)
	wantIn(t, "show before opening", out, "deliberation MIAS Q1 2025-2026: not-opened",
		"jury: president prof.lenoir, secretary prof.marchal, 5 members", "2 student(s): 0 decided, 2 undecided")
	if !regexp.MustCompile(`(?m)^HE201002 +Lambert Bruno +10 +year-passed \(if refused: in-progress\) +1/8 +undecided +-$`).MatchString(out) {
		t.Errorf("show before opening: no row for HE201002:\n%s", out)
	}
	wantIn(t, "show by the secretariat", s.must(sec, delib("show")...), "not-opened")
	_, errOut = s.refused(1, prof, delib("show")...)
	wantIn(t, "show by a teacher", errOut, "gradelog: forbidden (403 Forbidden)")

	// Opening: the sheets are drafts; only the president overrides.
	present := "prof.lenoir,prof.marchal,prof.dumont"
	_, errOut = s.refused(1, pres, delib("open", "--present", present)...)
	wantIn(t, "open over draft sheets", errOut, `sheets "1/4 (draft), 1/8 (draft)": grade sheets of the session are not all submitted`)
	_, errOut = s.refused(1, secretary, delib("open", "--present", present, "--override", "urgence")...)
	wantIn(t, "override by the secretary", errOut, "gradelog: forbidden (403 Forbidden)", `actor "prof.marchal": prof.marchal is not the president (prof.lenoir) of the MIAS 2025-2026 jury; deliberation.override takes: jury (president of the jury)`)
	out = s.must(pres, delib("open", "--present", present, "--override", "encodage tardif de 1/4 et 1/8")...)
	wantIn(t, "open", out, "deliberation MIAS Q1 2025-2026 opened (log position ",
		"present: prof.lenoir, prof.marchal, prof.dumont; quorum met (2 present of the 2 required)",
		`opened with grade sheets not all submitted: "encodage tardif de 1/4 et 1/8"`, "2 student(s) to decide")

	// Decisions: refused for a non-member, an absent member, a stale version.
	_, errOut = s.refused(1, outsider, delib("decide", "HE201001")...)
	wantIn(t, "decide by a non-member", errOut, "gradelog: forbidden (403 Forbidden)",
		`actor "prof.x": prof.x is not a member of the MIAS 2025-2026 jury`)
	_, errOut = s.refused(1, absent, delib("decide", "HE201001", "--version", "1")...)
	wantIn(t, "decide by an absent member", errOut, `actor "prof.collin": prof.collin was not present when the deliberation of MIAS Q1 2025-2026 opened`)
	_, errOut = s.refused(1, pres, delib("decide", "HE201001", "--version", "1")...)
	wantIn(t, "stale version", errOut, "gradelog: conflict (409 Conflict)",
		`record_version "1": the record of HE201001 is now at version `, "it changed since the dossier the jury was shown",
		"current dossier of HE201001: record version ", "proposed year-passed", "nothing was written", "re-run with --version ")
	if strings.Contains(errOut, "current: {") {
		t.Errorf("stale version: the whole dossier is dumped:\n%s", errOut)
	}
	at := itoa(lastPosition(t, s))
	out = s.must(pres, delib("decide", "he201001", "--min-position", at)...)
	wantIn(t, "decide with the version read", out, "no --version given: deciding on the dossier of HE201001 as it stands now, record version ",
		"decision on HE201001 in MIAS Q1 2025-2026 recorded (log position ", "outcome: year-passed (proposed: year-passed)")
	_, errOut = s.refused(1, member, delib("decide", "HE201002", "--min-position", at)...)
	wantIn(t, "decide without the grant", errOut, `grants "1/8": UE 1/8 is proposed to deliberate`)
	out = s.must(member, delib("decide", "HE201002", "--min-position", at, "--grant", "1/8=progression constante, 9/20")...)
	wantIn(t, "decide with a grant", out, "outcome: year-passed (proposed: year-passed)")

	// Show, as text and JSON.
	at = itoa(lastPosition(t, s))
	out = s.must(secretary, delib("show", "--min-position", at)...)
	wantIn(t, "show", out, "deliberation MIAS Q1 2025-2026: open", "quorum: met (2 present of the 2 required)",
		"2 student(s): 2 decided, 0 undecided", "decided  year-passed; granted 1/8")
	var v projections.DeliberationView
	if err := json.Unmarshal([]byte(s.must(secretary, delib("show", "--format", "json")...)), &v); err != nil || v.Decided != 2 || v.Status != projections.Open {
		t.Errorf("show --format json: %v %+v", err, v)
	}

	// What-if writes nothing.
	before := lastPosition(t, s)
	out = s.must(pres, delib("what-if", "--set", "he201002:1/8=7", "--student", "HE201001")...)
	wantIn(t, "what-if", out, "what-if on the deliberation MIAS Q1 2025-2026: 1 of 2 student(s) would change",
		"if 1/8 (Q1) = 7", "after:  in-progress, year average 8.5", "year_average: 10 -> 8.5",
		"nothing was written: this is a hypothesis; the record and the decisions are unchanged")
	out = s.must(pres, delib("what-if", "--max-deficit", "0", "--max-failed-credits", "15", "--min-year-average", "10")...)
	wantIn(t, "what-if criteria", out, "with the criteria max_deficit 0, max_failed_credits 15, min_year_average 10",
		"status 1/8: to-deliberate -> not-acquired", "nothing was written")
	out = s.must(pres, delib("what-if", "--max-deficit", "0")...) // the other criteria keep the ruleset's values
	wantIn(t, "what-if one criterion", out, "with the criteria max_deficit 0, max_failed_credits 15, min_year_average 10", "nothing was written")
	if after := lastPosition(t, s); after != before {
		t.Errorf("what-if wrote: log position %d -> %d", before, after)
	}

	// Closing: the president or the secretary.
	_, errOut = s.refused(1, member, delib("close")...)
	wantIn(t, "close by a member", errOut, `prof.dumont is neither the president (prof.lenoir) nor the secretary (prof.marchal) of the MIAS 2025-2026 jury; deliberation.open takes`)
	out = s.must(secretary, delib("close")...)
	wantIn(t, "close", out, "deliberation MIAS Q1 2025-2026 closed (log position ")

	// Minutes: JSON to a file; PDF once the server serves it.
	minutes := filepath.Join(dir, "pv.json")
	out = s.must(pres, delib("minutes", "-o", minutes, "--min-position", itoa(lastPosition(t, s)))...)
	wantIn(t, "minutes", out, minutes+" written (minutes of MIAS Q1 2025-2026, json, ")
	var m projections.Minutes
	if data, err := os.ReadFile(minutes); err != nil || json.Unmarshal(data, &m) != nil || len(m.Decisions) != 2 || m.Closed == nil || m.Opened.Override == "" {
		t.Errorf("minutes: %v %+v", err, m)
	}
	t.Run("minutes pdf", func(t *testing.T) {
		pdf := filepath.Join(dir, "pv.pdf")
		if _, _, err := s.cli(pres, delib("minutes", "--format", "pdf")...); err == nil || !strings.Contains(err.Error(), "-o FILE") {
			t.Errorf("pdf without -o: %v", err)
		}
		out, errOut, err := s.cli(pres, delib("minutes", "--format", "pdf", "-o", pdf)...)
		if err != nil && strings.Contains(errOut, "this view answers only format=json") {
			t.Skipf("the server does not serve the minutes as PDF yet (GET .../minutes?format=pdf answers: %s); "+
				"the minutespdf package and its route are being added concurrently", strings.TrimSpace(errOut))
		}
		if err != nil {
			t.Fatalf("minutes --format pdf: %v\n%s%s", err, out, errOut)
		}
		wantIn(t, "minutes pdf", out, pdf+" written (minutes of MIAS Q1 2025-2026, pdf, ")
		if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF")) {
			t.Errorf("%s: %v %.20q", pdf, err, data)
		}
	})

	// Replay: each decision on the dossier it was taken on.
	out = s.must(pres, delib("replay")...)
	wantIn(t, "replay", out, "2 decision(s), rebuilt from the log", "#1  ", "HE201001 Dubois Amélie  by prof.lenoir",
		"decision: year-passed (proposed: year-passed)", "#2  ", "HE201002 Lambert Bruno  by prof.dumont",
		"granted 1/8 (mark 9, within-criteria): progression constante, 9/20", "differences from the proposal: none",
		"previous decision: none in an earlier year")
	if n := len(regexp.MustCompile(`(?m)^    dossier version \d+ \(matches\)$`).FindAllString(out, -1)); n != 2 {
		t.Errorf("replay: %d dossier versions match, want 2:\n%s", n, out)
	}
	var r projections.Replay
	if err := json.Unmarshal([]byte(s.must(pres, delib("replay", "--format", "json")...)), &r); err != nil || len(r.Steps) != 2 {
		t.Errorf("replay --format json: %v %+v", err, r)
	}

	// Publication, an appeal upheld, a new decision superseding the first.
	_, errOut = s.refused(1, pres, "appeal", "file", prog, clientYear, "Q1", "HE201002", "--grounds", "copie non corrigée")
	wantIn(t, "appeal by the jury", errOut, `role "jury": prof.lenoir may not appeal.file; it takes: student (themself), secretariat (of the programme)`)
	out = s.must(sec, delib("publish", "--at", "2026-01-12")...)
	wantIn(t, "publish", out, "results of MIAS Q1 2025-2026 published (log position ")
	out = s.must(sec, delib("publish", "--at", "2026-01-12")...)
	wantIn(t, "publish again", out, "already so published; nothing written")
	out = s.must(sec, "appeal", "file", prog, clientYear, "q1", "he201002", "--ue", "1/8", "--grounds", "copie non corrigée en entier")
	id := regexp.MustCompile(`^appeal (\S+) filed for HE201002 against their decision in MIAS Q1 2025-2026 \(log position \d+\)\n`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("appeal file: no id:\n%s", out)
	}
	wantIn(t, "appeal file", out, "gradelog appeal decide MIAS 2025-2026 Q1 "+id[1]+" --upheld|--rejected")
	_, errOut = s.refused(1, secretary, "appeal", "decide", prog, clientYear, "Q1", id[1], "--upheld", "--motivation", "question 3 non corrigée")
	wantIn(t, "appeal decided by the secretary", errOut, "prof.marchal is not the president (prof.lenoir) of the MIAS 2025-2026 jury; appeal.decide takes")
	if _, _, err := s.cli(pres, "appeal", "decide", prog, clientYear, "Q1", id[1], "--upheld", "--rejected", "--motivation", "x"); err == nil {
		t.Error("appeal decide --upheld --rejected: no error")
	}
	out = s.must(pres, "appeal", "decide", prog, clientYear, "Q1", id[1], "--upheld", "--motivation", "question 3 non corrigée")
	wantIn(t, "appeal decide", out, "appeal "+id[1]+" upheld (log position ")
	at = itoa(lastPosition(t, s))
	_, errOut = s.refused(1, pres, delib("decide", "HE201002", "--min-position", at, "--refuse", "1/8=travail insuffisant")...)
	wantIn(t, "new decision without a motivation", errOut, "a new decision says why")
	out = s.must(pres, delib("decide", "HE201002", "--min-position", at, "--refuse", "1/8=travail insuffisant",
		"--motivation", "après recours: 1/8 recorrigée")...)
	wantIn(t, "new decision", out, "outcome: in-progress (proposed: year-passed)", "supersedes decision ")
	out = s.must(pres, delib("show", "--min-position", itoa(lastPosition(t, s)))...)
	wantIn(t, "show after the appeal", out, "upheld, answered", "decided  in-progress")
}

// TestDeliberationFlags: the flags that the commands parse themselves,
// and the write flags on every command that writes.
func TestDeliberationFlags(t *testing.T) {
	for in, want := range map[string]projections.Change{
		"he201001:1/8=12,5":               {Student: "HE201001", UE: "1/8", Value: "12,5"},
		"HE201001:1/9:Travaux pratiques=": {Student: "HE201001", UE: "1/9", Activity: "Travaux pratiques"},
		"HE201001:1/9:A: B=ABS":           {Student: "HE201001", UE: "1/9", Activity: "A: B", Value: "ABS"},
	} {
		if got, err := parseChange(in); err != nil || got != want {
			t.Errorf("parseChange(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"HE201001=12", "HE201001:1/8", ":1/8=12", "HE201001:=12"} {
		if _, err := parseChange(in); err == nil || !strings.Contains(err.Error(), "STUDENT:UE[:ACTIVITY]=VALUE") {
			t.Errorf("parseChange(%q): %v", in, err)
		}
	}
	gs, err := parseGrants("grant", []string{"1/8=progression, constante = réelle"}, true)
	if err != nil || len(gs) != 1 || gs[0].UE != "1/8" || gs[0].Motivation != "progression, constante = réelle" || !gs[0].Granted {
		t.Errorf("parseGrants: %+v %v", gs, err)
	}
	if _, err := parseGrants("refuse", []string{"1/8"}, false); err == nil || !strings.Contains(err.Error(), "--refuse") {
		t.Errorf("parseGrants without =: %v", err)
	}
	if c, err := criteriaOf("", -1, ""); c != nil || err != nil {
		t.Errorf("no criteria: %+v %v", c, err)
	}
	if c, err := criteriaOf("2,5", 0, "10"); err != nil || c.MaxDeficit.String() != "2.5" || *c.MaxFailedCredits != 0 || c.MinYearAverage.String() != "10" {
		t.Errorf("criteria: %+v %v", c, err)
	}
	if c, err := criteriaOf("3", -1, ""); err != nil || c.MaxDeficit.String() != "3" || c.MaxFailedCredits != nil || c.MinYearAverage != nil {
		t.Errorf("one criterion: %+v %v", c, err) // the others keep the ruleset's values
	}
	if _, err := criteriaOf("abc", 1, "10"); err == nil || !strings.Contains(err.Error(), "--max-deficit") {
		t.Errorf("bad criteria: %v", err)
	}

	root := newRootCmd(&env{getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	for _, path := range [][]string{
		{"jury", "constitute"}, {"deliberation", "open"}, {"deliberation", "decide"}, {"deliberation", "close"},
		{"deliberation", "publish"}, {"appeal", "file"}, {"appeal", "decide"},
	} {
		cmd, _, err := root.Find(path)
		if err != nil || cmd.Name() != path[1] {
			t.Errorf("%v: %v", path, err)
			continue
		}
		if cmd.Flags().Lookup("idempotency-key") == nil {
			t.Errorf("%v has no --idempotency-key", path)
		}
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
