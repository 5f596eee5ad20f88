package sheetfile

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/internal/i18n"
)

// Upload is a parsed uploaded file.
//
// Columns are the table's columns that the header block lists under
// "Colonnes à compléter", in table order, each keyed as listed there:
// "Note UE" is the key "", any other label is its own key. A listed column
// the table lacks is simply not in Columns; what that means is the
// caller's call. Rows skips the rows with nothing in the columns read
// (Matricule, Nom, Prénom, Email and the columns to fill); a row with
// entries but no matricule is kept, with Matricule "".
type Upload struct {
	Format            string   // "xlsx" or "csv"
	Year, Session, UE string   // as the file states them (from its identification header)
	Version           uint64   // the sheet version the file was downloaded at (0: the file does not say)
	Columns           []string // the column keys found, in file order ("" = UE mark)
	Rows              []UploadRow
}

// UploadRow is one data row of an uploaded file.
type UploadRow struct {
	Line                int // 1-based row number in the file/sheet as the user sees it
	Matricule           string
	Email               string
	LastName, FirstName string
	// Values holds, for every key of Upload.Columns, the cell text trimmed
	// of surrounding whitespace ("" = empty), otherwise as typed: codes are
	// not upper-cased, a decimal comma stays ("12,5"). Numeric XLSX cells
	// come back as the user sees them, without float noise ("12.5", "14");
	// XLSX text that reads as a number comes back as that number ("12.50"
	// as "12.5"), unless it has leading zeros ("0123").
	Values map[string]string
}

// oleMagic starts the compound files of old .xls workbooks and of
// password-protected .xlsx ones.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Read parses an uploaded file; the format is detected from the content
// (XLSX is a zip: "PK\x03\x04"), never from a name. Anything else is read
// as CSV text.
func Read(data []byte) (Upload, error) {
	switch {
	case len(data) == 0:
		return Upload{}, errorf("the file is empty")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data)
	case bytes.HasPrefix(data, oleMagic):
		return Upload{}, errorf("this is an old Excel workbook (.xls) or a password-protected one: save it as .xlsx without a password, or as .csv")
	}
	return readCSV(data)
}

// Limits of an uploaded file, far beyond any grade sheet (a cohort is a
// few hundred students, a UE a few activities) and low enough that a
// hostile file costs little to refuse. The bytes are bounded by the
// server's request size and, for XLSX, by maxUnzipped.
const (
	MaxRows    = 5000 // rows of the table, header block included
	MaxColumns = 100  // cells of a row
)

// checkSize refuses a grid beyond the limits, naming the limit.
func checkSize(src source, rows []gridRow) error {
	if len(rows) > MaxRows {
		return errorf("%s has more than %d rows; a grade sheet has one row per student", src.text(), MaxRows)
	}
	for _, r := range rows {
		if len(r.cells) > MaxColumns {
			return errorf("%s, row %d has %d cells, more than %d; a grade sheet has a few columns", src.text(), r.line, len(r.cells), MaxColumns)
		}
	}
	return nil
}

// gridRow is one row of cells with its 1-based row (XLSX) or line (CSV)
// number.
type gridRow struct {
	line  int
	cells []string
}

// source says where cells come from, for error messages (texts that
// french.go translates).
type source struct {
	format string // "xlsx" or "csv"
	sheet  string // XLSX only
}

func (s source) text() i18n.Text {
	if s.format == "xlsx" {
		return textf("worksheet %q", s.sheet)
	}
	return textf("the CSV file")
}

func (s source) row(line int) i18n.Text {
	if s.format == "xlsx" {
		return textf("worksheet %q, row %d", s.sheet, line)
	}
	return textf("line %d", line)
}

func (s source) cell(line, col int) i18n.Text {
	if s.format == "xlsx" {
		return textf("worksheet %q, cell %s", s.sheet, cellName(col, line))
	}
	return textf("line %d, field %d", line, col)
}

// columns names two columns, 1-based.
func (s source) columns(a, b int) i18n.Text {
	if s.format == "xlsx" {
		return textf("columns %s and %s", colName(a), colName(b))
	}
	return textf("fields %d and %d", a, b)
}

// headerRow returns the index of the table's header row: the first row
// whose first cell is "Matricule"; -1 if there is none.
func headerRow(rows []gridRow) int {
	for i, r := range rows {
		if len(r.cells) > 0 && norm(r.cells[0]) == norm(headMatricule) {
			return i
		}
	}
	return -1
}

// The identity columns the reader keeps, by normalised header.
const (
	roleMatricule = iota
	roleLastName
	roleFirstName
	roleEmail
)

var roles = map[string]int{
	norm(headMatricule): roleMatricule,
	norm(headLastName):  roleLastName,
	norm(headFirstName): roleFirstName,
	norm(headEmail):     roleEmail,
	"e-mail":            roleEmail,
}

// parseGrid reads the identification above rows[head], the header row and
// the data rows below it.
func parseGrid(src source, rows []gridRow, head int) (Upload, error) {
	id, err := readIdentification(src, rows[:head])
	if err != nil {
		return Upload{}, err
	}
	up := Upload{Format: src.format, Year: id.year, Session: id.session, UE: id.ue, Columns: []string{}}
	if id.version != "" {
		if up.Version, err = strconv.ParseUint(id.version, 10, 64); err != nil {
			return Upload{}, errorf("%q is %q, not a version number (%s)", labelVersion, id.version, src.text())
		}
	}

	// Header row: identity columns and the listed columns to fill.
	listed := map[string]string{} // norm(label) -> key
	for _, label := range id.columns {
		n, key := norm(label), label
		if n == norm(ueMarkLabel) {
			key = ""
		}
		if _, dup := listed[n]; dup {
			return Upload{}, errorf("%q lists %q twice (%s)", labelColumns, label, src.row(id.columnsLine))
		}
		listed[n] = key
	}
	header := rows[head]
	identity := map[int]int{} // role -> column index
	type entry struct {
		key   string
		index int
	}
	var entries []entry
	seen := map[string]int{} // column read ("role 3", "key Éthique") -> column index
	for j, h := range header.cells {
		n := norm(h)
		role, isIdentity := roles[n]
		key, isListed := listed[n]
		var what string
		switch {
		case isIdentity:
			what = fmt.Sprint("role ", role)
		case isListed:
			what = "key " + key
		default:
			continue // Échéance, Remarque, a teacher's own column
		}
		if prev, dup := seen[what]; dup {
			return Upload{}, errorf("column %q appears twice in the header row (%s: %s)",
				strings.TrimSpace(h), src.row(header.line), src.columns(prev+1, j+1))
		}
		seen[what] = j
		if isIdentity {
			identity[role] = j
		} else {
			entries = append(entries, entry{key, j})
			up.Columns = append(up.Columns, key)
		}
	}
	if _, ok := identity[roleEmail]; !ok {
		return Upload{}, errorf("the header row (%s) has no %q column", src.row(header.line), headEmail)
	}

	// Data rows; rows with nothing in the columns read are skipped.
	for _, r := range rows[head+1:] {
		cell := func(j int) string {
			if j < len(r.cells) {
				return strings.TrimSpace(r.cells[j])
			}
			return ""
		}
		field := func(role int) string {
			if j, ok := identity[role]; ok {
				return cell(j)
			}
			return ""
		}
		row := UploadRow{
			Line:      r.line,
			Matricule: field(roleMatricule),
			Email:     field(roleEmail),
			LastName:  field(roleLastName),
			FirstName: field(roleFirstName),
			Values:    make(map[string]string, len(entries)),
		}
		empty := row.Matricule == "" && row.Email == "" && row.LastName == "" && row.FirstName == ""
		for _, e := range entries {
			v := cell(e.index)
			row.Values[e.key] = v
			empty = empty && v == ""
		}
		if !empty {
			up.Rows = append(up.Rows, row)
		}
	}
	return up, nil
}

// identification is what the header block says.
type identification struct {
	year, session, ue string
	version           string   // optional: the sheet version the file was made at
	columns           []string // labels under "Colonnes à compléter"
	columnsLine       int
}

// blockLabels are the header-block labels the reader looks for.
var blockLabels = []string{labelYear, labelSession, labelUE, labelColumns, labelVersion}

// optionalLabels may be missing (files written before they existed).
var optionalLabels = map[string]bool{labelVersion: true}

// readIdentification reads the header block: a label in the first column,
// its value in the second ("Colonnes à compléter": its values from the
// second on). Other rows are ignored.
func readIdentification(src source, rows []gridRow) (identification, error) {
	var id identification
	single := []struct {
		label string
		v     *string
	}{{labelYear, &id.year}, {labelSession, &id.session}, {labelUE, &id.ue}, {labelVersion, &id.version}}
	found := map[string]int{} // label -> line
	for _, r := range rows {
		if len(r.cells) == 0 {
			continue
		}
		n := strings.TrimSpace(strings.TrimSuffix(norm(r.cells[0]), ":"))
		label := ""
		for _, s := range blockLabels {
			if n == norm(s) {
				label = s
			}
		}
		if label == "" {
			continue
		}
		if prev, dup := found[label]; dup {
			return id, errorf("%q is given twice in %s (%s %d and %d)", label, src.text(), src.units(2), prev, r.line)
		}
		found[label] = r.line
		if label == labelColumns {
			id.columnsLine = r.line
			for _, c := range r.cells[1:] {
				if c = strings.TrimSpace(c); c != "" {
					id.columns = append(id.columns, c)
				}
			}
			if len(id.columns) == 0 {
				return id, errorf("%q lists no column (%s)", labelColumns, src.row(r.line))
			}
			continue
		}
		v := ""
		if len(r.cells) > 1 {
			v = strings.TrimSpace(r.cells[1])
		}
		if v == "" {
			return id, errorf("%q has no value (%s)", label, src.cell(r.line, 2))
		}
		for _, s := range single {
			if s.label == label {
				*s.v = v
			}
		}
	}
	var missing quotedList
	for _, label := range blockLabels {
		if _, ok := found[label]; !ok && !optionalLabels[label] {
			missing = append(missing, label)
		}
	}
	if len(missing) > 0 {
		return id, errorf("identification missing in %s: no %s %s above the %q header (label in the first column, value in the second)",
			src.text(), missing, src.units(len(missing)), headMatricule)
	}
	return id, nil
}

// units names n of the source's rows: rows of a worksheet, lines of a
// CSV file.
func (s source) units(n int) i18n.Text {
	switch {
	case s.format == "xlsx" && n == 1:
		return textf("row")
	case s.format == "xlsx":
		return textf("rows")
	case n == 1:
		return textf("line")
	}
	return textf("lines")
}
