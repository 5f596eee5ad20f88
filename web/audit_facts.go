package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// auditFact is one auditFact of a student's history as the audit pages show it: the
// entry as the history wrote it, with what happened, where, the previous
// and new values and the reason in French.
type auditFact struct {
	projections.HistoryEntry
	Label       string // what happened ("Note corrigée")
	Where       string // what it is about ("2025-2026 · session de janvier (Q1) · UE 1/4 · activité « … »")
	Before      string // the previous value, "" if none
	After       string // the new value, "" if none
	Details     []string
	ReasonLabel string // "Motif", "Motivation"…
	// Summary is the history's own summary (English), shown when the
	// page has no words of its own for the kind of auditFact.
	Summary string
}

// kindChoices are the kinds of auditFact the timeline filters on: an event
// type or its family, as the history's filter takes them.
var kindChoices = []auditChoice{
	{"student", "Inscription et admission"},
	{"pae", "Programme annuel (PAE)"},
	{"mark", "Notes : toutes"},
	{"mark.recorded", "Notes encodées"},
	{"mark.corrected", "Notes corrigées"},
	{"mark.carried_over", "Notes reportées"},
	{"sheet.deadline_extended", "Délais d'encodage prolongés"},
	{"credits.recognised", "Crédits valorisés"},
	{"decision", "Décisions du jury"},
	{"appeal", "Recours"},
	{"degree.conferred", "Grade conféré"},
}

// auditChoice is an option of a select.
type auditChoice struct{ Value, Label string }

// sessionNames name a session as the audit pages do.
var sessionNames = map[string]string{
	"Q1": "session de janvier (Q1)",
	"Q2": "session de juin (Q2)",
	"Q3": "session d'août-septembre (Q3)",
}

func sessionName(s string) string { return pdfdoc.Label(sessionNames, s) }

// sourceWords say how a result was entered.
var sourceWords = map[string]string{"form": "formulaire", "xlsx": "fichier Excel", "csv": "fichier CSV", "api": "API"}

// factBody is what the audit pages read in an event beyond the history's
// own fields (the fields of several event types, by their JSON names).
type factBody struct {
	Activity     string               `json:"activity"`
	UE           string               `json:"ue"`
	Source       string               `json:"source"`
	AuthorisedBy string               `json:"authorised_by"`
	Outcome      string               `json:"outcome"`
	Proposed     string               `json:"proposed"`
	Mention      string               `json:"mention"`
	Grants       []events.CreditGrant `json:"grants"`
	Supersedes   string               `json:"supersedes"`
	Decision     string               `json:"decision"`
	Upheld       *bool                `json:"upheld"`
	Appeal       string               `json:"appeal"`
	Basis        string               `json:"basis"`
	Average      string               `json:"average"`
	Mark         string               `json:"mark"`
	FromSession  string               `json:"from_session"`
	UEs          []string             `json:"ues"`
	Added        []string             `json:"added"`
	Removed      []string             `json:"removed"`
	Programme    string               `json:"programme"`
	Complements  []string             `json:"complements"`
}

// auditFactOf is a history entry in French.
func auditFactOf(e projections.HistoryEntry) auditFact {
	f := auditFact{HistoryEntry: e, Label: pdfdoc.EventType(e.Type), ReasonLabel: "Motif", Before: e.Previous, After: e.Value}
	if f.Label == "" {
		f.Label, f.Summary = e.Type, e.Summary
	}
	var b factBody
	_ = json.Unmarshal(e.Event, &b) // an unreadable body keeps the history's own words
	f.Where = whereOf(e, b)
	switch e.Type {
	case "mark.recorded":
		f.After = resultWords(e.Value)
		if b.Source != "" {
			f.Details = append(f.Details, "encodée par "+pdfdoc.Label(sourceWords, b.Source))
		}
	case "mark.corrected":
		f.Before, f.After = resultWords(e.Previous), resultWords(e.Value)
		if b.AuthorisedBy != "" {
			f.Details = append(f.Details, "autorisée par "+b.AuthorisedBy)
		}
		if b.Source != "" {
			f.Details = append(f.Details, "encodée par "+pdfdoc.Label(sourceWords, b.Source))
		}
	case "mark.carried_over":
		f.After = resultWords(b.Mark)
		if b.FromSession != "" {
			f.Details = append(f.Details, "reportée de la "+sessionName(b.FromSession))
		}
	case "decision.recorded":
		f.ReasonLabel, f.After = "Motivation", outcome(b.Outcome)
		if b.Proposed != "" {
			f.Details = append(f.Details, "proposition des règles : "+outcome(b.Proposed))
		}
		for _, g := range b.Grants {
			d := fmt.Sprintf("UE %s (note %s) : crédits %s, %s", g.UE, pdfdoc.Dash(resultWords(g.Mark)),
				map[bool]string{true: "octroyés", false: "refusés"}[g.Granted], pdfdoc.GrantBasis(g.Basis))
			if g.Motivation != "" {
				d += " — " + g.Motivation
			}
			f.Details = append(f.Details, d)
		}
		if b.Mention != "" {
			f.Details = append(f.Details, "mention : "+b.Mention)
		}
		if b.Supersedes != "" {
			f.Before = "décision " + b.Supersedes
		}
		if b.Appeal != "" {
			f.Details = append(f.Details, "en réponse au recours "+b.Appeal)
		}
	case "decision.superseded":
		f.Before, f.After = "décision "+b.Decision, ""
	case "appeal.filed":
		f.ReasonLabel = "Motifs du recours"
	case "appeal.decided":
		f.ReasonLabel = "Motivation"
		if b.Upheld != nil {
			f.After = map[bool]string{true: "recours fondé", false: "recours non fondé"}[*b.Upheld]
		}
		if b.Appeal != "" {
			f.Details = append(f.Details, "recours "+b.Appeal)
		}
	case "degree.conferred":
		f.After = "moyenne du cycle " + resultWords(b.Average)
		if b.Mention != "" {
			f.After += ", mention « " + b.Mention + " »"
		}
	case "credits.recognised":
		f.After = "UE " + b.UE + " valorisée"
		if b.Basis != "" {
			f.Details = append(f.Details, "base : "+b.Basis)
		}
	case "pae.validated":
		f.After = strings.Join(b.UEs, ", ")
		if b.Programme != "" {
			f.Details = append(f.Details, "programme "+b.Programme)
		}
	case "pae.amended":
		f.After = ""
		if len(b.Added) > 0 {
			f.Details = append(f.Details, "UE ajoutées : "+strings.Join(b.Added, ", "))
		}
		if len(b.Removed) > 0 {
			f.Details = append(f.Details, "UE retirées : "+strings.Join(b.Removed, ", "))
		}
	case "student.admitted":
		f.After = "base : " + b.Basis
		if b.Programme != "" {
			f.Details = append(f.Details, "programme "+b.Programme)
		}
		if len(b.Complements) > 0 {
			f.Details = append(f.Details, "compléments : "+strings.Join(b.Complements, ", "))
		}
	}
	return f
}

// whereOf names in French what a auditFact is about.
func whereOf(e projections.HistoryEntry, b factBody) string {
	agg := events.AggregateID(e.Aggregate)
	t := agg.Tokens()
	var parts []string
	switch {
	case agg.Kind() == events.KindSheet && len(t) == 3:
		parts = []string{t[0], sessionName(t[1]), "UE " + t[2]}
	case agg.Kind() == events.KindDeliberation && len(t) == 3:
		parts = []string{"délibération " + t[0] + " " + t[1], sessionName(t[2])}
	case agg.Kind() == events.KindStudent:
		if e.Year != "" {
			parts = []string{e.Year}
		}
		if b.UE != "" {
			parts = append(parts, "UE "+b.UE)
		}
	default:
		return e.Context
	}
	if b.Activity != "" {
		parts = append(parts, "activité « "+b.Activity+" »")
	}
	if agg.Kind() == events.KindDeliberation && b.UE != "" {
		parts = append(parts, "UE "+b.UE)
	}
	return strings.Join(parts, " · ")
}

// result writes a recorded result with a decimal comma ("12,5"), a code
// as recorded.
func resultWords(s string) string {
	if s == "(empty)" {
		return "(vide)"
	}
	return pdfdoc.Result(s)
}

// auditFacts is entries in French.
func auditFacts(es []projections.HistoryEntry) []auditFact {
	out := make([]auditFact, len(es))
	for i, e := range es {
		out[i] = auditFactOf(e)
	}
	return out
}
