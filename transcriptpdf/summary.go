package transcriptpdf

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/projections"
)

// credits draws how the year's PAE credits stand.
func (d *doc) credits() {
	c := d.t.Credits
	d.pairs("Crédits de l'année", [][2]string{
		{"Crédits inscrits", fmt.Sprint(c.Enrolled)},
		{"Crédits acquis", fmt.Sprint(c.Acquired)},
		{"   dont délibérés", fmt.Sprint(c.Deliberated)},
		{"   dont valorisés", fmt.Sprint(c.Recognised)},
		{"Crédits restants", fmt.Sprint(c.Remaining)},
	})
}

// averages draws the credit-weighted year and cycle averages.
func (d *doc) averages() {
	d.pairs("Moyennes (pondérées par les crédits)", [][2]string{
		{"Moyenne annuelle", average(d.t.YearAverage)},
		{"Moyenne du cycle", average(d.t.CycleAverage)},
	})
}

func average(a *projections.Average) string {
	if a == nil {
		return "—"
	}
	return fmt.Sprintf("%s/20 (%s)", mark(a.Mark), plural(a.Credits, "crédit"))
}

// decisionCols: session, date, décision, mention, crédits octroyés, état.
var decisionCols = []float64{22, 22, 36, 34, 46, 20}

// decisions draws the jury's decisions, superseded ones included.
func (d *doc) decisions() {
	d.heading("Décisions du jury", 12)
	if len(d.t.Decisions) == 0 {
		d.font("I", 9)
		d.f.CellFormat(contentWidth, 5, "Aucune décision du jury pour cette année.", "", 1, "L", false, 0, "")
		return
	}
	headings := func() {
		d.draw(row{widths: decisionCols, size: tableSize, fill: 210, cells: []cell{
			{text: "Session", style: "B"},
			{text: "Date", style: "B"},
			{text: "Décision", style: "B"},
			{text: "Mention", style: "B"},
			{text: "Crédits octroyés", style: "B"},
			{text: "État", style: "B"},
		}})
	}
	headings()
	d.repeat = headings
	for _, dec := range d.t.Decisions {
		state, st := "en vigueur", style("")
		if dec.Superseded {
			state, st = "remplacée", "I"
		}
		d.draw(row{widths: decisionCols, size: tableSize, cells: []cell{
			{text: session(dec.Session), style: st},
			{text: date(dec.At), style: st},
			{text: outcome(dec.Outcome), style: st},
			{text: dash(dec.Mention), style: st},
			{text: d.granted(dec.Granted), style: st},
			{text: state, style: st},
		}})
	}
	d.repeat = nil
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
	return fmt.Sprintf("%s (%s)", strings.Join(codes, ", "), plural(total, "crédit"))
}

// degree states the degree conferred, if any.
func (d *doc) degree() {
	g := d.t.Degree
	if g == nil {
		return
	}
	d.pairs("Diplôme", [][2]string{
		{"Diplôme conféré", "année " + g.Year},
		{"Moyenne du cycle", mark(g.Average) + "/20"},
		{"Mention", dash(g.Mention)},
	})
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
