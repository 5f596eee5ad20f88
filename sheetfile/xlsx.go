package sheetfile

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxUnzipped bounds what an uploaded XLSX may expand to; a grade sheet is
// a few hundred kilobytes at most.
const maxUnzipped = 64 << 20

// Custom document properties carrying the identification, for tools; the
// reader relies on the visible header block only.
const (
	propYear    = "gradelog-year"
	propSession = "gradelog-session"
	propUE      = "gradelog-ue"
)

// WriteXLSX writes t as an XLSX workbook: a worksheet "Notes" with the
// header block and the table, and a worksheet "Codes" listing the allowed
// codes.
func WriteXLSX(w io.Writer, t Template) error {
	l, err := t.layout()
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	x.notes(t, l)
	x.codes(t)
	x.props(t)
	if x.err != nil {
		return fmt.Errorf("sheetfile: writing XLSX: %w", x.err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("sheetfile: writing XLSX: %w", err)
	}
	return nil
}

// xlsxWriter keeps the first error, so that laying out reads as a list.
type xlsxWriter struct {
	f   *excelize.File
	err error
}

func (x *xlsxWriter) do(err error) {
	if x.err == nil {
		x.err = err
	}
}

func (x *xlsxWriter) style(s *excelize.Style) int {
	id, err := x.f.NewStyle(s)
	x.do(err)
	return id
}

func (x *xlsxWriter) str(sheet string, col, row int, v string, style int) {
	ref := cellName(col, row)
	x.do(x.f.SetCellStr(sheet, ref, v))
	if style != 0 {
		x.do(x.f.SetCellStyle(sheet, ref, ref, style))
	}
}

// value writes an entry: a number cell when it reads back identical
// ("12.5"), text otherwise ("CM", "12,5").
func (x *xlsxWriter) value(sheet string, col, row int, v string, style int) {
	ref := cellName(col, row)
	if n, ok := number(v); ok {
		x.do(x.f.SetCellFloat(sheet, ref, n, -1, 64))
	} else if v != "" {
		x.do(x.f.SetCellStr(sheet, ref, v))
	}
	x.do(x.f.SetCellStyle(sheet, ref, ref, style))
}

func (x *xlsxWriter) width(sheet string, col int, w float64) {
	name := colName(col)
	x.do(x.f.SetColWidth(sheet, name, name, w))
}

const (
	greyIdentity = "EDEDED" // not to be changed
	greyLocked   = "D0D0D0" // not to be filled
	headerFill   = "D9E1F2"
	gridColour   = "BFBFBF"
)

func fill(colour string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
}

var grid = []excelize.Border{
	{Type: "left", Color: gridColour, Style: 1},
	{Type: "right", Color: gridColour, Style: 1},
	{Type: "top", Color: gridColour, Style: 1},
	{Type: "bottom", Color: gridColour, Style: 1},
}

func (x *xlsxWriter) notes(t Template, l layout) {
	const sheet = sheetNotes
	x.do(x.f.SetSheetName("Sheet1", sheet))
	var (
		sTitle  = x.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
		sLabel  = x.style(&excelize.Style{Font: &excelize.Font{Bold: true}})
		sIdent  = x.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(greyIdentity)})
		sHeader = x.style(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      fill(headerFill),
			Border:    grid,
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
		})
		sFixed = x.style(&excelize.Style{
			Fill: fill(greyIdentity), Border: grid, NumFmt: 49, // text: a retyped matricule keeps its digits
			Protection: &excelize.Protection{Locked: true},
		})
		sEntry = x.style(&excelize.Style{
			Border: grid, Alignment: &excelize.Alignment{Horizontal: "center"},
			Protection: &excelize.Protection{Locked: false},
		})
		sLocked = x.style(&excelize.Style{
			Fill: fill(greyLocked), Border: grid, Font: &excelize.Font{Italic: true, Color: "595959"},
			Alignment:  &excelize.Alignment{Horizontal: "center"},
			Protection: &excelize.Protection{Locked: true},
		})
		sRemark = x.style(&excelize.Style{
			Fill: fill(greyIdentity), Border: grid, Font: &excelize.Font{Italic: true},
			Protection: &excelize.Protection{Locked: true},
		})
	)

	// Header block: labels in column A, values from column B.
	for i, cells := range l.block {
		row := i + 1
		for j, v := range cells {
			style := 0
			switch {
			case i == 0:
				style = sTitle
			case j == 0:
				style = sLabel
			case i <= l.ueRow:
				style = sIdent // year, session, UE: what the reader checks
			}
			if v != "" {
				x.str(sheet, j+1, row, v, style)
			}
		}
	}

	// Table.
	head := len(l.block) + 2
	nFixed := len(identityHeads)
	for j, h := range l.header {
		x.str(sheet, j+1, head, h, sHeader)
	}
	remark := len(l.header)
	for i, cells := range l.rows {
		row := head + 1 + i
		for j := range nFixed {
			x.str(sheet, j+1, row, cells[j], sFixed)
		}
		for k := range l.labels {
			style := sEntry
			if l.locked[i][k] {
				style = sLocked
			}
			x.value(sheet, nFixed+k+1, row, cells[nFixed+k], style)
		}
		x.str(sheet, remark, row, cells[remark-1], sRemark)
	}

	// Column widths; the long header-block labels live in column A too.
	x.width(sheet, 1, 22)
	x.width(sheet, 2, 22)
	x.width(sheet, 3, 18)
	x.width(sheet, 4, 34)
	x.width(sheet, 5, 12)
	lines := 1
	for k, label := range l.labels {
		w := min(max(float64(len([]rune(label)))+2, 10), 24)
		x.width(sheet, nFixed+k+1, w)
		lines = max(lines, int(math.Ceil(float64(len([]rune(label)))/(w-2))))
	}
	x.width(sheet, remark, 45)
	if lines > 1 {
		x.do(x.f.SetRowHeight(sheet, head, 15*float64(min(lines, 4))))
	}

	// Freeze everything above the first student; start on the first entry.
	first := cellName(nFixed+1, head+1)
	x.do(x.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: head, TopLeftCell: cellName(1, head+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}))

	// Print: landscape, one page wide, header row repeated.
	landscape, one, zero, fit := "landscape", 1, 0, true
	x.do(x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}))
	x.do(x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	x.do(x.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, head, head),
	}))
}

func (x *xlsxWriter) codes(t Template) {
	const sheet = sheetCodes
	_, err := x.f.NewSheet(sheet)
	x.do(err)
	sHeader := x.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(headerFill), Border: grid})
	sCell := x.style(&excelize.Style{Border: grid})
	x.str(sheet, 1, 1, "Code", sHeader)
	x.str(sheet, 2, 1, "Signification", sHeader)
	for i, c := range t.Codes {
		x.str(sheet, 1, i+2, c.Code, sCell)
		x.str(sheet, 2, i+2, c.Label, sCell)
	}
	x.width(sheet, 1, 10)
	x.width(sheet, 2, 50)
	x.f.SetActiveSheet(0)
}

func (x *xlsxWriter) props(t Template) {
	x.do(x.f.SetDocProps(&excelize.DocProperties{
		Title:    fmt.Sprintf("%s %s %s %s", title, t.UE, t.Session, t.Year),
		Subject:  t.UETitle,
		Creator:  "gradelog",
		Language: "fr-BE",
	}))
	for _, p := range []excelize.CustomProperty{{Name: propYear, Value: t.Year}, {Name: propSession, Value: t.Session}, {Name: propUE, Value: t.UE}} {
		x.do(x.f.SetCustomProps(p))
	}
}

// readXLSX reads the first worksheet that has a header row.
func readXLSX(data []byte) (Upload, error) {
	if isODS(data) {
		return Upload{}, errorf("this is an OpenDocument spreadsheet (.ods), not XLSX: save it as .xlsx or .csv")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return Upload{}, errorf("not a readable XLSX workbook: %s", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	var unreadable error // of a sheet that may have held the table
	for _, sheet := range sheets {
		raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			if unreadable == nil {
				unreadable = errorf("worksheet %q cannot be read: %s", sheet, err)
			}
			continue
		}
		rows := make([]gridRow, len(raw))
		for i, cells := range raw {
			rows[i].line = i + 1
			rows[i].cells = cells
		}
		if err := checkSize(source{format: "xlsx", sheet: sheet}, rows); err != nil {
			return Upload{}, err
		}
		head := headerRow(rows)
		if head < 0 {
			continue
		}
		// Stored numbers are what the user sees unless a style shows
		// them otherwise (a date, a percentage): only then is the sheet
		// read a second time as shown.
		var shown [][]string
		if !plainNumbers(f) {
			if shown, err = f.GetRows(sheet); err != nil {
				return Upload{}, errorf("worksheet %q: %s", sheet, err)
			}
		}
		for i := range rows {
			for j, v := range rows[i].cells {
				rows[i].cells[j] = xlsxText(v, shown, i, j)
			}
		}
		return parseGrid(source{format: "xlsx", sheet: sheet}, rows, head)
	}
	what := textf("worksheet")
	if len(sheets) != 1 {
		what = textf("worksheets")
	}
	none := textf("no header row (a row starting with %q) in %s %s", headMatricule, what, quotedList(sheets))
	if unreadable == nil {
		return Upload{}, errorf("%s", none)
	}
	return Upload{}, errorf("%s; %s", none, unreadable)
}

// xlsxText is a cell's text as the user sees it. raw is the stored value.
// A number comes back without float noise or exponent ("12.5", "14");
// when shown is given (the workbook has styles that show numbers as
// something else), a number shown as anything but a number (a date, a
// percentage, a fraction) comes back as shown, for the caller to refuse.
// Text that only looks like a number with leading zeros ("0123") stays as
// typed.
func xlsxText(raw string, shown [][]string, i, j int) string {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil || len(raw) > 1 && raw[0] == '0' && raw[1] != '.' {
		return raw // text (shared, inline or formula string), or an error value
	}
	if shown != nil {
		s := strings.TrimSpace(cellAt(shown, i, j))
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return s
		}
	}
	return cleanNumber(n)
}

// plainNumbers reports whether every cell style of the workbook shows a
// number as a plain number (General, fixed decimals or text "@", which the
// identity columns use), so that a numeric cell's stored value is the one
// the user reads.
func plainNumbers(f *excelize.File) bool {
	for i := 0; ; i++ {
		st, err := f.GetStyle(i)
		if err != nil {
			return true // past the last style
		}
		if st.CustomNumFmt != nil || st.NumFmt > 4 && st.NumFmt != 49 {
			return false
		}
	}
}

func cellAt(rows [][]string, i, j int) string {
	if i < len(rows) && j < len(rows[i]) {
		return rows[i][j]
	}
	return ""
}

// isODS tells an OpenDocument spreadsheet, whose first zip entry is an
// uncompressed "mimetype".
func isODS(data []byte) bool {
	const at = 30 // size of a local file header before its name
	return len(data) > at && bytes.Contains(data[at:min(len(data), 200)], []byte("application/vnd.oasis.opendocument"))
}

func cellName(col, row int) string {
	return colName(col) + strconv.Itoa(row)
}

func colName(col int) string {
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		panic(err) // columns are counted here, never read
	}
	return name
}
