package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
)

// timelinePage is a student's timeline: the facts about them, filtered,
// and, as of a past moment, their record as it then stood.
type timelinePage struct {
	Student   projections.Identity
	Matricule string
	Facts     []auditFact
	Position  uint64 // the last log position the history reflects

	// The filters, as typed, and their choices.
	Year, UE, Kind string
	Filtered       bool
	FilterQuery    string // "?annee=…" to keep the filters, "" without
	Years          []string
	UEs            []string
	Kinds          []auditChoice

	// The as-of forms, as typed, and their choices.
	Day, Time, At, Decision, Deliberation string
	DayInput                              string // Day when a date the date input takes
	Decisions, Deliberations              []auditChoice

	// AsOf is the reconstituted state, when a bound is set.
	AsOf *asOfState

	Staff, Bundle bool
	Path          string // the page's path
	PDF, CSV      string // the history as the API's documents, same filters and bound
	BundleLink    string
	DiffLink      string
}

// asOfState is a student's record reconstituted as of a past moment.
type asOfState struct {
	Words       string // "au 12 janvier 2026 à 23:59", "tel que le jury le voyait…"
	Position    uint64 // the last log position the state holds
	Records     int    // the student's records it was rebuilt from
	Empty       string // the student had no record yet
	Transcripts []yearTranscript
	Ledger      *creditLedger
}

// timelineBound is the bound the as-of form gives, in the handlers' terms.
type timelineBound struct {
	until eventlog.Until
	jury  *handlers.JuryMoment
}

func (b timelineBound) set() bool { return b.until != (eventlog.Until{}) || b.jury != nil }

// readBound reads the as-of forms: one of a day (au), a log position
// (position), a jury decision (decision) or a deliberation
// (deliberation, YEAR/SESSION). A day and a position go together, as the
// API's as_of and as_of_position do; a jury moment goes alone.
func (p *timelinePage) readBound(query url.Values) (timelineBound, []handlers.Problem) {
	p.Day, p.At = strings.TrimSpace(query.Get("au")), strings.TrimSpace(query.Get("position"))
	p.Time = strings.TrimSpace(query.Get("heure"))
	if _, err := time.Parse(time.DateOnly, p.Day); err == nil {
		p.DayInput = p.Day
	}
	p.Decision, p.Deliberation = strings.TrimSpace(query.Get("decision")), strings.TrimSpace(query.Get("deliberation"))
	var b timelineBound
	var ps []handlers.Problem
	given := 0
	for _, v := range []bool{p.Day != "" || p.At != "", p.Decision != "", p.Deliberation != ""} {
		if v {
			given++
		}
	}
	if given > 1 {
		return b, []handlers.Problem{{Field: "au", Rule: "une seule borne à la fois : une date ou une position, une décision du jury, ou une délibération"}}
	}
	day := p.Day
	switch {
	case p.Time != "" && p.DayInput == "":
		ps = append(ps, handlers.Problem{Field: "heure", Value: p.Time, Rule: "une heure va avec une date (AAAA-MM-JJ)"})
	case p.Time != "":
		if _, err := time.Parse("15:04", p.Time); err != nil {
			ps = append(ps, handlers.Problem{Field: "heure", Value: p.Time, Rule: "une heure HH:MM, par exemple 14:30"})
		} else {
			day += "T" + p.Time
		}
	}
	if t, problem := momentOf("au", day); problem != nil {
		ps = append(ps, *problem)
	} else {
		b.until.Instant = t
	}
	if pos, problem := positionOfField("position", p.At); problem != nil {
		ps = append(ps, *problem)
	} else {
		b.until.Position = pos
	}
	switch {
	case p.Decision != "":
		b.jury = &handlers.JuryMoment{Decision: p.Decision}
	case p.Deliberation != "":
		year, session, ok := strings.Cut(p.Deliberation, "/")
		if !ok || year == "" || session == "" {
			ps = append(ps, handlers.Problem{Field: "deliberation", Value: p.Deliberation, Rule: "une délibération ANNÉE/SESSION, par exemple 2025-2026/Q2"})
		} else {
			b.jury = &handlers.JuryMoment{Year: year, Session: strings.ToUpper(session)}
		}
	}
	if len(ps) > 0 {
		return timelineBound{}, ps
	}
	return b, nil
}

// timeline shows the facts about a student, with who, when, why, the
// command and the hashes; filtered by year, UE and kind; and, as of a
// date, a position, a jury decision or a deliberation, the student's
// transcripts and ledger as they then stood beside the history bounded
// the same way.
func (u *ui) timeline(c *req) error {
	mat := strings.ToUpper(strings.TrimSpace(c.r.PathValue("matricule")))
	query := c.r.URL.Query()
	p := &timelinePage{Matricule: mat, Kinds: kindChoices, Staff: readsRecords(c.id),
		Bundle: c.id.Has(auth.Auditor) || c.id.Has(auth.Secretariat),
		Path:   "/etudiants/" + url.PathEscape(mat) + "/historique"}
	p.Year, p.UE, p.Kind = strings.TrimSpace(query.Get("annee")), strings.TrimSpace(query.Get("ue")), strings.TrimSpace(query.Get("type"))
	filter := projections.HistoryFilter{Year: p.Year, UE: p.UE, Kind: p.Kind}
	p.Filtered = filter != (projections.HistoryFilter{})
	keep := url.Values{}
	for name, v := range map[string]string{"annee": p.Year, "ue": p.UE, "type": p.Kind} {
		if v != "" {
			keep.Set(name, v)
		}
	}
	if len(keep) > 0 {
		p.FilterQuery = "?" + keep.Encode()
	}
	bound, problems := p.readBound(query)

	// The student's jury decisions, for the as-of form: this read is also
	// the access check (a student reads only their own record).
	q := c.query()
	jury, err := u.Handlers.History(c.ctx(), c.id, mat, q, projections.HistoryFilter{Kind: "decision"})
	if err != nil {
		return err
	}
	p.Decisions, p.Deliberations = decisionChoices(jury.Entries)
	p.Student = jury.Student

	if len(problems) > 0 {
		c.refused, c.status = &handlers.Refusal{Reason: handlers.Invalid, Problems: problems}, httpapi.StatusOf(handlers.Invalid)
	}
	hq := q
	hq.AsOf, hq.AsJurySaw = bound.until, bound.jury
	h, err := u.Handlers.History(c.ctx(), c.id, mat, hq, filter)
	if ref, ok := shownRefusal(err); ok {
		// An unknown year, UE, kind or decision: said beside the forms,
		// and the whole history shown instead.
		c.refused, c.status = frenchRefusal(ref), httpapi.StatusOf(ref.Reason)
		bound, hq, filter = timelineBound{}, q, projections.HistoryFilter{}
		h, err = u.Handlers.History(c.ctx(), c.id, mat, q, filter)
	}
	if err != nil {
		return err
	}
	p.Facts, p.Position = auditFacts(h.Entries), h.Position
	if h.Student.LastName != "" {
		p.Student = h.Student
	}

	if bound.set() {
		st, err := u.asOf(c, mat, hq, h, jury.Entries)
		if err != nil {
			return err
		}
		p.AsOf = st
	}

	for _, y := range u.Handlers.Cohort.Years() {
		p.Years = append(p.Years, y)
		if d, ok := u.Handlers.Cohort.Documents(y); ok && d.Catalog != nil {
			for _, ue := range d.Catalog.UEs {
				if !slices.Contains(p.UEs, ue.Code) {
					p.UEs = append(p.UEs, ue.Code)
				}
			}
		}
	}
	p.links(mat, filter, bound)
	title := "Historique de " + mat
	if n := strings.TrimSpace(p.Student.FirstName + " " + p.Student.LastName); n != "" {
		title = "Historique de " + n + " (" + mat + ")"
	}
	u.render(c, "timeline", title, p)
	return nil
}

// asOf reconstitutes the student's transcripts (every year with a record)
// and ledger under the history's bound.
func (u *ui) asOf(c *req, mat string, q handlers.ViewQuery, h projections.History, decisions []projections.HistoryEntry) (*asOfState, error) {
	l, err := u.Handlers.Ledger(c.ctx(), c.id, mat, q)
	if err != nil {
		return nil, err
	}
	st := &asOfState{Position: l.Position}
	decision := ""
	if h.AsOf != nil {
		st.Records, st.Empty, decision = h.AsOf.Records, h.Empty, h.AsOf.Decision
		if h.AsOf.Position != 0 {
			st.Position = h.AsOf.Position
		}
	}
	switch {
	case q.AsJurySaw != nil:
		st.Words = "tel que le jury le voyait juste avant sa décision"
		for _, e := range decisions {
			if e.ID == decision {
				st.Words += " du " + moment(e.RecordedAt) + " (" + deliberationWords(e.Aggregate) + ")"
			}
		}
	case q.AsOf.Instant.IsZero():
		st.Words = fmt.Sprintf("à la position %d", q.AsOf.Position)
	default:
		st.Words = boundWords(eventlog.Until{Instant: q.AsOf.Instant})
		if q.AsOf.Position != 0 {
			st.Words += fmt.Sprintf(" et à la position %d au plus", q.AsOf.Position)
		}
	}
	if l.Empty == "" {
		lv := creditLedgerOf(l)
		st.Ledger = &lv
	} else if st.Empty == "" {
		st.Empty = l.Empty
	}
	for _, year := range u.Handlers.Cohort.Years() {
		t, err := u.Handlers.Transcript(c.ctx(), c.id, mat, year, q)
		if err != nil {
			return nil, err
		}
		if t.Empty != "" {
			continue
		}
		st.Transcripts = append(st.Transcripts, yearTranscriptOf(t, ""))
	}
	return st, nil
}

// deliberationWords name the deliberation a decision was taken at: "Q2
// 2025-2026".
func deliberationWords(aggregate string) string {
	t := events.AggregateID(aggregate).Tokens()
	if len(t) == 3 {
		return t[2] + " " + t[1]
	}
	return aggregate
}

// decisionChoices list the student's jury decisions and the
// deliberations that took them, for the as-of form.
func decisionChoices(entries []projections.HistoryEntry) (decisions, deliberations []auditChoice) {
	// A revision names the decision it supersedes (its history entry's
	// previous value).
	superseded := map[string]bool{}
	for _, e := range entries {
		if e.Type == "decision.recorded" && strings.HasPrefix(e.Previous, "decision ") {
			superseded[strings.TrimPrefix(e.Previous, "decision ")] = true
		}
	}
	for _, e := range entries {
		if e.Type != "decision.recorded" {
			continue
		}
		f := auditFactOf(e)
		label := deliberationWords(e.Aggregate) + " — décision du " + moment(e.RecordedAt)
		if f.After != "" {
			label += " (" + f.After + ")"
		}
		if superseded[e.ID] {
			label += " — remplacée"
		}
		decisions = append(decisions, auditChoice{Value: e.ID, Label: label})
		t := events.AggregateID(e.Aggregate).Tokens()
		if len(t) == 3 {
			v := t[1] + "/" + t[2]
			if !slices.ContainsFunc(deliberations, func(c auditChoice) bool { return c.Value == v }) {
				deliberations = append(deliberations, auditChoice{Value: v, Label: "Délibération " + t[2] + " " + t[1] + " (décision en vigueur)"})
			}
		}
	}
	return decisions, deliberations
}

// links are the history as the API's documents (same filters and bound),
// the bundle and the comparison page.
func (p *timelinePage) links(mat string, f projections.HistoryFilter, b timelineBound) {
	api := url.Values{}
	for name, v := range map[string]string{"year": f.Year, "ue": f.UE, "kind": f.Kind} {
		if v != "" {
			api.Set(name, v)
		}
	}
	switch {
	case b.jury != nil && b.jury.Decision != "":
		api.Set("as_of_decision", b.jury.Decision)
	case b.jury != nil:
		api.Set("as_of_deliberation", b.jury.Year+"/"+b.jury.Session)
	default:
		if b.until.Position != 0 {
			api.Set("as_of_position", fmt.Sprint(b.until.Position))
		}
		if !b.until.Instant.IsZero() {
			api.Set("as_of", apiInstant(b.until.Instant))
		}
	}
	base := "/api/v1/students/" + url.PathEscape(mat)
	pdf, csv := url.Values{"format": {"pdf"}}, url.Values{"format": {"csv"}}
	for k, v := range api {
		pdf[k], csv[k] = v, v
	}
	p.PDF, p.CSV = base+"/history?"+pdf.Encode(), base+"/history?"+csv.Encode()
	p.BundleLink = base + "/bundle"
	d := url.Values{}
	if b.set() && p.AsOf != nil && p.AsOf.Position != 0 {
		d.Set("depuis_position", fmt.Sprint(p.AsOf.Position))
	}
	p.DiffLink = "/etudiants/" + url.PathEscape(mat) + "/comparaison"
	if len(d) > 0 {
		p.DiffLink += "?" + d.Encode()
	}
}
