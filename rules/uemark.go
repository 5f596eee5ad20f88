package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/catalog"
)

// Sitting is what is recorded for one UE at one session: the single mark
// (or UE-level code) of an integrated UE, or the results of the
// activities of a non-integrated one, carried results included. A UE-level
// code such as VAL may be recorded on any UE.
type Sitting struct {
	UE         *Result
	Activities map[string]Result // by activity title
}

// UEMark is the outcome of computing one UE's mark at one session.
type UEMark struct {
	// Computed is true when Mark is the UE mark (rounded by the ruleset).
	Computed bool
	Mark     Mark
	// Code is the code that decides the outcome when the mark is not
	// computed: a blocking code (ABS, CM, PP), or an acquiring one (VAL,
	// DISP; Acquired is then true).
	Code     Code
	Acquired bool
	// Missing lists the activities without a result (grade sheet incomplete).
	Missing []string
	// Explanation shows how the mark was found, for the transcript.
	Explanation string
}

// CheckRecord reports whether r may be recorded on ue: on activity, or on
// the UE itself when activity is "". It names the rule that refuses it.
func (rs *Ruleset) CheckRecord(ue catalog.UE, activity string, r Result) error {
	var scope Scope = OnActivity
	switch {
	case activity != "" && ue.Integrated:
		return errorf("UE %s is evaluated with a single integrated mark; activity %q cannot be marked", ue.Code, activity)
	case activity != "":
		if _, ok := ue.Activity(activity); !ok {
			return errorf("UE %s has no activity %q", ue.Code, activity)
		}
	case !ue.Integrated:
		scope = OnUE
		if r.Code == "" {
			return errorf("UE %s is marked per activity (%s); a single UE mark cannot be recorded", ue.Code, titles(ue))
		}
	}
	if r.Code == "" {
		return rs.checkMark(r.Mark)
	}
	rule, err := rs.known(r.Code)
	if err != nil {
		return err
	}
	if rule.Scope != Anywhere && rule.Scope != scope && !(ue.Integrated && activity == "") {
		return errorf("code %s (%s) is recorded on %s, not on %s of UE %s", rule.Code, rule.Label, rule.Scope, scope, ue.Code)
	}
	return nil
}

func (rs *Ruleset) checkMark(m Mark) error {
	if m < 0 || m > rs.Scale.Max {
		return errorf("mark %s is outside the scale 0-%s", m, rs.Scale.Max)
	}
	if m.Decimals() > rs.Scale.EntryDecimals {
		return errorf("mark %s has more than %d decimals", m, rs.Scale.EntryDecimals)
	}
	return nil
}

func titles(ue catalog.UE) string {
	s := make([]string, len(ue.Activities))
	for i, a := range ue.Activities {
		s[i] = a.Title
	}
	return strings.Join(s, ", ")
}

// UEMark computes the mark of ue from what s records, under the UE's
// published rule (Method). An error means s holds something CheckRecord
// refuses: an activity mark on an integrated UE, an unknown activity, a
// code out of its scope, a mark off the scale. Missing results leave the
// mark uncomputed with UEMark.Missing set (the UE's own code for an
// integrated UE). A blocking code wins over the marks of other activities.
func (rs *Ruleset) UEMark(ue catalog.UE, s Sitting) (UEMark, error) {
	if s.UE != nil && len(s.Activities) > 0 {
		return UEMark{}, fmt.Errorf("UE %s: a sitting holds a UE result or activity results, not both", ue.Code)
	}
	for _, title := range slices.Sorted(maps.Keys(s.Activities)) {
		if err := rs.CheckRecord(ue, title, s.Activities[title]); err != nil {
			return UEMark{}, err
		}
	}
	if s.UE != nil {
		if err := rs.CheckRecord(ue, "", *s.UE); err != nil {
			return UEMark{}, err
		}
		return rs.single(*s.UE), nil
	}
	if ue.Integrated {
		return UEMark{Missing: []string{ue.Code}}, nil
	}
	var parts []part
	var out UEMark
	for _, a := range ue.Activities {
		if r, ok := s.Activities[a.Title]; ok {
			parts = append(parts, part{a, r})
		} else {
			out.Missing = append(out.Missing, a.Title)
		}
	}
	if out.Missing != nil {
		return out, nil
	}
	return rs.aggregate(ue, parts), nil
}

type part struct {
	activity catalog.Activity
	result   Result
}

// single is the UE mark from one result: an integrated mark or a UE code.
func (rs *Ruleset) single(r Result) UEMark {
	if r.Code == "" {
		m := rs.UEPrecision.Round(r.Mark)
		return UEMark{Computed: true, Mark: m, Explanation: fmt.Sprintf("integrated mark %s -> %s", r.Mark, m)}
	}
	rule, _ := rs.Code(r.Code)
	switch rule.Effect {
	case Zero:
		return UEMark{Computed: true, Code: r.Code, Explanation: fmt.Sprintf("%s counts as 0", r.Code)}
	case Acquires:
		return UEMark{Code: r.Code, Acquired: true, Explanation: fmt.Sprintf("%s: acquired without a mark", r.Code)}
	}
	return UEMark{Code: r.Code, Explanation: fmt.Sprintf("%s: no mark at this session", r.Code)}
}

// aggregate applies the UE's method to complete activity results.
func (rs *Ruleset) aggregate(ue catalog.UE, parts []part) UEMark {
	method, weights := rs.Method(ue)
	var num, den int64
	var terms []string
	lowest, failed := Mark(0), false
	var zeroCode Code
	for _, p := range parts {
		rule, _ := rs.Code(p.result.Code)
		switch {
		case p.result.Code == "":
		case rule.Effect == Blocks:
			return UEMark{Code: p.result.Code, Explanation: fmt.Sprintf("%s for %q: no mark at this session", p.result.Code, p.activity.Title)}
		case rule.Effect == Acquires:
			continue // an exempted activity leaves the mean
		case rule.Effect == Zero:
			zeroCode = p.result.Code
		}
		m := p.result.Mark // 0 for a zero code
		w := int64(p.activity.Hours)
		if weights != nil {
			w = int64(weights[p.activity.Title])
		}
		num, den = num+w*int64(m), den+w
		terms = append(terms, fmt.Sprintf("%d x %s", w, p.result))
		if m < rs.Scale.Pass && (!failed || m < lowest) {
			lowest, failed = m, true
		}
	}
	if den == 0 {
		return UEMark{Code: "DISP", Acquired: true, Explanation: "every activity exempted"}
	}
	if method == Absorbing && failed {
		m := rs.UEPrecision.Round(lowest)
		return UEMark{Computed: true, Mark: m, Code: zeroCode,
			Explanation: fmt.Sprintf("absorbing: lowest failed activity %s -> %s", lowest, m)}
	}
	m := rs.UEPrecision.Ratio(num, den)
	exact := Precision{Decimals: 2, Rounding: HalfUp}.Ratio(num, den)
	return UEMark{Computed: true, Mark: m, Code: zeroCode,
		Explanation: fmt.Sprintf("%s: (%s) / %d = %s -> %s", method, strings.Join(terms, " + "), den, exact, m)}
}
