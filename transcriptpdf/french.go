package transcriptpdf

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Brussels must resolve on hosts without a zoneinfo database

	"github.com/gradelog/gradelog/rules"
)

// The French labels of the rendered documents (the transcript here, the
// minutes in package minutespdf). Unknown values fall back to the raw
// value, so that a new status or outcome still prints something.

// brussels is the time zone every date on the document is shown in.
var brussels = mustLoad("Europe/Brussels")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable: time/tzdata is embedded
	}
	return loc
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

var sessionLabels = map[string]string{
	"Q1":      "janvier",
	"Q2":      "juin",
	"Q3":      "septembre",
	"earlier": "année antérieure",
}

// session names a session by its month, as students know it.
func session(s string) string {
	if l, ok := sessionLabels[s]; ok {
		return l
	}
	return s
}

var statusLabels = map[rules.Status]string{
	rules.Acquired:     "acquise",
	rules.ToDeliberate: "à délibérer",
	rules.NotAcquired:  "non acquise",
	rules.Pending:      "en attente",
}

// Status names where a UE's credits stand.
func Status(s rules.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

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

func basis(b rules.Basis) string {
	if l, ok := basisLabels[b]; ok {
		return l
	}
	return string(b)
}

var outcomeLabels = map[rules.Outcome]string{
	rules.InProgress:     "en cours",
	rules.Ajourne:        "ajourné·e",
	rules.YearClosed:     "année clôturée",
	rules.YearPassed:     "année réussie",
	rules.CycleCompleted: "cycle réussi",
}

// Outcome names a student's outcome (rules.Outcome).
func Outcome(o string) string {
	if l, ok := outcomeLabels[rules.Outcome(o)]; ok {
		return l
	}
	return o
}

// mark writes a mark the Belgian way, with a decimal comma: "12,5".
func mark(m rules.Mark) string { return strings.Replace(m.String(), ".", ",", 1) }

// markOrDash writes a mark, or a dash when there is none.
func markOrDash(m *rules.Mark) string {
	if m == nil {
		return "—"
	}
	return mark(*m)
}

// Result writes a recorded result: a mark with a decimal comma, a code
// (ABS, CM, VAL…) as recorded.
func Result(s string) string {
	if m, err := rules.ParseMark(s); err == nil {
		return mark(m)
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
