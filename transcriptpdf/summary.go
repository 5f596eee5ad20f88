package transcriptpdf

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// credits draws how the year's PAE credits stand.
func (d *doc) credits() {
	c := d.t.Credits
	d.Pairs("Crédits de l'année", [][2]string{
		{"Crédits inscrits", fmt.Sprint(c.Enrolled)},
		{"Crédits acquis", fmt.Sprint(c.Acquired)},
		{"   dont délibérés", fmt.Sprint(c.Deliberated)},
		{"   dont valorisés", fmt.Sprint(c.Recognised)},
		{"Crédits restants", fmt.Sprint(c.Remaining)},
	})
}

// averages draws the credit-weighted year and cycle averages.
func (d *doc) averages() {
	d.Pairs("Moyennes (pondérées par les crédits)", [][2]string{
		{"Moyenne annuelle", average(d.t.YearAverage)},
		{"Moyenne du cycle", average(d.t.CycleAverage)},
	})
}

func average(a *projections.Average) string {
	if a == nil {
		return "—"
	}
	return fmt.Sprintf("%s/20 (%s)", pdfdoc.Mark(a.Mark), pdfdoc.Plural(a.Credits, "crédit"))
}

// decisionCols: session, date, décision, mention, crédits octroyés, état.
var decisionCols = []float64{22, 22, 36, 34, 46, 20}

// decisions draws the jury's decisions, superseded ones included.
func (d *doc) decisions() {
	d.Heading("Décisions du jury", 12)
	if len(d.t.Decisions) == 0 {
		d.Note("Aucune décision du jury pour cette année.")
		return
	}
	headings := func() {
		d.Draw(pdfdoc.Row{Widths: decisionCols, Size: pdfdoc.TableSize, Fill: 210, Cells: []pdfdoc.Cell{
			{Text: "Session", Style: "B"},
			{Text: "Date", Style: "B"},
			{Text: "Décision", Style: "B"},
			{Text: "Mention", Style: "B"},
			{Text: "Crédits octroyés", Style: "B"},
			{Text: "État", Style: "B"},
		}})
	}
	headings()
	d.Repeat = headings
	for _, dec := range d.t.Decisions {
		state, st := "en vigueur", pdfdoc.Style("")
		if dec.Superseded {
			state, st = "remplacée", "I"
		}
		d.Draw(pdfdoc.Row{Widths: decisionCols, Size: pdfdoc.TableSize, Cells: []pdfdoc.Cell{
			{Text: session(dec.Session), Style: st},
			{Text: pdfdoc.Date(dec.At), Style: st},
			{Text: pdfdoc.Outcome(dec.Outcome), Style: st},
			{Text: pdfdoc.Dash(dec.Mention), Style: st},
			{Text: d.granted(dec.Granted), Style: st},
			{Text: state, Style: st},
		}})
	}
	d.Repeat = nil
}

// granted lists the UEs whose credits a decision granted, and their total.
func (d *doc) granted(codes []string) string {
	if len(codes) == 0 {
		return "—"
	}
	total := 0
	for _, c := range codes {
		for _, ue := range d.t.UEs {
			if ue.Code == c {
				total += ue.Credits
				break
			}
		}
	}
	return fmt.Sprintf("%s (%s)", strings.Join(codes, ", "), pdfdoc.Plural(total, "crédit"))
}

// degree states the degree conferred, if any.
func (d *doc) degree() {
	g := d.t.Degree
	if g == nil {
		return
	}
	d.Pairs("Diplôme", [][2]string{
		{"Diplôme conféré", "année " + g.Year},
		{"Moyenne du cycle", pdfdoc.Mark(g.Average) + "/20"},
		{"Mention", pdfdoc.Dash(g.Mention)},
	})
}
