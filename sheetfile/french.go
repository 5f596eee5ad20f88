package sheetfile

import (
	"encoding/csv"
	"errors"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/internal/i18n"
)

// The French of why an uploaded file cannot be read, which the teacher
// sees on the sheet's page and an API client that asks for it
// (Accept-Language). Keys are the English formats, as errorf and textf
// are called with them (package i18n).
var french = i18n.NewCatalog(map[string]string{
	// The file as a whole.
	"the file is empty": "le fichier est vide",
	"this is an old Excel workbook (.xls) or a password-protected one: save it as .xlsx without a password, or as .csv": "c'est un ancien classeur Excel (.xls) ou un classeur protégé par un mot de passe : enregistrez-le au format .xlsx sans mot de passe, ou au format .csv",
	"this is an OpenDocument spreadsheet (.ods), not XLSX: save it as .xlsx or .csv":                                    "c'est un classeur OpenDocument (.ods), pas un classeur XLSX : enregistrez-le au format .xlsx ou .csv",
	"not a spreadsheet: the file is neither an XLSX workbook nor CSV text":                                              "ce n'est pas un tableur : le fichier n'est ni un classeur XLSX ni un texte CSV",
	"not a readable XLSX workbook: %s": "classeur XLSX illisible : %s",
	"worksheet %q cannot be read: %s":  "la feuille de calcul « %s » est illisible : %s",
	"worksheet %q: %s":                 "feuille de calcul « %s » : %s",
	"CSV line %d, column %d: %s":       "fichier CSV, ligne %d, caractère %d : %s",
	"reading CSV: %s":                  "lecture du fichier CSV : %s",
	"%s has more than %d rows; a grade sheet has one row per student":        "%s compte plus de %d lignes ; une feuille de cotes compte une ligne par étudiant",
	"%s, row %d has %d cells, more than %d; a grade sheet has a few columns": "%s, ligne %d : %d cellules, plus de %d ; une feuille de cotes ne compte que quelques colonnes",

	// The header row.
	"no header row (a line starting with %q) in the CSV file":                                           "aucune ligne d'en-tête (une ligne commençant par « %s ») dans le fichier CSV",
	"no header row (a row starting with %q) in %s %s":                                                   "aucune ligne d'en-tête (une ligne commençant par « %s ») dans %s %s",
	"CSV line %d: the header row has a single field; fields must be separated by \";\", \",\" or a tab": "fichier CSV, ligne %d : la ligne d'en-tête n'a qu'un champ ; les champs se séparent par « ; », « , » ou une tabulation",
	"column %q appears twice in the header row (%s: %s)":                                                "la colonne « %s » figure deux fois dans la ligne d'en-tête (%s : %s)",
	"the header row (%s) has no %q column":                                                              "la ligne d'en-tête (%s) n'a pas de colonne « %s »",
	"%s; %s":                                                                                            "%s ; %s",

	// The identification block above it.
	"identification missing in %s: no %s %s above the %q header (label in the first column, value in the second)": "identification incomplète dans %s : pas de %[3]s %[2]s au-dessus de l'en-tête « %[4]s » (le libellé dans la première colonne, la valeur dans la deuxième)",
	"%q is given twice in %s (%s %d and %d)": "« %s » est indiqué deux fois dans %s (%s %d et %d)",
	"%q lists no column (%s)":                "« %s » ne cite aucune colonne (%s)",
	"%q lists %q twice (%s)":                 "« %s » cite deux fois « %s » (%s)",
	"%q has no value (%s)":                   "« %s » n'a pas de valeur (%s)",
	"%q is %q, not a version number (%s)":    "« %s » vaut « %s », qui n'est pas un numéro de version (%s)",

	// Where in the file.
	"worksheet %q":          "la feuille de calcul « %s »",
	"the CSV file":          "le fichier CSV",
	"worksheet %q, row %d":  "feuille de calcul « %s », ligne %d",
	"worksheet %q, cell %s": "feuille de calcul « %s », cellule %s",
	"line %d":               "ligne %d",
	"line %d, field %d":     "ligne %d, champ %d",
	"columns %s and %s":     "colonnes %s et %s",
	"fields %d and %d":      "champs %d et %d",
	"row":                   "ligne",
	"rows":                  "lignes",
	"line":                  "ligne",
	"lines":                 "lignes",
	"worksheet":             "la feuille de calcul",
	"worksheets":            "les feuilles de calcul",
}, frenchLabel)

func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }

// readError is why an uploaded file cannot be read. Its Error is the
// English, after the package's name as Go errors are; its In the text in
// the language asked (French without the package's name). It wraps the
// errors it quotes.
type readError struct {
	text    i18n.Text
	wrapped []error
}

func (e *readError) Error() string { return "sheetfile: " + e.text.String() }

// In is the error for a reader of language tag.
func (e *readError) In(tag language.Tag) string {
	if i18n.IsFrench(tag) {
		return e.text.In(tag)
	}
	return e.Error()
}

func (e *readError) Unwrap() []error { return e.wrapped }

// errorf is the error format writes with args; an error among args is
// quoted (%s) and wrapped, one of this package's by its text, so that it
// is translated, and what it wraps.
func errorf(format string, args ...any) error {
	e := &readError{}
	for i, a := range args {
		switch err := a.(type) {
		case *readError:
			args[i] = err.text
			e.wrapped = append(e.wrapped, err.wrapped...)
		case error:
			e.wrapped = append(e.wrapped, err)
		}
	}
	e.text = textf(format, args...)
	return e
}

// quotedList is a list of names a message quotes: "A", "B" in English,
// « A », « B » in French.
type quotedList []string

func (q quotedList) String() string {
	out := make([]string, len(q))
	for i, s := range q {
		out[i] = strconv.Quote(s)
	}
	return strings.Join(out, ", ")
}

// csvFrench are the errors of encoding/csv a file can meet, in French.
var csvFrench = map[error]string{
	csv.ErrBareQuote:  "guillemet (\") dans un champ qui n'est pas entre guillemets",
	csv.ErrQuote:      "guillemet (\") manquant ou en trop dans un champ entre guillemets",
	csv.ErrFieldCount: "nombre de champs incorrect",
}

// frenchLabel writes in French a list of names and the errors of
// encoding/csv.
func frenchLabel(v any) (string, bool) {
	switch v := v.(type) {
	case quotedList:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = "« " + s + " »"
		}
		return strings.Join(out, ", "), true
	case error:
		for err, fr := range csvFrench {
			if errors.Is(v, err) {
				return fr, true
			}
		}
	}
	return "", false
}
