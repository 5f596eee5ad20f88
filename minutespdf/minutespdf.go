// Package minutespdf renders the minutes (procès-verbal) of a session's
// jury deliberation as a printable A4 PDF, in French, to be signed by the
// jury's president and secretary.
//
// The document shows the institutions, the programme, the academic year
// and the session; when and by whom the deliberation was opened, closed
// (or that it is still under way: the minutes are then provisional) and
// when the results were published; the jury, each member with their
// institution, role and presence, the quorum and the president's reason to
// open with grade sheets not submitted; every decision in recorded order
// (the student, the outcome and the rules' proposal, the mention, each
// credit grant with the mark at decision, its basis and motivation, the
// decision's motivation, its differences from the proposal, the decision
// it replaces or the appeal it answers, and whether a later decision
// replaced it); the appeals with their grounds, status and motivation;
// and the signature lines. The footer gives the page, the generation date
// (Europe/Brussels) and the log position the minutes reflect.
//
// It is drawn with the layout (fonts, tables, page breaks, footer) and
// the French labels of package internal/pdfdoc, which the transcript
// (package transcriptpdf) shares, so the minutes and the transcript look
// alike.
// Output is deterministic: the same minutes and Options give the same
// bytes.
package minutespdf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
)

// Options are what the document shows beyond the minutes.
type Options struct {
	// GeneratedAt is printed in the footer and set as the PDF creation
	// and modification date. It is required: it is passed in, never read
	// from a clock.
	GeneratedAt time.Time
}

type (
	row  = pdfdoc.Row
	cell = pdfdoc.Cell
)

// doc is one document being rendered.
type doc struct {
	*pdfdoc.Layout
	m projections.Minutes
	o Options
	// decision and appeal number each decision and appeal, by ID, from 1
	// in recorded order.
	decision, appeal map[string]int
	// students are the students decided, by matricule.
	students map[string]projections.Identity
}

// Write renders m as a PDF to w.
func Write(w io.Writer, m projections.Minutes, opt Options) error {
	if opt.GeneratedAt.IsZero() {
		return errors.New("minutespdf: Options.GeneratedAt is required")
	}
	d := &doc{Layout: pdfdoc.NewLayout(opt.GeneratedAt), m: m, o: opt,
		decision: map[string]int{}, appeal: map[string]int{}, students: map[string]projections.Identity{}}
	for i, dec := range m.Decisions {
		d.decision[dec.ID] = i + 1
		d.students[dec.Student.Matricule] = dec.Student
	}
	for i, a := range m.Appeals {
		d.appeal[a.ID] = i + 1
	}
	d.setup()
	d.F.AddPage()
	d.header()
	d.jury()
	d.decisions()
	d.appeals()
	d.signatures()
	if err := d.F.Output(w); err != nil {
		return fmt.Errorf("minutespdf: %w", err)
	}
	return nil
}

// setup sets the metadata and the running header and footer.
func (d *doc) setup() {
	f, m := d.F, d.m
	f.SetTitle(fmt.Sprintf("Procès-verbal de délibération – %s – %s – %s", m.Programme, m.Year, m.Session), true)
	f.SetSubject(strings.TrimSpace(m.ProgrammeTitle+" "+m.Programme), true)
	f.SetAuthor(d.institutions(), true)
	f.SetHeaderFuncMode(d.runningHeader, true)
	f.SetFooterFunc(func() { d.Footer(d.o.GeneratedAt, d.m.Position) })
}

func (d *doc) institutions() string { return strings.Join(d.m.Institutions, " – ") }

// runningHeader identifies the deliberation on every page after the first.
func (d *doc) runningHeader() {
	s := fmt.Sprintf("Procès-verbal de délibération – %s – %s – %s", d.m.Programme, d.m.Year, session(d.m.Session))
	if d.m.Closed == nil {
		s += " – provisoire"
	}
	d.RunningHeader(s)
}

// person names the actor of a record: a jury member by name and role,
// anyone else by their id.
func (d *doc) person(id string) string {
	for _, p := range d.m.Members {
		if p.ID == id {
			return fmt.Sprintf("%s (%s)", p.Name, role(p.Role))
		}
	}
	return pdfdoc.Dash(id)
}

// stamp writes when and by whom a fact was recorded.
func (d *doc) stamp(s projections.Stamp) string {
	if s.By == "" {
		return when(s.At)
	}
	return when(s.At) + ", par " + d.person(s.By)
}

// student names a student by name and matricule.
func (d *doc) student(matricule string) string {
	if s, ok := d.students[matricule]; ok && pdfdoc.StudentName(s) != "" {
		return pdfdoc.StudentName(s) + " — matricule " + matricule
	}
	return "matricule " + matricule
}

// pairCols are the widths of a label and its value.
var pairCols = []float64{48, 132}

func pair(label, value string, st pdfdoc.Style) row {
	return row{Widths: pairCols, Size: pdfdoc.TableSize + 1, Cells: []cell{{Text: label}, {Text: value, Style: st}}}
}

// header writes the first page's title block: the programme, the year and
// session, the opening, closing and publication.
func (d *doc) header() {
	f, m := d.F, d.m
	f.SetY(12)
	d.Font("B", 16)
	f.CellFormat(pdfdoc.ContentWidth, 7, "Procès-verbal de délibération", "", 1, "L", false, 0, "")
	d.Font("B", 10)
	f.MultiCell(pdfdoc.ContentWidth, 5, d.institutions(), "", "L", false)
	f.Ln(3)
	d.Font("B", 12)
	title := m.ProgrammeTitle
	if m.Programme != "" {
		title += " (" + m.Programme + ")"
	}
	f.MultiCell(pdfdoc.ContentWidth, 6, title, "", "L", false)
	d.Font("", 10)
	f.CellFormat(pdfdoc.ContentWidth, 5.5, "Année académique "+m.Year+" — "+session(m.Session), "", 1, "L", false, 0, "")
	f.Ln(2)
	d.Draw(pair("Ouverture", d.stamp(m.Opened.Stamp), ""))
	if m.Closed != nil {
		d.Draw(pair("Clôture", d.stamp(*m.Closed), ""))
	} else {
		f.SetTextColor(150, 40, 0)
		d.Draw(pair("Clôture", "Délibération en cours — procès-verbal provisoire", "B"))
		f.SetTextColor(0, 0, 0)
	}
	if m.PublishedAt != nil {
		d.Draw(pair("Publication des résultats", day(*m.PublishedAt), ""))
	}
	replaced := 0
	for _, dec := range m.Decisions {
		if dec.SupersededBy != "" {
			replaced++
		}
	}
	count := pdfdoc.Plural(len(m.Decisions), "décision")
	if replaced > 0 {
		count += ", dont " + pdfdoc.Plural(replaced, "remplacée")
	}
	d.Draw(pair("Décisions enregistrées", count, ""))
}

// memberCols: nom, institution, rôle, présence.
var memberCols = []float64{84, 40, 30, 26}

// jury lists the members with their presence, the quorum and the
// president's override.
func (d *doc) jury() {
	d.Heading("Composition du jury", 14)
	if len(d.m.Members) == 0 {
		d.Note("Aucun membre enregistré pour ce jury.")
	} else {
		headings := func() {
			d.Draw(row{Widths: memberCols, Size: pdfdoc.TableSize, Fill: 210, Cells: []cell{
				{Text: "Membre", Style: "B"},
				{Text: "Institution", Style: "B"},
				{Text: "Rôle", Style: "B"},
				{Text: "Présence", Style: "B"},
			}})
		}
		headings()
		d.Repeat = headings
		for _, p := range d.m.Members {
			st := pdfdoc.Style("")
			if !p.Present {
				st = "I"
			}
			d.Draw(row{Widths: memberCols, Size: pdfdoc.TableSize, Cells: []cell{
				{Text: p.Name, Style: st},
				{Text: p.Institution, Style: st},
				{Text: role(p.Role), Style: st},
				{Text: presence(p.Present), Style: st},
			}})
		}
		d.Repeat = nil
	}
	q := d.m.Opened.Quorum
	met := "non atteint"
	if q.Met {
		met = "atteint"
	}
	d.F.Ln(2)
	d.Ensure(6)
	d.Font("B", 9)
	d.F.CellFormat(pdfdoc.ContentWidth, 5, fmt.Sprintf("Quorum : %s sur %d requis — %s",
		pdfdoc.Plural(q.Present, "présent"), q.Required, met), "", 1, "L", false, 0, "")
	if o := d.m.Opened.Override; o != "" {
		d.Ensure(6)
		d.Font("I", 9)
		d.F.MultiCell(pdfdoc.ContentWidth, 4.5, "Ouverture malgré des grilles non remises : "+o, "", "L", false)
	}
}
