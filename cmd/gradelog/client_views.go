package main

// The view commands read what the projections answer: a student's
// transcript, credit ledger, readiness, history and deliberation dossier,
// and the status of a session's grade sheets.

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// viewTypes are the content types of the view formats.
var viewTypes = map[string]string{
	"json": "application/json",
	"csv":  "text/csv",
	"pdf":  "application/pdf",
	"zip":  "application/zip",
}

// viewSpec describes one view command.
type viewSpec struct {
	use, short, long, example string
	nargs                     int
	formats                   []string // the first is the default
	student                   bool     // a student's view: --as-of and --as-of-position apply
	params                    []param  // further flags, each a query parameter
	path                      func(args []string) string
	name                      func(args []string) string // for messages: "transcript 2025-2026 of HE201001"
}

const viewHelp = `
By default the view is read as the server holds it now. --min-position N
waits (up to 10 s) until the server's views hold log position N, the
position a write answered, so a read never misses one's own write.`

const asOfHelp = `
--as-of and --as-of-position rebuild the view from the log as it stood at
a past moment instead: --as-of takes a day (YYYY-MM-DD) or an instant
(RFC 3339, e.g. 2026-02-03T12:00:00+01:00); --as-of-position a log
position. Both may be given: the record must pass both bounds.`

const outputHelp = `
The view is printed on stdout (JSON indented) unless -o names a file; an
existing file is not overwritten without --force. A PDF is written only to
a file named with -o ("-o -" writes it on stdout).`

// param is a string flag of a view command sent as a query parameter.
type param struct{ flag, query, usage string }

// juryParams bound a student's view to a jury decision.
var juryParams = []param{
	{"as-of-deliberation", "as_of_deliberation", "rebuild the view as the jury saw it when it took the student's decision in force at this deliberation (YEAR/SESSION)"},
	{"as-of-decision", "as_of_decision", "rebuild the view as the jury saw it when it took this decision (its id)"},
}

// newViewCmds returns the top-level view commands.
func newViewCmds(e *env) []*cobra.Command {
	student := func(mat string) string { return "/api/v1/students/" + seg(matriculeArg(mat)) }
	specs := []viewSpec{{
		use:   "transcript MATRICULE YEAR [--format json|csv|pdf] [-o FILE] [--as-of T] [--as-of-position N]",
		short: "Show a student's transcript (relevé de notes) for an academic year",
		long: `transcript prints a student's transcript for YEAR: each UE of the PAE with its
credits, the sittings of every session (activity results, carried marks,
codes), the UE mark that counts and its status, the credits by how they were
acquired, the year and cycle averages, the jury decisions and the degree.
As JSON, CSV (one line per UE) or PDF (the printable transcript).`,
		example: `  gradelog transcript HE201001 2025-2026
  gradelog transcript HE201001 2025-2026 --format pdf -o releve-HE201001.pdf
  gradelog transcript HE201001 2025-2026 --as-of 2026-02-03`,
		nargs: 2, formats: []string{"json", "csv", "pdf"}, student: true,
		path: func(a []string) string { return student(a[0]) + "/transcripts/" + seg(strings.TrimSpace(a[1])) },
		name: func(a []string) string {
			return fmt.Sprintf("transcript %s of %s", strings.TrimSpace(a[1]), matriculeArg(a[0]))
		},
	}, {
		use:   "ledger MATRICULE [--format json|csv] [-o FILE] [--as-of T] [--as-of-position N]",
		short: "Show a student's credit ledger over the cycle",
		long: `ledger prints where a student's credits stand over the whole cycle: per bloc
and for the cycle, the credits acquired by mark, deliberated and recognised,
and those remaining; the admission complements; the funding counters
(credits to acquire within so many years); and every UE with the year and
session its credits were acquired in.`,
		example: `  gradelog ledger HE201001
  gradelog ledger HE201001 --format csv -o credits-HE201001.csv`,
		nargs: 1, formats: []string{"json", "csv"}, student: true,
		path: func(a []string) string { return student(a[0]) + "/ledger" },
		name: func(a []string) string { return "credit ledger of " + matriculeArg(a[0]) },
	}, {
		use:   "readiness MATRICULE [--format json|csv] [-o FILE] [--as-of T] [--as-of-position N]",
		short: "Show which UEs a student may take next year (prerequisites)",
		long: `readiness prints, for every UE of the programme, whether the student's
credits so far satisfy its prerequisites and co-requisites for next year's
PAE, what is missing otherwise, and whether the student is at the end of
the cycle (when the jury may waive a prerequisite).`,
		example: `  gradelog readiness HE201001`,
		nargs:   1, formats: []string{"json", "csv"}, student: true,
		path: func(a []string) string { return student(a[0]) + "/readiness" },
		name: func(a []string) string { return "readiness of " + matriculeArg(a[0]) },
	}, {
		use:   "history MATRICULE [--year Y] [--ue UE] [--kind K] [--format json|csv|pdf] [-o FILE] [--as-of T] [--as-of-position N]",
		short: "Show every recorded fact about a student, in log order",
		long: `history prints every record about a student, read from the log: its
position and time, what it records, who recorded it and why (the command
and the correlation that caused it), the previous and new value, and the
hashes that chain it to the records before it. --year, --ue and --kind
keep the facts of one academic year, one UE, or one kind (an event type
such as mark.corrected, or its family such as mark). --format pdf prints
the report for auditors.`,
		example: `  gradelog history HE201001
  gradelog history HE201001 --ue 1/12 --kind mark
  gradelog history HE201001 --format pdf -o historique-HE201001.pdf
  gradelog history HE201001 --format csv -o history-HE201001.csv`,
		nargs: 1, formats: []string{"json", "csv", "pdf"}, student: true,
		params: []param{
			{"year", "year", "keep the facts of this academic year"},
			{"ue", "ue", "keep the facts about this UE"},
			{"kind", "kind", "keep the facts of this kind: an event type (mark.corrected) or family (mark)"},
		},
		path: func(a []string) string { return student(a[0]) + "/history" },
		name: func(a []string) string { return "history of " + matriculeArg(a[0]) },
	}, {
		use:   "dossier MATRICULE YEAR SESSION [-o FILE] [--as-of T] [--as-of-position N]",
		short: "Show a student's deliberation dossier for a session (jury, secretariat, auditors)",
		long: `dossier prints what the jury reads for one student at one session: the PAE,
every UE with its results, the rules' proposal (credits acquired, to
deliberate and failed, averages, outcome, mention) and the decisions taken
so far. Its record_version is what a decision taken on it names.`,
		example: `  gradelog dossier HE201001 2025-2026 Q1`,
		nargs:   3, formats: []string{"json"}, student: true,
		path: func(a []string) string {
			return student(a[0]) + "/dossiers/" + seg(strings.TrimSpace(a[1])) + "/" + seg(sessionArg(a[2]))
		},
		name: func(a []string) string {
			return fmt.Sprintf("dossier %s %s of %s", sessionArg(a[2]), strings.TrimSpace(a[1]), matriculeArg(a[0]))
		},
	}, {
		use:   "diff MATRICULE [--from T | --from-position N] [--to T | --to-position N]",
		short: "Show what changed in a student's record between two moments, by whom and why",
		long: `diff compares a student's transcripts and credit ledger as they stood at two
moments, and lists the facts recorded in between (who, when, why); each
change names the facts that explain it. Bounds are days (YYYY-MM-DD),
instants (RFC 3339) or log positions; a missing --to is now.`,
		example: `  gradelog diff HE201001 --from 2026-06-20 --to 2026-07-10
  gradelog diff HE201001 --from-position 1200`,
		nargs: 1, formats: []string{"json"},
		params: []param{
			{"from", "from", "the earlier moment: a day or an instant"},
			{"from-position", "from_position", "the earlier moment: a log position"},
			{"to", "to", "the later moment: a day or an instant (default: now)"},
			{"to-position", "to_position", "the later moment: a log position"},
		},
		path: func(a []string) string { return student(a[0]) + "/diff" },
		name: func(a []string) string { return "diff of " + matriculeArg(a[0]) },
	}, {
		use:   "bundle MATRICULE -o FILE",
		short: "Export a student's audit bundle, to verify offline with gradelog verify --bundle",
		long: `bundle exports, for auditors, every aggregate that may hold a fact about
the student (their own record, the grade sheets of their programmes' UEs,
their programmes' juries and deliberations, the year's documents), whole
and as stored, with the report of their history (PDF). "gradelog verify
--bundle FILE --heads HEADS" checks it without a server and without
trusting whoever exported it.

The grade sheets and deliberations are whole: the bundle holds the other
students' records on them too, since a hash chain can only be checked
whole. Handle it as the personal data of all of them.`,
		example: `  gradelog bundle HE201001 -o audit-HE201001.zip`,
		nargs:   1, formats: []string{"zip"},
		path: func(a []string) string { return student(a[0]) + "/bundle" },
		name: func(a []string) string { return "audit bundle of " + matriculeArg(a[0]) },
	}, {
		use:   "refusals [--day YYYY-MM-DD]",
		short: "List the attempts refused for want of a right on one day (auditors, secretariat)",
		long: `refusals lists the requests refused because their author lacked the right
(an auditor's write, a teacher marking another's UE, a student reading
another's record): who, when, what and on what, and the rule that refused
it. Each refusal is a security fact in the event log.`,
		example: `  gradelog refusals --day 2026-06-30`,
		nargs:   0, formats: []string{"json"},
		params: []param{{"day", "day", "the day (YYYY-MM-DD, Brussels; default: today)"}},
		path:   func([]string) string { return "/api/v1/audit/refusals" },
		name:   func([]string) string { return "refused attempts" },
	}}
	var cmds []*cobra.Command
	for _, spec := range specs {
		cmd, cf := newClientGroup(spec.use, spec.short, spec.long+"\n"+viewHelp+"\n"+asOfHelp+"\n"+outputHelp)
		bindView(e, cmd, cf, spec)
		cmds = append(cmds, cmd)
	}
	return cmds
}

// newSheetStatusCmd is "sheet status". It goes under the sheet group,
// whose --server, --token and -v it reads when it runs.
func newSheetStatusCmd(e *env, cf *clientFlags) *cobra.Command {
	spec := viewSpec{
		use:   "status YEAR SESSION [--format json|csv] [-o FILE]",
		short: "Show where every grade sheet of a session stands",
		long: `status prints, for every grade sheet of the session, its status (empty,
draft, submitted, reopened), its deadline, how many students are due on it,
how many have every result entered and which are still missing, who
recorded the entries, and its submissions and reopenings. A teacher sees the
sheets of their own UEs.`,
		example: `  gradelog sheet status 2025-2026 Q1
  gradelog sheet status 2025-2026 Q1 --format csv -o sheets-Q1.csv`,
		nargs: 2, formats: []string{"json", "csv"},
		path: func(a []string) string {
			return "/api/v1/sessions/" + seg(strings.TrimSpace(a[0])) + "/" + seg(sessionArg(a[1])) + "/sheets"
		},
		name: func(a []string) string {
			return fmt.Sprintf("sheet status of %s %s", sessionArg(a[1]), strings.TrimSpace(a[0]))
		},
	}
	cmd := &cobra.Command{Use: spec.use, Short: spec.short, Long: spec.long + "\n" + viewHelp + "\n" + outputHelp}
	bindView(e, cmd, cf, spec)
	return cmd
}

// viewFlags are the flags of a view command.
type viewFlags struct {
	format, output string
	force          bool
	minPosition    uint64
	asOf           string
	asOfPosition   uint64
	params         map[string]*string // query parameter -> flag value
}

// bindView makes cmd the view command of spec.
func bindView(e *env, cmd *cobra.Command, cf *clientFlags, spec viewSpec) {
	var vf viewFlags
	cmd.Args = cobra.ExactArgs(spec.nargs)
	cmd.Example = spec.example
	cmd.RunE = cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
		return readView(ctx, e, c, spec, vf, args)
	})
	f := cmd.Flags()
	if len(spec.formats) > 1 {
		f.StringVar(&vf.format, "format", spec.formats[0], "format: "+strings.Join(spec.formats, ", "))
	} else {
		vf.format = spec.formats[0]
	}
	f.StringVarP(&vf.output, "output", "o", "", `file to write (default: stdout; "-": stdout)`)
	f.BoolVar(&vf.force, "force", false, "overwrite an existing file")
	f.Uint64Var(&vf.minPosition, "min-position", 0, "wait until the server's views hold this log position")
	params := spec.params
	if spec.student {
		f.StringVar(&vf.asOf, "as-of", "", "rebuild the view as it stood at this day (YYYY-MM-DD) or instant (RFC 3339)")
		f.Uint64Var(&vf.asOfPosition, "as-of-position", 0, "rebuild the view as it stood at this log position")
		params = append(slices.Clone(params), juryParams...)
	}
	vf.params = map[string]*string{}
	for _, p := range params {
		vf.params[p.query] = f.String(p.flag, "", p.usage)
	}
}

// readView reads one view and prints or writes it.
func readView(ctx context.Context, e *env, c *client, spec viewSpec, vf viewFlags, args []string) error {
	format := strings.ToLower(strings.TrimSpace(vf.format))
	if !slices.Contains(spec.formats, format) {
		return fmt.Errorf("--format %q: want %s", vf.format, strings.Join(spec.formats, " or "))
	}
	if (format == "pdf" || format == "zip") && vf.output == "" {
		return fmt.Errorf("the %s is a binary file: name it with -o FILE (-o - writes it on stdout)", format)
	}
	q := url.Values{}
	for name, v := range vf.params {
		if s := strings.TrimSpace(*v); s != "" {
			q.Set(name, s)
		}
	}
	if format != "json" && len(spec.formats) > 1 {
		q.Set("format", format)
	}
	if vf.minPosition > 0 {
		q.Set("min_position", strconv.FormatUint(vf.minPosition, 10))
	}
	if vf.asOfPosition > 0 {
		q.Set("as_of_position", strconv.FormatUint(vf.asOfPosition, 10))
	}
	if s := strings.TrimSpace(vf.asOf); s != "" {
		if err := checkAsOf(s); err != nil {
			return err
		}
		q.Set("as_of", s)
	}
	rq := request{method: "GET", path: spec.path(args), query: q, header: map[string]string{"Accept": viewTypes[format]}}
	resp, err := c.call(ctx, rq, nil)
	if err != nil {
		return err
	}
	// A server that does not know the format would answer JSON: never
	// write that under a .csv or .pdf name.
	if mt, _, _ := mime.ParseMediaType(resp.header.Get("Content-Type")); format != "json" && mt == viewTypes["json"] {
		return fmt.Errorf("GET %s: asked for %s, the server answered JSON (is it older than this client?)", rq.path, format)
	}
	body := resp.body
	if format == "json" {
		var buf bytes.Buffer
		if err := printJSON(&buf, body); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	if vf.output == "" || vf.output == "-" {
		_, err := e.stdout.Write(body)
		return err
	}
	if err := writeNewFile(vf.output, vf.force, body); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s written (%s, %s, %d bytes)\n", vf.output, spec.name(args), format, len(body))
	return nil
}

// checkAsOf refuses an --as-of that is neither a day nor an instant.
func checkAsOf(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return nil
	}
	return fmt.Errorf("--as-of %q: want a day YYYY-MM-DD or an instant such as 2026-02-03T12:00:00+01:00", s)
}
