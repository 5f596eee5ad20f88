package minutespdf

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/pdfdoc/pdftest"
	"github.com/gradelog/gradelog/projections"
)

var generatedAt = time.Date(2026, 7, 10, 12, 5, 0, 0, time.UTC) // 14:05 in Brussels

func opts() Options { return Options{GeneratedAt: generatedAt} }

func at(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, time.UTC)
}

var (
	zoe    = projections.Identity{Matricule: "HE2025-0147", FirstName: "Zoé", LastName: "Lefèvre"}
	jeremy = projections.Identity{Matricule: "HE2025-0203", FirstName: "Jérémie", LastName: "Dupont-Hénin"}
	maelle = projections.Identity{Matricule: "HE2024-0088", FirstName: "Maëlle", LastName: "Crêvecœur"}
)

// sample is the minutes of a June deliberation opened with a sheet
// missing: a decision departing from the proposal (a grant outside the
// criteria, a refusal within them) that an upheld appeal replaced, a
// decision following the proposal, a degree with a raised mention, and a
// second appeal not decided yet.
func sample() projections.Minutes {
	members := []events.JuryMember{
		{ID: "p1", Name: "Anne Lemaître", Institution: "HELMo"},
		{ID: "s1", Name: "Benoît Daoust", Institution: "HEPL"},
		{ID: "m1", Name: "Céline Gérard", Institution: "HELMo"},
		{ID: "m2", Name: "Françoise Noël", Institution: "HEPL"},
		{ID: "m3", Name: "Jérôme Bégin", Institution: "HELMo"},
		{ID: "m4", Name: "Hélène Piérard", Institution: "HEPL"},
	}
	present := []string{"p1", "s1", "m1", "m3", "m4"}
	var presence []projections.MemberPresence
	for _, m := range members {
		role := map[string]string{"p1": "president", "s1": "secretary"}[m.ID]
		if role == "" {
			role = "member"
		}
		presence = append(presence, projections.MemberPresence{JuryMember: m, Role: role, Present: m.ID != "m2"})
	}
	published := at(7, 2, 22, 0) // 3 July, midnight in Brussels
	return projections.Minutes{
		Basis:          projections.Basis{Position: 5120},
		Programme:      "MIAS",
		ProgrammeTitle: "Master en ingénierie et action sociales",
		Institutions:   []string{"Haute Ecole Libre Mosane", "Haute Ecole de la Province de Liège"},
		Year:           "2025-2026",
		Session:        "Q2",
		Jury: projections.JuryView{Programme: "MIAS", Year: "2025-2026", President: "p1", Secretary: "s1",
			Members: members},
		Members: presence,
		Opened: projections.Opening{Stamp: projections.Stamp{Position: 4900, At: at(6, 29, 7, 0), By: "p1"},
			Present: present, Quorum: events.Quorum{Required: 3, Present: 5, Met: true},
			Override: "la grille de l'UE 2/4 n'est pas remise : l'enseignante est en congé de maladie."},
		Closed:      &projections.Stamp{Position: 4990, At: at(6, 29, 15, 30), By: "s1"},
		PublishedAt: &published,
		Decisions: []projections.DecisionRecord{
			{ID: "d1", Position: 4910, At: at(6, 29, 8, 15), By: "s1", Student: zoe,
				DecisionRecorded: events.DecisionRecorded{Student: zoe.Matricule, RecordVersion: 4800,
					Grants: []events.CreditGrant{
						{UE: "1/9", Mark: "9", Granted: true, Basis: events.GrantOutsideCriteria, Motivation: "Déficit léger compensé par l'ensemble du parcours."},
						{UE: "1/10", Mark: "8.5", Granted: false, Basis: events.GrantWithinCriteria, Motivation: "Lacunes importantes en méthodologie."},
					},
					Outcome: "ajourne", Proposed: "year-passed", Motivation: "L'UE 1/10 est à représenter en août."},
				Differences: []projections.Difference{
					{What: projections.DiffGrant, UE: "1/9", From: "not-acquired", To: "granted"},
					{What: projections.DiffGrant, UE: "1/10", From: "to-deliberate", To: "refused"},
					{What: projections.DiffOutcome, From: "year-passed", To: "ajourne"},
				},
				SupersededBy: "d4"},
			{ID: "d2", Position: 4920, At: at(6, 29, 8, 30), By: "p1", Student: jeremy,
				DecisionRecorded: events.DecisionRecorded{Student: jeremy.Matricule, RecordVersion: 4810,
					Outcome: "year-passed", Proposed: "year-passed"},
				Differences: []projections.Difference{}},
			{ID: "d3", Position: 4930, At: at(6, 29, 9, 0), By: "p1", Student: maelle,
				DecisionRecorded: events.DecisionRecorded{Student: maelle.Matricule, RecordVersion: 4820,
					Outcome: "cycle-completed", Proposed: "cycle-completed",
					Mention: "grande distinction", ProposedMention: "distinction", Motivation: "Mémoire remarquable, salué par le jury."},
				Differences: []projections.Difference{{What: projections.DiffMention, From: "distinction", To: "grande distinction"}}},
			{ID: "d4", Position: 5100, At: at(7, 8, 9, 0), By: "p1", Student: zoe,
				DecisionRecorded: events.DecisionRecorded{Student: zoe.Matricule, RecordVersion: 5050,
					Grants: []events.CreditGrant{
						{UE: "1/9", Mark: "9", Granted: true, Basis: events.GrantOutsideCriteria, Motivation: "Inchangé."},
					},
					Outcome: "year-passed", Proposed: "year-passed", Motivation: "Recours fondé : l'UE 1/10 est réévaluée.",
					Supersedes: "d1", Appeal: "a1"},
				Differences: []projections.Difference{{What: projections.DiffGrant, UE: "1/9", From: "not-acquired", To: "granted"}}},
		},
		Appeals: []projections.AppealView{
			{ID: "a1", Student: zoe.Matricule, UE: "1/10", Grounds: "L'épreuve écrite a commencé avec 40 minutes de retard.",
				Filed: projections.Stamp{Position: 5010, At: at(7, 6, 8, 0), By: zoe.Matricule}, Status: "upheld",
				Decided:    &projections.Stamp{Position: 5040, At: at(7, 7, 14, 0), By: "p1"},
				Motivation: "Irrégularité établie par le procès-verbal d'examen.", AnsweredBy: "d4"},
			{ID: "a2", Student: jeremy.Matricule, Grounds: "Copie non rendue à la consultation.",
				Filed: projections.Stamp{Position: 5060, At: at(7, 7, 9, 0), By: "secr-martin"}, Status: "filed"},
		},
	}
}

func render(t *testing.T, m projections.Minutes, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, m, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

func TestWriteShowsMinutes(t *testing.T) {
	pages, streams := pdftest.Parse(t, render(t, sample(), opts()))
	pdftest.WantText(t, streams,
		// header
		"Haute Ecole Libre Mosane – Haute Ecole de la Province de Liège", "Procès-verbal de délibération",
		"Master en ingénierie et action sociales (MIAS)",
		"Année académique 2025-2026 — Deuxième session (juin)",
		"Ouverture", "29/06/2026 à 09:00, par Anne Lemaître (président)",
		"Clôture", "29/06/2026 à 17:30, par Benoît Daoust (secrétaire)",
		"Publication des résultats", "03/07/2026",
		"4 décisions, dont 1 remplacée",
		// jury
		"Composition du jury", "Françoise Noël", "HEPL", "membre", "présent", "absent",
		"Quorum : 5 présents sur 3 requis — atteint",
		"Ouverture malgré des grilles non remises : la grille de l'UE 2/4",
		// decisions
		"Décisions du jury",
		"Décision n° 1 — LEFÈVRE Zoé — matricule HE2025-0147",
		"Décision n° 2 — DUPONT-HÉNIN Jérémie — matricule HE2025-0203",
		"Décision n° 3 — CRÊVECŒUR Maëlle — matricule HE2024-0088",
		"ajourné·e", "année réussie", "cycle réussi — grade conféré",
		"grande distinction (proposée : distinction)",
		"UE 1/9", "8,5", "crédits octroyés", "crédits refusés", "hors critères", "dans les critères",
		"Lacunes importantes en méthodologie.",
		"L'UE 1/10 est à représenter en août.",
		"UE 1/9 : crédits octroyés (proposition : non acquise)",
		"UE 1/10 : crédits refusés (proposition : à délibérer)",
		"Décision : ajourné·e (proposition : année réussie)",
		"Mention : grande distinction (proposition : distinction)",
		"conforme à la proposition", "aucune UE délibérée",
		"remplacée par une décision ultérieure (n° 4)", "en vigueur",
		"la décision n° 1 du 29/06/2026 à 10:15",
		"en réponse au recours n° 1 (fondé)",
		// appeals
		"Recours n° 1 — LEFÈVRE Zoé — matricule HE2025-0147 — UE 1/10",
		"par l'étudiant·e", "L'épreuve écrite a commencé avec 40 minutes de retard.",
		"fondé — décidé le 07/07/2026 à 16:00, par Anne Lemaître (président)",
		"Irrégularité établie par le procès-verbal d'examen.",
		"nouvelle décision : n° 4 du 08/07/2026 à 11:00",
		"Recours n° 2", "introduit", "par secr-martin",
		// signatures and footer
		"Signatures", "Le président du jury", "Le secrétaire du jury", "Date et signature",
		"Généré le 10/07/2026 à 14:05 (heure de Bruxelles)", "Position du journal : 5120",
		fmt.Sprintf("Page %d/%d", pages, pages),
	)
	for _, s := range []string{"provisoire", "non atteint", "non fondé"} {
		if bytes.Contains(streams, pdftest.Shown(s)) {
			t.Errorf("the closed minutes show %q", s)
		}
	}
}

func TestWriteProvisional(t *testing.T) {
	m := sample()
	m.Closed, m.PublishedAt, m.Appeals = nil, nil, nil
	m.Opened.Override = ""
	m.Opened.Quorum = events.Quorum{Required: 3, Present: 1, Met: false}
	m.Decisions = m.Decisions[1:3]
	m.Appeals = []projections.AppealView{{ID: "a9", Student: jeremy.Matricule, Grounds: "Erreur d'encodage.",
		Filed: projections.Stamp{At: at(7, 6, 8, 0), By: jeremy.Matricule}, Status: "rejected",
		Decided: &projections.Stamp{At: at(7, 7, 8, 0), By: "p1"}, Motivation: "Aucune irrégularité."}}
	_, streams := pdftest.Parse(t, render(t, m, opts()))
	pdftest.WantText(t, streams, "Délibération en cours — procès-verbal provisoire",
		"Quorum : 1 présent sur 3 requis — non atteint", "2 décisions", "non fondé", "Aucune irrégularité.")
	for _, s := range []string{"Publication des résultats", "Ouverture malgré", "remplacée"} {
		if bytes.Contains(streams, pdftest.Shown(s)) {
			t.Errorf("the document shows %q", s)
		}
	}
}

func TestWriteEmpty(t *testing.T) {
	m := sample()
	m.Members, m.Decisions, m.Appeals = nil, nil, nil
	_, streams := pdftest.Parse(t, render(t, m, opts()))
	pdftest.WantText(t, streams, "Aucun membre enregistré pour ce jury.", "Aucune décision enregistrée.", "Aucun recours.", "0 décision")
}

func TestWriteIsDeterministic(t *testing.T) {
	a := render(t, sample(), opts())
	if b := render(t, sample(), opts()); !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same minutes differ")
	}
	o := opts()
	o.GeneratedAt = generatedAt.In(time.FixedZone("X", -5*3600))
	if b := render(t, sample(), o); !bytes.Equal(a, b) {
		t.Error("the zone GeneratedAt is expressed in changes the document")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260710140500)")) {
		t.Error("the creation date is not GeneratedAt in Brussels time")
	}
	o.GeneratedAt = generatedAt.Add(time.Minute)
	if b := render(t, sample(), o); bytes.Equal(a, b) {
		t.Error("GeneratedAt does not show in the document")
	}
}

func TestWriteManyDecisionsBreaksPages(t *testing.T) {
	m := sample()
	base := m.Decisions
	m.Decisions = nil
	for i := range 120 {
		d := base[i%len(base)]
		d.ID = fmt.Sprintf("d%d", i+1)
		d.Student.Matricule = fmt.Sprintf("HE2025-%04d", i+1)
		d.Supersedes, d.SupersededBy, d.Appeal = "", "", ""
		m.Decisions = append(m.Decisions, d)
	}
	pages, streams := pdftest.Parse(t, render(t, m, opts()))
	if pages < 10 {
		t.Fatalf("120 decisions fit on %d pages", pages)
	}
	pdftest.WantText(t, streams, "Décision n° 120 — LEFÈVRE Zoé — matricule HE2025-0120",
		"120 décisions", fmt.Sprintf("Page %d/%d", pages, pages),
		"Procès-verbal de délibération – MIAS – 2025-2026 – Deuxième session (juin)", "Le secrétaire du jury")
	for _, s := range []string{"Décision n° ", "Enregistrée par"} {
		if got := bytes.Count(streams, pdftest.Shown(s)); got != 120 {
			t.Errorf("%q drawn %d times, want once per decision (120)", s, got)
		}
	}
}

func TestWriteNeedsGeneratedAt(t *testing.T) {
	if err := Write(io.Discard, sample(), Options{}); err == nil {
		t.Error("Write without GeneratedAt succeeded")
	}
}
