package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// History reads every fact about matricule from the log, at or before
// until (the zero Until: all of them), keeping those f selects. The
// cohort's index says where the facts are; their content comes from the
// log.
func (c *Cohort) History(ctx context.Context, src Source, matricule string, until eventlog.Until, f HistoryFilter) (History, error) {
	c.mu.RLock()
	s := c.students[matricule]
	var positions []uint64
	if s != nil {
		positions = bounded(s.Positions, until)
	}
	position := c.position
	c.mu.RUnlock()
	if s == nil {
		return History{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	recs, err := src.ReadAt(ctx, positions)
	if err != nil {
		return History{}, fmt.Errorf("history of %s: %w", matricule, err)
	}
	for _, r := range recs {
		if err := concerns(r, matricule); err != nil {
			return History{}, err
		}
	}
	h, err := HistoryOf(matricule, recs, until, f)
	if err != nil {
		return History{}, err
	}
	if h.AsOf == nil {
		h.Position = position
	}
	return h, nil
}

// HistoryFilter selects facts of a history; empty fields select all.
type HistoryFilter struct {
	Year string // facts about this academic year
	UE   string // facts about this UE (its marks, grants, recognition, appeals, and the PAEs listing it)
	// Kind is an event type ("mark.corrected") or its family, the part
	// before the dot ("mark", "decision", "appeal").
	Kind string
}

func (f HistoryFilter) keeps(e HistoryEntry) bool {
	family, _, _ := strings.Cut(e.Type, ".")
	return (f.Year == "" || e.Year == f.Year) &&
		(f.UE == "" || slices.Contains(e.UEs, f.UE)) &&
		(f.Kind == "" || f.Kind == e.Type || f.Kind == family)
}

// HistoryOf builds the history of matricule from records in log order:
// the facts about the student among them, at or before until, that f
// keeps. It reads nothing else, so an offline verifier gets the same
// history from the same records.
func HistoryOf(matricule string, recs []events.Record, until eventlog.Until, f HistoryFilter) (History, error) {
	h := History{Entries: []HistoryEntry{}}
	var admitted int
	for _, r := range recs {
		if !About(r, matricule) || !until.Admits(r.Position, r.RecordedAt) {
			continue
		}
		admitted++
		h.Position = r.Position
		if reg, ok := r.Event.(events.StudentRegistered); ok {
			h.Student = Identity{Matricule: reg.Matricule, FirstName: reg.FirstName, LastName: reg.LastName, Email: reg.Email}
		}
		e, err := historyEntry(r)
		if err != nil {
			return History{}, err
		}
		if f.keeps(e) {
			h.Entries = append(h.Entries, e)
		}
	}
	if h.Student.Matricule == "" {
		h.Student.Matricule = matricule
	}
	if until != (eventlog.Until{}) {
		h.AsOf = &AsOf{Position: until.Position, Instant: until.Instant, Records: admitted}
		if admitted == 0 {
			h.Empty = fmt.Sprintf("student %s had no record yet as of %s", matricule, boundText(*h.AsOf))
		}
	}
	return h, nil
}

// About reports whether r is a fact about matricule (documents are not).
func About(r events.Record, matricule string) bool {
	switch r.Aggregate.Kind() {
	case events.KindCatalog, events.KindCalendar:
		return false
	case events.KindStudent:
		return r.Aggregate == events.StudentOf(matricule)
	}
	return events.AboutStudent(r.Event) == matricule
}

func historyEntry(r events.Record) (HistoryEntry, error) {
	body, err := json.Marshal(r.Event)
	if err != nil {
		return HistoryEntry{}, fmt.Errorf("history: position %d: %w", r.Position, err)
	}
	e := HistoryEntry{
		ID: r.ID.String(), Position: r.Position, RecordedAt: r.RecordedAt, OccurredAt: r.OccurredAt, Type: r.Type,
		Aggregate: string(r.Aggregate), Actor: r.Actor.ID, Roles: r.Actor.Roles,
		Correlation: r.CorrelationID, Hash: r.Hash, PrevHash: r.PrevHash, Event: body,
	}
	e.CommandID, e.Command, e.CausedBy = events.Causation(r.CausationID)
	if year, session, ue, ok := SheetParts(r.Aggregate); ok {
		e.Year, e.UEs = year, []string{ue}
		e.Context = strings.Join([]string{year, string(session), "UE " + ue}, " ")
	}
	if t := r.Aggregate.Tokens(); r.Aggregate.Kind() == events.KindDeliberation && len(t) == 3 {
		e.Year, e.Context = t[1], t[1]+" "+t[2]+" deliberation"
	}
	describe(&e, r.Event)
	return e, nil
}

// describe fills the summary, values and reason of one fact.
func describe(h *HistoryEntry, ev events.Event) {
	withActivity := func(a string) {
		if a != "" {
			h.Context += " (" + a + ")"
		}
	}
	switch e := ev.(type) {
	case events.StudentRegistered:
		h.Summary, h.Value = "registered", fmt.Sprintf("%s %s <%s>", e.FirstName, e.LastName, e.Email)
	case events.StudentAdmitted:
		h.Summary, h.Value = "admitted to "+e.Programme, e.Basis
		if len(e.Complements) > 0 {
			h.Value += "; complements " + strings.Join(e.Complements, ", ")
		}
	case events.PAEValidated:
		h.Year, h.UEs = e.Year, e.UEs
		h.Context, h.Summary, h.Value = e.Year, "annual programme validated", strings.Join(e.UEs, ", ")
	case events.PAEAmended:
		h.Year, h.UEs = e.Year, append(slices.Clone(e.Added), e.Removed...)
		h.Context, h.Summary, h.Reason = e.Year, "annual programme amended", e.Reason
		h.Value = fmt.Sprintf("added [%s], removed [%s]", strings.Join(e.Added, ", "), strings.Join(e.Removed, ", "))
	case events.CreditsRecognised:
		h.Year, h.UEs = e.Year, []string{e.UE}
		h.Context, h.Summary, h.Value, h.Reason = e.Year+" UE "+e.UE, "prior credits recognised", e.Basis, e.Reason
	case events.DegreeConferred:
		h.Summary, h.Value = "degree conferred", strings.TrimSpace(e.Average+" "+e.Mention)
		if h.Context == "" {
			h.Context = e.Year
		}
		h.Year = e.Year
	case events.MarkRecorded:
		withActivity(e.Activity)
		h.Summary, h.Value = "result recorded", e.Entry.String()
	case events.MarkCorrected:
		withActivity(e.Activity)
		h.Summary, h.Previous, h.Value = "result corrected, authorised by "+e.AuthorisedBy, e.Previous.String(), e.Entry.String()
		h.Reason = e.Reason
	case events.MarkCarriedOver:
		withActivity(e.Activity)
		h.Summary, h.Value = "mark carried over from "+e.FromSession, e.Mark
	case events.DeadlineExtended:
		h.Summary, h.Value, h.Reason = "encoding deadline extended", e.Until.Format("2006-01-02 15:04 MST"), e.Reason
	case events.DecisionRecorded:
		h.Summary, h.Value, h.Reason = "jury decision recorded", e.Outcome, e.Motivation
		for _, g := range e.Grants {
			h.UEs = append(h.UEs, g.UE)
			h.Value += fmt.Sprintf("; UE %s (%s) %s", g.UE, g.Mark, map[bool]string{true: "granted", false: "refused"}[g.Granted])
		}
		if e.Mention != "" {
			h.Value += "; mention " + e.Mention
		}
		if e.Supersedes != "" {
			h.Previous = "decision " + e.Supersedes
		}
	case events.DecisionSuperseded:
		h.Summary, h.Previous, h.Reason = "jury decision superseded", "decision "+e.Decision, e.Reason
	case events.AppealFiled:
		h.Summary, h.Reason = "appeal filed", e.Grounds
		if e.UE != "" {
			h.Context += " UE " + e.UE
			h.UEs = []string{e.UE}
		}
	case events.AppealDecided:
		h.Summary, h.Reason = "appeal decided", e.Motivation
		h.Value = map[bool]string{true: "upheld", false: "rejected"}[e.Upheld]
	default:
		h.Summary = ev.EventType()
	}
}
