package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/sheetfile"
)

var sec = auth.Identity{ID: "sec.leroy", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"}}

func responsibleFor(ues ...string) auth.Identity {
	return auth.Identity{ID: "prof.x", Roles: []string{auth.Teacher}, UEs: ues}
}

// enrolOne registers, admits and gives a PAE to one student.
func enrolOne(t *testing.T, env *gradetest.Env, mat string, ues ...string) {
	t.Helper()
	ctx := t.Context()
	hs := env.Handlers
	must(t)(hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: mat, FirstName: "P", LastName: mat, Email: strings.ToLower(mat) + "@student.helmo.be"}))
	must(t)(hs.AdmitStudent(ctx, sec, "", mat, handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true}))
	must(t)(hs.ValidatePAE(ctx, sec, "", mat, gradetest.Year, handlers.PAERequest{UEs: ues}))
}

func must(t *testing.T) func(eventlog.Appended, error) {
	return func(_ eventlog.Appended, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func schedule(t *testing.T, env *gradetest.Env, sessions ...catalog.Session) {
	t.Helper()
	for _, s := range sessions {
		must(t)(env.Handlers.ScheduleSession(t.Context(), sec, "", gradetest.Year, s, handlers.Schedule{}))
	}
}

func record(t *testing.T, env *gradetest.Env, ref handlers.SheetRef, mat, activity, value string) error {
	t.Helper()
	_, err := env.Handlers.RecordEntries(t.Context(), responsibleFor(ref.UE), "", ref, handlers.SourceForm,
		[]handlers.EntryInput{{Student: mat, Activity: activity, Value: value}})
	return err
}

func roster(t *testing.T, env *gradetest.Env, ref handlers.SheetRef) []string {
	t.Helper()
	s, err := env.Handlers.Sheet(t.Context(), sec, ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range s.Rows {
		if r.Enrolled {
			out = append(out, r.Matricule)
		}
	}
	return out
}

func sheetOf(session catalog.Session, ue string) handlers.SheetRef {
	return handlers.SheetRef{Year: gradetest.Year, Session: session, UE: ue}
}

// TestRosterFollowsResults: a sheet lists the students whose PAE holds the
// UE, minus those who acquired it at an earlier session of the year or used
// both presentations; a single-activity UE takes its mark as the UE mark.
func TestRosterFollowsResults(t *testing.T) {
	env := gradetest.Start(t, true)
	schedule(t, env, catalog.Q1, catalog.Q2, catalog.Q3)
	for _, m := range []string{"HE500001", "HE500002", "HE500003"} {
		enrolOne(t, env, m, "1/4")
	}
	q1, q2, q3 := sheetOf(catalog.Q1, "1/4"), sheetOf(catalog.Q2, "1/4"), sheetOf(catalog.Q3, "1/4")
	if got := roster(t, env, q1); len(got) != 3 {
		t.Fatalf("Q1 roster: %v", got)
	}
	for m, v := range map[string]string{"HE500001": "12", "HE500002": "8", "HE500003": "9,5"} {
		if err := record(t, env, q1, m, "", v); err != nil {
			t.Fatal(err)
		}
	}
	// 9.5 rounds to 10 (half-up, whole points): acquired.
	if got := strings.Join(roster(t, env, q2), ","); got != "HE500002" {
		t.Fatalf("Q2 roster after Q1: %s, want the one who failed", got)
	}
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	if err := record(t, env, q2, "HE500002", "", "7"); err != nil {
		t.Fatal(err)
	}
	if got := roster(t, env, q3); len(got) != 0 {
		t.Fatalf("Q3 roster after two presentations: %v", got)
	}
	err := record(t, env, q3, "HE500002", "", "12")
	if r, ok := err.(*handlers.Refusal); !ok || r.Reason != handlers.Invalid || !strings.Contains(r.Error(), "every presentation of the year used") {
		t.Fatalf("a third presentation: %v", err)
	}
	// The single-activity UE's mark is its activity's.
	h, err := env.Log.Load(t.Context(), events.SheetOf(gradetest.Year, "Q1", "1/4"), eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	if e := h.Records[0].Event.(events.MarkRecorded); e.Activity != "Questions socio-politiques et enjeux contemporains" {
		t.Fatalf("single-activity UE mark recorded on %q", e.Activity)
	}
}

// TestAmendedPAELeavesTheSheet: a UE removed from a PAE takes the student
// off its sheet; entries they hold stay, shown as no longer enrolled.
func TestAmendedPAELeavesTheSheet(t *testing.T) {
	env := gradetest.Start(t, true)
	schedule(t, env, catalog.Q1)
	enrolOne(t, env, "HE500010", "1/4", "1/5")
	enrolOne(t, env, "HE500011", "1/4", "1/5")
	q1 := sheetOf(catalog.Q1, "1/4")
	if err := record(t, env, q1, "HE500010", "", "13"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"HE500010", "HE500011"} {
		must(t)(env.Handlers.AmendPAE(t.Context(), sec, "", m, gradetest.Year, handlers.Amendment{Removed: []string{"1/4"}, Reason: "abandon"}))
	}
	s, err := env.Handlers.Sheet(t.Context(), sec, q1)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 1 || s.Rows[0].Matricule != "HE500010" || s.Rows[0].Enrolled {
		t.Fatalf("sheet after the amendments: %+v", s.Rows)
	}
	if err := record(t, env, q1, "HE500011", "", "13"); err == nil || !strings.Contains(err.Error(), "not in the student's 2025-2026 PAE") {
		t.Fatalf("mark for a student whose PAE dropped the UE: %v", err)
	}
	// An amendment is checked like a PAE: dropping 1/12 leaves 1/11
	// without its co-requisite.
	enrolOne(t, env, "HE500012", "1/11", "1/12")
	_, err = env.Handlers.AmendPAE(t.Context(), sec, "", "HE500012", gradetest.Year, handlers.Amendment{Removed: []string{"1/12"}, Reason: "stage reporté"})
	if err == nil || !strings.Contains(err.Error(), "co-requisite") {
		t.Fatalf("amendment breaking a co-requisite: %v", err)
	}
}

// TestUELevelCodeAndActivities: a sitting holds a UE-level entry or
// activity entries, never both.
func TestUELevelCodeAndActivities(t *testing.T) {
	env := gradetest.Start(t, true)
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	schedule(t, env, catalog.Q2)
	enrolOne(t, env, "HE500020", "1/9")
	q2 := sheetOf(catalog.Q2, "1/9")
	if err := record(t, env, q2, "HE500020", "Méthodologies", "14"); err != nil {
		t.Fatal(err)
	}
	_, err := env.Handlers.RecordEntries(t.Context(), sec, "", q2, handlers.SourceForm, []handlers.EntryInput{{Student: "HE500020", Value: "DISP"}})
	if err == nil || !strings.Contains(err.Error(), "do not mix") {
		t.Fatalf("a UE-level code beside an activity mark: %v", err)
	}
}

// TestWaiverAtTheEndOfTheCycle: a missing prerequisite is waived only at
// the end of the cycle, and then must be followed as a co-requisite.
func TestWaiverAtTheEndOfTheCycle(t *testing.T) {
	ctx := context.Background()
	env := gradetest.Start(t, true)
	// This year's catalog gives 2/10 the prerequisite 1/12 (the seed
	// declares none).
	cat, rs := gradetest.Shipped(t)
	for i := range cat.UEs {
		if cat.UEs[i].Code == "2/10" {
			req, err := catalog.ParseRequisite("1/12")
			if err != nil {
				t.Fatal(err)
			}
			cat.UEs[i].Prerequisites = req
		}
	}
	if _, err := env.Handlers.PublishCatalog(ctx, cat, rs, events.Actor{ID: "gradelog"}); err != nil {
		t.Fatal(err)
	}
	hs := env.Handlers
	must(t)(hs.RegisterStudent(ctx, sec, "", handlers.Registration{Matricule: "HE500030", FirstName: "A", LastName: "B", Email: "ab@student.helmo.be"}))
	must(t)(hs.AdmitStudent(ctx, sec, "", "HE500030", handlers.Admission{Year: gradetest.Year, Basis: "bachelier", HasBachelor: true}))
	waiver := []events.Waiver{{UE: "2/10", Prerequisite: "1/12", Reason: "fin de cycle"}}
	_, err := hs.ValidatePAE(ctx, sec, "", "HE500030", gradetest.Year, handlers.PAERequest{UEs: []string{"1/12", "2/10"}, Waivers: waiver})
	if err == nil || !strings.Contains(err.Error(), "only at the end of the cycle") {
		t.Fatalf("waiver with 120 credits to go: %v", err)
	}
	// Recognise every programme UE but 1/11, 1/12 and 2/10 (the jury's
	// valorisation, appended as the jury would): 60 or fewer credits left.
	for _, ue := range cat.UEs {
		if ue.Kind != catalog.Core || ue.Code == "1/11" || ue.Code == "1/12" || ue.Code == "2/10" {
			continue
		}
		if _, err := env.Log.Append(ctx, eventlog.AppendRequest{Aggregate: events.StudentOf("HE500030"), Head: head(t, env, "HE500030"),
			Events: []events.Pending{{Event: events.CreditsRecognised{Year: "2024-2025", UE: ue.Code, Basis: "VAE", Reason: "test"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = hs.ValidatePAE(ctx, sec, "", "HE500030", gradetest.Year, handlers.PAERequest{UEs: []string{"2/10"}, Waivers: waiver})
	if err == nil || !strings.Contains(err.Error(), "becomes a co-requisite") {
		t.Fatalf("waived prerequisite not followed: %v", err)
	}
	_, err = hs.ValidatePAE(ctx, sec, "", "HE500030", gradetest.Year, handlers.PAERequest{UEs: []string{"2/10"}})
	if err == nil || !strings.Contains(err.Error(), "requires 1/12 acquired first") {
		t.Fatalf("missing prerequisite without a waiver: %v", err)
	}
	must(t)(hs.ValidatePAE(ctx, sec, "", "HE500030", gradetest.Year, handlers.PAERequest{UEs: []string{"1/11", "1/12", "2/10"}, Waivers: waiver}))
}

func head(t *testing.T, env *gradetest.Env, mat string) events.Head {
	t.Helper()
	h, err := env.Log.Load(t.Context(), events.StudentOf(mat), eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	return h.Head
}

// exportCSV downloads a sheet as a CSV file.
func exportCSV(t *testing.T, env *gradetest.Env, id auth.Identity, ref handlers.SheetRef, fill map[string]string) []byte {
	t.Helper()
	tmpl, err := env.Handlers.SheetTemplate(t.Context(), id, ref)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tmpl.Rows {
		for k, v := range fill {
			if mat, col, _ := strings.Cut(k, "|"); mat == tmpl.Rows[i].Matricule {
				tmpl.Rows[i].Values[col] = v
			}
		}
	}
	var buf bytes.Buffer
	if err := sheetfile.WriteCSV(&buf, tmpl); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSheetEdgeCases: the cases a review found: a batch mixing a UE-level
// entry and activity entries; opening a submitted sheet; uploading back a
// file with carried marks, or unchanged cells after the deadline; a file
// older than a correction; a student no longer due taking a new entry.
func TestSheetEdgeCases(t *testing.T) {
	ctx := t.Context()
	env := gradetest.Start(t, true)
	hs := env.Handlers
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	schedule(t, env, catalog.Q2, catalog.Q3)
	for _, m := range []string{"HE600001", "HE600002", "HE600003"} {
		enrolOne(t, env, m, "1/9", "1/4")
	}
	q2, q3 := sheetOf(catalog.Q2, "1/9"), sheetOf(catalog.Q3, "1/9")
	prof := responsibleFor("1/9")
	refusedWith := func(err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want a refusal saying %q", err, want)
		}
	}

	// A UE-level code and an activity mark in one batch.
	_, err := hs.RecordEntries(ctx, sec, "", q2, handlers.SourceForm, []handlers.EntryInput{
		{Student: "HE600001", Value: "DISP"}, {Student: "HE600001", Activity: "Méthodologies", Value: "14"}})
	refusedWith(err, "a sitting holds one or the other")

	// Q2: HE600001 passes Méthodologies only; HE600002 passes the UE.
	for _, e := range [][3]string{{"HE600001", "Méthodologies", "14"}, {"HE600001", "Travaux pratiques", "4"},
		{"HE600002", "Méthodologies", "12"}, {"HE600002", "Travaux pratiques", "13"}} {
		if err := record(t, env, q2, e[0], e[1], e[2]); err != nil {
			t.Fatal(err)
		}
	}
	// A file older than a correction does not undo it.
	old := exportCSV(t, env, prof, q2, map[string]string{"HE600002|Travaux pratiques": "15"})
	if _, err := hs.RecordEntries(ctx, sec, "", q2, handlers.SourceForm, []handlers.EntryInput{
		{Student: "HE600002", Activity: "Travaux pratiques", Value: "14"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := hs.ImportSheet(ctx, prof, "", q2, old, handlers.ImportOptions{})
	if err != nil || rep.Written || rep.Refused != 1 || !strings.Contains(fmt.Sprint(rep.Rows), "changed since") {
		t.Fatalf("stale file: %+v, %v", rep, err)
	}

	// Q3: Méthodologies carried for HE600001; its file uploads back as is.
	must(t)(hs.OpenSheet(ctx, prof, "", q3))
	file := exportCSV(t, env, prof, q3, nil)
	rep, err = hs.ImportSheet(ctx, prof, "", q3, file, handlers.ImportOptions{})
	if err != nil || rep.Written || rep.Refused != 0 {
		t.Fatalf("uploading a sheet with carried marks back: %+v, %v", rep, err)
	}
	if err := record(t, env, q3, "HE600001", "Travaux pratiques", "11"); err != nil {
		t.Fatal(err)
	}
	// After the deadline, unchanged cells are no late marks.
	file = exportCSV(t, env, prof, q3, nil)
	env.Clock.Set(time.Date(2026, 9, 8, 9, 0, 0, 0, time.UTC))
	if rep, err = hs.ImportSheet(ctx, prof, "", q3, file, handlers.ImportOptions{}); err != nil || rep.Refused != 0 || rep.Unchanged != 2 || rep.Written {
		t.Fatalf("unchanged upload after the deadline: %+v, %v", rep, err)
	}
	// Opening a submitted sheet writes nothing.
	if _, err := hs.SubmitSheet(ctx, sec, "", q3); err != nil {
		t.Fatal(err)
	}
	_, err = hs.OpenSheet(ctx, prof, "", q3)
	refusedWith(err, "submitted")

	// HE600003's PAE drops 1/9 after a Q2 mark: the mark may be corrected,
	// no new one taken.
	env.Clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	if err := record(t, env, q2, "HE600003", "Méthodologies", "9"); err != nil {
		t.Fatal(err)
	}
	must(t)(hs.AmendPAE(ctx, sec, "", "HE600003", gradetest.Year, handlers.Amendment{Removed: []string{"1/9"}, Reason: "abandon"}))
	refusedWith(record(t, env, q2, "HE600003", "Travaux pratiques", "15"), "take no new one")
	if err := record(t, env, q2, "HE600003", "Méthodologies", "10"); err != nil {
		t.Fatalf("correcting a held entry: %v", err)
	}
}
