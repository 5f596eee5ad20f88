package projections_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// The upgrade tests: records written by an older schema version project
// exactly as records of the current version saying the same thing.
//
// events/testdata/v<N>/<type>.json holds the frozen sample of every type at
// every schema version it ever had (events.TestFrozenSamples keeps them
// decoding; events.upgrade brings an old payload to the current shape).
// Each sample is folded, after a small year of one student (upgradeYear),
// into a fresh Cohort, and every view the student, their sheets and their
// deliberations have is rendered (upgradeViews): the whole snapshot and
// the views as the API serves them, as JSON.
//
// Each frozen sample must render exactly as
//   - its event encoded afresh at the current version (events.Encode of
//     what the sample decodes to): decoding an old record, through the
//     upgrade path, and folding it gives what the current encoding gives;
//   - for a sample of an older version, the frozen sample of the current
//     version of the same type. A new version's sample (sampleEvents in
//     events/samples_test.go) states the same fact as the old one, in the
//     new shape: an upgrade that loses or changes what the old record said
//     changes a view, and fails here. Should a new version carry what the
//     old could not say, the difference it makes to the views is for this
//     test to list, with the reason.
//
// The frozen samples are all stored on one sheet aggregate; each is put
// back where its type is written (upgradeHome) by rewriting the envelope's
// aggregate, the payload and the schema version left as frozen.

const upgradeStudent = "HE201234" // the frozen samples' student

// upgradeYear is the student of the samples through a year: documents,
// jury, registration, admission, PAE, Q1 and Q2 marks, a submitted sheet,
// the Q1 deliberation closed and published, the Q2 one open.
func upgradeYear(t *testing.T) []events.Record {
	t.Helper()
	b := newScBuilder(t)
	b.at("2025-09-01 09:00")
	b.shipped(scY1)
	b.jury(scY1)
	b.at("2025-09-20 10:00")
	b.student(upgradeStudent, "Amélie", "Dubois", "bachelier assistant social", true)
	b.pae(upgradeStudent, scY1, scBloc1)
	b.at("2026-01-20 10:00")
	b.marks(scY1, scQ1, upgradeStudent, "1/4=14", "1/5=12", "1/6=9", "1/7=8", "1/8=12.5", "1/13=11", "1/14=ABS")
	b.submit(scY1, scQ1, 0, "1/4", "1/5", "1/6", "1/7", "1/8", "1/13", "1/14")
	b.at("2026-02-02 14:00")
	b.openDeliberation(scY1, scQ1)
	b.decide(scY1, scQ1, events.DecisionRecorded{Student: upgradeStudent, Outcome: "in-progress", Proposed: "in-progress", Motivation: "session de janvier"})
	b.closeDeliberation(scY1, scQ1, 1, "2026-02-06 09:00")
	b.at("2026-06-20 10:00")
	b.marks(scY1, scQ2, upgradeStudent, "1/9=11|8", "1/10=13", "1/11=9.5", "1/12=10", "1/6=12", "1/7=7", "1/14=10")
	b.at("2026-07-01 09:00")
	b.openDeliberation(scY1, scQ2)
	var recs []events.Record
	for i, line := range b.lines {
		r, err := events.Decode(line)
		if err != nil {
			t.Fatal(err)
		}
		r.Position, r.Version = uint64(i+1), uint64(i+1)
		recs = append(recs, r)
	}
	return recs
}

// upgradeHome is the aggregate a record of type typ is written to, for the
// samples' student, year and sessions.
func upgradeHome(t *testing.T, typ string) events.AggregateID {
	t.Helper()
	switch typ {
	case "catalog.published", "ruleset.published":
		return events.CatalogOf(scY1)
	case "session.scheduled":
		return events.CalendarOf(scY1)
	case "jury.constituted":
		return events.JuryOf(scMIAS, scY1)
	case "student.registered", "student.admitted", "pae.validated", "pae.amended", "credits.recognised", "degree.conferred":
		return events.StudentOf(upgradeStudent)
	case "mark.recorded", "mark.corrected", "mark.carried_over", "sheet.submitted", "sheet.reopened", "sheet.deadline_extended":
		return events.SheetOf(scY1, "Q1", "1/8")
	case "deliberation.opened", "deliberation.closed", "decision.recorded", "decision.superseded", "results.published", "appeal.filed", "appeal.decided":
		return events.DeliberationOf(scMIAS, scY1, "Q2")
	case "access.refused":
		return events.SecurityOf("2026-01-26")
	}
	t.Fatalf("event type %s has no home in upgradeHome: add the aggregate it is written to", typ)
	return ""
}

// frozenSample reads the frozen sample of typ at version v, moved to its
// home aggregate.
func frozenSample(t *testing.T, typ string, v int) []byte {
	t.Helper()
	path := filepath.Join("..", "events", "testdata", fmt.Sprintf("v%d", v), typ+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no frozen sample of %s v%d: %v", typ, v, err)
	}
	r, err := events.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	from, _ := json.Marshal(map[string]string{"aggregate": string(r.Aggregate)})
	to, _ := json.Marshal(map[string]string{"aggregate": string(upgradeHome(t, typ))})
	from, to = bytes.Trim(from, "{}"), bytes.Trim(to, "{}")
	if bytes.Count(data, from) != 1 {
		t.Fatalf("%s: the envelope's aggregate %s is not where expected", path, from)
	}
	return bytes.Replace(data, from, to, 1)
}

// decodeAt decodes a stored record at position pos.
func decodeAt(t *testing.T, data []byte, pos uint64) events.Record {
	t.Helper()
	r, err := events.Decode(data)
	if err != nil {
		t.Fatalf("%s", err)
	}
	r.Position, r.Version = pos, pos
	return r
}

// reencoded is r's event encoded afresh, at the current schema version,
// with the same envelope: what this gradelog would store for it. The hash
// is the stored bytes' and differs; it is set to r's, since the views show
// it (history, snapshot) and the comparison is of what the event says.
func reencoded(t *testing.T, r events.Record) events.Record {
	t.Helper()
	cur, err := events.Encode(r.Aggregate, events.Pending{ID: r.ID, Event: r.Event, OccurredAt: r.OccurredAt, Actor: r.Actor,
		CausationID: r.CausationID, CorrelationID: r.CorrelationID}, r.RecordedAt, r.IdempotencyKey, r.PrevHash)
	if err != nil {
		t.Fatal(err)
	}
	out := decodeAt(t, cur.Data, r.Position)
	if want := events.CurrentSchema(r.Type); out.Schema != want {
		t.Fatalf("%s encoded afresh at schema %d, current is %d", r.Type, out.Schema, want)
	}
	if diff := cmp.Diff(r, out, cmp.Transformer("envelope", func(r events.Record) events.Record {
		r.Data, r.Hash, r.Schema = nil, "", 0
		return r
	})); diff != "" {
		t.Fatalf("%s: the fresh encoding decodes to another record (-frozen +fresh):\n%s", r.Type, diff)
	}
	out.Hash = r.Hash
	return out
}

// upgradeViews folds year and then rec into a fresh cohort and renders
// every view of the student, the year's sheets, jury and deliberations,
// and the whole snapshot, as indented JSON. A view that answers an error
// renders the error.
func upgradeViews(t *testing.T, year []events.Record, rec *events.Record) []byte {
	t.Helper()
	ctx := t.Context()
	recs := append([]events.Record(nil), year...)
	if rec != nil {
		recs = append(recs, *rec)
	}
	c := projections.NewCohort()
	for _, r := range recs {
		c.Apply(r)
	}
	src := goldenSource(recs)
	type rendered struct {
		Value any    `json:"value,omitempty"`
		Error string `json:"error,omitempty"`
	}
	out := map[string]rendered{}
	add := func(name string, v any, err error) {
		r := rendered{Value: v}
		if err != nil {
			r = rendered{Error: err.Error()}
		}
		out[name] = r
	}
	snap, err := c.Snapshot()
	add("snapshot", json.RawMessage(snap), err)
	v1, err := c.Transcript(upgradeStudent, scY1)
	add("transcript", v1, err)
	v2, err := c.Ledger(upgradeStudent)
	add("ledger", v2, err)
	v3, err := c.Readiness(upgradeStudent)
	add("readiness", v3, err)
	v4, err := c.History(ctx, src, upgradeStudent, eventlog.Until{}, projections.HistoryFilter{})
	add("history", v4, err)
	for _, s := range []catalog.Session{scQ1, scQ2} {
		v5, err := c.Dossier(upgradeStudent, scY1, s)
		add("dossier."+string(s), v5, err)
		v6, err := c.Deliberation(scMIAS, scY1, s)
		add("deliberation."+string(s), v6, err)
		v7, err := c.Minutes(ctx, src, scMIAS, scY1, s)
		add("minutes."+string(s), v7, err)
		v8, err := c.SheetStatuses(scY1, s)
		add("sheets."+string(s), v8, err)
	}
	j, ok := c.Jury(scMIAS, scY1)
	add("jury", j, map[bool]error{false: fmt.Errorf("no jury")}[ok])
	st, ok := c.Student(upgradeStudent)
	add("student", st, map[bool]error{false: fmt.Errorf("no student")}[ok])
	add("sessions", c.Sessions(scY1), nil)
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFrozenSamplesProjectAsCurrent: every frozen sample of every type and
// version, folded after a year of its student, gives views identical byte
// for byte to its event encoded afresh at the current version, and, for an
// older version, to the frozen sample of the current version.
func TestFrozenSamplesProjectAsCurrent(t *testing.T) {
	year := upgradeYear(t)
	pos := uint64(len(year) + 1)
	base := upgradeViews(t, year, nil)
	older, inert := 0, []string{}
	for _, typ := range events.Types() {
		current := events.CurrentSchema(typ)
		currentViews := upgradeViews(t, year, new(decodeAt(t, frozenSample(t, typ, current), pos)))
		for v := 1; v <= current; v++ {
			t.Run(fmt.Sprintf("%s/v%d", typ, v), func(t *testing.T) {
				frozen := decodeAt(t, frozenSample(t, typ, v), pos)
				if frozen.Schema != v || frozen.Type != typ {
					t.Fatalf("the v%d sample of %s is stored as %s v%d", v, typ, frozen.Type, frozen.Schema)
				}
				got := upgradeViews(t, year, &frozen)
				if want := upgradeViews(t, year, new(reencoded(t, frozen))); !bytes.Equal(got, want) {
					t.Errorf("the frozen v%d record and its event encoded at v%d project differently (-frozen +fresh):\n%s", v, current, cmp.Diff(string(got), string(want)))
				}
				if v < current {
					older++
					if !bytes.Equal(got, currentViews) {
						t.Errorf("the frozen v%d sample projects differently from the frozen v%d sample (-v%d +v%d):\n%s", v, current, v, current, cmp.Diff(string(got), string(currentViews)))
					}
				}
			})
		}
		if bytes.Equal(stripPosition(t, currentViews), stripPosition(t, base)) {
			inert = append(inert, typ)
		}
	}
	t.Logf("%d event types; %d frozen samples of an older version than the current one (all at v1: no type has changed shape yet, and events.upgrade is the identity); samples that change no view but the position and hash: %v",
		len(events.Types()), older, inert)
}

// stripPosition renders views without the cohort's position and hash,
// which every record moves.
func stripPosition(t *testing.T, views []byte) []byte {
	t.Helper()
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(views, &m); err != nil {
		t.Fatal(err)
	}
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(m["snapshot"]["value"], &snap); err != nil {
		t.Fatal(err)
	}
	delete(snap, "position")
	delete(snap, "hash")
	m["snapshot"]["value"], _ = json.Marshal(snap)
	for name, v := range m {
		var view map[string]json.RawMessage
		if json.Unmarshal(v["value"], &view) == nil {
			delete(view, "position")
			m[name]["value"], _ = json.Marshal(view)
		}
	}
	out, _ := json.Marshal(m)
	return out
}
