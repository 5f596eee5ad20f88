package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/internal/pdfdoc"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// The jury's pages: the deliberations of every scheduled session, one
// session's deliberation (opening, the students, a student's dossier
// beside the decision form, closing), its replay and the what-if panel
// (jury_replay.go). Every rule is the handlers'; the pages only gather
// what the forms hold and show what the handlers answer.

// deliberationPath is the page of one session's deliberation.
func deliberationPath(year, session string) string {
	return "/deliberations/" + url.PathEscape(year) + "/" + url.PathEscape(session)
}

// deliberationRef is the deliberation a path names; the programme is that
// of the year's catalog.
func (u *ui) deliberationRef(c *req) (handlers.DeliberationRef, error) {
	year, session := c.r.PathValue("year"), c.r.PathValue("session")
	docs, ok := u.Handlers.Cohort.Documents(year)
	if !ok {
		return handlers.DeliberationRef{}, &handlers.Refusal{Reason: handlers.NotFound, Problems: []handlers.Problem{{Field: "year", Value: year,
			Rule: "aucun catalogue n'est publié pour cette année académique"}}}
	}
	return handlers.DeliberationRef{Programme: docs.Catalog.Programme.Code, Year: year, Session: session}, nil
}

// Labels of a deliberation's status.
var deliberationStatusLabels = map[string]string{
	projections.NotOpened: "à ouvrir", projections.Open: "ouverte", projections.Closed: "close", projections.Published: "publiée",
}

func deliberationStatus(s string) string {
	if l, ok := deliberationStatusLabels[s]; ok {
		return l
	}
	return s
}

// sessionDeliberation is one line of the deliberations' list.
type sessionDeliberation struct {
	Year, Session, Programme string
	Href                     string
	Status, StatusLabel      string
	Date                     string // the calendar's deliberation day
	Students                 int
	Decided, Undecided       int
	Unpublished              int
}

// yearDeliberations are the deliberations of one academic year.
type yearDeliberations struct {
	Year     string
	Sessions []sessionDeliberation
}

// deliberations lists every scheduled session's deliberation, the latest
// year first: its status and how many students are decided.
func (u *ui) deliberations(c *req) error {
	var out []yearDeliberations
	for _, year := range slices.Backward(u.Handlers.Cohort.Years()) {
		docs, ok := u.Handlers.Cohort.Documents(year)
		if !ok {
			continue
		}
		sessions, err := u.Handlers.Sessions(c.ctx(), c.id, year)
		if err != nil {
			return err
		}
		y := yearDeliberations{Year: year}
		for _, s := range sessions {
			ref := handlers.DeliberationRef{Programme: docs.Catalog.Programme.Code, Year: year, Session: s.Session}
			v, err := u.Handlers.Deliberation(c.ctx(), c.id, ref, c.query())
			if err != nil {
				return err
			}
			y.Sessions = append(y.Sessions, sessionDeliberation{Year: year, Session: s.Session, Programme: ref.Programme,
				Href: deliberationPath(year, s.Session), Status: v.Status, StatusLabel: deliberationStatus(v.Status),
				Date: day(s.DeliberationAt), Students: len(v.Students), Decided: v.Decided, Undecided: v.Undecided, Unpublished: v.Unpublished})
		}
		out = append(out, y)
	}
	u.render(c, "deliberations", "Délibérations", out)
	return nil
}

// memberRow is a jury member as the deliberation page shows them.
type memberRow struct {
	events.JuryMember
	Role    string // président(e), secrétaire, membre
	Present bool   // sat at the opening
	Checked bool   // ticked on the opening form
	Counts  bool   // counts for the quorum
}

// deliberationPage is one session's deliberation as its page shows it.
type deliberationPage struct {
	projections.DeliberationView
	Path        string
	StatusLabel string
	Date        string
	// OpenedBy and ClosedBy name who opened and closed it.
	OpenedBy, ClosedBy string
	MinutesPDF         string
	Members            []memberRow
	// Quorum says who counts for the quorum and, once opened, the quorum
	// recorded, in words; ShowCounts: the members' rows say who counts
	// (the rule read now agrees with the recorded quorum, or it is not
	// recorded yet).
	Quorum     quorumRule
	QuorumText string
	ShowCounts bool
	Students   []studentRow
	// OpenSheets are the session's grade sheets not submitted yet: opening
	// needs the president's override while there are any.
	OpenSheets  []projections.SheetStatus
	CanOpen     bool
	CanDerogate bool
	CanClose    bool
	CanPublish  bool
	// Key is the idempotency key of this rendering's forms: submitting the
	// same form twice records once.
	Key      string
	Selected *studentPanel
	WhatIf   whatIfForm
	// Invalid marks the fields a refusal of this page's form named.
	Invalid map[string]bool
}

// studentRow is one student of the deliberation's table.
type studentRow struct {
	projections.DeliberationStudent
	Href        string
	Name        string
	Average     string
	StatusLabel string
	Badge       string // ok, warn, bad
	Selected    bool
}

// studentPanel is the selected student's dossier and the decision form.
type studentPanel struct {
	Row     studentRow
	Dossier dossierData
	// CanDecide: the user may record a decision on the student now; else
	// WhyNot says why the form is not shown.
	CanDecide bool
	WhyNot    string
	// ToDeliberate are the UEs the decision must grant or refuse; Outside
	// the UEs below the pass mark outside the criteria, which the jury may
	// grant with a motivation.
	ToDeliberate []grantField
	Outside      []grantField
	// CompletesCycle: the proposal completes the cycle, so a mention goes
	// with it.
	CompletesCycle  bool
	ProposedMention string
	Mentions        []string
	// Stale: the decision posted was on an older version of the record.
	Stale     bool
	StaleFrom string
	Next      string // the next student's matricule in the table ("" at the end)
	Previous  string
}

// grantField is one UE of the decision form.
type grantField struct {
	UE, Title string
	Credits   int
	Mark      string
	Reason    string
	Invalid   bool
}

// dossierData is a dossier with its UEs and proposal merged for display.
type dossierData struct {
	projections.Dossier
	Rows     []dossierUE
	Proposal proposalData
}

// dossierUE is one UE of a dossier: the record and what the rules propose.
type dossierUE struct {
	projections.TranscriptUE
	Proposed *projections.UEProposal
	InPAE    bool
}

// MarkText is the UE mark, or the code that stands instead.
func (d dossierUE) MarkText() string {
	switch {
	case d.Mark != nil:
		return comma(d.Mark.String())
	case d.Proposed != nil && d.Proposed.Code != "":
		return d.Proposed.Code
	}
	for _, s := range slices.Backward(d.Sessions) {
		if s.Code != "" {
			return s.Code
		}
	}
	return "—"
}

// StatusLabel is where the UE stands, in French, with its basis.
func (d dossierUE) StatusLabel() string {
	status, basis := string(d.Status), string(d.Basis)
	if d.Proposed != nil {
		status, basis = string(d.Proposed.Status), string(d.Proposed.Basis)
	}
	l := ueStatus(status)
	if b := ueBasis(basis); b != "" {
		l += " (" + b + ")"
	}
	return l
}

// Badge is the badge class of the UE's status.
func (d dossierUE) Badge() string {
	status := string(d.Status)
	if d.Proposed != nil {
		status = string(d.Proposed.Status)
	}
	return statusBadge(status)
}

// Reason is why the rules propose what they do for the UE.
func (d dossierUE) Reason() string {
	if d.Proposed == nil {
		return ""
	}
	return reasonOf(*d.Proposed)
}

// reasonOf is why the rules propose what they do for u, in French.
func reasonOf(u projections.UEProposal) string {
	if u.Why.IsZero() {
		return u.Reason
	}
	return u.Why.In(i18n.French)
}

// SessionsText lists the UE's sittings and their results.
func (d dossierUE) SessionsText() string {
	var out []string
	for _, s := range d.Sessions {
		r := s.Result
		if s.Mark != nil {
			r = comma(s.Mark.String())
		} else if s.Code != "" {
			r = s.Code
		}
		if r == "" {
			r = "—"
		}
		if s.Corrected {
			r += " (corrigé)"
		}
		out = append(out, s.Session+" : "+r)
	}
	return strings.Join(out, " · ")
}

// proposalData is a proposal as the pages show it.
type proposalData struct {
	projections.ProposalView
	YearAverageText, CycleAverageText string
}

func proposalOf(p projections.ProposalView) proposalData {
	return proposalData{ProposalView: p, YearAverageText: averageText(p.YearAverage), CycleAverageText: averageText(p.CycleAverage)}
}

func averageText(a *projections.Average) string {
	if a == nil {
		return "—"
	}
	return fmt.Sprintf("%s/20 (%d crédits)", comma(a.Mark.String()), a.Credits)
}

// dossierOf merges a dossier's record and proposal.
func dossierOf(d projections.Dossier) dossierData {
	out := dossierData{Dossier: d, Proposal: proposalOf(d.Proposal)}
	proposed := map[string]*projections.UEProposal{}
	for i := range d.Proposal.UEs {
		proposed[d.Proposal.UEs[i].UE] = &d.Proposal.UEs[i]
	}
	for _, t := range d.UEs {
		row := dossierUE{TranscriptUE: t, Proposed: proposed[t.Code]}
		if d.PAE != nil {
			row.InPAE = slices.Contains(d.PAE.UEs, t.Code)
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// ueStatus and ueBasis name a UE's status and basis as the documents do.
func ueStatus(s string) string { return pdfdoc.Status(rules.Status(s)) }

func ueBasis(b string) string { return pdfdoc.Basis(rules.Basis(b)) }

func statusBadge(status string) string {
	switch status {
	case "acquired":
		return "ok"
	case "to-deliberate":
		return "warn"
	case "not-acquired":
		return "bad"
	}
	return ""
}

// Labels of a student's status in a deliberation.
func studentStatus(s string) (label, badge string) {
	switch s {
	case "decided":
		return "décidé", "ok"
	case "re-deliberation":
		return "à redélibérer (recours fondé)", "bad"
	}
	return "à décider", "warn"
}

// juryNames names the members of a deliberation's jury.
type juryNames map[string]string

// of is a member's name and id ("Anne Delvaux (jury.pres)"), or the id of
// someone outside the jury.
func (n juryNames) of(id string) string {
	if name := n[id]; name != "" {
		return name + " (" + id + ")"
	}
	return id
}

func (u *ui) juryNames(ref handlers.DeliberationRef) juryNames {
	out := juryNames{}
	if j, ok := u.Handlers.Cohort.Jury(ref.Programme, ref.Year); ok {
		for _, m := range j.Members {
			out[m.ID] = m.Name
		}
	}
	return out
}

func fullName(id projections.Identity) string {
	return strings.TrimSpace(id.FirstName + " " + id.LastName)
}

// deliberation shows one session's deliberation: where it stands, the
// jury and quorum, the students with their proposal and decision, the
// forms of the jury's president and secretary and, with ?etudiant=, a
// student's dossier beside the decision form.
func (u *ui) deliberation(c *req) error {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return err
	}
	v, err := u.Handlers.Deliberation(c.ctx(), c.id, ref, c.query())
	if err != nil {
		return err
	}
	refusedHere := func(form string) bool { return c.refused != nil && lastSegment(c.r.URL.Path) == form }
	p := deliberationPage{DeliberationView: v, Path: deliberationPath(ref.Year, ref.Session), StatusLabel: deliberationStatus(v.Status),
		Key: uuid.NewString(), Invalid: map[string]bool{}}
	if c.refused != nil && c.r.PostForm.Get("cle") != "" {
		p.Key = c.r.PostForm.Get("cle") // the refused form's, so a retry is still the same command
	}
	if s, ok := u.Handlers.Cohort.Session(ref.Year, catalog.Session(ref.Session)); ok {
		p.Date = day(s.DeliberationAt)
	}
	if v.Status != projections.NotOpened {
		p.MinutesPDF = "/api/v1/deliberations/" + url.PathEscape(ref.Programme) + "/" + url.PathEscape(ref.Year) + "/" +
			url.PathEscape(ref.Session) + "/minutes?format=pdf"
	}
	names := u.juryNames(ref)
	if v.Opened != nil {
		p.OpenedBy = names.of(v.Opened.By)
	}
	if v.Closed != nil {
		p.ClosedBy = names.of(v.Closed.By)
	}
	president, secretary := false, false
	rule, known := u.quorumRule(ref)
	p.Quorum, p.ShowCounts = rule, known
	if v.Opened != nil {
		var exact bool
		p.QuorumText, exact = quorumText(v.Opened.Quorum, v.Opened.Present, rule, known)
		p.ShowCounts = known && exact
	}
	if j := v.Jury; j != nil {
		president, secretary = c.id.ID == j.President, c.id.ID == j.Secretary
		ticked := func(id string) bool { return true }
		if refusedHere("ouverture") {
			ticked = func(id string) bool { return slices.Contains(c.r.PostForm["present"], id) }
		}
		for _, m := range j.Members {
			row := memberRow{JuryMember: m, Role: "membre", Checked: ticked(m.ID), Counts: rule.Counts[m.ID]}
			switch m.ID {
			case j.President:
				row.Role = "président(e)"
			case j.Secretary:
				row.Role = "secrétaire"
			}
			if v.Opened != nil {
				row.Present = slices.Contains(v.Opened.Present, m.ID)
			}
			p.Members = append(p.Members, row)
		}
	}
	jury := c.id.Has(auth.Jury) && (president || secretary)
	p.CanOpen = jury && v.Status == projections.NotOpened
	p.CanDerogate = p.CanOpen && president
	p.CanClose = jury && v.Status == projections.Open && v.Undecided == 0 && len(v.Students) > 0
	p.CanPublish = u.publishRouted() && (c.id.Has(auth.Secretariat) || c.id.Has(auth.Jury) && president) &&
		(v.Status == projections.Closed || v.Status == projections.Published && v.Unpublished > 0)
	if p.CanOpen {
		st, err := u.Handlers.SheetStatuses(c.ctx(), c.id, ref.Year, ref.Session, c.query())
		if err != nil {
			return err
		}
		for _, s := range st {
			if s.Enrolled > 0 && s.Status != "submitted" {
				p.OpenSheets = append(p.OpenSheets, s)
			}
		}
	}
	if c.refused != nil {
		for _, pr := range c.refused.Problems {
			p.Invalid[pr.Field] = true
		}
	}

	selected := strings.TrimSpace(c.r.URL.Query().Get("etudiant"))
	if selected == "" && refusedHere("decisions") {
		selected = strings.TrimSpace(c.r.PostForm.Get("etudiant"))
	}
	selected = strings.ToUpper(selected)
	for _, s := range v.Students {
		label, badge := studentStatus(s.Status)
		row := studentRow{DeliberationStudent: s, Name: fullName(s.Student), StatusLabel: label, Badge: badge,
			Href: p.Path + "?etudiant=" + url.QueryEscape(s.Student.Matricule) + "#dossier", Selected: s.Student.Matricule == selected}
		if s.YearAverage != nil {
			row.Average = comma(s.YearAverage.Mark.String())
		}
		p.Students = append(p.Students, row)
	}
	if selected != "" {
		panel, err := u.studentPanel(c, ref, &p, selected, refusedHere("decisions"))
		if err != nil {
			return err
		}
		p.Selected = panel
	}
	p.WhatIf = whatIfFormOf(c, refusedHere("simulation"))
	// The what-if's example: the dossier open, when its student is one of
	// the session's, else the session's first student.
	switch {
	case p.Selected != nil && slices.ContainsFunc(p.Students, func(s studentRow) bool { return s.Selected }):
		p.WhatIf.Example = u.whatIfExample(c, ref, "", &p.Selected.Dossier.Dossier)
	case len(p.Students) > 0:
		p.WhatIf.Example = u.whatIfExample(c, ref, p.Students[0].Student.Matricule, nil)
	}
	title := fmt.Sprintf("Délibération %s · %s · %s", ref.Session, ref.Year, ref.Programme)
	if p.Selected != nil {
		title += " · " + p.Selected.Row.Name
	}
	u.render(c, "deliberation", title, p)
	return nil
}

// studentPanel reads the selected student's dossier and prepares the
// decision form (prefilled with what was typed when it was refused).
func (u *ui) studentPanel(c *req, ref handlers.DeliberationRef, p *deliberationPage, mat string, refused bool) (*studentPanel, error) {
	d, err := u.Handlers.Dossier(c.ctx(), c.id, mat, ref.Year, ref.Session, c.query())
	if err != nil {
		return nil, err
	}
	sp := &studentPanel{Dossier: dossierOf(d)}
	at := slices.IndexFunc(p.Students, func(s studentRow) bool { return s.Student.Matricule == d.Student.Matricule })
	if at < 0 {
		sp.Row = studentRow{Name: fullName(d.Student)}
		sp.Row.Student = d.Student
		sp.WhyNot = "Cet étudiant n'est pas délibéré à cette session (pas de programme validé cette année, ou année déjà réussie à une session antérieure)."
	} else {
		sp.Row = p.Students[at]
		if at+1 < len(p.Students) {
			sp.Next = p.Students[at+1].Student.Matricule
		}
		if at > 0 {
			sp.Previous = p.Students[at-1].Student.Matricule
		}
	}
	titles := map[string]string{}
	for _, t := range d.UEs {
		titles[t.Code] = t.Title
	}
	for _, pu := range d.Proposal.UEs {
		g := grantField{UE: pu.UE, Title: titles[pu.UE], Credits: pu.Credits, Mark: "—", Reason: reasonOf(pu)}
		if pu.Mark != nil {
			g.Mark = comma(pu.Mark.String())
		} else if pu.Code != "" {
			g.Mark = pu.Code
		}
		switch {
		case pu.Status == "to-deliberate":
			sp.ToDeliberate = append(sp.ToDeliberate, g)
		case pu.Status == "not-acquired" && pu.Credits > 0:
			sp.Outside = append(sp.Outside, g)
		}
	}
	sp.CompletesCycle = d.Proposal.IfGranted == "cycle-completed" || d.Proposal.Outcome == "cycle-completed"
	sp.ProposedMention = d.Proposal.Mention
	if docs, ok := u.Handlers.Cohort.Documents(ref.Year); ok && docs.Ruleset != nil {
		for _, m := range docs.Ruleset.Mentions.Thresholds {
			sp.Mentions = append(sp.Mentions, m.Name)
		}
	}
	if refused {
		// Mark the fields the refusal names: grants[i] is the i-th grant
		// the form gave, in the order grantsOf reads them.
		grants := grantsOf(c.r.PostForm)
		bad := map[string]bool{}
		for _, pr := range c.refused.Problems {
			field := pr.Field
			switch {
			case strings.HasPrefix(field, "grants["):
				i, err := strconv.Atoi(strings.TrimPrefix(field[:max(strings.Index(field, "]"), 0)], "grants["))
				if err == nil && i >= 0 && i < len(grants) {
					bad["ue:"+grants[i].UE] = true
				}
			case field == "grants":
				bad["ue:"+pr.Value] = true
			default:
				p.Invalid[field] = true
			}
		}
		for i := range sp.ToDeliberate {
			sp.ToDeliberate[i].Invalid = bad["ue:"+sp.ToDeliberate[i].UE]
		}
		for i := range sp.Outside {
			sp.Outside[i].Invalid = bad["ue:"+sp.Outside[i].UE]
		}
		if c.refused.Reason == handlers.Conflict {
			sp.Stale, sp.StaleFrom = true, c.r.PostForm.Get("record_version")
		}
	}
	// The handlers decide who may record a decision; the page only avoids
	// offering a form that would be refused.
	present := p.Opened != nil && slices.Contains(p.Opened.Present, c.id.ID)
	switch {
	case sp.WhyNot != "":
	case !c.id.Has(auth.Jury):
		sp.WhyNot = "Seuls les membres du jury présents à l'ouverture enregistrent les décisions."
	case p.Status == projections.NotOpened:
		sp.WhyNot = "La délibération n'est pas ouverte : les décisions s'enregistrent après l'ouverture."
	case !present:
		sp.WhyNot = "Vous n'étiez pas présent(e) à l'ouverture de la délibération : seuls les membres présents décident."
	case p.Status != projections.Open && sp.Row.Status != "re-deliberation":
		sp.WhyNot = "La délibération est close : seule une nouvelle délibération après un recours fondé mène à une nouvelle décision."
	default:
		sp.CanDecide = true
	}
	return sp, nil
}

// grantsOf reads the decision form's grants: every UE to deliberate
// answered (oui or non), then every UE outside the criteria the jury
// grants.
func grantsOf(f url.Values) []handlers.GrantInput {
	var out []handlers.GrantInput
	for _, ue := range f["ue"] {
		switch f.Get("octroi:" + ue) {
		case "oui":
			out = append(out, handlers.GrantInput{UE: ue, Granted: true, Motivation: f.Get("motivation:" + ue)})
		case "non":
			out = append(out, handlers.GrantInput{UE: ue, Granted: false, Motivation: f.Get("motivation:" + ue)})
		}
	}
	for _, ue := range f["hors"] {
		if f.Get("octroi:"+ue) == "oui" {
			out = append(out, handlers.GrantInput{UE: ue, Granted: true, Motivation: f.Get("motivation:" + ue)})
		}
	}
	return out
}

// openDeliberation opens the session's deliberation with the members
// ticked present (and the president's override, if any).
func (u *ui) openDeliberation(c *req) (done, error) {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return done{}, err
	}
	in := handlers.Opening{Present: c.r.PostForm["present"], Override: strings.TrimSpace(c.r.PostForm.Get("derogation"))}
	if in.Present == nil {
		in.Present = []string{}
	}
	got, err := u.Handlers.OpenDeliberation(c.ctx(), c.id, c.r.PostForm.Get("cle"), ref, in)
	if err != nil {
		return done{}, err
	}
	msg := "Délibération ouverte."
	for _, r := range got.Records {
		if e, ok := r.Event.(events.DeliberationOpened); ok {
			rule, known := u.quorumRule(ref)
			text, _ := quorumText(e.Quorum, e.MembersPresent, rule, known)
			msg = "Délibération ouverte : " + text + " : quorum atteint."
		}
	}
	return done{next: deliberationPath(ref.Year, ref.Session), flash: msg, position: positionOf(got)}, nil
}

// decide records the jury's decision on one student, on the version of
// the dossier the form was shown with.
func (u *ui) decide(c *req) (done, error) {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return done{}, err
	}
	f := c.r.PostForm
	mat := strings.ToUpper(strings.TrimSpace(f.Get("etudiant")))
	version, err := strconv.ParseUint(f.Get("record_version"), 10, 64)
	if err != nil {
		return done{}, &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Field: "record_version", Value: f.Get("record_version"),
			Rule: "la version du dossier manque ou est illisible : rouvrez le dossier de l'étudiant"}}}
	}
	in := handlers.DecisionInput{Student: mat, RecordVersion: version, Grants: grantsOf(f),
		Mention: strings.TrimSpace(f.Get("mention")), Motivation: strings.TrimSpace(f.Get("motivation"))}
	got, err := u.Handlers.RecordDecision(c.ctx(), c.id, f.Get("cle"), ref, in)
	if err != nil {
		return done{}, err
	}
	msg := fmt.Sprintf("Décision enregistrée pour %s : %s.", mat, outcome(got.Outcome))
	if got.AlreadyRecorded {
		msg = fmt.Sprintf("Cette décision pour %s était déjà enregistrée : %s.", mat, outcome(got.Outcome))
	}
	if got.Degree != nil {
		msg += " Diplôme conféré"
		if got.Degree.Mention != "" {
			msg += " avec la mention « " + got.Degree.Mention + " »"
		}
		msg += "."
	}
	return done{next: deliberationPath(ref.Year, ref.Session) + "?etudiant=" + url.QueryEscape(mat) + "#dossier", flash: msg, position: got.Position}, nil
}

// closeDeliberation closes the deliberation, once confirmed.
func (u *ui) closeDeliberation(c *req) (done, error) {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return done{}, err
	}
	if c.r.PostForm.Get("confirmation") == "" {
		return done{}, &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Field: "confirmation",
			Rule: "cochez la confirmation : après la clôture, les cotes de la session sont figées et seule une décision sur recours fondé les change"}}}
	}
	got, err := u.Handlers.CloseDeliberation(c.ctx(), c.id, c.r.PostForm.Get("cle"), ref)
	if err != nil {
		return done{}, err
	}
	return done{next: deliberationPath(ref.Year, ref.Session), flash: "Délibération clôturée : les cotes de la session sont figées.", position: positionOf(got)}, nil
}

// publicationRoute is the pattern of the publication form, served once
// routes.go declares it.
const publicationRoute = "POST " + deliberation + "/publication"

// publishRouted reports whether the publication form has its route.
func (u *ui) publishRouted() bool {
	return slices.ContainsFunc(u.routes(), func(r route) bool { return r.pattern == publicationRoute })
}

// publishResults publishes a closed session's results at the calendar's
// publication date (the secretariat or the jury's president). It is the
// form of publicationRoute: {"POST " + deliberation + "/publication",
// u.form(u.publishResults, u.deliberation)}.
func (u *ui) publishResults(c *req) (done, error) {
	ref, err := u.deliberationRef(c)
	if err != nil {
		return done{}, err
	}
	got, err := u.Handlers.PublishResults(c.ctx(), c.id, c.r.PostForm.Get("cle"), ref, time.Time{})
	if err != nil {
		return done{}, err
	}
	msg := "Résultats publiés."
	for _, r := range got.Records {
		if e, ok := r.Event.(events.ResultsPublished); ok {
			msg = "Résultats publiés : les étudiants les voient à partir du " + moment(e.At) + "."
		}
	}
	return done{next: deliberationPath(ref.Year, ref.Session), flash: msg, position: positionOf(got)}, nil
}

// quorumRule is handlers.QuorumRule as the pages show it.
type quorumRule struct {
	Counts   map[string]bool // the members who count, by id
	Counted  int
	Required int  // more than half of Counted
	Everyone bool // no member teaches a compulsory UE evaluated at the session
}

// quorumRule reads who counts for the quorum of ref's deliberation now,
// from the handlers' rule; false when the handlers cannot say (no jury,
// views unavailable).
func (u *ui) quorumRule(ref handlers.DeliberationRef) (quorumRule, bool) {
	hr, err := u.Handlers.QuorumRule(ref)
	if err != nil {
		return quorumRule{}, false
	}
	r := quorumRule{Counts: map[string]bool{}, Counted: len(hr.Counted), Required: hr.Required, Everyone: hr.Everyone}
	for _, m := range hr.Counted {
		r.Counts[m] = true
	}
	return r, true
}

// quorumText says a recorded quorum in words, without its verdict: how
// many of the members who count were present, of how many, and how many
// were needed. exact reports that the rule read now (known) gives the
// quorum recorded; when it does not (the session's sheets changed since
// the opening), the text says only what was recorded.
func quorumText(q events.Quorum, present []string, r quorumRule, known bool) (text string, exact bool) {
	sitting := 0
	for _, m := range present {
		if r.Counts[m] {
			sitting++
		}
	}
	if !known || r.Required != q.Required || sitting != q.Present {
		return fmt.Sprintf("%d membre(s) présent(s) parmi ceux qui enseignaient une UE obligatoire de la session à l'ouverture ; il en fallait plus de la moitié (%d)",
			q.Present, q.Required), false
	}
	who := "membres qui enseignent une UE obligatoire de la session"
	if r.Everyone {
		who = "membres du jury (aucun n'enseigne une UE obligatoire de la session : tous comptent)"
	}
	switch {
	case r.Counted == 1 && !r.Everyone && q.Present == 1:
		text = "le seul membre qui enseigne une UE obligatoire de la session est présent"
	case r.Counted == 1 && !r.Everyone:
		text = "le seul membre qui enseigne une UE obligatoire de la session n'est pas présent"
	case q.Present == 0:
		text = fmt.Sprintf("aucun des %d %s n'est présent", r.Counted, who)
	case q.Present == 1:
		text = fmt.Sprintf("1 des %d %s est présent", r.Counted, who)
	default:
		text = fmt.Sprintf("%d des %d %s sont présents", q.Present, r.Counted, who)
	}
	return fmt.Sprintf("%s ; il en faut plus de la moitié (%d)", text, q.Required), true
}
