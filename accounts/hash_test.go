package accounts

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// cheap makes the tests that compute many hashes fast; at least one test
// uses DefaultParams.
var cheap = Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyDefaultParams(t *testing.T) {
	h, err := Hash("correct horse battery", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	// 16-byte salt and 32-byte key in unpadded base64.
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not the PHC string of DefaultParams", h)
	}
	if ok, err := Verify("correct horse battery", h); err != nil || !ok {
		t.Errorf("Verify(right password) = %v, %v; want true", ok, err)
	}
	if ok, err := Verify("correct horse batterY", h); err != nil || ok {
		t.Errorf("Verify(wrong password) = %v, %v; want false", ok, err)
	}
	again, err := Hash("correct horse battery", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if again == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestVerifyOtherParams checks that a hash keeps the parameters it was made
// with, so that DefaultParams can change, and that Verify agrees with
// argon2.IDKey computed independently.
func TestVerifyOtherParams(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("a long passphrase"), salt, 2, 16*1024, 4, 24)
	b := base64.RawStdEncoding
	h := fmt.Sprintf("$argon2id$v=19$m=16384,t=2,p=4$%s$%s", b.EncodeToString(salt), b.EncodeToString(key))
	if ok, err := Verify("a long passphrase", h); err != nil || !ok {
		t.Errorf("Verify(hash with m=16384,t=2,p=4, 24-byte key) = %v, %v; want true", ok, err)
	}
	h2, err := Hash("a long passphrase", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h2, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("hash %q does not record the cheap parameters", h2)
	}
	if ok, err := Verify("a long passphrase", h2); err != nil || !ok {
		t.Errorf("Verify(cheap hash) = %v, %v; want true", ok, err)
	}
}

func TestVerifyRefusesTampered(t *testing.T) {
	const salt, key = "MDEyMzQ1Njc4OWFiY2RlZg", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"
	for _, tc := range []struct{ phc, want string }{
		{"$argon2id$v=19$m=2097152,t=3,p=2$" + salt + "$" + key, "memory m=2097152 KiB"},
		{"$argon2id$v=19$m=65536,t=17,p=2$" + salt + "$" + key, "time t=17"},
		{"$argon2id$v=19$m=65536,t=0,p=2$" + salt + "$" + key, "time t=0"},
		{"$argon2id$v=19$m=65536,t=3,p=0$" + salt + "$" + key, "parallelism p=0"},
		{"$argon2id$v=19$m=65536,t=3,p=256$" + salt + "$" + key, "parallelism p=256"},
		{"$argon2id$v=19$m=8,t=3,p=2$" + salt + "$" + key, "memory m=8 KiB"},
		{"$argon2i$v=19$m=65536,t=3,p=2$" + salt + "$" + key, `algorithm "argon2i"`},
		{"$argon2id$v=16$m=65536,t=3,p=2$" + salt + "$" + key, `version "v=16"`},
		{"$argon2id$v=19$t=3,m=65536,p=2$" + salt + "$" + key, `parameter "t=3"`},
		{"$argon2id$v=19$m=65536,t=3$" + salt + "$" + key, "want m=..,t=..,p=.."},
		{"$argon2id$v=19$m=65536,t=3,p=2$" + salt + "=$" + key, "salt is not unpadded base64"},
		{"$argon2id$v=19$m=65536,t=3,p=2$MDEy$" + key, "salt of 3 bytes"},
		{"$argon2id$v=19$m=65536,t=3,p=2$" + salt + "$MDEy", "key of 3 bytes"},
		{"$argon2id$v=19$m=65536,t=3,p=2$" + salt, "not a PHC string"},
		{"plaintext-password", "not a PHC string"},
	} {
		before := hashCount.Load()
		ok, err := Verify("whatever password", tc.phc)
		if ok || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Verify(%s) = %v, %v; want an error containing %q", tc.phc, ok, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "whatever") {
			t.Errorf("Verify(%s) error %q shows the key or the password", tc.phc, err)
		}
		if hashCount.Load() != before {
			t.Errorf("Verify(%s) computed a hash before refusing", tc.phc)
		}
	}
}

func TestHashRefusesBadParams(t *testing.T) {
	for _, p := range []Params{
		{Memory: 2 << 20, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 65536, Time: 17, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 65536, Time: 3, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 65536, Time: 3, Threads: 2, SaltLen: 4, KeyLen: 32},
		{Memory: 65536, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 8},
	} {
		if h, err := Hash("a long passphrase", p); err == nil {
			t.Errorf("Hash(%+v) = %q, want an error", p, h)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct{ id, pw, want string }{
		{"prof.dupont", "elevenchars", "at least 12 characters"},
		{"prof.dupont", strings.Repeat("x", 257), "at most 256 bytes"},
		{"prof.dupont.long", "Prof.Dupont.Long", "is the account id"},
		{"prof.dupont", "twelve chars", ""},
		{"prof.dupont", "éééééééééééé", ""}, // 12 characters, 24 bytes
		{"prof.dupont", strings.Repeat("x", 256), ""},
	} {
		err := CheckPassword(tc.id, tc.pw)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckPassword(%q, %q) = %v, want nil", tc.id, tc.pw, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckPassword(%q, %q) = %v, want an error containing %q", tc.id, tc.pw, err, tc.want)
		case err != nil && strings.Contains(err.Error(), tc.pw):
			t.Errorf("CheckPassword error %q shows the password", err)
		}
	}
}

// BenchmarkHash measures one hash with DefaultParams: the cost of a
// sign-in, and of one offline guess.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("correct horse battery", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
