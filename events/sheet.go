package events

import "time"

// Entry is what a sheet holds for one evaluation: a mark or a code, never
// both. Mark is a decimal on the ruleset's scale in canonical form ("12.5");
// Code is one of the ruleset's codes (ABS, CM, PP, FR, DISP, VAL, ...).
type Entry struct {
	Mark string `json:"mark,omitempty"`
	Code string `json:"code,omitempty"`
}

// IsZero reports whether nothing was entered.
func (e Entry) IsZero() bool { return e.Mark == "" && e.Code == "" }

func (e Entry) String() string {
	switch {
	case e.Code != "":
		return e.Code
	case e.Mark != "":
		return e.Mark
	}
	return "(empty)"
}

// MarkRecorded: a first entry for a student on a sheet. Activity is empty
// for the UE mark (single-activity UEs and integrated UEs such as 1/8).
// Source tells how it was entered ("form", "xlsx", "csv", "api").
type MarkRecorded struct {
	Student  string `json:"student"`
	Activity string `json:"activity,omitempty"`
	Entry    Entry  `json:"entry"`
	Source   string `json:"source,omitempty"`
}

// MarkCorrected: a recorded entry replaced by another. Previous is the
// entry it replaces; the previous record stays in the log.
type MarkCorrected struct {
	Student      string `json:"student"`
	Activity     string `json:"activity,omitempty"`
	Previous     Entry  `json:"previous"`
	Entry        Entry  `json:"entry"`
	Reason       string `json:"reason"`
	AuthorisedBy string `json:"authorised_by"`
	Source       string `json:"source,omitempty"`
}

// MarkCarriedOver: an activity mark >= the pass mark of a failed,
// non-integrated UE carried from an earlier session of the same year.
type MarkCarriedOver struct {
	Student     string `json:"student"`
	Activity    string `json:"activity"`
	Mark        string `json:"mark"`
	FromSession string `json:"from_session"`
}

// SheetSubmitted: the sheet was submitted; it accepts no entry until
// reopened.
type SheetSubmitted struct {
	Missing int `json:"missing"` // entries still empty at submission
}

// SheetReopened: the secretariat reopened a submitted sheet.
type SheetReopened struct {
	Reason string `json:"reason"`
}

// DeadlineExtended: the secretariat gave one student of the sheet a later
// encoding deadline than the session's (a deferred exam, for instance).
type DeadlineExtended struct {
	Student string    `json:"student"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason"`
}

func (DeadlineExtended) EventType() string { return "sheet.deadline_extended" }
func (DeadlineExtended) sealed()           {}

func (MarkRecorded) EventType() string    { return "mark.recorded" }
func (MarkCorrected) EventType() string   { return "mark.corrected" }
func (MarkCarriedOver) EventType() string { return "mark.carried_over" }
func (SheetSubmitted) EventType() string  { return "sheet.submitted" }
func (SheetReopened) EventType() string   { return "sheet.reopened" }

func (MarkRecorded) sealed()    {}
func (MarkCorrected) sealed()   {}
func (MarkCarriedOver) sealed() {}
func (SheetSubmitted) sealed()  {}
func (SheetReopened) sealed()   {}
