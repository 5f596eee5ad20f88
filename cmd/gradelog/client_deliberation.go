package main

// The jury commands: constituting a programme's jury, and deliberating a
// session (opening, decisions, closing, publication, minutes, replay,
// what-if) and its appeals.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// delibRef names one session's deliberation: PROGRAMME YEAR SESSION.
type delibRef struct{ programme, year, session string }

func delibRefOf(args []string) delibRef {
	return delibRef{programme: strings.TrimSpace(args[0]), year: strings.TrimSpace(args[1]), session: sessionArg(args[2])}
}

// String is how the server names a deliberation: "MIAS Q1 2025-2026".
func (r delibRef) String() string { return r.programme + " " + r.session + " " + r.year }

func (r delibRef) path() string {
	return "/api/v1/deliberations/" + seg(r.programme) + "/" + seg(r.year) + "/" + seg(r.session)
}

// args are the command-line arguments that name r.
func (r delibRef) args() string { return r.programme + " " + r.year + " " + r.session }

func juryPath(programme, year string) string {
	return "/api/v1/juries/" + seg(strings.TrimSpace(programme)) + "/" + seg(strings.TrimSpace(year))
}

// readFlags are the flags of a command that reads a view as text or JSON.
type readFlags struct {
	format      string
	minPosition uint64
}

func (rf *readFlags) bind(f *pflag.FlagSet) {
	f.StringVar(&rf.format, "format", "text", "format: text or json (the server's answer, indented)")
	f.Uint64Var(&rf.minPosition, "min-position", 0, "wait (up to 10 s) until the server's views hold this log position")
}

// json reports whether the answer is to be printed as JSON.
func (rf *readFlags) json() (bool, error) {
	switch strings.ToLower(strings.TrimSpace(rf.format)) {
	case "text", "":
		return false, nil
	case "json":
		return true, nil
	}
	return false, fmt.Errorf("--format %q: want text or json", rf.format)
}

func (rf *readFlags) query() url.Values {
	q := url.Values{}
	if rf.minPosition > 0 {
		q.Set("min_position", strconv.FormatUint(rf.minPosition, 10))
	}
	return q
}

// get reads a view into out, or prints its JSON when the format is json
// (then printed is true).
func (rf *readFlags) get(ctx context.Context, c *client, rq request, out any) (printed bool, err error) {
	asJSON, err := rf.json()
	if err != nil {
		return false, err
	}
	if rq.query == nil {
		rq.query = rf.query()
	}
	resp, err := c.call(ctx, rq, out)
	if err != nil {
		return false, err
	}
	if asJSON {
		return true, printJSON(c.e.stdout, resp.body)
	}
	return false, nil
}

// ---- jury ----

func newJuryCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("jury", "Constitute and show a programme's jury (HTTP API)",
		`jury constitutes the jury of a programme for an academic year (the
secretariat) and shows it. The jury deliberates every session of the year:
see "gradelog deliberation".`)
	cmd.AddCommand(newJuryConstituteCmd(e, cf), newJuryShowCmd(e, cf))
	return cmd
}

// juryFile is a jury's composition as written in a YAML or JSON file.
type juryFile struct {
	President string `yaml:"president" json:"president"`
	Secretary string `yaml:"secretary" json:"secretary"`
	Members   []struct {
		ID          string   `yaml:"id" json:"id"`
		Name        string   `yaml:"name" json:"name"`
		Institution string   `yaml:"institution" json:"institution"`
		Teaches     []string `yaml:"teaches" json:"teaches"`
	} `yaml:"members" json:"members"`
}

// readJuryFile reads a jury's composition: JSON if the name ends in
// .json, YAML otherwise. Unknown keys are errors (a misspelt "teaches"
// would silently weaken the quorum).
func readJuryFile(name string) (handlers.JuryInput, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return handlers.JuryInput{}, fmt.Errorf("--file: %w", err)
	}
	var jf juryFile
	if strings.EqualFold(filepath.Ext(name), ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(&jf)
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err = dec.Decode(&jf)
		if errors.Is(err, io.EOF) {
			err = errors.New("the file is empty")
		}
	}
	if err != nil {
		return handlers.JuryInput{}, fmt.Errorf("%s: %v (want president, secretary and members: [{id, name, institution, teaches: [UE codes]}])", name, err)
	}
	in := handlers.JuryInput{President: jf.President, Secretary: jf.Secretary, Members: []events.JuryMember{}}
	for _, m := range jf.Members {
		in.Members = append(in.Members, events.JuryMember{ID: m.ID, Name: m.Name, Institution: m.Institution, Teaches: m.Teaches})
	}
	return in, nil
}

func newJuryConstituteCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var file string
	cmd := &cobra.Command{
		Use:   "constitute PROGRAMME YEAR --file jury.yaml|jury.json",
		Short: "Constitute (or recompose) the jury of a programme for a year (secretariat)",
		Long: `constitute records the jury of PROGRAMME for YEAR from a file (YAML, or JSON
when its name ends in .json):

  president: prof.lenoir
  secretary: prof.marchal
  members:
    - id: prof.lenoir            # the id their sign-in (token) carries
      name: Claire Lenoir
      institution: HELMo         # an institution of the programme
      teaches: [1/8, 1/14]       # UEs they teach: the quorum counts them
    - ...

The ruleset sets the minimum number of members; the president and the
secretary are members, and a co-graduated programme's jury holds members
of every institution organising it. Constituting again with another
composition recomposes the jury; with the same, nothing is written.`,
		Example: `  gradelog jury constitute MIAS 2025-2026 --file jury-mias.yaml`,
		Args:    cobra.ExactArgs(2),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			in, err := readJuryFile(file)
			if err != nil {
				return err
			}
			var got written
			if _, err := c.call(ctx, request{method: "PUT", path: juryPath(args[0], args[1]), json: in}, &got); err != nil {
				return err
			}
			name := fmt.Sprintf("jury of %s %s", strings.TrimSpace(args[0]), strings.TrimSpace(args[1]))
			if got.Records == 0 {
				fmt.Fprintf(e.stdout, "%s already so constituted; nothing written\n", name)
			} else {
				fmt.Fprintf(e.stdout, "%s constituted%s (log position %d)\n", name, already(got), got.Position)
			}
			rq := request{method: "GET", path: juryPath(args[0], args[1])}
			if got.Position > 0 {
				rq.query = url.Values{"min_position": {strconv.FormatUint(got.Position, 10)}}
			}
			var j projections.JuryView
			if _, err := c.call(ctx, rq, &j); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "president %s, secretary %s, %d members (%s)\n\n", j.President, j.Secretary, len(j.Members), byInstitution(j.Members))
			printJury(e.stdout, j, nil)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the jury's composition, YAML or JSON (.json)")
	_ = cmd.MarkFlagRequired("file")
	wf.bind(cmd.Flags())
	return cmd
}

// byInstitution counts members per institution: "HELMo 3, HEPL 2".
func byInstitution(ms []events.JuryMember) string {
	var order []string
	n := map[string]int{}
	for _, m := range ms {
		if n[m.Institution] == 0 {
			order = append(order, m.Institution)
		}
		n[m.Institution]++
	}
	parts := make([]string, len(order))
	for i, inst := range order {
		parts[i] = fmt.Sprintf("%s %d", dash(inst), n[inst])
	}
	return strings.Join(parts, ", ")
}

func newJuryShowCmd(e *env, cf *clientFlags) *cobra.Command {
	var rf readFlags
	cmd := &cobra.Command{
		Use:   "show PROGRAMME YEAR [--format text|json]",
		Short: "Show the jury of a programme for a year",
		Long: `show prints the jury: each member's id, name, institution, role and the UEs
they teach.`,
		Example: `  gradelog jury show MIAS 2025-2026`,
		Args:    cobra.ExactArgs(2),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			var j projections.JuryView
			if printed, err := rf.get(ctx, c, request{method: "GET", path: juryPath(args[0], args[1])}, &j); printed || err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "jury of %s %s, constituted %s (log position %d)\n\n", j.Programme, j.Year, when(j.ConstitutedAt), j.Position)
			printJury(e.stdout, j, nil)
			return nil
		}),
	}
	rf.bind(cmd.Flags())
	return cmd
}

// printJury prints the members of a jury; present, if not nil, adds a
// column saying who sat.
func printJury(w io.Writer, j projections.JuryView, present []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "ID\tNAME\tINSTITUTION\tROLE\tTEACHES"
	if present != nil {
		head += "\tPRESENT"
	}
	fmt.Fprintln(tw, head)
	for _, m := range j.Members {
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s", m.ID, m.Name, m.Institution, roleOf(j, m.ID), dash(strings.Join(m.Teaches, ", ")))
		if present != nil {
			line += "\t" + map[bool]string{true: "yes", false: "no"}[slices.Contains(present, m.ID)]
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func roleOf(j projections.JuryView, id string) string {
	switch id {
	case j.President:
		return "president"
	case j.Secretary:
		return "secretary"
	}
	return "member"
}

// ---- deliberation ----

func newDeliberationCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("deliberation", "Deliberate a session: open, decide, close, publish, minutes, replay, what-if (HTTP API)",
		`deliberation works on the jury's deliberation of one session, named
PROGRAMME YEAR SESSION, e.g. MIAS 2025-2026 Q1. The jury's president (or
secretary) opens it with the members present, the members present decide
on every student of the session, the president or secretary closes it and
the results are published; after that, the session's marks are frozen and
only an upheld appeal ("gradelog appeal") leads to a new decision.`)
	cmd.AddCommand(newDeliberationShowCmd(e, cf), newDeliberationOpenCmd(e, cf), newDeliberationDecideCmd(e, cf),
		newDeliberationCloseCmd(e, cf), newDeliberationPublishCmd(e, cf), newDeliberationMinutesCmd(e, cf),
		newDeliberationReplayCmd(e, cf), newDeliberationWhatIfCmd(e, cf))
	return cmd
}

// deliberationView reads where a deliberation stands, at least at
// position (0: as the views hold it now).
func deliberationView(ctx context.Context, c *client, ref delibRef, position uint64) (projections.DeliberationView, error) {
	var v projections.DeliberationView
	rq := request{method: "GET", path: ref.path()}
	if position > 0 {
		rq.query = url.Values{"min_position": {strconv.FormatUint(position, 10)}}
	}
	_, err := c.call(ctx, rq, &v)
	return v, err
}

func newDeliberationShowCmd(e *env, cf *clientFlags) *cobra.Command {
	var rf readFlags
	cmd := &cobra.Command{
		Use:   "show PROGRAMME YEAR SESSION [--format text|json]",
		Short: "Show where a session's deliberation stands, student by student",
		Long: `show prints the deliberation's status (not-opened, open, closed, published),
who sat and the quorum, how many students are decided, then one line per
student of the session: the rules' proposal (with the UEs to deliberate
granted; "if refused" when refusing them gives another outcome), the UEs
to deliberate, and the decision in force. Appeals follow, if any.`,
		Example: `  gradelog deliberation show MIAS 2025-2026 Q1
  gradelog deliberation show MIAS 2025-2026 Q1 --format json`,
		Args: cobra.ExactArgs(3),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			var v projections.DeliberationView
			if printed, err := rf.get(ctx, c, request{method: "GET", path: delibRefOf(args).path()}, &v); printed || err != nil {
				return err
			}
			showDeliberation(e.stdout, v)
			return nil
		}),
	}
	rf.bind(cmd.Flags())
	return cmd
}

func showDeliberation(w io.Writer, v projections.DeliberationView) {
	fmt.Fprintf(w, "deliberation %s %s %s: %s\n", v.Programme, v.Session, v.Year, v.Status)
	if v.Jury != nil {
		fmt.Fprintf(w, "jury: president %s, secretary %s, %d members\n", v.Jury.President, v.Jury.Secretary, len(v.Jury.Members))
	} else {
		fmt.Fprintln(w, "jury: not constituted")
	}
	if o := v.Opened; o != nil {
		fmt.Fprintf(w, "opened %s by %s; present: %s\n", when(o.At), o.By, strings.Join(o.Present, ", "))
		fmt.Fprintf(w, "quorum: %s\n", quorumText(o.Quorum))
		if o.Override != "" {
			fmt.Fprintf(w, "opened with grade sheets not all submitted: %q\n", o.Override)
		}
	}
	if v.Closed != nil {
		fmt.Fprintf(w, "closed %s by %s\n", when(v.Closed.At), v.Closed.By)
	}
	if v.PublishedAt != nil {
		fmt.Fprintf(w, "results published %s\n", when(*v.PublishedAt))
		if v.Unpublished > 0 {
			fmt.Fprintf(w, "%d decision(s) taken since (after an appeal): publish the results again for students to see them\n", v.Unpublished)
		}
	}
	fmt.Fprintf(w, "%d student(s): %d decided, %d undecided\n\n", len(v.Students), v.Decided, v.Undecided)
	if len(v.Students) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "MATRICULE\tNAME\tYEAR AVG\tPROPOSED\tTO DELIBERATE\tSTATUS\tDECISION")
		for _, s := range v.Students {
			proposed := dash(s.Proposed)
			if s.IfRefused != "" && s.IfRefused != s.Proposed {
				proposed += " (if refused: " + s.IfRefused + ")"
			}
			avg := "-"
			if s.YearAverage != nil {
				avg = s.YearAverage.Mark.String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Student.Matricule, strings.TrimSpace(s.Student.LastName+" "+s.Student.FirstName),
				avg, proposed, dash(strings.Join(s.ToDeliberate, ", ")), s.Status, decisionText(s.Decision))
		}
		tw.Flush()
	}
	if len(v.Appeals) > 0 {
		fmt.Fprintln(w, "\nappeals:")
		printAppeals(w, v.Appeals)
	}
}

func quorumText(q events.Quorum) string {
	met := "met"
	if !q.Met {
		met = "NOT met"
	}
	return fmt.Sprintf("%s (%d present of the %d required)", met, q.Present, q.Required)
}

// decisionText is a decision in a table cell.
func decisionText(d *projections.Decision) string {
	if d == nil {
		return "-"
	}
	s := d.Outcome
	if d.Mention != "" {
		s += ", " + d.Mention
	}
	if len(d.Granted) > 0 {
		s += "; granted " + strings.Join(d.Granted, ", ")
	}
	return s
}

func printAppeals(w io.Writer, as []projections.AppealView) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTUDENT\tUE\tFILED\tSTATUS\tGROUNDS")
	for _, a := range as {
		status := a.Status
		if a.AnsweredBy != "" {
			status += ", answered"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Student, dash(a.UE), when(a.Filed.At), status, a.Grounds)
	}
	tw.Flush()
}

func newDeliberationOpenCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var present []string
	var override string
	cmd := &cobra.Command{
		Use:   "open PROGRAMME YEAR SESSION --present ID,ID,... [--override REASON]",
		Short: "Open a session's deliberation with the members present (president or secretary)",
		Long: `open records the opening of the deliberation: the members present (their
ids in the jury) and the quorum the server computes from them: more than
half of the members teaching a compulsory UE evaluated in the session, and
the president. While grade sheets of the session are not all submitted the
opening is refused, unless the president gives --override with the reason,
which the minutes record. A deliberation opens once.`,
		Example: `  gradelog deliberation open MIAS 2025-2026 Q1 --present prof.lenoir,prof.marchal,prof.dumont
  gradelog deliberation open MIAS 2025-2026 Q1 --present prof.lenoir,prof.marchal,prof.dumont \
      --override "feuille 1/12 en attente d'un certificat médical"`,
		Args: cobra.ExactArgs(3),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			ref := delibRefOf(args)
			var got written
			in := handlers.Opening{Present: trimAll(present), Override: strings.TrimSpace(override)}
			if _, err := c.call(ctx, request{method: "POST", path: ref.path() + "/open", json: in}, &got); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deliberation %s opened%s (log position %d)\n", ref, already(got), got.Position)
			v, err := deliberationView(ctx, c, ref, got.Position)
			if err != nil {
				return err
			}
			if o := v.Opened; o != nil {
				fmt.Fprintf(e.stdout, "present: %s; quorum %s\n", strings.Join(o.Present, ", "), quorumText(o.Quorum))
				if o.Override != "" {
					fmt.Fprintf(e.stdout, "opened with grade sheets not all submitted: %q\n", o.Override)
				}
			}
			fmt.Fprintf(e.stdout, "%d student(s) to decide\n", v.Undecided)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringSliceVar(&present, "present", nil, "ids of the members present (comma-separated or repeated)")
	f.StringVar(&override, "override", "", "the president's reason to open while grade sheets are not all submitted")
	_ = cmd.MarkFlagRequired("present")
	wf.bind(f)
	return cmd
}

func trimAll(ss []string) []string {
	out := []string{}
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseGrants reads --grant and --refuse values, UE=MOTIVATION.
func parseGrants(flag string, values []string, granted bool) ([]handlers.GrantInput, error) {
	var out []handlers.GrantInput
	for _, v := range values {
		ue, motivation, ok := strings.Cut(v, "=")
		ue = strings.TrimSpace(ue)
		if !ok || ue == "" {
			return nil, fmt.Errorf("--%s %q: want UE=MOTIVATION, e.g. --%s \"1/8=progression constante sur l'année\"", flag, v, flag)
		}
		out = append(out, handlers.GrantInput{UE: ue, Granted: granted, Motivation: strings.TrimSpace(motivation)})
	}
	return out, nil
}

func newDeliberationDecideCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var version, minPosition uint64
	var grants, refusals []string
	var mention, motivation string
	var cmd *cobra.Command
	cmd = &cobra.Command{
		Use: "decide PROGRAMME YEAR SESSION STUDENT [--version N] [--grant UE=MOTIVATION ...] [--refuse UE=MOTIVATION ...] " +
			"[--mention M] [--motivation TEXT]",
		Short: "Record the jury's decision on one student (a member present)",
		Long: `decide records the jury's decision on STUDENT. --version is the
record_version of the dossier the jury was shown ("gradelog dossier" or
"deliberation show --format json"): if the student's record changed since,
nothing is written and the command says the version it is now at. Without
--version, the dossier is read now and its version used (and printed).

Every UE proposed to deliberate is granted (--grant) or refused (--refuse),
each with its motivation; a UE below the pass mark outside the criteria may
be granted too. The outcome follows from the record and the grants. An
unfavourable outcome, a new decision on a student already decided, or a
mention other than the proposed one (the jury may raise it where the
ruleset allows) needs --motivation. A decision completing the cycle
confers the degree.`,
		Example: `  gradelog deliberation decide MIAS 2025-2026 Q1 HE201001
  gradelog deliberation decide MIAS 2025-2026 Q2 HE201002 --version 1842 \
      --grant "1/8=progression constante, note de 9/20" --refuse "1/12=travail non remis" \
      --motivation "ajourné : 1/12 à représenter en Q3"`,
		Args: cobra.ExactArgs(4),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			ref, student := delibRefOf(args), matriculeArg(args[3])
			in := handlers.DecisionInput{Student: student, RecordVersion: version, Mention: strings.TrimSpace(mention),
				Motivation: strings.TrimSpace(motivation)}
			g, err := parseGrants("grant", grants, true)
			if err != nil {
				return err
			}
			r, err := parseGrants("refuse", refusals, false)
			if err != nil {
				return err
			}
			in.Grants = append(g, r...)
			if !cmd.Flags().Changed("version") {
				d, err := readDossier(ctx, c, student, ref, minPosition)
				if err != nil {
					return err
				}
				in.RecordVersion = d.RecordVersion
				fmt.Fprintf(e.stdout, "no --version given: deciding on the dossier of %s as it stands now, record version %d (proposed: %s)\n",
					student, d.RecordVersion, proposalText(d.Proposal))
			}
			var got handlers.Decided
			_, err = c.call(ctx, request{method: "POST", path: ref.path() + "/decisions", json: in}, &got)
			var ae *apiError
			if errors.As(err, &ae) && ae.status == http.StatusConflict {
				return c.staleDossier(ae, ref, student)
			}
			if err != nil {
				return err
			}
			printDecided(e.stdout, ref, student, got)
			return nil
		}),
	}
	f := cmd.Flags()
	f.Uint64Var(&version, "version", 0, "record_version of the dossier the jury was shown (default: the dossier as it stands now)")
	f.StringArrayVar(&grants, "grant", nil, "grant the credits of a UE below the pass mark: UE=MOTIVATION (repeatable)")
	f.StringArrayVar(&refusals, "refuse", nil, "refuse the credits of a UE proposed to deliberate: UE=MOTIVATION (repeatable)")
	f.StringVar(&mention, "mention", "", "the degree's mention, when the decision completes the cycle (default: the proposed one)")
	f.StringVar(&motivation, "motivation", "", "the decision's motivation")
	f.Uint64Var(&minPosition, "min-position", 0, "without --version: wait until the server's views hold this log position before reading the dossier")
	wf.bind(f)
	return cmd
}

func readDossier(ctx context.Context, c *client, student string, ref delibRef, minPosition uint64) (projections.Dossier, error) {
	var d projections.Dossier
	rq := request{method: "GET", path: "/api/v1/students/" + seg(student) + "/dossiers/" + seg(ref.year) + "/" + seg(ref.session)}
	if minPosition > 0 {
		rq.query = url.Values{"min_position": {strconv.FormatUint(minPosition, 10)}}
	}
	_, err := c.call(ctx, rq, &d)
	return d, err
}

// proposalText is a proposal in a few words: "year-passed (if refused:
// in-progress; to deliberate: 1/8)".
func proposalText(p projections.ProposalView) string {
	s := dash(p.IfGranted)
	var more []string
	if p.Outcome != "" && p.Outcome != p.IfGranted {
		more = append(more, "if refused: "+p.Outcome)
	}
	var td []string
	for _, u := range p.UEs {
		if u.Status == rules.ToDeliberate {
			td = append(td, u.UE)
		}
	}
	if len(td) > 0 {
		more = append(more, "to deliberate: "+strings.Join(td, ", "))
	}
	if p.Mention != "" {
		more = append(more, "mention: "+p.Mention)
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, "; ") + ")"
	}
	return s
}

// staleDossier shows a decision refused because the student's record
// changed since the version named: the problems, then the dossier as it
// now stands (the error answer carries it).
func (c *client) staleDossier(ae *apiError, ref delibRef, student string) error {
	c.printError(ae)
	var d projections.Dossier
	if len(ae.Current) == 0 || json.Unmarshal(ae.Current, &d) != nil || d.RecordVersion == 0 {
		return exitError{1}
	}
	w := c.e.stderr
	fmt.Fprintf(w, "current dossier of %s: record version %d, proposed %s\n", student, d.RecordVersion, proposalText(d.Proposal))
	fmt.Fprintf(w, "nothing was written; look at it again (gradelog dossier %s %s %s) and re-run with --version %d\n",
		student, ref.year, ref.session, d.RecordVersion)
	return exitError{1}
}

func printDecided(w io.Writer, ref delibRef, student string, d handlers.Decided) {
	suffix := ""
	if d.AlreadyRecorded {
		suffix = " (already recorded by an earlier request with this idempotency key)"
	}
	fmt.Fprintf(w, "decision on %s in %s recorded%s (log position %d)\n", student, ref, suffix, d.Position)
	fmt.Fprintf(w, "outcome: %s (proposed: %s)\n", d.Outcome, dash(d.Proposed))
	if d.Mention != "" {
		fmt.Fprintf(w, "mention: %s\n", d.Mention)
	}
	if deg := d.Degree; deg != nil {
		fmt.Fprintf(w, "degree conferred: %s %s, cycle average %s, mention %s\n", deg.Programme, deg.Year, dash(deg.Average), dash(deg.Mention))
	}
	if d.Supersedes != "" {
		fmt.Fprintf(w, "supersedes decision %s (kept on record)\n", d.Supersedes)
	}
}

// delibWrite is a deliberation command that posts body and prints a line.
func delibWrite(e *env, cf *clientFlags, cmd *cobra.Command, suffix string, body func() (any, error),
	done func(ref delibRef, w written) string) *cobra.Command {
	var wf writeFlags
	cmd.Args = cobra.ExactArgs(3)
	cmd.RunE = cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
		ref := delibRefOf(args)
		rq := request{method: "POST", path: ref.path() + suffix, json: struct{}{}}
		if body != nil {
			var err error
			if rq.json, err = body(); err != nil {
				return err
			}
		}
		var got written
		if _, err := c.call(ctx, rq, &got); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, done(ref, got))
		return nil
	})
	wf.bind(cmd.Flags())
	return cmd
}

func newDeliberationCloseCmd(e *env, cf *clientFlags) *cobra.Command {
	return delibWrite(e, cf, &cobra.Command{
		Use:   "close PROGRAMME YEAR SESSION",
		Short: "Close a session's deliberation once every student is decided (president or secretary)",
		Long: `close ends the deliberation. It is refused while a student of the session
has no decision. The session's marks are frozen from then on: they change
only through a new decision after an upheld appeal.`,
		Example: `  gradelog deliberation close MIAS 2025-2026 Q1`,
	}, "/close", nil, func(ref delibRef, w written) string {
		return fmt.Sprintf("deliberation %s closed%s (log position %d); publish the results with \"gradelog deliberation publish %s\"",
			ref, already(w), w.Position, ref.args())
	})
}

func newDeliberationPublishCmd(e *env, cf *clientFlags) *cobra.Command {
	var at string
	return withFlags(delibWrite(e, cf, &cobra.Command{
		Use:   "publish PROGRAMME YEAR SESSION [--at DATE]",
		Short: "Publish a closed session's results (secretariat or the jury's president)",
		Long: `publish makes the results of a closed deliberation visible to the students
from --at on: a day (YYYY-MM-DD, its start in Europe/Brussels) or an
instant (RFC 3339); by default the calendar's publication date. The
appeal deadline runs from the publication. Results are published again
after a decision taken on an appeal.`,
		Example: `  gradelog deliberation publish MIAS 2025-2026 Q1
  gradelog deliberation publish MIAS 2025-2026 Q1 --at 2026-02-06`,
	}, "/publication", func() (any, error) {
		at = strings.TrimSpace(at)
		if at != "" {
			if err := checkAsOf(at); err != nil {
				return nil, fmt.Errorf("--at %q: want a day YYYY-MM-DD or an instant such as 2026-02-06T16:00:00+01:00", at)
			}
		}
		return map[string]string{"at": at}, nil
	}, func(ref delibRef, w written) string {
		if w.Records == 0 {
			return fmt.Sprintf("results of %s already so published; nothing written", ref)
		}
		return fmt.Sprintf("results of %s published%s (log position %d)", ref, already(w), w.Position)
	}), func(f *pflag.FlagSet) {
		f.StringVar(&at, "at", "", "when students see the results: YYYY-MM-DD or RFC 3339 (default: the calendar's publication date)")
	})
}

func withFlags(cmd *cobra.Command, bind func(*pflag.FlagSet)) *cobra.Command {
	bind(cmd.Flags())
	return cmd
}

func newDeliberationMinutesCmd(e *env, cf *clientFlags) *cobra.Command {
	spec := viewSpec{
		use:   "minutes PROGRAMME YEAR SESSION [--format json|pdf] [-o FILE]",
		short: "Show or write the minutes (procès-verbal) of a session's deliberation",
		long: `minutes prints the minutes of a deliberation: the jury and who sat, the
quorum, each decision as recorded (grants, motivation, how it departs from
the proposal), closing, publication and appeals. As JSON, or as the
printable PDF.`,
		example: `  gradelog deliberation minutes MIAS 2025-2026 Q1
  gradelog deliberation minutes MIAS 2025-2026 Q1 --format pdf -o pv-MIAS-Q1.pdf`,
		nargs: 3, formats: []string{"json", "pdf"},
		path: func(a []string) string { return delibRefOf(a).path() + "/minutes" },
		name: func(a []string) string { return "minutes of " + delibRefOf(a).String() },
	}
	cmd := &cobra.Command{Use: spec.use, Short: spec.short, Long: spec.long + "\n" + viewHelp + "\n" + outputHelp}
	bindView(e, cmd, cf, spec)
	return cmd
}

func newDeliberationReplayCmd(e *env, cf *clientFlags) *cobra.Command {
	var rf readFlags
	cmd := &cobra.Command{
		Use:   "replay PROGRAMME YEAR SESSION [--format text|json]",
		Short: "Replay a session's decisions, each with the dossier it was taken on",
		Long: `replay lists the decisions of the deliberation in the order they were
recorded, each with the student's dossier rebuilt from the log as it stood
just before: the decision against the proposal, its grants and
differences, whether the rebuilt dossier is the version the decision
names, and the student's decision at the previous session.`,
		Example: `  gradelog deliberation replay MIAS 2025-2026 Q1`,
		Args:    cobra.ExactArgs(3),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			var r projections.Replay
			if printed, err := rf.get(ctx, c, request{method: "GET", path: delibRefOf(args).path() + "/replay"}, &r); printed || err != nil {
				return err
			}
			showReplay(e.stdout, r)
			return nil
		}),
	}
	rf.bind(cmd.Flags())
	return cmd
}

func showReplay(w io.Writer, r projections.Replay) {
	fmt.Fprintf(w, "replay of the deliberation %s %s %s", r.Programme, r.Session, r.Year)
	if o := r.Opened; o != nil {
		fmt.Fprintf(w, ", opened %s by %s (present: %s)", when(o.At), o.By, strings.Join(o.Present, ", "))
	}
	fmt.Fprintf(w, "\n%d decision(s), rebuilt from the log up to position %d\n", len(r.Steps), r.Position)
	for _, s := range r.Steps {
		d := s.Decision
		fmt.Fprintf(w, "\n#%d  %s  %s %s  by %s (log position %d)\n", s.Index, when(d.At), d.Student.Matricule,
			strings.TrimSpace(d.Student.LastName+" "+d.Student.FirstName), d.By, d.Position)
		outcome := d.Outcome
		if d.Mention != "" {
			outcome += ", " + d.Mention
		}
		fmt.Fprintf(w, "    decision: %s (proposed: %s)\n", outcome, dash(d.Proposed))
		for _, g := range d.Grants {
			verb := "refused"
			if g.Granted {
				verb = "granted"
			}
			fmt.Fprintf(w, "    %s %s (mark %s, %s): %s\n", verb, g.UE, dash(g.Mark), g.Basis, g.Motivation)
		}
		if d.Motivation != "" {
			fmt.Fprintf(w, "    motivation: %s\n", d.Motivation)
		}
		fmt.Fprintf(w, "    differences from the proposal: %s\n", differencesText(d.Differences, "none"))
		match := "matches"
		if !s.VersionMatches {
			match = fmt.Sprintf("DOES NOT MATCH: the dossier rebuilt is at version %d", s.Dossier.RecordVersion)
		}
		fmt.Fprintf(w, "    dossier version %d (%s)\n", d.RecordVersion, match)
		switch {
		case s.Previous != nil:
			fmt.Fprintf(w, "    previous decision: %s %s %s; change: %s\n", s.Previous.Session, s.Previous.Year, decisionText(s.Previous), dash(s.Change))
		case r.PreviousSession != "":
			fmt.Fprintf(w, "    previous decision: none at %s\n", r.PreviousSession)
		default:
			fmt.Fprintln(w, "    previous decision: none in an earlier year")
		}
		if d.SupersededBy != "" {
			fmt.Fprintf(w, "    superseded by decision %s\n", d.SupersededBy)
		}
	}
}

// differencesText lists differences: "outcome: a -> b; status 1/8: x -> y".
func differencesText(ds []projections.Difference, none string) string {
	if len(ds) == 0 {
		return none
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		what := d.What
		if d.UE != "" {
			what += " " + d.UE
		}
		parts[i] = fmt.Sprintf("%s: %s -> %s", what, dash(d.From), dash(d.To))
	}
	return strings.Join(parts, "; ")
}

// parseChange reads --set STUDENT:UE[:ACTIVITY]=VALUE.
func parseChange(s string) (projections.Change, error) {
	ch, ok := projections.ParseChange(s)
	if !ok {
		return projections.Change{}, fmt.Errorf("--set %q: want STUDENT:UE[:ACTIVITY]=VALUE, e.g. --set HE201001:1/8=11 or --set \"HE201001:1/9:Travaux pratiques=12,5\" (an empty VALUE clears the result)", s)
	}
	return ch, nil
}

func newDeliberationWhatIfCmd(e *env, cf *clientFlags) *cobra.Command {
	var rf readFlags
	var sets, students []string
	var all bool
	var maxDeficit, minAverage string
	var maxFailed int
	cmd := &cobra.Command{
		Use: "what-if PROGRAMME YEAR SESSION [--set STUDENT:UE[:ACTIVITY]=VALUE ...] [--student M ...] [--all] " +
			"[--max-deficit X] [--max-failed-credits N] [--min-year-average X]",
		Short: "Show how proposals would change with other results or criteria; nothing is written",
		Long: `what-if computes the proposals of the session under a hypothesis and shows
them beside the real ones: other results (--set, checked like an entry on
a grade sheet; an empty VALUE clears the result), and/or other
deliberation criteria (--max-deficit, --max-failed-credits,
--min-year-average; a criterion not given keeps the ruleset's value). It shows the students the changes
touch, those named with --student, or every student of the session with
--all (a change of criteria shows them all). Nothing is written: the
record and the decisions stay as they are.`,
		Example: `  gradelog deliberation what-if MIAS 2025-2026 Q1 --set HE201001:1/8=10
  gradelog deliberation what-if MIAS 2025-2026 Q1 --max-deficit 3`,
		Args: cobra.ExactArgs(3),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			in := handlers.WhatIfInput{All: all, Students: []string{}}
			for _, s := range sets {
				ch, err := parseChange(s)
				if err != nil {
					return err
				}
				in.Changes = append(in.Changes, ch)
			}
			for _, m := range trimAll(students) {
				in.Students = append(in.Students, matriculeArg(m))
			}
			crit, err := criteriaOf(maxDeficit, maxFailed, minAverage)
			if err != nil {
				return err
			}
			in.Criteria = crit
			if len(in.Changes) == 0 && len(in.Students) == 0 && !all && crit == nil {
				return errors.New("state a hypothesis: --set, --student, --all or a criteria flag")
			}
			var v projections.WhatIfView
			rq := request{method: "POST", path: delibRefOf(args).path() + "/what-if", json: in}
			if printed, err := rf.get(ctx, c, rq, &v); printed || err != nil {
				return err
			}
			showWhatIf(e.stdout, v)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringArrayVar(&sets, "set", nil, "a hypothetical result: STUDENT:UE[:ACTIVITY]=VALUE (repeatable)")
	f.StringSliceVar(&students, "student", nil, "also show this student (repeatable, or comma-separated)")
	f.BoolVar(&all, "all", false, "show every student of the session")
	f.StringVar(&maxDeficit, "max-deficit", "", "criteria: the largest deficit below the pass mark a UE to deliberate may have")
	f.IntVar(&maxFailed, "max-failed-credits", -1, "criteria: the most credits of the year not acquired")
	f.StringVar(&minAverage, "min-year-average", "", "criteria: the lowest year average")
	rf.bind(f)
	return cmd
}

// criteriaOf reads the criteria flags: nil when none is given; a
// criterion not given keeps the ruleset's value.
func criteriaOf(maxDeficit string, maxFailed int, minAverage string) (*handlers.Criteria, error) {
	if maxDeficit == "" && maxFailed < 0 && minAverage == "" {
		return nil, nil
	}
	var crit handlers.Criteria
	for _, m := range []struct {
		flag, value string
		into        **rules.Mark
	}{{"--max-deficit", maxDeficit, &crit.MaxDeficit}, {"--min-year-average", minAverage, &crit.MinYearAverage}} {
		if m.value == "" {
			continue
		}
		v, err := rules.ParseMark(m.value)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %v", m.flag, m.value, err)
		}
		*m.into = &v
	}
	if maxFailed >= 0 {
		crit.MaxFailedCredits = &maxFailed
	}
	return &crit, nil
}

const nothingWritten = "nothing was written: this is a hypothesis; the record and the decisions are unchanged"

func showWhatIf(w io.Writer, v projections.WhatIfView) {
	fmt.Fprintf(w, "what-if on the deliberation %s %s %s", v.Programme, v.Session, v.Year)
	if v.Criteria != "" {
		fmt.Fprintf(w, " with the criteria %s", v.Criteria)
	}
	fmt.Fprintf(w, ": %d of %d student(s) would change\n", v.Changed, len(v.Students))
	for _, s := range v.Students {
		fmt.Fprintf(w, "\n%s %s\n", s.Student.Matricule, strings.TrimSpace(s.Student.LastName+" "+s.Student.FirstName))
		for _, ch := range s.Changes {
			what := ch.UE
			if ch.Activity != "" {
				what += " " + ch.Activity
			}
			if ch.Session != "" {
				what += " (" + ch.Session + ")"
			}
			value := ch.Value
			if value == "" {
				value = "(cleared)"
			}
			fmt.Fprintf(w, "    if %s = %s\n", what, value)
		}
		fmt.Fprintf(w, "    before: %s%s\n", proposalText(s.Before), averageOf(s.Before))
		fmt.Fprintf(w, "    after:  %s%s\n", proposalText(s.After), averageOf(s.After))
		fmt.Fprintf(w, "    differences: %s\n", differencesText(s.Differences, "none"))
	}
	fmt.Fprintln(w, "\n"+nothingWritten)
}

func averageOf(p projections.ProposalView) string {
	if p.YearAverage == nil {
		return ""
	}
	return ", year average " + p.YearAverage.Mark.String()
}

// ---- appeal ----

func newAppealCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("appeal", "File and decide appeals against a session's results (HTTP API)",
		`appeal files a student's appeal (recours) against their decision of a
session, within the ruleset's deadline after the publication of the
results (the student or the secretariat), and records the jury
president's decision on it. An upheld appeal reopens the student's case:
the jury records a new decision ("gradelog deliberation decide"), which
supersedes the old one.`)
	cmd.AddCommand(newAppealFileCmd(e, cf), newAppealDecideCmd(e, cf))
	return cmd
}

func newAppealFileCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var grounds, ue string
	cmd := &cobra.Command{
		Use:   "file PROGRAMME YEAR SESSION STUDENT --grounds TEXT [--ue UE]",
		Short: "File a student's appeal against their decision of a session",
		Long: `file records an appeal: its grounds (the irregularity in how the
evaluation was run) and, optionally, the UE whose evaluation is contested.
It prints the appeal's id, which "appeal decide" names.`,
		Example: `  gradelog appeal file MIAS 2025-2026 Q1 HE201001 --ue 1/8 --grounds "copie non corrigée en entier"`,
		Args:    cobra.ExactArgs(4),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			ref, student := delibRefOf(args[:3]), matriculeArg(args[3])
			in := handlers.AppealInput{Student: student, UE: strings.TrimSpace(ue), Grounds: strings.TrimSpace(grounds)}
			var got written
			if _, err := c.call(ctx, request{method: "POST", path: ref.path() + "/appeals", json: in}, &got); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "appeal %s filed for %s against their decision in %s%s (log position %d)\n", got.ID, student, ref, already(got), got.Position)
			fmt.Fprintf(e.stdout, "the jury's president decides it: gradelog appeal decide %s %s --upheld|--rejected --motivation TEXT\n", ref.args(), got.ID)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&grounds, "grounds", "", "the grounds of the appeal")
	f.StringVar(&ue, "ue", "", "the UE whose evaluation is contested, if one")
	_ = cmd.MarkFlagRequired("grounds")
	wf.bind(f)
	return cmd
}

func newAppealDecideCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var upheld, rejected bool
	var motivation string
	cmd := &cobra.Command{
		Use:   "decide PROGRAMME YEAR SESSION APPEAL_ID --upheld|--rejected --motivation TEXT",
		Short: "Decide an appeal, upheld or rejected, with a motivation (the jury's president)",
		Long: `decide records the president's decision on an appeal. An upheld appeal lets
the jury correct the student's marks of the session and record a new
decision; a rejected one leaves the decision as it is.`,
		Example: `  gradelog appeal decide MIAS 2025-2026 Q1 0b6f... --upheld --motivation "la question 3 n'a pas été corrigée"`,
		Args:    cobra.ExactArgs(4),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			ref, id := delibRefOf(args[:3]), strings.TrimSpace(args[3])
			in := handlers.AppealVerdict{Upheld: upheld, Motivation: strings.TrimSpace(motivation)}
			var got written
			if _, err := c.call(ctx, request{method: "POST", path: ref.path() + "/appeals/" + seg(id) + "/decision", json: in}, &got); err != nil {
				return err
			}
			verdict := "rejected"
			if upheld {
				verdict = "upheld"
			}
			fmt.Fprintf(e.stdout, "appeal %s %s%s (log position %d)\n", id, verdict, already(got), got.Position)
			if upheld {
				fmt.Fprintf(e.stdout, "the jury may now correct the student's marks of %s and record a new decision (gradelog deliberation decide %s STUDENT --motivation TEXT)\n",
					ref.session, ref.args())
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&upheld, "upheld", false, "the appeal is upheld")
	f.BoolVar(&rejected, "rejected", false, "the appeal is rejected")
	f.StringVar(&motivation, "motivation", "", "why (required, upheld or not)")
	cmd.MarkFlagsMutuallyExclusive("upheld", "rejected")
	cmd.MarkFlagsOneRequired("upheld", "rejected")
	_ = cmd.MarkFlagRequired("motivation")
	wf.bind(f)
	return cmd
}
