package projections

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Minutes returns the minutes (procès-verbal) of one session's
// deliberation. The decisions are read back from the log, so the minutes
// hold what was recorded, motivations and grants included.
func (c *Cohort) Minutes(ctx context.Context, src Source, programme, year string, session catalog.Session) (Minutes, error) {
	c.mu.RLock()
	m, del, err := c.minutesFrame(programme, year, session)
	c.mu.RUnlock()
	if err != nil {
		return Minutes{}, err
	}
	m.Decisions, err = c.decisionRecords(ctx, src, del)
	return m, err
}

// minutesFrame is everything of the minutes but the decisions, and the
// deliberation they are read from.
func (c *Cohort) minutesFrame(programme, year string, session catalog.Session) (Minutes, []decisionRef, error) {
	d, err := c.deliberationDocuments(programme, year, session)
	if err != nil {
		return Minutes{}, nil, err
	}
	del := c.deliberations[events.DeliberationOf(programme, year, string(session))]
	if del == nil || del.Opened == nil {
		return Minutes{}, nil, notFound("session", string(session),
			"the deliberation of %s %s %s has not opened yet", programme, session, year)
	}
	j, _ := c.jury(programme, year)
	m := Minutes{Basis: Basis{Position: c.position}, Programme: programme, ProgrammeTitle: d.Catalog.Programme.Title,
		Year: year, Session: string(session), Jury: j, Opened: *del.opening(), Closed: del.closed(),
		Decisions: []DecisionRecord{}, Appeals: []AppealView{}, Institutions: []string{}}
	for _, in := range d.Catalog.Institutions {
		m.Institutions = append(m.Institutions, in.Name)
	}
	for _, mem := range j.Members {
		role := "member"
		switch mem.ID {
		case j.President:
			role = "president"
		case j.Secretary:
			role = "secretary"
		}
		m.Members = append(m.Members, MemberPresence{JuryMember: mem, Role: role, Present: slices.Contains(m.Opened.Present, mem.ID)})
	}
	if p := del.published(); p != nil {
		at := p.At
		m.PublishedAt = &at
	}
	for _, a := range del.Appeals {
		m.Appeals = append(m.Appeals, a.view())
	}
	return m, slices.Clone(del.Decisions), nil
}

// decisionRecords reads the decisions refs point to back from the log.
func (c *Cohort) decisionRecords(ctx context.Context, src Source, refs []decisionRef) ([]DecisionRecord, error) {
	positions := make([]uint64, len(refs))
	for i, r := range refs {
		positions[i] = r.Position
	}
	recs, err := src.ReadAt(ctx, positions)
	if err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]DecisionRecord, 0, len(recs))
	for _, r := range recs {
		e, ok := r.Event.(events.DecisionRecorded)
		if !ok {
			return nil, fmt.Errorf("read decisions: the record at position %d is a %s, not a decision", r.Position, r.Type)
		}
		d := DecisionRecord{ID: r.ID.String(), Position: r.Position, At: r.RecordedAt, By: r.Actor.ID,
			Student: Identity{Matricule: e.Student}, DecisionRecorded: e, Differences: differences(e)}
		if s := c.students[e.Student]; s != nil {
			d.Student = identity(s)
			for _, dec := range s.Decisions {
				if dec.ID == d.ID {
					d.SupersededBy = dec.SupersededBy
				}
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// replayWorkers bounds the dossiers a replay rebuilds at once.
const replayWorkers = 4

// ReplayDeliberation returns one session's decisions in recorded order, each with the
// dossier as it stood just before it was taken, rebuilt from the log (not
// from the live views), and with the student's decision at the previous
// session as it stood then.
func (c *Cohort) ReplayDeliberation(ctx context.Context, src Source, programme, year string, session catalog.Session) (Replay, error) {
	c.mu.RLock()
	m, refs, err := c.minutesFrame(programme, year, session)
	c.mu.RUnlock()
	if err != nil {
		return Replay{}, err
	}
	decisions, err := c.decisionRecords(ctx, src, refs)
	if err != nil {
		return Replay{}, err
	}
	r := Replay{Basis: m.Basis, Programme: programme, Year: year, Session: string(session), Opened: &m.Opened,
		Steps: make([]ReplayStep, len(decisions)), PreviousSession: previousSession(session)}
	errs := make([]error, len(decisions))
	var wg sync.WaitGroup
	work := make(chan int)
	for range replayWorkers {
		wg.Go(func() {
			for i := range work {
				r.Steps[i], errs[i] = c.replayStep(ctx, src, i, decisions[i], year, session)
			}
		})
	}
	for i := range decisions {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Replay{}, err
		}
	}
	return r, nil
}

func (c *Cohort) replayStep(ctx context.Context, src Source, i int, d DecisionRecord, year string, session catalog.Session) (ReplayStep, error) {
	dos, err := c.DossierAsOf(ctx, src, d.Student.Matricule, year, session, eventlog.Until{Position: d.Position - 1})
	if err != nil {
		return ReplayStep{}, fmt.Errorf("replay decision %d (%s): %w", i+1, d.ID, err)
	}
	step := ReplayStep{Index: i + 1, Decision: d, Dossier: dos, VersionMatches: dos.RecordVersion == d.RecordVersion}
	if prev := previousDecision(dos.Decisions, year, session); prev != nil {
		step.Previous = prev
		step.Change = "unchanged"
		if prev.Outcome != d.Outcome {
			step.Change = prev.Outcome + " -> " + d.Outcome
		}
	}
	return step, nil
}

// previousSession names the session before s in the same year ("" for Q1:
// the previous decision is then the last of an earlier year).
func previousSession(s catalog.Session) string {
	if i := sessionIndex(s); i > 1 {
		return string(sessions[i-1])
	}
	return ""
}

// previousDecision is the last decision in force among ds taken at the
// session before session of year (for Q1, in an earlier year).
func previousDecision(ds []Decision, year string, session catalog.Session) *Decision {
	prev := previousSession(session)
	for _, d := range slices.Backward(ds) {
		if d.Superseded {
			continue
		}
		if prev != "" && d.Year == year && d.Session == prev || prev == "" && d.Year < year {
			return &d
		}
	}
	return nil
}
