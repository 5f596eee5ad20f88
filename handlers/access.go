package handlers

import (
	"strings"

	"github.com/gradelog/gradelog/auth"
)

// allow refuses unless the actor holds one of roles.
func allow(id auth.Identity, action string, roles ...string) error {
	for _, r := range roles {
		if id.Has(r) {
			return nil
		}
	}
	return refuse(Forbidden, "role", strings.Join(id.Roles, ","),
		"%s may not %s; it takes the role %s", id.ID, action, strings.Join(roles, " or "))
}

// allowSheet refuses unless the actor may write the grade sheets of ue: a
// teacher responsible for it, the secretariat or the jury.
func allowSheet(id auth.Identity, ue, action string) error {
	if id.Has(auth.Secretariat) || id.Has(auth.Jury) || id.Has(auth.Teacher) && id.Teaches(ue) {
		return nil
	}
	if id.Has(auth.Teacher) {
		return refuse(Forbidden, "ue", ue, "teacher %s is responsible for UE %s, not for UE %s; only they, the secretariat or the jury may %s",
			id.ID, strings.Join(id.UEs, ", "), ue, action)
	}
	return allow(id, action, auth.Teacher, auth.Secretariat, auth.Jury)
}

// MayWriteSheet reports whether id may write the grade sheets of ue (what
// a page asks before showing a sheet's forms; the commands check it
// again).
func MayWriteSheet(id auth.Identity, ue string) bool { return allowSheet(id, ue, "") == nil }

// rulesetRoles are the ruleset roles an actor records results under, most
// trusted first. An import always records as "import", whoever uploads it,
// so that the ruleset can say what an import may never do (clear a CM).
func rulesetRoles(id auth.Identity, source string) []string {
	if source == SourceXLSX || source == SourceCSV {
		return []string{"import"}
	}
	var out []string
	for _, r := range []string{auth.Secretariat, auth.Jury, auth.Teacher} {
		if id.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// Sources of an entry.
const (
	SourceForm = "form"
	SourceAPI  = "api"
	SourceXLSX = "xlsx"
	SourceCSV  = "csv"
)
