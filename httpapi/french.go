package httpapi

import "github.com/gradelog/gradelog/internal/i18n"

// The French of the refusals the API writes itself (handlers.ProblemOf),
// for a client that asks for it (Accept-Language), such as the sheet's
// script. Keys are the English formats, as textf is called with them
// (package i18n).
var french = i18n.NewCatalog(map[string]string{
	"not a column of the sheet of %s": "n'est pas une colonne de la feuille de cotes %s",
	"not on the sheet of %s":          "ne figure pas sur la feuille de cotes %s",
	"this key was used for another request; a retry repeats the same request, a new request takes a new key": "cette clé a déjà servi pour une autre requête ; une nouvelle tentative répète la même requête, une nouvelle requête prend une nouvelle clé",
}, nil)

func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }
