package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// yearTranscript is one year's transcript as the pages show it.
type yearTranscript struct {
	projections.Transcript
	UEs          []transcriptRow
	YearAverage  string
	CycleAverage string
	Decisions    []transcriptDecision
	Degree       string
	PDF          string // the transcript as a PDF (the API, with the session)
}

// transcriptRow is one UE of a transcript.
type transcriptRow struct {
	projections.TranscriptUE
	Sittings []sittingLine
	Mark     string
	Status   string
	Basis    string
	Acquired bool
}

// sittingLine is what one session recorded for a UE.
type sittingLine struct {
	Session    string // "juin (Q2)"
	Result     string // the UE-level result, or the UE mark computed
	Corrected  bool
	Activities []string // "Méthodologies : 12", carried marks said so
	Note       string   // a code that decides, or the results missing
}

// transcriptDecision is a jury decision as a transcript shows it.
type transcriptDecision struct {
	projections.Decision
	Outcome string
	Session string
}

// transcriptSessions name sessions by their month, as students know them.
var transcriptSessions = map[string]string{"Q1": "janvier (Q1)", "Q2": "juin (Q2)", "Q3": "septembre (Q3)", "earlier": "année antérieure"}

func markWords(m *rules.Mark) string {
	if m == nil {
		return ""
	}
	return pdfdoc.Mark(*m)
}

func avgWords(a *projections.Average) string {
	if a == nil {
		return ""
	}
	return fmt.Sprintf("%s / 20 (sur %d crédits)", pdfdoc.Mark(a.Mark), a.Credits)
}

// yearTranscriptOf is t in French, with the link to its PDF.
func yearTranscriptOf(t projections.Transcript, pdf string) yearTranscript {
	v := yearTranscript{Transcript: t, YearAverage: avgWords(t.YearAverage), CycleAverage: avgWords(t.CycleAverage), PDF: pdf}
	for _, ue := range t.UEs {
		uv := transcriptRow{TranscriptUE: ue, Mark: markWords(ue.Mark), Status: pdfdoc.Status(ue.Status),
			Basis: pdfdoc.Basis(ue.Basis), Acquired: ue.Status == rules.Acquired}
		if ue.AcquiredIn != "" && uv.Acquired {
			uv.Basis += ", " + pdfdoc.Label(transcriptSessions, ue.AcquiredIn)
		}
		for _, s := range ue.Sessions {
			l := sittingLine{Session: pdfdoc.Label(transcriptSessions, s.Session), Corrected: s.Corrected}
			switch {
			case s.Result != "":
				l.Result = resultWords(s.Result)
			case s.Mark != nil:
				l.Result = markWords(s.Mark)
			}
			for _, a := range s.Activities {
				line := a.Activity + " : " + resultWords(a.Result)
				if len(s.Activities) == 1 && a.Activity == ue.Title {
					line = "encodé : " + resultWords(a.Result) // the UE's one activity
				}
				if a.CarriedFrom != "" {
					line += " (reportée de " + pdfdoc.Label(transcriptSessions, a.CarriedFrom) + ")"
				}
				if a.Corrected {
					line += " (corrigée)"
				}
				l.Activities = append(l.Activities, line)
			}
			switch {
			case s.Code != "" && s.Result == "":
				l.Note = "code " + s.Code
			case len(s.Missing) > 0:
				l.Note = "manque : " + strings.Join(s.Missing, ", ")
			}
			uv.Sittings = append(uv.Sittings, l)
		}
		v.UEs = append(v.UEs, uv)
	}
	for _, d := range t.Decisions {
		v.Decisions = append(v.Decisions, transcriptDecision{Decision: d, Outcome: outcome(d.Outcome), Session: sessionName(d.Session)})
	}
	if g := t.Degree; g != nil {
		v.Degree = "moyenne du cycle " + pdfdoc.Mark(g.Average)
		if g.Mention != "" {
			v.Degree += ", mention « " + g.Mention + " »"
		}
	}
	return v
}

// creditLedger is a student's credit ledger in French.
type creditLedger struct {
	projections.Ledger
	Rows []creditRow
}

type creditRow struct {
	Label string
	projections.Credits
}

func creditLedgerOf(l projections.Ledger) creditLedger {
	v := creditLedger{Ledger: l}
	for _, b := range l.Blocs {
		v.Rows = append(v.Rows, creditRow{Label: fmt.Sprintf("Bloc %d", b.Bloc), Credits: b})
	}
	v.Rows = append(v.Rows, creditRow{Label: "Cycle", Credits: l.Cycle})
	return v
}

// transcriptPage is a student's own transcripts.
type transcriptPage struct {
	Student     projections.Identity
	Unpublished bool
	Transcripts []yearTranscript
	Ledger      *creditLedger
	Position    uint64 // the publication the student's record is read as of
}

// myTranscript shows a student their transcripts once results are
// published: the handlers bound what a student sees by the last
// publication in force (the publication embargo), and refuse before any.
func (u *ui) myTranscript(c *req) error {
	if !c.id.Has(auth.Student) {
		return &handlers.Refusal{Reason: handlers.Forbidden, Problems: []handlers.Problem{{Field: "role", Value: strings.Join(c.id.Roles, ","),
			Rule: "le relevé personnel est celui de l'étudiant connecté ; le personnel consulte le dossier d'un étudiant depuis l'audit"}}}
	}
	mat := c.id.ID
	p := transcriptPage{Student: projections.Identity{Matricule: mat}}
	// notYet says, with no mark, that nothing is published yet.
	notYet := func() error {
		p.Unpublished, p.Transcripts = true, nil
		c.status = http.StatusNotFound
		u.render(c, "transcript", "Mon relevé de notes", p)
		return nil
	}
	for _, year := range u.Handlers.Cohort.Years() {
		t, err := u.Handlers.Transcript(c.ctx(), c.id, mat, year, c.query())
		if unpublished(err) {
			return notYet()
		}
		if err != nil {
			return err
		}
		if t.Student.Matricule != "" {
			p.Student = t.Student
		}
		if t.AsOf != nil {
			p.Position = max(p.Position, t.AsOf.Position)
		}
		if t.Empty != "" {
			continue
		}
		pdf := "/api/v1/students/" + url.PathEscape(mat) + "/transcripts/" + url.PathEscape(year) + "?format=pdf"
		p.Transcripts = append(p.Transcripts, yearTranscriptOf(t, pdf))
	}
	l, err := u.Handlers.Ledger(c.ctx(), c.id, mat, c.query())
	if unpublished(err) {
		return notYet()
	}
	if err != nil {
		return err
	}
	if l.Empty == "" {
		lv := creditLedgerOf(l)
		p.Ledger = &lv
	}
	u.render(c, "transcript", "Mon relevé de notes", p)
	return nil
}

// unpublished reports whether err is the publication embargo's refusal:
// no results are published yet.
func unpublished(err error) bool {
	var ref *handlers.Refusal
	if !errors.As(err, &ref) || ref.Reason != handlers.NotFound {
		return false
	}
	for _, p := range ref.Problems {
		if p.Field == "results" {
			return true
		}
	}
	return false
}
