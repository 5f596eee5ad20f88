// Package catalog is the programme catalog: the programme, its institutions,
// blocs and teaching units (UEs) with their activities, hours, credits,
// evaluation mode, sessions and requisites, as published for one academic
// year.
//
// A catalog comes from a reviewed YAML file in seeds/ (see Load) and is
// checked on load: every inconsistency is a Finding with a file, a line and
// a stable code. A catalog that loads without unacknowledged errors is
// immutable data; its canonical JSON (Canonical, Digest) is what gets
// published as an event, and Diff says what changed between two versions.
//
// UEs are keyed by their code ("1/8"), never by title: two UEs of the seed
// share the title "Identités professionnelles".
package catalog

import (
	"slices"

	"github.com/gradelog/gradelog/datafile"
)

// Catalog is one programme's catalog for one academic year. The zero value
// is an empty catalog.
type Catalog struct {
	Format       int                        `yaml:"format" json:"format" datafile:"required"`
	Programme    Programme                  `yaml:"programme" json:"programme" datafile:"required"`
	Institutions []Institution              `yaml:"institutions" json:"institutions" datafile:"required"`
	Blocs        []Bloc                     `yaml:"blocs" json:"blocs" datafile:"required"`
	UEs          []UE                       `yaml:"ues" json:"ues" datafile:"required"`
	Acknowledged []datafile.Acknowledgement `yaml:"acknowledged" json:"acknowledged"`
}

// Format is the version of the catalog file format this package reads.
const Format = 1

// Programme identifies the programme and records the totals its sheet
// declares. Declared totals are kept as printed, not as computed: the
// checks compare them with the UEs and report the difference.
type Programme struct {
	Code         string `yaml:"code" json:"code" datafile:"required"`
	Title        string `yaml:"title" json:"title" datafile:"required"`
	AcademicYear string `yaml:"academic_year" json:"academic_year" datafile:"required"`
	Degree       string `yaml:"degree" json:"degree"`
	Section      string `yaml:"section" json:"section"`
	CycleCredits int    `yaml:"cycle_credits" json:"cycle_credits" datafile:"required"`
	Source       string `yaml:"source" json:"source"`
	Declared     Totals `yaml:"declared" json:"declared" datafile:"required"`
	Line         int    `yaml:"-" json:"-"`
}

// Totals are hours and credits.
type Totals struct {
	Hours   int `yaml:"hours" json:"hours" datafile:"required"`
	Credits int `yaml:"credits" json:"credits" datafile:"required"`
	Line    int `yaml:"-" json:"-"`
}

// Institution is one of the schools organising the programme.
type Institution struct {
	Code    string `yaml:"code" json:"code" datafile:"required"`
	Name    string `yaml:"name" json:"name" datafile:"required"`
	Role    Role   `yaml:"role" json:"role" datafile:"required"`
	Address string `yaml:"address" json:"address"`
	Site    string `yaml:"site" json:"site"`
	Network string `yaml:"network" json:"network"`
	Line    int    `yaml:"-" json:"-"`
}

// Role is an institution's part in a co-graduation.
type Role string

const (
	Referent     Role = "referent"
	CoGraduating Role = "co-graduating"
)

// Bloc is a year-level of the programme with the totals its sheet declares.
type Bloc struct {
	Number   int    `yaml:"number" json:"number" datafile:"required"`
	Declared Totals `yaml:"declared" json:"declared" datafile:"required"`
	Line     int    `yaml:"-" json:"-"`
}

// UE is a teaching unit (unité d'enseignement).
type UE struct {
	Code    string `yaml:"code" json:"code" datafile:"required"`
	Title   string `yaml:"title" json:"title" datafile:"required"`
	Kind    Kind   `yaml:"kind" json:"kind" datafile:"required"`
	Bloc    int    `yaml:"bloc" json:"bloc"` // 0 for an optional activity open to every bloc
	Hours   int    `yaml:"hours" json:"hours" datafile:"required"`
	Credits int    `yaml:"credits" json:"credits"`
	// Integrated UEs ("(*)", cote unique) take one mark for the whole UE;
	// their activities are never marked separately.
	Integrated bool       `yaml:"integrated" json:"integrated"`
	Schedule   Schedule   `yaml:"schedule" json:"schedule" datafile:"required"`
	Sessions   []Session  `yaml:"sessions" json:"sessions" datafile:"required"`
	Activities []Activity `yaml:"activities" json:"activities" datafile:"required"`
	// Prerequisites must be acquired before enrolling; Corequisites must be
	// followed before or in the same year.
	Prerequisites Requisite    `yaml:"prerequisites" json:"prerequisites"`
	Corequisites  Requisite    `yaml:"corequisites" json:"corequisites"`
	Printed       Printed      `yaml:"printed" json:"printed"`
	Eligibility   *Eligibility `yaml:"eligibility" json:"eligibility,omitempty"`
	Internship    bool         `yaml:"internship" json:"internship"`
	Thesis        bool         `yaml:"thesis" json:"thesis"`
	Note          string       `yaml:"note" json:"note"`
	Line          int          `yaml:"-" json:"-"`
}

// Kind says whether a UE counts towards the programme's credits.
type Kind string

const (
	Core       Kind = "programme"  // one of the cycle's credits
	Complement Kind = "complement" // admission complement, outside the cycle's credits
	Optional   Kind = "optional"   // optional 0-credit activity, never a requisite
)

// Schedule says over which part of the year a UE is taught.
type Schedule string

const (
	Quadrimester Schedule = "quadrimester" // one quadrimester
	Annual       Schedule = "annual"       // both quadrimesters; examined in Q2 and Q3
)

// Session is an evaluation period.
type Session string

const (
	Q1 Session = "Q1" // January
	Q2 Session = "Q2" // June
	Q3 Session = "Q3" // late August to September
)

// Activity is a learning activity (AA) of a UE.
type Activity struct {
	Title string `yaml:"title" json:"title" datafile:"required"`
	Hours int    `yaml:"hours" json:"hours" datafile:"required"`
	Line  int    `yaml:"-" json:"-"`
}

// Printed records what the programme sheet prints where the catalog reads
// it differently; the catalog's own fields hold the resolution. The checks
// run on the printed values too, so the sheet's errors stay visible.
type Printed struct {
	Prerequisites Requisite `yaml:"prerequisites" json:"prerequisites"`
	Corequisites  Requisite `yaml:"corequisites" json:"corequisites"`
}

// Eligibility restricts who may be required to take a UE.
type Eligibility struct {
	Marker string `yaml:"marker" json:"marker"` // as printed, e.g. "(q)"
	// Condition is a token a student's admission must state, e.g.
	// "without-matching-bachelor".
	Condition string `yaml:"condition" json:"condition" datafile:"required"`
	Text      string `yaml:"text" json:"text"`
	Line      int    `yaml:"-" json:"-"`
}

// UE returns the UE with code.
func (c *Catalog) UE(code string) (UE, bool) {
	for _, u := range c.UEs {
		if u.Code == code {
			return u, true
		}
	}
	return UE{}, false
}

// Activity returns the activity of u titled title.
func (u UE) Activity(title string) (Activity, bool) {
	for _, a := range u.Activities {
		if a.Title == title {
			return a, true
		}
	}
	return Activity{}, false
}

// HasSession reports whether u may be evaluated in s.
func (u UE) HasSession(s Session) bool { return slices.Contains(u.Sessions, s) }
