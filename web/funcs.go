package web

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Brussels wherever the server runs

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/pdfdoc"
)

var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err)
	}
	return loc
}()

var months = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// day is a date in French ("2 février 2026").
func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(brussels)
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// moment is a date and time in French ("2 février 2026 à 14:05").
func moment(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return day(t) + " à " + t.In(brussels).Format("15:04")
}

// isoDay is a date as a form's date input takes it.
func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brussels).Format(time.DateOnly)
}

// comma writes a decimal with a French comma.
func comma(s string) string { return strings.Replace(s, ".", ",", 1) }

var roleLabels = map[string]string{
	auth.Teacher: "enseignant", auth.Secretariat: "secrétariat", auth.Jury: "jury",
	auth.Auditor: "auditeur", auth.Student: "étudiant",
}

func roles(rs []string) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = roleLabels[r]
		if out[i] == "" {
			out[i] = r
		}
	}
	return strings.Join(out, ", ")
}

// outcome names a decision's or a proposal's outcome, as the documents do.
func outcome(o string) string {
	if o == "" {
		return "—"
	}
	return pdfdoc.Outcome(o)
}

// value is what a refused form held for field, or def.
func value(form map[string][]string, field, def string) string {
	if vs, ok := form[field]; ok && len(vs) > 0 {
		return vs[0]
	}
	return def
}

// entryText is an entry as a sheet's input shows it: a code, or a mark
// with a French comma.
func entryText(e events.Entry) string {
	if e.Code != "" {
		return e.Code
	}
	return comma(e.Mark)
}

// chosen reports whether a refused form had value among field's values.
func chosen(form map[string][]string, field, v string) bool {
	return slices.Contains(form[field], v)
}

var funcs = template.FuncMap{
	"chosen":    chosen,
	"entryText": entryText,
	"list":      func(s ...string) []string { return s },
	"day":       day, "moment": moment, "isoDay": isoDay, "comma": comma, "roles": roles,
	"outcome": outcome, "value": value,
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
}
