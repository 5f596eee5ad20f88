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
//
// It is drawn with the layout (fonts, tables, page breaks, running header
// and footer) and the French labels of package internal/pdfdoc, which the
// minutes of a deliberation (package minutespdf) share, so that both look
// alike.
package transcriptpdf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gradelog/gradelog/internal/pdfdoc"
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
	*pdfdoc.Layout
	t projections.Transcript
	o Options
}

// Write renders t as a PDF to w.
func Write(w io.Writer, t projections.Transcript, o Options) error {
	if o.GeneratedAt.IsZero() {
		return errors.New("transcriptpdf: Options.GeneratedAt is required")
	}
	d := &doc{Layout: pdfdoc.NewLayout(o.GeneratedAt), t: t, o: o}
	d.setup()
	d.F.AddPage()
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
	if err := d.F.Output(w); err != nil {
		return fmt.Errorf("transcriptpdf: %w", err)
	}
	return nil
}

// setup sets the metadata and the running header and footer.
func (d *doc) setup() {
	f, t := d.F, d.t
	f.SetTitle(fmt.Sprintf("Relevé de notes – %s – %s", d.studentName(), t.Year), true)
	f.SetSubject(strings.TrimSpace(t.ProgrammeTitle+" "+t.Programme), true)
	f.SetAuthor(d.o.Institutions, true)
	f.SetHeaderFuncMode(d.runningHeader, true)
	f.SetFooterFunc(func() { d.Footer(d.o.GeneratedAt, d.t.Position) })
}

func (d *doc) studentName() string { return pdfdoc.StudentName(d.t.Student) }

// runningHeader identifies the student on every page after the first.
func (d *doc) runningHeader() {
	d.RunningHeader(fmt.Sprintf("Relevé de notes – %s – matricule %s – %s",
		d.studentName(), d.t.Student.Matricule, d.t.Year))
}

// header writes the first page's title block.
func (d *doc) header() {
	f, t := d.F, d.t
	f.SetY(12)
	d.Font("B", 10)
	f.CellFormat(pdfdoc.ContentWidth/2, 5, d.o.Institutions, "", 0, "L", false, 0, "")
	d.Font("B", 16)
	f.CellFormat(pdfdoc.ContentWidth/2, 7, "Relevé de notes", "", 1, "R", false, 0, "")
	f.Ln(3)
	d.Font("B", 12)
	title := t.ProgrammeTitle
	if t.Programme != "" {
		title += " (" + t.Programme + ")"
	}
	f.MultiCell(pdfdoc.ContentWidth, 6, title, "", "L", false)
	d.Font("", 10)
	f.CellFormat(pdfdoc.ContentWidth, 5.5, "Année académique "+t.Year, "", 1, "L", false, 0, "")
	f.Ln(2)
	d.Draw(pdfdoc.Row{Widths: []float64{110, 70}, Size: 10, Fill: 242, Cells: []pdfdoc.Cell{
		{Text: "Étudiant·e : " + d.studentName(), Style: "B"},
		{Text: "Matricule : " + t.Student.Matricule, Style: "B", Align: "R"},
	}})
	if t.AsOf != nil {
		f.Ln(2)
		f.SetTextColor(150, 40, 0)
		d.Font("I", 9)
		f.MultiCell(pdfdoc.ContentWidth, 4.5, asOf(*t.AsOf), "", "L", false)
		f.SetTextColor(0, 0, 0)
	}
}

// asOf says which bound a reconstructed transcript was rebuilt under.
func asOf(a projections.AsOf) string {
	s := "Reconstitué à partir du journal"
	switch {
	case !a.Instant.IsZero() && a.Position != 0:
		s += fmt.Sprintf(" au %s (position %d)", pdfdoc.DateTime(a.Instant), a.Position)
	case !a.Instant.IsZero():
		s += " au " + pdfdoc.DateTime(a.Instant)
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
	d.Heading("Aucun résultat", 10)
	d.Font("", 10)
	d.F.MultiCell(pdfdoc.ContentWidth, 5, d.t.Empty, "", "L", false)
}
