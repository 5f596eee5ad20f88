package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/handlers"
)

// editCSV edits a downloaded CSV sheet as a spreadsheet user would: fn
// gets the table rows (header first) and returns them changed.
func editCSV(t *testing.T, file []byte, fn func(table [][]string) [][]string) []byte {
	t.Helper()
	text := strings.TrimPrefix(string(file), "\ufeff")
	parts := strings.SplitN(text, "\r\n\r\n", 2)
	if len(parts) != 2 {
		t.Fatalf("no blank line between the header block and the table:\n%s", text)
	}
	r := csv.NewReader(strings.NewReader(parts[1]))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	table, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString(parts[0] + "\r\n\r\n")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.WriteAll(fn(table)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// setMarks fills the "Note UE" column by matricule.
func setMarks(marks map[string]string) func([][]string) [][]string {
	return func(table [][]string) [][]string {
		col := -1
		for i, h := range table[0] {
			if h == "Note UE" {
				col = i
			}
		}
		for _, row := range table[1:] {
			if v, ok := marks[row[0]]; ok {
				row[col] = v
			}
		}
		return table
	}
}

func importReport(t *testing.T, a answer) handlers.ImportReport {
	t.Helper()
	var r handlers.ImportReport
	a.json(t, &r)
	return r
}

func rowOf(r handlers.ImportReport, mat string) handlers.ImportRow {
	for _, row := range r.Rows {
		if row.Matricule == mat {
			return row
		}
	}
	return handlers.ImportRow{}
}

// TestImportChecks: the checks of a spreadsheet upload, each with its cause
// in the per-row report; all or nothing by default.
func TestImportChecks(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	enrol(t, s, sec)
	file := s.must(200, "GET", q1_18+"/export.csv", prof, nil).body
	all := map[string]string{cohort[0].mat: "12", cohort[1].mat: "9,5", cohort[2].mat: " abs ", cohort[3].mat: "15", cohort[4].mat: "", cohort[5].mat: "11"}

	// Shifted rows: two emails swapped. Nothing is written; the report
	// names both rows.
	shifted := editCSV(t, file, func(table [][]string) [][]string {
		table = setMarks(all)(table)
		table[1][3], table[2][3] = table[2][3], table[1][3]
		return table
	})
	before := s.position(t)
	r := importReport(t, s.must(422, "POST", q1_18+"/import", prof, shifted))
	if r.Written || r.Refused != 2 || s.position(t) != before {
		t.Fatalf("shifted rows: %+v", r)
	}
	if p := rowOf(r, cohort[0].mat).Problems; len(p) != 1 || p[0].Field != "email" || !strings.Contains(p[0].Rule, "rows may have been shifted") {
		t.Fatalf("shifted row cause: %+v", p)
	}
	// A dry run previews the same decision and writes nothing.
	r = importReport(t, s.must(200, "POST", q1_18+"/import?dry_run=true&mode=partial", prof, shifted))
	if r.Written || r.Saved != 3 || r.Refused != 2 || s.position(t) != before {
		t.Fatalf("dry run: %+v", r)
	}
	// Partial: the rows that pass are saved.
	r = importReport(t, s.must(200, "POST", q1_18+"/import?mode=partial", prof, shifted))
	if !r.Written || r.Saved != 3 || r.Refused != 2 {
		t.Fatalf("partial import: %+v", r)
	}
	if c := rowOf(r, cohort[2].mat).Cells; len(c) != 1 || c[0].Entry.Code != "ABS" {
		t.Fatalf("code read regardless of case and spaces: %+v", c)
	}

	// A duplicated row and a row outside the sheet.
	dup := editCSV(t, file, func(table [][]string) [][]string {
		table = setMarks(all)(table)
		extra := append([]string(nil), table[1]...)
		outsider := append([]string(nil), table[1]...)
		outsider[0], outsider[3] = "HE209999", "zoe.zeller@student.helmo.be"
		return append(table, extra, outsider)
	})
	s.must(201, "POST", "/api/v1/students", sec, handlers.Registration{Matricule: "HE209999", FirstName: "Zoé", LastName: "Zeller", Email: "zoe.zeller@student.helmo.be"})
	r = importReport(t, s.must(422, "POST", q1_18+"/import", prof, dup))
	if p := rowOf(r, cohort[0].mat).Problems; len(p) != 1 || !strings.Contains(p[0].Rule, "appears on rows") {
		t.Fatalf("duplicate row: %+v", rowOf(r, cohort[0].mat))
	}
	if row := rowOf(r, "HE209999"); row.Outcome != handlers.Refused || !strings.Contains(row.Cells[0].Problems[0].Rule, "no validated PAE") {
		t.Fatalf("row outside the sheet: %+v", row)
	}

	// The secretariat records a CM; an import never turns it into ABS.
	s.must(200, "PUT", q1_18+"/entries/"+cohort[3].mat, sec, map[string]string{"value": "CM"})
	down := editCSV(t, file, setMarks(map[string]string{cohort[3].mat: "ABS"}))
	r = importReport(t, s.must(422, "POST", q1_18+"/import", sec, down))
	if c := rowOf(r, cohort[3].mat).Cells; len(c) != 1 || !strings.Contains(c[0].Problems[0].Rule, "may be cleared only by secretariat, not by import") {
		t.Fatalf("import over CM: %+v", rowOf(r, cohort[3].mat))
	}

	// Another sheet's file.
	other := s.must(200, "GET", "/api/v1/sheets/2025-2026/Q1/1/4/export.csv", sec, nil).body
	a := s.must(422, "POST", q1_18+"/import", sec, other)
	if !strings.Contains(string(a.body), "the file is the sheet of UE 1/4") {
		t.Fatalf("another sheet's file: %s", a.body)
	}

	// Past the deadline, each row is refused with it.
	s.Clock.Set(time.Date(2026, 2, 3, 8, 0, 0, 0, time.UTC))
	late := editCSV(t, file, setMarks(map[string]string{cohort[5].mat: "13"}))
	r = importReport(t, s.must(422, "POST", q1_18+"/import", prof, late))
	if c := rowOf(r, cohort[5].mat).Cells; len(c) != 1 || c[0].Problems[0].Field != "deadline" {
		t.Fatalf("late import: %+v", rowOf(r, cohort[5].mat))
	}
}
