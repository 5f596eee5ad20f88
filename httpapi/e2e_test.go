package httpapi_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/gradelog/gradelog/handlers"
)

var bloc1 = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}

type student struct{ mat, first, last, email string }

var cohort = []student{
	{"HE201001", "Amélie", "Dubois", "amelie.dubois@student.helmo.be"},
	{"HE201002", "Bruno", "Lambert", "bruno.lambert@student.helmo.be"},
	{"HE201003", "Chloé", "Martin", "chloe.martin@student.helmo.be"},
	{"HE201004", "David", "Peeters", "david.peeters@student.helmo.be"},
	{"HE201005", "Emma", "Renard", "emma.renard@student.helmo.be"},
	{"HE201006", "Farid", "Simon", "farid.simon@student.helmo.be"},
}

const (
	y     = "2025-2026"
	q1_18 = "/api/v1/sheets/2025-2026/Q1/1/8"
	q2_19 = "/api/v1/sheets/2025-2026/Q2/1/9"
	q3_19 = "/api/v1/sheets/2025-2026/Q3/1/9"
)

// enrol registers, admits and gives a bloc-1 PAE to the cohort, and
// schedules the three sessions with the ruleset's dates.
func enrol(t *testing.T, s *server, secretariat string) {
	t.Helper()
	for i, st := range cohort {
		s.must(201, "POST", "/api/v1/students", secretariat, handlers.Registration{
			Matricule: st.mat, FirstName: st.first, LastName: st.last, Email: st.email})
		adm := handlers.Admission{Year: y, Basis: "bachelier assistant social", HasBachelor: true}
		ues := bloc1
		if i == len(cohort)-1 {
			adm = handlers.Admission{Year: y, Basis: "VAE", Complements: []string{"1/1", "1/2", "1/3"}}
			ues = append([]string{"1/1", "1/2", "1/3"}, bloc1...)
		}
		s.must(200, "POST", "/api/v1/students/"+st.mat+"/admission", secretariat, adm)
		s.must(201, "PUT", "/api/v1/students/"+st.mat+"/pae/"+y, secretariat, handlers.PAERequest{UEs: ues})
	}
	for _, q := range []string{"Q1", "Q2", "Q3"} {
		s.must(200, "PUT", "/api/v1/sessions/"+y+"/"+q, secretariat, nil)
	}
}

// TestEndToEnd: a cohort of the seed programme is registered; sheets are
// filled by hand and by XLSX upload; a mark is corrected; a correction race
// is lost with a 409; a sheet is submitted; a late mark is refused.
func TestEndToEnd(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof18 := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	prof19 := s.token("prof.marchal", []string{"teacher"}, "1/9")
	enrol(t, s, sec)

	// By hand: the integrated UE 1/8 takes one UE mark per student.
	var sheet handlers.Sheet
	s.must(200, "GET", q1_18, prof18, nil).json(t, &sheet)
	if len(sheet.Rows) != len(cohort) || len(sheet.Columns) != 1 || sheet.Columns[0].Key != "" || sheet.Missing != len(cohort) {
		t.Fatalf("sheet of 1/8 in Q1: %d rows, columns %+v, %d missing", len(sheet.Rows), sheet.Columns, sheet.Missing)
	}
	marks := []string{"14", "9,5", " abs ", "12.5", "8", "16"}
	var in []handlers.EntryInput
	for i, st := range cohort {
		in = append(in, handlers.EntryInput{Student: st.mat, Value: marks[i]})
	}
	var rec handlers.Recorded
	s.must(200, "POST", q1_18+"/entries", prof18, map[string]any{"entries": in, "source": "form"}).json(t, &rec)
	if len(rec.Results) != 6 || rec.Results[1].Entry.Mark != "9.5" || rec.Results[2].Entry.Code != "ABS" || rec.Position == 0 {
		t.Fatalf("recorded: %+v", rec)
	}
	// An activity mark on the integrated UE names the rule.
	a := s.must(422, "POST", q1_18+"/entries", prof18, map[string]any{"entries": []handlers.EntryInput{
		{Student: cohort[0].mat, Activity: "Travaux pratiques", Value: "12"}}})
	if !strings.Contains(string(a.body), "UE 1/8 is evaluated with a single integrated mark; activity \\\"Travaux pratiques\\\" cannot be marked") {
		t.Fatalf("activity mark on 1/8: %s", a.body)
	}

	// A correction: If-Match names the version seen; two people
	// correcting at once: one wins, the other gets 409 and the current value.
	entry := "/entries/" + cohort[4].mat
	e := s.must(200, "GET", q1_18+entry, prof18, nil)
	tag := e.header.Get("ETag")
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i, v := range []string{"10", "11"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := prof18
			if i == 1 {
				tok = sec
			}
			answers[i] = s.do("PUT", q1_18+entry, tok, map[string]string{"value": v, "reason": "erreur d'encodage"}, "If-Match", tag)
		}()
	}
	wg.Wait()
	won, lost := answers[0], answers[1]
	if won.status != 200 {
		won, lost = lost, won
	}
	if won.status != 200 || lost.status != 409 {
		t.Fatalf("correction race: %d and %d\n%s\n%s", answers[0].status, answers[1].status, answers[0].body, answers[1].body)
	}
	if now := s.must(200, "GET", q1_18+entry, prof18, nil).header.Get("ETag"); won.header.Get("ETag") != now || now == tag {
		t.Fatalf("the winner's ETag %s, the entry's %s (was %s)", won.header.Get("ETag"), now, tag)
	}
	var conflict struct {
		Current handlers.EntryView `json:"current"`
	}
	lost.json(t, &conflict)
	if v := conflict.Current.Entry.Mark; v != "10" && v != "11" || conflict.Current.Version == 0 {
		t.Fatalf("409 carries the current entry: %s", lost.body)
	}

	// Submitting: no more marks until the secretariat reopens with a reason.
	var sub handlers.Submitted
	s.must(200, "POST", q1_18+"/submit", prof18, nil).json(t, &sub)
	if sub.Missing != 0 {
		t.Fatalf("submitted with %d missing", sub.Missing)
	}
	a = s.must(422, "POST", q1_18+"/entries", prof18, map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "15"}}})
	if !strings.Contains(string(a.body), "submitted") {
		t.Fatalf("mark on a submitted sheet: %s", a.body)
	}
	s.must(422, "POST", q1_18+"/reopen", sec, map[string]string{"reason": " "})
	s.must(403, "POST", q1_18+"/reopen", prof18, map[string]string{"reason": "oubli"})
	s.must(200, "POST", q1_18+"/reopen", sec, map[string]string{"reason": "certificat médical reçu"})
	// A correction after a submission states its reason; CM is the
	// secretariat's alone.
	s.must(422, "PUT", q1_18+"/entries/"+cohort[0].mat, prof18, map[string]string{"value": "15"})
	a = s.must(403, "PUT", q1_18+"/entries/"+cohort[2].mat, prof18, map[string]string{"value": "CM", "reason": "certificat"})
	if !strings.Contains(string(a.body), "may be set only by secretariat") {
		t.Fatalf("teacher setting CM: %s", a.body)
	}
	s.must(200, "PUT", q1_18+"/entries/"+cohort[2].mat, sec, map[string]string{"value": "cm", "reason": "certificat médical"})
	s.must(403, "PUT", q1_18+"/entries/"+cohort[2].mat, prof18, map[string]string{"value": "ABS", "reason": "absent"})

	// A late mark: past the encoding deadline the teacher is refused; the
	// secretariat may extend one student's deadline.
	s.Clock.Set(time.Date(2026, 2, 3, 8, 0, 0, 0, time.UTC))
	a = s.must(422, "PUT", q1_18+"/entries/"+cohort[0].mat, prof18, map[string]string{"value": "15", "reason": "relecture"})
	if !strings.Contains(string(a.body), "deadline") {
		t.Fatalf("late mark: %s", a.body)
	}
	s.must(200, "POST", q1_18+"/extensions", sec, handlers.Extension{Student: cohort[0].mat,
		Until: time.Date(2026, 2, 10, 23, 0, 0, 0, time.UTC), Reason: "examen reporté"})
	s.must(200, "PUT", q1_18+"/entries/"+cohort[0].mat, prof18, map[string]string{"value": "15", "reason": "examen reporté"})

	// By XLSX: the teacher of 1/9 downloads the Q2 sheet, fills the two
	// activities and uploads it back.
	s.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	x := s.must(200, "GET", q2_19+"/export.xlsx", prof19, nil)
	filled := fillXLSX(t, x.body, map[string][2]string{
		cohort[0].mat: {"12", "6"}, // 8.4 -> 8: failed, Méthodologies carries to Q3
		cohort[1].mat: {"15", "13"},
		cohort[2].mat: {"pp", "11"},
		cohort[3].mat: {"10,5", "10"},
		cohort[4].mat: {"9", "14"},
		cohort[5].mat: {"16", "17"},
	})
	var report handlers.ImportReport
	s.must(200, "POST", q2_19+"/import", prof19, filled, "Idempotency-Key", "upload-1").json(t, &report)
	if !report.Written || report.Saved != 6 || report.Refused != 0 || report.Format != "xlsx" {
		t.Fatalf("import: %+v", report)
	}
	// The same file again writes nothing.
	before := s.position(t)
	s.must(200, "POST", q2_19+"/import", prof19, filled).json(t, &report)
	if report.Written || report.Unchanged != 6 || s.position(t) != before {
		t.Fatalf("re-import: %+v (log %d -> %d)", report, before, s.position(t))
	}

	// Carry-over: in Q3 the student re-sits only Travaux pratiques.
	s.Clock.Set(time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC))
	s.must(200, "POST", q3_19+"/open", prof19, nil)
	s.must(200, "GET", q3_19, prof19, nil).json(t, &sheet)
	// Dubois failed with 12 and 6; Martin was not presented (PP) in
	// Méthodologies and keeps the 11 of Travaux pratiques.
	if len(sheet.Rows) != 2 || sheet.Rows[0].Matricule != cohort[0].mat || sheet.Rows[1].Matricule != cohort[2].mat ||
		sheet.Rows[0].Entries["Méthodologies"].Carried != "Q2" || sheet.Rows[0].Entries["Méthodologies"].Entry.Mark != "12" ||
		sheet.Rows[1].Entries["Travaux pratiques"].Entry.Mark != "11" || len(sheet.Rows[1].Missing) != 1 {
		t.Fatalf("Q3 sheet of 1/9: %+v", sheet.Rows)
	}
	a = s.must(422, "PUT", q3_19+"/entries/"+cohort[0].mat+"?activity=M%C3%A9thodologies", prof19, map[string]string{"value": "14"})
	if !strings.Contains(string(a.body), "carried over") {
		t.Fatalf("mark on a carried activity: %s", a.body)
	}
	s.must(200, "PUT", q3_19+"/entries/"+cohort[0].mat+"?activity=Travaux%20pratiques", prof19, map[string]string{"value": "11"})
}

func (s *server) position(t *testing.T) uint64 {
	t.Helper()
	p, err := s.Log.LastPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fillXLSX fills a downloaded sheet as a teacher would in a spreadsheet:
// the two activity columns of each student's row.
func fillXLSX(t *testing.T, file []byte, values map[string][2]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	header, cols := -1, map[string]int{}
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Matricule" {
			header = i
			for j, c := range r {
				cols[c] = j
			}
		}
	}
	if header < 0 {
		t.Fatalf("no header row in the downloaded sheet: %q", rows)
	}
	for i := header + 1; i < len(rows); i++ {
		v, ok := values[rows[i][0]]
		if !ok {
			continue
		}
		for k, title := range []string{"Méthodologies", "Travaux pratiques"} {
			cell, _ := excelize.CoordinatesToCellName(cols[title]+1, i+1)
			if err := f.SetCellValue(sheet, cell, v[k]); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
