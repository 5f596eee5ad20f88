package web

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// students is the student directory with a search.
func (u *ui) students(c *req) error {
	q := strings.TrimSpace(c.r.URL.Query().Get("q"))
	list, err := u.Handlers.Students(c.ctx(), c.id, q, 200, c.query())
	if err != nil {
		return err
	}
	u.render(c, "students", "Étudiants", map[string]any{"Query": q, "Students": list})
	return nil
}

// studentView is a student's page for the secretariat.
type studentView struct {
	File      handlers.StudentFile
	Years     []paeYear
	Readiness *projections.ReadinessView
	Choices   []paeChoice // the latest year's catalog, for its PAE
	Year      string      // the latest year
	Validated bool        // the latest year's PAE is validated: the form amends it
	Sessions  []events.SessionScheduled
	Codes     []rules.CodeRule
	Writer    bool
}

// paeChoice is one UE of the PAE form: ticked when the PAE in force holds
// it.
type paeChoice struct {
	catalog.UE
	InPAE bool
}

// paeYear is one year's PAE with the UEs' titles.
type paeYear struct {
	Year string
	UEs  []catalog.UE
}

// studentPage shows a student's registration, admission, PAEs, what they
// may take next (requisites), and the secretariat's forms: a PAE, a
// justified absence.
func (u *ui) studentPage(c *req) error {
	mat := c.r.PathValue("matricule")
	f, err := u.Handlers.Student(c.ctx(), c.id, mat)
	if err != nil {
		return err
	}
	v := studentView{File: f, Writer: c.id.Has(auth.Secretariat)}
	years := u.Handlers.Cohort.Years()
	if len(years) > 0 {
		v.Year = years[len(years)-1]
	}
	for _, y := range years {
		docs, ok := u.Handlers.Cohort.Documents(y)
		p := f.PAEs[y]
		if !ok || p == nil {
			continue
		}
		py := paeYear{Year: y}
		for _, code := range p.UEs {
			ue, _ := docs.Catalog.UE(code)
			ue.Code = code
			py.UEs = append(py.UEs, ue)
		}
		v.Years = append(v.Years, py)
	}
	if docs, ok := u.Handlers.Cohort.Documents(v.Year); ok {
		current := f.PAEs[v.Year]
		v.Validated = current != nil
		for _, ue := range docs.Catalog.UEs {
			v.Choices = append(v.Choices, paeChoice{UE: ue, InPAE: current != nil && slices.Contains(current.UEs, ue.Code)})
		}
		v.Codes = docs.Ruleset.Codes
		v.Sessions = u.Handlers.Cohort.Sessions(v.Year)
	}
	if r, err := u.Handlers.Readiness(c.ctx(), c.id, mat, c.query()); err == nil {
		v.Readiness = &r
	}
	u.render(c, "student", fmt.Sprintf("%s %s (%s)", f.FirstName, f.LastName, f.Matricule), v)
	return nil
}

// validatePAE records a student's PAE for a year, or, once one is
// validated, amends it to the UEs ticked (with a reason); a refusal lists
// every requisite the PAE would break.
func (u *ui) validatePAE(c *req) (done, error) {
	mat := c.r.PathValue("matricule")
	year, chosen := c.r.PostForm.Get("annee"), c.r.PostForm["ue"]
	f, err := u.Handlers.Student(c.ctx(), c.id, mat)
	if err != nil {
		return done{}, err
	}
	current := f.PAEs[year]
	if current == nil {
		got, err := u.Handlers.ValidatePAE(c.ctx(), c.id, "", mat, year, handlers.PAERequest{UEs: chosen})
		if err != nil {
			return done{}, err
		}
		return done{next: "/etudiants/" + mat, flash: "PAE validé.", position: positionOf(got)}, nil
	}
	var in handlers.Amendment
	for _, ue := range chosen {
		if !slices.Contains(current.UEs, ue) && !slices.Contains(in.Added, ue) {
			in.Added = append(in.Added, ue)
		}
	}
	for _, ue := range current.UEs {
		if !slices.Contains(chosen, ue) {
			in.Removed = append(in.Removed, ue)
		}
	}
	in.Reason = strings.TrimSpace(c.r.PostForm.Get("motif"))
	got, err := u.Handlers.AmendPAE(c.ctx(), c.id, "", mat, year, in)
	if err != nil {
		return done{}, err
	}
	return done{next: "/etudiants/" + mat, flash: "PAE modifié.", position: positionOf(got)}, nil
}

// justifyAbsence records a justified absence (code CM, the secretariat's
// alone) on one activity of a student's sheet.
func (u *ui) justifyAbsence(c *req) (done, error) {
	mat := c.r.PathValue("matricule")
	f := c.r.PostForm
	ue, activity, _ := strings.Cut(f.Get("epreuve"), "|")
	ref := handlers.SheetRef{Year: f.Get("annee"), Session: catalog.Session(f.Get("session")), UE: ue}
	got, err := u.Handlers.RecordEntries(c.ctx(), c.id, "", ref, handlers.SourceForm, []handlers.EntryInput{{
		Student: mat, Activity: activity, Value: f.Get("code"), Reason: strings.TrimSpace(f.Get("motif"))}})
	if err != nil {
		return done{}, err
	}
	return done{next: "/etudiants/" + mat, flash: fmt.Sprintf("Absence enregistrée (%s) pour l'UE %s, %s.", f.Get("code"), ue, ref.Session), position: got.Position}, nil
}

// sessionsView lists the sessions of a year with the schedule form.
type sessionsView struct {
	Year     string
	Years    []string
	Sessions []events.SessionScheduled
	Writer   bool
}

// sessions lists every scheduled session with its dates; the secretariat
// schedules or reschedules one.
func (u *ui) sessions(c *req) error {
	years := u.Handlers.Cohort.Years()
	v := sessionsView{Years: years, Writer: c.id.Has(auth.Secretariat), Year: c.r.URL.Query().Get("annee")}
	if v.Year == "" && len(years) > 0 {
		v.Year = years[len(years)-1]
	}
	s, err := u.Handlers.Sessions(c.ctx(), c.id, v.Year)
	if err != nil {
		return err
	}
	v.Sessions = s
	u.render(c, "sessions", "Sessions et échéances", v)
	return nil
}

// scheduleSession schedules a session with the dates of the form.
func (u *ui) scheduleSession(c *req) (done, error) {
	f := c.r.PostForm
	var in handlers.Schedule
	var ps []handlers.Problem
	for _, d := range []struct {
		field string
		to    *rules.Date
	}{{"examens_du", &in.ExamsFrom}, {"examens_au", &in.ExamsTo}, {"echeance", &in.EncodingDeadline},
		{"deliberation", &in.Deliberation}, {"publication", &in.Publication}} {
		v, err := rules.ParseDate(f.Get(d.field))
		if err != nil {
			ps = append(ps, handlers.Problem{Field: d.field, Value: f.Get(d.field), Rule: "une date AAAA-MM-JJ est attendue"})
		}
		*d.to = v
	}
	if len(ps) > 0 {
		return done{}, &handlers.Refusal{Reason: handlers.Invalid, Problems: ps}
	}
	year := f.Get("annee")
	got, err := u.Handlers.ScheduleSession(c.ctx(), c.id, "", year, catalog.Session(f.Get("session")), in)
	if err != nil {
		return done{}, err
	}
	return done{next: "/sessions?annee=" + year, flash: "Session " + f.Get("session") + " " + year + " planifiée.", position: positionOf(got)}, nil
}

// extendDeadline gives one student of a sheet a later encoding deadline
// (the secretariat), to the end of the given day.
func (u *ui) extendDeadline(c *req) (done, error) {
	f := c.r.PostForm
	d, err := rules.ParseDate(f.Get("jusquau"))
	if err != nil {
		return done{}, &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Field: "jusquau", Value: f.Get("jusquau"), Rule: "une date AAAA-MM-JJ est attendue"}}}
	}
	got, err := u.Handlers.ExtendDeadline(c.ctx(), c.id, "", sheetRef(c.r), handlers.Extension{Student: f.Get("etudiant"),
		Until: handlers.EndOfDay(d), Reason: strings.TrimSpace(f.Get("motif"))})
	if ref := (*handlers.Refusal)(nil); errors.As(err, &ref) {
		for i, p := range ref.Problems {
			if p.Field == "until" {
				ref.Problems[i].Value = f.Get("jusquau") // the day typed, not the instant it stands for
			}
		}
	}
	if err != nil {
		return done{}, err
	}
	return done{flash: "Échéance prolongée pour " + f.Get("etudiant") + ".", position: positionOf(got)}, nil
}
