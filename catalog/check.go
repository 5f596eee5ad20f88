package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	yearRE      = regexp.MustCompile(`^(\d{4})-(\d{4})$`)
	conditionRE = regexp.MustCompile(`^[a-z][a-z-]*$`)
)

func (k *checker) header() {
	c, p := k.c, k.c.Programme
	if c.Format != Format {
		k.errorf(1, "format.version", "format", "format %d is not supported; this program reads format %d", c.Format, Format)
	}
	if m := yearRE.FindStringSubmatch(p.AcademicYear); m == nil || atoi(m[2]) != atoi(m[1])+1 {
		k.errorf(p.Line, "programme.year", "programme", "academic year %q is not of the form 2025-2026", p.AcademicYear)
	}
	if p.CycleCredits <= 0 {
		k.errorf(p.Line, "programme.credits", "programme", "cycle credits must be positive, got %d", p.CycleCredits)
	}
	referents, codes := 0, map[string]bool{}
	for _, in := range c.Institutions {
		subject := "institution " + in.Code
		if codes[in.Code] {
			k.errorf(in.Line, "institution.duplicate", subject, "institution %s is listed twice", in.Code)
		}
		codes[in.Code] = true
		switch in.Role {
		case Referent:
			referents++
		case CoGraduating:
		default:
			k.errorf(in.Line, "institution.role", subject, "institution %s: role %q is not %q or %q", in.Code, in.Role, Referent, CoGraduating)
		}
	}
	if referents != 1 {
		k.errorf(p.Line, "institution.referent", "institutions", "want exactly one referent institution, got %d", referents)
	}
	blocs := map[int]bool{}
	for _, b := range c.Blocs {
		subject := fmt.Sprintf("bloc %d", b.Number)
		if b.Number <= 0 || blocs[b.Number] {
			k.errorf(b.Line, "bloc.number", subject, "bloc number %d is not positive or is listed twice", b.Number)
		}
		blocs[b.Number] = true
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func (k *checker) ues() {
	seen := map[string]int{}
	for _, u := range k.c.UEs {
		if first, dup := seen[u.Code]; dup {
			k.errorf(u.Line, "ue.duplicate", "UE "+u.Code, "UE %s is defined twice (first at line %d)", u.Code, first)
			continue
		}
		seen[u.Code] = u.Line
		k.ue(u)
	}
}

func (k *checker) ue(u UE) {
	subject := "UE " + u.Code
	bad := func(code, format string, args ...any) {
		k.errorf(u.Line, code, subject, subject+": "+format, args...)
	}
	prefix, _, _ := strings.Cut(u.Code, "/")
	switch {
	case !codeRE.MatchString(u.Code):
		bad("ue.code", "a UE code is like 1/8 (bloc/number)")
	case u.Kind == Optional:
		if u.Credits != 0 {
			bad("ue.optional.credits", "an optional activity carries no credits, got %d", u.Credits)
		}
	case u.Kind != Core && u.Kind != Complement:
		bad("ue.kind", "kind %q is not %q, %q or %q", u.Kind, Core, Complement, Optional)
	case !slices.ContainsFunc(k.c.Blocs, func(b Bloc) bool { return b.Number == u.Bloc }):
		bad("ue.bloc", "bloc %d is not a bloc of the programme", u.Bloc)
	case prefix != strconv.Itoa(u.Bloc):
		bad("ue.bloc", "code %s does not belong to bloc %d", u.Code, u.Bloc)
	case u.Credits <= 0:
		bad("ue.credits", "a %s UE carries credits, got %d", u.Kind, u.Credits)
	}
	if u.Hours <= 0 {
		bad("ue.hours", "hours must be positive, got %d", u.Hours)
	}
	k.activities(u, bad)
	k.sessions(u, bad)
	if e := u.Eligibility; e != nil && !conditionRE.MatchString(e.Condition) {
		bad("ue.eligibility", "eligibility condition %q is not a lower-case token like without-matching-bachelor", e.Condition)
	}
}

func (k *checker) activities(u UE, bad func(code, format string, args ...any)) {
	if len(u.Activities) == 0 {
		bad("ue.activities", "a UE has at least one activity")
		return
	}
	sum, titles := 0, map[string]bool{}
	for _, a := range u.Activities {
		if titles[a.Title] {
			bad("ue.activity.duplicate", "activity %q is listed twice", a.Title)
		}
		titles[a.Title] = true
		sum += a.Hours
	}
	if sum != u.Hours {
		bad("ue.hours.activities", "activities add up to %d h, the UE declares %d h", sum, u.Hours)
	}
	if u.Integrated && len(u.Activities) < 2 {
		bad("ue.integrated", "an integrated evaluation needs at least two activities")
	}
}

func (k *checker) sessions(u UE, bad func(code, format string, args ...any)) {
	seen := map[Session]bool{}
	for _, s := range u.Sessions {
		if s != Q1 && s != Q2 && s != Q3 {
			bad("ue.sessions", "session %q is not Q1, Q2 or Q3", s)
		}
		if seen[s] {
			bad("ue.sessions", "session %s is listed twice", s)
		}
		seen[s] = true
	}
	switch u.Schedule {
	case Annual:
		if seen[Q1] {
			bad("ue.sessions.annual", "an annual UE is examined in Q2 and Q3 only, not in Q1")
		}
	case Quadrimester:
	default:
		bad("ue.schedule", "schedule %q is not %q or %q", u.Schedule, Quadrimester, Annual)
	}
	// Two chances a year, except that an internship, practical work or
	// project may be evaluated once (décret Paysage).
	if len(seen) < 2 && !u.Internship && !u.Thesis && u.Kind != Optional {
		bad("ue.sessions.chances", "a UE is evaluated in at least two sessions a year, got %d", len(seen))
	}
}

// requisites checks that every requisite names known UEs other than its
// own, and no optional activity. The printed variants are checked too:
// that is how the sheet's own errors are reported.
func (k *checker) requisites() {
	for _, u := range k.c.UEs {
		for _, r := range []struct {
			what string
			req  Requisite
		}{
			{"prerequisite", u.Prerequisites},
			{"co-requisite", u.Corequisites},
			{"prerequisite as printed", u.Printed.Prerequisites},
			{"co-requisite as printed", u.Printed.Corequisites},
		} {
			k.requisite(u, r.what, r.req)
		}
	}
}

func (k *checker) requisite(u UE, what string, r Requisite) {
	line := r.Line
	if line == 0 {
		line = u.Line
	}
	subject := "UE " + u.Code
	if strings.HasSuffix(what, "as printed") {
		subject += " (as printed)"
	}
	for _, code := range r.Codes() {
		dep, ok := k.c.UE(code)
		switch {
		case code == u.Code:
			k.errorf(line, "requisite.self", subject, "UE %s: %s %q names the UE itself", u.Code, what, r)
		case !ok:
			k.errorf(line, "requisite.unknown-ue", subject, "UE %s: %s %q names UE %s, which does not exist", u.Code, what, r, code)
		case dep.Kind == Optional:
			k.errorf(line, "requisite.optional", subject, "UE %s: %s %q names the optional activity %s, which cannot be a requisite", u.Code, what, r, code)
		}
	}
}
