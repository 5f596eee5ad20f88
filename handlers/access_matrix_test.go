package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

// TestAccessMatrixThroughHandlers: every action of the access matrix,
// attempted through the real command handlers and queries by every role,
// inside and outside its scope, is refused as Forbidden exactly when the
// matrix refuses it, and a refusal writes nothing. (access_test.go checks
// the matrix itself against the rules written out by hand; this test
// checks that the handlers enforce it, with the targets they build from
// the state.)
func TestAccessMatrixThroughHandlers(t *testing.T) {
	y := newYear(t, catalog.Q1, catalog.Q2)
	y.constituteJury(dtMembers())
	y.enrol(dtA, y.bloc(1)...)
	y.env.Clock.Set(time.Date(2026, 1, 8, 9, 0, 0, 0, time.UTC)) // within the Q1 encoding
	hs, ctx := y.hs, t.Context()

	jury := access.Jury{Programme: "MIAS", Year: gradetest.Year, Members: idsOf(dtMembers()), President: "jury.pres", Secretary: "jury.secr"}
	year := access.Target{Programmes: []string{"MIAS"}, Juries: []access.Jury{jury}}
	sheetT := year
	sheetT.UEs = []string{"1/8"}
	studentT := year
	studentT.UEs, studentT.Student = y.bloc(1), dtA
	person := access.Target{Programmes: []string{"MIAS"}, Student: dtA}

	sheet, ref := dtSheet(catalog.Q1, "1/8"), dtRef(catalog.Q1)
	var q handlers.ViewQuery
	fresh := 0
	read := func(_ any, err error) error { return err }
	cases := []struct {
		action access.Action
		target access.Target
		calls  map[string]func(auth.Identity) error
	}{
		{access.RegisterStudent, access.Target{}, calls{"register": func(id auth.Identity) error {
			fresh++
			return read(hs.RegisterStudent(ctx, id, "", handlers.Registration{Matricule: fmt.Sprintf("HE29%04d", fresh), FirstName: "A", LastName: "B",
				Email: fmt.Sprintf("m%d@student.helmo.be", fresh)}))
		}}},
		{access.AdmitStudent, person, calls{"admit": func(id auth.Identity) error {
			return read(hs.AdmitStudent(ctx, id, "", dtA, handlers.Admission{Year: gradetest.Year, Basis: "bachelier assistant social", HasBachelor: true}))
		}}},
		{access.SetPAE, person, calls{
			"validate": func(id auth.Identity) error {
				return read(hs.ValidatePAE(ctx, id, "", dtA, gradetest.Year, handlers.PAERequest{UEs: y.bloc(1)}))
			},
			"amend": func(id auth.Identity) error {
				return read(hs.AmendPAE(ctx, id, "", dtA, gradetest.Year, handlers.Amendment{Reason: "x"}))
			}}},
		{access.RecogniseCredits, year, calls{"recognise": func(id auth.Identity) error {
			return read(hs.RecogniseCredits(ctx, id, "", dtA, handlers.Recognition{Year: gradetest.Year, UE: "1/4", Basis: "b", Reason: "r"}))
		}}},
		{access.ScheduleSession, year, calls{"schedule": func(id auth.Identity) error {
			return read(hs.ScheduleSession(ctx, id, "", gradetest.Year, catalog.Q1, handlers.Schedule{}))
		}}},
		{access.ConstituteJury, year, calls{"constitute": func(id auth.Identity) error {
			return read(hs.ConstituteJury(ctx, id, "", "MIAS", gradetest.Year, dtJuryInput(dtMembers())))
		}}},
		{access.WriteSheet, sheetT, calls{
			"open": func(id auth.Identity) error { return read(hs.OpenSheet(ctx, id, "", sheet)) },
			"mark": func(id auth.Identity) error {
				return read(hs.RecordEntries(ctx, id, "", sheet, handlers.SourceAPI, []handlers.EntryInput{{Student: dtA, Value: "12"}}))
			},
			"import": func(id auth.Identity) error {
				return read(hs.ImportSheet(ctx, id, "", sheet, []byte("x"), handlers.ImportOptions{}))
			},
			"submit": func(id auth.Identity) error { return read(hs.SubmitSheet(ctx, id, "", sheet)) },
		}},
		{access.ReopenSheet, sheetT, calls{"reopen": func(id auth.Identity) error { return read(hs.ReopenSheet(ctx, id, "", sheet, "r")) }}},
		{access.ExtendDeadline, sheetT, calls{"extend": func(id auth.Identity) error {
			return read(hs.ExtendDeadline(ctx, id, "", sheet, handlers.Extension{Student: dtA, Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Reason: "r"}))
		}}},
		{access.OpenDeliberation, year, calls{
			"open": func(id auth.Identity) error {
				return read(hs.OpenDeliberation(ctx, id, "", ref, handlers.Opening{Present: idsOf(dtMembers())}))
			},
			"close": func(id auth.Identity) error { return read(hs.CloseDeliberation(ctx, id, "", ref)) },
		}},
		{access.OverrideOpening, year, calls{"override": func(id auth.Identity) error {
			return read(hs.OpenDeliberation(ctx, id, "", dtRef(catalog.Q2), handlers.Opening{Present: idsOf(dtMembers()), Override: "r"}))
		}}},
		{access.Decide, year, calls{"decide": func(id auth.Identity) error {
			return read(hs.RecordDecision(ctx, id, "", ref, handlers.DecisionInput{Student: dtA, RecordVersion: 1}))
		}}},
		{access.PublishResults, year, calls{"publish": func(id auth.Identity) error { return read(hs.PublishResults(ctx, id, "", ref, time.Time{})) }}},
		{access.FileAppeal, person, calls{"appeal": func(id auth.Identity) error {
			return read(hs.FileAppeal(ctx, id, "", ref, handlers.AppealInput{Student: dtA, Grounds: "g"}))
		}}},
		{access.DecideAppeal, year, calls{"verdict": func(id auth.Identity) error {
			return read(hs.DecideAppeal(ctx, id, "", ref, "no-such-appeal", handlers.AppealVerdict{Motivation: "m"}))
		}}},
		{access.ReadStudent, studentT, calls{"file": func(id auth.Identity) error { return read(hs.Student(ctx, id, dtA)) }}},
		{access.ListStudents, access.Target{}, calls{"directory": func(id auth.Identity) error { return read(hs.Students(ctx, id, "", 5, q)) }}},
		{access.ReadRecord, studentT, calls{
			"transcript": func(id auth.Identity) error { return read(hs.Transcript(ctx, id, dtA, gradetest.Year, q)) },
			"ledger":     func(id auth.Identity) error { return read(hs.Ledger(ctx, id, dtA, q)) },
			"readiness":  func(id auth.Identity) error { return read(hs.Readiness(ctx, id, dtA, q)) },
			"history":    func(id auth.Identity) error { return read(hs.History(ctx, id, dtA, q, projections.HistoryFilter{})) },
		}},
		{access.CompareRecord, studentT, calls{"diff": func(id auth.Identity) error {
			return read(hs.Diff(ctx, id, dtA, eventlog.Until{Position: 1}, eventlog.Until{}, q))
		}}},
		{access.ReadCalendar, access.Target{}, calls{"sessions": func(id auth.Identity) error { return read(hs.Sessions(ctx, id, gradetest.Year)) }}},
		{access.ReadJury, year, calls{"jury": func(id auth.Identity) error { return read(hs.Jury(ctx, id, "MIAS", gradetest.Year, q)) }}},
		{access.ReadSheet, sheetT, calls{
			"sheet":    func(id auth.Identity) error { return read(hs.Sheet(ctx, id, sheet)) },
			"template": func(id auth.Identity) error { return read(hs.SheetTemplate(ctx, id, sheet)) },
		}},
		{access.ReadDeliberation, year, calls{
			"deliberation": func(id auth.Identity) error { return read(hs.Deliberation(ctx, id, ref, q)) },
			"minutes":      func(id auth.Identity) error { return read(hs.Minutes(ctx, id, ref, q)) },
			"replay":       func(id auth.Identity) error { return read(hs.Replay(ctx, id, ref, q)) },
			"what-if":      func(id auth.Identity) error { return read(hs.WhatIf(ctx, id, ref, handlers.WhatIfInput{All: true}, q)) },
			"dossier":      func(id auth.Identity) error { return read(hs.Dossier(ctx, id, dtA, gradetest.Year, "Q1", q)) },
		}},
		{access.VerifyLog, access.Target{}, calls{"verify": func(id auth.Identity) error { return read(hs.Verification(ctx, id, "")) }}},
		{access.ExportBundle, studentT, calls{"bundle": func(id auth.Identity) error { return read(hs.Bundle(ctx, id, dtA)) }}},
		{access.ReadRefusals, access.Target{}, calls{"refusals": func(id auth.Identity) error { return read(hs.Refusals(ctx, id, "2026-01-08")) }}},
	}
	if len(cases) != len(access.Actions()) {
		t.Fatalf("%d actions tried, the matrix has %d", len(cases), len(access.Actions()))
	}
	cells := 0
	for _, c := range cases {
		for _, actor := range matrixActors() {
			want := access.Check(actor.id, c.action, c.target) == nil
			for name, call := range c.calls {
				cells++
				before := y.last()
				err := call(actor.id)
				var r *handlers.Refusal
				forbidden := errors.As(err, &r) && r.Reason == handlers.Forbidden
				if forbidden == want {
					t.Errorf("%s (%s) by %s: allowed %v by the matrix, got %v", c.action, name, actor.name, want, err)
				}
				if forbidden && y.last() != before {
					t.Errorf("%s (%s) by %s: refused, but the log moved from %d to %d", c.action, name, actor.name, before, y.last())
				}
			}
		}
	}
	t.Logf("%d attempts through the handlers", cells)
}

type calls = map[string]func(auth.Identity) error

// matrixActors are the columns of the matrix, each inside and outside
// the scope of the targets above.
func matrixActors() []struct {
	name string
	id   auth.Identity
} {
	type actor = struct {
		name string
		id   auth.Identity
	}
	return []actor{
		{"the teacher of 1/8", dtTeacher("1/8")},
		{"a teacher of 1/9", dtTeacher("1/9")},
		{"the MIAS secretariat", dtSec},
		{"another programme's secretariat", auth.Identity{ID: "sec.assi", Roles: []string{auth.Secretariat}, Programmes: []string{"ASSI"}}},
		{"a jury member", dtM3},
		{"the jury's secretary", dtSecr},
		{"the jury's president", dtPres},
		{"a juror of no jury here", dtJuror("jury.ailleurs")},
		{"an auditor", auth.Identity{ID: "audit.x", Roles: []string{auth.Auditor}}},
		{"the student", dtStudent(dtA)},
		{"another student", dtStudent(dtB)},
	}
}

// TestSheetStatusesKeepTheScope: the list of a session's sheets shows
// each actor the sheets the matrix lets them read.
func TestSheetStatusesKeepTheScope(t *testing.T) {
	y := newYear(t, catalog.Q1)
	y.constituteJury(dtMembers())
	y.enrol(dtA, y.bloc(1)...)
	for _, actor := range matrixActors() {
		got, err := y.hs.SheetStatuses(context.Background(), actor.id, gradetest.Year, "Q1", handlers.ViewQuery{})
		if access.Holds(actor.id, access.ReadSheet) != nil {
			if err == nil {
				t.Errorf("%s listed the sheets", actor.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", actor.name, err)
		}
		var ues []string
		for _, s := range got {
			ues = append(ues, s.UE)
		}
		has18 := slices.Contains(ues, "1/8")
		inScope := access.Check(actor.id, access.ReadSheet, access.Target{Programmes: []string{"MIAS"}, UEs: []string{"1/8"},
			Juries: []access.Jury{{Programme: "MIAS", Year: gradetest.Year, Members: idsOf(dtMembers()), President: "jury.pres", Secretary: "jury.secr"}}}) == nil
		if has18 != inScope {
			t.Errorf("%s sees %v; 1/8 in scope: %v", actor.name, ues, inScope)
		}
	}
}
