package transcriptpdf

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gradelog/gradelog/internal/pdfdoc/pdftest"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

var generatedAt = time.Date(2026, 7, 2, 12, 5, 0, 0, time.UTC) // 14:05 in Brussels

func opts() Options {
	return Options{Institutions: "HELMo – HEPL (co-diplomation)", GeneratedAt: generatedAt}
}

func mk(s string) *rules.Mark {
	m, err := rules.ParseMark(s)
	if err != nil {
		panic(err)
	}
	return &m
}

// sample is a realistic second-session transcript: an integrated UE, a UE
// of two activities with a mark carried from January and a corrected one,
// a UE blocked by ABS and a UE whose credits the jury granted.
func sample() projections.Transcript {
	return projections.Transcript{
		Basis:          projections.Basis{Position: 4821},
		Student:        projections.Identity{Matricule: "HE2025-0147", FirstName: "Zoé", LastName: "Lefèvre", Email: "zoe.lefevre@example.be"},
		Year:           "2025-2026",
		Programme:      "MGRH",
		ProgrammeTitle: "Master en gestion des ressources humaines",
		UEs: []projections.TranscriptUE{
			{Code: "UE 1/8", Title: "Management et gestion du personnel dans les organisations publiques et privées",
				Bloc: 1, Kind: "programme", Credits: 10, Integrated: true,
				Sessions: []projections.SittingView{{Session: "Q2", Result: "14.5", Mark: mk("14.5")}},
				Mark:     mk("14.5"), Status: rules.Acquired, Basis: rules.ByMark, AcquiredIn: "Q2"},
			{Code: "UE 1/9", Title: "Économie et fiscalité", Bloc: 1, Kind: "programme", Credits: 5,
				Sessions: []projections.SittingView{
					{Session: "Q1", Activities: []projections.ActivityResult{
						{Activity: "Économie d'entreprise", Hours: 30, Result: "13"},
						{Activity: "Fiscalité des sociétés", Hours: 24, Result: "7"},
					}, Mark: mk("10.22")},
					{Session: "Q2", Activities: []projections.ActivityResult{
						{Activity: "Économie d'entreprise", Hours: 30, Result: "13", CarriedFrom: "Q1"},
						{Activity: "Fiscalité des sociétés", Hours: 24, Result: "12.5", Corrected: true},
					}, Mark: mk("12.78")},
				},
				Mark: mk("12.78"), Status: rules.Acquired, Basis: rules.ByMark, AcquiredIn: "Q2"},
			{Code: "UE 1/10", Title: "Statistiques appliquées à la GRH", Bloc: 1, Kind: "programme", Credits: 5,
				Sessions: []projections.SittingView{{Session: "Q2", Result: "ABS", Code: "ABS"}},
				Status:   rules.NotAcquired, Basis: rules.Blocked},
			{Code: "UE 1/11", Title: "Méthodologie de la recherche", Bloc: 1, Kind: "programme", Credits: 5,
				Sessions: []projections.SittingView{{Session: "Q2", Result: "9.5", Mark: mk("9.5")}},
				Mark:     mk("9.5"), Status: rules.Acquired, Basis: rules.ByGrant, AcquiredIn: "Q2"},
			{Code: "UE 1/12", Title: "Anglais des affaires", Bloc: 1, Kind: "complement", Credits: 3,
				Status: rules.Pending, Basis: rules.NotYet},
		},
		Credits:     projections.YearCredits{Enrolled: 28, Acquired: 20, ByMark: 15, Deliberated: 5, Remaining: 8},
		YearAverage: &projections.Average{Mark: 1342, Credits: 25},
		Decisions: []projections.Decision{
			{ID: "d1", Position: 4700, At: time.Date(2026, 6, 30, 14, 0, 0, 0, time.UTC), Year: "2025-2026",
				Session: "Q2", Outcome: "ajourne", Granted: []string{"UE 1/11"}, Superseded: true, SupersededBy: "d2"},
			{ID: "d2", Position: 4800, At: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), Year: "2025-2026",
				Session: "Q2", Outcome: "ajourne", Granted: []string{"UE 1/11"}},
		},
	}
}

func render(t *testing.T, tr projections.Transcript, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, tr, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

func TestWriteShowsTranscript(t *testing.T) {
	pages, streams := pdftest.Parse(t, render(t, sample(), opts()))
	if pages != 1 {
		t.Errorf("pages = %d, want 1", pages)
	}
	pdftest.WantText(t, streams,
		"HELMo – HEPL (co-diplomation)", "Relevé de notes",
		"Master en gestion des ressources humaines (MGRH)", "Année académique 2025-2026",
		"LEFÈVRE Zoé", "HE2025-0147",
		"Économie et fiscalité", "Management et gestion du personnel",
		"UE intégrée", "Épreuve intégrée", "14,5",
		"Économie d'entreprise (30 h)", "reportée de janvier", "corrigée", "12,78",
		"ABS", "code bloquant", "non acquise",
		"acquise en juin", "note ≥ 10", "délibérée (crédits octroyés)",
		"en attente", "pas encore évaluée", "complément de formation",
		"Crédits inscrits", "dont délibérés", "Crédits restants",
		"Moyenne annuelle", "13,42/20 (25 crédits)", "Moyenne du cycle", "—",
		"Décisions du jury", "ajourné·e", "remplacée", "en vigueur", "UE 1/11 (5 crédits)", "30/06/2026",
		"Généré le 02/07/2026 à 14:05 (heure de Bruxelles)", "Position du journal : 4821", "Page 1/1",
	)
	if bytes.Contains(streams, pdftest.Shown("Reconstitué")) {
		t.Error("a current transcript says it was reconstructed")
	}
}

func TestWriteAsOf(t *testing.T) {
	tr := sample()
	tr.AsOf = &projections.AsOf{Position: 4500, Instant: time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), Records: 17}
	_, streams := pdftest.Parse(t, render(t, tr, opts()))
	pdftest.WantText(t, streams, "Reconstitué à partir du journal au 15/06/2026 à 12:00 (position 4500) – 17 enregistrements retenus.")
}

func TestWriteIsDeterministic(t *testing.T) {
	a := render(t, sample(), opts())
	for range 5 {
		if b := render(t, sample(), opts()); !bytes.Equal(a, b) {
			t.Fatal("two renderings of the same transcript differ")
		}
	}
	// The same instant in another zone is the same document.
	o := opts()
	o.GeneratedAt = generatedAt.In(time.FixedZone("X", -5*3600))
	if b := render(t, sample(), o); !bytes.Equal(a, b) {
		t.Error("the zone GeneratedAt is expressed in changes the document")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260702140500)")) ||
		!bytes.Contains(a, []byte("/ModDate (D:20260702140500)")) {
		t.Error("creation and modification dates are not GeneratedAt in Brussels time")
	}
	o.GeneratedAt = generatedAt.Add(time.Minute)
	if b := render(t, sample(), o); bytes.Equal(a, b) {
		t.Error("GeneratedAt does not show in the document")
	}
}

func TestWriteEmpty(t *testing.T) {
	tr := sample()
	tr.UEs, tr.Decisions, tr.YearAverage = nil, nil, nil
	tr.Empty = "L'étudiant·e n'était pas encore inscrit·e à cette date."
	_, streams := pdftest.Parse(t, render(t, tr, opts()))
	pdftest.WantText(t, streams, "Aucun résultat", tr.Empty, "LEFÈVRE Zoé")
	if bytes.Contains(streams, pdftest.Shown("Intitulé")) || bytes.Contains(streams, pdftest.Shown("Moyenne annuelle")) {
		t.Error("an empty transcript still draws the tables")
	}
}

func TestWriteLongTranscriptBreaksPages(t *testing.T) {
	tr := sample()
	base := tr.UEs
	tr.UEs = nil
	for i := range 40 {
		ue := base[i%len(base)]
		ue.Code = fmt.Sprintf("UE %d/%d", 1+i/20, 1+i%20)
		tr.UEs = append(tr.UEs, ue)
	}
	pdf := render(t, tr, opts())
	pages, streams := pdftest.Parse(t, pdf)
	if pages < 2 {
		t.Fatalf("a 40-UE transcript fits on %d page", pages)
	}
	pdftest.WantText(t, streams, "UE 2/20", fmt.Sprintf("Page %d/%d", pages, pages), "matricule HE2025-0147")
	// Each new page repeats the table's column headings.
	if got := bytes.Count(streams, pdftest.Shown("Intitulé")); got < pages {
		t.Errorf("column headings drawn %d times over %d pages", got, pages)
	}
}

func TestWriteNeedsGeneratedAt(t *testing.T) {
	if err := Write(io.Discard, sample(), Options{}); err == nil {
		t.Error("Write without GeneratedAt succeeded")
	}
}

// graduate is the sample after a September session that completed the cycle.
func graduate() projections.Transcript {
	tr := sample()
	tr.UEs[2].Sessions = append(tr.UEs[2].Sessions, projections.SittingView{Session: "Q3", Result: "15", Mark: mk("15")})
	tr.UEs[2].Mark, tr.UEs[2].Status, tr.UEs[2].Basis, tr.UEs[2].AcquiredIn = mk("15"), rules.Acquired, rules.ByMark, "Q3"
	tr.UEs[4].Status, tr.UEs[4].Basis, tr.UEs[4].AcquiredIn = rules.Acquired, "recognised", "earlier"
	tr.Credits = projections.YearCredits{Enrolled: 28, Acquired: 28, ByMark: 20, Deliberated: 5, Recognised: 3}
	tr.CycleAverage = &projections.Average{Mark: 1415, Credits: 117}
	tr.Decisions = append(tr.Decisions, projections.Decision{ID: "d3", Position: 5200,
		At: time.Date(2026, 9, 15, 16, 0, 0, 0, time.UTC), Year: "2025-2026", Session: "Q3",
		Outcome: "cycle-completed", Mention: "distinction"})
	tr.Degree = &projections.Degree{Year: "2025-2026", Average: 1415, Mention: "distinction"}
	return tr
}

func TestWriteDegree(t *testing.T) {
	_, streams := pdftest.Parse(t, render(t, graduate(), opts()))
	pdftest.WantText(t, streams, "septembre", "acquise en", "valorisée", "antérieurement",
		"Moyenne du cycle", "14,15/20 (117 crédits)", "cycle réussi", "distinction",
		"Diplôme conféré", "année 2025-2026")
}
