package web

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// The replay of a deliberation, step by step, and the what-if panel.

// diffRow is one difference, in French.
type diffRow struct {
	What, UE, From, To string
}

var diffLabels = map[string]string{
	projections.DiffGrant: "crédits de l'UE", projections.DiffOutcome: "résultat", projections.DiffMention: "mention",
	projections.DiffStatus: "statut de l'UE", projections.DiffIfGranted: "résultat si les UE à délibérer sont octroyées",
	projections.DiffYearAverage: "moyenne annuelle",
}

func diffValue(what, v string) string {
	switch what {
	case projections.DiffOutcome, projections.DiffIfGranted:
		return outcome(v)
	case projections.DiffGrant:
		switch v {
		case "granted":
			return "octroyés"
		case "refused":
			return "refusés"
		}
		return "proposition : " + ueStatus(v)
	case projections.DiffStatus:
		return ueStatus(v)
	case projections.DiffYearAverage:
		if v == "" {
			return "—"
		}
		return comma(v) + "/20"
	case projections.DiffMention:
		if v == "" {
			return "aucune"
		}
	}
	return v
}

// diffTable is differences with the headings of their two sides.
type diffTable struct {
	From, To string
	Rows     []diffRow
}

func diffsOf(from, to string, ds []projections.Difference) diffTable {
	out := diffTable{From: from, To: to, Rows: make([]diffRow, 0, len(ds))}
	for _, d := range ds {
		what := diffLabels[d.What]
		if what == "" {
			what = d.What
		}
		out.Rows = append(out.Rows, diffRow{What: what, UE: d.UE, From: diffValue(d.What, d.From), To: diffValue(d.What, d.To)})
	}
	return out
}

// replayPage is the replay of a deliberation, at one step.
type replayPage struct {
	Path, Programme, Year, Session string
	Opened                         *projections.Opening
	OpenedBy, Present              string
	QuorumText                     string
	PreviousSession                string
	Steps                          []replayLink
	Step                           *replayStep
	Count                          int
	Prev, Next                     string
}

// replayLink is one step in the list of steps.
type replayLink struct {
	Index             int
	Href              string
	Name, Matricule   string
	Outcome, At, By   string
	Current           bool
	Superseded        bool
	VersionMismatched bool
}

// replayStep is the step shown: the decision, its differences from the
// proposal, and the dossier as it stood.
type replayStep struct {
	projections.ReplayStep
	Name        string
	Grants      []grantRow
	Differences diffTable
	Dossier     dossierData
	By          string // who took the decision, by name
	Previous    string // the previous session's outcome
	Change      string
	// Replaces and ReplacedBy are the steps of the decision this one
	// replaces and of the one that replaced it, when the replay holds them.
	Replaces, ReplacedBy *replayLink
	// Appeal is the appeal this decision answers, in words.
	Appeal string
}

// grantRow is one UE a decision granted or refused.
type grantRow struct {
	UE, Mark, Decision, Basis, Motivation string
}

// replay steps through a deliberation's decisions in recorded order
// (?pas=N, from 1), each with the dossier as it stood when it was taken.
func (u *ui) replay(c *req) error {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return err
	}
	r, err := u.Handlers.Replay(c.ctx(), c.id, ref, c.query())
	if err != nil {
		return err
	}
	path := deliberationPath(ref.Year, ref.Session) + "/rejeu"
	p := replayPage{Path: deliberationPath(ref.Year, ref.Session), Programme: ref.Programme, Year: ref.Year, Session: ref.Session,
		Opened: r.Opened, PreviousSession: r.PreviousSession, Count: len(r.Steps)}
	at := 1
	if s := c.r.URL.Query().Get("pas"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max(len(r.Steps), 1) {
			return &handlers.Refusal{Reason: handlers.NotFound, Problems: []handlers.Problem{{Field: "pas", Value: s,
				Rule: fmt.Sprintf("les pas du rejeu vont de 1 à %d", len(r.Steps))}}}
		}
		at = n
	}
	names := u.juryNames(ref)
	href := func(n int) string { return path + "?pas=" + strconv.Itoa(n) + "#pas" }
	for _, st := range r.Steps {
		d := st.Decision
		p.Steps = append(p.Steps, replayLink{Index: st.Index, Href: href(st.Index), Name: fullName(d.Student), Matricule: d.Student.Matricule,
			Outcome: outcome(d.Outcome), At: moment(d.At), By: names.of(d.By), Current: st.Index == at, Superseded: d.SupersededBy != "",
			VersionMismatched: !st.VersionMatches})
	}
	if r.Opened != nil {
		p.OpenedBy = names.of(r.Opened.By)
		var present []string
		for _, m := range r.Opened.Present {
			present = append(present, names.of(m))
		}
		p.Present = strings.Join(present, ", ")
		rule, known := u.quorumRule(ref)
		p.QuorumText, _ = quorumText(r.Opened.Quorum, r.Opened.Present, rule, known)
	}
	if at <= len(r.Steps) {
		st := r.Steps[at-1]
		rs := &replayStep{ReplayStep: st, Name: fullName(st.Decision.Student), Differences: diffsOf("Proposé", "Décidé", st.Decision.Differences), By: names.of(st.Decision.By),
			Dossier: dossierOf(st.Dossier), Change: changeText(st.Change)}
		for _, g := range st.Decision.Grants {
			row := grantRow{UE: g.UE, Mark: comma(g.Mark), Decision: "refusés", Basis: "dans les critères", Motivation: g.Motivation}
			if g.Granted {
				row.Decision = "octroyés"
			}
			if g.Basis != "within-criteria" {
				row.Basis = "hors critères"
			}
			rs.Grants = append(rs.Grants, row)
		}
		if st.Previous != nil {
			rs.Previous = outcome(st.Previous.Outcome)
		}
		for i, o := range r.Steps {
			switch id := o.Decision.ID; {
			case id == "":
			case id == st.Decision.Supersedes:
				rs.Replaces = &p.Steps[i]
			case id == st.Decision.SupersededBy:
				rs.ReplacedBy = &p.Steps[i]
			}
		}
		if id := st.Decision.Appeal; id != "" {
			rs.Appeal, err = u.appealText(c, ref, id)
			if err != nil {
				return err
			}
		}
		p.Step = rs
		if at > 1 {
			p.Prev = href(at - 1)
		}
		if at < len(r.Steps) {
			p.Next = href(at + 1)
		}
	}
	title := fmt.Sprintf("Rejeu de la délibération %s · %s · %s", ref.Session, ref.Year, ref.Programme)
	u.render(c, "replay", title, p)
	return nil
}

// appealText says which appeal a decision answers: when it was filed,
// on what grounds, and how it was decided.
func (u *ui) appealText(c *req, ref handlers.DeliberationRef, id string) (string, error) {
	v, err := u.Handlers.Deliberation(c.ctx(), c.id, ref, c.query())
	if err != nil {
		return "", err
	}
	names := u.juryNames(ref)
	for _, a := range v.Appeals {
		if a.ID != id {
			continue
		}
		s := fmt.Sprintf("recours introduit le %s : « %s »", moment(a.Filed.At), a.Grounds)
		if a.Decided != nil {
			verdict := map[string]string{"upheld": "jugé fondé", "rejected": "rejeté"}[a.Status]
			s += fmt.Sprintf(" ; %s le %s par %s", verdict, moment(a.Decided.At), names.of(a.Decided.By))
		}
		if a.Motivation != "" {
			s += " (" + a.Motivation + ")"
		}
		return s, nil
	}
	return "le recours " + id, nil
}

// changeText is a replay step's comparison with the previous session.
func changeText(s string) string {
	switch s {
	case "":
		return ""
	case "unchanged":
		return "inchangé"
	}
	if from, to, ok := strings.Cut(s, " -> "); ok {
		return outcome(from) + " → " + outcome(to)
	}
	return s
}

// whatIfForm is the what-if panel's form and what it holds.
type whatIfForm struct {
	Action, CSRF                               string
	Changes, MaxDeficit, MaxFailed, MinAverage string
	All                                        bool
	// Example is a change written for a student of the session (the
	// dossier open, or the first student): "" when there is none.
	Example string
}

// whatIfFormOf is the what-if form, with what was typed when filled is
// set (the form's own post).
func whatIfFormOf(c *req, filled bool) whatIfForm {
	f := whatIfForm{Action: deliberationPath(c.r.PathValue("year"), c.r.PathValue("session")) + "/simulation", CSRF: c.csrf}
	if filled {
		pf := c.r.PostForm
		f.Changes, f.MaxDeficit, f.MaxFailed, f.MinAverage = pf.Get("changements"), pf.Get("deficit_max"), pf.Get("credits_max"), pf.Get("moyenne_min")
		f.All = pf.Get("tous") != ""
	}
	return f
}

// changeSyntax is how a what-if change is written, with an example when
// there is one.
func changeSyntax(example string) string {
	s := "une ligne par changement : MATRICULE:UE=VALEUR, ou MATRICULE:UE:ACTIVITÉ=VALEUR pour une activité"
	if example != "" {
		s += " (par exemple " + example + ")"
	}
	return s + " ; une valeur vide efface le résultat"
}

// whatIfExample is a what-if change for a student of the session: the
// dossier d when it is read, else the dossier of mat ("" when mat is "" or
// unreadable). It names a UE the student sits at the session, one the
// rules send to the jury first, and its weakest activity when the UE has
// several.
func (u *ui) whatIfExample(c *req, ref handlers.DeliberationRef, mat string, d *projections.Dossier) string {
	if d == nil {
		if mat == "" {
			return ""
		}
		got, err := u.Handlers.Dossier(c.ctx(), c.id, mat, ref.Year, ref.Session, c.query())
		if err != nil {
			return ""
		}
		d = &got
	}
	docs, ok := u.Handlers.Cohort.Documents(ref.Year)
	if !ok || docs.Catalog == nil {
		return ""
	}
	session := catalog.Session(ref.Session)
	sitting := func(t projections.TranscriptUE) *projections.SittingView {
		for i := range t.Sessions {
			if t.Sessions[i].Session == ref.Session {
				return &t.Sessions[i]
			}
		}
		return nil
	}
	// The candidates, best first: to deliberate, not acquired, sat at the
	// session, any other of the year.
	rank := func(t projections.TranscriptUE) int {
		for _, p := range d.Proposal.UEs {
			if p.UE == t.Code {
				switch p.Status {
				case "to-deliberate":
					return 0
				case "not-acquired":
					return 1
				}
			}
		}
		if sitting(t) != nil {
			return 2
		}
		return 3
	}
	var best *projections.TranscriptUE
	for i, t := range d.UEs {
		if ue, ok := docs.Catalog.UE(t.Code); !ok || !ue.HasSession(session) {
			continue
		}
		if best == nil || rank(t) < rank(*best) {
			best = &d.UEs[i]
		}
	}
	if best == nil {
		return ""
	}
	ue, _ := docs.Catalog.UE(best.Code)
	if ue.Integrated || len(ue.Activities) < 2 {
		return d.Student.Matricule + ":" + ue.Code + "=10"
	}
	activity := ue.Activities[0].Title
	if st := sitting(*best); st != nil {
		low := rules.Mark(-1)
		for _, a := range st.Activities {
			if m, err := rules.ParseMark(a.Result); err == nil && (low < 0 || m < low) {
				low, activity = m, a.Activity
			}
		}
	}
	return d.Student.Matricule + ":" + ue.Code + ":" + activity + "=10"
}

// whatIfInput reads the what-if form; a line or a criterion it cannot
// read is refused with the line (and an example, from example, of how to
// write it).
func whatIfInput(f whatIfForm, example func() string) (handlers.WhatIfInput, error) {
	in := handlers.WhatIfInput{All: f.All}
	var ps []handlers.Problem
	for line := range strings.Lines(f.Changes) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ch, ok := projections.ParseChange(line)
		if !ok {
			ps = append(ps, handlers.Problem{Field: "changements", Value: line, Rule: changeSyntax(example())})
			continue
		}
		in.Changes = append(in.Changes, ch)
	}
	var crit handlers.Criteria
	mark := func(field, v string) *rules.Mark {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		m, err := rules.ParseMark(v)
		if err != nil {
			ps = append(ps, handlers.Problem{Field: field, Value: v, Rule: "une note sur 20 comme 2, 8,5 ou 10"})
			return nil
		}
		return &m
	}
	crit.MaxDeficit, crit.MinYearAverage = mark("deficit_max", f.MaxDeficit), mark("moyenne_min", f.MinAverage)
	if v := strings.TrimSpace(f.MaxFailed); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			ps = append(ps, handlers.Problem{Field: "credits_max", Value: v, Rule: "un nombre entier de crédits, 0 ou plus"})
		} else {
			crit.MaxFailedCredits = &n
		}
	}
	if crit != (handlers.Criteria{}) {
		in.Criteria = &crit
	}
	if len(ps) > 0 {
		return in, &handlers.Refusal{Reason: handlers.Invalid, Problems: ps}
	}
	return in, nil
}

// criteriaText says in French the deliberation criteria a what-if
// simulated.
func criteriaText(d rules.Deliberation) string {
	return fmt.Sprintf("déficit maximal %s, crédits non acquis au plus %d, moyenne annuelle minimale %s/20",
		comma(d.MaxDeficit.String()), d.MaxFailedCredits, comma(d.MinYearAverage.String()))
}

// whatIfPage is a what-if's answer: the students whose proposal changes
// first, in full; then those whose proposal does not, one line each.
type whatIfPage struct {
	Path, Programme, Year, Session string
	Criteria                       string // in French
	Compared                       int
	Changed, Unchanged             []whatIfRow
	// UnchangedSimulated: a student whose proposal does not change had
	// results changed by the hypothesis (the list then says which).
	UnchangedSimulated bool
	Form               whatIfForm
}

// whatIfRow is one student's proposal before and after.
type whatIfRow struct {
	Name, Matricule string
	Href            string
	Changes         []string
	Before, After   proposalData
	Differences     diffTable
}

// whatIf answers the what-if panel: the proposals the hypothesis gives
// beside the real ones. It writes nothing; a hypothesis the handlers
// refuse shows the deliberation page again with the refusal and what was
// typed.
func (u *ui) whatIf(c *req) error {
	if err := c.r.ParseForm(); err != nil {
		return &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Rule: "formulaire illisible"}}}
	}
	ref, err := u.deliberationRef(c)
	if err != nil {
		return err
	}
	form := whatIfFormOf(c, true)
	var v projections.WhatIfView
	in, err := whatIfInput(form, func() string {
		// The session's first student, as the deliberation page's form.
		if d, err := u.Handlers.Deliberation(c.ctx(), c.id, ref, c.query()); err == nil && len(d.Students) > 0 {
			return u.whatIfExample(c, ref, d.Students[0].Student.Matricule, nil)
		}
		return ""
	})
	if err == nil {
		v, err = u.Handlers.WhatIf(c.ctx(), c.id, ref, in, c.query())
	}
	if ref := (*handlers.Refusal)(nil); errors.As(err, &ref) && ref.Reason == handlers.Invalid {
		c.refused, c.status = ref, httpapi.StatusOf(ref.Reason)
		return u.deliberation(c)
	}
	if err != nil {
		return err
	}
	p := whatIfPage{Path: deliberationPath(ref.Year, ref.Session), Programme: ref.Programme, Year: ref.Year, Session: ref.Session,
		Compared: len(v.Students), Form: form}
	if v.Simulated != nil {
		p.Criteria = criteriaText(*v.Simulated)
	}
	for _, s := range v.Students {
		row := whatIfRow{Name: fullName(s.Student), Matricule: s.Student.Matricule,
			Href:   p.Path + "?etudiant=" + url.QueryEscape(s.Student.Matricule) + "#dossier",
			Before: proposalOf(s.Before), After: proposalOf(s.After), Differences: diffsOf("Avant", "Après", s.Differences)}
		for _, ch := range s.Changes {
			what := "UE " + ch.UE
			if ch.Activity != "" {
				what += " · " + ch.Activity
			}
			value := comma(ch.Value)
			if value == "" {
				value = "(effacé)"
			}
			row.Changes = append(row.Changes, what+" ("+ch.Session+") : "+value)
		}
		if len(s.Differences) > 0 {
			p.Changed = append(p.Changed, row)
		} else {
			p.Unchanged = append(p.Unchanged, row)
			p.UnchangedSimulated = p.UnchangedSimulated || len(row.Changes) > 0
		}
	}
	// The example of the form: a student the hypothesis names, else the
	// first listed.
	example := ""
	switch {
	case len(in.Changes) > 0:
		example = in.Changes[0].Student
	case len(p.Changed) > 0:
		example = p.Changed[0].Matricule
	case len(p.Unchanged) > 0:
		example = p.Unchanged[0].Matricule
	}
	p.Form.Example = u.whatIfExample(c, ref, strings.ToUpper(strings.TrimSpace(example)), nil)
	u.render(c, "whatif", fmt.Sprintf("Simulation · délibération %s · %s · %s", ref.Session, ref.Year, ref.Programme), p)
	return nil
}
