package handlers

import (
	"context"
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// Publication tells what publishing a catalog and ruleset did.
type Publication struct {
	Year    string
	Catalog Published
	Ruleset Published
}

// Published is the version in force of one document after publishing.
type Published struct {
	Version int
	Digest  string
	Written bool     // a new version was appended now
	Changes []string // its differences from the previous version
}

// PublishCatalog brings the catalog and ruleset in force for their academic
// year to cat and rs: an identical version writes nothing, a changed one is
// appended as the next version with its differences from the previous. Both
// are appended together, all or nothing.
func (hs *Handlers) PublishCatalog(ctx context.Context, cat *catalog.Catalog, rs *rules.Ruleset, by events.Actor) (Publication, error) {
	year := cat.Programme.AcademicYear
	if rs.AcademicYear != year {
		return Publication{}, fmt.Errorf("ruleset academic_year %q differs from the catalog's %q: publish a ruleset of the same year", rs.AcademicYear, year)
	}
	// Publishing is idempotent by its decision (an identical version writes
	// nothing), so it needs no idempotency key.
	var pub Publication
	_, err := execute(ctx, hs, events.CatalogOf(year), "", newDocumentsState, func(st *documentsState) ([]events.Pending, error) {
		var pending []events.Event
		var err error
		pub, pending, err = decidePublication(st, cat, rs)
		out := make([]events.Pending, len(pending))
		for i, e := range pending {
			out[i] = events.Pending{Event: e, Actor: by}
		}
		return out, err
	})
	if err != nil {
		return Publication{}, err
	}
	return pub, nil
}

// decidePublication compares cat and rs with the versions in force and
// returns the events that publish what changed.
func decidePublication(st *documentsState, cat *catalog.Catalog, rs *rules.Ruleset) (Publication, []events.Event, error) {
	prevCat, prevRules := st.catalogs[cat.Programme.Code], st.ruleset
	pub := Publication{Year: cat.Programme.AcademicYear}
	var out []events.Event

	pub.Catalog = Published{Version: prevCat.Version, Digest: prevCat.Digest}
	if prevCat.Digest != cat.Digest() {
		var changes []string
		if prevCat.Version > 0 {
			old, err := catalog.FromJSON(prevCat.Catalog)
			if err != nil {
				return Publication{}, nil, fmt.Errorf("catalog version %d in force does not decode: %w", prevCat.Version, err)
			}
			changes = changeStrings(catalog.Diff(old, cat))
		}
		e := events.CatalogPublished{Year: pub.Year, Programme: cat.Programme.Code, Version: prevCat.Version + 1,
			Digest: cat.Digest(), Changes: changes, Catalog: cat.Canonical()}
		out = append(out, e)
		pub.Catalog = Published{Version: e.Version, Digest: e.Digest, Written: true, Changes: changes}
	}

	pub.Ruleset = Published{Version: prevRules.Version, Digest: prevRules.Digest}
	if prevRules.Digest != rs.Digest() {
		var changes []string
		if prevRules.Version > 0 {
			old, err := rules.FromJSON(prevRules.Ruleset)
			if err != nil {
				return Publication{}, nil, fmt.Errorf("ruleset version %d in force does not decode: %w", prevRules.Version, err)
			}
			changes = changeStrings(rules.Diff(old, rs))
		}
		e := events.RulesetPublished{Year: pub.Year, Version: prevRules.Version + 1, Digest: rs.Digest(), Changes: changes, Ruleset: rs.Canonical()}
		out = append(out, e)
		pub.Ruleset = Published{Version: e.Version, Digest: e.Digest, Written: true, Changes: changes}
	}
	return pub, out, nil
}

// documentsState is a year's catalog aggregate: the latest catalog of
// each programme and the latest ruleset.
type documentsState struct {
	catalogs map[string]events.CatalogPublished
	ruleset  events.RulesetPublished
}

func newDocumentsState() *documentsState {
	return &documentsState{catalogs: map[string]events.CatalogPublished{}}
}

func (st *documentsState) apply(rec events.Record) {
	switch e := rec.Event.(type) {
	case events.CatalogPublished:
		st.catalogs[e.Programme] = e
	case events.RulesetPublished:
		st.ruleset = e
	}
}

func changeStrings[C fmt.Stringer](cs []C) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}
