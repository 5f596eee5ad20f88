package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
)

func newAccountCmd(e *env) *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Manage the local accounts people sign in with",
		Long: `account adds, lists, disables and enables the local accounts of
<data>/accounts.json (mode 0600), and sets their passwords, stored as Argon2id
hashes only. A running serve --data <data> sees the changes at the next
sign-in. Disabling an account stops its sign-ins; tokens and sessions already
issued stay valid until they expire.

A password is read from stdin, one line, when stdin is not a terminal;
otherwise it is asked twice without echo. It needs at least 12 characters, at
most 256 bytes, and must not be the account id.`,
		Example: `  gradelog account add --id prof.dupont --name "Marie Dupont" --role teacher --ue 1/8
  printf '%s\n' "$PASSWORD" | gradelog account add --id sec.leroy --role secretariat --programme MIAS
  gradelog account add --id jury.martin --role jury --no-password --oidc-issuer https://idp.example.org --oidc-subject 42
  gradelog account list`,
	}
	cmd.PersistentFlags().StringVar(&data, "data", "./data", "gradelog's data directory, where accounts.json is kept")
	cmd.AddCommand(
		newAccountAddCmd(e, &data),
		&cobra.Command{
			Use:   "passwd ID",
			Short: "Set the password of an account",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return accountPasswd(cmd, e, data, args[0])
			},
		},
		newAccountDisableCmd(e, &data, true),
		newAccountDisableCmd(e, &data, false),
		&cobra.Command{
			Use:   "list",
			Short: "List the accounts (never their password hashes)",
			Args:  cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				return accountList(e, data)
			},
		},
	)
	return cmd
}

func newAccountAddCmd(e *env, data *string) *cobra.Command {
	var a accounts.Account
	var catFile string
	var noPassword bool
	cmd := &cobra.Command{
		Use:   "add --id ID --role ROLE [--ue UE]... [--programme P]... [--no-password]",
		Short: "Add an account, reading its password",
		Long: `add creates an account with the identity a sign-in will grant: as for
gradelog token, --role and --ue may be repeated or comma-separated, a teacher
needs at least one --ue (checked against the catalog, --catalog or the shipped
one) and a secretariat at least one --programme.

--oidc-issuer and --oidc-subject link the account to the institution's
identity; --email lets a first OIDC sign-in with that verified e-mail find it.
--no-password makes an account that signs in through OIDC only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return accountAdd(cmd, e, *data, catFile, a, noPassword)
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.ID, "id", "", "stable id of the account (for a student, the matricule)")
	f.StringVar(&a.Name, "name", "", "display name")
	f.StringSliceVar(&a.Roles, "role", nil, "role: "+strings.Join(auth.Roles(), ", ")+" (repeatable)")
	f.StringSliceVar(&a.UEs, "ue", nil, `UE a teacher is responsible for, e.g. "1/8" (repeatable)`)
	f.StringSliceVar(&a.Programmes, "programme", nil, `programme a secretariat works for, e.g. "MIAS" (repeatable)`)
	f.StringVar(&a.Email, "email", "", "e-mail address, matched against the verified e-mail of an OIDC sign-in")
	f.StringVar(&a.OIDCIssuer, "oidc-issuer", "", "issuer URL of the institution's identity provider")
	f.StringVar(&a.OIDCSubject, "oidc-subject", "", `subject ("sub") of the person at --oidc-issuer`)
	f.BoolVar(&noPassword, "no-password", false, "set no password: the account signs in through OIDC only")
	f.StringVar(&catFile, "catalog", "", "programme catalog file the UEs are checked against (default: the shipped catalog)")
	return cmd
}

func newAccountDisableCmd(e *env, data *string, disable bool) *cobra.Command {
	verb, short := "enable", "Let a disabled account sign in again"
	if disable {
		verb, short = "disable", "Stop an account from signing in"
	}
	return &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := accounts.Open(*data)
			if err != nil {
				return err
			}
			if err := s.Disable(args[0], disable); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "gradelog: account %s %sd in %s\n", args[0], verb, s.Path())
			return nil
		},
	}
}

func accountAdd(cmd *cobra.Command, e *env, data, catFile string, a accounts.Account, noPassword bool) error {
	id := a.Identity()
	if err := checkTokenFlags(id, time.Hour); err != nil { // any valid lifetime: no token is minted
		return err
	}
	if id.Has(auth.Secretariat) && len(a.Programmes) == 0 {
		return errors.New("--role secretariat needs at least one --programme: the programmes the secretariat works for")
	}
	if (a.OIDCIssuer == "") != (a.OIDCSubject == "") {
		return errors.New("--oidc-issuer and --oidc-subject go together: the subject is only unique at its issuer")
	}
	if noPassword && a.OIDCSubject == "" && a.Email == "" {
		return errors.New("--no-password needs --oidc-issuer and --oidc-subject, or --email: otherwise the account can never sign in")
	}
	if len(a.UEs) > 0 {
		cat, _, err := loadDocuments(e.stderr, catFile, "")
		if err != nil {
			return err
		}
		for _, ue := range a.UEs {
			if _, ok := cat.UE(ue); !ok {
				return fmt.Errorf("--ue %s: no such UE in the %s %s catalog", ue, cat.Programme.Code, cat.Programme.AcademicYear)
			}
		}
	}
	s, err := accounts.Open(data)
	if err != nil {
		return err
	}
	if _, ok := s.Get(a.ID); ok {
		return fmt.Errorf("--id %s: the account already exists in %s (see account passwd, disable, enable)", a.ID, s.Path())
	}
	set := "no password: signs in through OIDC only"
	if !noPassword {
		pw, err := readPassword(cmd, e, a.ID, "or --no-password for an account that signs in through OIDC only")
		if err != nil {
			return err
		}
		if err := accounts.CheckPassword(a.ID, pw); err != nil {
			return err
		}
		if a.PasswordHash, err = accounts.Hash(pw, accounts.DefaultParams); err != nil {
			return err
		}
		set = "password set"
	}
	if err := s.Put(a); err != nil {
		return err
	}
	got, _ := s.Get(a.ID)
	fmt.Fprintf(e.stdout, "gradelog: account %s added to %s (%s)\n", describe(got.Identity()), s.Path(), set)
	return nil
}

func accountPasswd(cmd *cobra.Command, e *env, data, id string) error {
	s, err := accounts.Open(data)
	if err != nil {
		return err
	}
	if _, ok := s.Get(id); !ok {
		return fmt.Errorf("account %s: not in %s (see account add)", id, s.Path())
	}
	pw, err := readPassword(cmd, e, id, "")
	if err != nil {
		return err
	}
	if err := s.SetPassword(id, pw); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "gradelog: password of %s set in %s\n", id, s.Path())
	return nil
}

// maxPasswordLine bounds what is read of stdin: a longer line is refused by
// the password policy anyway.
const maxPasswordLine = 4 * accounts.MaxPasswordBytes

// readPassword reads the password of account id: one line of stdin when it
// is not a terminal, else typed twice without echo (prompts on stderr).
// hint completes the error for an empty password.
func readPassword(cmd *cobra.Command, e *env, id, hint string) (string, error) {
	if hint != "" {
		hint = ", " + hint
	}
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var typed [2]string
		for i, prompt := range []string{"Password for " + id + ": ", "Same password again: "} {
			fmt.Fprint(e.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			if err != nil {
				return "", fmt.Errorf("reading the password: %w", err)
			}
			typed[i] = string(b)
		}
		if typed[0] != typed[1] {
			return "", errors.New("the two passwords typed differ")
		}
		if typed[0] == "" {
			return "", errors.New("no password typed" + hint)
		}
		return typed[0], nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, maxPasswordLine)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on stdin: give it on one line" + hint)
	}
	return line, nil
}

func accountList(e *env, data string) error {
	s, err := accounts.Open(data)
	if err != nil {
		return err
	}
	list := s.List()
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "gradelog: no accounts in %s\n", s.Path())
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLES\tSCOPE\tPASSWORD\tOIDC\tEMAIL\tDISABLED")
	for _, a := range list {
		scope := "-"
		if len(a.UEs) > 0 {
			scope = "UE " + strings.Join(a.UEs, ",")
		}
		if len(a.Programmes) > 0 {
			scope = strings.TrimPrefix(scope+"; ", "-; ") + "programme " + strings.Join(a.Programmes, ",")
		}
		oidc := "-"
		if a.OIDCSubject != "" {
			oidc = a.OIDCSubject + "@" + a.OIDCIssuer
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, orDash(a.Name), strings.Join(a.Roles, ","), scope,
			yesNo(a.PasswordHash != ""), oidc, orDash(a.Email), yesNo(a.Disabled))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
