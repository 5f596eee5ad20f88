package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/handlers"
)

func newSheetCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("sheet", "Show, fill, export, import and submit grade sheets (HTTP API)",
		`sheet works on the grade sheet of one UE in one session of a year, named
YEAR SESSION UE, e.g. 2025-2026 Q1 1/8. A teacher works on the sheets of
the UEs of their token; the secretariat and the jury on any.`)
	cmd.AddCommand(newSheetShowCmd(e, cf), newSheetMarkCmd(e, cf), newSheetExportCmd(e, cf), newSheetImportCmd(e, cf),
		newSheetOpenCmd(e, cf), newSheetSubmitCmd(e, cf), newSheetReopenCmd(e, cf), newSheetExtendCmd(e, cf),
		newSheetStatusCmd(e, cf))
	return cmd
}

// sheetName is how a sheet is named in messages: "UE 1/8, Q1 2025-2026".
func sheetName(year, session, ue string) string {
	return fmt.Sprintf("UE %s, %s %s", strings.TrimSpace(ue), sessionArg(session), strings.TrimSpace(year))
}

func newSheetShowCmd(e *env, cf *clientFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show YEAR SESSION UE",
		Short: "Show a grade sheet: each student's entries, what is missing, deadlines, status",
		Long: `show prints one line per student due on the sheet: matricule, name, the
value of each column ("(missing)" when still to fill, a carried mark with
the session it comes from) and the student's deadline; then the sheet's
status, how many entries are missing and its version.`,
		Example: `  gradelog sheet show 2025-2026 Q1 1/8
  gradelog sheet show 2025-2026 Q1 1/8 --json`,
		Args: cobra.ExactArgs(3),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			path, err := sheetPath(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			var s handlers.Sheet
			resp, err := c.call(ctx, request{method: "GET", path: path}, &s)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, resp.body)
			}
			showSheet(e.stdout, s)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the sheet's JSON as the server answered it")
	return cmd
}

const missingMark = "(missing)"

func showSheet(w io.Writer, s handlers.Sheet) {
	fmt.Fprintf(w, "UE %s %s, %s %s\n", s.UE, s.Title, s.Session, s.Year)
	codes := make([]string, len(s.Codes))
	for i, c := range s.Codes {
		codes[i] = c.Code
	}
	fmt.Fprintf(w, "deadline %s (Europe/Brussels); marks 0-%s with at most %d decimal(s), or a code: %s\n\n",
		when(s.Deadline), s.Max, s.Decimals, strings.Join(codes, ", "))
	if len(s.Rows) == 0 {
		fmt.Fprintln(w, "no student is due on this sheet")
	} else {
		notes := false
		for _, r := range s.Rows {
			notes = notes || !r.Enrolled
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := []string{"MATRICULE", "NAME"}
		for _, c := range s.Columns {
			head = append(head, c.Label)
		}
		head = append(head, "DEADLINE")
		if notes {
			head = append(head, "NOTE")
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, r := range s.Rows {
			line := []string{r.Matricule, strings.TrimSpace(r.LastName + " " + r.FirstName)}
			for _, c := range s.Columns {
				line = append(line, cell(r, c.Key))
			}
			deadline := when(r.Deadline)
			if !r.Deadline.Equal(s.Deadline) {
				deadline += " (extended)"
			}
			line = append(line, deadline)
			if notes && !r.Enrolled {
				line = append(line, "no longer due on this sheet (PAE changed)")
			}
			fmt.Fprintln(tw, strings.Join(line, "\t"))
		}
		tw.Flush()
	}
	status := s.Status
	if s.Status == "submitted" {
		status += fmt.Sprintf(" on %s by %s", when(s.SubmittedAt), s.SubmittedBy)
	}
	fmt.Fprintf(w, "\nstatus: %s, %d missing, version %d\n", status, s.Missing, s.Version)
}

// cell is what a row holds in a column.
func cell(r handlers.SheetRow, key string) string {
	if v, ok := r.Entries[key]; ok {
		if v.Carried != "" {
			return v.Entry.String() + " (carried from " + v.Carried + ")"
		}
		return v.Entry.String()
	}
	if why := r.Locked[key]; why != "" {
		return "(" + why + ")"
	}
	for _, m := range r.Missing {
		if m == key {
			return missingMark
		}
	}
	return "-"
}

// columnName names a column key: "" is the UE mark.
func columnName(key string) string {
	if key == "" {
		return "Note UE"
	}
	return key
}

func newSheetMarkCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var activity, reason, authorisedBy, ifMatch string
	cmd := &cobra.Command{
		Use:   "mark YEAR SESSION UE MATRICULE VALUE [--activity TITLE] [--reason TEXT] [--if-match VERSION]",
		Short: "Record one mark or code on a grade sheet",
		Long: `mark records VALUE for one student: a mark ("12,5" or "12.5") or a code
(ABS, CM, ...), in any case; an empty VALUE ("") clears the entry. Without
--activity it is the UE mark; for a UE marked per activity, --activity names
the column. A correction on a sheet submitted once states --reason.

--if-match VERSION writes only if the entry is still at that version (0: the
slot is empty; "sheet show --json" shows each entry's version). If someone
changed it since, nothing is written, the current entry is printed and the
exit status is 1.`,
		Example: `  gradelog sheet mark 2025-2026 Q1 1/8 HE201001 14
  gradelog sheet mark 2025-2026 Q2 1/9 HE201001 12,5 --activity "Travaux pratiques"
  gradelog sheet mark 2025-2026 Q1 1/8 HE201001 15 --if-match 12 --reason "erreur d'encodage"`,
		Args: cobra.ExactArgs(5),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			path, err := sheetPath(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			mat := matriculeArg(args[3])
			rq := request{method: "PUT", path: path + "/entries/" + seg(mat),
				json: map[string]string{"value": args[4], "reason": reason, "authorised_by": authorisedBy}}
			if activity != "" {
				rq.query = url.Values{"activity": {activity}}
			}
			if ifMatch != "" {
				v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(strings.TrimSpace(ifMatch), "W/"), `"`), 10, 64)
				if err != nil {
					return fmt.Errorf("--if-match %q: want the entry version, a number such as 12", ifMatch)
				}
				rq.header = map[string]string{"If-Match": strconv.Quote(strconv.FormatUint(v, 10))}
			}
			var got handlers.Recorded
			resp, err := c.call(ctx, rq, &got)
			var ae *apiError
			if errors.As(err, &ae) && ae.status == http.StatusConflict {
				return c.conflict(ae)
			}
			if err != nil {
				return err
			}
			where := fmt.Sprintf("%s on %s, %s", mat, sheetName(args[0], args[1], args[2]), columnName(activity))
			version := strings.Trim(resp.header.Get("ETag"), `"`)
			for _, r := range got.Results {
				switch r.Outcome {
				case handlers.Unchanged:
					fmt.Fprintf(e.stdout, "%s: already %s; nothing written\n", where, r.Entry)
				default:
					fmt.Fprintf(e.stdout, "%s: %s %s (entry version %s)\n", where, r.Entry, r.Outcome, version)
				}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&activity, "activity", "", "activity title, for a UE marked per activity (default: the UE mark)")
	f.StringVar(&reason, "reason", "", "why a recorded value is corrected")
	f.StringVar(&authorisedBy, "authorised-by", "", "who authorised the correction (default: you)")
	f.StringVar(&ifMatch, "if-match", "", "write only if the entry is at this version (0: empty)")
	wf.bind(f)
	return cmd
}

// conflict shows a write refused because the entry changed: the problems,
// then the entry as it now stands.
func (c *client) conflict(ae *apiError) error {
	c.printError(ae)
	var cur handlers.EntryView
	if len(ae.Current) == 0 || json.Unmarshal(ae.Current, &cur) != nil {
		return exitError{1}
	}
	w := c.e.stderr
	if cur.Version == 0 {
		fmt.Fprintln(w, "current entry: empty; re-run with --if-match 0 to fill it")
		return exitError{1}
	}
	fmt.Fprintf(w, "current entry: %s, version %d, by %s on %s", cur.Entry, cur.Version, dash(cur.By), when(cur.At))
	if cur.Source != "" {
		fmt.Fprintf(w, " (%s)", cur.Source)
	}
	fmt.Fprintf(w, "\nre-run with --if-match %d to replace it\n", cur.Version)
	return exitError{1}
}

// sheetWrite is a command that posts to a sheet and prints a line.
func sheetWrite(e *env, cf *clientFlags, use, short, long, suffix string, nargs int, body func(args []string) (any, error),
	done func(args []string, resp []byte) string) *cobra.Command {
	var wf writeFlags
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ExactArgs(nargs),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			path, err := sheetPath(args[0], args[1], args[2])
			if err != nil {
				return err
			}
			rq := request{method: "POST", path: path + suffix}
			if body != nil {
				if rq.json, err = body(args); err != nil {
					return err
				}
			}
			resp, err := c.call(ctx, rq, nil)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, done(args, resp.body))
			return nil
		}),
	}
	wf.bind(cmd.Flags())
	return cmd
}

func decodeWritten(body []byte) written {
	var w written
	_ = json.Unmarshal(body, &w)
	return w
}

func newSheetOpenCmd(e *env, cf *clientFlags) *cobra.Command {
	return sheetWrite(e, cf, "open YEAR SESSION UE", "Open a sheet: carry the passed activity marks of earlier sessions onto it",
		`open records, on the sheet, the activity marks that pass from earlier
sessions of the year for every student due on it (a failed UE marked per
activity: the student re-sits only the failed activities). Opening again
carries only what is new.`, "/open", 3, nil,
		func(args []string, body []byte) string {
			w := decodeWritten(body)
			return fmt.Sprintf("%s opened: %d carried mark(s) recorded%s", sheetName(args[0], args[1], args[2]), w.Records, already(w))
		})
}

func newSheetSubmitCmd(e *env, cf *clientFlags) *cobra.Command {
	return sheetWrite(e, cf, "submit YEAR SESSION UE", "Submit a sheet: it takes no more marks until reopened",
		`submit hands the sheet in (its teacher or the secretariat). Missing entries
are counted and recorded; the secretariat recovers them by reopening.`, "/submit", 3, nil,
		func(args []string, body []byte) string {
			var s handlers.Submitted
			_ = json.Unmarshal(body, &s)
			return fmt.Sprintf("%s submitted with %d missing", sheetName(args[0], args[1], args[2]), s.Missing)
		})
}

func newSheetReopenCmd(e *env, cf *clientFlags) *cobra.Command {
	var reason string
	cmd := sheetWrite(e, cf, "reopen YEAR SESSION UE --reason TEXT", "Reopen a submitted sheet (secretariat)",
		`reopen lets a submitted sheet take marks again; the reason is recorded.`, "/reopen", 3,
		func([]string) (any, error) { return map[string]string{"reason": reason}, nil },
		func(args []string, body []byte) string {
			return fmt.Sprintf("%s reopened%s", sheetName(args[0], args[1], args[2]), already(decodeWritten(body)))
		})
	cmd.Flags().StringVar(&reason, "reason", "", "why the sheet is reopened")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

func newSheetExtendCmd(e *env, cf *clientFlags) *cobra.Command {
	var until, reason string
	var end time.Time
	cmd := sheetWrite(e, cf, "extend YEAR SESSION UE MATRICULE --until DATE --reason TEXT",
		"Give one student of a sheet a later encoding deadline (secretariat)",
		`extend gives one student a later deadline than the session's (a deferred
exam, say). --until is a day (YYYY-MM-DD: marks are accepted until the end
of that day, Europe/Brussels time) or an instant (RFC 3339).`, "/extensions", 4,
		func(args []string) (any, error) {
			var err error
			if end, err = untilOf(until); err != nil {
				return nil, err
			}
			return handlers.Extension{Student: matriculeArg(args[3]), Until: end, Reason: reason}, nil
		},
		func(args []string, body []byte) string {
			return fmt.Sprintf("%s: %s may be marked until %s%s", sheetName(args[0], args[1], args[2]), matriculeArg(args[3]),
				when(end), already(decodeWritten(body)))
		})
	cmd.Example = `  gradelog sheet extend 2025-2026 Q1 1/8 HE201001 --until 2026-02-10 --reason "examen reporté"`
	cmd.Flags().StringVar(&until, "until", "", "new deadline: YYYY-MM-DD (end of that day in Brussels) or RFC 3339")
	cmd.Flags().StringVar(&reason, "reason", "", "why the deadline is extended")
	_ = cmd.MarkFlagRequired("until")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}

// untilOf reads a deadline: a day is its last second in Brussels.
func untilOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseInLocation(time.DateOnly, s, brussels); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, brussels), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--until %q: want a day YYYY-MM-DD or an instant such as 2026-02-10T18:00:00+01:00", s)
}
