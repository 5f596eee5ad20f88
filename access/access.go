// Package access is gradelog's authorization, in one place: the matrix of
// role × action × scope that says who may do what, and Check, which every
// command handler and query calls before it reads or writes anything.
//
// A role alone never suffices where the matrix names a scope: a teacher
// writes the sheets of the UEs they are responsible for, a secretariat
// works for its programmes, a jury member for the juries they sit on, the
// president alone overrides, a student reads their own record, and an
// auditor reads everything and writes nothing. The facts a scope depends on
// (the target's programme, UE, student and jury) are gathered by the caller
// from the current state; Check itself is a pure function of the identity,
// the action and that Target, so every cell of the matrix is tested without
// a server (access_test.go) and again through the handlers.
package access

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/internal/i18n"
)

// Action is what an actor attempts.
type Action string

// Actions, writes first. A handler names exactly one per command or query.
const (
	RegisterStudent  Action = "student.register"      // register a person
	AdmitStudent     Action = "student.admit"         // admit to a programme
	SetPAE           Action = "pae.set"               // validate or amend a PAE
	RecogniseCredits Action = "credits.recognise"     // recognise prior credits
	ScheduleSession  Action = "session.schedule"      // set a session's dates
	ConstituteJury   Action = "jury.constitute"       // name a year's jury
	WriteSheet       Action = "sheet.write"           // open, mark, import, submit
	ReopenSheet      Action = "sheet.reopen"          // reopen a submitted sheet
	ExtendDeadline   Action = "sheet.extend"          // extend a student's deadline
	OpenDeliberation Action = "deliberation.open"     // open or close a deliberation
	OverrideOpening  Action = "deliberation.override" // open with sheets outstanding
	Decide           Action = "deliberation.decide"   // record a jury decision
	PublishResults   Action = "results.publish"       // publish a session's results
	FileAppeal       Action = "appeal.file"           // appeal against a decision
	DecideAppeal     Action = "appeal.decide"         // uphold or reject an appeal
	ReadStudent      Action = "student.read"          // registration, admission, PAEs
	ListStudents     Action = "student.list"          // the directory
	ReadRecord       Action = "record.read"           // transcript, ledger, readiness, history
	CompareRecord    Action = "record.compare"        // a record between two moments
	ReadCalendar     Action = "session.read"          // sessions and deadlines
	ReadJury         Action = "jury.read"             // a jury's composition
	ReadSheet        Action = "sheet.read"            // a sheet, its template, its status
	ReadDeliberation Action = "deliberation.read"     // deliberation, dossiers, minutes, replay, what-if
	VerifyLog        Action = "log.verify"            // recompute the hash chains
	ExportBundle     Action = "bundle.export"         // a student's offline audit bundle
	ReadRefusals     Action = "refusals.read"         // the refused attempts
)

// Writes reports whether a is a write (a command), as opposed to a read:
// Actions lists the writes first, up to ReadStudent.
func (a Action) Writes() bool {
	all := Actions()
	return slices.Index(all, a) < slices.Index(all, ReadStudent) && slices.Contains(all, a)
}

// Scope is what ties a role to the target of an action.
type Scope int

// Scopes.
const (
	Anywhere      Scope = iota // the role suffices
	OwnProgramme               // the target belongs to one of the actor's programmes
	OwnUE                      // the target is (or involves) a UE the actor teaches
	JuryMember                 // the actor sits on the target's jury
	JuryOfficer                // the actor is the target jury's president or secretary
	JuryPresident              // the actor is the target jury's president
	Self                       // the target student is the actor
)

var scopeText = map[Scope]string{
	Anywhere:      "any",
	OwnProgramme:  "of the programme",
	OwnUE:         "of the UE",
	JuryMember:    "member of the jury",
	JuryOfficer:   "president or secretary of the jury",
	JuryPresident: "president of the jury",
	Self:          "themself",
}

func (s Scope) String() string { return scopeText[s] }

// Grant gives a role an action within a scope.
type Grant struct {
	Role  string
	Scope Scope
}

func (g Grant) String() string {
	if g.Scope == Anywhere {
		return g.Role
	}
	return g.Role + " (" + g.Scope.String() + ")"
}

// Jury is what a scope needs to know of a jury.
type Jury struct {
	Programme, Year      string
	Members              []string
	President, Secretary string
}

// Target is what an action is attempted on, with the facts its scopes need.
// Fields that do not apply stay empty.
type Target struct {
	// Programmes the target belongs to: a year's programme for a sheet, a
	// session or a deliberation; for a student, the programmes of their
	// admission and PAEs (none before their admission).
	Programmes []string
	// UEs the target involves: a sheet's UE; for a student, the UEs of
	// their PAEs.
	UEs []string
	// Student is the matricule of the student concerned, if one.
	Student string
	// Juries are the juries deliberating on the target: a year's jury, or
	// those of a student's years.
	Juries []Jury
}

// Denied is a refusal: the field and value that put the target out of the
// actor's reach, and the rule.
type Denied struct {
	Field, Value, Rule string
	// Why is the rule for the person refused (i18n.Localized): in
	// English, Rule; in French, what they may not do and why, without the
	// line of the matrix Rule quotes (french.go).
	Why Reason
}

// Reason is a refusal's rule for the person refused: English as Rule
// writes it, for the API and the log; French from the package's catalog.
type Reason struct {
	english string
	french  i18n.Text
}

func (r Reason) String() string { return r.english }

// In is the reason in the language of tag: French when tag is, else
// English.
func (r Reason) In(tag language.Tag) string {
	if i18n.IsFrench(tag) && !r.french.IsZero() {
		return r.french.In(tag)
	}
	return r.english
}

// deny is the refusal of field and value whose rule is english and, in
// French, french.
func deny(field, value, english string, french i18n.Text) *Denied {
	return &Denied{Field: field, Value: value, Rule: english, Why: Reason{english: english, french: french}}
}

func (d *Denied) Error() string { return fmt.Sprintf("%s %q: %s", d.Field, d.Value, d.Rule) }

// Check returns nil if id may do a on t under the matrix, or why not.
func Check(id auth.Identity, a Action, t Target) *Denied {
	if d := Holds(id, a); d != nil {
		return d
	}
	var first *Grant
	for _, g := range matrix[a] {
		if !id.Has(g.Role) {
			continue
		}
		if in(id, g, t) {
			return nil
		}
		if first == nil {
			first = &g
		}
	}
	field, value, why, reason := outside(id, *first, t)
	return deny(field, value, fmt.Sprintf("%s; %s takes: %s", why, a, who(a)), textf("%s may not %s: %s", id.ID, a, reason))
}

// Holds returns nil if one of id's roles is granted a in some scope, or
// the refusal naming the roles that are: what a list asks before it keeps
// the items Check allows.
func Holds(id auth.Identity, a Action) *Denied {
	grants, ok := matrix[a]
	if !ok {
		t := textf("not an action of the access matrix")
		return deny("action", string(a), t.String(), t)
	}
	if slices.ContainsFunc(grants, func(g Grant) bool { return id.Has(g.Role) }) {
		return nil
	}
	var fr i18n.Text
	switch len(id.Roles) {
	case 0:
		fr = textf("%s may not %s: they have no role", id.ID, a)
	case 1:
		fr = textf("%s may not %s: their role (%s) does not allow it", id.ID, a, roleList(id.Roles))
	default:
		fr = textf("%s may not %s: their roles (%s) do not allow it", id.ID, a, roleList(id.Roles))
	}
	return deny("role", strings.Join(id.Roles, ","), fmt.Sprintf("%s may not %s; it takes: %s", id.ID, a, who(a)), fr)
}

// who lists the grants of a.
func who(a Action) string {
	var out []string
	for _, g := range matrix[a] {
		out = append(out, g.String())
	}
	return strings.Join(out, ", ")
}

// in reports whether t lies in id's scope under g.
func in(id auth.Identity, g Grant, t Target) bool {
	switch g.Scope {
	case Anywhere:
		return true
	case OwnProgramme:
		// A registered student not yet admitted belongs to no programme:
		// every secretariat may act on their record (read it, admit them
		// to its programme).
		return len(t.Programmes) == 0 && t.Student != "" || overlaps(id.Programmes, t.Programmes)
	case OwnUE:
		return overlaps(id.UEs, t.UEs)
	case JuryMember, JuryOfficer, JuryPresident:
		return slices.ContainsFunc(t.Juries, func(j Jury) bool { return j.seats(id.ID, g.Scope) })
	case Self:
		return t.Student != "" && strings.EqualFold(id.ID, t.Student)
	}
	return false
}

func (j Jury) seats(actor string, s Scope) bool {
	switch s {
	case JuryPresident:
		return j.President == actor
	case JuryOfficer:
		return j.President == actor || j.Secretary == actor
	}
	return slices.Contains(j.Members, actor)
}

// outside says why t is outside id's scope under g: the field, its value
// and the reason, as Rule writes it after the actor and as the French
// gives it (a rule of the scope, the actor being named before it).
func outside(id auth.Identity, g Grant, t Target) (field, value, why string, reason i18n.Text) {
	switch g.Scope {
	case OwnProgramme:
		v := strings.Join(t.Programmes, ",")
		reason = textf("a secretariat may do so for its own programmes only, and has none")
		if len(id.Programmes) > 0 {
			reason = textf("a secretariat may do so for its own programmes only (%s)", strings.Join(id.Programmes, ", "))
		}
		return "programme", v, fmt.Sprintf("%s works for programme %s, not for %q", id.ID, strings.Join(id.Programmes, ", "), v), reason
	case OwnUE:
		v := strings.Join(t.UEs, ",")
		reason = textf("a teacher may do so for the UEs they are responsible for only, and has none")
		if len(id.UEs) > 0 {
			reason = textf("a teacher may do so for the UEs they are responsible for only (%s)", strings.Join(id.UEs, ", "))
		}
		return "ue", v, fmt.Sprintf("%s is responsible for UE %s, not for UE %s", id.ID, strings.Join(id.UEs, ", "), v), reason
	case Self:
		return "matricule", t.Student, fmt.Sprintf("%s may act on their own record only, not on student %s's", id.ID, t.Student),
			textf("a student may do so on their own record only, not on that of student %s", t.Student)
	}
	if len(t.Juries) == 0 {
		return "actor", id.ID, "no jury is constituted here", textf("no jury is constituted here")
	}
	var whys []string
	for i, j := range t.Juries {
		name := strings.TrimSpace(j.Programme + " " + j.Year)
		var r i18n.Text
		switch g.Scope {
		case JuryPresident:
			whys = append(whys, fmt.Sprintf("%s is not the president (%s) of the %s jury", id.ID, j.President, name))
			r = textf("only the president of the %s jury (%s) may", name, j.President)
		case JuryOfficer:
			whys = append(whys, fmt.Sprintf("%s is neither the president (%s) nor the secretary (%s) of the %s jury", id.ID, j.President, j.Secretary, name))
			r = textf("only the president (%s) and the secretary (%s) of the %s jury may", j.President, j.Secretary, name)
		default:
			whys = append(whys, fmt.Sprintf("%s is not a member of the %s jury", id.ID, name))
			r = textf("only the members of the %s jury may", name)
		}
		if i == 0 {
			reason = r
		} else {
			reason = textf("%s; %s", reason, r)
		}
	}
	return "actor", id.ID, strings.Join(whys, "; "), reason
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}
