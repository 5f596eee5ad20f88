package rules

import (
	"github.com/gradelog/gradelog/catalog"
)

// Ruleset is the regulation of one programme for one academic year. It is
// frozen once published: a change is a new version with its own digest.
type Ruleset struct {
	Format       int    `yaml:"format" json:"format" datafile:"required"`
	AcademicYear string `yaml:"academic_year" json:"academic_year" datafile:"required"`
	Programme    string `yaml:"programme" json:"programme" datafile:"required"` // catalog programme code
	Scale        Scale  `yaml:"scale" json:"scale" datafile:"required"`
	// UEPrecision is the precision of a UE mark, computed or entered; "is 9.5
	// a pass" is decided by it.
	UEPrecision  Precision      `yaml:"ue_mark" json:"ue_mark" datafile:"required"`
	Averages     Averages       `yaml:"averages" json:"averages" datafile:"required"`
	Aggregation  Aggregation    `yaml:"aggregation" json:"aggregation" datafile:"required"`
	CarryOver    CarryOver      `yaml:"carry_over" json:"carry_over" datafile:"required"`
	Roles        []Role         `yaml:"roles" json:"roles" datafile:"required"`
	MarksSetBy   []Role         `yaml:"marks_set_by" json:"marks_set_by" datafile:"required"`
	Codes        []CodeRule     `yaml:"codes" json:"codes" datafile:"required"`
	Mentions     Mentions       `yaml:"mentions" json:"mentions" datafile:"required"`
	Deliberation Deliberation   `yaml:"deliberation" json:"deliberation" datafile:"required"`
	Waiver       Waiver         `yaml:"prerequisite_waiver" json:"prerequisite_waiver" datafile:"required"`
	Calendar     []SessionDates `yaml:"calendar" json:"calendar" datafile:"required"`
	Appeals      Appeals        `yaml:"appeals" json:"appeals" datafile:"required"`
	Jury         Jury           `yaml:"jury" json:"jury,omitzero"`
	Funding      []FundingRule  `yaml:"funding" json:"funding" datafile:"required"`
}

// Format is the version of the ruleset file format this package reads.
const Format = 1

// Scale is the marking scale.
type Scale struct {
	Max  Mark `yaml:"max" json:"max" datafile:"required"`
	Pass Mark `yaml:"pass" json:"pass" datafile:"required"` // a UE mark >= Pass acquires the credits
	// EntryDecimals is how many decimals an entered mark may have.
	EntryDecimals int `yaml:"entry_decimals" json:"entry_decimals"`
	// MaxPresentations is how many times a year a student may present a UE.
	MaxPresentations int `yaml:"max_presentations_per_year" json:"max_presentations_per_year" datafile:"required"`
	Line             int `yaml:"-" json:"-"`
}

// Averages says how credit-weighted averages are computed.
type Averages struct {
	Decimals int      `yaml:"decimals" json:"decimals"`
	Rounding Rounding `yaml:"rounding" json:"rounding" datafile:"required"`
	// IncludeComplements counts admission complements in the averages.
	IncludeComplements bool `yaml:"include_complements" json:"include_complements"`
	Line               int  `yaml:"-" json:"-"`
}

// Precision returns the rounding of averages.
func (a Averages) Precision() Precision { return Precision{Decimals: a.Decimals, Rounding: a.Rounding} }

// Method is how the marks of a non-integrated UE's activities make its mark.
type Method string

const (
	ByHours  Method = "weighted-by-hours" // weighted mean, weights = activity hours
	Weighted Method = "weighted"          // weighted mean, weights given per activity
	// Absorbing: when an activity is below the pass mark, the UE mark is the
	// lowest such mark; otherwise the weighted mean (given weights, or hours).
	Absorbing Method = "absorbing"
)

// Aggregation is the default method and the per-UE overrides.
type Aggregation struct {
	Default   Method     `yaml:"default" json:"default" datafile:"required"`
	Overrides []Override `yaml:"overrides" json:"overrides"`
	Line      int        `yaml:"-" json:"-"`
}

// Override is one UE's published aggregation rule.
type Override struct {
	UE      string   `yaml:"ue" json:"ue" datafile:"required"`
	Method  Method   `yaml:"method" json:"method" datafile:"required"`
	Weights []Weight `yaml:"weights" json:"weights"`
	Line    int      `yaml:"-" json:"-"`
}

// Weight is one activity's weight in its UE's mean.
type Weight struct {
	Activity string `yaml:"activity" json:"activity" datafile:"required"`
	Weight   int    `yaml:"weight" json:"weight" datafile:"required"`
	Line     int    `yaml:"-" json:"-"`
}

// Keep says which of several marks of one activity in a year counts.
type Keep string

const (
	Latest Keep = "latest"
	Best   Keep = "best"
)

// CarryOver is the policy for activity marks of a failed, non-integrated UE.
type CarryOver struct {
	WithinYear  bool `yaml:"within_year" json:"within_year"`
	Keep        Keep `yaml:"keep" json:"keep" datafile:"required"`
	AcrossYears bool `yaml:"across_years" json:"across_years"`
	Line        int  `yaml:"-" json:"-"`
}

// Role is who records or changes a result.
type Role string

// Mentions are the degree's mentions and how they are found.
type Mentions struct {
	// Basis is what the thresholds are compared with; "cycle-average" (the
	// credit-weighted average of the cycle) is the one supported.
	Basis        string    `yaml:"basis" json:"basis" datafile:"required"`
	JuryMayRaise bool      `yaml:"jury_may_raise" json:"jury_may_raise"`
	Thresholds   []Mention `yaml:"thresholds" json:"thresholds" datafile:"required"`
	Line         int       `yaml:"-" json:"-"`
}

// Mention is one mention and the average from which it is proposed.
type Mention struct {
	Name string `yaml:"name" json:"name" datafile:"required"`
	Min  Mark   `yaml:"min" json:"min" datafile:"required"`
	Line int    `yaml:"-" json:"-"`
}

// Deliberation holds the published criteria a proposal applies and shows
// to the jury. They decide what the proposal marks "to deliberate"; the
// jury decides whether to grant, and may grant outside them.
type Deliberation struct {
	MaxDeficit       Mark   `yaml:"max_deficit" json:"max_deficit" datafile:"required"`
	MaxFailedCredits int    `yaml:"max_failed_credits" json:"max_failed_credits" datafile:"required"`
	MinYearAverage   Mark   `yaml:"min_year_average" json:"min_year_average" datafile:"required"`
	Text             string `yaml:"text" json:"text"`
	Line             int    `yaml:"-" json:"-"`
}

// Waiver says when the jury may turn a prerequisite into a co-requisite:
// at the end of the cycle, i.e. when the student has at most this many
// programme credits left to acquire.
type Waiver struct {
	EndOfCycleRemaining int `yaml:"end_of_cycle_remaining_credits" json:"end_of_cycle_remaining_credits" datafile:"required"`
	Line                int `yaml:"-" json:"-"`
}

// SessionDates is the calendar of one session.
type SessionDates struct {
	Session          catalog.Session `yaml:"session" json:"session" datafile:"required"`
	ExamsFrom        Date            `yaml:"exams_from" json:"exams_from" datafile:"required"`
	ExamsTo          Date            `yaml:"exams_to" json:"exams_to" datafile:"required"`
	EncodingDeadline Date            `yaml:"encoding_deadline" json:"encoding_deadline" datafile:"required"`
	Deliberation     Date            `yaml:"deliberation" json:"deliberation" datafile:"required"`
	Publication      Date            `yaml:"publication" json:"publication" datafile:"required"`
	Line             int             `yaml:"-" json:"-"`
}

// Appeals is the appeal (recours) deadline.
type Appeals struct {
	WorkingDays int    `yaml:"working_days" json:"working_days" datafile:"required"`
	Holidays    []Date `yaml:"holidays" json:"holidays"`
	Line        int    `yaml:"-" json:"-"`
}

// Jury is how a jury is composed. The quorum rule itself (more than half
// of the members teaching a compulsory UE evaluated in the session) is the
// décret's, not a parameter.
type Jury struct {
	// MinMembers is the fewest members a jury has (5 when unset, the
	// décret's minimum).
	MinMembers int `yaml:"min_members" json:"min_members,omitempty"`
	Line       int `yaml:"-" json:"-"`
}

// DefaultJuryMembers is the fewest members of a jury when the ruleset
// does not say.
const DefaultJuryMembers = 5

// JuryMinMembers is the fewest members a jury has under rs.
func (rs *Ruleset) JuryMinMembers() int {
	if rs.Jury.MinMembers > 0 {
		return rs.Jury.MinMembers
	}
	return DefaultJuryMembers
}

// FundingRule: a new student must have acquired Credits within Years years
// of enrolment to remain fundable.
type FundingRule struct {
	Credits int `yaml:"credits" json:"credits" datafile:"required"`
	Years   int `yaml:"within_years" json:"within_years" datafile:"required"`
	Line    int `yaml:"-" json:"-"`
}

// Session returns the calendar of s.
func (rs *Ruleset) Session(s catalog.Session) (SessionDates, bool) {
	for _, d := range rs.Calendar {
		if d.Session == s {
			return d, true
		}
	}
	return SessionDates{}, false
}

// Method returns the aggregation of ue and its weights by activity title
// (nil for ByHours).
func (rs *Ruleset) Method(ue catalog.UE) (Method, map[string]int) {
	for _, o := range rs.Aggregation.Overrides {
		if o.UE == ue.Code {
			if len(o.Weights) == 0 {
				return o.Method, nil
			}
			w := map[string]int{}
			for _, x := range o.Weights {
				w[x.Activity] = x.Weight
			}
			return o.Method, w
		}
	}
	return rs.Aggregation.Default, nil
}
