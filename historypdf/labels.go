package historypdf

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// The French labels of the history alone. Dates, marks and outcomes are
// written with package pdfdoc's labels, as on the transcript and the
// minutes; unknown values fall back to the raw value.

// roleLabels follow the roles of package auth.
var roleLabels = map[string]string{
	"teacher":     "enseignant·e",
	"secretariat": "secrétariat",
	"jury":        "jury",
	"auditor":     "auditeur·rice",
	"student":     "étudiant·e",
}

func roles(rs []string) string {
	l := make([]string, len(rs))
	for i, r := range rs {
		l[i] = pdfdoc.Label(roleLabels, r)
	}
	return strings.Join(l, ", ")
}

var sessionLabels = map[string]string{
	"Q1": "session de janvier (Q1)",
	"Q2": "session de juin (Q2)",
	"Q3": "session d'août-septembre (Q3)",
}

func session(s string) string { return pdfdoc.Label(sessionLabels, s) }

// sourceLabels say how a result was entered (events.MarkRecorded.Source).
var sourceLabels = map[string]string{
	"form": "formulaire",
	"xlsx": "fichier Excel",
	"csv":  "fichier CSV",
	"api":  "API",
}

// reasonLabels name the free text of a fact (HistoryEntry.Reason); it is
// a reason ("Motif") unless said otherwise.
var reasonLabels = map[string]string{
	"decision.recorded": "Motivation",
	"appeal.decided":    "Motivation",
	"appeal.filed":      "Motifs du recours",
}

func reasonLabel(t string) string {
	if l, ok := reasonLabels[t]; ok {
		return l
	}
	return "Motif"
}

func ues(codes []string) string {
	l := make([]string, len(codes))
	for i, c := range codes {
		l[i] = pdfdoc.UE(c)
	}
	return strings.Join(l, ", ")
}

func entry(e events.Entry) string {
	if e.IsZero() {
		return "(vide)"
	}
	return pdfdoc.Result(e.String())
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// capitalise writes s with its first letter in upper case.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// decode reads the event of an entry, nil when the entry carries none the
// history knows how to read (its rows then fall back to the entry's
// values).
func decode(e projections.HistoryEntry) events.Event {
	if len(e.Event) == 0 {
		return nil
	}
	switch e.Type {
	case "student.registered":
		return as[events.StudentRegistered](e.Event)
	case "student.admitted":
		return as[events.StudentAdmitted](e.Event)
	case "pae.validated":
		return as[events.PAEValidated](e.Event)
	case "pae.amended":
		return as[events.PAEAmended](e.Event)
	case "credits.recognised":
		return as[events.CreditsRecognised](e.Event)
	case "degree.conferred":
		return as[events.DegreeConferred](e.Event)
	case "mark.recorded":
		return as[events.MarkRecorded](e.Event)
	case "mark.corrected":
		return as[events.MarkCorrected](e.Event)
	case "mark.carried_over":
		return as[events.MarkCarriedOver](e.Event)
	case "sheet.deadline_extended":
		return as[events.DeadlineExtended](e.Event)
	case "decision.recorded":
		return as[events.DecisionRecorded](e.Event)
	case "decision.superseded":
		return as[events.DecisionSuperseded](e.Event)
	case "appeal.filed":
		return as[events.AppealFiled](e.Event)
	case "appeal.decided":
		return as[events.AppealDecided](e.Event)
	}
	return nil
}

func as[T events.Event](data json.RawMessage) events.Event {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil
	}
	return v
}

// context names in French what a fact is about: the year, session, UE and
// activity of a grade sheet, the deliberation, or the year a fact of the
// student's path concerns. It falls back to the entry's own context.
func context(e projections.HistoryEntry, ev events.Event) string {
	agg := events.AggregateID(e.Aggregate)
	t := agg.Tokens()
	var parts []string
	switch {
	case agg.Kind() == events.KindSheet && len(t) == 3:
		parts = []string{"année " + t[0], session(t[1]), pdfdoc.UE(t[2])}
	case agg.Kind() == events.KindDeliberation && len(t) == 3:
		parts = []string{"délibération " + t[0] + " " + t[1], session(t[2])}
	case agg.Kind() == events.KindStudent:
		if e.Year != "" {
			parts = []string{"année " + e.Year}
		}
	default:
		return e.Context
	}
	switch ev := ev.(type) {
	case events.MarkRecorded:
		parts = appendActivity(parts, ev.Activity)
	case events.MarkCorrected:
		parts = appendActivity(parts, ev.Activity)
	case events.MarkCarriedOver:
		parts = appendActivity(parts, ev.Activity)
	case events.AppealFiled:
		if ev.UE != "" {
			parts = append(parts, pdfdoc.UE(ev.UE))
		}
	case events.CreditsRecognised:
		parts = append(parts, pdfdoc.UE(ev.UE))
	}
	return capitalise(strings.Join(parts, ", "))
}

func appendActivity(parts []string, a string) []string {
	if a == "" {
		return parts
	}
	return append(parts, "activité « "+a+" »")
}

// kv is a labelled value of an entry's block.
type kv struct{ label, value string }

// details are the rows an entry's event gives, in French: its value (the
// previous value first, for a correction) and what else the event
// records. An entry whose event cannot be read falls back to its
// previous and new values as the history wrote them.
func details(e projections.HistoryEntry, ev events.Event) []kv {
	switch ev := ev.(type) {
	case events.StudentRegistered:
		id := strings.TrimSpace(ev.FirstName + " " + ev.LastName)
		if ev.Email != "" {
			id += " <" + ev.Email + ">"
		}
		return []kv{{"Identité", id}}
	case events.StudentAdmitted:
		rows := []kv{
			{"Programme", ev.Programme},
			{"Base d'admission", pdfdoc.Dash(ev.Basis)},
			{"Bachelier correspondant", yesNo(ev.HasBachelor)},
		}
		if len(ev.Complements) > 0 {
			rows = append(rows, kv{"Compléments", ues(ev.Complements)})
		}
		return rows
	case events.PAEValidated:
		rows := []kv{
			{"Programme", ev.Programme},
			{"UE inscrites", fmt.Sprintf("%d UE : %s", len(ev.UEs), ues(ev.UEs))},
		}
		if len(ev.Waivers) > 0 {
			l := make([]string, len(ev.Waivers))
			for i, w := range ev.Waivers {
				l[i] = fmt.Sprintf("%s : prérequis %s levé — %s", pdfdoc.UE(w.UE), pdfdoc.UE(w.Prerequisite), pdfdoc.Dash(w.Reason))
			}
			rows = append(rows, kv{"Dérogations", strings.Join(l, "\n")})
		}
		return rows
	case events.PAEAmended:
		return []kv{
			{"UE ajoutées", pdfdoc.Dash(ues(ev.Added))},
			{"UE retirées", pdfdoc.Dash(ues(ev.Removed))},
		}
	case events.CreditsRecognised:
		return []kv{{"Valeur", pdfdoc.UE(ev.UE) + " valorisée"}, {"Base", pdfdoc.Dash(ev.Basis)}}
	case events.DegreeConferred:
		v := "moyenne du cycle " + pdfdoc.Result(ev.Average)
		if ev.Mention != "" {
			v += ", mention « " + ev.Mention + " »"
		}
		rows := []kv{{"Programme", pdfdoc.Dash(ev.Programme)}, {"Valeur", v}}
		if ev.Decision != "" {
			rows = append(rows, kv{"Décision", ev.Decision})
		}
		return rows
	case events.MarkRecorded:
		return withSource([]kv{{"Valeur", entry(ev.Entry)}}, ev.Source)
	case events.MarkCorrected:
		return withSource([]kv{
			{"Valeur", entry(ev.Previous) + " → " + entry(ev.Entry)},
			{"Autorisée par", pdfdoc.Dash(ev.AuthorisedBy)},
		}, ev.Source)
	case events.MarkCarriedOver:
		return []kv{{"Valeur", pdfdoc.Result(ev.Mark) + ", reportée de la " + session(ev.FromSession)}}
	case events.DeadlineExtended:
		return []kv{{"Nouveau délai", when(ev.Until)}}
	case events.DecisionRecorded:
		return decisionDetails(ev)
	case events.DecisionSuperseded:
		return []kv{{"Décision remplacée", ev.Decision}}
	case events.AppealFiled:
		return nil
	case events.AppealDecided:
		return []kv{{"Valeur", map[bool]string{true: "recours fondé", false: "recours non fondé"}[ev.Upheld]},
			{"Recours", ev.Appeal}}
	}
	var rows []kv
	if known := pdfdoc.EventType(e.Type) != e.Type; !known && e.Summary != "" && e.Summary != e.Type {
		rows = append(rows, kv{"Résumé", e.Summary})
	}
	switch {
	case e.Previous != "" && e.Value != "":
		rows = append(rows, kv{"Valeur", e.Previous + " → " + e.Value})
	case e.Previous != "":
		rows = append(rows, kv{"Valeur précédente", e.Previous})
	case e.Value != "":
		rows = append(rows, kv{"Valeur", e.Value})
	}
	return rows
}

func withSource(rows []kv, source string) []kv {
	if source == "" {
		return rows
	}
	return append(rows, kv{"Encodage", pdfdoc.Label(sourceLabels, source)})
}

// decisionDetails are the rows of a jury decision: the outcome and the
// proposal, each credit grant, the mention, the record version the jury
// was shown, the decision it replaces and the appeal it answers.
func decisionDetails(ev events.DecisionRecorded) []kv {
	v := pdfdoc.Outcome(ev.Outcome)
	if ev.Proposed != "" {
		v += " (proposition : " + pdfdoc.Outcome(ev.Proposed) + ")"
	}
	rows := []kv{{"Décision", v}}
	if len(ev.Grants) > 0 {
		l := make([]string, len(ev.Grants))
		for i, g := range ev.Grants {
			s := fmt.Sprintf("%s (note %s) : crédits %s, %s", pdfdoc.UE(g.UE), pdfdoc.Dash(pdfdoc.Result(g.Mark)),
				map[bool]string{true: "octroyés", false: "refusés"}[g.Granted], pdfdoc.GrantBasis(g.Basis))
			if g.Motivation != "" {
				s += " — " + g.Motivation
			}
			l[i] = s
		}
		rows = append(rows, kv{"Crédits délibérés", strings.Join(l, "\n")})
	}
	if ev.Mention != "" || ev.ProposedMention != "" {
		rows = append(rows, kv{"Mention", fmt.Sprintf("%s (proposée : %s)", pdfdoc.Mention(ev.Mention), pdfdoc.Mention(ev.ProposedMention))})
	}
	if ev.RecordVersion != 0 {
		rows = append(rows, kv{"Dossier vu par le jury", fmt.Sprintf("position %d", ev.RecordVersion)})
	}
	if ev.Supersedes != "" {
		rows = append(rows, kv{"Remplace", "la décision " + ev.Supersedes})
	}
	if ev.Appeal != "" {
		rows = append(rows, kv{"Recours", "en réponse au recours " + ev.Appeal})
	}
	return rows
}
