package transcriptpdf

import (
	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry, in millimetres (A4 portrait).
const (
	marginX      = 15.0
	marginTop    = 18.0
	marginBottom = 18.0
	contentWidth = 210 - 2*marginX
	padY         = 0.9 // space above and below the text of a table cell
	family       = "go"
)

// addFonts embeds the Go fonts (BSD-3-Clause, golang.org/x/image), which
// cover Latin-1, the typographic quotes and dashes, and ≥.
func addFonts(f *fpdf.Fpdf) {
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.AddUTF8FontFromBytes(family, "I", goitalic.TTF)
}

// style is a font style: "" (regular), "B" or "I".
type style string

// cell is one cell of a table row.
type cell struct {
	text  string
	align string // "L", "C" or "R"; "L" when empty
	style style
}

// row is a table row: cells and their widths (at most contentWidth in all).
type row struct {
	widths []float64
	cells  []cell
	size   float64 // font size in points
	fill   int     // grey level of the background; 0 for none
}

func lineHeight(size float64) float64 { return size * 0.3528 * 1.22 }

func (d *doc) font(s style, size float64) { d.f.SetFont(family, string(s), size) }

// lines wraps a cell's text to its width in its font.
func (d *doc) lines(c cell, w, size float64) []string {
	d.font(c.style, size)
	return d.f.SplitText(c.text, w)
}

// height is the height a row takes: its tallest cell.
func (d *doc) height(r row) float64 {
	n := 1
	for i, c := range r.cells {
		n = max(n, len(d.lines(c, r.widths[i], r.size)))
	}
	return float64(n)*lineHeight(r.size) + 2*padY
}

// bottom is the lowest y content may reach on a page.
func (d *doc) bottom() float64 {
	_, h := d.f.GetPageSize()
	return h - marginBottom
}

// ensure starts a new page unless h millimetres fit on this one; a table
// under way redraws its column headings there.
func (d *doc) ensure(h float64) {
	if d.f.GetY()+h <= d.bottom() {
		return
	}
	d.f.AddPage()
	if d.repeat != nil {
		d.repeat()
	}
}

// keep starts a new page unless a block of height h fits on this one, so
// that a block that fits on a page is never split.
func (d *doc) keep(h float64) {
	if h <= d.bottom()-marginTop-10 {
		d.ensure(h)
	}
}

// draw draws a row, breaking the page first if it does not fit.
func (d *doc) draw(r row) {
	h := d.height(r)
	d.ensure(h)
	x, y := marginX, d.f.GetY()
	lh := lineHeight(r.size)
	for i, c := range r.cells {
		w := r.widths[i]
		if r.fill > 0 {
			d.f.SetFillColor(r.fill, r.fill, r.fill)
			d.f.Rect(x, y, w, h, "FD")
		} else {
			d.f.Rect(x, y, w, h, "D")
		}
		align := c.align
		if align == "" {
			align = "L"
		}
		for j, line := range d.lines(c, w, r.size) {
			d.f.SetXY(x, y+padY+float64(j)*lh)
			d.f.CellFormat(w, lh, line, "", 0, align+"M", false, 0, "")
		}
		x += w
	}
	d.f.SetXY(marginX, y+h)
}

// heading writes a section title, kept with at least the next need
// millimetres of content.
func (d *doc) heading(title string, need float64) {
	d.repeat = nil
	d.f.Ln(4)
	d.ensure(7 + need)
	d.font("B", 11)
	d.f.CellFormat(contentWidth, 6, title, "B", 1, "L", false, 0, "")
	d.f.Ln(1.5)
}

// pairs draws a section of a two-column table of labels and values, kept
// on one page with its title.
func (d *doc) pairs(title string, kv [][2]string) {
	rows := make([]row, len(kv))
	h := 0.0
	for i, p := range kv {
		rows[i] = row{widths: []float64{70, 50}, size: 9,
			cells: []cell{{text: p[0]}, {text: p[1], align: "R", style: "B"}}}
		h += d.height(rows[i])
	}
	d.heading(title, h)
	for _, r := range rows {
		d.draw(r)
	}
}
