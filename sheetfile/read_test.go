package sheetfile_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/sheetfile"
	"github.com/xuri/excelize/v2"
)

func TestReadNotASpreadsheet(t *testing.T) {
	random := make([]byte, 4096)
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(random)
	random[0] = 'x' // neither zip nor OLE magic

	var ods bytes.Buffer
	z := zip.NewWriter(&ods)
	w, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	must(t, err)
	_, _ = io.WriteString(w, "application/vnd.oasis.opendocument.spreadsheet")
	must(t, z.Close())

	var docx bytes.Buffer
	z = zip.NewWriter(&docx)
	w, err = z.Create("word/document.xml")
	must(t, err)
	_, _ = io.WriteString(w, "<document/>")
	must(t, z.Close())

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"random bytes", random, "not a spreadsheet: the file is neither an XLSX workbook nor CSV text"},
		{"PDF", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\x00\nendobj\n"), "not a spreadsheet"},
		{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"), "old Excel workbook (.xls) or a password-protected one"},
		{"ods", ods.Bytes(), "OpenDocument spreadsheet (.ods)"},
		{"another zip", docx.Bytes(), "not a readable XLSX workbook"},
		{"text", []byte("Bonjour,\nvoici mes notes.\n"), `no header row (a line starting with "Matricule") in the CSV file`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := sheetfile.Read(c.data)
			wantErr(t, err, c.want)
		})
	}
}

// The writers refuse what the reader could not read back.
func TestWriteRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*sheetfile.Template)
		want string
	}{
		{"no UE", func(t *sheetfile.Template) { t.UE = "" }, "template has no UE"},
		{"no columns", func(t *sheetfile.Template) { t.Columns = nil }, "no column to fill"},
		{"UE mark relabelled", func(t *sheetfile.Template) { t.Columns[0].Label = "Note finale" }, `the UE mark's label must be "Note UE"`},
		{"activity relabelled", func(t *sheetfile.Template) { t.Columns[1].Label = "Stats" }, "must be labelled with its title"},
		{"activity named like a fixed column", func(t *sheetfile.Template) { t.Columns[1] = sheetfile.Column{Key: "Remarque"} }, "header of a fixed column"},
		{"activity named Note UE", func(t *sheetfile.Template) { t.Columns[1] = sheetfile.Column{Key: "note UE"} }, `cannot be titled "note UE"`},
		{"activities alike", func(t *sheetfile.Template) { t.Columns[2] = sheetfile.Column{Key: "statistiques appliquees"} }, "cannot be told apart"},
		{"value of no column", func(t *sheetfile.Template) { t.Rows[0].Values["Stage"] = "12" }, `row 1 (HE201234): value for "Stage"`},
		{"lock on no column", func(t *sheetfile.Template) { t.Rows[1].Locked["Stage"] = "dispensé" }, `row 2 (HE201235): locked column "Stage"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl := sample()
			c.edit(&tmpl)
			for _, write := range []func(io.Writer, sheetfile.Template) error{sheetfile.WriteXLSX, sheetfile.WriteCSV} {
				wantErr(t, write(io.Discard, tmpl), c.want)
			}
		})
	}
}

// TestSizeLimits: a file with more rows or wider rows than any grade
// sheet is refused with the limit named, in both formats.
func TestSizeLimits(t *testing.T) {
	header := "Matricule;Nom;Prénom;Email;Note UE\n"
	long := header + strings.Repeat("HE000001;A;B;a@b.be;12\n", sheetfile.MaxRows+1)
	if _, err := sheetfile.Read([]byte(long)); err == nil || !strings.Contains(err.Error(), "more than 5000 rows") {
		t.Fatalf("CSV of %d rows: %v", sheetfile.MaxRows+2, err)
	}
	wide := header + "HE000001" + strings.Repeat(";x", sheetfile.MaxColumns) + "\n"
	if _, err := sheetfile.Read([]byte(wide)); err == nil || !strings.Contains(err.Error(), "more than 100") {
		t.Fatalf("CSV row of %d cells: %v", sheetfile.MaxColumns+1, err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"Matricule", "Nom", "Prénom", "Email", "Note UE"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Sheet1", fmt.Sprintf("A%d", sheetfile.MaxRows+2), "HE000001"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := sheetfile.Read(buf.Bytes()); err == nil || !strings.Contains(err.Error(), `worksheet "Sheet1" has more than 5000 rows`) {
		t.Fatalf("XLSX of %d rows: %v", sheetfile.MaxRows+2, err)
	}
}
