package rules

import (
	"encoding/json"
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/datafile"
)

// Load decodes and checks the ruleset file named file whose content is
// data. With a catalog, it also checks what the ruleset says about the
// catalog's UEs (aggregation overrides) and that both are for the same
// programme and year; cat may be nil to check the ruleset alone.
//
// The error is non-nil exactly when a finding is an error; the ruleset is
// then nil.
func Load(file string, data []byte, cat *catalog.Catalog) (*Ruleset, datafile.Findings, error) {
	var rs Ruleset
	fs := datafile.Decode(file, data, &rs)
	if !datafile.Holes(fs) {
		fs = append(fs, rs.Check(file, cat)...)
	}
	fs.Sort()
	if err := fs.Err(); err != nil {
		return nil, fs, err
	}
	return &rs, fs, nil
}

// Canonical returns the ruleset's canonical JSON, the form it is published
// in; FromJSON reads it back.
func (rs *Ruleset) Canonical() []byte { return datafile.MustCanonical(rs) }

// Digest is the hex SHA-256 of the canonical JSON.
func (rs *Ruleset) Digest() string { return datafile.Digest(rs) }

// FromJSON decodes a published ruleset; it does not run the checks.
func FromJSON(data []byte) (*Ruleset, error) {
	var rs Ruleset
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("rules: decode published ruleset: %w", err)
	}
	return &rs, nil
}

// Diff lists what changed from old to new: top-level settings field by
// field, overrides by UE, codes by code, sessions by session, mentions by
// name, funding rules by credits. Pure and deterministic.
func Diff(old, new *Ruleset) []datafile.Change {
	type settings struct {
		Format       int          `json:"format"`
		AcademicYear string       `json:"academic_year"`
		Programme    string       `json:"programme"`
		Scale        Scale        `json:"scale"`
		UEPrecision  Precision    `json:"ue_mark"`
		Averages     Averages     `json:"averages"`
		Default      Method       `json:"aggregation.default"`
		CarryOver    CarryOver    `json:"carry_over"`
		Roles        []Role       `json:"roles"`
		MarksSetBy   []Role       `json:"marks_set_by"`
		Basis        string       `json:"mentions.basis"`
		JuryMayRaise bool         `json:"mentions.jury_may_raise"`
		Deliberation Deliberation `json:"deliberation"`
		Waiver       Waiver       `json:"prerequisite_waiver"`
		Appeals      Appeals      `json:"appeals"`
	}
	pick := func(r *Ruleset) settings {
		return settings{r.Format, r.AcademicYear, r.Programme, r.Scale, r.UEPrecision, r.Averages,
			r.Aggregation.Default, r.CarryOver, r.Roles, r.MarksSetBy, r.Mentions.Basis,
			r.Mentions.JuryMayRaise, r.Deliberation, r.Waiver, r.Appeals}
	}
	out := datafile.DiffFields("ruleset", pick(old), pick(new))
	out = append(out, datafile.DiffLists(old.Aggregation.Overrides, new.Aggregation.Overrides,
		func(o Override) string { return "aggregation of UE " + o.UE })...)
	out = append(out, datafile.DiffLists(old.Codes, new.Codes,
		func(c CodeRule) string { return "code " + string(c.Code) })...)
	out = append(out, datafile.DiffLists(old.Mentions.Thresholds, new.Mentions.Thresholds,
		func(m Mention) string { return "mention " + m.Name })...)
	out = append(out, datafile.DiffLists(old.Calendar, new.Calendar,
		func(s SessionDates) string { return "session " + string(s.Session) })...)
	out = append(out, datafile.DiffLists(old.Funding, new.Funding,
		func(f FundingRule) string { return fmt.Sprintf("funding %d credits", f.Credits) })...)
	return out
}
