// Package accounts keeps the local accounts of an installation that runs
// without an institutional identity provider (the embedded default): who may
// sign in, with which password, as which auth.Identity.
//
// The accounts live in one JSON file, <data>/accounts.json (File), next to
// auth.key, written atomically with mode 0600:
//
//	{"accounts": [{"id": "prof.dupont", "name": "Marie Dupont",
//	  "roles": ["teacher"], "ues": ["1/8"], "email": "m.dupont@example.org",
//	  "password_hash": "$argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>",
//	  "created": "...", "updated": "..."}]}
//
// A password is stored only as an Argon2id hash (RFC 9106) in the PHC string
// format: algorithm, version, memory in KiB, passes and lanes, then the salt
// and the key in unpadded standard base64. The parameters are read back from
// each hash, so DefaultParams can be raised later: older hashes still
// verify and are rehashed at the next successful sign-in.
//
// Threat model. The file leaking must not give away passwords: Argon2id at
// 64 MiB per guess makes offline guessing costly (weak passwords stay weak,
// hence the length rule of CheckPassword), and a file readable beyond its
// owner is refused, naming it. Anyone who can write the file can grant
// themselves any identity, like anyone who can read auth.key; what a
// tampered file can still not do is make each sign-in allocate more than
// 1 GiB or loop for minutes, since Verify bounds the parameters. On line,
// Authenticate takes the time of one hash whether or not the id exists, and
// compares in constant time; throttling repeated attempts is the caller's
// job. Passwords never appear in errors, and hashes only in the file.
//
// A Store rereads the file when another process (gradelog account) has
// changed it, so that an account added or disabled takes effect in a
// running server.
package accounts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gradelog/gradelog/auth"
)

// File is the name of the accounts file in the data directory.
const File = "accounts.json"

// Errors of Authenticate and ByOIDC. Both are deliberately vague: a caller
// showing them to the person signing in reveals nothing about which ids
// exist.
var (
	ErrBadCredentials = errors.New("unknown id or wrong password")
	ErrDisabled       = errors.New("account disabled")
	ErrNoAccount      = errors.New("no such account")
)

// Account is a local account: an identity (as auth.Identity, without
// expiry), how it proves itself, and its state.
type Account struct {
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Roles      []string `json:"roles"`
	UEs        []string `json:"ues,omitempty"`
	Programmes []string `json:"programmes,omitempty"`

	// PasswordHash is the PHC string of the password (see Hash), empty for
	// an account that signs in through an identity provider only.
	PasswordHash string `json:"password_hash,omitempty"`
	// OIDCIssuer and OIDCSubject link the account to the institution's
	// identity of that subject ("sub") at that issuer; both or neither.
	OIDCIssuer  string `json:"oidc_issuer,omitempty"`
	OIDCSubject string `json:"oidc_subject,omitempty"`
	Email       string `json:"email,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Identity is the identity a sign-in as a grants, with no expiry set.
func (a Account) Identity() auth.Identity {
	return auth.Identity{
		ID:         a.ID,
		Name:       a.Name,
		Roles:      slices.Clone(a.Roles),
		UEs:        slices.Clone(a.UEs),
		Programmes: slices.Clone(a.Programmes),
	}
}

// clone is a with its own slices.
func (a Account) clone() Account {
	a.Roles, a.UEs, a.Programmes = slices.Clone(a.Roles), slices.Clone(a.UEs), slices.Clone(a.Programmes)
	return a
}

// check validates a's identity as auth does, its hash if any, and
// its OIDC link. It normalises the roles, UEs and programmes (no repeats)
// and the e-mail (trimmed).
func (a *Account) check() error {
	id := a.Identity().Normalized()
	a.Roles, a.UEs, a.Programmes = id.Roles, id.UEs, id.Programmes
	if err := id.Validate(); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	if a.PasswordHash != "" {
		if _, _, _, err := decode(a.PasswordHash); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
	}
	if (a.OIDCIssuer == "") != (a.OIDCSubject == "") {
		return fmt.Errorf("account %s: an OIDC link needs both the issuer and the subject", a.ID)
	}
	a.Email = strings.TrimSpace(a.Email)
	return nil
}

// Password length bounds of CheckPassword.
const (
	MinPasswordChars = 12
	MaxPasswordBytes = 256
)

// CheckPassword applies the password policy for the account id: at least
// 12 characters, at most 256 bytes, not the id itself. The error names the
// rule broken, never the password.
func CheckPassword(id, password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordChars:
		return fmt.Errorf("password too short: at least %d characters", MinPasswordChars)
	case len(password) > MaxPasswordBytes:
		return fmt.Errorf("password too long: at most %d bytes", MaxPasswordBytes)
	case strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(id)):
		return errors.New("password is the account id: choose another")
	}
	return nil
}
