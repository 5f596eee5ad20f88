package sheetfile_test

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/sheetfile"
)

func TestCSVLayout(t *testing.T) {
	data := write(t, "csv", sample())
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Errorf("no UTF-8 byte order mark")
	}
	lines := strings.Split(string(data[3:]), "\r\n")
	for i, want := range map[int]string{
		0:  "Feuille de notes",
		1:  "Année académique;2025-2026",
		2:  "Session;Q1",
		3:  `UE;"=""1/8"""`, // the text formula ="1/8", or Excel opens a date
		4:  "Intitulé;Méthodologie de la recherche",
		7:  "Colonnes à compléter;Note UE;Statistiques appliquées;Éthique",
		8:  "Codes autorisés;ABS;Absence injustifiée",
		9:  ";CM;Absence justifiée (certificat médical)",
		11: "",
		12: "Matricule;Nom;Prénom;Email;Échéance;Note UE;Statistiques appliquées;Éthique;Remarque",
		13: "HE201234;Dubois;Amélie;amelie.dubois@student.helmo.be;31/01/2026;12.5;14;CM;",
		14: "HE201235;Lambert;Jean-François;jf.lambert@student.helmo.be;10/02/2026;;12,5;0;Note UE : reportée de Q2 : 12",
	} {
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if !strings.HasPrefix(lines[5], "Échéance;31/01/2026;") {
		t.Errorf("line 6 = %q, want the deadline", lines[5])
	}
	if !strings.HasPrefix(lines[6], "Consigne;Encodez une note de 0 à 20 avec au plus 1 décimale, ou un des codes ci-dessous. Ne modifiez pas les colonnes Matricule et Email.") {
		t.Errorf("line 7 = %q, want the instruction", lines[6])
	}
}

// recode rewrites a CSV with another separator and line end, without a
// byte order mark, as another program would save it.
func recode(t *testing.T, data []byte, comma rune, crlf bool) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	must(t, err)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = comma
	w.UseCRLF = crlf
	for i, rec := range records {
		if i == 11 { // ReadAll skipped the blank line; keep line numbers
			must(t, w.Write(nil))
		}
		must(t, w.Write(rec))
	}
	w.Flush()
	must(t, w.Error())
	return buf.Bytes()
}

func TestCSVSeparators(t *testing.T) {
	data := write(t, "csv", sample())
	for _, c := range []struct {
		name  string
		comma rune
		crlf  bool
	}{
		{"comma CRLF", ',', true},
		{"comma LF", ',', false},
		{"tab CRLF", '\t', true},
		{"semicolon LF", ';', false},
	} {
		t.Run(c.name, func(t *testing.T) {
			other := recode(t, data, c.comma, c.crlf)
			if c.comma == ',' && !bytes.Contains(other, []byte(`"12,5"`)) {
				t.Fatalf("re-encoded file does not quote 12,5:\n%s", other)
			}
			if diff := cmp.Diff(sampleUpload("csv"), read(t, other)); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// A CSV typed or saved by hand: decimal commas, spaces, a teacher's own
// column, blank and empty lines, the UE as plain text, labels and headers
// in other cases and without accents.
func TestCSVByHand(t *testing.T) {
	const file = "annee academique ; 2025-2026\n" +
		"SESSION;Q1\n" +
		"UE :;1/8\n" +
		"colonnes a completer;note ue;Éthique\n" +
		"\n" +
		"MATRICULE;prenom;Note UE;Commentaire; ethique ;EMAIL\n" +
		"HE1; Amélie ;12,5;bien; cm ;a@b.be\n" +
		";;;;;\n" +
		"HE2;;;;;c@d.be\n" +
		";;;seulement un commentaire;;\n" +
		";;\"14,5\";;;\n" +
		"\n\n"
	want := sheetfile.Upload{
		Format: "csv", Year: "2025-2026", Session: "Q1", UE: "1/8", Columns: []string{"", ethics},
		Rows: []sheetfile.UploadRow{
			{Line: 7, Matricule: "HE1", FirstName: "Amélie", Email: "a@b.be", Values: map[string]string{"": "12,5", ethics: "cm"}},
			{Line: 9, Matricule: "HE2", Email: "c@d.be", Values: map[string]string{"": "", ethics: ""}},
			{Line: 11, Values: map[string]string{"": "14,5", ethics: ""}},
		},
	}
	if diff := cmp.Diff(want, read(t, []byte(file))); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// Excel's plain "CSV" save is Windows-1252; its "Unicode text" is UTF-16.
func TestCSVEncodings(t *testing.T) {
	utf8 := recode(t, write(t, "csv", sample()), ';', true)
	t.Run("windows-1252", func(t *testing.T) {
		var b []byte
		for _, r := range string(utf8) {
			if r > 0xFF {
				t.Fatalf("sample has %q, outside Latin-1", r)
			}
			b = append(b, byte(r))
		}
		if diff := cmp.Diff(sampleUpload("csv"), read(t, b)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
	})
	t.Run("utf-16", func(t *testing.T) {
		tabs := recode(t, utf8, '\t', true)
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(string(tabs))) {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
		if diff := cmp.Diff(sampleUpload("csv"), read(t, b)); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
	})
}

func TestCSVErrors(t *testing.T) {
	sampleCSV := string(write(t, "csv", sample()))
	for _, c := range []struct {
		name, file, want string
	}{
		{"no UE line", strings.Replace(sampleCSV, "UE;\"=\"\"1/8\"\"\"\r\n", "", 1),
			`identification missing in the CSV file: no "UE" line above the "Matricule" header`},
		{"UE given twice", strings.Replace(sampleCSV, "Intitulé;", "UE;", 1),
			`"UE" is given twice in the CSV file (lines 4 and 5)`},
		{"no header", "Année académique;2025-2026\r\nSession;Q1\r\nUE;1/8\r\n", `no header row (a line starting with "Matricule") in the CSV file`},
		{"single column", "UE;1/8\r\nMatricule\r\nHE1\r\n", `CSV line 2: the header row has a single field`},
		{"bad quote", strings.Replace(sampleCSV, "HE201235;Lambert", "HE201235;\"Lam\"bert", 1), `CSV line 15, column`},
		{"no columns listed", strings.Replace(sampleCSV, "Colonnes à compléter;Note UE;Statistiques appliquées;Éthique", "Colonnes à compléter;;", 1),
			`"Colonnes à compléter" lists no column (line 8)`},
		{"Email twice", "Année académique;2025-2026\nSession;Q1\nUE;1/8\nColonnes à compléter;Note UE\nMatricule;Email;Note UE;E-mail\nHE1;a@b.be;12;c@d.be\n",
			`column "E-mail" appears twice in the header row (line 5: fields 2 and 4)`},
		{"no Email column", "Année académique;2025-2026\nSession;Q1\nUE;1/8\nColonnes à compléter;Note UE\nMatricule;Note UE\nHE1;12\n",
			`the header row (line 5) has no "Email" column`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := sheetfile.Read([]byte(c.file))
			wantErr(t, err, c.want)
		})
	}
}
