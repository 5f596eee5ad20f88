package cohortgen

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gradelog/gradelog/auth"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/sheetfile"
)

// sheetWorkers is how many sheets of a session are filled at once, and
// deciders how many jury members read dossiers at once.
const (
	sheetWorkers = 4
	deciders     = 8
)

// session runs session q of year k: justified absences, the sheets filled
// and submitted, the deliberation, the publication and the appeals.
func (g *gen) session(k int, cat *catalog.Catalog, rs *rules.Ruleset, q catalog.Session, everyone []*student) error {
	year := YearOf(k)
	dates, ok := rs.Session(q)
	if !ok {
		return fmt.Errorf("cohortgen: the %s ruleset has no %s calendar", year, q)
	}
	byMat := make(map[string]*student, len(everyone))
	for _, s := range everyone {
		byMat[s.Mat] = s
	}
	var sheets []catalog.UE
	for _, ue := range cat.UEs {
		if ue.HasSession(q) && ue.Kind != catalog.Optional {
			sheets = append(sheets, ue)
		}
	}
	g.progress("%s %s: justified absences", year, q)
	g.at(dates.ExamsTo, 9, 0)
	if err := pool(g.ctx, sheetWorkers, sheets, func(ue catalog.UE) error { return g.certify(year, q, ue) }); err != nil {
		return err
	}
	g.progress("%s %s: %d sheets filled, imported and submitted", year, q, len(sheets))
	g.at(dates.EncodingDeadline, 9, 0)
	if err := pool(g.ctx, sheetWorkers, sheets, func(ue catalog.UE) error { return g.fill(year, q, ue, byMat) }); err != nil {
		return err
	}
	return g.deliberate(k, q, dates)
}

// columnOf is the sheet column an activity's result is entered under.
func columnOf(ue catalog.UE, activity string) string {
	if ue.Integrated || len(ue.Activities) == 1 {
		return ""
	}
	return activity
}

// certify has the secretariat record the justified absences (CM) of a
// sheet, before its teacher fills it: about one student in 120, on a
// column not carried from an earlier session.
func (g *gen) certify(year string, q catalog.Session, ue catalog.UE) error {
	var in []handlers.EntryInput
	for _, d := range g.hs.Cohort.Roster(year, q, ue.Code) {
		if g.rng("cm", d.Matricule, year, ue.Code, string(q)).Float64() >= 1.0/120 {
			continue
		}
		for _, a := range ue.Activities {
			if _, carried := d.Carry.Marks[a.Title]; !carried {
				in = append(in, handlers.EntryInput{Student: d.Matricule, Activity: columnOf(ue, a.Title), Value: "CM"})
				break
			}
		}
	}
	ref := handlers.SheetRef{Year: year, Session: q, UE: ue.Code}
	for chunk := range slices.Chunk(in, eventlog.MaxBatch/2) { // a CM may bring a carried mark with it
		if _, err := g.hs.RecordEntries(g.command("record medical certificates on "+ref.String()), secretariat, "", ref, handlers.SourceForm, chunk); err != nil {
			return fmt.Errorf("cohortgen: CM on %s: %w", ref, err)
		}
		g.c.cm.Add(int64(len(chunk)))
	}
	return nil
}

// fill has the sheet's teacher download its template, fill every empty
// cell not carried from an earlier session, upload it as CSV files of at
// most eventlog.MaxBatch events (a carried mark is written with the row
// that needs it), and submit the sheet.
func (g *gen) fill(year string, q catalog.Session, ue catalog.UE, byMat map[string]*student) error {
	ref := handlers.SheetRef{Year: year, Session: q, UE: ue.Code}
	teacher := Teacher(ue.Code)
	t, err := g.hs.SheetTemplate(g.ctx, teacher, ref)
	if err != nil {
		return fmt.Errorf("cohortgen: template of %s: %w", ref, err)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	resit := q != firstSession(ue)
	var marks, abs, pp, entries int64
	for i := range t.Rows {
		row := &t.Rows[i]
		s := byMat[row.Matricule]
		if s == nil {
			return fmt.Errorf("cohortgen: %s on the sheet of %s is not a student of %s", row.Matricule, ref, year)
		}
		for _, c := range t.Columns {
			if _, locked := row.Locked[c.Key]; locked || row.Values[c.Key] != "" {
				continue
			}
			v, mark := g.value(s, year, ue, q, c.Key)
			row.Values[c.Key] = v
			entries++
			switch {
			case mark:
				marks++
			case v == "ABS":
				abs++
			default:
				pp++
			}
		}
	}
	perRow := len(t.Columns) // a row's entries and carried marks
	for i, rows := range chunks(t.Rows, min(eventlog.MaxBatch/perRow, sheetfile.MaxRows-20)) {
		part := t
		part.Rows = rows
		var buf bytes.Buffer
		if err := sheetfile.WriteCSV(&buf, part); err != nil {
			return err
		}
		// No idempotency key: the generator never retries, and the
		// handlers keep the records of every key they have seen in memory.
		rep, err := g.hs.ImportSheet(g.command("import "+ref.String()), teacher, "", ref, buf.Bytes(), handlers.ImportOptions{})
		if err != nil {
			return fmt.Errorf("cohortgen: import %s (file %d): %w", ref, i, err)
		}
		if rep.Refused > 0 {
			return fmt.Errorf("cohortgen: import %s (file %d): %d rows refused, first %s", ref, i, rep.Refused, firstRefused(rep))
		}
		g.c.imports.Add(1)
	}
	g.c.marks.Add(marks)
	g.c.abs.Add(abs)
	g.c.pp.Add(pp)
	if resit {
		g.c.resits.Add(entries)
	}
	if _, err := g.hs.SubmitSheet(g.command("submit "+ref.String()), teacher, "", ref); err != nil {
		return fmt.Errorf("cohortgen: submit %s: %w", ref, err)
	}
	return nil
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for c := range slices.Chunk(s, max(n, 1)) {
		out = append(out, c)
	}
	return out
}

func firstRefused(r handlers.ImportReport) string {
	for _, row := range r.Rows {
		if row.Outcome == handlers.Refused {
			return fmt.Sprintf("row %d (%s): %v %+v", row.Line, row.Matricule, row.Problems, row.Cells)
		}
	}
	return "?"
}

// appealable is a student who may appeal a session's decision with a
// chance: a single-column UE not acquired, failed on this session's sheet.
type appealable struct {
	mat, ue string
}

// deliberate opens the deliberation of session q with all but one member,
// decides every student, closes it, publishes the results and handles the
// appeals.
func (g *gen) deliberate(k int, q catalog.Session, dates rules.SessionDates) error {
	year := YearOf(k)
	ref := handlers.DeliberationRef{Programme: Programme, Year: year, Session: string(q)}
	excused := 2 + (k+int(q[1]-'0'))%(len(juryMembers)-2)
	var present []string
	for i, m := range juryMembers {
		if i != excused {
			present = append(present, m.ID)
		}
	}
	g.at(dates.Deliberation, 9, 0)
	if _, err := g.hs.OpenDeliberation(g.command("open "+ref.String()), President(), "", ref, handlers.Opening{Present: present}); err != nil {
		return fmt.Errorf("cohortgen: open %s: %w", ref, err)
	}
	students := g.hs.Cohort.SessionStudents(Programme, year, q)
	g.progress("%s %s: deliberation of %d students", year, q, len(students))
	var mu sync.Mutex
	var cands []appealable
	idx := map[string]int{}
	for i, m := range students {
		idx[m] = i
	}
	if err := pool(g.ctx, deciders, students, func(mat string) error {
		by := present[idx[mat]%len(present)]
		c, err := g.decide(ref, g.identity(by), mat, "")
		if c != nil {
			mu.Lock()
			cands = append(cands, *c)
			mu.Unlock()
		}
		return err
	}); err != nil {
		return err
	}
	if _, err := g.hs.CloseDeliberation(g.command("close "+ref.String()), member(1), "", ref); err != nil {
		return fmt.Errorf("cohortgen: close %s: %w", ref, err)
	}
	g.at(dates.Publication, 10, 0)
	if _, err := g.hs.PublishResults(g.command("publish "+ref.String()), secretariat, "", ref, time.Time{}); err != nil {
		return fmt.Errorf("cohortgen: publish %s: %w", ref, err)
	}
	return g.appeals(ref, dates, students, cands)
}

func (g *gen) identity(id string) auth.Identity {
	for i, m := range juryMembers {
		if m.ID == id {
			return member(i)
		}
	}
	panic("cohortgen: no jury member " + id)
}

// decide records the decision of `by` on mat from the dossier: every UE
// to deliberate granted, but one in ten refused in Q1 and Q2; in Q3 a few
// UEs at 7 or more granted outside the criteria. An unfavourable outcome
// is motivated; motivation, when given, motivates a decision taken again.
// It returns mat's appealable UE, if any.
func (g *gen) decide(ref handlers.DeliberationRef, by auth.Identity, mat, motivation string) (*appealable, error) {
	q := catalog.Session(ref.Session)
	dos, err := g.hs.Dossier(g.ctx, by, mat, ref.Year, ref.Session, handlers.ViewQuery{})
	if err != nil {
		return nil, fmt.Errorf("cohortgen: dossier of %s at %s: %w", mat, ref, err)
	}
	in := handlers.DecisionInput{Student: mat, RecordVersion: dos.RecordVersion, Motivation: motivation}
	var granted []string
	changed := false
	var refused, outside int64
	var failing []projections.UEProposal
	for _, u := range dos.Proposal.UEs {
		r := g.rng("grant", mat, ref.Year, ref.Session, u.UE, motivation)
		switch {
		case u.Status == rules.ToDeliberate && q != catalog.Q3 && r.Float64() < 0.1:
			in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: false,
				Motivation: fmt.Sprintf("%s/20 : le jury préfère que l'UE soit représentée à la session suivante", u.Result())})
			changed, refused = true, refused+1
			failing = append(failing, u)
		case u.Status == rules.ToDeliberate:
			in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: true,
				Motivation: fmt.Sprintf("%s/20 : déficit limité, dans les critères publiés ; résultats de l'année satisfaisants", u.Result())})
			granted = append(granted, u.UE)
		case u.Status == rules.NotAcquired && q == catalog.Q3 && u.Mark != nil && u.Credits > 0 &&
			*u.Mark >= 700 && r.Float64() < 0.05:
			in.Grants = append(in.Grants, handlers.GrantInput{UE: u.UE, Granted: true,
				Motivation: fmt.Sprintf("%s/20, hors critères : circonstances particulières établies (dossier médical) et progression constante", u.Result())})
			granted, changed, outside = append(granted, u.UE), true, outside+1
		case u.Status == rules.NotAcquired:
			failing = append(failing, u)
		}
	}
	outcome := dos.Proposal.IfGranted
	if changed {
		p, err := g.hs.Cohort.Proposal(mat, ref.Year, q, granted)
		if err != nil {
			return nil, fmt.Errorf("cohortgen: proposal for %s at %s: %w", mat, ref, err)
		}
		outcome = p.Proposal.Outcome
	}
	if in.Motivation == "" && (outcome == string(rules.Ajourne) || outcome == string(rules.YearClosed)) {
		var ues []string
		for _, u := range failing {
			ues = append(ues, fmt.Sprintf("%s (%s)", u.UE, u.Result()))
		}
		in.Motivation = "UE non acquises : " + strings.Join(ues, ", ")
	}
	d, err := g.hs.RecordDecision(g.command("decide on "+mat+" at "+ref.String()), by, "", ref, in)
	if err != nil {
		return nil, fmt.Errorf("cohortgen: decision on %s at %s: %w", mat, ref, err)
	}
	g.c.decisions.Add(1)
	g.c.granted.Add(int64(len(granted)))
	g.c.grantedOut.Add(outside)
	g.c.refused.Add(refused)
	if d.Degree != nil {
		g.c.degrees.Add(1)
	}
	g.mu.Lock()
	g.outcome[mat] = d.Outcome
	g.mu.Unlock()
	// Appealable: a failed single-column UE whose mark is on this
	// session's sheet.
	docs, _ := g.hs.Cohort.Documents(ref.Year)
	for _, u := range failing {
		ue, ok := docs.Catalog.UE(u.UE)
		if !ok || u.Mark == nil || !ue.Integrated && len(ue.Activities) > 1 {
			continue
		}
		for _, t := range dos.UEs {
			if n := len(t.Sessions); t.Code == u.UE && n > 0 && t.Sessions[n-1].Session == ref.Session && t.Sessions[n-1].Mark != nil {
				return &appealable{mat: mat, ue: u.UE}, nil
			}
		}
	}
	return nil, nil
}

// appeals: the day after the publication, one student in a thousand of
// the session (at least one) appeals, half of them against a failed mark;
// the next day the president upholds those, corrects the mark to 11 and
// the jury decides again, and rejects the others; the results are
// published again the day after.
func (g *gen) appeals(ref handlers.DeliberationRef, dates rules.SessionDates, students []string, cands []appealable) error {
	n := max(1, len(students)/1000)
	slices.SortFunc(cands, func(a, b appealable) int {
		return cmpUint(g.rng("appeal", a.mat, ref.Year, ref.Session).Uint64(), g.rng("appeal", b.mat, ref.Year, ref.Session).Uint64())
	})
	type filed struct {
		id     string
		upheld bool
		a      appealable
	}
	// Up to n upheld appeals against a failed mark, then n rejected ones
	// from other students.
	up := min(n, len(cands))
	picked := slices.Clone(cands[:up])
	for i := 0; i < 4*n && len(picked) < up+n && len(students) > 0; i++ {
		m := students[g.rng("rejected", ref.Year, ref.Session, fmt.Sprint(i)).IntN(len(students))]
		if !slices.ContainsFunc(picked, func(a appealable) bool { return a.mat == m }) {
			picked = append(picked, appealable{mat: m})
		}
	}
	var all []filed
	pub := dates.Publication.AddDays(1)
	g.at(pub, 10, 0)
	for i, a := range picked {
		upheld := a.ue != ""
		in := handlers.AppealInput{Student: a.mat, UE: a.ue,
			Grounds: "l'épreuve s'est tenue devant un seul examinateur, alors que le règlement en prévoit deux"}
		if !upheld {
			in.Grounds = "l'étudiant conteste la sévérité de l'évaluation"
		}
		by := secretariat
		if i%2 == 0 {
			by = studentIdentity(a.mat)
		}
		got, err := g.hs.FileAppeal(g.command("appeal of "+a.mat), by, "", ref, in)
		if err != nil {
			return fmt.Errorf("cohortgen: appeal of %s at %s: %w", a.mat, ref, err)
		}
		g.c.appeals.Add(1)
		all = append(all, filed{id: got.Records[0].ID.String(), upheld: upheld, a: a})
	}
	g.at(pub.AddDays(1), 10, 0)
	redecided := false
	for _, f := range all {
		verdict := handlers.AppealVerdict{Upheld: f.upheld,
			Motivation: "le recours ne fait état d'aucune irrégularité dans le déroulement de l'évaluation"}
		if f.upheld {
			verdict.Motivation = "irrégularité établie : l'épreuve est réévaluée par deux examinateurs"
		}
		if _, err := g.hs.DecideAppeal(g.command("decide the appeal of "+f.a.mat), President(), "", ref, f.id, verdict); err != nil {
			return fmt.Errorf("cohortgen: decide the appeal of %s at %s: %w", f.a.mat, ref, err)
		}
		if !f.upheld {
			continue
		}
		g.c.upheld.Add(1)
		sheet := handlers.SheetRef{Year: ref.Year, Session: catalog.Session(ref.Session), UE: f.a.ue}
		if _, err := g.hs.RecordEntries(g.command("correct the mark of "+f.a.mat+" on "+sheet.String()), President(), "", sheet,
			handlers.SourceForm, []handlers.EntryInput{{Student: f.a.mat, Value: "11",
				Reason: "recours fondé : réévaluation de l'épreuve par deux examinateurs"}}); err != nil {
			return fmt.Errorf("cohortgen: correct %s on %s: %w", f.a.mat, sheet, err)
		}
		if _, err := g.decide(ref, President(), f.a.mat, fmt.Sprintf("nouvelle délibération après le recours fondé : l'UE %s est acquise (11/20)", f.a.ue)); err != nil {
			return err
		}
		g.mu.Lock()
		g.upheld = append(g.upheld, f.a.mat)
		g.mu.Unlock()
		redecided = true
	}
	if !redecided {
		return nil
	}
	g.at(pub.AddDays(2), 10, 0)
	if _, err := g.hs.PublishResults(g.command("publish "+ref.String()+" again"), secretariat, "", ref, g.clock.Now()); err != nil {
		return fmt.Errorf("cohortgen: publish %s again: %w", ref, err)
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// studentIdentity is a student signed in.
func studentIdentity(mat string) auth.Identity {
	return auth.Identity{ID: mat, Roles: []string{auth.Student}}
}
