package transcriptpdf

import (
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/rules"
)

// The French labels of the transcript alone; those it shares with the
// minutes (dates, statuses, outcomes, results…) are package pdfdoc's.

var sessionLabels = map[string]string{
	"Q1":      "janvier",
	"Q2":      "juin",
	"Q3":      "septembre",
	"earlier": "année antérieure",
}

// session names a session by its month, as students know it.
func session(s string) string { return pdfdoc.Label(sessionLabels, s) }

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

func basis(b rules.Basis) string { return pdfdoc.Label(basisLabels, b) }

// markOrDash writes a mark, or a dash when there is none.
func markOrDash(m *rules.Mark) string {
	if m == nil {
		return "—"
	}
	return pdfdoc.Mark(*m)
}
