package accounts

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gradelog/gradelog/auth"
)

// Store is the accounts file of a data directory. It is safe for concurrent
// use; no lock is held while a password is hashed.
type Store struct {
	dir, path string
	params    Params        // what new hashes use
	dummy     func() string // a hash of no one's password, for unknown ids

	mu   sync.Mutex
	byID map[string]Account
	seen fs.FileInfo // the file as last read or written; nil if absent
}

// fileFormat is the content of the accounts file.
type fileFormat struct {
	Accounts []Account `json:"accounts"`
}

// Open reads the accounts of dir/accounts.json; a missing file (or
// directory) is an empty store, created at the first change. A file with
// permissions wider than 0600, not a regular file, or not a valid accounts
// file is an error naming it.
func Open(dir string) (*Store, error) {
	return open(dir, DefaultParams)
}

// open is Open hashing with p, which the tests make cheaper.
func open(dir string, p Params) (*Store, error) {
	s := &Store{dir: dir, path: filepath.Join(dir, File), params: p, byID: map[string]Account{}}
	s.dummy = sync.OnceValue(func() string {
		h, _ := Hash(rand.Text(), p) // p was checked by the first Hash, or is DefaultParams
		return h
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the accounts file.
func (s *Store) Path() string { return s.path }

// refresh rereads the file if it changed since it was last read or written.
// s.mu must be held.
func (s *Store) refresh() error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.byID, s.seen = map[string]Account{}, nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := checkMode(s.path, fi); err != nil {
		return err
	}
	if s.seen != nil && os.SameFile(s.seen, fi) && fi.ModTime().Equal(s.seen.ModTime()) && fi.Size() == s.seen.Size() {
		return nil
	}
	byID, fi, err := load(s.path)
	if err != nil {
		return err
	}
	s.byID, s.seen = byID, fi
	return nil
}

// checkMode refuses anything but a regular file readable by its owner only.
func checkMode(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("accounts file %s is not a regular file", path)
	}
	// Windows has no Unix permission bits to check.
	if perm := fi.Mode().Perm(); perm&^0o600 != 0 && runtime.GOOS != "windows" {
		return fmt.Errorf("accounts file %s has permissions %04o, wider than 0600: anyone who read it can guess passwords offline; "+
			"chmod 600 it, and have the passwords changed if it may have leaked", path, perm)
	}
	return nil
}

// load reads and validates the accounts file.
func load(path string) (map[string]Account, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: %w", err)
	}
	if err := checkMode(path, fi); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var ff fileFormat
	if err := dec.Decode(&ff); err != nil {
		return nil, nil, fmt.Errorf("accounts file %s: %v", path, err)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return nil, nil, fmt.Errorf("accounts file %s: data after the accounts object", path)
	}
	byID := make(map[string]Account, len(ff.Accounts))
	for _, a := range ff.Accounts {
		if err := a.check(); err != nil {
			return nil, nil, fmt.Errorf("accounts file %s: %v", path, err)
		}
		if _, dup := byID[a.ID]; dup {
			return nil, nil, fmt.Errorf("accounts file %s: account %s given twice", path, a.ID)
		}
		if err := checkLink(byID, a); err != nil {
			return nil, nil, fmt.Errorf("accounts file %s: %v", path, err)
		}
		byID[a.ID] = a
	}
	return byID, fi, nil
}

// checkLink refuses a's OIDC link if another account of byID has it.
func checkLink(byID map[string]Account, a Account) error {
	if a.OIDCIssuer == "" {
		return nil
	}
	for _, o := range byID {
		if o.ID != a.ID && o.OIDCIssuer == a.OIDCIssuer && o.OIDCSubject == a.OIDCSubject {
			return fmt.Errorf("account %s: OIDC subject %s of %s is already linked to account %s", a.ID, a.OIDCSubject, a.OIDCIssuer, o.ID)
		}
	}
	return nil
}

// update applies change to a copy of the accounts, as the file now has
// them, and saves the result; on any error nothing changes.
func (s *Store) update(change func(map[string]Account) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return err
	}
	byID := maps.Clone(s.byID)
	if err := change(byID); err != nil {
		return err
	}
	return s.save(byID)
}

// save writes byID to the file atomically: a temporary file of mode 0600,
// synced, then renamed over the file. s.mu must be held.
func (s *Store) save(byID map[string]Account) error {
	data, err := json.MarshalIndent(fileFormat{Accounts: sorted(byID)}, "", "  ")
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	f, err := os.CreateTemp(s.dir, ".accounts.json-*") // mode 0600
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	tmp, renamed := f.Name(), false
	defer func() {
		if !renamed {
			os.Remove(tmp)
		}
	}()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(append(data, '\n'))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		return fmt.Errorf("accounts: writing %s: %w", s.path, err)
	}
	renamed = true
	syncDir(s.dir)
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	s.byID, s.seen = byID, fi
	return nil
}

// syncDir makes a rename in dir durable, where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // fails harmlessly where directories cannot be synced
		d.Close()
	}
}

// sorted is the accounts of byID by ID, each with its own slices.
func sorted(byID map[string]Account) []Account {
	out := make([]Account, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, byID[id].clone())
	}
	return out
}

// now is the time recorded in Created and Updated, to the second.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// notFound is the error for an unknown id in a change.
func (s *Store) notFound(id string) error {
	return fmt.Errorf("account %s in %s: %w", id, s.path, ErrNoAccount)
}

// Len is the number of accounts. Like Get and List, it rereads the file if
// it changed, and keeps what it last read if it cannot.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.refresh()
	return len(s.byID)
}

// Get returns the account id.
func (s *Store) Get(id string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.refresh()
	a, ok := s.byID[id]
	return a.clone(), ok
}

// List returns the accounts sorted by ID, password hashes included: a
// caller printing them leaves the hashes out.
func (s *Store) List() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.refresh()
	return sorted(s.byID)
}

// Put adds a, or replaces the account of the same ID keeping only its
// Created time (Get it first to change a few fields), and saves. The identity is validated as auth validates it (Identity.Validate);
// a password hash, if any, must be a PHC string Verify accepts; an OIDC link
// needs the issuer and the subject, and may link one account only.
func (s *Store) Put(a Account) error {
	a = a.clone()
	if err := a.check(); err != nil {
		return err
	}
	return s.update(func(byID map[string]Account) error {
		t := now()
		if old, ok := byID[a.ID]; ok {
			a.Created = old.Created
		} else if a.Created.IsZero() {
			a.Created = t
		}
		a.Updated = t
		if err := checkLink(byID, a); err != nil {
			return err
		}
		byID[a.ID] = a
		return nil
	})
}

// SetPassword checks password against the policy (see CheckPassword),
// hashes it with DefaultParams and saves it as the password of account id.
func (s *Store) SetPassword(id, password string) error {
	if err := CheckPassword(id, password); err != nil {
		return fmt.Errorf("account %s: %w", id, err)
	}
	if _, ok := s.Get(id); !ok {
		return s.notFound(id) // before spending a hash
	}
	h, err := Hash(password, s.params)
	if err != nil {
		return err
	}
	return s.modify(id, func(a *Account) { a.PasswordHash = h })
}

// Disable disables (or, with disabled false, enables) account id and
// saves. A disabled account cannot sign in, by password or OIDC.
func (s *Store) Disable(id string, disabled bool) error {
	return s.modify(id, func(a *Account) { a.Disabled = disabled })
}

// modify changes account id with change, stamps it updated and saves.
func (s *Store) modify(id string, change func(*Account)) error {
	return s.update(func(byID map[string]Account) error {
		a, ok := byID[id]
		if !ok {
			return s.notFound(id)
		}
		change(&a)
		a.Updated = now()
		byID[id] = a
		return nil
	})
}

// NeedsRehash reports whether the password hash of account id was made
// with parameters other than DefaultParams.
func (s *Store) NeedsRehash(id string) bool {
	a, ok := s.Get(id)
	if !ok || a.PasswordHash == "" {
		return false
	}
	p, _, _, err := decode(a.PasswordHash)
	return err == nil && p != s.params
}

// Authenticate checks password against account id and returns its
// identity (with no expiry). An unknown id, an account without password
// and a wrong password are all ErrBadCredentials, and take the time of one
// hash; a disabled account is ErrDisabled, said only to someone who knows
// its password. A hash made with other parameters than DefaultParams is
// replaced after a successful sign-in (best effort: on failure the old one
// stays).
func (s *Store) Authenticate(id, password string) (auth.Identity, error) {
	if len(password) > MaxPasswordBytes {
		return auth.Identity{}, ErrBadCredentials // no password set can be that long
	}
	s.mu.Lock()
	err := s.refresh()
	a, ok := s.byID[id]
	s.mu.Unlock()
	if err != nil {
		return auth.Identity{}, err
	}
	if !ok || a.PasswordHash == "" {
		Verify(password, s.dummy())
		return auth.Identity{}, ErrBadCredentials
	}
	match, err := Verify(password, a.PasswordHash)
	if err != nil {
		Verify(password, s.dummy())
		return auth.Identity{}, fmt.Errorf("account %s: unusable password hash: %v: %w", id, err, ErrBadCredentials)
	}
	if !match {
		return auth.Identity{}, ErrBadCredentials
	}
	if a.Disabled {
		return auth.Identity{}, ErrDisabled
	}
	if p, _, _, _ := decode(a.PasswordHash); p != s.params {
		s.rehash(id, a.PasswordHash, password)
	}
	return a.Identity(), nil
}

// rehash replaces the hash old of account id by a hash of password with
// DefaultParams, unless the password changed meanwhile.
func (s *Store) rehash(id, old, password string) {
	h, err := Hash(password, s.params)
	if err != nil {
		return
	}
	_ = s.update(func(byID map[string]Account) error {
		a, ok := byID[id]
		if !ok || a.PasswordHash != old {
			return errors.New("changed meanwhile")
		}
		a.PasswordHash = h
		byID[id] = a
		return nil
	})
}

// ByOIDC returns the identity of the enabled account linked to subject at
// issuer. Failing that, if the provider verified email, it returns the
// identity of the only enabled account with that e-mail (compared without
// case), provided it has no OIDC link yet. Otherwise it is ErrNoAccount
// (several accounts with that e-mail included); the account linked to
// subject being disabled is ErrDisabled.
func (s *Store) ByOIDC(issuer, subject, email string, emailVerified bool) (auth.Identity, error) {
	if issuer == "" || subject == "" {
		return auth.Identity{}, ErrNoAccount
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return auth.Identity{}, err
	}
	for _, a := range s.byID {
		if a.OIDCIssuer == issuer && a.OIDCSubject == subject {
			if a.Disabled {
				return auth.Identity{}, ErrDisabled
			}
			return a.Identity(), nil
		}
	}
	email = strings.TrimSpace(email)
	if !emailVerified || email == "" {
		return auth.Identity{}, ErrNoAccount
	}
	var found []Account
	for _, a := range s.byID {
		if !a.Disabled && strings.EqualFold(a.Email, email) {
			found = append(found, a)
		}
	}
	if len(found) != 1 || found[0].OIDCIssuer != "" {
		return auth.Identity{}, ErrNoAccount
	}
	return found[0].Identity(), nil
}
