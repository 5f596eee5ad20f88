package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// DecisionInput is the jury's decision on one student.
type DecisionInput struct {
	Student string `json:"student"`
	// RecordVersion is the record_version of the dossier the jury was
	// shown; a decision on an older version is refused.
	RecordVersion uint64       `json:"record_version"`
	Grants        []GrantInput `json:"grants,omitempty"`
	// Mention is the degree's mention when the decision completes the
	// cycle ("" takes the one the ruleset proposes).
	Mention    string `json:"mention,omitempty"`
	Motivation string `json:"motivation,omitempty"`
}

// GrantInput is the jury's decision on the credits of one UE below the
// pass mark.
type GrantInput struct {
	UE         string `json:"ue"`
	Granted    bool   `json:"granted"`
	Motivation string `json:"motivation"`
}

// Decided is what a recorded decision gives.
type Decided struct {
	ID       string `json:"id"`
	Position uint64 `json:"position"`
	Outcome  string `json:"outcome"`
	Proposed string `json:"proposed"`
	Mention  string `json:"mention,omitempty"`
	// Degree is set when the decision completes the cycle.
	Degree          *events.DegreeConferred `json:"degree,omitempty"`
	Supersedes      string                  `json:"supersedes,omitempty"`
	AlreadyRecorded bool                    `json:"already_recorded,omitempty"`
}

// RecordDecision records the jury's decision on one student (a member
// present at the opening). It is checked against the dossier of the
// version the jury was shown: a decision on a stale record is a conflict
// carrying the current dossier. Credits are granted only below the pass
// mark, each grant and every refusal motivated; refusing the credits of a
// UE at or above the pass mark is an error. The outcome follows from the
// record and the grants; the mention is the proposed one unless the
// ruleset lets the jury raise it. A decision completing the cycle confers
// the degree in the same append.
func (hs *Handlers) RecordDecision(ctx context.Context, id auth.Identity, key string, ref DeliberationRef, in DecisionInput) (Decided, error) {
	if _, err := hs.juryFor(ctx, id, ref, access.Decide); err != nil {
		return Decided{}, err
	}
	docs, _ := hs.Cohort.Documents(ref.Year)
	in.Student = normMatricule(in.Student)
	if !hs.Cohort.InSession(ref.Programme, ref.Year, catalog.Session(ref.Session), in.Student) {
		reason := NotFound
		if _, ok := hs.Cohort.Registration(in.Student); ok {
			reason = Invalid
		}
		return Decided{}, refuse(reason, "student", in.Student, "not a student of the session: no validated %s programme in %s, or the year was settled at an earlier session", ref.Programme, ref.Year)
	}
	var out Decided
	got, err := execute(ctx, hs, ref.aggregate(), key, newDeliberationState, func(st *deliberationState) ([]events.Pending, error) {
		var appeal *appealState
		if st.closed != nil {
			appeal = st.upheld(in.Student)
		}
		if appeal == nil {
			if err := st.writable(ref); err != nil {
				return nil, err
			}
		}
		if !st.isPresent(id.ID) {
			return nil, refuse(Forbidden, "actor", id.ID, "%s was not present when the deliberation of %s opened; members present decide", id.ID, ref)
		}
		dossier, err := hs.Cohort.Dossier(in.Student, ref.Year, catalog.Session(ref.Session))
		if err != nil {
			return nil, viewError(err)
		}
		if in.RecordVersion != dossier.RecordVersion {
			r := refuse(Conflict, "record_version", fmt.Sprint(in.RecordVersion),
				"the record of %s is now at version %d: it changed since the dossier the jury was shown; look at it again", in.Student, dossier.RecordVersion)
			r.Current = dossier
			return nil, r
		}
		previous := st.decisions[in.Student]
		e, after, err := hs.decide(ref, docs, dossier, in, previous != "")
		if err != nil {
			return nil, err
		}
		e.Supersedes = previous
		if appeal != nil {
			e.Appeal = appeal.id
		}
		decision := events.Pending{ID: uuid.New(), Event: e, Actor: id.Actor()}
		out = Decided{ID: decision.ID.String(), Outcome: e.Outcome, Proposed: e.Proposed, Mention: e.Mention, Supersedes: previous}
		pending := []events.Pending{decision}
		if e.Outcome == string(rules.CycleCompleted) {
			deg := events.DegreeConferred{Student: in.Student, Programme: ref.Programme, Year: ref.Year,
				Mention: e.Mention, Decision: out.ID}
			if a := after.CycleAverage; a != nil {
				deg.Average = a.Mark.String()
			}
			out.Degree = &deg
			pending = append(pending, events.Pending{Event: deg, Actor: id.Actor(), CausationID: out.ID})
		}
		return pending, nil
	})
	if err != nil {
		return Decided{}, err
	}
	for _, r := range got.Records {
		if e, ok := r.Event.(events.DecisionRecorded); ok {
			out.ID, out.Position, out.Outcome, out.Proposed, out.Mention, out.Supersedes = r.ID.String(), r.Position, e.Outcome, e.Proposed, e.Mention, e.Supersedes
		}
		if e, ok := r.Event.(events.DegreeConferred); ok {
			out.Degree = &e
		}
	}
	out.AlreadyRecorded = got.AlreadyRecorded
	return out, nil
}

// decide checks a decision against the dossier it was taken on and builds
// the record: the grants with their basis and the mark at decision, the
// outcome the grants give, the proposed and decided mentions. It also
// returns the proposal with the grants applied (its cycle average is the
// degree's).
func (hs *Handlers) decide(ref DeliberationRef, docs projections.Documents, dossier projections.Dossier, in DecisionInput, revision bool) (events.DecisionRecorded, projections.ProposalView, error) {
	e := events.DecisionRecorded{Student: in.Student, RecordVersion: dossier.RecordVersion,
		Proposed: dossier.Proposal.IfGranted, Motivation: strings.TrimSpace(in.Motivation)}
	proposals := map[string]projections.UEProposal{}
	for _, u := range dossier.Proposal.UEs {
		proposals[u.UE] = u
	}
	var ps problems
	decided := map[string]bool{}
	for i, g := range in.Grants {
		field := fmt.Sprintf("grants[%d]", i)
		u, ok := proposals[g.UE]
		g.Motivation = strings.TrimSpace(g.Motivation)
		switch {
		case !ok:
			ps.add(field+".ue", g.UE, "not a UE of %s's programme in %s", in.Student, ref.Year)
			continue
		case decided[g.UE]:
			ps.add(field+".ue", g.UE, "decided twice in this decision")
			continue
		case u.Status == rules.Acquired && u.Basis == rules.ByMark && !g.Granted:
			ps.add(field+".granted", "false", "UE %s has %s/20, at or above the pass mark: its credits are acquired and the jury may never refuse them (décret Paysage)", g.UE, u.Result())
			continue
		case u.Status == rules.Acquired:
			ps.add(field+".ue", g.UE, "UE %s is already acquired (%s): there is nothing to grant", g.UE, u.Basis)
			continue
		case u.Status == rules.Pending:
			ps.add(field+".ue", g.UE, "UE %s is not evaluated yet this year: the jury decides on it after its session", g.UE)
			continue
		case u.Credits == 0:
			ps.add(field+".ue", g.UE, "UE %s carries no credits: there is nothing to grant", g.UE)
			continue
		case g.Motivation == "":
			ps.add(field+".motivation", "", "a decision on the credits of UE %s is motivated (granted or refused)", g.UE)
		}
		decided[g.UE] = true
		basis := events.GrantOutsideCriteria
		if u.Status == rules.ToDeliberate {
			basis = events.GrantWithinCriteria
		}
		e.Grants = append(e.Grants, events.CreditGrant{UE: g.UE, Mark: u.Result(), Granted: g.Granted, Basis: basis, Motivation: g.Motivation})
	}
	for _, u := range dossier.Proposal.UEs {
		if u.Status == rules.ToDeliberate && !decided[u.UE] {
			ps.add("grants", u.UE, "UE %s is proposed to deliberate (%s): the decision grants or refuses it", u.UE, u.Why)
		}
	}
	if err := ps.err(Invalid); err != nil {
		return e, projections.ProposalView{}, err
	}
	after, err := hs.Cohort.Proposal(in.Student, ref.Year, catalog.Session(ref.Session), granted(e.Grants))
	if err != nil {
		return e, projections.ProposalView{}, viewError(err)
	}
	e.Outcome = after.Proposal.Outcome
	if e.Outcome == string(rules.CycleCompleted) {
		e.ProposedMention = after.Proposal.Mention
	}
	e.Mention = mentionOf(docs.Ruleset, e, strings.TrimSpace(in.Mention), &ps)
	switch {
	case e.Motivation != "":
	case e.Outcome == string(rules.Ajourne) || e.Outcome == string(rules.YearClosed):
		ps.add("motivation", "", "the outcome %s is unfavourable: the decision is motivated (décret Paysage)", rules.Outcome(e.Outcome))
	case revision:
		ps.add("motivation", "", "the student was already decided in this deliberation: a new decision says why")
	case e.Mention != e.ProposedMention:
		ps.add("motivation", "", "a mention other than the proposed one is motivated")
	}
	return e, after.Proposal, ps.err(Invalid)
}

// mentionOf is the mention a decision confers: the proposed one, or one
// the jury raises it to where the ruleset allows; lowering it, or a
// mention without the degree, is refused.
func mentionOf(rs *rules.Ruleset, e events.DecisionRecorded, asked string, ps *problems) string {
	if asked == "" || asked == e.ProposedMention {
		return e.ProposedMention
	}
	if e.Outcome != string(rules.CycleCompleted) {
		ps.add("mention", asked, "a mention goes with the degree; the outcome is %s", rules.Outcome(e.Outcome))
		return ""
	}
	rank := func(name string) int {
		return slices.IndexFunc(rs.Mentions.Thresholds, func(m rules.Mention) bool { return strings.EqualFold(m.Name, name) })
	}
	want, proposed := rank(asked), rank(e.ProposedMention)
	var names []string
	for _, m := range rs.Mentions.Thresholds {
		names = append(names, m.Name)
	}
	switch {
	case want < 0:
		ps.add("mention", asked, "not a mention of the ruleset (%s)", strings.Join(names, ", "))
	case !rs.Mentions.JuryMayRaise:
		ps.add("mention", asked, "the ruleset does not let the jury change the mention (mentions.jury_may_raise); it is %q", e.ProposedMention)
	case want < proposed:
		ps.add("mention", asked, "the jury may raise the mention, not lower it below the proposed %q", e.ProposedMention)
	default:
		return rs.Mentions.Thresholds[want].Name
	}
	return ""
}

func granted(gs []events.CreditGrant) []string {
	var out []string
	for _, g := range gs {
		if g.Granted {
			out = append(out, g.UE)
		}
	}
	return out
}
