package rules

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gradelog/gradelog/datafile"
)

// Date is a calendar day, without time or zone. The zero value is no date.
type Date struct{ t time.Time } // midnight UTC of the day

const dateLayout = "2006-01-02"

// ParseDate reads "2026-06-26".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

func (d Date) IsZero() bool          { return d.t.IsZero() }
func (d Date) Before(e Date) bool    { return d.t.Before(e.t) }
func (d Date) Equal(e Date) bool     { return d.t.Equal(e.t) }
func (d Date) AddDays(n int) Date    { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// SetScalar reads a date from a data file; "" is the zero date.
func (d *Date) SetScalar(value string, _ int) error {
	if value == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(value)
	*d = v
	return err
}

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(data []byte) error { return datafile.UnmarshalScalar(data, d) }

// AppealDeadline returns the last day an appeal may be filed against
// results published on published: Appeals.WorkingDays working days later,
// skipping weekends and the listed holidays.
func (rs *Ruleset) AppealDeadline(published Date) Date {
	d := published
	for n := 0; n < rs.Appeals.WorkingDays; {
		d = d.AddDays(1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !rs.holiday(d) {
			n++
		}
	}
	return d
}

func (rs *Ruleset) holiday(d Date) bool {
	for _, h := range rs.Appeals.Holidays {
		if h.Equal(d) {
			return true
		}
	}
	return false
}

// FundingShortfalls returns the funding rules a new student breaches after
// years years of enrolment with acquired programme credits. A rule is
// checked once its period is over: 60 credits within 2 years is breached
// at 2 years with 59 credits, not at 1 year.
func (rs *Ruleset) FundingShortfalls(years, acquired int) []FundingRule {
	var out []FundingRule
	for _, f := range rs.Funding {
		if years >= f.Years && acquired < f.Credits {
			out = append(out, f)
		}
	}
	return out
}

func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Time is midnight UTC of the day.
func (d Date) Time() time.Time { return d.t }
