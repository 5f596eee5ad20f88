// Package seeds holds the reviewed data gradelog starts from, embedded in
// the binary: the programme catalog, the ruleset of the academic year, and
// the copy of the official programme sheet the catalog is checked against.
//
// The files are data for people to review and edit; this package only
// hands out their bytes with the name findings should cite. Each call
// returns a fresh copy, so no caller can alter what another one reads.
package seeds

import (
	_ "embed"
	"slices"
)

var (
	//go:embed catalog-mias-2025-2026.yaml
	catalogYAML []byte
	//go:embed ruleset-2025-2026.yaml
	rulesetYAML []byte
	//go:embed programme-mias-2025-2026.txt
	programmeSheet []byte
)

// The names of the shipped files as findings cite them, relative to the
// repository root.
const (
	CatalogFile        = "seeds/catalog-mias-2025-2026.yaml"
	RulesetFile        = "seeds/ruleset-2025-2026.yaml"
	ProgrammeSheetFile = "seeds/programme-mias-2025-2026.txt"
)

// Catalog returns the programme catalog of the Master en ingénierie et
// action sociales, 2025-2026 (YAML, see catalog.Load).
func Catalog() (name string, data []byte) { return CatalogFile, slices.Clone(catalogYAML) }

// Ruleset returns the regulation of academic year 2025-2026 (YAML, see
// rules.Load).
func Ruleset() (name string, data []byte) { return RulesetFile, slices.Clone(rulesetYAML) }

// ProgrammeSheet returns the text extraction of the official programme
// sheet, the source the catalog is checked against.
func ProgrammeSheet() (name string, data []byte) {
	return ProgrammeSheetFile, slices.Clone(programmeSheet)
}
