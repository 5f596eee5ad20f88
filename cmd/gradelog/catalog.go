package main

import "github.com/spf13/cobra"

// newCatalogCmd is replaced by the catalog work (issue 3).
func newCatalogCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "catalog", Short: "Inspect and lint the programme catalog"}
}
