package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/handlers"
)

// contentTypes are the content types of the sheet files.
var contentTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
}

func newSheetExportCmd(e *env, cf *clientFlags) *cobra.Command {
	var format, output string
	var force bool
	cmd := &cobra.Command{
		Use:   "export YEAR SESSION UE [--format xlsx|csv] [-o FILE]",
		Short: "Download a grade sheet as an XLSX or CSV file to fill in",
		Long: `export downloads the sheet as a file to fill in and upload back with
"sheet import". The file is written under the name the server gives
(notes-YEAR-SESSION-UE....) unless -o names another; "-o -" writes it on
stdout. An existing file is not overwritten without --force.`,
		Example: `  gradelog sheet export 2025-2026 Q1 1/8
  gradelog sheet export 2025-2026 Q1 1/8 --format csv -o notes-1-8.csv`,
		Args: cobra.ExactArgs(3),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			format = strings.ToLower(strings.TrimSpace(format))
			if contentTypes[format] == "" {
				return fmt.Errorf("--format %q: xlsx or csv", format)
			}
			path, err := sheetPath(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			resp, err := c.call(ctx, request{method: "GET", path: path + "/export." + format}, nil)
			if err != nil {
				return err
			}
			if output == "-" {
				_, err := e.stdout.Write(resp.body)
				return err
			}
			name := output
			if name == "" {
				name = attachmentName(resp.header.Get("Content-Disposition"))
			}
			if name == "" {
				name = fmt.Sprintf("notes-%s-%s-UE%s.%s", args[0], sessionArg(args[1]), strings.ReplaceAll(args[2], "/", "-"), format)
			}
			if err := writeNewFile(name, force, resp.body); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s written (%s, %d bytes)\n", name, sheetName(args[0], args[1], args[2]), len(resp.body))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "xlsx", "file format: xlsx or csv")
	f.StringVarP(&output, "output", "o", "", `file to write (default: the name the server gives; "-": stdout)`)
	f.BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}

// attachmentName is the file name of a Content-Disposition, without any
// directory; "" if there is none.
func attachmentName(cd string) string {
	_, params, err := mime.ParseMediaType(cd)
	if err != nil {
		return ""
	}
	name := filepath.Base(filepath.FromSlash(strings.ReplaceAll(params["filename"], `\`, "/")))
	if name == "." || name == ".." || name == string(filepath.Separator) {
		return ""
	}
	return name
}

func newSheetImportCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var partial, dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "import YEAR SESSION UE FILE [--partial] [--dry-run]",
		Short: "Upload a filled-in XLSX or CSV sheet and print the report row by row",
		Long: `import uploads a sheet exported by "sheet export" and filled in. Each row is
checked (matricule on the sheet, email matching it, each filled cell like a
typed entry); an empty cell changes nothing and a value already recorded is
unchanged, so uploading the same file twice writes nothing.

By default the import is all or nothing: one refused row and nothing is
written. --partial saves the rows that pass. --dry-run writes nothing and
reports what the import would do.

The report gives each row's line, matricule, outcome and causes, then the
totals. The exit status is 1 when a row was refused.`,
		Example: `  gradelog sheet import 2025-2026 Q1 1/8 notes-2025-2026-Q1-UE1-8.xlsx --dry-run
  gradelog sheet import 2025-2026 Q1 1/8 notes-2025-2026-Q1-UE1-8.xlsx --partial`,
		Args: cobra.ExactArgs(4),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			path, err := sheetPath(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			data, err := os.ReadFile(args[3])
			if err != nil {
				return err
			}
			ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(args[3])), ".")
			ct := contentTypes[ext]
			if ct == "" {
				ct = "application/octet-stream"
			}
			q := url.Values{}
			if partial {
				q.Set("mode", "partial")
			}
			if dryRun {
				q.Set("dry_run", "true")
			}
			rq := request{method: "POST", path: path + "/import", query: q, raw: data, contentType: ct}
			resp, err := c.do(ctx, rq)
			if err != nil {
				return err
			}
			// A refused all-or-nothing import answers 422 with its report.
			var rep handlers.ImportReport
			if !resp.ok() && (resp.status != http.StatusUnprocessableEntity || !isReport(resp.body)) {
				return newAPIError(rq, resp)
			}
			if err := json.Unmarshal(resp.body, &rep); err != nil {
				return fmt.Errorf("import: the answer is not a report: %v", err)
			}
			if asJSON {
				err = printJSON(e.stdout, resp.body)
			} else {
				printReport(e.stdout, rep)
			}
			if err == nil && rep.Refused > 0 {
				fmt.Fprintf(e.stderr, "gradelog: %d row(s) refused\n", rep.Refused)
				return exitError{1}
			}
			return err
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&partial, "partial", false, "save the rows that pass even if others are refused")
	f.BoolVar(&dryRun, "dry-run", false, "report what the import would do; write nothing")
	f.BoolVar(&asJSON, "json", false, "print the report's JSON")
	wf.bind(f)
	return cmd
}

// isReport tells an import report from an error body.
func isReport(body []byte) bool {
	var probe struct {
		Error *string         `json:"error"`
		Rows  json.RawMessage `json:"rows"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Error == nil && probe.Rows != nil
}

func printReport(w io.Writer, r handlers.ImportReport) {
	what := r.Format + ", " + r.Mode
	if r.DryRun {
		what += ", dry run"
	}
	fmt.Fprintf(w, "import of the sheet of %s (%s)\n", r.Sheet, what)
	if len(r.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "ignored columns: %s\n", strings.Join(r.IgnoredColumns, ", "))
	}
	if len(r.Rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LINE\tMATRICULE\tOUTCOME\tCAUSES")
		for _, row := range r.Rows {
			line := "-"
			if row.Line > 0 {
				line = fmt.Sprint(row.Line)
			}
			causes := rowCauses(row)
			if len(causes) == 0 {
				causes = []string{""}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", line, dash(row.Matricule), row.Outcome, causes[0])
			for _, more := range causes[1:] {
				fmt.Fprintf(tw, "\t\t\t%s\n", more)
			}
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "%d saved, %d unchanged, %d refused; %s\n", r.Saved, r.Unchanged, r.Refused, outcomeOf(r))
}

// rowCauses are the problems of a row and of its cells.
func rowCauses(row handlers.ImportRow) []string {
	var out []string
	for _, p := range row.Problems {
		out = append(out, p.String())
	}
	for _, c := range row.Cells {
		for _, p := range c.Problems {
			out = append(out, columnName(c.Column)+": "+p.String())
		}
	}
	return out
}

// outcomeOf says what the import wrote.
func outcomeOf(r handlers.ImportReport) string {
	switch {
	case r.AlreadyRecorded:
		return fmt.Sprintf("already imported by an earlier request with this idempotency key (sheet version %d)", r.Version)
	case r.DryRun:
		return "dry run: nothing written"
	case r.Written:
		return fmt.Sprintf("written (sheet version %d)", r.Version)
	case r.Refused > 0 && r.Mode != "partial":
		return "nothing written: the import is all or nothing; correct the refused rows or use --partial"
	}
	return "nothing to write"
}
