package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/events"
)

func newSessionCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("session", "Schedule and list the exam sessions of a year (HTTP API)",
		`session schedules the sessions of an academic year (Q1 in January, Q2 in
June, Q3 in August-September) and lists them. Marks are accepted until the
end of the encoding deadline day, Europe/Brussels time.`)
	cmd.AddCommand(newSessionScheduleCmd(e, cf), newSessionListCmd(e, cf))
	return cmd
}

// scheduleDates are the dates of a session, as given on the command line.
var scheduleDates = []struct{ flag, field, usage string }{
	{"exams-from", "exams_from", "first day of the exams"},
	{"exams-to", "exams_to", "last day of the exams"},
	{"encoding-deadline", "encoding_deadline", "last day marks are accepted"},
	{"deliberation", "deliberation", "day of the deliberation"},
	{"publication", "publication", "day the results are published"},
}

func newSessionScheduleCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	dates := make([]string, len(scheduleDates))
	cmd := &cobra.Command{
		Use:   "schedule YEAR SESSION [--exams-from DATE --exams-to DATE --encoding-deadline DATE --deliberation DATE --publication DATE]",
		Short: "Schedule (or reschedule) a session (secretariat)",
		Long: `schedule sets the calendar of a session. Without dates it takes the ones the
year's ruleset publishes; with dates, give all five (YYYY-MM-DD), in order:
exams, encoding deadline, deliberation, publication.`,
		Example: `  gradelog session schedule 2025-2026 Q1
  gradelog session schedule 2025-2026 Q3 --exams-from 2026-08-17 --exams-to 2026-09-04 \
      --encoding-deadline 2026-09-07 --deliberation 2026-09-09 --publication 2026-09-11`,
		Args: cobra.ExactArgs(2),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			year, session := args[0], sessionArg(args[1])
			body := map[string]string{}
			for i, d := range scheduleDates {
				if dates[i] == "" {
					continue
				}
				if _, err := time.Parse(time.DateOnly, dates[i]); err != nil {
					return fmt.Errorf("--%s %q: want a date YYYY-MM-DD", d.flag, dates[i])
				}
				body[d.field] = dates[i]
			}
			var got written
			path := "/api/v1/sessions/" + seg(year) + "/" + seg(session)
			if _, err := c.call(ctx, request{method: "PUT", path: path, json: body}, &got); err != nil {
				return err
			}
			if got.Records == 0 {
				fmt.Fprintf(e.stdout, "session %s %s already so scheduled\n", session, year)
			} else {
				fmt.Fprintf(e.stdout, "session %s %s scheduled%s\n", session, year, already(got))
			}
			sessions, err := listSessions(ctx, c, year, nil)
			if err != nil {
				return err
			}
			for _, s := range sessions {
				if s.Session == session {
					printSessions(e.stdout, []events.SessionScheduled{s})
				}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	for i, d := range scheduleDates {
		f.StringVar(&dates[i], d.flag, "", d.usage+" (YYYY-MM-DD)")
	}
	wf.bind(f)
	return cmd
}

func newSessionListCmd(e *env, cf *clientFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list YEAR",
		Short: "List the scheduled sessions of a year",
		Args:  cobra.ExactArgs(1),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			var raw []byte
			sessions, err := listSessions(ctx, c, args[0], &raw)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, raw)
			}
			if len(sessions) == 0 {
				fmt.Fprintf(e.stdout, "no session of %s is scheduled\n", args[0])
				return nil
			}
			printSessions(e.stdout, sessions)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the answer's JSON")
	return cmd
}

// listSessions reads the sessions of a year; raw, if not nil, gets the
// answer's body.
func listSessions(ctx context.Context, c *client, year string, raw *[]byte) ([]events.SessionScheduled, error) {
	var out struct {
		Sessions []events.SessionScheduled `json:"sessions"`
	}
	resp, err := c.call(ctx, request{method: "GET", path: "/api/v1/sessions/" + seg(year)}, &out)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		*raw = resp.body
	}
	return out.Sessions, nil
}

func printSessions(w io.Writer, sessions []events.SessionScheduled) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tEXAMS\tENCODING DEADLINE\tDELIBERATION\tPUBLICATION")
	for _, s := range sessions {
		fmt.Fprintf(tw, "%s\t%s to %s\t%s\t%s\t%s\n", s.Session, day(s.Starts), day(s.Ends), when(s.EncodingDeadline),
			day(s.DeliberationAt), day(s.PublicationAt))
	}
	tw.Flush()
}
