package access

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/auth"
)

// The roles, as the matrix names them.
const (
	teacher     = auth.Teacher
	secretariat = auth.Secretariat
	jury        = auth.Jury
	auditor     = auth.Auditor
	student     = auth.Student
)

// matrix is the whole policy: for each action, the roles that may do it
// and within which scope. A role absent from an action's line is refused
// it. Auditors appear on reads only.
var matrix = map[Action][]Grant{
	RegisterStudent:  {{secretariat, Anywhere}},
	AdmitStudent:     {{secretariat, OwnProgramme}},
	SetPAE:           {{secretariat, OwnProgramme}},
	RecogniseCredits: {{jury, JuryMember}},
	ScheduleSession:  {{secretariat, OwnProgramme}},
	ConstituteJury:   {{secretariat, OwnProgramme}},
	WriteSheet:       {{teacher, OwnUE}, {secretariat, OwnProgramme}, {jury, JuryMember}},
	ReopenSheet:      {{secretariat, OwnProgramme}},
	ExtendDeadline:   {{secretariat, OwnProgramme}},
	OpenDeliberation: {{jury, JuryOfficer}},
	OverrideOpening:  {{jury, JuryPresident}},
	Decide:           {{jury, JuryMember}},
	PublishResults:   {{secretariat, OwnProgramme}, {jury, JuryPresident}},
	FileAppeal:       {{student, Self}, {secretariat, OwnProgramme}},
	DecideAppeal:     {{jury, JuryPresident}},

	ReadStudent:      {{teacher, OwnUE}, {secretariat, OwnProgramme}, {jury, JuryMember}, {auditor, Anywhere}, {student, Self}},
	ListStudents:     {{secretariat, Anywhere}, {jury, Anywhere}, {auditor, Anywhere}},
	ReadRecord:       {{secretariat, OwnProgramme}, {jury, JuryMember}, {auditor, Anywhere}, {student, Self}},
	CompareRecord:    {{secretariat, OwnProgramme}, {jury, JuryMember}, {auditor, Anywhere}},
	ReadCalendar:     {{teacher, Anywhere}, {secretariat, Anywhere}, {jury, Anywhere}, {auditor, Anywhere}, {student, Anywhere}},
	ReadJury:         {{teacher, Anywhere}, {secretariat, Anywhere}, {jury, Anywhere}, {auditor, Anywhere}},
	ReadSheet:        {{teacher, OwnUE}, {secretariat, OwnProgramme}, {jury, JuryMember}, {auditor, Anywhere}},
	ReadDeliberation: {{secretariat, OwnProgramme}, {jury, JuryMember}, {auditor, Anywhere}},
	VerifyLog:        {{secretariat, Anywhere}, {auditor, Anywhere}},
	ExportBundle:     {{secretariat, OwnProgramme}, {auditor, Anywhere}},
	ReadRefusals:     {{secretariat, Anywhere}, {auditor, Anywhere}},
}

// Actions lists every action of the matrix, writes first, in a stable
// order.
func Actions() []Action {
	return []Action{RegisterStudent, AdmitStudent, SetPAE, RecogniseCredits, ScheduleSession, ConstituteJury,
		WriteSheet, ReopenSheet, ExtendDeadline, OpenDeliberation, OverrideOpening, Decide, PublishResults,
		FileAppeal, DecideAppeal,
		ReadStudent, ListStudents, ReadRecord, CompareRecord, ReadCalendar, ReadJury, ReadSheet,
		ReadDeliberation, VerifyLog, ExportBundle, ReadRefusals}
}

// Grants returns who may do a.
func Grants(a Action) []Grant { return append([]Grant(nil), matrix[a]...) }

// Table renders the matrix as a Markdown table, one row per action and one
// column per role (docs/access.md is this table; a test keeps it current).
func Table() string {
	var b strings.Builder
	roles := auth.Roles()
	b.WriteString("| action |")
	for _, r := range roles {
		b.WriteString(" " + r + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(roles)) + "\n")
	for _, a := range Actions() {
		fmt.Fprintf(&b, "| `%s` |", a)
		for _, r := range roles {
			cell := "—"
			for _, g := range matrix[a] {
				if g.Role == r {
					cell = g.Scope.String()
				}
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}
