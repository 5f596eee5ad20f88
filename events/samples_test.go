package events

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

var writeSamples = flag.Bool("write-samples", false, "write the frozen samples of the current versions that do not exist yet (never overwrites)")

// sampleEvents has one realistic value of every event type at its current
// schema version. A new type or version without a sample fails
// TestFrozenSamples.
func sampleEvents() []Event {
	at := time.Date(2026, 1, 26, 14, 0, 0, 0, time.UTC)
	return []Event{
		CatalogPublished{Year: "2025-2026", Programme: "MIAS", Version: 1, Digest: "3f2a", Catalog: json.RawMessage(`{"programme":"MIAS"}`)},
		RulesetPublished{Year: "2025-2026", Version: 2, Digest: "9c1b", Changes: []string{"rounding: half-up -> half-even"}, Ruleset: json.RawMessage(`{"pass_mark":"10"}`)},
		SessionScheduled{Year: "2025-2026", Session: "Q1", Starts: at, Ends: at.Add(21 * 24 * time.Hour), EncodingDeadline: at.Add(22 * 24 * time.Hour), DeliberationAt: at.Add(25 * 24 * time.Hour), PublicationAt: at.Add(26 * 24 * time.Hour)},
		JuryConstituted{Programme: "MIAS", Year: "2025-2026", President: "T001", Secretary: "T002", Members: []JuryMember{{ID: "T001", Name: "A. Lenoir", Institution: "HELMo", Teaches: []string{"1/8"}}, {ID: "T003", Name: "B. Marchal", Institution: "HEPL"}}},
		StudentRegistered{Matricule: "HE201234", FirstName: "Amélie", LastName: "Dubois", Email: "amelie.dubois@student.helmo.be"},
		StudentAdmitted{Programme: "MIAS", Basis: "bachelier assistant social", HasBachelor: true, Complements: []string{"1/1", "1/2"}},
		PAEValidated{Programme: "MIAS", Year: "2025-2026", UEs: []string{"1/4", "1/8", "1/11", "1/12"}, Waivers: []Waiver{{UE: "2/10", Prerequisite: "1/12", Reason: "fin de cycle"}}},
		PAEAmended{Year: "2025-2026", Added: []string{"1/13"}, Removed: []string{"1/14"}, Reason: "erreur d'encodage"},
		CreditsRecognised{Year: "2025-2026", UE: "1/13", Basis: "VAE", Reason: "expérience professionnelle"},
		DegreeConferred{Programme: "MIAS", Year: "2026-2027", Average: "14.62", Mention: "distinction", Decision: "0b6e7a52-8a5f-4f0b-9f3e-2f8f2d1c9a11"},
		MarkRecorded{Student: "HE201234", Activity: "Travaux pratiques", Entry: Entry{Mark: "12.5"}, Source: "xlsx"},
		MarkCorrected{Student: "HE201234", Previous: Entry{Mark: "8"}, Entry: Entry{Mark: "11"}, Reason: "erreur matérielle", AuthorisedBy: "S001", Source: "form"},
		MarkCarriedOver{Student: "HE201234", Activity: "Méthodologies", Mark: "13", FromSession: "Q2"},
		SheetSubmitted{Missing: 0},
		SheetReopened{Reason: "certificat médical reçu"},
		DeadlineExtended{Student: "HE201234", Until: at.Add(10 * 24 * time.Hour), Reason: "examen reporté (certificat médical)"},
		DeliberationOpened{Programme: "MIAS", Year: "2025-2026", Session: "Q2", MembersPresent: []string{"T001", "T002", "T003"}, Quorum: Quorum{Required: 3, Present: 3, Met: true}},
		DecisionRecorded{Student: "HE201234", RecordVersion: 412, Grants: []CreditGrant{{UE: "1/7", Mark: "9", Granted: true, Basis: "déficit unique", Motivation: "moyenne 13.4"}}, Outcome: "year-passed", Proposed: "to-deliberate", Motivation: "réussite globale"},
		DecisionSuperseded{Student: "HE201234", Decision: "0b6e7a52-8a5f-4f0b-9f3e-2f8f2d1c9a11", Reason: "recours fondé"},
		DeliberationClosed{Decisions: 42},
		ResultsPublished{At: at},
		AppealFiled{Student: "HE201234", UE: "1/9", Grounds: "examen oral écourté"},
		AppealDecided{Student: "HE201234", Appeal: "5d1c1a3e-1111-4c4c-8d8d-000000000001", Upheld: true, Motivation: "irrégularité établie"},
		AccessRefused{Action: "mark.record", Target: "sheet.2025-2026.Q1.1/8", Reason: "role auditor writes nothing"},
	}
}

func samplePath(typ string, version int) string {
	return filepath.Join("testdata", fmt.Sprintf("v%d", version), typ+".json")
}

// TestFrozenSamples decodes the frozen sample of every version of every
// type ever written: old data must keep decoding.
func TestFrozenSamples(t *testing.T) {
	byType := map[string]Event{}
	for _, e := range sampleEvents() {
		byType[e.EventType()] = e
	}
	for _, typ := range Types() {
		current := CurrentSchema(typ)
		if current == 0 {
			t.Errorf("%s is listed in Types but CurrentSchema does not know it", typ)
			continue
		}
		if *writeSamples {
			writeSample(t, typ, current, byType[typ])
		}
		for v := 1; v <= current; v++ {
			data, err := os.ReadFile(samplePath(typ, v))
			if err != nil {
				t.Errorf("no frozen sample of %s v%d: %v (run go test ./events -write-samples)", typ, v, err)
				continue
			}
			r, err := Decode(data)
			if err != nil {
				t.Errorf("frozen sample %s v%d does not decode: %v", typ, v, err)
				continue
			}
			if r.Event.EventType() != typ || r.Hash != HashOf(data) {
				t.Errorf("sample %s v%d decoded as %s", typ, v, r.Event.EventType())
			}
			if v == current {
				if diff := cmp.Diff(byType[typ], r.Event); diff != "" {
					t.Errorf("sample %s v%d decodes differently from its source (-want +got):\n%s", typ, v, diff)
				}
			}
		}
	}
	if len(byType) != len(Types()) {
		t.Errorf("%d sample events for %d types", len(byType), len(Types()))
	}
}

func writeSample(t *testing.T, typ string, version int, e Event) {
	path := samplePath(typ, version)
	if _, err := os.Stat(path); err == nil || e == nil {
		return
	}
	at := time.Date(2026, 1, 26, 14, 5, 0, 0, time.UTC)
	p := Pending{ID: uuid.MustParse("00000000-0000-4000-8000-000000000001"), Event: e, OccurredAt: at.Add(-time.Hour), Actor: Actor{ID: "T001", Roles: []string{"teacher"}}, CausationID: "cmd-1", CorrelationID: "req-1"}
	r, err := Encode(agg(KindSheet, "2025-2026", "Q1", "1/8"), p, at, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, r.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote frozen sample %s", path)
}
