package rules

import (
	"slices"

	"github.com/gradelog/gradelog/catalog"
)

// Student is what readiness needs of a student's record.
type Student struct {
	Acquired    map[string]bool // UEs whose credits are acquired, on any basis
	Followed    map[string]bool // UEs followed in an earlier year or enrolled in now
	Conditions  map[string]bool // eligibility conditions the admission states, e.g. without-matching-bachelor
	Complements []string        // admission complements the student must acquire
}

// Conditions are the eligibility conditions an admission meets: the
// catalog's "(q)" UEs are for students without a matching bachelor title.
func Conditions(hasBachelor bool) map[string]bool {
	return map[string]bool{"without-matching-bachelor": !hasBachelor}
}

// ReadyStatus is whether a student may put a UE in the next PAE.
type ReadyStatus string

const (
	AlreadyAcquired      ReadyStatus = "acquired"
	Ready                ReadyStatus = "ready"
	CoEnrol              ReadyStatus = "co-enrol"              // ready if the co-requisites are taken the same year
	PrerequisitesMissing ReadyStatus = "missing-prerequisites" // a prerequisite is not acquired
	NotEligible          ReadyStatus = "not-eligible"          // the UE's eligibility condition is not met
	NotRequired          ReadyStatus = "not-required"          // a complement the admission does not require
)

// Readiness is the prerequisite readiness of one UE for one student.
type Readiness struct {
	UE     string      `json:"ue"`
	Status ReadyStatus `json:"status"`
	// MissingPrerequisites is the part of the prerequisites not acquired.
	MissingPrerequisites string `json:"missing_prerequisites,omitempty"`
	// CoEnrol is the part of the co-requisites not yet followed, to take
	// in the same PAE.
	CoEnrol string `json:"co_enrol,omitempty"`
	// Waivable: the student is at the end of the cycle, so the jury may
	// turn the missing prerequisites into co-requisites (a recorded waiver).
	Waivable bool `json:"waivable,omitempty"`
}

// Readiness returns, for every UE of the catalog in catalog order, whether
// st may take it next. Prerequisites must be acquired; co-requisites
// followed before or together; at the end of the cycle (at most
// Waiver.EndOfCycleRemaining programme credits left) a missing
// prerequisite is waivable.
func (rs *Ruleset) Readiness(cat *catalog.Catalog, st Student) []Readiness {
	remaining := 0
	for _, ue := range cat.UEs {
		if ue.Kind == catalog.Core && !st.Acquired[ue.Code] {
			remaining += ue.Credits
		}
	}
	endOfCycle := remaining <= rs.Waiver.EndOfCycleRemaining
	acquired := func(c string) bool { return st.Acquired[c] }
	followed := func(c string) bool { return st.Followed[c] || st.Acquired[c] }
	out := make([]Readiness, 0, len(cat.UEs))
	for _, ue := range cat.UEs {
		r := Readiness{UE: ue.Code}
		switch {
		case st.Acquired[ue.Code]:
			r.Status = AlreadyAcquired
		case ue.Kind == catalog.Complement && !slices.Contains(st.Complements, ue.Code):
			r.Status = NotRequired
		case ue.Eligibility != nil && !st.Conditions[ue.Eligibility.Condition]:
			r.Status = NotEligible
		default:
			r.Status = Ready
			if u := ue.Prerequisites.Unmet(acquired); u != nil {
				r.Status, r.MissingPrerequisites, r.Waivable = PrerequisitesMissing, u.String(), endOfCycle
			}
			if u := ue.Corequisites.Unmet(followed); u != nil {
				r.CoEnrol = u.String()
				if r.Status == Ready {
					r.Status = CoEnrol
				}
			}
		}
		out = append(out, r)
	}
	return out
}
