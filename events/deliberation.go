package events

import "time"

// Quorum is the presence rule's computation when a deliberation opened.
type Quorum struct {
	Required int  `json:"required"`
	Present  int  `json:"present"`
	Met      bool `json:"met"`
}

// DeliberationOpened: the jury met for a session.
type DeliberationOpened struct {
	Programme      string   `json:"programme"`
	Year           string   `json:"year"`
	Session        string   `json:"session"`
	MembersPresent []string `json:"members_present"`
	Quorum         Quorum   `json:"quorum"`
	// Override is the president's recorded reason to open while sheets of
	// the session were not all submitted; empty when none was needed.
	Override string `json:"override,omitempty"`
}

// CreditGrant is the jury's decision on one UE below the pass mark.
type CreditGrant struct {
	UE   string `json:"ue"`
	Mark string `json:"mark"` // the UE mark (or the code) at decision, kept on the record
	// Granted: the credits are granted (UE "délibérée"); false: refused.
	Granted bool `json:"granted"`
	// Basis is where the UE stood against the published criteria:
	// GrantWithinCriteria or GrantOutsideCriteria.
	Basis      string `json:"basis"`
	Motivation string `json:"motivation"`
}

// Bases of a credit grant.
const (
	GrantWithinCriteria  = "within-criteria"  // the proposal put the UE "to deliberate"
	GrantOutsideCriteria = "outside-criteria" // below the pass mark outside the criteria, or blocked by a code
)

// DecisionRecorded: the jury's decision on one student. RecordVersion is
// the version of the student's record the jury was shown.
type DecisionRecorded struct {
	Student       string        `json:"student"`
	RecordVersion uint64        `json:"record_version"`
	Grants        []CreditGrant `json:"grants,omitempty"`
	Outcome       string        `json:"outcome"`
	Proposed      string        `json:"proposed"` // the rules' proposal, for the minutes
	Mention       string        `json:"mention,omitempty"`
	// ProposedMention is the mention the ruleset gives the cycle average,
	// when the outcome completes the cycle.
	ProposedMention string `json:"proposed_mention,omitempty"`
	Motivation      string `json:"motivation,omitempty"`
	Supersedes      string `json:"supersedes,omitempty"` // ID of the decision it replaces
	// Appeal is the ID of the upheld appeal this decision answers.
	Appeal string `json:"appeal,omitempty"`
}

// DecisionSuperseded: a decision replaced after an appeal or a material
// error; it stays on the record.
type DecisionSuperseded struct {
	Student  string `json:"student"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// DeliberationClosed: the session's marks are frozen; later changes go
// through a jury decision.
type DeliberationClosed struct {
	Decisions int `json:"decisions"`
}

// ResultsPublished: students may see the session's results from At.
type ResultsPublished struct {
	At time.Time `json:"at"`
}

// AppealFiled: a student contests how an evaluation was run.
type AppealFiled struct {
	Student string `json:"student"`
	UE      string `json:"ue,omitempty"`
	Grounds string `json:"grounds"`
}

// AppealDecided: an appeal upheld or rejected.
type AppealDecided struct {
	Student    string `json:"student"`
	Appeal     string `json:"appeal"` // ID of the AppealFiled record
	Upheld     bool   `json:"upheld"`
	Motivation string `json:"motivation"`
}

func (DeliberationOpened) EventType() string { return "deliberation.opened" }
func (DecisionRecorded) EventType() string   { return "decision.recorded" }
func (DecisionSuperseded) EventType() string { return "decision.superseded" }
func (DeliberationClosed) EventType() string { return "deliberation.closed" }
func (ResultsPublished) EventType() string   { return "results.published" }
func (AppealFiled) EventType() string        { return "appeal.filed" }
func (AppealDecided) EventType() string      { return "appeal.decided" }

func (DeliberationOpened) sealed() {}
func (DecisionRecorded) sealed()   {}
func (DecisionSuperseded) sealed() {}
func (DeliberationClosed) sealed() {}
func (ResultsPublished) sealed()   {}
func (AppealFiled) sealed()        {}
func (AppealDecided) sealed()      {}
