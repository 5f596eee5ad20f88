package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gradelog/gradelog/datafile"
)

// Canonical returns the catalog's canonical JSON, the form it is published
// in: struct-tag field order, no line numbers, requisites as their
// canonical text. Decoding it with FromJSON gives back an equal catalog.
func (c *Catalog) Canonical() []byte { return datafile.MustCanonical(c) }

// Digest is the hex SHA-256 of the canonical JSON. Two catalogs with the
// same digest are the same catalog, whatever the layout of their files.
func (c *Catalog) Digest() string { return datafile.Digest(c) }

// FromJSON decodes a published catalog. It does not run the checks; call
// Check for that.
func FromJSON(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("catalog: decode published catalog: %w", err)
	}
	return &c, nil
}

// A Change is one difference between two catalogs.
type Change = datafile.Change

// Diff lists what changed from old to new: the programme's fields, then
// institutions by code, blocs by number, UEs by code and acknowledgements
// by code and subject, each as added, removed or a changed field. It is
// pure and deterministic; two equal catalogs give nil.
func Diff(old, new *Catalog) []Change {
	var out []Change
	if old.Format != new.Format {
		out = append(out, Change{Subject: "catalog", Kind: "changed", Field: "format",
			Old: strconv.Itoa(old.Format), New: strconv.Itoa(new.Format)})
	}
	out = append(out, datafile.DiffFields("programme", old.Programme, new.Programme)...)
	out = append(out, datafile.DiffLists(old.Institutions, new.Institutions,
		func(i Institution) string { return "institution " + i.Code })...)
	out = append(out, datafile.DiffLists(old.Blocs, new.Blocs,
		func(b Bloc) string { return "bloc " + strconv.Itoa(b.Number) })...)
	out = append(out, datafile.DiffLists(old.UEs, new.UEs,
		func(u UE) string { return "UE " + u.Code })...)
	out = append(out, datafile.DiffLists(old.Acknowledged, new.Acknowledged,
		func(a datafile.Acknowledgement) string { return "acknowledgement " + a.Code + " " + a.Subject })...)
	return out
}
