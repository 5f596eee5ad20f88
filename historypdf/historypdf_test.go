package historypdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/internal/pdfdoc/pdftest"
	"github.com/gradelog/gradelog/projections"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.sha256")

var generatedAt = time.Date(2026, 7, 10, 12, 5, 0, 0, time.UTC) // 14:05 in Brussels

func opts() Options {
	return Options{
		Institutions: "HELMo – HEPL",
		GeneratedAt:  generatedAt,
		Source:       "journal gradelog, position 5200",
	}
}

func at(month time.Month, day, hour, min int) time.Time {
	year := 2026
	if month >= time.September {
		year = 2025
	}
	return time.Date(year, month, day, hour, min, 0, 0, time.UTC)
}

const matricule = "HE2025-0147"

var zoe = projections.Identity{Matricule: matricule, FirstName: "Zoé", LastName: "Lefèvre", Email: "zoe.lefevre@example.be"}

// hash is a made-up record hash: 64 hex digits derived from the position.
func hash(pos uint64) string {
	s := sha256.Sum256(fmt.Appendf(nil, "record %d", pos))
	return hex.EncodeToString(s[:])
}

// fact is a history entry as projections.HistoryOf builds it from a
// record of ev: the envelope, the event's JSON, and what describe would
// say (Year, UEs, Context, Summary, Previous, Value, Reason are left to
// the caller where they matter).
func fact(pos uint64, recorded time.Time, agg events.AggregateID, ev events.Event, actor string, roles ...string) projections.HistoryEntry {
	body, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	e := projections.HistoryEntry{
		Position: pos, RecordedAt: recorded, OccurredAt: recorded, Type: ev.EventType(),
		Aggregate: string(agg), Actor: actor, Roles: roles,
		Hash: hash(pos), Event: body, Summary: ev.EventType(),
	}
	return e
}

const longReason = "Erreur matérielle d'encodage constatée lors de la relecture de la grille : " +
	"la note de l'épreuve écrite de « Fiscalité des sociétés » (12,5/20) a été reportée par erreur " +
	"sous la forme 7/20, qui est la note de l'étudiant·e suivant·e dans l'ordre alphabétique. " +
	"La copie, la grille de correction et le procès-verbal de l'épreuve ont été vérifiés par la " +
	"coordinatrice de l'UE et par le secrétariat ; la correction est autorisée par la présidente du jury."

// sample is a realistic history: registration, admission, PAE, a mark
// entered from a spreadsheet then corrected, a mark carried over, a jury
// decision, an appeal upheld, the decision superseded and replaced.
func sample() projections.History {
	sheetQ1 := events.SheetOf("2025-2026", "Q1", "1/9")
	sheetQ2 := events.SheetOf("2025-2026", "Q2", "1/9")
	delib := events.DeliberationOf("MIAS", "2025-2026", "Q2")
	student := events.StudentOf(matricule)

	reg := fact(12, at(9, 15, 8, 30), student, events.StudentRegistered{Matricule: matricule,
		FirstName: zoe.FirstName, LastName: zoe.LastName, Email: zoe.Email}, "secr-martin", "secretariat")
	reg.Command, reg.CommandID, reg.Correlation = "POST /api/v1/students", "6f1c2a3b-9d4e-4f10-8a7b-1c2d3e4f5a6b", "import-inscriptions-2025"

	adm := fact(40, at(9, 20, 9, 0), student, events.StudentAdmitted{Programme: "MIAS",
		Basis: "bachelier assistant social", HasBachelor: true, Complements: []string{"1/1", "1/2"}}, "secr-martin", "secretariat")
	adm.PrevHash = hash(12)

	pae := fact(57, at(10, 1, 10, 0), student, events.PAEValidated{Programme: "MIAS", Year: "2025-2026",
		UEs:     []string{"1/8", "1/9", "1/10", "1/11", "1/12"},
		Waivers: []events.Waiver{{UE: "1/12", Prerequisite: "1/2", Reason: "fin de cycle"}}}, "secr-martin", "secretariat")
	pae.Year, pae.PrevHash = "2025-2026", hash(40)

	rec := fact(310, at(1, 20, 16, 40), sheetQ1, events.MarkRecorded{Student: matricule,
		Activity: "Fiscalité des sociétés", Entry: events.Entry{Mark: "7"}, Source: "xlsx"}, "prof-gérard", "teacher")
	rec.OccurredAt = at(1, 14, 8, 0) // the exam
	rec.Command, rec.CommandID = "POST /api/v1/sheets/2025-2026/Q1/1%2F9/import", "a1b2c3d4-0000-4000-8000-000000000001"
	rec.Year, rec.UEs = "2025-2026", []string{"1/9"}
	rec.PrevHash = hash(300)

	cor := fact(355, at(1, 27, 11, 15), sheetQ1, events.MarkCorrected{Student: matricule,
		Activity: "Fiscalité des sociétés", Previous: events.Entry{Mark: "7"}, Entry: events.Entry{Mark: "12.5"},
		Reason: longReason, AuthorisedBy: "présidente Lemaître", Source: "form"}, "secr-martin", "secretariat")
	cor.Previous, cor.Value, cor.Reason = "7", "12.5", longReason
	cor.Command, cor.CommandID = "POST /api/v1/sheets/2025-2026/Q1/1%2F9/corrections", "b2c3d4e5-0000-4000-8000-000000000002"
	cor.Correlation = "relecture-janvier"
	cor.PrevHash = hash(350)

	carry := fact(420, at(6, 10, 7, 0), sheetQ2, events.MarkCarriedOver{Student: matricule,
		Activity: "Économie d'entreprise", Mark: "13", FromSession: "Q1"}, "system")
	carry.CausedBy = "c0ffee00-1111-4222-8333-444455556666"

	dec := fact(4910, at(6, 29, 8, 15), delib, events.DecisionRecorded{Student: matricule, RecordVersion: 4800,
		Grants: []events.CreditGrant{
			{UE: "1/10", Mark: "8.5", Granted: false, Basis: events.GrantWithinCriteria, Motivation: "Lacunes importantes en méthodologie."},
		},
		Outcome: "ajourne", Proposed: "year-passed", Motivation: "L'UE 1/10 est à représenter en août."}, "s1", "jury")
	dec.Reason = "L'UE 1/10 est à représenter en août."
	dec.Command, dec.CommandID, dec.Correlation = "POST /api/v1/deliberations/MIAS/2025-2026/Q2/decisions", "d4e5f6a7-0000-4000-8000-000000000003", "délibération-juin"
	dec.PrevHash = hash(4900)

	filed := fact(5010, at(7, 6, 8, 0), delib, events.AppealFiled{Student: matricule, UE: "1/10",
		Grounds: "L'épreuve écrite a commencé avec 40 minutes de retard."}, matricule, "student")
	filed.Reason = "L'épreuve écrite a commencé avec 40 minutes de retard."
	filed.PrevHash = hash(4990)

	decided := fact(5040, at(7, 7, 14, 0), delib, events.AppealDecided{Student: matricule, Appeal: "a1-5010",
		Upheld: true, Motivation: "Irrégularité établie par le procès-verbal d'examen."}, "p1", "jury")
	decided.Reason = "Irrégularité établie par le procès-verbal d'examen."
	decided.PrevHash = hash(5010)

	sup := fact(5099, at(7, 8, 9, 0), delib, events.DecisionSuperseded{Student: matricule, Decision: "d1-4910",
		Reason: "Recours fondé."}, "p1", "jury")
	sup.Reason, sup.CausedBy = "Recours fondé.", "e7e7e7e7-5040-4000-8000-000000005040"
	sup.PrevHash = hash(5040)

	redo := fact(5100, at(7, 8, 9, 0), delib, events.DecisionRecorded{Student: matricule, RecordVersion: 5050,
		Grants:  []events.CreditGrant{{UE: "1/10", Mark: "8.5", Granted: true, Basis: events.GrantOutsideCriteria, Motivation: "Épreuve irrégulière."}},
		Outcome: "year-passed", Proposed: "year-passed", Motivation: "Recours fondé : l'UE 1/10 est réévaluée.",
		Supersedes: "d1-4910", Appeal: "a1-5010"}, "p1", "jury")
	redo.Reason = "Recours fondé : l'UE 1/10 est réévaluée."
	redo.CausedBy = "e7e7e7e7-5040-4000-8000-000000005040"
	redo.PrevHash = hash(5099)

	return projections.History{
		Basis:   projections.Basis{Position: 5200},
		Student: zoe,
		Entries: []projections.HistoryEntry{reg, adm, pae, rec, cor, carry, dec, filed, decided, sup, redo},
	}
}

func render(t *testing.T, h projections.History, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, h, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

// words are the words of s, as they show whichever way s wraps.
func words(s string) []string { return strings.Fields(s) }

func TestWriteShowsHistory(t *testing.T) {
	o := opts()
	o.Filter = "année 2025-2026"
	pages, streams := pdftest.Parse(t, render(t, sample(), o))
	pdftest.WantText(t, streams,
		// header
		"Historique du dossier étudiant", "HELMo – HEPL",
		"Étudiant·e : LEFÈVRE Zoé", "Matricule : HE2025-0147",
		"Filtre", "année 2025-2026", "Source", "journal gradelog, position 5200",
		"10/07/2026 à 14:05 (heure de Bruxelles)", "11 enregistrements",
		// labels of every kind of fact
		"Position 12 — Inscription", "Position 40 — Admission", "Position 57 — PAE validé",
		"Position 310 — Note encodée", "Position 355 — Note corrigée", "Position 420 — Note reportée",
		"Position 4910 — Décision du jury", "Position 5010 — Recours introduit",
		"Position 5040 — Recours tranché", "Position 5099 — Décision remplacée",
		"enregistré le 15/09/2025 à 10:30",
		// registration and admission
		"Zoé Lefèvre <zoe.lefevre@example.be>", "bachelier assistant social", "UE 1/1, UE 1/2",
		"secr-martin — secrétariat",
		// PAE
		"5 UE : UE 1/8, UE 1/9, UE 1/10, UE 1/11, UE 1/12", "UE 1/12 : prérequis UE 1/2 levé — fin de cycle",
		// marks
		"Date du fait", "14/01/2026 à 09:00",
		"Année 2025-2026, session de janvier (Q1), UE 1/9, activité « Fiscalité des sociétés »",
		"prof-gérard — enseignant·e", "fichier Excel", "formulaire",
		"7 → 12,5", "Autorisée par", "présidente Lemaître",
		"13, reportée de la session de janvier (Q1)",
		"Cause", "conséquence de l'enregistrement c0ffee00-1111-4222-8333-444455556666",
		"POST /api/v1/sheets/2025-2026/Q1/1%2F9/corrections (commande b2c3d4e5)",
		"Corrélation", "relecture-janvier",
		// decisions and appeals
		"Délibération MIAS 2025-2026, session de juin (Q2)",
		"ajourné·e (proposition : année réussie)",
		"UE 1/10 (note 8,5) : crédits refusés, dans les critères — Lacunes importantes en méthodologie.",
		"position 4800", "Motivation", "L'UE 1/10 est à représenter en août.",
		"l'étudiant·e (HE2025-0147) — étudiant·e", "Motifs du recours",
		"recours fondé", "Irrégularité établie par le procès-verbal d'examen.",
		"la décision d1-4910", "en réponse au recours a1-5010", "Décision remplacée",
		// hashes
		"empreinte "+hash(355)[:16]+" · précédente "+hash(350)[:16]+" · agrégat sheet.2025-2026.Q1.1/9",
		"précédente — (premier de l'agrégat)",
		// closing
		"Fin de l'historique — 11 enregistrements.", "Empreinte du dernier enregistrement (position 5100) :", hash(5100),
		// footer
		"Position du journal : 5200", fmt.Sprintf("Page %d/%d", pages, pages),
	)
	// The long reason wraps: every word of it shows.
	pdftest.WantText(t, streams, words(longReason)...)
	if bytes.Contains(streams, pdftest.Shown(hash(355)[:17])) {
		t.Error("a record's hash is not shortened to 16 digits")
	}
	for _, s := range []string{"État au", "Aucun enregistrement"} {
		if bytes.Contains(streams, pdftest.Shown(s)) {
			t.Errorf("a current, non-empty history shows %q", s)
		}
	}
}

func TestWriteAsOf(t *testing.T) {
	h := sample()
	h.Entries = h.Entries[:7]
	h.AsOf = &projections.AsOf{Position: 4909, Instant: at(6, 29, 8, 14), Records: 57, Decision: "d1-4910"}
	_, streams := pdftest.Parse(t, render(t, h, opts()))
	pdftest.WantText(t, streams,
		"État au 29/06/2026 à 10:14 (position 4909), tel que le jury l'a vu avant la décision d1-4910 – 57 enregistrements retenus.",
		"aucun — historique complet")
}

func TestWriteEmpty(t *testing.T) {
	h := projections.History{
		Basis: projections.Basis{Position: 3,
			AsOf:  &projections.AsOf{Position: 3, Records: 0},
			Empty: "student HE2025-0147 had no record yet as of position 3"},
		Student: projections.Identity{Matricule: matricule},
		Entries: []projections.HistoryEntry{},
	}
	pages, streams := pdftest.Parse(t, render(t, h, opts()))
	if pages != 1 {
		t.Errorf("an empty history takes %d pages", pages)
	}
	pdftest.WantText(t, streams, "Historique du dossier étudiant", "Matricule : HE2025-0147",
		"État à la position 3 – 0 enregistrement retenu.",
		"Aucun enregistrement : le dossier était vide à cette borne.",
		"Détail : student HE2025-0147 had no record yet as of position 3",
		"Fin de l'historique — aucun enregistrement.", "Page 1/1")
}

func TestWriteFilteredOut(t *testing.T) {
	h := sample()
	h.Entries = nil
	_, streams := pdftest.Parse(t, render(t, h, opts()))
	pdftest.WantText(t, streams, "Aucun enregistrement ne correspond au filtre.", "0 enregistrement")
}

func TestWriteIsDeterministic(t *testing.T) {
	a := render(t, sample(), opts())
	for range 3 {
		if b := render(t, sample(), opts()); !bytes.Equal(a, b) {
			t.Fatal("two renderings of the same history differ")
		}
	}
	o := opts()
	o.GeneratedAt = generatedAt.In(time.FixedZone("X", -5*3600))
	if b := render(t, sample(), o); !bytes.Equal(a, b) {
		t.Error("the zone GeneratedAt is expressed in changes the document")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260710140500)")) ||
		!bytes.Contains(a, []byte("/ModDate (D:20260710140500)")) {
		t.Error("creation and modification dates are not GeneratedAt in Brussels time")
	}
	o.GeneratedAt = generatedAt.Add(time.Minute)
	if b := render(t, sample(), o); bytes.Equal(a, b) {
		t.Error("GeneratedAt does not show in the document")
	}
}

// TestWriteIsStable pins the bytes of the sample's report. Reports are
// regenerated by an offline verifier and compared byte for byte with the
// copies kept in audit bundles, so any change to them — here, in package
// pdfdoc or in fpdf — is a change the bundles already written will not
// verify under. Run with -update only for a deliberate change.
func TestWriteIsStable(t *testing.T) {
	sum := sha256.Sum256(render(t, sample(), opts()))
	got := hex.EncodeToString(sum[:]) + "\n"
	file := filepath.Join("testdata", "sample.sha256")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the sample's report changed: SHA-256 %s, want %s (regenerated reports will not match the copies in existing audit bundles; rerun with -update if this is deliberate)",
			strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}

func TestWriteLongHistoryBreaksPages(t *testing.T) {
	h := sample()
	base := h.Entries
	h.Entries = nil
	for i := range 300 {
		e := base[i%len(base)]
		e.Position = uint64(1000 + i)
		e.Hash = hash(e.Position)
		h.Entries = append(h.Entries, e)
	}
	pages, streams := pdftest.Parse(t, render(t, h, opts()))
	if pages < 20 {
		t.Fatalf("300 entries fit on %d pages", pages)
	}
	for _, e := range h.Entries {
		title := fmt.Sprintf("Position %d — %s", e.Position, pdfdoc.EventType(e.Type))
		if !bytes.Contains(streams, pdftest.Shown(title)) {
			t.Errorf("%q is not drawn", title)
		}
		if !bytes.Contains(streams, pdftest.Shown("empreinte "+e.Hash[:16])) {
			t.Errorf("the hash of position %d is not drawn", e.Position)
		}
	}
	pdftest.WantText(t, streams, "300 enregistrements", "Fin de l'historique — 300 enregistrements.",
		fmt.Sprintf("Page %d/%d", pages, pages),
		"Historique du dossier étudiant – LEFÈVRE Zoé – matricule HE2025-0147")
	// Every correction's reason shows whole.
	want := 0
	for _, e := range h.Entries {
		if e.Type == "mark.corrected" {
			want++
		}
	}
	if got := bytes.Count(streams, pdftest.Shown("coordinatrice")); got != want {
		t.Errorf("the long reason's words drawn %d times, want %d", got, want)
	}
}

// TestWriteVeryLongReason: a reason longer than a page continues on
// further rows and pages without losing a word.
func TestWriteVeryLongReason(t *testing.T) {
	h := sample()
	var b strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&b, "motif%04d ", i)
	}
	e := &h.Entries[4]
	e.Reason = b.String()
	pages, streams := pdftest.Parse(t, render(t, h, opts()))
	if pages < 3 {
		t.Fatalf("a 1500-word reason fits on %d pages", pages)
	}
	for i := range 1500 {
		if w := fmt.Sprintf("motif%04d", i); !bytes.Contains(streams, pdftest.Shown(w)) {
			t.Fatalf("word %s of the reason is lost", w)
		}
	}
	pdftest.WantText(t, streams, "Motif (suite)", "Position 355 — Note corrigée (suite)", "7 → 12,5")
}

func TestEveryTypeHasALabel(t *testing.T) {
	for _, typ := range events.Types() {
		if pdfdoc.EventType(typ) == typ {
			t.Errorf("event type %s has no French label", typ)
		}
	}
	if got := pdfdoc.EventType("brand.new"); got != "brand.new" {
		t.Errorf("the label of an unknown type = %q, want the type", got)
	}
}

// TestWriteUnknownType: a fact the report cannot read still shows its
// type, summary and values as the history gives them.
func TestWriteUnknownType(t *testing.T) {
	h := sample()
	h.Entries = append(h.Entries, projections.HistoryEntry{Position: 5300, RecordedAt: at(7, 9, 8, 0),
		Type: "brand.new", Aggregate: "student." + matricule, Actor: "system", Summary: "something new happened",
		Previous: "old", Value: "new", Hash: hash(5300), Event: json.RawMessage(`{"x":1}`)})
	h.Entries = append(h.Entries, projections.HistoryEntry{Position: 5301, RecordedAt: at(7, 9, 8, 0),
		Type: "mark.recorded", Aggregate: "sheet.2025-2026.Q3.1/10", Actor: "system",
		Context: "2025-2026 Q3 UE 1/10", Value: "ABS", Hash: hash(5301)})
	_, streams := pdftest.Parse(t, render(t, h, opts()))
	pdftest.WantText(t, streams, "Position 5300 — brand.new", "Résumé", "something new happened", "old → new",
		"Position 5301 — Note encodée", "Année 2025-2026, session d'août-septembre (Q3), UE 1/10", "ABS")
}

// TestWriteFromLog renders a history projections.HistoryOf builds from
// records, as the server and the offline verifier do.
func TestWriteFromLog(t *testing.T) {
	rec := func(pos uint64, agg events.AggregateID, ev events.Event, actor string, roles ...string) events.Record {
		return events.Record{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Append(nil, pos)), Aggregate: agg, Position: pos,
			Version: pos, Type: ev.EventType(), Schema: 1, RecordedAt: at(9, 15, 8, 0).Add(time.Duration(pos) * time.Hour),
			Actor: events.Actor{ID: actor, Roles: roles}, CausationID: events.CommandCausation("9f8e7d6c-0000-4000-8000-000000000000", "cli import"),
			Hash: hash(pos), Event: ev}
	}
	recs := []events.Record{
		rec(1, events.StudentOf(matricule), events.StudentRegistered{Matricule: matricule, FirstName: "Zoé", LastName: "Lefèvre"}, "secr-martin", "secretariat"),
		rec(2, events.SheetOf("2025-2026", "Q1", "1/9"), events.MarkRecorded{Student: matricule, Entry: events.Entry{Code: "CM"}, Source: "csv"}, "prof-gérard", "teacher"),
		rec(3, events.SheetOf("2025-2026", "Q1", "1/9"), events.MarkCorrected{Student: matricule, Previous: events.Entry{Code: "CM"},
			Entry: events.Entry{Mark: "11"}, Reason: "Certificat médical retiré.", AuthorisedBy: "p1"}, "secr-martin", "secretariat"),
		rec(4, events.StudentOf("HE2025-0999"), events.StudentRegistered{Matricule: "HE2025-0999"}, "secr-martin", "secretariat"),
	}
	h, err := projections.HistoryOf(matricule, recs, eventlog.Until{}, projections.HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	_, streams := pdftest.Parse(t, render(t, h, opts()))
	pdftest.WantText(t, streams, "Position 1 — Inscription", "Position 2 — Note encodée", "Position 3 — Note corrigée",
		"CM → 11", "Certificat médical retiré.", "fichier CSV", "cli import (commande 9f8e7d6c)",
		"Fin de l'historique — 3 enregistrements.", hash(3))
	if bytes.Contains(streams, pdftest.Shown("HE2025-0999")) {
		t.Error("another student's fact shows in the history")
	}
}

func TestWriteNeedsGeneratedAt(t *testing.T) {
	if err := Write(io.Discard, sample(), Options{}); err == nil {
		t.Error("Write without GeneratedAt succeeded")
	}
}

// TestWriteDependsOnNothingElse: a report is the same bytes whatever was
// rendered before it in the process, and rendering leaves the shared
// font data as it found it (fpdf writes into the bytes of some fonts
// when it embeds them; see Write).
func TestWriteDependsOnNothingElse(t *testing.T) {
	fonts := map[string][]byte{"gomono": gomono.TTF, "goregular": goregular.TTF, "gobold": gobold.TTF, "goitalic": goitalic.TTF}
	before := map[string][32]byte{}
	for name, b := range fonts {
		before[name] = sha256.Sum256(b)
	}
	a := render(t, sample(), opts())
	other := sample()
	other.Student = projections.Identity{Matricule: "HE2024-0088", FirstName: "Maëlle", LastName: "Crêvecœur"}
	other.Entries = other.Entries[3:6]
	other.Entries[0].Hash = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	render(t, other, opts())
	if b := render(t, sample(), opts()); !bytes.Equal(a, b) {
		t.Error("rendering another history in between changes the report")
	}
	for name, b := range fonts {
		if sha256.Sum256(b) != before[name] {
			t.Errorf("rendering changed the bytes of the shared font %s", name)
		}
	}
}
