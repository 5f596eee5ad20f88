package cohortgen

import (
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

// FirstYear is the academic year of the shipped documents: year index 0.
const FirstYear = 2025

// YearOf is the academic year k years after the shipped one: "2025-2026"
// for 0, "2026-2027" for 1.
func YearOf(k int) string { return fmt.Sprintf("%d-%d", FirstYear+k, FirstYear+k+1) }

// Documents returns the shipped catalog and ruleset moved k years on: the
// same programme, UEs and rules, the academic year, the session calendar
// and the holidays k years later. The catalog model has one catalog per
// programme and year, read from the shipped YAML; moving it is changing
// its year and dates on the loaded documents, which are then checked as
// `gradelog catalog lint` and publishing check them.
func Documents(k int) (*catalog.Catalog, *rules.Ruleset, error) {
	name, data := seeds.Catalog()
	cat, findings, err := catalog.Load(name, data)
	if err != nil {
		return nil, nil, fmt.Errorf("shipped catalog: %w\n%v", err, findings)
	}
	name, data = seeds.Ruleset()
	rs, findings, err := rules.Load(name, data, cat)
	if err != nil {
		return nil, nil, fmt.Errorf("shipped ruleset: %w\n%v", err, findings)
	}
	year := YearOf(k)
	Move(cat, rs, k)
	fs := cat.Check("catalog " + year)
	fs.Acknowledge("catalog "+year, cat.Acknowledged)
	if err := fs.Err(); err != nil {
		return nil, nil, fmt.Errorf("catalog %s: %w", year, err)
	}
	if err := rs.Check("ruleset "+year, cat).Err(); err != nil {
		return nil, nil, fmt.Errorf("ruleset %s: %w", year, err)
	}
	return cat, rs, nil
}

// Move moves a loaded catalog and ruleset k years on, unchecked: their
// academic year, the session calendar and the holidays.
func Move(cat *catalog.Catalog, rs *rules.Ruleset, k int) {
	if k == 0 {
		return
	}
	var first int
	fmt.Sscanf(cat.Programme.AcademicYear, "%d-", &first)
	year := fmt.Sprintf("%d-%d", first+k, first+k+1)
	shift := func(d rules.Date) rules.Date { return rules.DateOf(d.Time().AddDate(k, 0, 0)) }
	cat.Programme.AcademicYear, rs.AcademicYear = year, year
	for i := range rs.Calendar {
		s := &rs.Calendar[i]
		s.ExamsFrom, s.ExamsTo, s.EncodingDeadline = shift(s.ExamsFrom), shift(s.ExamsTo), shift(s.EncodingDeadline)
		s.Deliberation, s.Publication = shift(s.Deliberation), shift(s.Publication)
	}
	for i, h := range rs.Appeals.Holidays {
		rs.Appeals.Holidays[i] = shift(h)
	}
}
