package access

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/internal/i18n"
)

// The French of the access refusals (Denied.Why), for the web interface
// and for an API client that asks for it (Accept-Language). The English
// Rule names who the action takes, the matrix's line; the French says
// what the actor may not do and why, and lists nobody else's rights. Keys
// are the English formats, as textf is called with them (package i18n).
var french = i18n.NewCatalog(map[string]string{
	// What the actor may not do, and why.
	"%s may not %s: %s": "%s ne peut pas %s : %s",
	"%s may not %s: their role (%s) does not allow it": "%s ne peut pas %s : son rôle (%s) ne le permet pas",
	"%s may not %s: their roles (%s) do not allow it":  "%s ne peut pas %s : ses rôles (%s) ne le permettent pas",
	"%s may not %s: they have no role":                 "%s ne peut pas %s : aucun rôle ne lui est attribué",
	"not an action of the access matrix":               "n'est pas une action de la matrice d'accès",

	// Why: the rule of the scope the target lies outside.
	"a secretariat may do so for its own programmes only (%s)":                    "un secrétariat ne le peut que pour ses propres programmes (%s)",
	"a secretariat may do so for its own programmes only, and has none":           "un secrétariat ne le peut que pour ses propres programmes, et aucun ne lui est attribué",
	"a teacher may do so for the UEs they are responsible for only (%s)":          "un enseignant ne le peut que pour les UE dont il est responsable (%s)",
	"a teacher may do so for the UEs they are responsible for only, and has none": "un enseignant ne le peut que pour les UE dont il est responsable, et aucune ne lui est attribuée",
	"a student may do so on their own record only, not on that of student %s":     "un étudiant ne le peut que pour son propre dossier, pas pour celui de l'étudiant %s",
	"no jury is constituted here":                                                 "aucun jury n'est constitué ici",
	"only the president of the %s jury (%s) may":                                  "seul le ou la président(e) du jury %s (%s) le peut",
	"only the president (%s) and the secretary (%s) of the %s jury may":           "seuls le ou la président(e) (%s) et le ou la secrétaire (%s) du jury %s le peuvent",
	"only the members of the %s jury may":                                         "seuls les membres du jury %s le peuvent",
	"%s; %s":                                                                      "%s ; %s",
}, frenchLabel)

func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }

// frenchLabel names in French an action, as what it lets do, and the
// actor's roles.
func frenchLabel(v any) (string, bool) {
	switch v := v.(type) {
	case Action:
		s, ok := actionFrench[v]
		return s, ok
	case roleList:
		return v.In(i18n.French), true
	}
	return "", false
}

// actionFrench is what each action lets do, as « X ne peut pas … » ends.
var actionFrench = map[Action]string{
	RegisterStudent:  "inscrire un étudiant",
	AdmitStudent:     "admettre un étudiant à un programme",
	SetPAE:           "valider ou modifier un PAE",
	RecogniseCredits: "valoriser des crédits",
	ScheduleSession:  "planifier une session",
	ConstituteJury:   "constituer un jury",
	WriteSheet:       "encoder ou remettre cette feuille de cotes",
	ReopenSheet:      "rouvrir une feuille de cotes",
	ExtendDeadline:   "prolonger une échéance d'encodage",
	OpenDeliberation: "ouvrir ou clôturer une délibération",
	OverrideOpening:  "ouvrir une délibération par dérogation",
	Decide:           "prendre une décision en délibération",
	PublishResults:   "publier les résultats d'une session",
	FileAppeal:       "introduire un recours",
	DecideAppeal:     "statuer sur un recours",
	ReadStudent:      "consulter la fiche de cet étudiant (inscription, admission, PAE)",
	ListStudents:     "consulter la liste des étudiants",
	ReadRecord:       "consulter le relevé et l'historique de cet étudiant",
	CompareRecord:    "comparer le dossier d'un étudiant entre deux moments",
	ReadCalendar:     "consulter le calendrier des sessions",
	ReadJury:         "consulter la composition d'un jury",
	ReadSheet:        "consulter cette feuille de cotes",
	ReadDeliberation: "consulter une délibération",
	VerifyLog:        "vérifier le journal",
	ExportBundle:     "exporter le dossier d'audit d'un étudiant",
	ReadRefusals:     "consulter les tentatives refusées",
}

// roleList is an actor's roles: "teacher,jury" in English, « enseignant
// et jury » in French.
type roleList []string

var roleFrench = map[string]string{
	auth.Teacher: "enseignant", auth.Secretariat: "secrétariat", auth.Jury: "jury",
	auth.Auditor: "auditeur", auth.Student: "étudiant",
}

func (r roleList) String() string { return strings.Join(r, ",") }

// In is the list in French, or as String in English.
func (r roleList) In(tag language.Tag) string {
	if !i18n.IsFrench(tag) {
		return r.String()
	}
	out := make([]string, len(r))
	for i, role := range r {
		out[i] = role
		if fr, ok := roleFrench[role]; ok {
			out[i] = fr
		}
	}
	if len(out) < 2 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " et " + out[len(out)-1]
}
