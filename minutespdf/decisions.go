package minutespdf

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// titleCols: the subject of a block, and when it was recorded.
var titleCols = []float64{128, 52}

// grantCols: UE, note, décision, base, motivation.
var grantCols = []float64{20, 14, 30, 26, 90}

// decisions draws one block per decision, in recorded order, each kept on
// one page when it fits.
func (d *doc) decisions() {
	d.Heading("Décisions du jury", 20)
	if len(d.m.Decisions) == 0 {
		d.Note("Aucune décision enregistrée.")
		return
	}
	for i, dec := range d.m.Decisions {
		d.block(d.decisionRows(i+1, dec))
	}
}

// block draws rows kept together, followed by a gap.
func (d *doc) block(rows []row) {
	h := 2.5
	for _, r := range rows {
		h += d.Height(r)
	}
	d.Keep(h)
	for _, r := range rows {
		d.Draw(r)
	}
	d.F.Ln(2.5)
}

func title(subject, at string, st pdfdoc.Style) row {
	return row{Widths: titleCols, Size: pdfdoc.TableSize + 1, Fill: 225, Cells: []cell{
		{Text: subject, Style: "B"},
		{Text: at, Align: "R", Style: st},
	}}
}

// decisionRows are the rows of one decision's block.
func (d *doc) decisionRows(n int, dec projections.DecisionRecord) []row {
	st := pdfdoc.Style("")
	if dec.SupersededBy != "" {
		st = "I"
	}
	rows := []row{
		title(fmt.Sprintf("Décision n° %d — %s", n, d.student(dec.Student.Matricule)), when(dec.At), st),
		pair("Décision du jury", outcome(dec.Outcome), "B"),
		pair("Proposition", outcome(dec.Proposed), st),
	}
	if dec.Mention != "" || dec.ProposedMention != "" {
		rows = append(rows, pair("Mention", fmt.Sprintf("%s (proposée : %s)", pdfdoc.Mention(dec.Mention), pdfdoc.Mention(dec.ProposedMention)), st))
	}
	if len(dec.Grants) == 0 {
		rows = append(rows, pair("Crédits délibérés", "aucune UE délibérée", st))
	} else {
		rows = append(rows, row{Widths: grantCols, Size: pdfdoc.TableSize, Fill: 242, Cells: []cell{
			{Text: "UE", Style: "B"},
			{Text: "Note", Style: "B", Align: "C"},
			{Text: "Crédits", Style: "B"},
			{Text: "Base", Style: "B"},
			{Text: "Motivation", Style: "B"},
		}})
		for _, g := range dec.Grants {
			rows = append(rows, row{Widths: grantCols, Size: pdfdoc.TableSize, Cells: []cell{
				{Text: pdfdoc.UE(g.UE), Style: st},
				{Text: markAt(g.Mark), Align: "C", Style: st},
				{Text: granted(g.Granted), Style: st},
				{Text: pdfdoc.GrantBasis(g.Basis), Style: st},
				{Text: pdfdoc.Dash(g.Motivation), Style: st},
			}})
		}
	}
	rows = append(rows, pair("Motivation", pdfdoc.Dash(dec.Motivation), st))
	diffs := "conforme à la proposition"
	if len(dec.Differences) > 0 {
		lines := make([]string, len(dec.Differences))
		for i, df := range dec.Differences {
			lines[i] = difference(df)
		}
		diffs = strings.Join(lines, "\n")
	}
	rows = append(rows, pair("Écarts à la proposition", diffs, st))
	if dec.Supersedes != "" {
		rows = append(rows, pair("Remplace", d.decisionRef(dec.Supersedes), st))
	}
	if dec.Appeal != "" {
		rows = append(rows, pair("Recours", "en réponse au "+d.appealRef(dec.Appeal), st))
	}
	state := "en vigueur"
	if dec.SupersededBy != "" {
		state = "remplacée par une décision ultérieure"
		if n, ok := d.decision[dec.SupersededBy]; ok {
			state += fmt.Sprintf(" (n° %d)", n)
		}
	}
	rows = append(rows,
		pair("État", state, st),
		pair("Enregistrée par", d.person(dec.By), st))
	return rows
}

// markAt writes the mark (or code) a UE had when the jury decided on it.
func markAt(m string) string {
	if m == "" || m == "-" {
		return "—"
	}
	return pdfdoc.Result(m)
}

// decisionRef names a decision by its number, or its id when it is not
// one of the minutes' decisions.
func (d *doc) decisionRef(id string) string {
	if n, ok := d.decision[id]; ok {
		return fmt.Sprintf("la décision n° %d du %s", n, when(d.m.Decisions[n-1].At))
	}
	return "la décision " + id
}

// appealRef names an appeal by its number and status.
func (d *doc) appealRef(id string) string {
	if n, ok := d.appeal[id]; ok {
		return fmt.Sprintf("recours n° %d (%s)", n, appealStatus(d.m.Appeals[n-1].Status))
	}
	return "recours " + id
}

// appeals draws one block per appeal.
func (d *doc) appeals() {
	d.Heading("Recours", 20)
	if len(d.m.Appeals) == 0 {
		d.Note("Aucun recours.")
		return
	}
	for i, a := range d.m.Appeals {
		subject := fmt.Sprintf("Recours n° %d — %s", i+1, d.student(a.Student))
		if a.UE != "" {
			subject += " — " + pdfdoc.UE(a.UE)
		}
		by := "par " + d.person(a.Filed.By)
		if strings.EqualFold(a.Filed.By, a.Student) {
			by = "par l'étudiant·e"
		}
		rows := []row{
			title(subject, appealStatus(a.Status), ""),
			pair("Introduit", when(a.Filed.At)+", "+by, ""),
			pair("Motifs", pdfdoc.Dash(a.Grounds), ""),
		}
		status := appealStatus(a.Status)
		if a.Decided != nil {
			status += " — décidé le " + d.stamp(*a.Decided)
		}
		rows = append(rows, pair("Statut", status, "B"))
		if a.Decided != nil || a.Motivation != "" {
			rows = append(rows, pair("Motivation", pdfdoc.Dash(a.Motivation), ""))
		}
		switch {
		case a.AnsweredBy != "":
			rows = append(rows, pair("Suite", "nouvelle décision : "+strings.TrimPrefix(d.decisionRef(a.AnsweredBy), "la décision "), ""))
		case a.Status == "upheld":
			rows = append(rows, pair("Suite", "nouvelle décision à prendre", ""))
		}
		d.block(rows)
	}
}

// signatures draws the president's and the secretary's signature lines.
func (d *doc) signatures() {
	var president, secretary string
	for _, p := range d.m.Members {
		switch p.Role {
		case "president":
			president = p.Name
		case "secretary":
			secretary = p.Name
		}
	}
	d.Heading("Signatures", 36)
	f := d.F
	y := f.GetY() + 2
	w := pdfdoc.ContentWidth/2 - 5
	for i, s := range []struct{ role, name string }{{"Le président du jury", president}, {"Le secrétaire du jury", secretary}} {
		x := pdfdoc.MarginX + float64(i)*(w+10)
		f.SetXY(x, y)
		d.Font("B", 9)
		f.CellFormat(w, 5, s.role, "", 2, "L", false, 0, "")
		d.Font("", 9)
		f.CellFormat(w, 5, pdfdoc.Dash(s.name), "", 2, "L", false, 0, "")
		f.Line(x, y+28, x+w, y+28)
		f.SetXY(x, y+29)
		d.Font("I", 7.5)
		f.CellFormat(w, 4, "Date et signature", "", 0, "L", false, 0, "")
	}
	f.SetXY(pdfdoc.MarginX, y+34)
}
