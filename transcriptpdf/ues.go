package transcriptpdf

import (
	"fmt"
	"strings"

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

const tableSize = 8 // font size of table text, in points

// ues draws one block per UE, each kept on one page when it fits.
func (d *doc) ues() {
	d.heading("Unités d'enseignement", 20)
	if len(d.t.UEs) == 0 {
		d.font("I", 9)
		d.f.CellFormat(contentWidth, 5, "Aucune UE au programme de l'année.", "", 1, "L", false, 0, "")
		return
	}
	d.columnHeadings()
	d.repeat = d.columnHeadings
	for _, ue := range d.t.UEs {
		rows := ueRows(ue)
		h := 0.0
		for _, r := range rows {
			h += d.height(r)
		}
		d.keep(h)
		for _, r := range rows {
			d.draw(r)
		}
	}
	d.repeat = nil
}

func (d *doc) columnHeadings() {
	d.draw(row{widths: ueCols, size: tableSize, fill: 210, cells: []cell{
		{text: "Code", style: "B"},
		{text: "Intitulé", style: "B"},
		{text: "Bloc", style: "B", align: "C"},
		{text: "Crédits", style: "B", align: "C"},
		{text: "Note /20", style: "B", align: "C"},
		{text: "Statut", style: "B"},
		{text: "Motif", style: "B"},
	}})
}

// ueRows are a UE's row and the rows of its sessions.
func ueRows(ue projections.TranscriptUE) []row {
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
	st := status(ue.Status)
	switch ue.AcquiredIn {
	case "":
	case "earlier":
		st += " antérieurement"
	default:
		st += " en " + session(ue.AcquiredIn)
	}
	rows := []row{{widths: ueCols, size: tableSize, fill: 238, cells: []cell{
		{text: ue.Code, style: "B"},
		{text: title, style: "B"},
		{text: fmt.Sprint(ue.Bloc), align: "C"},
		{text: fmt.Sprint(ue.Credits), align: "C"},
		{text: markOrDash(ue.Mark), align: "C", style: "B"},
		{text: st, style: "B"},
		{text: basis(ue.Basis)},
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
func sittingRows(ue projections.TranscriptUE, s projections.SittingView) []row {
	label := session(s.Session)
	var rows []row
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
			add(what, result(s.Result), "")
		case s.Mark != nil:
			add(what, mark(*s.Mark), "")
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
			add(what, result(a.Result), strings.Join(remarks, ", "))
		}
		if s.Result != "" && s.Mark == nil && s.Code == "" {
			add("Résultat de l'UE", result(s.Result), "")
		}
		if s.Mark != nil {
			add("Note de l'UE à cette session", mark(*s.Mark), "")
		} else if s.Code != "" {
			add("Code de l'UE à cette session", s.Code, "")
		}
	}
	if len(s.Missing) > 0 {
		add("Résultats manquants : "+strings.Join(s.Missing, ", "), "—", "")
	}
	return rows
}

func sitRow(session, detail, res, remark string) row {
	return row{widths: sitCols, size: tableSize, cells: []cell{
		{text: session, style: "I"},
		{text: detail},
		{text: res, align: "C"},
		{text: remark, style: "I"},
	}}
}
