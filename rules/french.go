package rules

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/internal/i18n"
)

// The French of what the rules write for people: the reasons of a
// proposal (UEProposal.Why) and the errors recording a result meets, which
// a refusal quotes. Keys are the English formats, as textf and errorf are
// called with them (package i18n).
var french = i18n.NewCatalog(map[string]string{
	// Proposal reasons (criteria).
	"optional activity without credits: nothing to deliberate": "activité facultative sans crédits : rien à délibérer",
	"deficit %s > %s":          "déficit %s > %s",
	"failed credits %d > %d":   "crédits non acquis %d > %d",
	"year average %s < %s":     "moyenne annuelle %s < %s",
	"outside the criteria: %s": "hors critères : %s",
	"within the criteria: deficit %s <= %s, failed credits %d <= %d, year average %s >= %s": "dans les critères : déficit %s ≤ %s, crédits non acquis %d ≤ %d, moyenne annuelle %s ≥ %s",

	// Recording a result (CheckRecord, CanReplace, CanSet).
	"UE %s is evaluated with a single integrated mark; activity %q cannot be marked": "l'UE %s est évaluée par une cote intégrée unique : l'épreuve « %s » ne reçoit pas de cote propre",
	"UE %s has no activity %q": "l'UE %s n'a pas d'épreuve « %s »",
	"UE %s is marked per activity (%s); a single UE mark cannot be recorded": "l'UE %s est cotée par épreuve (%s) : une cote unique pour l'UE ne peut pas être encodée",
	"code %s (%s) is recorded on %s, not on %s of UE %s":                     "le code %s (%s) s'encode %s, et non %s (UE %s)",
	"mark %s is outside the scale 0-%s":                                      "la cote %s est hors de l'échelle 0-%s",
	"mark %s has more than %d decimals":                                      "la cote %s a plus de %d décimale(s)",
	"code %s (%s) may be cleared only by %s, not by %s":                      "le code %s (%s) ne peut être effacé que par %s, pas par %s",
	"a mark may be recorded only by %s, not by %s":                           "une cote ne peut être encodée que par %s, pas par %s",
	"code %s (%s) may be set only by %s, not by %s":                          "le code %s (%s) ne peut être encodé que par %s, pas par %s",
	"code %q is not a code of the %s ruleset (%s)":                           "« %s » n'est pas un code du règlement %s (%s)",
}, frenchLabel)

func textf(format string, args ...any) i18n.Text { return french.Textf(format, args...) }

func errorf(format string, args ...any) error { return french.Errorf(format, args...) }

// roleLabels name the roles as a French sentence takes them.
var roleLabels = map[Role]string{
	"teacher": "l'enseignant", "secretariat": "le secrétariat", "jury": "le jury",
	"import": "l'import d'un fichier", "auditor": "l'auditeur", "student": "l'étudiant",
}

// scopeLabels say where a code is recorded.
var scopeLabels = map[Scope]string{
	OnActivity: "sur une épreuve", OnUE: "sur la cote de l'UE", Anywhere: "sur toute cote",
}

// frenchLabel names the rules' own values in a French text.
func frenchLabel(v any) (string, bool) {
	switch v := v.(type) {
	case Role:
		if l, ok := roleLabels[v]; ok {
			return l, true
		}
	case Scope:
		if l, ok := scopeLabels[v]; ok {
			return l, true
		}
	case Average:
		if !v.Defined {
			return "—", true
		}
		return fmt.Sprintf("%s (%d crédits)", i18n.FrenchValue(v.Mark.String()), v.Credits), true
	}
	return "", false
}

// roleList is the roles a rule names: "teacher or secretariat", in French
// "l'enseignant ou le secrétariat".
type roleList []Role

func (rs roleList) String() string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

func (rs roleList) In(tag language.Tag) string {
	if !i18n.IsFrench(tag) {
		return rs.String()
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i], _ = frenchLabel(r)
		if s[i] == "" {
			s[i] = string(r)
		}
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " ou " + s[len(s)-1]
}

// clauses are the criteria a UE fails, "; " between them (" ; " in
// French).
type clauses []i18n.Text

func (cs clauses) String() string { return cs.In(i18n.English) }

func (cs clauses) In(tag language.Tag) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.In(tag)
	}
	if i18n.IsFrench(tag) {
		return strings.Join(s, " ; ")
	}
	return strings.Join(s, "; ")
}
