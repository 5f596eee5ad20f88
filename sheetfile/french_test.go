package sheetfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/i18n/i18ntest"
)

// TestFrenchCatalog: every text the reader writes for people (errorf,
// textf, with a literal format) has a French with the same verbs, and no
// French is left of a text no longer written.
func TestFrenchCatalog(t *testing.T) {
	i18ntest.Check(t, french, i18ntest.Calls(t, ".", map[string]int{"errorf": 0, "textf": 0}, "errorf", "textf"))
}

// englishWords betray an English message in a French one.
var englishWords = []string{"sheetfile", "worksheet", " the ", " row", "line ", " has ", " is ", " no ", " not ", " and "}

// checkReadError fails t unless err, an error of the reader, reads in
// French without English (but what it quotes of another library's
// error) and in English as it always has.
func checkReadError(t *testing.T, err error) {
	t.Helper()
	var re *readError
	if !errors.As(err, &re) {
		t.Fatalf("%T %q is not an error the reader translates (errorf)", err, err)
	}
	if re.In(i18n.English) != err.Error() || !strings.HasPrefix(err.Error(), "sheetfile: ") {
		t.Errorf("%q in English: %q", err, re.In(i18n.English))
	}
	fr := re.In(i18n.French)
	for _, q := range re.wrapped {
		if _, ok := frenchLabel(q); !ok {
			fr = strings.ReplaceAll(fr, q.Error(), "") // another library's words
		}
	}
	for _, w := range englishWords {
		if strings.Contains(fr, w) {
			t.Errorf("%q in French has English (%q): %q", err, w, fr)
		}
	}
}

// TestFrenchErrors: what a teacher sees of a file that cannot be read,
// in French.
func TestFrenchErrors(t *testing.T) {
	head := "Année académique;2025-2026\nSession;Q1\nUE;1/8\nColonnes à compléter;Note UE\n"
	var ods bytes.Buffer
	z := zip.NewWriter(&ods)
	w, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, "application/vnd.oasis.opendocument.spreadsheet")
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	if _, err := x.NewSheet("Feuil2"); err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellValue("Sheet1", "A1", "Bonjour"); err != nil {
		t.Fatal(err)
	}
	noHeader, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	x = excelize.NewFile()
	for i, row := range [][]any{{"Session", "Q1"}, {"Colonnes à compléter", "Note UE"}, {"Matricule", "Email"}} {
		if err := x.SetSheetRow("Sheet1", "A"+string(rune('1'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	noYear, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		fr   string
	}{
		{"empty", nil, "le fichier est vide"},
		{"binary", []byte("x\x00\x01"), "ce n'est pas un tableur : le fichier n'est ni un classeur XLSX ni un texte CSV"},
		{"xls", oleMagic, "c'est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe : enregistrez-le au format .xlsx sans mot de passe, ou au format .csv"},
		{"ods", ods.Bytes(), "c'est un classeur OpenDocument (.ods), pas un classeur XLSX : enregistrez-le au format .xlsx ou .csv"},
		{"text", []byte("Bonjour,\nvoici mes notes.\n"), "aucune ligne d'en-tête (une ligne commençant par « Matricule ») dans le fichier CSV"},
		{"single field", []byte("UE;1/8\nMatricule\nHE1\n"), "fichier CSV, ligne 2 : la ligne d'en-tête n'a qu'un champ ; les champs se séparent par « ; », « , » ou une tabulation"},
		{"bad quote", []byte(head + "Matricule;Email;Note UE\nHE1;a\"b;12\n"), "fichier CSV, ligne 6, caractère 6 : guillemet (\") dans un champ qui n'est pas entre guillemets"},
		{"no Email", []byte(head + "Matricule;Note UE\nHE1;12\n"), "la ligne d'en-tête (ligne 5) n'a pas de colonne « Email »"},
		{"Email twice", []byte(head + "Matricule;Email;Note UE;E-mail\nHE1;a@b.be;12;c@d.be\n"),
			"la colonne « E-mail » figure deux fois dans la ligne d'en-tête (ligne 5 : champs 2 et 4)"},
		{"UE twice", []byte("UE;1/8\n" + head + "Matricule;Email\n"), "« UE » est indiqué deux fois dans le fichier CSV (lignes 1 et 4)"},
		{"no identification", []byte("Session;Q1\nColonnes à compléter;Note UE\nMatricule;Email\n"),
			"identification incomplète dans le fichier CSV : pas de lignes « Année académique », « UE » au-dessus de l'en-tête « Matricule » (le libellé dans la première colonne, la valeur dans la deuxième)"},
		{"no value", []byte("Année académique;2025-2026\nSession;\nUE;1/8\nColonnes à compléter;Note UE\nMatricule;Email\n"),
			"« Session » n'a pas de valeur (ligne 2, champ 2)"},
		{"bad version", []byte("Version de la feuille;v3\n" + head + "Matricule;Email\n"),
			"« Version de la feuille » vaut « v3 », qui n'est pas un numéro de version (le fichier CSV)"},
		{"no header in a workbook", noHeader.Bytes(),
			"aucune ligne d'en-tête (une ligne commençant par « Matricule ») dans les feuilles de calcul « Sheet1 », « Feuil2 »"},
		{"no year in a workbook", noYear.Bytes(),
			"identification incomplète dans la feuille de calcul « Sheet1 » : pas de lignes « Année académique », « UE » au-dessus de l'en-tête « Matricule » (le libellé dans la première colonne, la valeur dans la deuxième)"},
	} {
		_, err := Read(c.data)
		if err == nil {
			t.Errorf("%s: read", c.name)
			continue
		}
		checkReadError(t, err)
		var re *readError
		if errors.As(err, &re) && re.In(i18n.French) != c.fr {
			t.Errorf("%s in French:\n got %q\nwant %q", c.name, re.In(i18n.French), c.fr)
		}
	}
}
