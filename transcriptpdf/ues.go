package transcriptpdf

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// Column widths of the UE table. A UE's own row uses ueCols; the rows of
// its sessions use sitCols, whose boundaries are a subset of ueCols': the
// session under Code, the detail under Intitulé–Crédits, the result under
// Note and the remarks under Statut–Motif.
var (
	ueCols  = []float64{17, 66, 9, 13, 14, 24, 37}
	sitCols = []float64{17, 66 + 9 + 13, 14, 24 + 37}
)

// ues draws one block per UE, each kept on one page when it fits.
func (d *doc) ues() {
	d.Heading("Unités d'enseignement", 20)
	if len(d.t.UEs) == 0 {
		d.Note("Aucune UE au programme de l'année.")
		return
	}
	d.columnHeadings()
	d.Repeat = d.columnHeadings
	for _, ue := range d.t.UEs {
		rows := ueRows(ue)
		h := 0.0
		for _, r := range rows {
			h += d.Height(r)
		}
		d.Keep(h)
		for _, r := range rows {
			d.Draw(r)
		}
	}
	d.Repeat = nil
}

func (d *doc) columnHeadings() {
	d.Draw(pdfdoc.Row{Widths: ueCols, Size: pdfdoc.TableSize, Fill: 210, Cells: []pdfdoc.Cell{
		{Text: "Code", Style: "B"},
		{Text: "Intitulé", Style: "B"},
		{Text: "Bloc", Style: "B", Align: "C"},
		{Text: "Crédits", Style: "B", Align: "C"},
		{Text: "Note /20", Style: "B", Align: "C"},
		{Text: "Statut", Style: "B"},
		{Text: "Motif", Style: "B"},
	}})
}

// ueRows are a UE's row and the rows of its sessions.
func ueRows(ue projections.TranscriptUE) []pdfdoc.Row {
	title := ue.Title
	var notes []string
	if ue.Integrated {
		notes = append(notes, "UE intégrée")
	}
	if ue.Kind == "complement" {
		notes = append(notes, "complément de formation")
	}
	if len(notes) > 0 {
		title += "\n(" + strings.Join(notes, ", ") + ")"
	}
	st := pdfdoc.Status(ue.Status)
	switch ue.AcquiredIn {
	case "":
	case "earlier":
		st += " antérieurement"
	default:
		st += " en " + session(ue.AcquiredIn)
	}
	rows := []pdfdoc.Row{{Widths: ueCols, Size: pdfdoc.TableSize, Fill: 238, Cells: []pdfdoc.Cell{
		{Text: ue.Code, Style: "B"},
		{Text: title, Style: "B"},
		{Text: fmt.Sprint(ue.Bloc), Align: "C"},
		{Text: fmt.Sprint(ue.Credits), Align: "C"},
		{Text: markOrDash(ue.Mark), Align: "C", Style: "B"},
		{Text: st, Style: "B"},
		{Text: pdfdoc.Basis(ue.Basis)},
	}}}
	if len(ue.Sessions) == 0 {
		return append(rows, sitRow("", "Pas de session cette année", "", ""))
	}
	for _, s := range ue.Sessions {
		rows = append(rows, sittingRows(ue, s)...)
	}
	return rows
}

// sittingRows are what one session recorded for a UE: its activities'
// results, or the UE-level result, then the UE mark or code it gives.
func sittingRows(ue projections.TranscriptUE, s projections.SittingView) []pdfdoc.Row {
	label := session(s.Session)
	var rows []pdfdoc.Row
	add := func(detail, res, remark string) {
		rows = append(rows, sitRow(label, detail, res, remark))
		label = "" // the session is named on its first row only
	}
	if len(s.Activities) == 0 {
		what := "Résultat de l'UE"
		if ue.Integrated {
			what = "Épreuve intégrée"
		}
		switch {
		case s.Result != "":
			add(what, pdfdoc.Result(s.Result), "")
		case s.Mark != nil:
			add(what, pdfdoc.Mark(*s.Mark), "")
		case s.Code != "":
			add(what, s.Code, "")
		case len(s.Missing) == 0:
			add(what, "—", "aucun résultat")
		}
	} else {
		for _, a := range s.Activities {
			what := a.Activity
			if a.Hours > 0 {
				what += fmt.Sprintf(" (%d h)", a.Hours)
			}
			var remarks []string
			if a.CarriedFrom != "" {
				remarks = append(remarks, "reportée de "+session(a.CarriedFrom))
			}
			if a.Corrected {
				remarks = append(remarks, "corrigée")
			}
			add(what, pdfdoc.Result(a.Result), strings.Join(remarks, ", "))
		}
		if s.Result != "" && s.Mark == nil && s.Code == "" {
			add("Résultat de l'UE", pdfdoc.Result(s.Result), "")
		}
		if s.Mark != nil {
			add("Note de l'UE à cette session", pdfdoc.Mark(*s.Mark), "")
		} else if s.Code != "" {
			add("Code de l'UE à cette session", s.Code, "")
		}
	}
	if len(s.Missing) > 0 {
		add("Résultats manquants : "+strings.Join(s.Missing, ", "), "—", "")
	}
	return rows
}

func sitRow(session, detail, res, remark string) pdfdoc.Row {
	return pdfdoc.Row{Widths: sitCols, Size: pdfdoc.TableSize, Cells: []pdfdoc.Cell{
		{Text: session, Style: "I"},
		{Text: detail},
		{Text: res, Align: "C"},
		{Text: remark, Style: "I"},
	}}
}
