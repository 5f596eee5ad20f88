package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// Loaded reports whether hs's log already holds the demo (its jury is
// constituted), and then describes it as Load did, without writing
// anything: a restart with --demo just serves it.
func Loaded(ctx context.Context, hs *handlers.Handlers) (Demo, bool, error) {
	if err := catchUp(ctx, hs); err != nil {
		return Demo{}, false, err
	}
	return describe(ctx, hs)
}

// describe reads the demo from the log: the staff, and the students to
// sign in as, found by what happened to them in June (so that it holds
// whatever the seed, and after the newcomer's work in Q3).
func describe(ctx context.Context, hs *handlers.Handlers) (Demo, bool, error) {
	j, ok := hs.Cohort.Jury(Programme, Year)
	if !ok || j.President != jury[0].ID || j.Secretary != jury[1].ID {
		return Demo{}, false, nil
	}
	records, err := hs.Log.LastPosition(ctx)
	if err != nil {
		return Demo{}, false, fmt.Errorf("demo: %w", err)
	}
	d := Demo{Accounts: staff(), Present: Present, Year: Year, Records: records}
	v, err := hs.Cohort.Deliberation(Programme, Year, catalog.Q2)
	if err != nil {
		return Demo{}, false, fmt.Errorf("demo: the Q2 deliberation: %w", err)
	}
	var resit, appellant, graduate *projections.DeliberationStudent
	for i, ds := range v.Students {
		dec := ds.Decision
		switch {
		case dec == nil:
		case resit == nil && dec.Outcome == string(rules.Ajourne) && slices.Contains(ds.ToDeliberate, OpenUE):
			resit = &v.Students[i]
		case graduate == nil && dec.Outcome == string(rules.CycleCompleted) && len(dec.Granted) == 0:
			graduate = &v.Students[i]
		}
	}
	if resit == nil { // the re-sit refused by the jury, else any re-sit of OpenUE
		i := slices.IndexFunc(v.Students, func(ds projections.DeliberationStudent) bool {
			return ds.Decision != nil && ds.Decision.Outcome == string(rules.Ajourne) && slices.Contains(ds.Failed, OpenUE)
		})
		if i >= 0 {
			resit = &v.Students[i]
		}
	}
	for _, a := range v.Appeals {
		if a.Status == "upheld" && a.AnsweredBy != "" && appellant == nil {
			i := slices.IndexFunc(v.Students, func(ds projections.DeliberationStudent) bool { return ds.Student.Matricule == a.Student })
			if i >= 0 {
				appellant = &v.Students[i]
			}
		}
	}
	if v.Status != projections.Published || resit == nil || appellant == nil || graduate == nil {
		return Demo{}, true, errors.New("demo: the log holds an unfinished demo (its jury, but not the results of June and July): " +
			"was the load interrupted? Start again from an empty data directory")
	}
	s := fromView(resit.Student)
	what := fmt.Sprintf("repasse l'UE %s en septembre (feuille Q3 ouverte)", OpenUE)
	if slices.Contains(resit.ToDeliberate, OpenUE) {
		what = fmt.Sprintf("repasse les travaux pratiques de l'UE %s en septembre, les méthodologies sont reportées (feuille Q3 ouverte)", OpenUE)
	}
	d.Accounts = append(d.Accounts, s.account(fmt.Sprintf("étudiant%s de bloc 1, ajourné%s en juin : relevé publié ; %s", s.e(), s.e(), what)))
	s = fromView(appellant.Student)
	d.Accounts = append(d.Accounts, s.account(fmt.Sprintf(
		"étudiant%s de bloc 1 : recours fondé en juillet, note de l'UE %s corrigée, année réussie ; relevé publié à nouveau", s.e(), appealUE)))
	s = fromView(graduate.Student)
	d.Accounts = append(d.Accounts, s.account(fmt.Sprintf(
		"étudiant%s de bloc 2 (bloc 1 valorisé) : diplôme conféré en juin, mention %s ; relevé publié", s.e(), graduate.Decision.Mention)))
	return d, true, nil
}

// fromView is a student as a view names them; whether the first name is a
// woman's comes from the demo's lists.
func fromView(id projections.Identity) student {
	return student{Matricule: id.Matricule, FirstName: id.FirstName, LastName: id.LastName, Email: id.Email,
		Woman: slices.Contains(womenNames, id.FirstName)}
}

// account is the student's account.
func (s student) account(what string) Account {
	return Account{ID: s.Matricule, Name: s.name(), Roles: []string{auth.Student}, What: what}
}
