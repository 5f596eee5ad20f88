package main

import (
	"fmt"
	"io"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

// loadDocuments reads and checks the catalog and ruleset a server runs
// with: the given files, or the shipped ones. On any unacknowledged error it
// prints every finding to w and fails, before anything is opened or
// published.
func loadDocuments(w io.Writer, catFile, rsFile string) (*catalog.Catalog, *rules.Ruleset, error) {
	catName, catData := seeds.Catalog()
	rsName, rsData := seeds.Ruleset()
	var err error
	if catFile != "" {
		if catName, catData, err = readFile(catFile); err != nil {
			return nil, nil, err
		}
	}
	if rsFile != "" {
		if rsName, rsData, err = readFile(rsFile); err != nil {
			return nil, nil, err
		}
	}
	cat, findings, err := catalog.Load(catName, catData)
	if err == nil {
		rs, rsFindings, rsErr := rules.Load(rsName, rsData, cat)
		if rsErr == nil {
			return cat, rs, nil
		}
		findings, err = append(findings, rsFindings...), rsErr
	}
	for _, f := range findings {
		if !f.Acknowledged {
			fmt.Fprintln(w, f)
		}
	}
	return nil, nil, fmt.Errorf("refusing to start on %s and %s: %w (nothing was published)", catName, rsName, err)
}

// printPublication tells what publishing the documents did.
func printPublication(w io.Writer, programme string, p handlers.Publication) {
	say := func(what string, d handlers.Published) {
		state := "in force"
		if d.Written {
			state = "published now"
		}
		fmt.Fprintf(w, "gradelog: %s %s version %d %s (%.12s)\n", what, p.Year, d.Version, state, d.Digest)
		for _, c := range d.Changes {
			fmt.Fprintf(w, "gradelog:   %s\n", c)
		}
	}
	say("catalog "+programme, p.Catalog)
	say("ruleset", p.Ruleset)
}
