package accounts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/auth"
)

const pw = "correct horse battery"

var dupont = Account{ID: "prof.dupont", Name: "Marie Dupont", Roles: []string{auth.Teacher}, UEs: []string{"1/8", "1/9"}, Email: "M.Dupont@example.org"}

// store opens a store in a new directory, hashing with cheap, holding
// accounts with password pw.
func store(t *testing.T, accounts ...Account) *Store {
	t.Helper()
	s, err := open(t.TempDir(), cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if err := s.Put(a); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(a.ID, pw); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// wantErr fails unless err is an error whose message contains want.
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

func TestAuthenticate(t *testing.T) {
	s := store(t, dupont)
	id, err := s.Authenticate("prof.dupont", pw)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Identity{ID: "prof.dupont", Name: "Marie Dupont", Roles: []string{"teacher"}, UEs: []string{"1/8", "1/9"}}
	if diff := cmp.Diff(want, id); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	if _, err := s.Authenticate("prof.dupont", pw+"!"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password: %v, want ErrBadCredentials", err)
	}
	if _, err := s.Authenticate("prof.dupont", strings.Repeat("x", 1000)); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("overlong password: %v, want ErrBadCredentials", err)
	}
}

// TestAuthenticateSpendsOneHash checks that an unknown id, or an account
// without password, costs the hash a known id does, so that timing does
// not tell which ids exist.
func TestAuthenticateSpendsOneHash(t *testing.T) {
	s := store(t, dupont)
	oidcOnly := Account{ID: "jury.martin", Roles: []string{auth.Jury}, OIDCIssuer: "https://idp.example.org", OIDCSubject: "42"}
	if err := s.Put(oidcOnly); err != nil {
		t.Fatal(err)
	}
	s.Authenticate("nobody", pw) // the first miss also computes the dummy hash
	for _, id := range []string{"prof.dupont", "nobody", "jury.martin"} {
		before := hashCount.Load()
		_, err := s.Authenticate(id, "not the password")
		if !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%s): %v, want ErrBadCredentials", id, err)
		}
		if n := hashCount.Load() - before; n != 1 {
			t.Errorf("Authenticate(%s) computed %d hashes, want 1", id, n)
		}
	}
}

// TestAuthenticateDefaultParams checks, at the real cost, that an unknown
// id takes the time of a hash.
func TestAuthenticateDefaultParams(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(dupont); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword("prof.dupont", pw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.List()[0].PasswordHash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q not made with DefaultParams", s.List()[0].PasswordHash)
	}
	if _, err := s.Authenticate("prof.dupont", pw); err != nil {
		t.Fatal(err)
	}
	s.Authenticate("nobody", pw) // computes the dummy hash
	start := time.Now()
	if _, err := s.Authenticate("nobody", pw); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown id: %v, want ErrBadCredentials", err)
	}
	if d := time.Since(start); d < 5*time.Millisecond {
		t.Errorf("unknown id answered in %s: no hash spent", d)
	}
}

func TestDisabled(t *testing.T) {
	s := store(t, dupont)
	if err := s.Disable("prof.dupont", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("prof.dupont", pw); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled, right password: %v, want ErrDisabled", err)
	}
	if _, err := s.Authenticate("prof.dupont", "not the password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled, wrong password: %v, want ErrBadCredentials", err)
	}
	if err := s.Disable("prof.dupont", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("prof.dupont", pw); err != nil {
		t.Errorf("enabled again: %v", err)
	}
	wantErr(t, s.Disable("nobody", true), "account nobody in "+s.Path()+": no such account")
}

func TestSetPasswordPolicy(t *testing.T) {
	s := store(t, dupont)
	err := s.SetPassword("prof.dupont", "short")
	wantErr(t, err, "account prof.dupont: password too short: at least 12 characters")
	if strings.Contains(err.Error(), "short\"") {
		t.Errorf("error %q shows the password", err)
	}
	wantErr(t, s.SetPassword("prof.dupont", "PROF.DUPONT  "), "password is the account id")
	wantErr(t, s.SetPassword("nobody", pw), "account nobody in "+s.Path()+": no such account")
	if _, err := s.Authenticate("prof.dupont", pw); err != nil {
		t.Errorf("refused passwords replaced the password: %v", err)
	}
}

func TestRehash(t *testing.T) {
	s := store(t, dupont)
	stronger := cheap
	stronger.Time = 2
	s2, err := open(s.dir, stronger)
	if err != nil {
		t.Fatal(err)
	}
	if !s2.NeedsRehash("prof.dupont") {
		t.Fatal("NeedsRehash false after the parameters changed")
	}
	if _, err := s2.Authenticate("prof.dupont", "not the password"); !errors.Is(err, ErrBadCredentials) {
		t.Fatal(err)
	}
	if !s2.NeedsRehash("prof.dupont") {
		t.Error("a failed sign-in rehashed")
	}
	if _, err := s2.Authenticate("prof.dupont", pw); err != nil {
		t.Fatal(err)
	}
	if s2.NeedsRehash("prof.dupont") || s.NeedsRehash("prof.dupont") == false {
		t.Errorf("after sign-in: NeedsRehash %v with the new parameters, %v with the old; want false, true",
			s2.NeedsRehash("prof.dupont"), s.NeedsRehash("prof.dupont"))
	}
	a, _ := s.Get("prof.dupont")
	if !strings.Contains(a.PasswordHash, "m=8192,t=2,p=1$") {
		t.Errorf("hash %q not made with the new parameters", a.PasswordHash)
	}
	if _, err := s.Authenticate("prof.dupont", pw); err != nil {
		t.Errorf("rehashed password: %v", err)
	}
}

func TestFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	s := store(t, dupont)
	path := filepath.Join(s.dir, File)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", path, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(s.dir)
	if len(entries) != 1 {
		t.Errorf("data directory holds %d files, want the accounts file alone (no temporary left)", len(entries))
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(s.dir)
	wantErr(t, err, "accounts file "+path+" has permissions 0644, wider than 0600")
	// A store already open refuses to go on with the file so exposed.
	_, err = s.Authenticate("prof.dupont", pw)
	wantErr(t, err, "has permissions 0644")
	wantErr(t, s.Disable("prof.dupont", true), "has permissions 0644")
}

func TestReopen(t *testing.T) {
	sec := Account{ID: "sec.leroy", Roles: []string{auth.Secretariat, auth.Secretariat}, Programmes: []string{"MIAS"},
		OIDCIssuer: "https://idp.example.org", OIDCSubject: "sub-7"}
	s := store(t, dupont, sec)
	first, _ := s.Get("sec.leroy")
	if diff := cmp.Diff([]string{"secretariat"}, first.Roles); diff != "" {
		t.Errorf("roles not deduplicated (-want +got):\n%s", diff)
	}
	sec.Name = "Paul Leroy"
	sec.Created = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // ignored on a replacement
	if err := s.Put(sec); err != nil {
		t.Fatal(err)
	}
	again, err := Open(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.List(), again.List()); diff != "" {
		t.Errorf("reopened accounts (-saved +read):\n%s", diff)
	}
	got, _ := again.Get("sec.leroy")
	if got.Name != "Paul Leroy" || !got.Created.Equal(first.Created) || got.Updated.Before(first.Updated) {
		t.Errorf("replaced account: name %q, created %s (was %s), updated %s (was %s); want the name, the same creation, no earlier update",
			got.Name, got.Created, first.Created, got.Updated, first.Updated)
	}
	if got.PasswordHash != "" {
		t.Error("Put of an account without hash kept the old hash")
	}
	if again.Len() != 2 || again.List()[0].ID != "prof.dupont" {
		t.Errorf("reopened: %d accounts, first %s; want 2, prof.dupont first", again.Len(), again.List()[0].ID)
	}
}

func TestPutValidates(t *testing.T) {
	s := store(t, Account{ID: "jury.martin", Roles: []string{auth.Jury}, OIDCIssuer: "https://idp.example.org", OIDCSubject: "42"})
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{Roles: []string{auth.Jury}}, "identity has no ID"},
		{Account{ID: "x", Roles: []string{"dean"}}, `unknown role "dean"`},
		{Account{ID: "x", Roles: []string{auth.Teacher}}, "a teacher needs at least one UE"},
		{Account{ID: "x", Roles: []string{auth.Jury}, UEs: []string{"1/8"}}, "UEs 1/8 given without the teacher role"},
		{Account{ID: "x", Roles: []string{auth.Secretariat}}, "a secretariat needs at least one programme"},
		{Account{ID: "x", Roles: []string{auth.Jury}, PasswordHash: "secret"}, "account x: password hash is not a PHC string"},
		{Account{ID: "x", Roles: []string{auth.Jury}, OIDCIssuer: "https://idp.example.org"}, "needs both the issuer and the subject"},
		{Account{ID: "x", Roles: []string{auth.Jury}, OIDCIssuer: "https://idp.example.org", OIDCSubject: "42"}, "already linked to account jury.martin"},
	} {
		err := s.Put(tc.a)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Put(%+v) = %v, want an error containing %q", tc.a, err, tc.want)
		}
	}
	if s.Len() != 1 {
		t.Errorf("%d accounts after refused Puts, want 1", s.Len())
	}
}

func TestOpenRefusesBadFile(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{`{"accounts": [{"id": "x", "roles": ["jury"], "password": "hunter2"}]}`, `unknown field "password"`},
		{`{"accounts": [{"id": "x", "roles": ["jury"]}, {"id": "x", "roles": ["auditor"]}]}`, "account x given twice"},
		{`{"accounts": [{"id": "x", "roles": ["teacher"]}]}`, "a teacher needs at least one UE"},
		{`{"accounts": [{"id": "x", "roles": ["jury"], "password_hash": "$argon2id$v=19$m=4194304,t=3,p=2$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}`, "memory m=4194304 KiB"},
		{`{"accounts": []} {}`, "data after the accounts object"},
		{``, "EOF"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, File)
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		if err == nil || !strings.Contains(err.Error(), "accounts file "+path+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s) = %v, want an error naming the file and containing %q", tc.content, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q shows the file's content", err)
		}
	}
	s, err := Open(filepath.Join(t.TempDir(), "absent"))
	if err != nil || s.Len() != 0 {
		t.Errorf("Open(missing directory) = %d accounts, %v; want an empty store", s.Len(), err)
	}
}

func TestByOIDC(t *testing.T) {
	const iss = "https://idp.example.org"
	linked := Account{ID: "jury.martin", Roles: []string{auth.Jury}, OIDCIssuer: iss, OIDCSubject: "42", Email: "martin@example.org"}
	twin1 := Account{ID: "aud.a", Roles: []string{auth.Auditor}, Email: "shared@example.org"}
	twin2 := Account{ID: "aud.b", Roles: []string{auth.Auditor}, Email: "Shared@Example.org"}
	off := Account{ID: "aud.off", Roles: []string{auth.Auditor}, OIDCIssuer: iss, OIDCSubject: "99", Disabled: true}
	s := store(t, dupont, linked, twin1, twin2, off)
	for _, tc := range []struct {
		name, sub, email string
		verified         bool
		want             string // account id, or the error
	}{
		{"by subject", "42", "", false, "jury.martin"},
		{"by subject, other email", "42", "someone@else.org", true, "jury.martin"},
		{"by verified email, other case", "new", "m.dupont@EXAMPLE.org", true, "prof.dupont"},
		{"by unverified email", "new", "m.dupont@example.org", false, ErrNoAccount.Error()},
		{"email shared by two accounts", "new", "shared@example.org", true, ErrNoAccount.Error()},
		{"email of an account linked to another subject", "new", "martin@example.org", true, ErrNoAccount.Error()},
		{"unknown subject and email", "new", "x@example.org", true, ErrNoAccount.Error()},
		{"subject of a disabled account", "99", "", false, ErrDisabled.Error()},
	} {
		id, err := s.ByOIDC(iss, tc.sub, tc.email, tc.verified)
		got := id.ID
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: ByOIDC = %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := s.ByOIDC("https://other.example.org", "42", "", false); !errors.Is(err, ErrNoAccount) {
		t.Errorf("subject at another issuer: %v, want ErrNoAccount", err)
	}
	if err := s.Disable("prof.dupont", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ByOIDC(iss, "new", "m.dupont@example.org", true); !errors.Is(err, ErrNoAccount) {
		t.Errorf("verified email of a disabled account: %v, want ErrNoAccount", err)
	}
}

// TestSeesOtherWriter checks that a store sees the changes another process
// (gradelog account) made to the file, and does not overwrite them.
func TestSeesOtherWriter(t *testing.T) {
	server := store(t, dupont)
	cli, err := open(server.dir, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Disable("prof.dupont", true); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Authenticate("prof.dupont", pw); !errors.Is(err, ErrDisabled) {
		t.Errorf("after another store disabled the account: %v, want ErrDisabled", err)
	}
	if err := cli.Put(Account{ID: "jury.martin", Roles: []string{auth.Jury}}); err != nil {
		t.Fatal(err)
	}
	if err := server.Disable("prof.dupont", false); err != nil {
		t.Fatal(err)
	}
	if _, ok := cli.Get("jury.martin"); !ok || cli.Len() != 2 {
		t.Error("a change by one store lost the account another added")
	}
}

// TestConcurrent runs sign-ins alongside changes; run with -race.
func TestConcurrent(t *testing.T) {
	s := store(t, dupont, Account{ID: "jury.martin", Roles: []string{auth.Jury}})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 8 {
		wg.Go(func() {
			for range 3 {
				if _, err := s.Authenticate("prof.dupont", pw); err != nil {
					errs <- err
				}
				if _, err := s.Authenticate("nobody", pw); !errors.Is(err, ErrBadCredentials) {
					errs <- fmt.Errorf("unknown id: %v", err)
				}
				_ = s.List()
			}
		})
		wg.Go(func() {
			if err := s.Disable("jury.martin", i%2 == 0); err != nil {
				errs <- err
			}
			if err := s.SetPassword("jury.martin", fmt.Sprintf("%s %d", pw, i)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
