package pdfdoc

import (
	"bytes"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry, in millimetres (A4 portrait).
const (
	MarginX      = 15.0
	MarginTop    = 18.0
	MarginBottom = 18.0
	ContentWidth = 210 - 2*MarginX
	padY         = 0.9 // space above and below the text of a table cell
	family       = "go"
)

// TableSize is the font size of table text, in points.
const TableSize = 8

// Layout is a document being drawn.
type Layout struct {
	F *fpdf.Fpdf
	// Repeat redraws the column headings of the table under way on a new
	// page; nil outside a table.
	Repeat func()
}

// NewLayout starts an A4 document generated at generatedAt: its geometry,
// the embedded fonts, and its creation and modification dates (in
// Brussels time). The output is deterministic: nothing is read from a
// clock and no random identifier is written.
func NewLayout(generatedAt time.Time) *Layout {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	f.SetMargins(MarginX, MarginTop, MarginX)
	f.SetAutoPageBreak(true, MarginBottom)
	f.SetCellMargin(1.2)
	f.SetLineWidth(0.2)
	f.SetDrawColor(150, 150, 150)
	f.AliasNbPages("{nb}")
	addFonts(f)

	at := generatedAt.In(brussels)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetCreator("gradelog", false)
	f.SetLang("fr-BE")
	return &Layout{F: f}
}

// Mono is the font family of hashes and identifiers (Go Mono).
const Mono = "gomono"

// addFonts embeds the Go fonts (BSD-3-Clause, golang.org/x/image), which
// cover Latin-1, the typographic quotes and dashes, and ≥. Each document
// gets its own copy of the font bytes: fpdf writes into them when it
// embeds a subset (utf8FontFile.getMetrics appends to a slice of them for
// glyphs beyond the width table), so a shared copy would make a document
// depend on the ones rendered before it.
func addFonts(f *fpdf.Fpdf) {
	f.AddUTF8FontFromBytes(family, "", bytes.Clone(goregular.TTF))
	f.AddUTF8FontFromBytes(family, "B", bytes.Clone(gobold.TTF))
	f.AddUTF8FontFromBytes(family, "I", bytes.Clone(goitalic.TTF))
	f.AddUTF8FontFromBytes(Mono, "", bytes.Clone(gomono.TTF))
}

// Style is a font style: "" (regular), "B" or "I".
type Style string

// Cell is one cell of a table row.
type Cell struct {
	Text  string
	Align string // "L", "C" or "R"; "L" when empty
	Style Style
}

// Row is a table row: cells and their widths (at most ContentWidth in all).
type Row struct {
	Widths []float64
	Cells  []Cell
	Size   float64 // font size in points
	Fill   int     // grey level of the background; 0 for none
}

func lineHeight(size float64) float64 { return size * 0.3528 * 1.22 }

// Font sets the font of the text that follows.
func (l *Layout) Font(s Style, size float64) { l.F.SetFont(family, string(s), size) }

// lines wraps a cell's text to its width in its font.
func (l *Layout) lines(c Cell, w, size float64) []string {
	l.Font(c.Style, size)
	return l.F.SplitText(c.Text, w)
}

// Height is the height a row takes: its tallest cell.
func (l *Layout) Height(r Row) float64 {
	n := 1
	for i, c := range r.Cells {
		n = max(n, len(l.lines(c, r.Widths[i], r.Size)))
	}
	return float64(n)*lineHeight(r.Size) + 2*padY
}

// bottom is the lowest y content may reach on a page.
func (l *Layout) bottom() float64 {
	_, h := l.F.GetPageSize()
	return h - MarginBottom
}

// Ensure starts a new page unless h millimetres fit on this one; a table
// under way redraws its column headings there.
func (l *Layout) Ensure(h float64) {
	if l.F.GetY()+h <= l.bottom() {
		return
	}
	l.F.AddPage()
	if l.Repeat != nil {
		l.Repeat()
	}
}

// Keep starts a new page unless a block of height h fits on this one, so
// that a block that fits on a page is never split.
func (l *Layout) Keep(h float64) {
	if h <= l.bottom()-MarginTop-10 {
		l.Ensure(h)
	}
}

// Draw draws a row, breaking the page first if it does not fit.
func (l *Layout) Draw(r Row) {
	h := l.Height(r)
	l.Ensure(h)
	x, y := MarginX, l.F.GetY()
	lh := lineHeight(r.Size)
	for i, c := range r.Cells {
		w := r.Widths[i]
		if r.Fill > 0 {
			l.F.SetFillColor(r.Fill, r.Fill, r.Fill)
			l.F.Rect(x, y, w, h, "FD")
		} else {
			l.F.Rect(x, y, w, h, "D")
		}
		align := c.Align
		if align == "" {
			align = "L"
		}
		for j, line := range l.lines(c, w, r.Size) {
			l.F.SetXY(x, y+padY+float64(j)*lh)
			l.F.CellFormat(w, lh, line, "", 0, align+"M", false, 0, "")
		}
		x += w
	}
	l.F.SetXY(MarginX, y+h)
}

// Heading writes a section title, kept with at least the next need
// millimetres of content.
func (l *Layout) Heading(title string, need float64) {
	l.Repeat = nil
	l.F.Ln(4)
	l.Ensure(7 + need)
	l.Font("B", 11)
	l.F.CellFormat(ContentWidth, 6, title, "B", 1, "L", false, 0, "")
	l.F.Ln(1.5)
}

// Pairs draws a section of a two-column table of labels and values, kept
// on one page with its title.
func (l *Layout) Pairs(title string, kv [][2]string) {
	rows := make([]Row, len(kv))
	h := 0.0
	for i, p := range kv {
		rows[i] = Row{Widths: []float64{70, 50}, Size: 9,
			Cells: []Cell{{Text: p[0]}, {Text: p[1], Align: "R", Style: "B"}}}
		h += l.Height(rows[i])
	}
	l.Heading(title, h)
	for _, r := range rows {
		l.Draw(r)
	}
}

// Note writes a line of italic text, such as "nothing to show".
func (l *Layout) Note(text string) {
	l.Font("I", 9)
	l.F.CellFormat(ContentWidth, 5, text, "", 1, "L", false, 0, "")
}

// RunningHeader writes text at the top of every page after the first.
func (l *Layout) RunningHeader(text string) {
	if l.F.PageNo() == 1 {
		return
	}
	l.F.SetTextColor(90, 90, 90)
	l.Font("", 8)
	l.F.SetXY(MarginX, 9)
	l.F.CellFormat(ContentWidth, 4, text, "B", 0, "L", false, 0, "")
	l.F.SetTextColor(0, 0, 0)
}

// Footer writes the generation date, the log position the document
// reflects and the page.
func (l *Layout) Footer(generatedAt time.Time, position uint64) {
	f := l.F
	f.SetY(-MarginBottom + 5)
	f.SetTextColor(90, 90, 90)
	l.Font("", 7.5)
	w := ContentWidth / 3
	f.CellFormat(w, 4, "Généré le "+DateTime(generatedAt)+" (heure de Bruxelles)", "T", 0, "L", false, 0, "")
	f.CellFormat(w, 4, fmt.Sprintf("Position du journal : %d", position), "T", 0, "C", false, 0, "")
	f.CellFormat(w, 4, fmt.Sprintf("Page %d/{nb}", f.PageNo()), "T", 0, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
}
