package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/datafile"
)

type checker struct {
	rs   *Ruleset
	file string
	fs   datafile.Findings
}

func (k *checker) bad(line int, code, subject, format string, args ...any) {
	k.fs.Add(k.file, line, datafile.Error, code, subject, subject+": "+format, args...)
}

// Check runs the consistency checks Load runs after decoding (cat may be
// nil), for rulesets read back from a published event.
func (rs *Ruleset) Check(file string, cat *catalog.Catalog) datafile.Findings {
	k := checker{rs: rs, file: file}
	k.header(cat)
	k.scale()
	k.aggregation(cat)
	k.codes()
	k.mentions()
	k.calendar()
	return k.fs
}

var yearRE = regexp.MustCompile(`^(\d{4})-(\d{4})$`)

func (k *checker) header(cat *catalog.Catalog) {
	rs := k.rs
	if rs.Format != Format {
		k.bad(1, "format.version", "format", "format %d is not supported; this program reads format %d", rs.Format, Format)
	}
	if m := yearRE.FindStringSubmatch(rs.AcademicYear); m == nil || atoi(m[2]) != atoi(m[1])+1 {
		k.bad(1, "ruleset.year", "academic_year", "%q is not of the form 2025-2026", rs.AcademicYear)
	}
	if cat != nil && (cat.Programme.Code != rs.Programme || cat.Programme.AcademicYear != rs.AcademicYear) {
		k.bad(1, "ruleset.catalog", "programme", "the ruleset is for %s %s, the catalog for %s %s",
			rs.Programme, rs.AcademicYear, cat.Programme.Code, cat.Programme.AcademicYear)
	}
	if rs.CarryOver.Keep != Latest && rs.CarryOver.Keep != Best {
		k.bad(rs.CarryOver.Line, "carry_over.keep", "carry_over", "keep %q is not %q or %q", rs.CarryOver.Keep, Latest, Best)
	}
	if rs.Waiver.EndOfCycleRemaining < 0 {
		k.bad(rs.Waiver.Line, "waiver.credits", "prerequisite_waiver", "remaining credits cannot be negative")
	}
	if rs.Appeals.WorkingDays < 1 {
		k.bad(rs.Appeals.Line, "appeals.days", "appeals", "an appeal needs at least one working day, got %d", rs.Appeals.WorkingDays)
	}
	for i, f := range rs.Funding {
		if f.Credits <= 0 || f.Years <= 0 || (i > 0 && (f.Credits <= rs.Funding[i-1].Credits || f.Years <= rs.Funding[i-1].Years)) {
			k.bad(f.Line, "funding.order", "funding", "rules need positive credits and years, both increasing")
		}
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (k *checker) scale() {
	rs := k.rs
	s := rs.Scale
	if s.Max <= 0 || s.Pass <= 0 || s.Pass > s.Max {
		k.bad(s.Line, "scale.pass", "scale", "want 0 < pass (%s) <= max (%s)", s.Pass, s.Max)
	}
	if s.EntryDecimals < 0 || s.EntryDecimals > 2 {
		k.bad(s.Line, "scale.decimals", "scale", "entry_decimals must be 0, 1 or 2, got %d", s.EntryDecimals)
	}
	if s.MaxPresentations < 1 {
		k.bad(s.Line, "scale.presentations", "scale", "max_presentations_per_year must be at least 1")
	}
	for _, p := range []struct {
		name string
		p    Precision
	}{{"ue_mark", rs.UEPrecision}, {"averages", rs.Averages.Precision()}} {
		if p.p.Decimals < 0 || p.p.Decimals > 2 {
			k.bad(lineOr(p.p.Line, rs.Averages.Line), "precision.decimals", p.name, "decimals must be 0, 1 or 2, got %d", p.p.Decimals)
		}
		if p.p.Rounding != HalfUp && p.p.Rounding != HalfEven && p.p.Rounding != Down {
			k.bad(lineOr(p.p.Line, rs.Averages.Line), "precision.rounding", p.name, "rounding %q is not %q, %q or %q", p.p.Rounding, HalfUp, HalfEven, Down)
		}
	}
	d := rs.Deliberation
	if d.MaxDeficit > s.Pass || d.MinYearAverage > s.Max || d.MaxFailedCredits < 0 {
		k.bad(d.Line, "deliberation.criteria", "deliberation", "criteria out of range: max_deficit <= pass, min_year_average <= max, max_failed_credits >= 0")
	}
}

func lineOr(line, fallback int) int {
	if line != 0 {
		return line
	}
	return fallback
}

func (k *checker) aggregation(cat *catalog.Catalog) {
	a := k.rs.Aggregation
	if a.Default != ByHours && a.Default != Absorbing {
		k.bad(a.Line, "aggregation.method", "aggregation", "default %q is not %q or %q (a default cannot name weights)", a.Default, ByHours, Absorbing)
	}
	seen := map[string]bool{}
	for _, o := range a.Overrides {
		subject := "aggregation of UE " + o.UE
		if seen[o.UE] {
			k.bad(o.Line, "aggregation.duplicate", subject, "UE %s has two overrides", o.UE)
		}
		seen[o.UE] = true
		switch {
		case o.Method != ByHours && o.Method != Weighted && o.Method != Absorbing:
			k.bad(o.Line, "aggregation.method", subject, "method %q is not %q, %q or %q", o.Method, ByHours, Weighted, Absorbing)
		case o.Method == Weighted && len(o.Weights) == 0:
			k.bad(o.Line, "aggregation.weights", subject, "method %q needs weights", Weighted)
		case o.Method == ByHours && len(o.Weights) > 0:
			k.bad(o.Line, "aggregation.weights", subject, "method %q takes no weights", ByHours)
		}
		if cat != nil {
			k.override(cat, o, subject)
		}
	}
}

func (k *checker) override(cat *catalog.Catalog, o Override, subject string) {
	ue, ok := cat.UE(o.UE)
	switch {
	case !ok:
		k.bad(o.Line, "aggregation.unknown-ue", subject, "UE %s is not in the catalog", o.UE)
		return
	case ue.Integrated:
		k.bad(o.Line, "aggregation.integrated", subject, "UE %s is evaluated with a single integrated mark; it has no aggregation", o.UE)
		return
	}
	weighted := map[string]bool{}
	for _, w := range o.Weights {
		if _, ok := ue.Activity(w.Activity); !ok || weighted[w.Activity] || w.Weight <= 0 {
			k.bad(w.Line, "aggregation.weights", subject, "weight for %q: no such activity of UE %s, given twice, or not positive", w.Activity, o.UE)
		}
		weighted[w.Activity] = true
	}
	if len(o.Weights) > 0 {
		for _, act := range ue.Activities {
			if !weighted[act.Title] {
				k.bad(o.Line, "aggregation.weights", subject, "activity %q of UE %s has no weight", act.Title, o.UE)
			}
		}
	}
}

var codeRE = regexp.MustCompile(`^[A-Z]{2,6}$`)

func (k *checker) codes() {
	rs := k.rs
	known := func(line int, subject string, list []Role) {
		for _, r := range list {
			if !slices.Contains(rs.Roles, r) {
				k.bad(line, "role.unknown", subject, "role %q is not one of the roles %v", r, rs.Roles)
			}
		}
	}
	known(1, "marks_set_by", rs.MarksSetBy)
	seen := map[Code]bool{}
	for _, c := range rs.Codes {
		subject := "code " + string(c.Code)
		if !codeRE.MatchString(string(c.Code)) || seen[c.Code] {
			k.bad(c.Line, "code.name", subject, "a code is 2 to 6 capital letters, given once")
		}
		seen[c.Code] = true
		if c.Effect != Blocks && c.Effect != Zero && c.Effect != Acquires {
			k.bad(c.Line, "code.effect", subject, "effect %q is not %q, %q or %q", c.Effect, Blocks, Zero, Acquires)
		}
		if c.Scope != OnActivity && c.Scope != OnUE && c.Scope != Anywhere {
			k.bad(c.Line, "code.scope", subject, "scope %q is not %q, %q or %q", c.Scope, OnActivity, OnUE, Anywhere)
		}
		known(c.Line, subject, c.SetBy)
		known(c.Line, subject, c.ClearBy)
	}
}

func (k *checker) mentions() {
	m := k.rs.Mentions
	if m.Basis != "cycle-average" {
		k.bad(m.Line, "mentions.basis", "mentions", "basis %q is not supported (cycle-average)", m.Basis)
	}
	for i, t := range m.Thresholds {
		if t.Min < k.rs.Scale.Pass || t.Min > k.rs.Scale.Max || (i > 0 && t.Min <= m.Thresholds[i-1].Min) {
			k.bad(t.Line, "mentions.order", "mention "+t.Name, "threshold %s: thresholds rise strictly, between the pass mark and the maximum", t.Min)
		}
	}
}

// calendar checks that Q1, Q2 and Q3 are each scheduled once, in order,
// inside the academic year (14 September to 13 September), and that each
// session's dates follow one another.
func (k *checker) calendar() {
	rs := k.rs
	want := []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}
	got := make([]catalog.Session, len(rs.Calendar))
	for i, s := range rs.Calendar {
		got[i] = s.Session
	}
	if !slices.Equal(got, want) {
		k.bad(1, "calendar.sessions", "calendar", "want sessions %v in that order, got %v", want, got)
	}
	start, _ := ParseDate(fmt.Sprintf("%.4s-09-14", rs.AcademicYear))
	end := start.AddDays(364)
	prev := start
	for _, s := range rs.Calendar {
		for _, d := range []Date{s.ExamsFrom, s.ExamsTo, s.EncodingDeadline, s.Deliberation, s.Publication} {
			if d.Before(prev) {
				k.bad(s.Line, "calendar.order", "session "+string(s.Session), "date %s comes before %s: exams, encoding deadline, deliberation and publication follow one another, sessions too", d, prev)
			}
			prev = d
		}
	}
	if prev.After(end) {
		k.bad(rs.Calendar[len(rs.Calendar)-1].Line, "calendar.year", "calendar", "date %s is after the academic year %s", prev, rs.AcademicYear)
	}
}
