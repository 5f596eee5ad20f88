// Package sheetfile writes grade sheets as spreadsheet files (XLSX, CSV)
// for teachers to fill in, and reads the files they upload back.
//
// It only writes and parses files. Everything the domain decides (does the
// matricule match the email, is the student on the sheet, is the code
// allowed, is the deadline past, is the mark valid) is left to the caller,
// which gets every cell as text, trimmed, as typed. Parsing never guesses:
// what cannot be read is an error naming the worksheet, row or line, and
// cell.
//
// Both formats share one layout, in French, the language of the users:
//
//	Feuille de notes
//	Année académique      | 2025-2026
//	Session               | Q1
//	UE                    | 1/8
//	Intitulé              | <UE title>
//	Échéance              | 31/01/2026 | jusqu'à 23:59 (heure de Bruxelles)
//	Consigne              | Encodez une note de 0 à 20 ...
//	Colonnes à compléter  | Note UE | <activity title> | ...
//	Codes autorisés       | ABS | Absence injustifiée
//	                      | CM  | Certificat médical
//	(blank)
//	Matricule | Nom | Prénom | Email | Échéance | Note UE | <activity> ... | Remarque
//	<one row per student>
//
// The column of the UE mark is headed "Note UE" (key ""); an activity's
// column is headed by the activity's title (key = title).
//
// The reader finds the table by its header row, the first row whose first
// cell is "Matricule", and reads the identification (year, session, UE)
// and the list of columns to fill from the rows above it: a label in the
// first column, its value in the second. Labels and headers are matched
// ignoring case, accents and surrounding whitespace. Table columns that are
// neither identity columns nor listed under "Colonnes à compléter" (a
// teacher's own comments, say) are ignored.
//
// XLSX files have a worksheet "Notes" (header block and table) and a
// worksheet "Codes" (code and label). CSV files are UTF-8 with a byte order
// mark, ";"-separated, CRLF; the reader also takes "," and tab separators,
// LF, no byte order mark, UTF-16 with a byte order mark, and files that are
// not UTF-8, which it reads as Windows-1252 (what Excel's plain "CSV" save
// writes).
package sheetfile

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // deadlines are days in Europe/Brussels wherever the server runs
)

// Template is a grade sheet as downloaded.
type Template struct {
	Year     string    // "2025-2026"
	Session  string    // "Q1", "Q2", "Q3"
	UE       string    // "1/8"
	UETitle  string    // shown only
	Version  uint64    // the sheet's version when downloaded (0: not shown); the upload carries it back
	Deadline time.Time // the sheet's encoding deadline (date; end of that day, Europe/Brussels), shown on the sheet
	Decimals int       // decimals allowed in a mark (e.g. 1)
	Max      string    // top of the scale, "20"
	Columns  []Column  // the columns to fill, in order
	Codes    []Code    // codes allowed instead of a mark
	Rows     []Row
}

// Column is one column to fill: the UE mark (Key "") or one activity (Key
// = activity title). Label is the header shown: "Note UE" for the UE mark,
// the activity title otherwise; an empty Label is taken as that default.
// Any other label is refused, since the reader maps headers back to keys by
// that rule alone.
type Column struct {
	Key   string
	Label string // header shown: "Note UE" or the activity title
}

// Code is a code allowed instead of a mark, e.g. {"ABS", "Absence injustifiée"}.
type Code struct{ Code, Label string }

// Row is one student on the sheet.
type Row struct {
	Matricule, LastName, FirstName, Email string
	Deadline                              time.Time         // this student's deadline (may differ from the sheet's); zero shows nothing
	Values                                map[string]string // current entry per column key ("12.5", "CM"); missing = empty
	Locked                                map[string]string // column key -> why it is not to be filled (e.g. "reportée de Q2 : 12"); shown, not editable
}

// The words of the file. The reader matches them with norm.
const (
	title            = "Feuille de notes"
	labelYear        = "Année académique"
	labelSession     = "Session"
	labelUE          = "UE"
	labelUETitle     = "Intitulé"
	labelDeadline    = "Échéance"
	labelInstruction = "Consigne"
	labelVersion     = "Version de la feuille"
	labelColumns     = "Colonnes à compléter"
	labelCodes       = "Codes autorisés"

	headMatricule = "Matricule"
	headLastName  = "Nom"
	headFirstName = "Prénom"
	headEmail     = "Email"
	headDeadline  = "Échéance"
	headRemark    = "Remarque"

	ueMarkLabel = "Note UE" // header of the column of Key ""

	sheetNotes = "Notes"
	sheetCodes = "Codes"

	dateLayout = "02/01/2006"
)

// identityHeads are the table's columns before the columns to fill.
var identityHeads = []string{headMatricule, headLastName, headFirstName, headEmail, headDeadline}

// brussels is where the programme's days begin and end.
var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}()

// layout is a template laid out as cells, shared by both writers.
type layout struct {
	block  [][]string // rows above the table, title first (the blank row after it is not included)
	ueRow  int        // index in block of the "UE" row
	header []string   // the table's header row
	rows   [][]string // one per student, as long as header
	locked [][]bool   // per student, per column to fill
	labels []string   // the headers of the columns to fill
}

// layout checks t and lays it out. The checks refuse what the reader could
// not read back.
func (t Template) layout() (layout, error) {
	for _, f := range []struct{ name, v string }{{"Year", t.Year}, {"Session", t.Session}, {"UE", t.UE}, {"Max", t.Max}} {
		if strings.TrimSpace(f.v) == "" {
			return layout{}, fmt.Errorf("sheetfile: template has no %s", f.name)
		}
	}
	if len(t.Columns) == 0 {
		return layout{}, errors.New("sheetfile: template has no column to fill")
	}
	reserved := map[string]bool{}
	for _, h := range append(identityHeads, headRemark) {
		reserved[norm(h)] = true
	}
	keys := map[string]bool{}
	seen := map[string]string{} // norm(label) -> label
	labels := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		label := c.Label
		switch {
		case c.Key == "" && (label == "" || label == ueMarkLabel):
			label = ueMarkLabel
		case c.Key == "":
			return layout{}, fmt.Errorf("sheetfile: column %d: the UE mark's label must be %q, not %q", i+1, ueMarkLabel, c.Label)
		case label == "" || label == c.Key:
			label = c.Key
			if strings.TrimSpace(label) != label {
				return layout{}, fmt.Errorf("sheetfile: column %d: activity %q has surrounding whitespace", i+1, c.Key)
			}
			if norm(label) == norm(ueMarkLabel) {
				return layout{}, fmt.Errorf("sheetfile: column %d: an activity cannot be titled %q", i+1, c.Key)
			}
		default:
			return layout{}, fmt.Errorf("sheetfile: column %d: activity %q must be labelled with its title, not %q", i+1, c.Key, c.Label)
		}
		n := norm(label)
		if reserved[n] {
			return layout{}, fmt.Errorf("sheetfile: column %d: %q is the header of a fixed column", i+1, label)
		}
		if prev, ok := seen[n]; ok {
			return layout{}, fmt.Errorf("sheetfile: columns %q and %q cannot be told apart (headers are matched ignoring case and accents)", prev, label)
		}
		seen[n] = label
		keys[c.Key] = true
		labels[i] = label
	}

	l := layout{labels: labels}
	l.block = append(l.block,
		[]string{title},
		[]string{labelYear, t.Year},
		[]string{labelSession, t.Session},
	)
	l.ueRow = len(l.block)
	l.block = append(l.block,
		[]string{labelUE, t.UE},
		[]string{labelUETitle, t.UETitle},
	)
	if t.Version > 0 {
		l.block = append(l.block, []string{labelVersion, strconv.FormatUint(t.Version, 10)})
	}
	l.block = append(l.block,
		t.deadlineRow(),
		[]string{labelInstruction, t.instruction()},
		append([]string{labelColumns}, labels...),
	)
	for i, c := range t.Codes {
		label := ""
		if i == 0 {
			label = labelCodes
		}
		l.block = append(l.block, []string{label, c.Code, c.Label})
	}

	l.header = append(append(append([]string{}, identityHeads...), labels...), headRemark)
	for i, r := range t.Rows {
		for k := range r.Values {
			if !keys[k] {
				return layout{}, fmt.Errorf("sheetfile: row %d (%s): value for %q, which is not a column of the sheet", i+1, r.Matricule, k)
			}
		}
		var remarks []string
		locked := make([]bool, len(t.Columns))
		for j, c := range t.Columns {
			if why, ok := r.Locked[c.Key]; ok {
				locked[j] = true
				remarks = append(remarks, labels[j]+" : "+why)
			}
		}
		for k := range r.Locked {
			if !keys[k] {
				return layout{}, fmt.Errorf("sheetfile: row %d (%s): locked column %q is not a column of the sheet", i+1, r.Matricule, k)
			}
		}
		cells := []string{r.Matricule, r.LastName, r.FirstName, r.Email, formatDate(r.Deadline)}
		for _, c := range t.Columns {
			cells = append(cells, r.Values[c.Key])
		}
		cells = append(cells, strings.Join(remarks, " ; "))
		l.rows = append(l.rows, cells)
		l.locked = append(l.locked, locked)
	}
	return l, nil
}

func (t Template) deadlineRow() []string {
	row := []string{labelDeadline, formatDate(t.Deadline)}
	if t.Deadline.IsZero() {
		return row
	}
	note := "jusqu'à 23:59 (heure de Bruxelles)"
	for _, r := range t.Rows {
		if !r.Deadline.IsZero() && formatDate(r.Deadline) != formatDate(t.Deadline) {
			note += " ; certaines échéances individuelles diffèrent : voir la colonne Échéance"
			break
		}
	}
	return append(row, note)
}

// instruction is the short French instruction shown above the table.
func (t Template) instruction() string {
	var b strings.Builder
	switch {
	case t.Decimals <= 0:
		fmt.Fprintf(&b, "Encodez une note entière de 0 à %s", t.Max)
	case t.Decimals == 1:
		fmt.Fprintf(&b, "Encodez une note de 0 à %s avec au plus 1 décimale", t.Max)
	default:
		fmt.Fprintf(&b, "Encodez une note de 0 à %s avec au plus %d décimales", t.Max, t.Decimals)
	}
	if len(t.Codes) > 0 {
		b.WriteString(", ou un des codes ci-dessous")
	}
	b.WriteString(". Ne modifiez pas les colonnes Matricule et Email.")
	for _, r := range t.Rows {
		if len(r.Locked) > 0 {
			b.WriteString(" Les cases signalées dans la colonne Remarque ne sont pas à compléter.")
			break
		}
	}
	return b.String()
}

// formatDate shows the day of t in Brussels, "" for the zero time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brussels).Format(dateLayout)
}

// number returns the float a cell value stands for when writing it as a
// number cell gives it back unchanged: "12.5" and "14" do, "12.50", "007",
// "1e3" and "12,5" stay text.
func number(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || cleanNumber(f) != s {
		return 0, false
	}
	return f, true
}

// cleanNumber formats a cell's number as a user sees it: at most 15
// significant digits (Excel's precision, which drops float noise such as
// 12.299999999999999), no exponent, no "-0".
func cleanNumber(f float64) string {
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		f = 0 // not -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// norm is how labels and headers are compared: case, accents, inner and
// surrounding whitespace do not count.
func norm(s string) string {
	return foldAccents.Replace(strings.ToLower(strings.Join(strings.Fields(s), " ")))
}

var foldAccents = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a",
	"ç", "c",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i",
	"ô", "o", "ö", "o", "ó", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "œ", "oe", "æ", "ae",
)
