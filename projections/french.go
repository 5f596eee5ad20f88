package projections

import (
	"time"
	_ "time/tzdata" // an instant is shown in Europe/Brussels wherever the server runs

	"github.com/gradelog/gradelog/internal/i18n"
)

// The French of the views' refusals (NotFoundError.Why, BoundsError.Why),
// for the web interface and for an API client that asks for it
// (Accept-Language). Keys are the English formats, as notFound and
// boundsError are called with them (package i18n).
var french = i18n.NewCatalog(map[string]string{
	// What a view was asked for that the log does not know.
	"the student has no record in %s":                                      "l'étudiant n'a pas de dossier en %s",
	"no student is registered with this matricule":                         "aucun étudiant n'est inscrit sous ce matricule",
	"no catalog and ruleset are published for this academic year":          "aucun catalogue ni règlement n'est publié pour cette année académique",
	"a session is Q1, Q2 or Q3":                                            "une session est Q1, Q2 ou Q3",
	"no jury decision about student %s has this id":                        "aucune décision du jury concernant l'étudiant %s ne porte cet identifiant",
	"student %s has no decision in force from this session's deliberation": "l'étudiant %s n'a aucune décision en vigueur issue de la délibération de cette session",
	"the deliberation of %s %s %s has not opened yet":                      "la délibération %s %s %s n'est pas encore ouverte",
	"the %s catalog is that of programme %s":                               "le catalogue %s est celui du programme %s",
	"no UE has this code in the catalog of %s":                             "aucune UE ne porte ce code dans le catalogue %s",
	"UE %s is not evaluated in this session":                               "l'UE %s n'est pas évaluée à cette session",

	// The bounds of a comparison.
	"the interval starts after it ends: from_position must not exceed to_position (%d)": "l'intervalle commence après sa fin : la position de départ ne peut dépasser la position d'arrivée (%d)",
	"the interval starts after it ends: from must not be later than to (%s)":            "l'intervalle commence après sa fin : le moment de départ ne peut être postérieur au moment d'arrivée (%s)",
}, frenchLabel)

func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }

// instant is a moment a rule names: RFC 3339 in English, as the API takes
// it; the day and time in Brussels in French.
type instant time.Time

func (t instant) String() string { return time.Time(t).Format(time.RFC3339) }

var brussels, _ = time.LoadLocation("Europe/Brussels")

// frenchLabel names in French the values the views' rules quote that
// have a French form.
func frenchLabel(v any) (string, bool) {
	if t, ok := v.(instant); ok {
		tt := time.Time(t)
		if brussels != nil {
			tt = tt.In(brussels)
		}
		return tt.Format("02/01/2006 à 15:04:05"), true
	}
	return "", false
}
