// Package auth identifies who issues a command: an actor with roles, carried
// by a signed token.
//
// A token is a JWT signed with HS256 by the server's Key, kept in its data
// directory (see LoadOrCreateKey). It is minted by `gradelog token` and sent
// as "Authorization: Bearer <token>". Verify checks the signature, the
// issuer, the expiry and the roles, and returns the Identity, whose Actor is
// what events record.
//
// Anyone holding the key file can mint any identity: it must stay readable by
// the server's user only. Tokens cannot be revoked before they expire except
// by replacing the key, which invalidates every token.
package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/gradelog/gradelog/events"
)

// Roles.
const (
	Teacher     = "teacher"     // scoped to the UEs listed in the token
	Secretariat = "secretariat" // programme secretariat
	Jury        = "jury"        // jury member
	Auditor     = "auditor"     // read-only
	Student     = "student"     // reads their own record; Identity.ID is the matricule
)

// Roles lists the known roles.
func Roles() []string {
	return []string{Teacher, Secretariat, Jury, Auditor, Student}
}

// Issuer is the "iss" claim of every token.
const Issuer = "gradelog"

// KeyFile is the name of the key file in the data directory.
const KeyFile = "auth.key"

// keySize is the size in bytes of the HS256 secret.
const keySize = 32

// ErrNoToken is returned by Authenticate when the request carries neither
// an Authorization header nor a session cookie.
var ErrNoToken = errors.New("no token: missing Authorization header")

// Identity is an authenticated actor.
type Identity struct {
	ID    string   // stable id, e.g. "prof.dupont" or a matricule for a student
	Name  string   // display name
	Roles []string // known roles (see Roles)
	UEs   []string // the UEs a teacher is responsible for ("1/8")
	// Programmes a secretariat works for ("MIAS").
	Programmes []string
	Expires    time.Time
}

// Has reports whether id has role.
func (id Identity) Has(role string) bool { return slices.Contains(id.Roles, role) }

// Teaches reports whether id is a teacher responsible for the UE of code ue.
func (id Identity) Teaches(ue string) bool {
	return id.Has(Teacher) && slices.Contains(id.UEs, ue)
}

// Actor is id as events record it: its ID and roles.
func (id Identity) Actor() events.Actor {
	return events.Actor{ID: id.ID, Roles: slices.Clone(id.Roles)}
}

// Validate checks what every identity must satisfy, when minted, when
// verified and when an account is saved.
func (id Identity) Validate() error {
	if strings.TrimSpace(id.ID) == "" {
		return errors.New("identity has no ID")
	}
	if len(id.Roles) == 0 {
		return fmt.Errorf("identity %s has no role (known: %s)", id.ID, strings.Join(Roles(), ", "))
	}
	for _, r := range id.Roles {
		if !slices.Contains(Roles(), r) {
			return fmt.Errorf("identity %s: unknown role %q (known: %s)", id.ID, r, strings.Join(Roles(), ", "))
		}
	}
	for _, ue := range id.UEs {
		if strings.TrimSpace(ue) == "" {
			return fmt.Errorf("identity %s: empty UE code", id.ID)
		}
	}
	if id.Has(Secretariat) && len(id.Programmes) == 0 {
		return fmt.Errorf("identity %s: a secretariat needs at least one programme", id.ID)
	}
	if !id.Has(Secretariat) && len(id.Programmes) > 0 {
		return fmt.Errorf("identity %s: programmes %s given without the secretariat role", id.ID, strings.Join(id.Programmes, ", "))
	}
	if id.Has(Teacher) && len(id.UEs) == 0 {
		return fmt.Errorf("identity %s: a teacher needs at least one UE", id.ID)
	}
	if !id.Has(Teacher) && len(id.UEs) > 0 {
		return fmt.Errorf("identity %s: UEs %s given without the teacher role", id.ID, strings.Join(id.UEs, ", "))
	}
	return nil
}

// claims is the token payload.
type claims struct {
	jwt.RegisteredClaims
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles"`
	UEs   []string `json:"ues,omitempty"`
	// Programmes of a secretariat.
	Programmes []string `json:"programmes,omitempty"`
}

// Key is the server's signing key. Its String method never shows the
// secret.
type Key struct {
	secret []byte
	path   string
}

// String names the key file, never the secret.
func (k *Key) String() string { return "auth key " + k.path }

// GoString is String, so that %#v does not print the secret either.
func (k *Key) GoString() string { return k.String() }

// LoadOrCreateKey reads the key from dir/auth.key, creating dir and a new
// random 32-byte key (file mode 0600) if absent. A key file of the wrong
// size or with permissions wider than 0600 is an error naming the file (so a
// leaked world-readable key is not silently used).
func LoadOrCreateKey(dir string) (*Key, error) {
	path := filepath.Join(dir, KeyFile)
	k, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth key: %w", err)
	}
	if err := createKey(dir, path); err != nil {
		return nil, err
	}
	// Read back what is on disk: another process may have created the key
	// first, and then its key is the one in force.
	return loadKey(path)
}

func loadKey(path string) (*Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("auth key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("auth key %s is not a regular file", path)
	}
	// Windows has no Unix permission bits to check.
	if perm := fi.Mode().Perm(); perm&^0o600 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("auth key %s has permissions %04o, wider than 0600: anyone who read it can mint tokens; "+
			"remove it to create a new key (every token becomes invalid), or chmod 600 it if it never leaked", path, perm)
	}
	secret, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth key: %w", err)
	}
	if len(secret) != keySize {
		return nil, fmt.Errorf("auth key %s is %d bytes, want %d", path, len(secret), keySize)
	}
	return &Key{secret: secret, path: path}, nil
}

// createKey writes a new random key to path unless a file is already there.
// The key is written to a temporary file then linked into place, so that
// no reader ever sees a partial key and a concurrent creation is not
// overwritten.
func createKey(dir, path string) error {
	secret := make([]byte, keySize)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("auth key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".auth.key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("auth key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("auth key: %w", err)
	}
	if _, err := f.Write(secret); err != nil {
		f.Close()
		return fmt.Errorf("auth key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("auth key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("auth key: %w", err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("auth key: %w", err)
	}
	return nil
}

// Mint signs a token for id valid from now for ttl; id.Expires is ignored.
// It validates id: non-empty ID, at least one role, every role known, a
// teacher has at least one UE (and only a teacher has UEs), a secretariat
// at least one programme (and only it has programmes), and ttl > 0.
// Times in the token are whole seconds.
func (k *Key) Mint(id Identity, now time.Time, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("token lifetime %s is not positive", ttl)
	}
	id = id.Normalized()
	if err := id.Validate(); err != nil {
		return "", err
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   id.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			ID:        uuid.NewString(),
		},
		Name:       id.Name,
		Roles:      id.Roles,
		UEs:        id.UEs,
		Programmes: id.Programmes,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Normalized is id with its roles, UEs and programmes without repeats, in
// order: what a token or an account holds.
func (id Identity) Normalized() Identity {
	id.Roles, id.UEs, id.Programmes = dedup(id.Roles), dedup(id.UEs), dedup(id.Programmes)
	return id
}

// dedup returns s without repeated elements, in order.
func dedup(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Verify checks token at time now: its signature (HS256 with k, no other
// algorithm), its expiry, its issuer and its identity (as Mint validates
// it), and returns the identity. Errors never contain the token.
func (k *Key) Verify(token string, now time.Time) (Identity, error) {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var c claims
	t, err := p.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("signing method %s is not HS256", t.Method.Alg())
		}
		return k.secret, nil
	})
	if err != nil {
		return Identity{}, verifyError(t, &c, err)
	}
	id := Identity{
		ID:         c.Subject,
		Name:       c.Name,
		Roles:      c.Roles,
		UEs:        c.UEs,
		Programmes: c.Programmes,
		Expires:    c.ExpiresAt.Time.UTC(),
	}
	if err := id.Validate(); err != nil {
		return Identity{}, fmt.Errorf("token rejected: %w", err)
	}
	return id, nil
}

// verifyError says in plain words why the parser rejected a token.
func verifyError(t *jwt.Token, c *claims, err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("token is malformed")
	case t != nil && t.Method != nil && t.Method != jwt.SigningMethodHS256:
		return fmt.Errorf("token signature is invalid: algorithm %q is not accepted, only HS256", t.Method.Alg())
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Errorf("token cannot be verified: %v", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errors.New("token signature is invalid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Errorf("token expired at %s", c.ExpiresAt.Time.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errors.New("token has no expiry")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Errorf("token issuer %q is not %q", c.Issuer, Issuer)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Errorf("token issued in the future, at %s", c.IssuedAt.Time.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return fmt.Errorf("token not valid before %s", c.NotBefore.Time.UTC().Format(time.RFC3339))
	}
	return fmt.Errorf("token rejected: %v", err)
}

// Authenticate reads "Authorization: Bearer <token>" from r, or else the
// session cookie (see SetSession, with its CSRF check), and verifies the
// token at now. A missing header is ErrNoToken; any other error means the
// header or the token is not acceptable.
func (k *Key) Authenticate(r *http.Request, now time.Time) (Identity, error) {
	h := r.Header.Values("Authorization")
	switch {
	case len(h) == 0 && Session(r) != "":
		return k.fromSession(r, Session(r), now)
	case len(h) == 0:
		return Identity{}, ErrNoToken
	case len(h) > 1:
		return Identity{}, errors.New("malformed Authorization header: given more than once")
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(h[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return Identity{}, errors.New(`malformed Authorization header: want "Bearer <token>"`)
	}
	return k.Verify(token, now)
}
