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

// markOrDash writes a mark, or a dash when there is none.
func markOrDash(m *rules.Mark) string {
	if m == nil {
		return "—"
	}
	return pdfdoc.Mark(*m)
}
