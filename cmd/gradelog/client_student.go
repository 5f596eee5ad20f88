package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
)

func newStudentCmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("student", "Register, admit and show students (HTTP API)",
		`student registers a student, records their admission to the programme and
shows their record: registration, admission and PAEs.`)
	cmd.AddCommand(newStudentRegisterCmd(e, cf), newStudentAdmitCmd(e, cf), newStudentShowCmd(e, cf))
	return cmd
}

func newStudentRegisterCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var in handlers.Registration
	cmd := &cobra.Command{
		Use:   "register MATRICULE --first-name NAME --last-name NAME --email EMAIL",
		Short: "Register a student (secretariat)",
		Long: `register records a new student. The matricule (4 to 16 letters and digits)
and the email must be new: a grade sheet import matches one to the other.`,
		Example: `  gradelog student register HE201001 --first-name Amélie --last-name Dubois --email amelie.dubois@student.helmo.be`,
		Args:    cobra.ExactArgs(1),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			in.Matricule = matriculeArg(args[0])
			var got written
			if _, err := c.call(ctx, request{method: "POST", path: "/api/v1/students", json: in}, &got); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "student %s registered: %s %s <%s>%s\n", in.Matricule, strings.TrimSpace(in.FirstName),
				strings.TrimSpace(in.LastName), strings.ToLower(strings.TrimSpace(in.Email)), already(got))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&in.FirstName, "first-name", "", "first name")
	f.StringVar(&in.LastName, "last-name", "", "last name")
	f.StringVar(&in.Email, "email", "", "email address, unique to the student")
	for _, name := range []string{"first-name", "last-name", "email"} {
		_ = cmd.MarkFlagRequired(name)
	}
	wf.bind(f)
	return cmd
}

func newStudentAdmitCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var in handlers.Admission
	cmd := &cobra.Command{
		Use:   "admit MATRICULE --year YEAR --basis TEXT [--has-bachelor] [--complement UE]...",
		Short: "Record a registered student's admission (secretariat)",
		Long: `admit records the admission of a registered student to the programme: its
basis (title or procedure), whether the student holds a matching bachelor
title, and the admission complements (UEs) the student must acquire, checked
against the catalog of --year.`,
		Example: `  gradelog student admit HE201001 --year 2025-2026 --basis "bachelier assistant social" --has-bachelor
  gradelog student admit HE201006 --year 2025-2026 --basis VAE --complement 1/1,1/2 --complement 1/3`,
		Args: cobra.ExactArgs(1),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			mat := matriculeArg(args[0])
			var got written
			path := "/api/v1/students/" + seg(mat) + "/admission"
			if _, err := c.call(ctx, request{method: "POST", path: path, json: in}, &got); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "student %s admitted (%s)%s%s\n", mat, in.Basis, complements(in.Complements), already(got))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&in.Year, "year", "", "academic year of the admission, e.g. 2025-2026")
	f.StringVar(&in.Basis, "basis", "", "basis of the admission: title or procedure")
	f.BoolVar(&in.HasBachelor, "has-bachelor", false, "the student holds a matching bachelor title")
	f.StringSliceVar(&in.Complements, "complement", nil, `admission complement UE, e.g. "1/1" (repeatable)`)
	_ = cmd.MarkFlagRequired("year")
	_ = cmd.MarkFlagRequired("basis")
	wf.bind(f)
	return cmd
}

func complements(ues []string) string {
	if len(ues) == 0 {
		return ""
	}
	return ", complements " + strings.Join(ues, ", ")
}

// already notes an answer to a retry.
func already(w written) string {
	if w.AlreadyRecorded {
		return " (already recorded by an earlier request with this idempotency key)"
	}
	return ""
}

func newStudentShowCmd(e *env, cf *clientFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show MATRICULE",
		Short: "Show a student's registration, admission and PAEs",
		Args:  cobra.ExactArgs(1),
		RunE: cf.runE(e, nil, func(ctx context.Context, c *client, args []string) error {
			var s handlers.StudentFile
			resp, err := c.call(ctx, request{method: "GET", path: "/api/v1/students/" + seg(matriculeArg(args[0]))}, &s)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, resp.body)
			}
			showStudent(e.stdout, s)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the answer's JSON")
	return cmd
}

func showStudent(w io.Writer, s handlers.StudentFile) {
	fmt.Fprintf(w, "%s  %s %s <%s>\n", s.Matricule, s.FirstName, s.LastName, s.Email)
	if a := s.Admission; a != nil {
		bachelor := "no"
		if a.HasBachelor {
			bachelor = "yes"
		}
		fmt.Fprintf(w, "admission: %s, basis %q, matching bachelor: %s, complements: %s\n",
			a.Programme, a.Basis, bachelor, dash(strings.Join(a.Complements, ", ")))
	} else {
		fmt.Fprintln(w, "admission: not admitted yet")
	}
	years := make([]string, 0, len(s.PAEs))
	for y := range s.PAEs {
		years = append(years, y)
	}
	slices.Sort(years)
	if len(years) == 0 {
		fmt.Fprintln(w, "PAE: none validated")
	}
	for _, y := range years {
		p := s.PAEs[y]
		fmt.Fprintf(w, "PAE %s (%s, %d UEs): %s\n", y, p.Programme, len(p.UEs), strings.Join(p.UEs, ", "))
		for _, wv := range p.Waivers {
			fmt.Fprintf(w, "  waiver: UE %s, prerequisite %s waived: %s\n", wv.UE, wv.Prerequisite, wv.Reason)
		}
	}
	fmt.Fprintf(w, "version %d\n", s.Version)
}

func newPAECmd(e *env) *cobra.Command {
	cmd, cf := newClientGroup("pae", "Validate and amend students' annual programmes (HTTP API)",
		`pae validates a student's annual programme (PAE) for a year and amends it.
The server checks the PAE against the catalog and the credits the student
holds (prerequisites, co-requisites, eligibility, admission complements) and
lists every violation at once.`)
	cmd.AddCommand(newPAEValidateCmd(e, cf), newPAEAmendCmd(e, cf))
	return cmd
}

func newPAEValidateCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var year string
	var ues, waivers []string
	cmd := &cobra.Command{
		Use:   "validate MATRICULE --year YEAR --ue UE... [--waiver UE:PREREQUISITE:REASON]...",
		Short: "Validate a student's PAE for a year (secretariat)",
		Long: `validate records the annual programme of an admitted student for --year.
A --waiver, granted by the jury at the end of the cycle, lets a UE of the
PAE be taken before its prerequisite is acquired: UE:PREREQUISITE:REASON.`,
		Example: `  gradelog pae validate HE201001 --year 2025-2026 --ue 1/4,1/5,1/6 --ue 1/8
  gradelog pae validate HE201001 --year 2025-2026 --ue 2/3 --waiver "2/3:1/9:fin de cycle, décision du jury"`,
		Args: cobra.ExactArgs(1),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			in := handlers.PAERequest{UEs: ues}
			for _, s := range waivers {
				w, err := parseWaiver(s)
				if err != nil {
					return err
				}
				in.Waivers = append(in.Waivers, w)
			}
			mat := matriculeArg(args[0])
			var got written
			path := "/api/v1/students/" + seg(mat) + "/pae/" + seg(year)
			if _, err := c.call(ctx, request{method: "PUT", path: path, json: in}, &got); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "PAE %s of %s validated: %d UEs (%s)%s\n", year, mat, len(ues), strings.Join(ues, ", "), already(got))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&year, "year", "", "academic year, e.g. 2025-2026")
	f.StringSliceVar(&ues, "ue", nil, `UE of the PAE, e.g. "1/4" (repeatable)`)
	f.StringArrayVar(&waivers, "waiver", nil, "prerequisite waiver UE:PREREQUISITE:REASON (repeatable)")
	_ = cmd.MarkFlagRequired("year")
	_ = cmd.MarkFlagRequired("ue")
	wf.bind(f)
	return cmd
}

// parseWaiver reads UE:PREREQUISITE:REASON; the reason may hold colons.
func parseWaiver(s string) (events.Waiver, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || strings.TrimSpace(parts[0]) == "" || strings.TrimSpace(parts[1]) == "" {
		return events.Waiver{}, fmt.Errorf("--waiver %q: want UE:PREREQUISITE:REASON, e.g. \"2/3:1/9:fin de cycle\"", s)
	}
	return events.Waiver{UE: strings.TrimSpace(parts[0]), Prerequisite: strings.TrimSpace(parts[1]), Reason: strings.TrimSpace(parts[2])}, nil
}

func newPAEAmendCmd(e *env, cf *clientFlags) *cobra.Command {
	var wf writeFlags
	var year string
	var in handlers.Amendment
	cmd := &cobra.Command{
		Use:     "amend MATRICULE --year YEAR [--add UE]... [--remove UE]... --reason TEXT",
		Short:   "Add UEs to or remove UEs from a validated PAE (secretariat)",
		Long:    `amend changes a validated PAE; the PAE it leaves is checked like a new one.`,
		Example: `  gradelog pae amend HE201001 --year 2025-2026 --add 1/13 --remove 1/14 --reason "changement d'option"`,
		Args:    cobra.ExactArgs(1),
		RunE: cf.runE(e, &wf, func(ctx context.Context, c *client, args []string) error {
			mat := matriculeArg(args[0])
			var got written
			path := "/api/v1/students/" + seg(mat) + "/pae/" + seg(year) + "/amendments"
			if _, err := c.call(ctx, request{method: "POST", path: path, json: in}, &got); err != nil {
				return err
			}
			var change []string
			for _, ue := range in.Added {
				change = append(change, "+"+ue)
			}
			for _, ue := range in.Removed {
				change = append(change, "-"+ue)
			}
			fmt.Fprintf(e.stdout, "PAE %s of %s amended: %s%s\n", year, mat, strings.Join(change, " "), already(got))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&year, "year", "", "academic year of the PAE, e.g. 2025-2026")
	f.StringSliceVar(&in.Added, "add", nil, "UE to add (repeatable)")
	f.StringSliceVar(&in.Removed, "remove", nil, "UE to remove (repeatable)")
	f.StringVar(&in.Reason, "reason", "", "why the PAE changes")
	_ = cmd.MarkFlagRequired("year")
	_ = cmd.MarkFlagRequired("reason")
	wf.bind(f)
	return cmd
}
