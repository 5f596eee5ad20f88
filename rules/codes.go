package rules

import (
	"slices"
	"strings"
)

// Code is a special code recorded instead of a mark (ABS, CM, ...).
type Code string

// Result is what is recorded for one evaluation: a mark, or a code when
// Code is set. The zero value is the mark 0, which is a mark of a present
// student, never an absence.
type Result struct {
	Code Code `json:"code,omitempty"`
	Mark Mark `json:"mark"`
}

// ParseResult reads a mark ("12,5") or a code ("CM").
func ParseResult(s string) (Result, error) {
	s = strings.TrimSpace(s)
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return Result{Code: Code(s)}, nil
	}
	m, err := ParseMark(s)
	return Result{Mark: m}, err
}

func (r Result) String() string {
	if r.Code != "" {
		return string(r.Code)
	}
	return r.Mark.String()
}

// Effect is what a code does to its UE at that session.
type Effect string

const (
	// Blocks: the UE mark cannot be computed at that session, so the UE
	// is not acquired there unless the jury grants it (ABS, CM, PP).
	Blocks Effect = "blocks"
	// Zero: the evaluation counts as 0 in the UE mark (FR).
	Zero Effect = "zero"
	// Acquires: the UE, or the activity, is acquired without a mark and
	// left out of means and averages (DISP, VAL).
	Acquires Effect = "acquires"
)

// Scope says where a code may be recorded.
type Scope string

const (
	OnActivity Scope = "activity" // on an activity (or an integrated UE's single mark)
	OnUE       Scope = "ue"       // on the whole UE only
	Anywhere   Scope = "any"
)

// CodeRule is one code: what it does and who may set or clear it.
type CodeRule struct {
	Code    Code   `yaml:"code" json:"code" datafile:"required"`
	Label   string `yaml:"label" json:"label" datafile:"required"`
	Effect  Effect `yaml:"effect" json:"effect" datafile:"required"`
	Scope   Scope  `yaml:"scope" json:"scope" datafile:"required"`
	SetBy   []Role `yaml:"set_by" json:"set_by" datafile:"required"`
	ClearBy []Role `yaml:"clear_by" json:"clear_by" datafile:"required"`
	Line    int    `yaml:"-" json:"-"`
}

// Code returns the rule of code c.
func (rs *Ruleset) Code(c Code) (CodeRule, bool) {
	for _, r := range rs.Codes {
		if r.Code == c {
			return r, true
		}
	}
	return CodeRule{}, false
}

// CanReplace reports whether role may record next where old was recorded
// (old is nil when nothing was). Clearing a code needs a role in its
// clear_by list, setting one a role in its set_by list, setting a mark a
// role in marks_set_by. This is how "only the secretariat sets or clears
// CM" and "an import never turns CM into ABS" hold: both are data.
// Recording the same code again is allowed to whoever may set it.
func (rs *Ruleset) CanReplace(old *Result, next Result, role Role) error {
	if old != nil && old.Code != "" && old.Code != next.Code {
		rule, ok := rs.Code(old.Code)
		if ok && !slices.Contains(rule.ClearBy, role) {
			return errorf("code %s (%s) may be cleared only by %s, not by %s",
				rule.Code, rule.Label, roles(rule.ClearBy), role)
		}
	}
	return rs.CanSet(next, role)
}

// CanSet reports whether role may record r.
func (rs *Ruleset) CanSet(r Result, role Role) error {
	if r.Code == "" {
		if !slices.Contains(rs.MarksSetBy, role) {
			return errorf("a mark may be recorded only by %s, not by %s", roles(rs.MarksSetBy), role)
		}
		return nil
	}
	rule, err := rs.known(r.Code)
	if err != nil {
		return err
	}
	if !slices.Contains(rule.SetBy, role) {
		return errorf("code %s (%s) may be set only by %s, not by %s", rule.Code, rule.Label, roles(rule.SetBy), role)
	}
	return nil
}

// known returns the rule of code c, or an error listing the ruleset's codes.
func (rs *Ruleset) known(c Code) (CodeRule, error) {
	rule, ok := rs.Code(c)
	if !ok {
		return CodeRule{}, errorf("code %q is not a code of the %s ruleset (%s)", c, rs.AcademicYear, rs.CodeList())
	}
	return rule, nil
}

// CodeList lists the ruleset's codes, comma-separated, for messages.
func (rs *Ruleset) CodeList() string {
	s := make([]string, len(rs.Codes))
	for i, c := range rs.Codes {
		s[i] = string(c.Code)
	}
	return strings.Join(s, ", ")
}

// roles lists rs for a message: "teacher or secretariat".
func roles(rs []Role) roleList { return roleList(rs) }
