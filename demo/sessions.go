package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// session records a session's results: the secretariat's justified
// absences from certifiedAt, then, from filledAt, each teacher fills and
// submits their sheets, one every few hours (in Q3, all but OpenUE's).
func (l *loader) session(q catalog.Session, certifiedAt, filledAt time.Time) error {
	l.at(certifiedAt)
	for _, a := range certified(l.students, q) {
		ref := handlers.SheetRef{Year: Year, Session: q, UE: a.ue}
		if err := l.do(fmt.Sprintf("record a medical certificate on %s for %s", ref, a.student.Matricule), func(ctx context.Context) error {
			_, err := l.hs.RecordEntries(ctx, secretariat.Identity(), "", ref, handlers.SourceForm,
				[]handlers.EntryInput{{Student: a.student.Matricule, Value: "CM"}})
			return err
		}); err != nil {
			return err
		}
	}
	l.at(filledAt)
	docs, _ := l.hs.Cohort.Documents(Year)
	for _, ue := range docs.Catalog.UEs {
		if !ue.HasSession(q) || q == catalog.Q3 && ue.Code == OpenUE {
			continue
		}
		if err := l.fill(handlers.SheetRef{Year: Year, Session: q, UE: ue.Code}); err != nil {
			return err
		}
	}
	return nil
}

// fill has the sheet's teacher record the plan's value in every empty,
// unlocked cell of the sheet, in one write, and submit it.
func (l *loader) fill(ref handlers.SheetRef) error {
	t, ok := teacherOf(ref.UE)
	if !ok {
		if n := len(l.hs.Cohort.Roster(ref.Year, ref.Session, ref.UE)); n > 0 {
			return fmt.Errorf("demo: %d student(s) due on the sheet of %s, which no demo teacher teaches", n, ref)
		}
		return nil
	}
	sh, err := l.hs.Sheet(l.ctx, t.Identity(), ref)
	if err != nil {
		return fmt.Errorf("demo: read the sheet of %s: %w", ref, err)
	}
	if len(sh.Rows) == 0 {
		return nil
	}
	var in []handlers.EntryInput
	for _, row := range sh.Rows {
		s, ok := l.byMat[row.Matricule]
		if !ok {
			return fmt.Errorf("demo: %s on the sheet of %s is not a student of the demo", row.Matricule, ref)
		}
		for _, col := range sh.Columns {
			_, locked := row.Locked[col.Key]
			_, held := row.Entries[col.Key]
			if v := s.value(l.seed, ref.UE, ref.Session, col.Key); !locked && !held && v != "CM" {
				in = append(in, handlers.EntryInput{Student: row.Matricule, Activity: col.Key, Value: v})
			}
		}
	}
	if len(in) > 0 {
		if err := l.do("fill the sheet of "+ref.String(), func(ctx context.Context) error {
			_, err := l.hs.RecordEntries(ctx, t.Identity(), "", ref, handlers.SourceForm, in)
			return err
		}); err != nil {
			return err
		}
	}
	err = l.do("submit the sheet of "+ref.String(), func(ctx context.Context) error {
		_, err := l.hs.SubmitSheet(ctx, t.Identity(), "", ref)
		return err
	})
	l.at(l.now.Add(3 * time.Hour))
	return err
}

// deliberate opens the session's deliberation at openAt with every member
// but the excused one, decides every student of the session (the members
// present in turn), closes it, and has the secretariat publish the results
// at publishAt for the calendar's publication date.
func (l *loader) deliberate(q catalog.Session, openAt, publishAt time.Time, excused string) error {
	ref := handlers.DeliberationRef{Programme: Programme, Year: Year, Session: string(q)}
	var present []Account
	var ids []string
	for _, m := range jury {
		if m.ID != excused {
			present, ids = append(present, m.Account), append(ids, m.ID)
		}
	}
	l.at(openAt)
	if err := l.do("open the deliberation of "+ref.String(), func(ctx context.Context) error {
		_, err := l.hs.OpenDeliberation(ctx, jury[0].Identity(), "", ref, handlers.Opening{Present: ids})
		return err
	}); err != nil {
		return err
	}
	for i, mat := range l.hs.Cohort.SessionStudents(Programme, Year, q) {
		if err := l.decide(ref, present[i%len(present)], mat, ""); err != nil {
			return err
		}
	}
	if err := l.do("close the deliberation of "+ref.String(), func(ctx context.Context) error {
		_, err := l.hs.CloseDeliberation(ctx, jury[1].Identity(), "", ref)
		return err
	}); err != nil {
		return err
	}
	l.at(publishAt)
	return l.do("publish the results of "+ref.String(), func(ctx context.Context) error {
		_, err := l.hs.PublishResults(ctx, secretariat.Identity(), "", ref, time.Time{})
		return err
	})
}

// decide records by's decision on mat from the dossier as the jury reads
// it: every UE to deliberate granted, unless the scenario refuses it; an
// unfavourable outcome motivated; motivation, when given, motivates a
// decision taken again.
func (l *loader) decide(ref handlers.DeliberationRef, by Account, mat, motivation string) error {
	q := catalog.Session(ref.Session)
	dos, err := l.hs.Dossier(l.ctx, by.Identity(), mat, Year, ref.Session, handlers.ViewQuery{})
	if err != nil {
		return fmt.Errorf("demo: the dossier of %s at %s: %w", mat, ref, err)
	}
	s := l.byMat[mat]
	in := handlers.DecisionInput{Student: mat, RecordVersion: dos.RecordVersion, Motivation: motivation}
	var granted []string
	refused := false
	for _, u := range dos.Proposal.UEs {
		if u.Status != rules.ToDeliberate {
			continue
		}
		if why, ok := s.refusal(u.UE, q); ok {
			in.Grants, refused = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: false, Motivation: why}), true
			continue
		}
		in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: true,
			Motivation: fmt.Sprintf("%s : déficit limité, dans les critères publiés ; résultats de l'année satisfaisants", markOf(u))})
		granted = append(granted, u.UE)
	}
	outcome := dos.Proposal.IfGranted
	if refused {
		p, err := l.hs.Cohort.Proposal(mat, Year, q, granted)
		if err != nil {
			return fmt.Errorf("demo: the proposal for %s at %s: %w", mat, ref, err)
		}
		outcome = p.Proposal.Outcome
	}
	if in.Motivation == "" && (outcome == string(rules.Ajourne) || outcome == string(rules.YearClosed)) {
		in.Motivation = unfavourable(dos.Proposal, in.Grants)
	}
	return l.do(fmt.Sprintf("decide on %s at %s", mat, ref), func(ctx context.Context) error {
		_, err := l.hs.RecordDecision(ctx, by.Identity(), "", ref, in)
		return err
	})
}

// unfavourable motivates an ajourné: the UEs not acquired, to re-sit.
func unfavourable(p projections.ProposalView, grants []handlers.GrantInput) string {
	var ues []string
	for _, u := range p.UEs {
		refused := slices.ContainsFunc(grants, func(g handlers.GrantInput) bool { return g.UE == u.UE && !g.Granted })
		if u.Credits > 0 && (u.Status == rules.NotAcquired || refused) {
			ues = append(ues, fmt.Sprintf("%s (%s)", u.UE, markOf(u)))
		}
	}
	if len(ues) == 1 {
		return "UE non acquise : " + ues[0] + " ; à représenter en seconde session (septembre)"
	}
	return "UE non acquises : " + strings.Join(ues, ", ") + " ; à représenter en seconde session (septembre)"
}

func markOf(u projections.UEProposal) string {
	switch {
	case u.Mark != nil:
		return u.Mark.String() + "/20"
	case u.Code != "":
		return u.Code
	}
	return "-"
}

// appeals: in the days after the Q2 publication, one student appeals and
// the president upholds it, corrects the mark and the jury decides again;
// the secretariat files another student's appeal, which is rejected; the
// results are published again.
func (l *loader) appeals() error {
	ref := handlers.DeliberationRef{Programme: Programme, Year: Year, Session: string(catalog.Q2)}
	upheld, rejected := l.withRole(roleAppeal), l.withRole(roleAppealRejected)
	president := jury[0].Identity()
	var upheldID, rejectedID string
	l.at(brussel(2026, 7, 6, 10, 15))
	if err := l.do("appeal of "+upheld.Matricule, func(ctx context.Context) error {
		got, err := l.hs.FileAppeal(ctx, upheld.account("").Identity(), "", ref,
			handlers.AppealInput{Student: upheld.Matricule, UE: appealUE, Grounds: appealGrounds})
		if err == nil {
			upheldID = got.Records[0].ID.String()
		}
		return err
	}); err != nil {
		return err
	}
	l.at(brussel(2026, 7, 7, 11, 30))
	if err := l.do("appeal of "+rejected.Matricule+" filed by the secretariat", func(ctx context.Context) error {
		got, err := l.hs.FileAppeal(ctx, secretariat.Identity(), "", ref,
			handlers.AppealInput{Student: rejected.Matricule, UE: "1/12", Grounds: rejectedGrounds})
		if err == nil {
			rejectedID = got.Records[0].ID.String()
		}
		return err
	}); err != nil {
		return err
	}
	l.at(brussel(2026, 7, 7, 16, 0))
	if err := l.do("uphold the appeal of "+upheld.Matricule, func(ctx context.Context) error {
		_, err := l.hs.DecideAppeal(ctx, president, "", ref, upheldID, handlers.AppealVerdict{Upheld: true, Motivation: appealUpheld})
		return err
	}); err != nil {
		return err
	}
	l.at(brussel(2026, 7, 8, 10, 0))
	sheet := handlers.SheetRef{Year: Year, Session: catalog.Q2, UE: appealUE}
	if err := l.do("correct the mark of "+upheld.Matricule+" on "+sheet.String(), func(ctx context.Context) error {
		_, err := l.hs.RecordEntries(ctx, president, "", sheet, handlers.SourceForm,
			[]handlers.EntryInput{{Student: upheld.Matricule, Value: appealMark, Reason: appealReason}})
		return err
	}); err != nil {
		return err
	}
	if err := l.decide(ref, jury[0].Account, upheld.Matricule, appealRedecided); err != nil {
		return err
	}
	l.at(brussel(2026, 7, 8, 11, 0))
	if err := l.do("reject the appeal of "+rejected.Matricule, func(ctx context.Context) error {
		_, err := l.hs.DecideAppeal(ctx, president, "", ref, rejectedID, handlers.AppealVerdict{Upheld: false, Motivation: rejectedVerdict})
		return err
	}); err != nil {
		return err
	}
	l.at(brussel(2026, 7, 9, 9, 0))
	return l.do("publish the results of "+ref.String()+" again", func(ctx context.Context) error {
		_, err := l.hs.PublishResults(ctx, secretariat.Identity(), "", ref, l.now)
		return err
	})
}

// withRole returns the student with role r (every role is given once).
func (l *loader) withRole(r role) student {
	for _, s := range l.students {
		if s.Role == r {
			return s
		}
	}
	panic(fmt.Sprintf("demo: no student has role %d", r))
}
