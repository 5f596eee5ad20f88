// Package transcriptpdf renders a student's transcript (relevé de notes)
// as a printable A4 PDF, in French, for registrars and students.
//
// The document shows the institutions, the programme and academic year,
// the student, one table block per UE (sessions, activity results, UE
// mark, status and its basis), the year's credits, the credit-weighted
// year and cycle averages, the jury's decisions and the degree, with a
// footer giving the page, the generation date (Europe/Brussels) and the
// log position the transcript reflects. A transcript reconstructed as of
// a past moment says so in its header.
//
// Output is deterministic: the same transcript and Options give the same
// bytes. The document's creation and modification dates are
// Options.GeneratedAt; nothing is read from a clock and no random
// identifier is written.
//
// Text is set in the Go fonts (golang.org/x/image/font/gofont, BSD-3-Clause
// licence), embedded as UTF-8 TrueType subsets, so accents, «», dashes and
// ≥ render as they are.
package transcriptpdf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/gradelog/gradelog/projections"
)

// Options are what the document shows beyond the transcript.
type Options struct {
	// Institutions names the awarding institution(s), e.g.
	// "HELMo – HEPL (co-diplomation)".
	Institutions string
	// GeneratedAt is printed in the footer and set as the PDF creation
	// and modification date. It is required: it is passed in, never read
	// from a clock.
	GeneratedAt time.Time
}

// doc is one document being rendered.
type doc struct {
	f *fpdf.Fpdf
	t projections.Transcript
	o Options
	// repeat redraws the column headings of the table under way on a new
	// page; nil outside a table.
	repeat func()
}

// Write renders t as a PDF to w.
func Write(w io.Writer, t projections.Transcript, o Options) error {
	if o.GeneratedAt.IsZero() {
		return errors.New("transcriptpdf: Options.GeneratedAt is required")
	}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	d := &doc{f: f, t: t, o: o}
	d.setup()
	f.AddPage()
	d.header()
	if t.Empty != "" {
		d.empty()
	} else {
		d.ues()
		d.credits()
		d.averages()
		d.decisions()
		d.degree()
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("transcriptpdf: %w", err)
	}
	return nil
}

// setup sets the page geometry, fonts, metadata and running header and
// footer.
func (d *doc) setup() {
	f, t := d.f, d.t
	f.SetMargins(marginX, marginTop, marginX)
	f.SetAutoPageBreak(true, marginBottom)
	f.SetCellMargin(1.2)
	f.SetLineWidth(0.2)
	f.SetDrawColor(150, 150, 150)
	f.AliasNbPages("{nb}")
	addFonts(f)

	at := d.o.GeneratedAt.In(brussels)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetTitle(fmt.Sprintf("Relevé de notes – %s – %s", d.studentName(), t.Year), true)
	f.SetSubject(strings.TrimSpace(t.ProgrammeTitle+" "+t.Programme), true)
	f.SetAuthor(d.o.Institutions, true)
	f.SetCreator("gradelog", false)
	f.SetLang("fr-BE")

	f.SetHeaderFuncMode(d.runningHeader, true)
	f.SetFooterFunc(d.footer)
}

func (d *doc) studentName() string {
	s := d.t.Student
	return strings.TrimSpace(strings.ToUpper(s.LastName) + " " + s.FirstName)
}

// runningHeader identifies the student on every page after the first.
func (d *doc) runningHeader() {
	if d.f.PageNo() == 1 {
		return
	}
	d.f.SetTextColor(90, 90, 90)
	d.font("", 8)
	d.f.SetXY(marginX, 9)
	d.f.CellFormat(contentWidth, 4, fmt.Sprintf("Relevé de notes – %s – matricule %s – %s",
		d.studentName(), d.t.Student.Matricule, d.t.Year), "B", 0, "L", false, 0, "")
	d.f.SetTextColor(0, 0, 0)
}

// footer writes the generation date, the log position and the page.
func (d *doc) footer() {
	f := d.f
	f.SetY(-marginBottom + 5)
	f.SetTextColor(90, 90, 90)
	d.font("", 7.5)
	w := contentWidth / 3
	f.CellFormat(w, 4, "Généré le "+dateTime(d.o.GeneratedAt)+" (heure de Bruxelles)", "T", 0, "L", false, 0, "")
	f.CellFormat(w, 4, fmt.Sprintf("Position du journal : %d", d.t.Position), "T", 0, "C", false, 0, "")
	f.CellFormat(w, 4, fmt.Sprintf("Page %d/{nb}", f.PageNo()), "T", 0, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
}

// header writes the first page's title block.
func (d *doc) header() {
	f, t := d.f, d.t
	f.SetY(12)
	d.font("B", 10)
	f.CellFormat(contentWidth/2, 5, d.o.Institutions, "", 0, "L", false, 0, "")
	d.font("B", 16)
	f.CellFormat(contentWidth/2, 7, "Relevé de notes", "", 1, "R", false, 0, "")
	f.Ln(3)
	d.font("B", 12)
	title := t.ProgrammeTitle
	if t.Programme != "" {
		title += " (" + t.Programme + ")"
	}
	f.MultiCell(contentWidth, 6, title, "", "L", false)
	d.font("", 10)
	f.CellFormat(contentWidth, 5.5, "Année académique "+t.Year, "", 1, "L", false, 0, "")
	f.Ln(2)
	d.draw(row{widths: []float64{110, 70}, size: 10, fill: 242, cells: []cell{
		{text: "Étudiant·e : " + d.studentName(), style: "B"},
		{text: "Matricule : " + t.Student.Matricule, style: "B", align: "R"},
	}})
	if t.AsOf != nil {
		f.Ln(2)
		f.SetTextColor(150, 40, 0)
		d.font("I", 9)
		f.MultiCell(contentWidth, 4.5, asOf(*t.AsOf), "", "L", false)
		f.SetTextColor(0, 0, 0)
	}
}

// asOf says which bound a reconstructed transcript was rebuilt under.
func asOf(a projections.AsOf) string {
	s := "Reconstitué à partir du journal"
	switch {
	case !a.Instant.IsZero() && a.Position != 0:
		s += fmt.Sprintf(" au %s (position %d)", dateTime(a.Instant), a.Position)
	case !a.Instant.IsZero():
		s += " au " + dateTime(a.Instant)
	case a.Position != 0:
		s += fmt.Sprintf(" à la position %d", a.Position)
	}
	if a.Records < 2 {
		return s + fmt.Sprintf(" – %d enregistrement retenu.", a.Records)
	}
	return s + fmt.Sprintf(" – %d enregistrements retenus.", a.Records)
}

// empty explains, instead of the tables, why the transcript is empty.
func (d *doc) empty() {
	d.heading("Aucun résultat", 10)
	d.font("", 10)
	d.f.MultiCell(contentWidth, 5, d.t.Empty, "", "L", false)
}
