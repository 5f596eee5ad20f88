package projections

import (
	"strings"
	"time"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// JuryView is a programme's jury for a year.
type JuryView struct {
	Programme     string              `json:"programme"`
	Year          string              `json:"year"`
	President     string              `json:"president"`
	Secretary     string              `json:"secretary"`
	Members       []events.JuryMember `json:"members"`
	Position      uint64              `json:"position"`
	ConstitutedAt time.Time           `json:"constituted_at"`
}

// Member returns the member of the jury with id.
func (j JuryView) Member(id string) (events.JuryMember, bool) {
	for _, m := range j.Members {
		if m.ID == id {
			return m, true
		}
	}
	return events.JuryMember{}, false
}

// Stamp is who recorded a fact, when, and where in the log.
type Stamp struct {
	Position uint64    `json:"position"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

// Opening is how a deliberation opened.
type Opening struct {
	Stamp
	Present  []string      `json:"present"`
	Quorum   events.Quorum `json:"quorum"`
	Override string        `json:"override,omitempty"`
}

// Deliberation statuses.
const (
	NotOpened = "not-opened"
	Open      = "open"
	Closed    = "closed"
	Published = "published"
)

// DeliberationView is where one session's deliberation stands: the jury,
// the opening, every student of the session with the proposal and the
// decision in force, closing, publication and appeals.
type DeliberationView struct {
	Basis
	Programme string    `json:"programme"`
	Year      string    `json:"year"`
	Session   string    `json:"session"`
	Status    string    `json:"status"`
	Jury      *JuryView `json:"jury,omitempty"`
	Opened    *Opening  `json:"opened,omitempty"`
	Closed    *Stamp    `json:"closed,omitempty"`
	// PublishedAt is when students may see the results.
	PublishedAt *time.Time            `json:"published_at,omitempty"`
	Students    []DeliberationStudent `json:"students"`
	Decided     int                   `json:"decided"`
	Undecided   int                   `json:"undecided"`
	// Unpublished counts the decisions recorded after the last publication
	// (after an appeal): students see them once results are published again.
	Unpublished int          `json:"unpublished"`
	Appeals     []AppealView `json:"appeals"`
}

// DeliberationStudent is one student of a session's deliberation.
type DeliberationStudent struct {
	Student Identity `json:"student"`
	// RecordVersion is what a decision on the student must name.
	RecordVersion uint64 `json:"record_version"`
	// Proposed is the rules' proposal: the outcome with the UEs to
	// deliberate granted (IfGranted) and refused (Outcome).
	Proposed     string   `json:"proposed"`
	IfRefused    string   `json:"if_refused"`
	ToDeliberate []string `json:"to_deliberate"`
	Failed       []string `json:"failed"` // below the pass mark or blocked, outside the criteria
	YearAverage  *Average `json:"year_average,omitempty"`
	// Decision is the decision of this session in force, if any.
	Decision *Decision `json:"decision,omitempty"`
	// Status is undecided, decided, or re-deliberation (an upheld appeal
	// awaits a new decision).
	Status string `json:"status"`
}

// AppealView is one appeal against a session's results.
type AppealView struct {
	ID         string `json:"id"`
	Student    string `json:"student"`
	UE         string `json:"ue,omitempty"`
	Grounds    string `json:"grounds"`
	Filed      Stamp  `json:"filed"`
	Status     string `json:"status"` // filed, upheld or rejected
	Decided    *Stamp `json:"decided,omitempty"`
	Motivation string `json:"motivation,omitempty"`
	// AnsweredBy is the decision taken again after the appeal was upheld.
	AnsweredBy string `json:"answered_by,omitempty"`
}

// Difference is one way a decision departs from the rules' proposal, or a
// hypothetical proposal from the real one.
type Difference struct {
	// What differs: grant (a UE granted outside the criteria, or refused
	// within them), outcome, mention, status (of a UE) or year_average.
	What string `json:"what"`
	UE   string `json:"ue,omitempty"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Kinds of difference.
const (
	DiffGrant       = "grant"
	DiffOutcome     = "outcome"
	DiffMention     = "mention"
	DiffStatus      = "status"
	DiffIfGranted   = "if_granted"
	DiffYearAverage = "year_average"
)

// DecisionRecord is a decision as recorded, read back from the log.
type DecisionRecord struct {
	ID       string    `json:"id"`
	Position uint64    `json:"position"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Student  Identity  `json:"student"`
	events.DecisionRecorded
	// Differences from the rules' proposal (empty: the decision follows it).
	Differences  []Difference `json:"differences"`
	SupersededBy string       `json:"superseded_by,omitempty"`
}

// Minutes (procès-verbal) of a session's deliberation: who sat, the
// quorum, each decision with its motivation and its difference from the
// proposal, closing and publication.
type Minutes struct {
	Basis
	Programme      string   `json:"programme"`
	ProgrammeTitle string   `json:"programme_title"`
	Institutions   []string `json:"institutions"`
	Year           string   `json:"year"`
	Session        string   `json:"session"`
	Jury           JuryView `json:"jury"`
	// Members lists every member with their presence.
	Members     []MemberPresence `json:"members"`
	Opened      Opening          `json:"opened"`
	Closed      *Stamp           `json:"closed,omitempty"`
	PublishedAt *time.Time       `json:"published_at,omitempty"`
	Decisions   []DecisionRecord `json:"decisions"`
	Appeals     []AppealView     `json:"appeals"`
}

// MemberPresence is a jury member and whether they sat.
type MemberPresence struct {
	events.JuryMember
	Role    string `json:"role"` // president, secretary or member
	Present bool   `json:"present"`
}

// Replay is a deliberation's decisions in recorded order, each with the
// dossier it was taken on, rebuilt from the log.
type Replay struct {
	Basis
	Programme string       `json:"programme"`
	Year      string       `json:"year"`
	Session   string       `json:"session"`
	Opened    *Opening     `json:"opened,omitempty"`
	Steps     []ReplayStep `json:"steps"`
	// PreviousSession is the session the comparison is with ("" for Q1
	// of a student's first year).
	PreviousSession string `json:"previous_session,omitempty"`
}

// ReplayStep is one decision and the dossier as it stood when it was taken.
type ReplayStep struct {
	Index    int            `json:"index"`
	Decision DecisionRecord `json:"decision"`
	// Dossier is rebuilt from the log as of the record before the decision.
	Dossier Dossier `json:"dossier"`
	// VersionMatches: the dossier rebuilt is the version the decision names.
	VersionMatches bool `json:"version_matches"`
	// Previous is the student's decision at the previous session, as it
	// stood when this one was taken; Change compares the two outcomes.
	Previous *Decision `json:"previous,omitempty"`
	Change   string    `json:"change,omitempty"`
}

// Change is a hypothetical result for a what-if.
type Change struct {
	Student  string `json:"student"`
	UE       string `json:"ue"`
	Activity string `json:"activity,omitempty"`
	// Session defaults to the session deliberated.
	Session string `json:"session,omitempty"`
	// Value is a mark or a code; "" clears the result.
	Value string `json:"value"`
}

// ParseChange reads a change written STUDENT:UE[:ACTIVITY]=VALUE (an empty
// VALUE clears the result), as the CLI's --set and the what-if form take
// it; ok is false when the student, the UE or the "=" is missing.
func ParseChange(s string) (c Change, ok bool) {
	where, value, ok := strings.Cut(s, "=")
	parts := strings.SplitN(where, ":", 3)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if !ok || len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Change{}, false
	}
	c = Change{Student: strings.ToUpper(parts[0]), UE: parts[1], Value: strings.TrimSpace(value)}
	if len(parts) == 3 {
		c.Activity = parts[2]
	}
	return c, true
}

// WhatIfView compares the proposals of a session with hypothetical results
// (and, optionally, other criteria) against the real ones. Nothing is
// written.
type WhatIfView struct {
	Basis
	Programme string `json:"programme"`
	Year      string `json:"year"`
	Session   string `json:"session"`
	Criteria  string `json:"criteria,omitempty"`
	// Simulated are the criteria simulated, when others than the year's.
	Simulated *rules.Deliberation `json:"simulated_criteria,omitempty"`
	Students  []WhatIfStudent     `json:"students"`
	Changed   int                 `json:"changed"`
}

// WhatIfStudent is one student's proposal before and after.
type WhatIfStudent struct {
	Student     Identity     `json:"student"`
	Changes     []Change     `json:"changes,omitempty"`
	Before      ProposalView `json:"before"`
	After       ProposalView `json:"after"`
	Differences []Difference `json:"differences"`
}
