// Tests of the access matrix, cell by cell: every action, for every role
// (the jury's plain member, secretary and president apart), on a target
// inside the actor's scope and on one outside it. The expected matrix is
// written out here by hand, independently of matrix.go.
package access

import (
	"os"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/auth"
)

// The columns of want, and who plays them.
var columns = []struct {
	name string
	id   auth.Identity
}{
	{"teacher", auth.Identity{ID: "prof.a", Roles: []string{auth.Teacher}, UEs: []string{"1/8"}}},
	{"secretariat", auth.Identity{ID: "secr.a", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}},
	{"jury member", auth.Identity{ID: "jury.m", Roles: []string{auth.Jury}}},
	{"jury secretary", auth.Identity{ID: "jury.s", Roles: []string{auth.Jury}}},
	{"jury president", auth.Identity{ID: "jury.p", Roles: []string{auth.Jury}}},
	{"auditor", auth.Identity{ID: "audit.a", Roles: []string{auth.Auditor}}},
	{"student", auth.Identity{ID: "S1", Roles: []string{auth.Student}}},
}

// inside holds every fact that puts a target in each column's scope;
// outside none of them.
var (
	inside = Target{Programmes: []string{"MIAS"}, UEs: []string{"1/8"}, Student: "S1",
		Juries: []Jury{{Programme: "MIAS", Year: "2025-2026", Members: []string{"jury.m", "jury.s", "jury.p"}, President: "jury.p", Secretary: "jury.s"}}}
	beyond = Target{Programmes: []string{"ASSI"}, UEs: []string{"1/9"}, Student: "S2",
		Juries: []Jury{{Programme: "ASSI", Year: "2025-2026", Members: []string{"other.p", "other.s"}, President: "other.p", Secretary: "other.s"}}}
)

// want: per action, one cell per column: A allowed anywhere, S allowed
// inside the scope and refused outside it, - refused everywhere.
var want = map[Action]string{
	//                  T  Se Jm Js Jp Au St
	RegisterStudent:  "-  A  -  -  -  -  -",
	AdmitStudent:     "-  S  -  -  -  -  -",
	SetPAE:           "-  S  -  -  -  -  -",
	RecogniseCredits: "-  -  S  S  S  -  -",
	ScheduleSession:  "-  S  -  -  -  -  -",
	ConstituteJury:   "-  S  -  -  -  -  -",
	WriteSheet:       "S  S  S  S  S  -  -",
	ReopenSheet:      "-  S  -  -  -  -  -",
	ExtendDeadline:   "-  S  -  -  -  -  -",
	OpenDeliberation: "-  -  -  S  S  -  -",
	OverrideOpening:  "-  -  -  -  S  -  -",
	Decide:           "-  -  S  S  S  -  -",
	PublishResults:   "-  S  -  -  S  -  -",
	FileAppeal:       "-  S  -  -  -  -  S",
	DecideAppeal:     "-  -  -  -  S  -  -",
	ReadStudent:      "S  S  S  S  S  A  S",
	ListStudents:     "-  A  A  A  A  A  -",
	ReadRecord:       "-  S  S  S  S  A  S",
	CompareRecord:    "-  S  S  S  S  A  -",
	ReadCalendar:     "A  A  A  A  A  A  A",
	ReadJury:         "A  A  A  A  A  A  -",
	ReadSheet:        "S  S  S  S  S  A  -",
	ReadDeliberation: "-  S  S  S  S  A  -",
	VerifyLog:        "-  A  -  -  -  A  -",
	ExportBundle:     "-  S  -  -  -  A  -",
	ReadRefusals:     "-  A  -  -  -  A  -",
}

func TestEveryCell(t *testing.T) {
	if len(want) != len(Actions()) {
		t.Fatalf("the test's matrix has %d actions, the package %d", len(want), len(Actions()))
	}
	cells := 0
	for _, a := range Actions() {
		row := strings.Fields(want[a])
		if len(row) != len(columns) {
			t.Fatalf("%s: %d cells for %d columns", a, len(row), len(columns))
		}
		for i, c := range columns {
			for _, place := range []struct {
				name    string
				target  Target
				allowed bool
			}{
				{"inside", inside, row[i] != "-"},
				{"outside", beyond, row[i] == "A"},
			} {
				cells++
				d := Check(c.id, a, place.target)
				if (d == nil) != place.allowed {
					t.Errorf("%s by %s %s its scope: allowed %v, want %v (%v)", a, c.name, place.name, d == nil, place.allowed, d)
				}
				if d != nil && (d.Field == "" || !strings.Contains(d.Rule, string(a))) {
					t.Errorf("%s by %s %s: refusal %+v lacks the field or the action", a, c.name, place.name, d)
				}
			}
		}
	}
	t.Logf("%d cells checked", cells)
}

// TestRefusalNamesTheScope: a role that holds a grant but misses its
// scope is told which field is outside it; a role without a grant is told
// who may.
func TestRefusalNamesTheScope(t *testing.T) {
	teacher := columns[0].id
	d := Check(teacher, WriteSheet, Target{Programmes: []string{"MIAS"}, UEs: []string{"1/9"}})
	if d == nil || d.Field != "ue" || d.Value != "1/9" || !strings.Contains(d.Rule, "prof.a is responsible for UE 1/8, not for UE 1/9; sheet.write takes: teacher (of the UE)") {
		t.Fatalf("teacher on another UE: %+v", d)
	}
	d = Check(columns[5].id, WriteSheet, inside)
	if d == nil || d.Field != "role" || d.Value != "auditor" || !strings.Contains(d.Rule, "teacher (of the UE), secretariat (of the programme), jury (member of the jury)") {
		t.Fatalf("auditor writing a sheet: %+v", d)
	}
	d = Check(columns[6].id, ReadRecord, beyond)
	if d == nil || d.Field != "matricule" || d.Value != "S2" {
		t.Fatalf("student reading another: %+v", d)
	}
	d = Check(columns[3].id, OverrideOpening, inside)
	if d == nil || d.Field != "actor" || !strings.Contains(d.Rule, "jury.s is not the president (jury.p) of the MIAS 2025-2026 jury") {
		t.Fatalf("secretary overriding: %+v", d)
	}
	d = Check(columns[2].id, Decide, Target{Programmes: []string{"MIAS"}})
	if d == nil || d.Field != "actor" || !strings.Contains(d.Rule, "no jury is constituted") {
		t.Fatalf("decision without a jury: %+v", d)
	}
	if d := Check(teacher, Action("grade.delete"), inside); d == nil || d.Field != "action" {
		t.Fatalf("unknown action: %+v", d)
	}
}

// TestRolesAddUp: an actor with several roles may do what any of them
// allows, each within its own scope.
func TestRolesAddUp(t *testing.T) {
	both := auth.Identity{ID: "jury.m", Roles: []string{auth.Teacher, auth.Jury}, UEs: []string{"1/9"}}
	if d := Check(both, WriteSheet, Target{UEs: []string{"1/8"}, Juries: inside.Juries}); d != nil {
		t.Fatalf("a jury member who teaches another UE: %v", d)
	}
	if d := Check(both, WriteSheet, Target{UEs: []string{"1/8"}, Juries: beyond.Juries}); d == nil {
		t.Fatal("outside both scopes, allowed")
	}
}

// TestStudentWithoutProgramme: a registered student not yet admitted
// belongs to no programme (the target handlers build for their record);
// any secretariat may read it, none may act on a target with no programme
// and no student.
func TestStudentWithoutProgramme(t *testing.T) {
	secr := columns[1].id
	if d := Check(secr, ReadStudent, Target{Student: "S3"}); d != nil {
		t.Fatalf("reading a student with no programme: %v", d)
	}
	if d := Check(secr, ScheduleSession, Target{}); d == nil {
		t.Fatal("a session of no programme: allowed")
	}
}

// TestEachScopeReadsItsFact: a target holding only the fact a scope
// needs lets the grant in, and the same target without it does not (the
// inside target of TestEveryCell holds every fact at once).
func TestEachScopeReadsItsFact(t *testing.T) {
	j := inside.Juries
	for _, c := range []struct {
		who    int // column
		a      Action
		only   Target
		denied Target
	}{
		{0, WriteSheet, Target{UEs: []string{"1/8"}}, Target{Programmes: []string{"MIAS"}, Student: "S1", Juries: j}},
		{1, ReopenSheet, Target{Programmes: []string{"MIAS"}}, Target{UEs: []string{"1/8"}, Juries: j, Programmes: []string{"ASSI"}}},
		{2, Decide, Target{Juries: j}, Target{Programmes: []string{"MIAS"}, UEs: []string{"1/8"}, Student: "S1"}},
		{3, OpenDeliberation, Target{Juries: j}, Target{Programmes: []string{"MIAS"}, Juries: beyond.Juries}},
		{4, DecideAppeal, Target{Juries: j}, Target{Programmes: []string{"MIAS"}, Student: "S1", Juries: beyond.Juries}},
		{6, ReadRecord, Target{Student: "S1"}, Target{Programmes: []string{"MIAS"}, UEs: []string{"1/8"}, Juries: j}},
	} {
		id := columns[c.who].id
		if d := Check(id, c.a, c.only); d != nil {
			t.Errorf("%s by %s on only its fact: %v", c.a, columns[c.who].name, d)
		}
		if d := Check(id, c.a, c.denied); d == nil {
			t.Errorf("%s by %s on every fact but its own: allowed", c.a, columns[c.who].name)
		}
	}
}

// TestAuditorsNeverWrite: the matrix gives auditors reads only.
func TestAuditorsNeverWrite(t *testing.T) {
	writes := 0
	for _, a := range Actions() {
		if !a.Writes() {
			continue
		}
		writes++
		for _, g := range Grants(a) {
			if g.Role == auth.Auditor {
				t.Errorf("auditors may %s", a)
			}
		}
	}
	if writes != 15 {
		t.Fatalf("%d writes, want 15", writes)
	}
}

// TestDocumentedTable: docs/access.md shows the matrix as it is.
func TestDocumentedTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/access.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), Table()) {
		t.Fatalf("docs/access.md is out of date; its table should read:\n%s", Table())
	}
}
