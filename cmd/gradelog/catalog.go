package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/datafile"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/seeds"
)

func newCatalogCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Inspect and lint the programme catalog and ruleset",
		Long: `The programme catalog (seeds/catalog-*.yaml) and the ruleset of the year
(seeds/ruleset-*.yaml) are reviewed data files, embedded in the binary.
These commands check them and show what they contain.`,
	}
	cmd.AddCommand(newCatalogLintCmd(e), newCatalogShowCmd(e))
	return cmd
}

func newCatalogLintCmd(e *env) *cobra.Command {
	var rulesetFile string
	cmd := &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Check a catalog (default: the shipped one) and print its findings",
		Long: `lint checks a catalog file strictly (unknown fields, duplicate keys, types),
then its consistency: requisite expressions, unknown UEs, self-references
and cycles, hours of activities, sessions, and the totals per bloc and
programme against those the sheet declares.

Each finding is printed as
  file:line: severity: [code] message (acknowledged: reason)
where the acknowledged part appears when the catalog file itself states
that the finding is known and how it was resolved.

Without FILE, lint checks the shipped catalog and the shipped ruleset.
With --ruleset, it also checks that ruleset against the catalog.
The exit status is 1 when an unacknowledged error is found.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			catName, catData := seeds.Catalog()
			rsName, rsData := seeds.Ruleset()
			if len(args) == 1 {
				var err error
				if catName, catData, err = readFile(args[0]); err != nil {
					return err
				}
				rsName = "" // a given catalog is not checked against the shipped ruleset
			}
			if rulesetFile != "" {
				var err error
				if rsName, rsData, err = readFile(rulesetFile); err != nil {
					return err
				}
			}
			cat, findings, _ := catalog.Load(catName, catData)
			if rsName != "" {
				_, rsFindings, _ := rules.Load(rsName, rsData, cat)
				findings = append(findings, rsFindings...)
			}
			return report(e.stdout, e.stderr, findings)
		},
	}
	cmd.Flags().StringVar(&rulesetFile, "ruleset", "", "also lint this ruleset file against the catalog")
	return cmd
}

func readFile(name string) (string, []byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return "", nil, fmt.Errorf("catalog: %w", err)
	}
	return name, data, nil
}

// report prints every finding and fails with status 1 when one is an
// unacknowledged error.
func report(stdout, stderr io.Writer, fs datafile.Findings) error {
	for _, f := range fs {
		fmt.Fprintln(stdout, f)
	}
	if n := fs.Errors(); n > 0 {
		fmt.Fprintf(stderr, "gradelog: %d unacknowledged error(s)\n", n)
		return exitError{1}
	}
	return nil
}

func newCatalogShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show [FILE]",
		Short: "Print the UEs of a catalog (default: the shipped one) as a table",
		Long: `show prints the programme, the digest of its canonical JSON (what a
publication records), and one line per UE: code, kind, bloc, hours,
credits, evaluation, schedule, sessions, requisites and title.
A catalog with unacknowledged errors is refused; run lint to see them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, data := seeds.Catalog()
			if len(args) == 1 {
				var err error
				if name, data, err = readFile(args[0]); err != nil {
					return err
				}
			}
			c, _, err := catalog.Load(name, data)
			if err != nil {
				return err
			}
			show(e.stdout, c)
			return nil
		},
	}
}

func show(w io.Writer, c *catalog.Catalog) {
	p := c.Programme
	fmt.Fprintf(w, "%s (%s) %s, %d credits\ndigest %s\n\n", p.Title, p.Code, p.AcademicYear, p.CycleCredits, c.Digest())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UE\tKIND\tBLOC\tHOURS\tCREDITS\tEVALUATION\tSCHEDULE\tSESSIONS\tREQUISITES\tTITLE")
	for _, u := range c.UEs {
		eval := "per activity"
		if u.Integrated {
			eval = "integrated"
		} else if len(u.Activities) == 1 {
			eval = "single"
		}
		var req []string
		if s := u.Prerequisites.String(); s != "" {
			req = append(req, "pre "+s)
		}
		if s := u.Corequisites.String(); s != "" {
			req = append(req, "co "+s)
		}
		sessions := make([]string, len(u.Sessions))
		for i, s := range u.Sessions {
			sessions[i] = string(s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", u.Code, u.Kind, u.Bloc, u.Hours, u.Credits,
			eval, u.Schedule, strings.Join(sessions, ","), dash(strings.Join(req, "; ")), u.Title)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, b := range c.Blocs {
		t := c.Totals(catalog.Core, b.Number)
		fmt.Fprintf(w, "bloc %d: %d h, %d credits (the sheet declares %d h, %d credits)\n",
			b.Number, t.Hours, t.Credits, b.Declared.Hours, b.Declared.Credits)
	}
	t, comp := c.Totals(catalog.Core, 0), c.Totals(catalog.Complement, 0)
	fmt.Fprintf(w, "programme: %d h, %d credits; complements %d h, %d credits (the sheet declares %d h, %d credits)\n",
		t.Hours, t.Credits, comp.Hours, comp.Credits, p.Declared.Hours, p.Declared.Credits)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
