package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
)

// dlAudit is what the audit of D starts from: the appeal, D's first Q2
// decision and the one that superseded it, and the log's position before
// the appeal.
type dlAudit struct {
	appeal, first, again string
	beforeAppeal         uint64
}

// audit reconstructs D's year as an auditor would: the history with every
// fact's actor and reason, the dossier as the jury saw it, the diff over
// the appeal, the verification of the log, an offline bundle, and a
// read-only role whose writes are refused and recorded.
func (d *dlYear) audit(a dlAudit) {
	t := d.t
	aud := d.token("audit.martin", []string{"auditor"})
	student := "/api/v1/students/" + dlD

	// History: every fact, with who, when, why, and what caused it.
	var h projections.History
	d.must(200, "GET", student+"/history", aud, nil).json(t, &h)
	kinds := map[string]int{}
	for _, e := range h.Entries {
		kinds[e.Type]++
		if e.Actor == "" || e.RecordedAt.IsZero() || e.Hash == "" || e.Correlation == "" {
			t.Errorf("history entry %d (%s) lacks its actor, time, hash or correlation: %+v", e.Position, e.Type, e)
		}
		if e.CommandID == "" && e.CausedBy == "" || e.CommandID != "" && !strings.HasPrefix(e.Command, "POST /api/v1/") && !strings.HasPrefix(e.Command, "PUT /api/v1/") {
			t.Errorf("history entry %d (%s) names no command: %q %q %q", e.Position, e.Type, e.CommandID, e.Command, e.CausedBy)
		}
		switch e.Type {
		case "mark.corrected", "appeal.filed", "appeal.decided", "credits.recognised":
			if e.Reason == "" {
				t.Errorf("history entry %d (%s) has no reason", e.Position, e.Type)
			}
		}
	}
	for typ, n := range map[string]int{"student.registered": 1, "student.admitted": 1, "pae.validated": 1, "credits.recognised": len(bloc1),
		"decision.recorded": 3, "appeal.filed": 1, "appeal.decided": 1, "degree.conferred": 2} {
		if kinds[typ] != n {
			t.Errorf("history of D: %d %s, want %d (all: %v)", kinds[typ], typ, n, kinds)
		}
	}
	if kinds["mark.recorded"] == 0 || kinds["mark.corrected"] != 1 {
		t.Errorf("history of D: %d marks recorded, %d corrected", kinds["mark.recorded"], kinds["mark.corrected"])
	}
	for _, e := range h.Entries {
		if e.Type == "mark.corrected" && (e.Actor != "jury.pres" || e.Previous != "9" || e.Value != "12" || !strings.Contains(e.Reason, "recours fondé")) {
			t.Errorf("the correction after the appeal: %+v", e)
		}
		if e.Type == "appeal.decided" && (e.Actor != "jury.pres" || e.Value != "upheld") {
			t.Errorf("the appeal's verdict: %+v", e)
		}
	}
	// The degree was caused by the decision beside it, in the same
	// command's workflow.
	decision := entry(t, h, a.again)
	for _, e := range h.Entries {
		if e.Type == "degree.conferred" && e.Position == decision.Position+1 &&
			(e.CausedBy != a.again || e.CommandID != "" || e.Correlation != decision.Correlation || decision.CommandID == "") {
			t.Errorf("the degree beside decision %s: caused by %q, command %q, correlation %q (the decision's: command %q, correlation %q)",
				a.again, e.CausedBy, e.CommandID, e.Correlation, decision.CommandID, decision.Correlation)
		}
	}
	// Filters.
	var h23 projections.History
	d.must(200, "GET", student+"/history?ue=2/3&year="+y, aud, nil).json(t, &h23)
	for _, e := range h23.Entries {
		if !slices.Contains(e.UEs, "2/3") {
			t.Errorf("?ue=2/3 kept %s about %v", e.Type, e.UEs)
		}
	}
	if len(h23.Entries) < 5 || len(h23.Entries) >= len(h.Entries) {
		t.Errorf("?ue=2/3: %d of %d facts", len(h23.Entries), len(h.Entries))
	}
	var appeals projections.History
	d.must(200, "GET", student+"/history?kind=appeal", aud, nil).json(t, &appeals)
	if len(appeals.Entries) != 2 {
		t.Errorf("?kind=appeal: %d facts", len(appeals.Entries))
	}
	d.refused(422, "kind", "GET", student+"/history?kind=gossip", aud, nil)
	d.refused(404, "year", "GET", student+"/history?year=2099-2100", aud, nil)
	d.refused(404, "student", "GET", "/api/v1/students/HE999999/history", aud, nil)
	if pdf := d.must(200, "GET", student+"/history?format=pdf", aud, nil); !bytes.HasPrefix(pdf.body, []byte("%PDF")) {
		t.Errorf("history PDF: %q", pdf.body[:min(20, len(pdf.body))])
	}

	// As the jury saw it: D's first Q2 decision was taken on 2/3 at 9,
	// the re-deliberation on 12; the replay shows the same dossiers.
	var r projections.Replay
	d.must(200, "GET", deliberationPath("Q2")+"/replay", aud, nil).json(t, &r)
	for _, st := range r.Steps {
		if st.Decision.Student.Matricule != dlD {
			continue
		}
		var saw projections.Dossier
		d.must(200, "GET", student+"/dossiers/"+y+"/Q2?as_of_decision="+st.Decision.ID, aud, nil).json(t, &saw)
		if saw.AsOf == nil || saw.AsOf.Decision != st.Decision.ID || saw.RecordVersion != st.Decision.RecordVersion ||
			!reflect.DeepEqual(saw.UEs, st.Dossier.UEs) || !reflect.DeepEqual(saw.Proposal, st.Dossier.Proposal) {
			t.Errorf("dossier as of decision %s: version %d (decision names %d), as of %+v; differs from the replay's: %t",
				st.Decision.ID, saw.RecordVersion, st.Decision.RecordVersion, saw.AsOf, !reflect.DeepEqual(saw.UEs, st.Dossier.UEs))
		}
	}
	var inForce projections.Dossier
	d.must(200, "GET", student+"/dossiers/"+y+"/Q2?as_of_deliberation="+y+"/Q2", aud, nil).json(t, &inForce)
	if inForce.AsOf == nil || inForce.AsOf.Decision != a.again || ueMark(inForce, "2/3") != "12" {
		t.Errorf("dossier as of the Q2 deliberation: decision %+v, 2/3 at %s", inForce.AsOf, ueMark(inForce, "2/3"))
	}
	var before projections.Transcript
	d.must(200, "GET", student+"/transcripts/"+y+"?as_of_decision="+a.first, aud, nil).json(t, &before)
	if before.Degree != nil {
		t.Errorf("transcript as the jury saw it before the first Q2 decision has a degree: %+v", before.Degree)
	}
	d.refused(404, "deliberation", "GET", student+"/dossiers/"+y+"/Q2?as_of_deliberation="+y+"/Q3", aud, nil)
	d.refused(404, "decision", "GET", student+"/transcripts/"+y+"?as_of_decision=nope", aud, nil)
	d.must(400, "GET", student+"/transcripts/"+y+"?as_of_decision="+a.first+"&as_of_position=3", aud, nil)

	// The diff over the appeal: 2/3 from 9 to 12, explained by the
	// correction, with the appeal, its verdict and the new decision.
	var diff projections.Diff
	d.must(200, "GET", student+"/diff?from_position="+strconv.FormatUint(a.beforeAppeal, 10), aud, nil).json(t, &diff)
	var facts []string
	for _, f := range diff.Facts {
		facts = append(facts, f.Type)
	}
	if !slices.Contains(facts, "appeal.filed") || !slices.Contains(facts, "appeal.decided") || !slices.Contains(facts, "mark.corrected") || !slices.Contains(facts, "decision.recorded") {
		t.Errorf("diff over the appeal: facts %v", facts)
	}
	found := false
	for _, c := range diff.Changes {
		if c.UE == "2/3" && c.Before == "9" && c.After == "12" {
			found = true
			if len(c.Because) == 0 {
				t.Errorf("the change of 2/3 is explained by nothing: %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("diff over the appeal: no change of 2/3 from 9 to 12 in %+v", diff.Changes)
	}
	d.refused(422, "from_position", "GET", student+"/diff?from_position="+strconv.FormatUint(a.beforeAppeal, 10)+"&to_position=2", aud, nil)

	// Verification of the stored log, whole and for D.
	var whole audit.LogReport
	d.must(200, "GET", "/api/v1/audit/verification", aud, nil).json(t, &whole)
	if !whole.OK() || whole.Heads == nil || whole.Checked == 0 || whole.Heads.Digest == "" {
		t.Fatalf("verification of the log: %+v", whole)
	}
	var ofD audit.LogReport
	d.must(200, "GET", "/api/v1/audit/verification?student="+dlD, aud, nil).json(t, &ofD)
	if !ofD.OK() || ofD.Chains == 0 || ofD.Chains >= whole.Chains || ofD.Heads != nil {
		t.Errorf("verification of D: %+v (the whole log has %d chains)", ofD, whole.Chains)
	}
	d.refused(404, "student", "GET", "/api/v1/audit/verification?student=HE999999", aud, nil)

	// The bundle verifies offline against the published heads; altered,
	// it does not.
	b := d.must(200, "GET", student+"/bundle", aud, nil).body
	if rep := audit.VerifyBundle(bytes.NewReader(b), int64(len(b)), whole.Heads); !rep.OK() || rep.Manifest.Matricule != dlD || rep.HeadsChecked == 0 {
		t.Fatalf("D's bundle: %+v", rep)
	}
	if rep := audit.VerifyBundle(bytes.NewReader(b), int64(len(b)), whole.Heads); rep.Facts != len(h.Entries) {
		t.Errorf("D's bundle holds %d facts about D, the history %d", rep.Facts, len(h.Entries))
	}
	if rep := audit.VerifyBundle(bytes.NewReader(alterBundle(t, b)), int64(len(b)), whole.Heads); rep.OK() {
		t.Error("an altered bundle verified")
	}
	d.refused(403, "role", "GET", student+"/bundle", d.prof, nil)

	// The auditor writes nothing: every write is refused and recorded.
	before403 := 0
	var refusals httpapi.Refusals
	d.must(200, "GET", "/api/v1/audit/refusals", aud, nil).json(t, &refusals)
	for _, r := range refusals.Refusals {
		if r.Actor == "audit.martin" {
			before403++
		}
	}
	fill := strings.NewReplacer("{matricule}", dlD, "{student}", dlD, "{year}", y, "{session}", "Q2", "{programme}", "MIAS",
		"{bloc}", "2", "{num}", "3", "{appeal}", a.appeal)
	// It reads everything.
	for _, rt := range httpapi.ReadRoutes() {
		method, pattern, _ := strings.Cut(rt, " ")
		var body any
		if method == "POST" { // a what-if
			body = map[string]any{"all": true}
		}
		path := fill.Replace(pattern)
		if strings.HasSuffix(path, "/diff") {
			path += "?from_position=1"
		}
		if got := d.do(method, path, aud, body); got.status != 200 {
			t.Errorf("the auditor reads %s: %d\n%s", path, got.status, got.body)
		}
	}
	routes := httpapi.WriteRoutes()
	for _, rt := range routes {
		method, pattern, _ := strings.Cut(rt, " ")
		path := fill.Replace(pattern)
		before := d.last()
		if got := d.do(method, path, aud, map[string]any{}); got.status != 403 {
			t.Errorf("the auditor's %s %s: %d, want 403\n%s", method, path, got.status, got.body)
		}
		d.unchanged(t, before, 403, "audit.martin", path)
	}
	d.must(200, "GET", "/api/v1/audit/refusals", aud, nil).json(t, &refusals)
	var mine []string
	for _, r := range refusals.Refusals {
		if r.Actor == "audit.martin" {
			mine = append(mine, r.Action)
		}
	}
	for _, action := range mine[before403:] {
		if !slices.Contains(routes, action) {
			t.Errorf("a refusal's action %q is not a route", action)
		}
	}
	if len(mine)-before403 != len(routes) {
		t.Errorf("the auditor's %d writes left %d refusals: %v", len(routes), len(mine)-before403, mine)
	}
}

// entry returns the history entry of record id.
func entry(t *testing.T, h projections.History, id string) projections.HistoryEntry {
	t.Helper()
	for _, e := range h.Entries {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no record %s in the history", id)
	return projections.HistoryEntry{}
}

// alterBundle changes one byte of the first record's envelope.
func alterBundle(t *testing.T, b []byte) []byte {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "events.jsonl" {
			first, rest, _ := bytes.Cut(data, []byte("\n"))
			var l map[string]any
			json.Unmarshal(first, &l)
			env, _ := base64.StdEncoding.DecodeString(l["envelope"].(string))
			env = bytes.Replace(env, []byte("MIAS"), []byte("MIAZ"), 1)
			l["envelope"] = base64.StdEncoding.EncodeToString(env)
			first, _ = json.Marshal(l)
			data = append(append(first, '\n'), rest...)
		}
		fw, _ := w.Create(f.Name)
		fw.Write(data)
	}
	w.Close()
	return out.Bytes()
}
