package projections

import (
	"encoding/json"
	"time"

	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/rules"
)

// The types below are what the views answer: plain data, JSON-tagged,
// with slices in a fixed order so that the same log always encodes to the
// same bytes.

// Identity names a student in every view.
type Identity struct {
	Matricule string `json:"matricule"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// Basis of a view: the log position it reflects and, for a view
// reconstructed as of a past moment, the bound it was rebuilt under.
type Basis struct {
	// Position is the last log position the view has applied.
	Position uint64 `json:"position"`
	// AsOf is set on a view rebuilt from the log as of a past moment.
	AsOf *AsOf `json:"as_of,omitempty"`
	// Empty explains an empty view: the student did not exist yet at the
	// bound, or had no record in the year asked for.
	Empty string `json:"empty,omitempty"`
}

// AsOf is the bound a reconstruction was made under: records at or before
// Position and recorded at or before Instant (zero fields do not bound).
type AsOf struct {
	Position uint64    `json:"position,omitempty"`
	Instant  time.Time `json:"instant,omitzero"`
	// Records is how many of the student's records the bound admitted.
	Records int `json:"records"`
	// Decision is the jury decision the bound stops just before, when
	// the view was asked as the jury saw it (as of a decision or a
	// deliberation).
	Decision string `json:"decision,omitempty"`
}

// Transcript is a student's relevé de notes for one academic year.
type Transcript struct {
	Basis
	Student        Identity       `json:"student"`
	Year           string         `json:"year"`
	Programme      string         `json:"programme"`
	ProgrammeTitle string         `json:"programme_title"`
	UEs            []TranscriptUE `json:"ues"`
	Credits        YearCredits    `json:"credits"`
	// YearAverage and CycleAverage are credit-weighted, per the ruleset;
	// nil while no UE with a mark and credits counts.
	YearAverage  *Average   `json:"year_average,omitempty"`
	CycleAverage *Average   `json:"cycle_average,omitempty"`
	Decisions    []Decision `json:"decisions,omitempty"`
	Degree       *Degree    `json:"degree,omitempty"`
}

// TranscriptUE is one UE of a transcript.
type TranscriptUE struct {
	Code       string `json:"code"`
	Title      string `json:"title"`
	Bloc       int    `json:"bloc"`
	Kind       string `json:"kind"` // programme or complement
	Credits    int    `json:"credits"`
	Integrated bool   `json:"integrated"`
	// Sessions are the UE's sittings this year, in session order.
	Sessions []SittingView `json:"sessions"`
	// Mark is the UE mark that counts: that of the last sitting with one.
	Mark *rules.Mark `json:"mark,omitempty"`
	// Status is acquired, to-deliberate, not-acquired or pending.
	Status rules.Status `json:"status"`
	// Basis says why: mark, code, granted, recognised, below-pass,
	// blocked, incomplete or not-yet-evaluated.
	Basis rules.Basis `json:"basis"`
	// AcquiredIn is the session (or "earlier" year) the credits were
	// acquired in.
	AcquiredIn string `json:"acquired_in,omitempty"`
}

// SittingView is what one session recorded for a UE, and the UE mark it
// gives.
type SittingView struct {
	Session string `json:"session"`
	// Result is the UE-level result: the integrated mark or a UE code;
	// Corrected says it was corrected after it was first recorded.
	Result     string           `json:"result,omitempty"`
	Corrected  bool             `json:"corrected,omitempty"`
	Activities []ActivityResult `json:"activities,omitempty"`
	// Mark is the UE mark when it is computed; Code the code that decides
	// otherwise; Missing the activities without a result.
	Mark        *rules.Mark `json:"mark,omitempty"`
	Code        string      `json:"code,omitempty"`
	Missing     []string    `json:"missing,omitempty"`
	Explanation string      `json:"explanation,omitempty"`
}

// ActivityResult is one activity's result at one sitting.
type ActivityResult struct {
	Activity string `json:"activity"`
	Hours    int    `json:"hours"`
	Result   string `json:"result"`
	// CarriedFrom names the session a carried mark comes from.
	CarriedFrom string `json:"carried_from,omitempty"`
	// Corrected: the result was corrected after it was first recorded.
	Corrected bool `json:"corrected,omitempty"`
}

// YearCredits counts a year's PAE credits by how they stand.
type YearCredits struct {
	Enrolled int `json:"enrolled"`
	// Acquired counts on any basis, recognitions outside the PAE included
	// (so it may exceed Enrolled); Remaining is what the PAE still lacks.
	Acquired    int `json:"acquired"`
	ByMark      int `json:"by_mark"`
	Deliberated int `json:"deliberated"`
	Recognised  int `json:"recognised"` // valorisation, or a VAL/DISP code
	Remaining   int `json:"remaining"`
}

// Average is a credit-weighted average and the credits that weigh in it.
type Average struct {
	Mark    rules.Mark `json:"mark"`
	Credits int        `json:"credits"`
}

// Decision is a jury decision as the student's views show it.
type Decision struct {
	ID         string    `json:"id"`
	Position   uint64    `json:"position"`
	At         time.Time `json:"at"`
	Year       string    `json:"year"`
	Session    string    `json:"session"`
	Outcome    string    `json:"outcome"`
	Mention    string    `json:"mention,omitempty"`
	Granted    []string  `json:"granted,omitempty"` // UEs whose credits it granted
	Motivation string    `json:"motivation,omitempty"`
	// SupersededBy names the decision that replaced this one, if any.
	SupersededBy string `json:"superseded_by,omitempty"`
	Superseded   bool   `json:"superseded,omitempty"`
}

// Degree is a conferred degree.
type Degree struct {
	Year    string     `json:"year"`
	Average rules.Mark `json:"average"`
	Mention string     `json:"mention,omitempty"`
}

// Ledger is a student's credit ledger over the cycle.
type Ledger struct {
	Basis
	Student   Identity `json:"student"`
	Programme string   `json:"programme"`
	// Blocs and Cycle count the programme's credits; complements sit on
	// top of them.
	Blocs       []Credits        `json:"blocs"`
	Cycle       Credits          `json:"cycle"`
	Complements []LedgerUE       `json:"complements"`
	Funding     []FundingCounter `json:"funding"`
	UEs         []LedgerUE       `json:"ues"`
}

// Credits counts programme credits by how they were acquired.
type Credits struct {
	Bloc        int `json:"bloc,omitempty"`
	Total       int `json:"total"`
	Acquired    int `json:"acquired"`
	ByMark      int `json:"by_mark"`
	Deliberated int `json:"deliberated"`
	Recognised  int `json:"recognised"`
	Remaining   int `json:"remaining"`
}

// LedgerUE is one UE of the ledger and where its credits stand.
type LedgerUE struct {
	Code     string      `json:"code"`
	Title    string      `json:"title"`
	Bloc     int         `json:"bloc"`
	Credits  int         `json:"credits"`
	Acquired bool        `json:"acquired"`
	Basis    rules.Basis `json:"basis,omitempty"`
	Year     string      `json:"year,omitempty"`
	Session  string      `json:"session,omitempty"`
	Mark     *rules.Mark `json:"mark,omitempty"`
}

// FundingCounter is one funding rule (Credits within Years of the first
// registration) and where the student stands against it.
type FundingCounter struct {
	Credits     int `json:"credits"`
	WithinYears int `json:"within_years"`
	// YearsUsed counts the academic years with a PAE so far.
	YearsUsed int `json:"years_used"`
	// Acquired counts the programme credits acquired in the first
	// WithinYears of those years.
	Acquired int `json:"acquired"`
	// Status is met, in-progress or missed.
	Status string `json:"status"`
}

// ReadinessView is a student's prerequisite readiness for the next year.
type ReadinessView struct {
	Basis
	Student   Identity `json:"student"`
	Programme string   `json:"programme"`
	// After is the last academic year the standing counts.
	After string `json:"after"`
	// Remaining programme credits; EndOfCycle says whether the jury may
	// waive prerequisites.
	Remaining  int               `json:"remaining"`
	EndOfCycle bool              `json:"end_of_cycle"`
	UEs        []rules.Readiness `json:"ues"`
}

// Dossier is what the jury reads for one student at one session: the
// record as it stands, the rules' proposal, and the decisions so far.
type Dossier struct {
	Basis
	Student   Identity `json:"student"`
	Year      string   `json:"year"`
	Session   string   `json:"session"`
	Programme string   `json:"programme"`
	// RecordVersion is the position of the last record about the student
	// the dossier holds: what a decision taken on it names.
	RecordVersion uint64         `json:"record_version"`
	PAE           *PAE           `json:"pae,omitempty"`
	UEs           []TranscriptUE `json:"ues"`
	Proposal      ProposalView   `json:"proposal"`
	Decisions     []Decision     `json:"decisions"`
}

// ProposalView is the rules' proposal for a student at a session.
type ProposalView struct {
	UEs                 []UEProposal `json:"ues"`
	AcquiredCredits     int          `json:"acquired_credits"`
	ToDeliberateCredits int          `json:"to_deliberate_credits"`
	FailedCredits       int          `json:"failed_credits"`
	CycleCredits        int          `json:"cycle_credits"`
	YearAverage         *Average     `json:"year_average,omitempty"`
	CycleAverage        *Average     `json:"cycle_average,omitempty"`
	Outcome             string       `json:"outcome"`
	IfGranted           string       `json:"if_granted"`
	Mention             string       `json:"mention,omitempty"`
	Criteria            string       `json:"criteria,omitempty"`
}

// UEProposal is the proposal for one UE.
type UEProposal struct {
	UE      string       `json:"ue"`
	Credits int          `json:"credits"`
	Mark    *rules.Mark  `json:"mark,omitempty"`
	Code    string       `json:"code,omitempty"`
	Status  rules.Status `json:"status"`
	Basis   rules.Basis  `json:"basis"`
	Deficit *rules.Mark  `json:"deficit,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	Why     i18n.Text    `json:"-"` // Reason as written, for its French (Why.In)
}

// Result is the UE's result as a decision records it and a motivation
// quotes it: the mark, else the code, else "-".
func (u UEProposal) Result() string {
	switch {
	case u.Mark != nil:
		return u.Mark.String()
	case u.Code != "":
		return u.Code
	}
	return "-"
}

// SheetStatus is where one grade sheet stands.
type SheetStatus struct {
	Year    string `json:"year"`
	Session string `json:"session"`
	UE      string `json:"ue"`
	Title   string `json:"title"`
	// Status is empty (nothing entered), draft, submitted or reopened.
	Status   string    `json:"status"`
	Deadline time.Time `json:"deadline,omitzero"`
	Enrolled int       `json:"enrolled"`
	Entered  int       `json:"entered"` // students with every result due
	Missing  int       `json:"missing"`
	// MissingStudents are the matricules still missing a result.
	MissingStudents []string         `json:"missing_students"`
	Teachers        []TeacherEntries `json:"teachers"`
	SubmittedAt     time.Time        `json:"submitted_at,omitzero"`
	SubmittedBy     string           `json:"submitted_by,omitempty"`
	Submissions     int              `json:"submissions"`
	Reopenings      int              `json:"reopenings"`
}

// TeacherEntries counts the results one person recorded on a sheet.
type TeacherEntries struct {
	Actor   string `json:"actor"`
	Entries int    `json:"entries"`
}

// History is every fact about a student, in log order, read from the log.
type History struct {
	Basis
	Student Identity       `json:"student"`
	Entries []HistoryEntry `json:"entries"`
}

// HistoryEntry is one fact: what, who, when, why, the previous and new
// value, and the hashes that chain it to its aggregate.
type HistoryEntry struct {
	ID         string    `json:"id"` // the record's id, which decisions and appeals refer to
	Position   uint64    `json:"position"`
	RecordedAt time.Time `json:"recorded_at"`
	OccurredAt time.Time `json:"occurred_at"`
	Type       string    `json:"type"`
	Aggregate  string    `json:"aggregate"`
	Actor      string    `json:"actor"`
	Roles      []string  `json:"roles,omitempty"`
	// Command is the request that caused the fact ("POST /api/v1/…"),
	// CommandID its id, shared by every fact it appended; a fact caused
	// by another fact names that fact's id in CausedBy instead.
	Command   string `json:"command,omitempty"`
	CommandID string `json:"command_id,omitempty"`
	CausedBy  string `json:"caused_by,omitempty"`
	// Correlation groups the commands of one workflow (an import, a CLI
	// invocation, a deliberation session).
	Correlation string `json:"correlation,omitempty"`
	// Year and UEs are what the fact is about, for filtering; Context
	// names the year, session, UE and activity in words.
	Year     string          `json:"year,omitempty"`
	UEs      []string        `json:"ues,omitempty"`
	Context  string          `json:"context,omitempty"`
	Summary  string          `json:"summary"`
	Previous string          `json:"previous,omitempty"`
	Value    string          `json:"value,omitempty"`
	Reason   string          `json:"reason,omitempty"`
	Hash     string          `json:"hash"`
	PrevHash string          `json:"prev_hash,omitempty"`
	Event    json.RawMessage `json:"event"`
}
