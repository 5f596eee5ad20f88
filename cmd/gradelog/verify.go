package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/audit"
)

// verifyFlags are the flags of gradelog verify.
type verifyFlags struct {
	log      logFlags
	student  string
	bundle   string
	heads    string
	headsOut string
	json     bool
}

func newVerifyCmd(e *env) *cobra.Command {
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [--data DIR | --nats URL] [--student M] [--heads FILE] [--heads-out FILE] | verify --bundle FILE [--heads FILE]",
		Short: "Verify the event log's hash chains, or a student's audit bundle offline",
		Long: `verify reads the event log's stored bytes, recomputes the hash chain of
every aggregate (or of the aggregates that may hold facts about --student),
reports every break with its position and aggregate, and checks that the
store is configured append-only. The log is opened as serve opens it
(--data, --nats and the other NATS flags); the embedded server cannot
share its --data with a running serve.

--heads FILE compares the log with heads published earlier: every chain must
still hold exactly the records it held then. This catches what no chain
can show by itself: the last records of a chain altered or dropped, or a
log cut short or restored from an old backup.

--heads-out FILE writes the heads of a whole log found intact: where each
chain stands, and a digest of them all. Publish the digest (in the minutes
of a deliberation, on the institution's site) and keep the file: it is
what auditors check bundles and later verifications against.

--bundle FILE verifies a student's audit bundle (exported by the server)
without a server and without trusting whoever exported it: every record's
bytes against its hash, every chain whole from its first record, the
report against the records. With --heads, every chain must pass through
its published head and no aggregate of the student's scope may be missing:
only then is the bundle the institution's record, and not merely
consistent.

The exit status is 0 only when everything verified; 1 otherwise.`,
		Example: `  gradelog verify --data /var/lib/gradelog --heads-out heads-2026-07-01.json
  gradelog verify --data /var/lib/gradelog --student HE201001
  gradelog verify --bundle audit-HE201001.zip --heads heads-2026-07-01.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var heads *audit.Heads
			if vf.heads != "" {
				h, err := readHeadsFile(vf.heads)
				if err != nil {
					return err
				}
				heads = &h
				fmt.Fprintf(e.stdout, "heads %s: position %d, %d chains, digest %s\n", vf.heads, h.Position, len(h.Chains), h.Digest)
				fmt.Fprintln(e.stdout, "  compare this digest with the one the institution published")
			}
			if vf.bundle != "" {
				if vf.student != "" || vf.headsOut != "" {
					return errors.New("--bundle verifies a bundle alone: --student and --heads-out do not apply")
				}
				return verifyBundle(e, vf.bundle, heads, vf.json)
			}
			return verifyLog(cmd.Context(), e, &vf, heads)
		},
	}
	vf.log.bind(cmd.Flags(), e.getenv)
	f := cmd.Flags()
	f.StringVar(&vf.student, "student", "", "verify only the aggregates that may hold facts about this matricule")
	f.StringVar(&vf.bundle, "bundle", "", "verify this audit bundle offline")
	f.StringVar(&vf.heads, "heads", "", "published heads to compare with")
	f.StringVar(&vf.headsOut, "heads-out", "", "write the heads of the intact log to this file")
	f.BoolVar(&vf.json, "json", false, "print the report as JSON")
	return cmd
}

func readHeadsFile(name string) (audit.Heads, error) {
	f, err := os.Open(name)
	if err != nil {
		return audit.Heads{}, err
	}
	defer f.Close()
	h, err := audit.ReadHeads(f)
	if err != nil {
		return audit.Heads{}, fmt.Errorf("%s: %w", name, err)
	}
	return h, nil
}

func verifyBundle(e *env, name string, heads *audit.Heads, asJSON bool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rep := audit.VerifyBundle(f, st.Size(), heads)
	if asJSON {
		if err := printValue(e.stdout, rep); err != nil {
			return err
		}
	} else {
		m := rep.Manifest
		fmt.Fprintf(e.stdout, "bundle %s: student %s, exported %s by %s, log position %d\n", name, m.Matricule,
			m.ExportedAt.Format(time.RFC3339), m.ExportedBy, m.Position)
		fmt.Fprintf(e.stdout, "  %d records in %d chains, %d facts about the student\n", m.Records, len(m.Chains), rep.Facts)
		for _, p := range rep.Problems {
			fmt.Fprintf(e.stdout, "  PROBLEM %s\n", p)
		}
	}
	switch {
	case !rep.OK():
		fmt.Fprintf(e.stderr, "gradelog: bundle NOT verified: %d problems\n", len(rep.Problems))
		return exitError{1}
	case heads == nil:
		fmt.Fprintln(e.stdout, "bundle intact: every chain is whole and unbroken, and the report matches the records.")
		fmt.Fprintln(e.stdout, "  It is not yet shown to be the institution's record: verify it again with --heads and the heads file whose digest the institution published.")
	default:
		fmt.Fprintf(e.stdout, "bundle VERIFIED against the published heads %s: %d chains pass through their published heads, and none of the student's is missing\n", heads.Digest, rep.HeadsChecked)
	}
	return nil
}

func verifyLog(ctx context.Context, e *env, vf *verifyFlags, heads *audit.Heads) error {
	lf := &vf.log
	opened, err := lf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer opened.close()
	start := time.Now()
	rep, err := audit.VerifyLog(ctx, opened.log, vf.student, time.Now())
	if errors.Is(err, audit.ErrNoStudent) {
		return fmt.Errorf("--student %q: no student is registered with this matricule", vf.student)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	var mismatches []audit.Mismatch
	if heads != nil {
		if mismatches, err = audit.CompareHeads(ctx, opened.log, *heads); err != nil {
			return err
		}
	}
	if vf.json {
		if err := printValue(e.stdout, struct {
			audit.LogReport
			Mismatches []audit.Mismatch `json:"mismatches,omitempty"`
		}{rep, mismatches}); err != nil {
			return err
		}
	} else {
		scope := "the whole log"
		if vf.student != "" {
			scope = "the aggregates of student " + vf.student
		}
		fmt.Fprintf(e.stdout, "verified %s (%s): %d records in %d chains in %s (%.0f records/s)\n", scope, opened.where,
			rep.Checked, rep.Chains, elapsed.Round(time.Millisecond), rate(uint64(rep.Checked), elapsed))
		for _, b := range rep.Breaks {
			fmt.Fprintf(e.stdout, "  BREAK at position %d of %s: %s\n", b.Position, b.Aggregate, b.Reason)
		}
		if rep.Config != "" {
			fmt.Fprintf(e.stdout, "  STORE NOT APPEND-ONLY: %s\n", rep.Config)
		}
		for _, m := range mismatches {
			fmt.Fprintf(e.stdout, "  DIFFERS FROM THE PUBLISHED HEADS: %s\n", m)
		}
	}
	if !rep.OK() || len(mismatches) > 0 {
		fmt.Fprintf(e.stderr, "gradelog: log NOT verified: %d breaks, %d chains differing from the published heads\n", len(rep.Breaks), len(mismatches))
		return exitError{1}
	}
	if heads != nil {
		fmt.Fprintf(e.stdout, "every chain still holds the records published in the heads of position %d\n", heads.Position)
	}
	if rep.Heads != nil {
		fmt.Fprintf(e.stdout, "chain heads at position %d: digest %s\n", rep.Heads.Position, rep.Heads.Digest)
	}
	if vf.headsOut != "" {
		if rep.Heads == nil {
			return errors.New("--heads-out: heads are published for the whole log only (not with --student)")
		}
		var buf bytes.Buffer
		if err := audit.WriteHeads(&buf, *rep.Heads); err != nil {
			return err
		}
		if err := writeNewFile(vf.headsOut, false, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "heads written to %s\n", vf.headsOut)
	}
	return nil
}

// printValue prints v as indented JSON.
func printValue(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return printJSON(w, data)
}
