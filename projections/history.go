package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// History reads every fact about matricule from the log, at or before
// until (the zero Until: all of them). The cohort's index says where the
// facts are; their content comes from the log.
func (c *Cohort) History(ctx context.Context, src Source, matricule string, until eventlog.Until) (History, error) {
	c.mu.RLock()
	s := c.students[matricule]
	var positions []uint64
	var who Identity
	if s != nil {
		positions, who = bounded(s.Positions, until), identity(s)
	}
	position := c.position
	c.mu.RUnlock()
	if s == nil {
		return History{}, notFound("student", matricule, "no student is registered with this matricule")
	}
	h := History{Basis: Basis{Position: position}, Student: who, Entries: []HistoryEntry{}}
	if until != (eventlog.Until{}) {
		h.AsOf = &AsOf{Position: until.Position, Instant: until.Instant}
	}
	recs, err := src.ReadAt(ctx, positions)
	if err != nil {
		return History{}, fmt.Errorf("history of %s: %w", matricule, err)
	}
	for _, r := range recs {
		if !until.Instant.IsZero() && r.RecordedAt.After(until.Instant) {
			continue
		}
		if err := concerns(r, matricule); err != nil {
			return History{}, err
		}
		e, err := historyEntry(r)
		if err != nil {
			return History{}, err
		}
		h.Entries = append(h.Entries, e)
	}
	if h.AsOf != nil {
		h.AsOf.Records, h.Position = len(h.Entries), 0
		if n := len(h.Entries); n > 0 {
			h.Position = h.Entries[n-1].Position
		}
		if len(h.Entries) == 0 {
			h.Empty = fmt.Sprintf("student %s had no record yet as of %s", matricule, boundText(*h.AsOf))
		}
	}
	return h, nil
}

func historyEntry(r events.Record) (HistoryEntry, error) {
	body, err := json.Marshal(r.Event)
	if err != nil {
		return HistoryEntry{}, fmt.Errorf("history: position %d: %w", r.Position, err)
	}
	e := HistoryEntry{
		Position: r.Position, RecordedAt: r.RecordedAt, OccurredAt: r.OccurredAt, Type: r.Type,
		Aggregate: string(r.Aggregate), Actor: r.Actor.ID, Roles: r.Actor.Roles,
		Hash: r.Hash, PrevHash: r.PrevHash, Event: body,
	}
	if year, session, ue, ok := SheetParts(r.Aggregate); ok {
		e.Context = strings.Join([]string{year, string(session), "UE " + ue}, " ")
	}
	if t := r.Aggregate.Tokens(); r.Aggregate.Kind() == events.KindDeliberation && len(t) == 3 {
		e.Context = t[1] + " " + t[2] + " deliberation"
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
		h.Context, h.Summary, h.Value = e.Year, "annual programme validated", strings.Join(e.UEs, ", ")
	case events.PAEAmended:
		h.Context, h.Summary, h.Reason = e.Year, "annual programme amended", e.Reason
		h.Value = fmt.Sprintf("added [%s], removed [%s]", strings.Join(e.Added, ", "), strings.Join(e.Removed, ", "))
	case events.CreditsRecognised:
		h.Context, h.Summary, h.Value, h.Reason = e.Year+" UE "+e.UE, "prior credits recognised", e.Basis, e.Reason
	case events.DegreeConferred:
		h.Summary, h.Value = "degree conferred", strings.TrimSpace(e.Average+" "+e.Mention)
		if h.Context == "" {
			h.Context = e.Year
		}
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
		}
	case events.AppealDecided:
		h.Summary, h.Reason = "appeal decided", e.Motivation
		h.Value = map[bool]string{true: "upheld", false: "rejected"}[e.Upheld]
	default:
		h.Summary = ev.EventType()
	}
}
