package sheetfile

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// WriteCSV writes t as CSV for Belgian Excel: UTF-8 with a byte order mark
// (so that Excel reads the accents right), ";"-separated, CRLF.
//
// The UE code is written as the Excel text formula ="1/8": left plain,
// Excel would open "1/8" as the date 1 August and save it back so. Excel
// saves the formula's text back as 1/8; the reader takes either.
func WriteCSV(w io.Writer, t Template) error {
	l, err := t.layout()
	if err != nil {
		return err
	}
	if _, err := w.Write(utf8BOM); err != nil {
		return fmt.Errorf("sheetfile: writing CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	for i, row := range l.block {
		if i == l.ueRow {
			row = []string{row[0], excelText(row[1])}
		}
		_ = cw.Write(row) // errors stick; see cw.Error
	}
	_ = cw.Write(nil) // blank line between header block and table
	return writeRows(cw, l.header, l.rows, inert)
}

// writeRows writes a header and rows, each cell through cell, and flushes.
func writeRows(cw *csv.Writer, header []string, rows [][]string, cell func(string) string) error {
	_ = cw.Write(header) // errors stick; see cw.Error
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = cell(c)
		}
		_ = cw.Write(safe)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sheetfile: writing CSV: %w", err)
	}
	return nil
}

// WriteTable writes a plain table, a header then rows, as CSV for Belgian
// Excel like WriteCSV: UTF-8 with a byte order mark, ";"-separated, CRLF;
// a cell Excel would open as a date (1/8) is written as a text formula and
// one it would run as a formula is made inert.
func WriteTable(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return fmt.Errorf("sheetfile: writing CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return writeRows(cw, header, rows, func(c string) string {
		if dateLike.MatchString(c) {
			return excelText(c) // a UE code such as 1/8, not a date
		}
		return inert(c)
	})
}

// dateLike matches what Excel opens as a date: 1/8, 12/05/2026.
var dateLike = regexp.MustCompile(`^[0-9]{1,4}/[0-9]{1,4}(/[0-9]{1,4})?$`)

// inert keeps a spreadsheet from running a cell as a formula (a name
// starting with "=", "+", "-" or "@"): it is prefixed with an apostrophe,
// which Excel shows as text.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// excelText is s as an Excel formula giving the text s.
func excelText(s string) string {
	return `="` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// fromExcelText undoes excelText; other values are returned unchanged.
func fromExcelText(s string) string {
	t := strings.TrimSpace(s)
	if len(t) < 3 || !strings.HasPrefix(t, `="`) || !strings.HasSuffix(t, `"`) {
		return s
	}
	inner := t[2 : len(t)-1]
	if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
		return s // not a single text literal
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}

func readCSV(data []byte) (Upload, error) {
	text, err := decodeText(data)
	if err != nil {
		return Upload{}, err
	}
	if !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, "\r", "\n") // classic Mac line ends
	}
	sep, err := separator(text)
	if err != nil {
		return Upload{}, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	var rows []gridRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Upload{}, errorf("CSV line %d, column %d: %s", pe.Line, pe.Column, pe.Err)
			}
			return Upload{}, errorf("reading CSV: %s", err)
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, gridRow{line: line, cells: rec})
		if len(rows) > MaxRows || len(rec) > MaxColumns { // stop reading at once
			return Upload{}, checkSize(source{format: "csv"}, rows)
		}
		for i := range rec {
			rec[i] = fromExcelText(rec[i])
		}
	}
	head := headerRow(rows)
	if head < 0 {
		return Upload{}, errNoCSVHeader
	}
	return parseGrid(source{format: "csv"}, rows, head)
}

var errNoCSVHeader = errorf("no header row (a line starting with %q) in the CSV file", headMatricule)

// separator finds the header line, the first starting with the field
// "Matricule", and returns the character that follows that field: ";",
// "," or a tab.
func separator(text string) (rune, error) {
	const m = "matricule"
	for i, line := range strings.Split(text, "\n") {
		s := strings.TrimLeft(strings.TrimSuffix(line, "\r"), " ")
		quoted := strings.HasPrefix(s, `"`)
		if quoted {
			s = s[1:]
		}
		if len(s) < len(m) || !strings.EqualFold(s[:len(m)], m) {
			continue
		}
		rest := s[len(m):]
		if quoted {
			if !strings.HasPrefix(rest, `"`) {
				continue
			}
			rest = rest[1:]
		}
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return 0, errorf("CSV line %d: the header row has a single field; fields must be separated by \";\", \",\" or a tab", i+1)
		}
		switch rest[0] {
		case ';', ',', '\t':
			return rune(rest[0]), nil
		}
	}
	return 0, errNoCSVHeader
}

// decodeText returns data as text: UTF-8 with or without a byte order mark,
// UTF-16 with one, or else Windows-1252 (Excel's plain "CSV" save). Binary
// data is refused.
func decodeText(data []byte) (string, error) {
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		text = decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		text = decodeUTF16(data[2:], binary.BigEndian)
	default:
		data = bytes.TrimPrefix(data, utf8BOM)
		if utf8.Valid(data) {
			text = string(data)
		} else {
			text = decodeWindows1252(data)
		}
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return "", errorf("not a spreadsheet: the file is neither an XLSX workbook nor CSV text")
		}
	}
	return text, nil
}

// decodeUTF16 decodes b; an odd trailing byte becomes U+0000, which
// decodeText refuses as binary.
func decodeUTF16(b []byte, order binary.ByteOrder) string {
	units := make([]uint16, (len(b)+1)/2)
	for i := range units {
		if 2*i+1 < len(b) {
			units[i] = order.Uint16(b[2*i:])
		}
	}
	return string(utf16.Decode(units))
}

func decodeWindows1252(b []byte) string {
	var s strings.Builder
	s.Grow(len(b) + len(b)/4)
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			s.WriteRune(windows1252[c-0x80])
		} else {
			s.WriteRune(rune(c)) // the rest is Latin-1
		}
	}
	return s.String()
}

// windows1252 maps 0x80-0x9F; the five unassigned bytes keep their C1 code
// points.
var windows1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}
