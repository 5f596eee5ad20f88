package minutespdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// The French labels of the minutes alone. Dates, marks, outcomes and UE
// statuses are written with package pdfdoc's labels, as on the
// transcript; unknown values fall back to the raw value.

var sessionLabels = map[string]string{
	"Q1": "Première session (janvier)",
	"Q2": "Deuxième session (juin)",
	"Q3": "Troisième session (août-septembre)",
}

// session names a deliberated session in full.
func session(s string) string { return pdfdoc.Label(sessionLabels, s) }

// outcome names a decision's outcome; completing the cycle confers the
// degree.
func outcome(o string) string {
	if o == string(rules.CycleCompleted) {
		return pdfdoc.Outcome(o) + " — grade conféré"
	}
	return pdfdoc.Outcome(o)
}

var roleLabels = map[string]string{
	"president": "président",
	"secretary": "secrétaire",
	"member":    "membre",
}

func role(r string) string { return pdfdoc.Label(roleLabels, r) }

func presence(present bool) string {
	if present {
		return "présent"
	}
	return "absent"
}

func granted(g bool) string {
	if g {
		return "crédits octroyés"
	}
	return "crédits refusés"
}

var appealLabels = map[string]string{
	"filed":    "introduit",
	"upheld":   "fondé",
	"rejected": "non fondé",
}

func appealStatus(s string) string { return pdfdoc.Label(appealLabels, s) }

// difference says in French how a decision departs from the proposal.
func difference(d projections.Difference) string {
	switch d.What {
	case projections.DiffGrant:
		to := map[string]string{"granted": granted(true), "refused": granted(false)}
		return fmt.Sprintf("%s : %s (proposition : %s)", pdfdoc.UE(d.UE), pdfdoc.Label(to, d.To), pdfdoc.Status(rules.Status(d.From)))
	case projections.DiffOutcome:
		return fmt.Sprintf("Décision : %s (proposition : %s)", outcome(d.To), outcome(d.From))
	case projections.DiffMention:
		return fmt.Sprintf("Mention : %s (proposition : %s)", pdfdoc.Mention(d.To), pdfdoc.Mention(d.From))
	}
	what := d.What
	if d.UE != "" {
		what += " (" + pdfdoc.UE(d.UE) + ")"
	}
	return fmt.Sprintf("%s : %s (proposition : %s)", what, pdfdoc.Dash(d.To), pdfdoc.Dash(d.From))
}

// when writes an instant as a Belgian date and time, "—" when unknown.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return pdfdoc.DateTime(t)
}

// day writes an instant at midnight, Brussels time (a day given without
// a time), as the date alone.
func day(t time.Time) string {
	if s := when(t); !strings.HasSuffix(s, " à 00:00") {
		return s
	}
	return pdfdoc.Date(t)
}
