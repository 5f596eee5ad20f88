package sheetfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/gradelog/gradelog/sheetfile"
)

func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize.OpenReader: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func save(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatalf("WriteToBuffer: %v", err)
	}
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	must(t, err)
	return v
}

// The visible layout the reader relies on, and the extras a user sees.
func TestXLSXLayout(t *testing.T) {
	f := open(t, write(t, "xlsx", sample()))
	if got, want := f.GetSheetList(), []string{"Notes", "Codes"}; !cmp.Equal(got, want) {
		t.Errorf("worksheets %q, want %q", got, want)
	}
	for ref, want := range map[string]string{
		"A1": "Feuille de notes",
		"A2": "Année académique", "B2": "2025-2026",
		"A3": "Session", "B3": "Q1",
		"A4": "UE", "B4": "1/8",
		"A5": "Intitulé", "B5": "Méthodologie de la recherche",
		"A6": "Échéance", "B6": "31/01/2026",
		"A7": "Consigne",
		"A8": "Colonnes à compléter", "B8": "Note UE", "C8": stats, "D8": ethics,
		"A9": "Codes autorisés", "B9": "ABS", "C9": "Absence injustifiée", "B11": "PP",
		"A13": "Matricule", "B13": "Nom", "C13": "Prénom", "D13": "Email", "E13": "Échéance",
		"F13": "Note UE", "G13": stats, "H13": ethics, "I13": "Remarque",
		"A14": "HE201234", "E15": "10/02/2026", "F14": "12.5", "H14": "CM",
		"I15": "Note UE : reportée de Q2 : 12",
		"A17": "012345",
	} {
		if got := cell(t, f, "Notes", ref); got != want {
			t.Errorf("Notes!%s = %q, want %q", ref, got, want)
		}
	}
	if got := cell(t, f, "Notes", "B7"); !strings.HasPrefix(got, "Encodez une note de 0 à 20 avec au plus 1 décimale, ou un des codes ci-dessous. Ne modifiez pas les colonnes Matricule et Email.") {
		t.Errorf("instruction %q", got)
	}
	if got := cell(t, f, "Codes", "A3") + " " + cell(t, f, "Codes", "B3"); got != "CM Absence justifiée (certificat médical)" {
		t.Errorf("Codes!A3:B3 = %q", got)
	}

	// Numbers are number cells, other entries text; identity cells text.
	for ref, want := range map[string]excelize.CellType{"F14": excelize.CellTypeUnset, "H14": excelize.CellTypeSharedString, "A17": excelize.CellTypeSharedString, "G17": excelize.CellTypeSharedString} {
		got, err := f.GetCellType("Notes", ref)
		must(t, err)
		if got != want {
			t.Errorf("type of %s = %v, want %v", ref, got, want)
		}
	}

	panes, err := f.GetPanes("Notes")
	must(t, err)
	if !panes.Freeze || panes.YSplit != headerLine {
		t.Errorf("panes %+v, want frozen below row %d", panes, headerLine)
	}
	style := func(ref string) *excelize.Style {
		id, err := f.GetCellStyle("Notes", ref)
		must(t, err)
		s, err := f.GetStyle(id)
		must(t, err)
		return s
	}
	if s := style("A13"); s.Font == nil || !s.Font.Bold {
		t.Errorf("header row not bold")
	}
	grey := func(s *excelize.Style) bool { return len(s.Fill.Color) > 0 && s.Fill.Color[0] != "" }
	if !grey(style("A14")) || !grey(style("F15")) {
		t.Errorf("identity cell A14 and locked cell F15 should be grey")
	}
	if grey(style("F14")) {
		t.Errorf("cell F14 to fill should not be grey")
	}
	props, err := f.GetCustomProps()
	must(t, err)
	got := map[string]any{}
	for _, p := range props {
		got[p.Name] = p.Value
	}
	if diff := cmp.Diff(map[string]any{"gradelog-year": "2025-2026", "gradelog-session": "Q1", "gradelog-ue": "1/8"}, got); diff != "" {
		t.Errorf("custom properties (-want +got):\n%s", diff)
	}
}

// A user fills the sheet in a spreadsheet program: numbers as numbers,
// codes with stray spaces, a blank row, a comment column of their own, a
// header retyped in another case, the sheets reordered.
func TestXLSXFilledByUser(t *testing.T) {
	f := open(t, write(t, "xlsx", sample()))
	const s = "Notes"
	// Peeters (row 16): 12.5 and 14 typed as numbers, " cm " as text.
	must(t, f.SetCellValue(s, "F16", 12.5))
	must(t, f.SetCellValue(s, "G16", 14))
	must(t, f.SetCellValue(s, "H16", " cm "))
	// Dubois (row 14): a sum that carries float noise, a number typed as text.
	must(t, f.SetCellFloat(s, "F14", 0.1+0.2, -1, 64))
	must(t, f.SetCellStr(s, "G14", "12.50"))
	// Lambert (row 15): a number shown as a date, as Excel does with "12/5".
	must(t, f.SetCellValue(s, "H15", 46154))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	must(t, f.SetCellStyle(s, "H15", "H15", dateStyle))
	// The teacher's own column, after Remarque.
	must(t, f.SetCellStr(s, "J13", "Commentaire"))
	must(t, f.SetCellStr(s, "J14", "bon travail"))
	must(t, f.SetCellValue(s, "J16", 3))
	// A header retyped.
	must(t, f.SetCellStr(s, "G13", "  statistiques APPLIQUEES "))
	// Below the table: a line with only a comment, a blank row, a mark with no student.
	must(t, f.SetCellStr(s, "J19", "moyenne de la classe"))
	must(t, f.SetCellValue(s, "F21", 15))
	// A blank row inserted between Dubois and Lambert: everything below moves down.
	must(t, f.InsertRows(s, 15, 1))
	// Sheets reordered: the table is no longer on the first worksheet.
	must(t, f.MoveSheet("Codes", "Notes"))

	got := read(t, save(t, f))

	want := sampleUpload("xlsx")
	want.Rows[0].Values = map[string]string{"": "0.3", stats: "12.5", ethics: "CM"}
	want.Rows[2].Values = map[string]string{"": "12.5", stats: "14", ethics: "cm"}
	want.Rows[1].Line++
	want.Rows[2].Line++
	want.Rows[3].Line++
	want.Rows = append(want.Rows, sheetfile.UploadRow{Line: 22, Values: map[string]string{"": "15", stats: "", ethics: ""}})
	// Lambert's date-formatted cell comes back as shown (excelize shows
	// the built-in date format 14 as mm-dd-yy), not as 46154.
	want.Rows[1].Values[ethics] = "05-12-26"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestXLSXErrors(t *testing.T) {
	t.Run("no header row", func(t *testing.T) {
		f := excelize.NewFile()
		defer f.Close()
		must(t, f.SetCellStr("Sheet1", "A1", "Nom"))
		must(t, f.SetCellStr("Sheet1", "B1", "Note"))
		_, err := f.NewSheet("Feuil2")
		must(t, err)
		_, err = sheetfile.Read(save(t, f))
		wantErr(t, err, `no header row (a row starting with "Matricule") in worksheets "Sheet1", "Feuil2"`)
	})
	t.Run("missing identification", func(t *testing.T) {
		f := open(t, write(t, "xlsx", sample()))
		must(t, f.RemoveRow("Notes", 4)) // UE
		must(t, f.RemoveRow("Notes", 2)) // Année académique
		_, err := sheetfile.Read(save(t, f))
		wantErr(t, err, `identification missing in worksheet "Notes": no "Année académique", "UE" rows above the "Matricule" header`)
	})
	t.Run("empty identification", func(t *testing.T) {
		f := open(t, write(t, "xlsx", sample()))
		must(t, f.SetCellStr("Notes", "B3", " "))
		_, err := sheetfile.Read(save(t, f))
		wantErr(t, err, `"Session" has no value (worksheet "Notes", cell B3)`)
	})
	t.Run("no Email column", func(t *testing.T) {
		f := open(t, write(t, "xlsx", sample()))
		must(t, f.RemoveCol("Notes", "D"))
		_, err := sheetfile.Read(save(t, f))
		wantErr(t, err, `the header row (worksheet "Notes", row 13) has no "Email" column`)
	})
	t.Run("column twice", func(t *testing.T) {
		f := open(t, write(t, "xlsx", sample()))
		must(t, f.SetCellStr("Notes", "J13", "note ue"))
		_, err := sheetfile.Read(save(t, f))
		wantErr(t, err, `column "note ue" appears twice in the header row (worksheet "Notes", row 13: columns F and J)`)
	})
	t.Run("not a workbook", func(t *testing.T) {
		_, err := sheetfile.Read([]byte("PK\x03\x04 truncated"))
		wantErr(t, err, "not a readable XLSX workbook")
	})
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\nwant it to contain %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), "sheetfile: ") {
		t.Errorf("error %q does not start with \"sheetfile: \"", err)
	}
}
