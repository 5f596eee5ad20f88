package pdfdoc

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Brussels must resolve on hosts without a zoneinfo database

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// The French labels the documents share. Unknown values fall back to the
// raw value, so that a new status or outcome still prints something.

// brussels is the time zone every date on a document is shown in.
var brussels = mustLoad("Europe/Brussels")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable: time/tzdata is embedded
	}
	return loc
}

// Label looks v up in labels, and falls back to v itself when it has no
// label.
func Label[K ~string](labels map[K]string, v K) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return string(v)
}

// DateTime writes an instant as a Belgian date and time: "02/07/2026 à 14:05".
func DateTime(t time.Time) string {
	return t.In(brussels).Format("02/01/2006 à 15:04")
}

// Date writes the Belgian calendar date of an instant: "02/07/2026".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brussels).Format("02/01/2006")
}

var statusLabels = map[rules.Status]string{
	rules.Acquired:     "acquise",
	rules.ToDeliberate: "à délibérer",
	rules.NotAcquired:  "non acquise",
	rules.Pending:      "en attente",
}

// Status names where a UE's credits stand.
func Status(s rules.Status) string { return Label(statusLabels, s) }

var outcomeLabels = map[rules.Outcome]string{
	rules.InProgress:     "en cours",
	rules.Ajourne:        "ajourné·e",
	rules.YearClosed:     "année clôturée",
	rules.YearPassed:     "année réussie",
	rules.CycleCompleted: "cycle réussi",
}

// Outcome names a student's outcome (rules.Outcome).
func Outcome(o string) string { return Label(outcomeLabels, rules.Outcome(o)) }

// Mark writes a mark the Belgian way, with a decimal comma: "12,5".
func Mark(m rules.Mark) string { return strings.Replace(m.String(), ".", ",", 1) }

// Result writes a recorded result: a mark with a decimal comma, a code
// (ABS, CM, VAL…) as recorded.
func Result(s string) string {
	if m, err := rules.ParseMark(s); err == nil {
		return Mark(m)
	}
	return s
}

// Plural writes n and a noun, with an s from two on (French usage).
func Plural(n int, noun string) string {
	if n < 2 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Dash writes s, or a dash when it is empty.
func Dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// UE writes a UE code as "UE 1/8".
func UE(code string) string {
	if code == "" || strings.HasPrefix(code, "UE") {
		return code
	}
	return "UE " + code
}

// Mention writes a mention, "aucune" when there is none.
func Mention(m string) string {
	if m == "" {
		return "aucune"
	}
	return m
}

var grantBasisLabels = map[string]string{
	events.GrantWithinCriteria:  "dans les critères",
	events.GrantOutsideCriteria: "hors critères",
}

// GrantBasis says where a UE stood against the deliberation criteria when
// the jury decided its credits (events.CreditGrant.Basis).
func GrantBasis(b string) string { return Label(grantBasisLabels, b) }

// StudentName writes a student's name as documents show it: "LEFÈVRE Zoé".
func StudentName(s projections.Identity) string {
	return strings.TrimSpace(strings.ToUpper(s.LastName) + " " + s.FirstName)
}

// typeLabels name every event type of events.Types in French.
var typeLabels = map[string]string{
	"catalog.published":       "Catalogue publié",
	"ruleset.published":       "Règlement de délibération publié",
	"session.scheduled":       "Session planifiée",
	"jury.constituted":        "Jury constitué",
	"student.registered":      "Inscription",
	"student.admitted":        "Admission",
	"pae.validated":           "PAE validé",
	"pae.amended":             "PAE modifié",
	"credits.recognised":      "Crédits valorisés",
	"degree.conferred":        "Grade conféré",
	"mark.recorded":           "Note encodée",
	"mark.corrected":          "Note corrigée",
	"mark.carried_over":       "Note reportée",
	"sheet.submitted":         "Grille remise",
	"sheet.reopened":          "Grille rouverte",
	"sheet.deadline_extended": "Délai d'encodage prolongé",
	"deliberation.opened":     "Délibération ouverte",
	"decision.recorded":       "Décision du jury",
	"decision.superseded":     "Décision remplacée",
	"deliberation.closed":     "Délibération clôturée",
	"results.published":       "Résultats publiés",
	"appeal.filed":            "Recours introduit",
	"appeal.decided":          "Recours tranché",
	"access.refused":          "Accès refusé",
}

// EventType names an event type in French, or gives the type itself.
func EventType(t string) string { return Label(typeLabels, t) }

// basisLabels follow rules.Basis.
var basisLabels = map[rules.Basis]string{
	rules.ByMark:        "note ≥ 10",
	rules.ByCode:        "code",
	rules.ByGrant:       "délibérée (crédits octroyés)",
	rules.ByRecognition: "valorisée",
	rules.BelowPass:     "note < 10",
	rules.Blocked:       "code bloquant",
	rules.Incomplete:    "résultats manquants",
	rules.NotYet:        "pas encore évaluée",
}

// Basis says in French why a UE's credits stand as they do.
func Basis(b rules.Basis) string { return Label(basisLabels, b) }
