package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/auth"
)

// maxTokenTTL is the longest a token may be valid: an academic year and a
// bit.
const maxTokenTTL = 366 * 24 * time.Hour

func newTokenCmd(e *env) *cobra.Command {
	var id auth.Identity
	var data, catFile string
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "token --id ID --role ROLE [--ue UE]... [--programme P]...",
		Short: "Mint a signed token identifying an actor with roles",
		Long: `token prints a token for an actor: its id, display name, roles and, for a
teacher, the UEs the teacher is responsible for. Send it to the HTTP API as
"Authorization: Bearer <token>".

The token is signed with the key in <data>/auth.key, the data directory of
serve --data; the key is created (mode 0600) if there is none. Anyone who can
read that file can mint any token. The event log is not opened.

Roles: ` + strings.Join(auth.Roles(), ", ") + `.
--role and --ue may be repeated or comma-separated. A teacher needs at least
one --ue, and only a teacher has UEs. For a student, --id is the matricule.
A secretariat works for the programmes of --programme, by default the
catalog's. The UEs are checked against the catalog serve would run with
(--catalog, default the shipped one). What each role may do, and where, is
the access matrix (docs/access.md).

The token alone is printed on stdout, so that TOKEN=$(gradelog token ...)
works; a summary goes to stderr.`,
		Example: `  gradelog token --id prof.dupont --name "Marie Dupont" --role teacher --ue 1/8 --ue 1/9
  gradelog token --id jury.president --role jury,secretariat --ttl 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return mintToken(e, id, data, catFile, ttl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&id.ID, "id", "", "stable id of the actor (for a student, the matricule)")
	f.StringVar(&id.Name, "name", "", "display name")
	f.StringSliceVar(&id.Roles, "role", nil, "role: "+strings.Join(auth.Roles(), ", ")+" (repeatable)")
	f.StringSliceVar(&id.UEs, "ue", nil, `UE a teacher is responsible for, e.g. "1/8" (repeatable)`)
	f.StringSliceVar(&id.Programmes, "programme", nil, `programme a secretariat works for, e.g. "MIAS" (repeatable; default: the catalog's)`)
	f.DurationVar(&ttl, "ttl", 8*time.Hour, "how long the token is valid (at most 366 days)")
	f.StringVar(&data, "data", "./data", "gradelog's data directory, where the signing key auth.key is kept")
	f.StringVar(&catFile, "catalog", "", "programme catalog file the UEs are checked against (default: the shipped catalog)")
	return cmd
}

func mintToken(e *env, id auth.Identity, data, catFile string, ttl time.Duration) error {
	if err := checkTokenFlags(id, ttl); err != nil {
		return err
	}
	if len(id.UEs) > 0 || id.Has(auth.Secretariat) && len(id.Programmes) == 0 {
		cat, _, err := loadDocuments(e.stderr, catFile, "")
		if err != nil {
			return err
		}
		if id.Has(auth.Secretariat) && len(id.Programmes) == 0 {
			id.Programmes = []string{cat.Programme.Code}
		}
		for _, ue := range id.UEs {
			if _, ok := cat.UE(ue); !ok {
				return fmt.Errorf("--ue %s: no such UE in the %s %s catalog", ue, cat.Programme.Code, cat.Programme.AcademicYear)
			}
		}
	}

	keyPath := filepath.Join(data, auth.KeyFile)
	_, statErr := os.Stat(keyPath)
	key, err := auth.LoadOrCreateKey(data)
	if err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "gradelog: created the signing key %s; serve must run with --data %s to accept this token\n", keyPath, data)
	}
	now := time.Now()
	token, err := key.Mint(id, now, ttl)
	if err != nil {
		return err
	}
	// Read back what was signed: the summary then says what the server
	// will see.
	got, err := key.Verify(token, now)
	if err != nil {
		return fmt.Errorf("minted token does not verify: %w", err)
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintf(e.stderr, "gradelog: token for %s valid until %s\n", describe(got), got.Expires.UTC().Format("2006-01-02 15:04 MST"))
	return nil
}

// checkTokenFlags checks the flags before anything is read or created, with
// errors naming the flag and the value.
func checkTokenFlags(id auth.Identity, ttl time.Duration) error {
	if strings.TrimSpace(id.ID) == "" {
		return errors.New("--id is required")
	}
	known := strings.Join(auth.Roles(), ", ")
	if len(id.Roles) == 0 {
		return fmt.Errorf("--role is required (one of %s)", known)
	}
	for _, r := range id.Roles {
		if !slices.Contains(auth.Roles(), r) {
			return fmt.Errorf("--role %s: unknown role (known: %s)", r, known)
		}
	}
	teacher := slices.Contains(id.Roles, auth.Teacher)
	if teacher && len(id.UEs) == 0 {
		return errors.New("--role teacher needs at least one --ue: the UEs the teacher is responsible for")
	}
	for _, ue := range id.UEs {
		if strings.TrimSpace(ue) == "" {
			return errors.New(`--ue "": empty UE code`)
		}
		if !teacher {
			return fmt.Errorf("--ue %s: only a teacher is scoped to UEs (add --role teacher)", ue)
		}
	}
	for _, p := range id.Programmes {
		if strings.TrimSpace(p) == "" {
			return errors.New(`--programme "": empty programme code`)
		}
		if !slices.Contains(id.Roles, auth.Secretariat) {
			return fmt.Errorf("--programme %s: only a secretariat works for programmes (add --role secretariat)", p)
		}
	}
	if ttl < time.Second || ttl > maxTokenTTL {
		return fmt.Errorf("--ttl %s: must be at least 1s and at most 366 days (%s)", ttl, maxTokenTTL)
	}
	return nil
}

// describe is "prof.dupont (teacher; UE 1/8, 1/9)" or "sec.leroy
// (secretariat; programme MIAS)".
func describe(id auth.Identity) string {
	s := id.ID + " (" + strings.Join(id.Roles, ", ")
	if len(id.UEs) > 0 {
		s += "; UE " + strings.Join(id.UEs, ", ")
	}
	if len(id.Programmes) > 0 {
		s += "; programme " + strings.Join(id.Programmes, ", ")
	}
	return s + ")"
}
