package handlers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/rules"
)

// The French of the handlers' refusals, for the web interface and for an
// API client that asks for it (Accept-Language): each rule's English
// format and its French (package i18n), and the French names of the
// fields. A test holds every format of the package to a translation with
// the same verbs.
var french = i18n.NewCatalog(map[string]string{
	// Appeals.
	"an appeal states its grounds: the irregularity in how the evaluation was run":                                 "un recours énonce ses motifs : l'irrégularité dans le déroulement de l'évaluation",
	"not a UE of %s's programme in %s":                                                                             "n'est pas une UE du programme de %s en %s",
	"%s has no decision in the deliberation of %s to appeal against":                                               "%s n'a, dans la délibération %s, aucune décision contre laquelle introduire un recours",
	"the results of %s are not published yet; an appeal follows their publication":                                 "les résultats de %s ne sont pas encore publiés ; un recours ne s'introduit qu'après leur publication",
	"the appeal deadline passed on %s: %d working days after the publication of %s (ruleset appeals.working_days)": "le délai de recours a expiré le %s : %d jours ouvrables après la publication du %s (règlement, appeals.working_days)",
	"an appeal of %s (%s) awaits its decision":                                                                     "un recours de %s (%s) est en attente de décision",
	"the decision on an appeal is motivated, upheld or not":                                                        "la décision sur un recours est motivée, qu'il soit fondé ou non",
	"no such appeal in the deliberation of %s":                                                                     "ce recours n'existe pas dans la délibération %s",
	"the appeal is already decided (upheld: %t)":                                                                   "il a déjà été statué sur ce recours (fondé : %t)",

	// Students, admissions, PAEs, recognitions.
	"no student is registered with this matricule":                                                         "aucun étudiant n'est inscrit sous ce matricule",
	"a matricule is 4 to 16 letters and digits":                                                            "un matricule compte de 4 à 16 lettres et chiffres",
	"a first name is required":                                                                             "le prénom est requis",
	"a last name is required":                                                                              "le nom est requis",
	"not an email address (name@domain)":                                                                   "n'est pas une adresse de courriel (nom@domaine)",
	"already the email of student %s; every student has their own":                                         "c'est déjà le courriel de l'étudiant %s ; chaque étudiant a le sien",
	"already registered (%s %s, %s)":                                                                       "déjà inscrit (%s %s, %s)",
	"the basis of admission (title or procedure) is required":                                              "le fondement de l'admission (titre ou procédure) est requis",
	"UE %s is a %s UE, not an admission complement":                                                        "l'UE %s est une UE %s, pas un complément d'admission",
	"UE %s is only for students %s (%s)":                                                                   "l'UE %s est réservée aux étudiants « %s » (%s)",
	"no catalog and ruleset are published for this academic year":                                          "aucun catalogue ni règlement n'est publié pour cette année académique",
	"the PAE of %s for %s is already validated; amend it instead":                                          "le PAE de %s pour %s est déjà validé ; modifiez-le plutôt",
	"%s has no validated PAE for %s to amend":                                                              "%s n'a pas de PAE validé pour %s à modifier",
	"an amendment states its reason":                                                                       "une modification indique son motif",
	"an amendment adds or removes at least one UE":                                                         "une modification ajoute ou retire au moins une UE",
	"UE %s is already in the PAE":                                                                          "l'UE %s figure déjà dans le PAE",
	"UE %s is not in the PAE":                                                                              "l'UE %s ne figure pas dans le PAE",
	"the student is not admitted to the programme yet; record the admission first":                         "l'étudiant n'est pas encore admis au programme ; enregistrez d'abord son admission",
	"a PAE holds at least one UE":                                                                          "un PAE compte au moins une UE",
	"UE %s is listed twice":                                                                                "l'UE %s figure deux fois",
	"no such UE in the %s catalog":                                                                         "aucune UE de ce code dans le catalogue %s",
	"a waiver is for a UE of the PAE":                                                                      "une levée de prérequis porte sur une UE du PAE",
	"UE %s has no prerequisite to waive":                                                                   "l'UE %s n'a pas de prérequis à lever",
	"UE %s is not a prerequisite of UE %s (%s)":                                                            "l'UE %s n'est pas un prérequis de l'UE %s (%s)",
	"UE %s is acquired; there is nothing to waive":                                                         "l'UE %s est acquise ; il n'y a rien à lever",
	"a waiver states the jury's reason":                                                                    "une levée de prérequis indique le motif du jury",
	"a waived prerequisite becomes a co-requisite: UE %s must be in the PAE or followed before":            "un prérequis levé devient un corequis : l'UE %s doit figurer dans le PAE ou avoir été suivie auparavant",
	"UE %s is already acquired; acquired credits are never re-examined":                                    "l'UE %s est déjà acquise ; des crédits acquis ne sont jamais réexaminés",
	"UE %s is an admission complement the student's admission does not require":                            "l'UE %s est un complément que l'admission de l'étudiant n'exige pas",
	"UE %s requires %s acquired first (prerequisite); not acquired: %s":                                    "l'UE %s exige d'avoir acquis %s (prérequis) ; non acquis : %s",
	"UE %s requires %s followed before or in the same year (co-requisite); add %s to the PAE":              "l'UE %s exige d'avoir suivi %s auparavant ou la même année (corequis) ; ajoutez %s au PAE",
	"a prerequisite is waived only at the end of the cycle (at most %d programme credits left to acquire)": "un prérequis ne se lève qu'en fin de cycle (au plus %d crédits du programme restant à acquérir)",
	"no jury is constituted for %s in %s; the jury recognises prior credits":                               "aucun jury n'est constitué pour %s en %s ; c'est le jury qui valorise des crédits",
	"UE %s is an optional activity without credits: there is nothing to recognise":                         "l'UE %s est une activité facultative sans crédits : il n'y a rien à valoriser",
	"%s has already acquired UE %s":                                                                        "%s a déjà acquis l'UE %s",
	"a recognition names the studies or experience it rests on":                                            "une valorisation nomme les études ou l'expérience sur lesquelles elle repose",
	"a recognition is motivated":                                                                           "une valorisation est motivée",
	"UE %s is already recognised for %s":                                                                   "l'UE %s est déjà valorisée pour %s",

	// Sessions and their calendar.
	"the %s ruleset publishes no dates for it; give them": "le règlement %s ne publie pas de dates pour cette session ; indiquez-les",
	"the date is required":                                "la date est requise",
	"comes before %s %s; the order is exams, encoding deadline, deliberation, publication": "tombe avant la date « %s » (%s) ; l'ordre est : examens, échéance d'encodage, délibération, publication",
	"sessions are Q1 (January), Q2 (June) and Q3 (August-September)":                       "les sessions sont Q1 (janvier), Q2 (juin) et Q3 (août-septembre)",

	// Grade sheets and their entries.
	"UE %s is evaluated in %v only": "l'UE %s n'est évaluée qu'en %v",
	"UE %s is evaluated in %v":      "l'UE %s est évaluée en %v",
	"session %s of %s is not scheduled yet; the secretariat schedules it before marks are entered":                                "la session %s de %s n'est pas encore planifiée ; le secrétariat la planifie avant l'encodage des cotes",
	"the deliberation of %s %s closed on %s: its marks are frozen and change only through a jury decision after an upheld appeal": "la délibération %s %s a été clôturée le %s : ses cotes sont figées et ne changent que par une décision du jury après un recours fondé",
	"the student has no validated PAE for %s": "l'étudiant n'a pas de PAE validé pour %s",
	"UE %s is not in the student's %s PAE":    "l'UE %s ne figure pas dans le PAE %s de l'étudiant",
	"the student is not on the sheet of %s: UE acquired at an earlier session or every presentation of the year used": "l'étudiant ne figure pas sur la feuille %s : UE acquise à une session antérieure, ou toutes les présentations de l'année utilisées",
	"entered twice in this batch (also at %d)":                                                               "encodé deux fois dans cet envoi (aussi en position %d)",
	"%s; they keep the entries they hold, which may be corrected, and take no new one":                       "%s ; l'étudiant garde les cotes qu'il a, qui peuvent être corrigées, et n'en reçoit pas de nouvelle",
	"not a mark on the scale 0-%s nor a code (%s)":                                                           "ni une cote sur l'échelle 0-%s, ni un code (%s)",
	"the student holds %s on this sheet; a UE-level entry and activity entries do not mix (clear one first)": "l'étudiant a %s sur cette feuille ; une cote d'UE et des cotes d'épreuves ne se combinent pas (effacez d'abord l'une ou les autres)",
	"a UE-level entry": "une cote d'UE",
	"activity entries": "des cotes d'épreuves",
	"this batch gives the student a UE-level entry and activity entries; a sitting holds one or the other":                              "cet envoi donne à l'étudiant une cote d'UE et des cotes d'épreuves ; une présentation porte l'une ou les autres",
	"activity %q was passed at an earlier session (%s) and is carried over (ruleset carry_over); only failed activities are re-sat: %s": "l'épreuve « %s » a été réussie à une session antérieure (%s) et est reportée (règlement, carry_over) ; seules les épreuves échouées sont représentées : %s",
	"the encoding deadline of %s for %s has passed; the secretariat may extend it or record the mark":                                   "l'échéance d'encodage de la feuille %s pour %s est passée ; le secrétariat peut la prolonger ou encoder la cote",
	"the entry changed since that version: it is now %s (version %d, by %s)":                                                            "la cote a changé depuis cette version : elle vaut maintenant %s (version %d, par %s)",
	"a correction on a sheet already submitted states its reason":                                                                       "une correction sur une feuille déjà remise indique son motif",
	"no role to record results under": "aucun rôle ne permet d'encoder des résultats",
	"nothing to record":               "rien à enregistrer",
	"the sheet was submitted on %s by %s; it takes no mark until the secretariat reopens it with a reason": "la feuille a été remise le %s par %s ; elle ne reçoit plus de cote, sauf réouverture motivée par le secrétariat",
	"%s: %s": "%s : %s",
	"the file is the sheet of UE %s, %s %s, not of %s: one UE, session and year per file": "le fichier est la feuille de l'UE %s, %s %s, et non celle de %s : une UE, une session et une année par fichier",
	"row %d has values but no matricule":                                                  "la ligne %d a des valeurs mais pas de matricule",
	"appears on rows %s; a student appears once per file":                                 "apparaît aux lignes %s ; un étudiant n'apparaît qu'une fois par fichier",
	"is not the email of %s (%s %s); rows may have been shifted":                          "n'est pas le courriel de %s (%s %s) ; des lignes ont peut-être été décalées",
	"reopening a sheet states its reason":                                                 "la réouverture d'une feuille indique son motif",
	"the sheet is not submitted; there is nothing to reopen":                              "la feuille n'est pas remise ; il n'y a rien à rouvrir",
	"an extension ends after the session's encoding deadline (%s)":                        "une prolongation se termine après l'échéance d'encodage de la session (%s)",
	"an extension states its reason":                                                      "une prolongation indique son motif",

	// Juries, deliberations, decisions, what-ifs.
	"the %s catalog is that of programme %s":                                    "le catalogue %s est celui du programme %s",
	"a jury has at least %d members (ruleset jury.min_members, décret Paysage)": "un jury compte au moins %d membres (règlement, jury.min_members ; décret Paysage)",
	"every member has an id (the one their sign-in carries)":                    "chaque membre a un identifiant (celui de sa connexion)",
	"is listed twice":                          "figure deux fois",
	"every member has a name, for the minutes": "chaque membre a un nom, pour le procès-verbal",
	"not an institution of the programme (%s)": "n'est pas un établissement du programme (%s)",
	"the programme is organised with %s: the jury is joint and holds members of every institution": "le programme est coorganisé par %s : le jury est conjoint et compte des membres de chaque établissement",
	"the %s is one of the jury's members":                                                                                      "le ou la %s doit être membre du jury",
	"the secretary is not the president":                                                                                       "le ou la secrétaire n'est pas le ou la président(e)",
	"no jury is constituted for this programme and year; the secretariat constitutes it":                                       "aucun jury n'est constitué pour ce programme et cette année ; le secrétariat le constitue",
	"no jury is constituted for this programme and year; the secretariat constitutes it first":                                 "aucun jury n'est constitué pour ce programme et cette année ; le secrétariat le constitue d'abord",
	"session %s of %s is not scheduled":                                                                                        "la session %s de %s n'est pas planifiée",
	"not a member of the %s jury of %s":                                                                                        "n'est pas membre du jury %s de %s",
	"the president (%s) chairs the deliberation and must be present":                                                           "le ou la président(e) (%s) préside la délibération et doit être présent(e)",
	"quorum not met: %d of the members teaching a compulsory UE evaluated in %s are present, %d are required (more than half)": "quorum non atteint : %d des membres enseignant une UE obligatoire évaluée en %s sont présents, %d sont requis (plus de la moitié)",
	"grade sheets of the session are not all submitted; the president may open anyway with a recorded reason (override)":       "les feuilles de cotes de la session ne sont pas toutes remises ; le ou la président(e) peut ouvrir malgré tout par une dérogation motivée",
	"the deliberation of %s opened on %s; it opens once":                                                                       "la délibération %s a été ouverte le %s ; elle ne s'ouvre qu'une fois",
	"%d student(s) of the session have no decision yet; every student is decided before closing":                               "%d étudiant(s) de la session n'ont pas encore de décision ; chaque étudiant fait l'objet d'une décision avant la clôture",
	"the calendar gives no publication date for %s; give one":                                                                  "le calendrier ne donne pas de date de publication pour %s ; indiquez-en une",
	"the deliberation of %s is not closed; results are published after closing":                                                "la délibération %s n'est pas clôturée ; les résultats sont publiés après la clôture",
	"the deliberation of %s has not opened":                                                                                    "la délibération %s n'est pas ouverte",
	"the deliberation of %s closed on %s; after closing only an upheld appeal leads to a new decision":                         "la délibération %s a été clôturée le %s ; après la clôture, seul un recours fondé mène à une nouvelle décision",
	"not a student of the session: no validated %s programme in %s, or the year was settled at an earlier session":             "n'est pas un étudiant de la session : aucun PAE validé du programme %s en %s, ou l'année a été réglée à une session antérieure",
	"%s was not present when the deliberation of %s opened; members present decide":                                            "%s n'était pas présent(e) à l'ouverture de la délibération %s ; seuls les membres présents décident",
	"the record of %s is now at version %d: it changed since the dossier the jury was shown; look at it again":                 "le dossier de %s est maintenant à la version %d : il a changé depuis celui que le jury a consulté ; consultez-le à nouveau",
	"decided twice in this decision":                                                                                           "décidée deux fois dans cette décision",
	"UE %s has %s/20, at or above the pass mark: its credits are acquired and the jury may never refuse them (décret Paysage)": "l'UE %s a %s/20, au moins le seuil de réussite : ses crédits sont acquis et le jury ne peut jamais les refuser (décret Paysage)",
	"UE %s is already acquired (%s): there is nothing to grant":                                                                "l'UE %s est déjà acquise (%s) : il n'y a rien à octroyer",
	"UE %s is not evaluated yet this year: the jury decides on it after its session":                                           "l'UE %s n'est pas encore évaluée cette année : le jury en décide après sa session",
	"UE %s carries no credits: there is nothing to grant":                                                                      "l'UE %s ne porte aucun crédit : il n'y a rien à octroyer",
	"a decision on the credits of UE %s is motivated (granted or refused)":                                                     "une décision sur les crédits de l'UE %s est motivée (octroi ou refus)",
	"UE %s is proposed to deliberate (%s): the decision grants or refuses it":                                                  "l'UE %s est proposée à la délibération (%s) : la décision octroie ou refuse ses crédits",
	"the outcome %s is unfavourable: the decision is motivated (décret Paysage)":                                               "le résultat « %s » est défavorable : la décision est motivée (décret Paysage)",
	"the student was already decided in this deliberation: a new decision says why":                                            "l'étudiant a déjà fait l'objet d'une décision dans cette délibération : une nouvelle décision en donne le motif",
	"a mention other than the proposed one is motivated":                                                                       "une mention autre que celle proposée est motivée",
	"a mention goes with the degree; the outcome is %s":                                                                        "une mention accompagne le diplôme ; le résultat est « %s »",
	"not a mention of the ruleset (%s)":                                                                                        "n'est pas une mention du règlement (%s)",
	"the ruleset does not let the jury change the mention (mentions.jury_may_raise); it is %q":                                 "le règlement ne permet pas au jury de changer la mention (mentions.jury_may_raise) ; elle est « %s »",
	"the jury may raise the mention, not lower it below the proposed %q":                                                       "le jury peut relever la mention, pas l'abaisser sous la mention proposée « %s »",
	"criteria are not negative":                                                                                                "les critères ne sont pas négatifs",
	"not a student of the session (no validated %s programme in %s)":                                                           "n'est pas un étudiant de la session (aucun PAE validé du programme %s en %s)",
	"a what-if states changes, students, all or criteria":                                                                      "une simulation indique des changements, des étudiants, « tous » ou des critères",
	"no results are published yet; students see their record once the results of a session are published":                      "aucun résultat n'est encore publié ; les étudiants voient leur relevé dès que les résultats d'une session sont publiés",

	// Reading the views: the log, the audit.
	"a command is checked against views holding every record of the log: %v":              "une commande est vérifiée sur des vues à jour de tout le journal : %v",
	"the views have not reached this log position within %s: %v":                          "les vues n'ont pas atteint cette position du journal en %s : %v",
	"name the deliberation as YEAR/SESSION, for example 2025-2026/Q2":                     "nommez la délibération ANNÉE/SESSION, par exemple 2025-2026/Q2",
	"not a kind of fact; give an event type (%s) or its family (the part before the dot)": "n'est pas un type de fait ; indiquez un type d'événement (%s) ou sa famille (la partie avant le point)",
	"the %s catalog has no UE with this code":                                             "le catalogue %s n'a aucune UE de ce code",
	"give a day as YYYY-MM-DD":                                                            "indiquez un jour au format AAAA-MM-JJ",
}, frenchLabel)

// fieldName is a field a rule names: French gives its French name.
type fieldName string

// frenchLabel names in French the values a rule quotes that have a name.
func frenchLabel(v any) (string, bool) {
	switch v := v.(type) {
	case fieldName:
		return frenchField(string(v)), true
	case rules.Outcome:
		return pdfdoc.Outcome(string(v)), true
	case rules.Basis:
		return pdfdoc.Basis(v), true
	case catalog.Kind:
		return pdfdoc.Label(kindLabels, v), true
	case catalog.Requisite:
		return requisiteWords.Replace(v.String()), true
	case catalog.Expr:
		return requisiteWords.Replace(v.String()), true
	case events.Entry:
		if v.IsZero() {
			return "(vide)", true
		}
		return i18n.FrenchValue(v.String()), true
	}
	return "", false
}

var kindLabels = map[catalog.Kind]string{
	catalog.Core: "du programme", catalog.Complement: "de complément", catalog.Optional: "facultative",
}

var requisiteWords = strings.NewReplacer(" AND ", " ET ", " OR ", " OU ")

// fieldNames are the French names of the fields the handlers' rules
// name; a field not listed keeps its name.
var fieldNames = map[string]string{
	"action": "action", "activity": "épreuve", "actor": "membre", "added": "UE ajoutées", "appeal": "recours",
	"as_of_deliberation": "délibération", "at": "date de publication", "basis": "fondement",
	"changes": "changements", "code": "code", "complements": "compléments", "criteria": "critères",
	"day": "jour", "deadline": "échéance d'encodage", "decision": "décision", "deliberation": "délibération",
	"email": "courriel", "encoding_deadline": "échéance d'encodage", "entries": "cotes",
	"exams_from": "début des examens", "exams_to": "fin des examens", "file": "fichier", "filed": "date du recours",
	"first_name": "prénom", "from": "depuis", "from_position": "depuis la position", "granted": "octroi",
	"grants": "UE délibérées", "grounds": "motifs", "id": "identifiant", "institution": "établissement",
	"jury": "jury", "kind": "type de fait", "last_name": "nom", "mark": "cote", "matricule": "matricule",
	"members": "membres", "mention": "mention", "min_position": "position minimale", "motivation": "motivation",
	"name": "nom", "present": "membres présents", "president": "président(e)", "programme": "programme",
	"publication": "publication", "reason": "motif", "record_version": "version du dossier",
	"removed": "UE retirées", "results": "résultats", "role": "rôle", "secretary": "secrétaire",
	"session": "session", "sheet": "feuille de cotes", "sheets": "feuilles de cotes", "student": "étudiant",
	"students": "étudiants", "teaches": "UE enseignées", "to": "jusqu'à", "to_position": "jusqu'à la position",
	"ue": "UE", "ues": "UE du PAE", "until": "jusqu'au", "value": "valeur", "version": "version",
	"views": "vues", "waivers": "levées de prérequis", "year": "année",
}

// itemNames name one item of a list field: changes[0] is the first
// change.
var itemNames = map[string]string{
	"changes": "changement", "entries": "cote", "grants": "UE délibérée", "members": "membre", "students": "étudiant",
}

var itemRE = regexp.MustCompile(`^(\w+)\[(\d+)\](?:\.(\w+))?$`)

// frenchField is a field's French name. An item of a list is named with
// its rank: "grants[0].motivation" is "motivation (UE délibérée n° 1)".
func frenchField(f string) string {
	if n, ok := fieldNames[f]; ok {
		return n
	}
	m := itemRE.FindStringSubmatch(f)
	if m == nil {
		return f
	}
	item, ok := itemNames[m[1]]
	if !ok {
		return f
	}
	i, _ := strconv.Atoi(m[2])
	item = fmt.Sprintf("%s n° %d", item, i+1)
	if m[3] == "" {
		return item
	}
	leaf, ok := fieldNames[m[3]]
	if !ok {
		leaf = m[3]
	}
	return leaf + " (" + item + ")"
}
