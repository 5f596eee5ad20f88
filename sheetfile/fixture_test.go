package sheetfile_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/sheetfile"
)

var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err)
	}
	return loc
}()

const (
	stats  = "Statistiques appliquées"
	ethics = "Éthique"
)

// sample is a sheet with the UE mark and two activities, a locked cell, a
// later individual deadline and a student with nothing entered.
func sample() sheetfile.Template {
	endOf := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, brussels) }
	return sheetfile.Template{
		Year:     "2025-2026",
		Session:  "Q1",
		UE:       "1/8",
		UETitle:  "Méthodologie de la recherche",
		Deadline: endOf(2026, time.January, 31),
		Decimals: 1,
		Max:      "20",
		Columns:  []sheetfile.Column{{Key: "", Label: "Note UE"}, {Key: stats, Label: stats}, {Key: ethics}},
		Codes: []sheetfile.Code{
			{Code: "ABS", Label: "Absence injustifiée"},
			{Code: "CM", Label: "Absence justifiée (certificat médical)"},
			{Code: "PP", Label: "Pas présenté"},
		},
		Rows: []sheetfile.Row{
			{
				Matricule: "HE201234", LastName: "Dubois", FirstName: "Amélie", Email: "amelie.dubois@student.helmo.be",
				Deadline: endOf(2026, time.January, 31),
				Values:   map[string]string{"": "12.5", stats: "14", ethics: "CM"},
			},
			{
				Matricule: "HE201235", LastName: "Lambert", FirstName: "Jean-François", Email: "jf.lambert@student.helmo.be",
				Deadline: endOf(2026, time.February, 10),
				Values:   map[string]string{stats: "12,5", ethics: "0"},
				Locked:   map[string]string{"": "reportée de Q2 : 12"},
			},
			{
				Matricule: "HE201236", LastName: "Peeters", FirstName: "Sofie", Email: "sofie.peeters@student.helmo.be",
				Deadline: endOf(2026, time.January, 31),
			},
			{
				Matricule: "012345", LastName: "N'Diaye", FirstName: "Aïcha", Email: "aicha.ndiaye@student.helmo.be",
				Deadline: endOf(2026, time.January, 31),
				Values:   map[string]string{"": "20", stats: "12.50", ethics: "abs"},
			},
		},
	}
}

// Where sample's table lands: 11 header-block rows (title, year, session,
// UE, title, deadline, instruction, columns, three codes), a blank row,
// the header row, then the students.
const (
	headerLine = 13
	firstLine  = 14
)

// sampleUpload is what reading sample back gives.
func sampleUpload(format string) sheetfile.Upload {
	t := sample()
	up := sheetfile.Upload{Format: format, Year: t.Year, Session: t.Session, UE: t.UE, Columns: []string{"", stats, ethics}}
	for i, r := range t.Rows {
		values := map[string]string{"": "", stats: "", ethics: ""}
		for k, v := range r.Values {
			if format == "xlsx" && v == "12.50" {
				v = "12.5" // XLSX reads a number stored as text like a number
			}
			values[k] = v
		}
		up.Rows = append(up.Rows, sheetfile.UploadRow{
			Line: firstLine + i, Matricule: r.Matricule, Email: r.Email, LastName: r.LastName, FirstName: r.FirstName, Values: values,
		})
	}
	return up
}

func write(t *testing.T, format string, tmpl sheetfile.Template) []byte {
	t.Helper()
	var buf bytes.Buffer
	write := sheetfile.WriteXLSX
	if format == "csv" {
		write = sheetfile.WriteCSV
	}
	if err := write(&buf, tmpl); err != nil {
		t.Fatalf("Write%s: %v", format, err)
	}
	return buf.Bytes()
}

func read(t *testing.T, data []byte) sheetfile.Upload {
	t.Helper()
	up, err := sheetfile.Read(data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return up
}

func TestRoundTrip(t *testing.T) {
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			got := read(t, write(t, format, sample()))
			if diff := cmp.Diff(sampleUpload(format), got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// A sheet of a single-mark UE with no codes and whole marks.
func TestRoundTripMinimal(t *testing.T) {
	tmpl := sheetfile.Template{
		Year: "2025-2026", Session: "Q3", UE: "2/10", Max: "20",
		Columns: []sheetfile.Column{{}},
		Rows:    []sheetfile.Row{{Matricule: "HE1", Email: "a@b.be", Values: map[string]string{"": "7"}}},
	}
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			got := read(t, write(t, format, tmpl))
			want := sheetfile.Upload{
				Format: format, Year: "2025-2026", Session: "Q3", UE: "2/10", Columns: []string{""},
				Rows: []sheetfile.UploadRow{{Line: 11, Matricule: "HE1", Email: "a@b.be", Values: map[string]string{"": "7"}}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}
