package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/gradelog/gradelog/events"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

var dupont = Identity{ID: "prof.dupont", Name: "Marie Dupont", Roles: []string{Teacher}, UEs: []string{"1/8", "1/9"}}

func newKey(t *testing.T) *Key {
	t.Helper()
	k, err := LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mint(t *testing.T, k *Key, id Identity, ttl time.Duration) string {
	t.Helper()
	tok, err := k.Mint(id, now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// wantErr fails unless err is an error whose message contains want.
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

func TestAuthRoundTrip(t *testing.T) {
	k := newKey(t)
	tok := mint(t, k, dupont, 8*time.Hour)
	got, err := k.Verify(tok, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := dupont
	want.Expires = now.Add(8 * time.Hour)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	if !got.Has(Teacher) || got.Has(Jury) {
		t.Errorf("Has: %v", got.Roles)
	}
	if !got.Teaches("1/8") || got.Teaches("1/10") {
		t.Errorf("Teaches: %v", got.UEs)
	}
	if diff := cmp.Diff(events.Actor{ID: "prof.dupont", Roles: []string{Teacher}}, got.Actor()); diff != "" {
		t.Errorf("actor (-want +got):\n%s", diff)
	}

	// The registered claims.
	var c map[string]any
	if err := json.Unmarshal(payload(t, tok), &c); err != nil {
		t.Fatal(err)
	}
	if c["iss"] != "gradelog" || c["sub"] != "prof.dupont" || c["iat"] != float64(now.Unix()) ||
		c["exp"] != float64(now.Add(8*time.Hour).Unix()) || c["name"] != "Marie Dupont" {
		t.Errorf("claims %v", c)
	}
	if jti, _ := c["jti"].(string); len(jti) != 36 {
		t.Errorf("jti %q, want a uuid", jti)
	}
	if tok2 := mint(t, k, dupont, 8*time.Hour); tok2 == tok {
		t.Error("two tokens minted at the same time are identical: jti is not random")
	}
}

func TestAuthSeveralRoles(t *testing.T) {
	k := newKey(t)
	id := Identity{ID: "prof.martin", Roles: []string{Jury, Teacher, Jury}, UEs: []string{"2/1", "2/1"}}
	got, err := k.Verify(mint(t, k, id, time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{Jury, Teacher}, got.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2/1"}, got.UEs); diff != "" {
		t.Errorf("UEs (-want +got):\n%s", diff)
	}
}

func TestAuthExpired(t *testing.T) {
	k := newKey(t)
	tok := mint(t, k, dupont, 8*time.Hour)
	_, err := k.Verify(tok, now.Add(8*time.Hour))
	wantErr(t, err, "token expired at 2026-11-25T18:00:00Z")
	if _, err := k.Verify(tok, now.Add(8*time.Hour-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	_, err = k.Verify(tok, now.Add(-time.Hour))
	wantErr(t, err, "token issued in the future")
}

func TestAuthTampered(t *testing.T) {
	k := newKey(t)
	tok := mint(t, k, Identity{ID: "aud.x", Roles: []string{Auditor}}, time.Hour)
	parts := strings.Split(tok, ".")
	p := bytes.Replace(payload(t, tok), []byte(`"auditor"`), []byte(`"secretariat"`), 1)
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(p) + "." + parts[2]
	_, err := k.Verify(forged, now)
	wantErr(t, err, "token signature is invalid")

	sig := []byte(parts[2])
	sig[0] ^= 'A' ^ 'B'
	_, err = k.Verify(parts[0]+"."+parts[1]+"."+string(sig), now)
	wantErr(t, err, "token")

	for _, s := range []string{"", "abc", "a.b.c", parts[0] + "." + parts[1]} {
		if _, err := k.Verify(s, now); err == nil {
			t.Errorf("Verify(%q) accepted", s)
		}
	}
}

func TestAuthOtherKey(t *testing.T) {
	tok := mint(t, newKey(t), dupont, time.Hour)
	_, err := newKey(t).Verify(tok, now)
	if err == nil || err.Error() != "token signature is invalid" {
		t.Fatalf("error %v, want token signature is invalid", err)
	}
}

func TestAuthAlgNone(t *testing.T) {
	k := newKey(t)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: Issuer, Subject: "intruder",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Roles: []string{Secretariat},
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Verify(none, now)
	wantErr(t, err, `algorithm "none" is not accepted`)

	// HS512 with the right secret: a valid signature, but not the algorithm.
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, c).SignedString(k.secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Verify(hs512, now)
	wantErr(t, err, `algorithm "HS512" is not accepted`)

	// HS256 with the right secret but another issuer.
	c.Issuer = "elsewhere"
	other, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Verify(other, now)
	wantErr(t, err, `token issuer "elsewhere" is not "gradelog"`)

	// No expiry.
	c.Issuer, c.ExpiresAt = Issuer, nil
	noExp, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Verify(noExp, now)
	wantErr(t, err, "token has no expiry")
}

func TestAuthUnknownRole(t *testing.T) {
	k := newKey(t)
	_, err := k.Mint(Identity{ID: "x", Roles: []string{"dean"}}, now, time.Hour)
	wantErr(t, err, `unknown role "dean"`)

	// A token signed with the right key but naming an unknown role.
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: Issuer, Subject: "x",
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Roles: []string{Auditor, "admin"},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Verify(tok, now)
	wantErr(t, err, `unknown role "admin"`)
}

func TestAuthMintValidates(t *testing.T) {
	k := newKey(t)
	for _, tc := range []struct {
		id   Identity
		ttl  time.Duration
		want string
	}{
		{Identity{ID: "prof.dupont", Roles: []string{Teacher}}, time.Hour, "a teacher needs at least one UE"},
		{Identity{ID: "sec.x", Roles: []string{Secretariat}, Programmes: []string{"MIAS"}, UEs: []string{"1/8"}}, time.Hour, "without the teacher role"},
		{Identity{ID: "sec.y", Roles: []string{Secretariat}}, time.Hour, "a secretariat needs at least one programme"},
		{Identity{ID: "prof.y", Roles: []string{Teacher}, UEs: []string{"1/8"}, Programmes: []string{"MIAS"}}, time.Hour, "without the secretariat role"},
		{Identity{ID: "", Roles: []string{Auditor}}, time.Hour, "identity has no ID"},
		{Identity{ID: "x"}, time.Hour, "identity x has no role"},
		{Identity{ID: "x", Roles: []string{Auditor}}, 0, "not positive"},
		{Identity{ID: "x", Roles: []string{Auditor}}, -time.Hour, "not positive"},
	} {
		_, err := k.Mint(tc.id, now, tc.ttl)
		wantErr(t, err, tc.want)
	}
}

func TestAuthKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "auth.key")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	if fi.Size() != 32 {
		t.Errorf("key file is %d bytes", fi.Size())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data directory holds %d files, want only auth.key", len(entries))
	}
	k2, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.secret, k2.secret) {
		t.Fatal("second load made a new key")
	}
	if _, err := k2.Verify(mint(t, k1, dupont, time.Hour), now); err != nil {
		t.Errorf("token of the first load, verified with the second: %v", err)
	}
	for _, s := range []string{k1.String(), fmt.Sprintf("%v %+v %#v %s", k1, k1, k1, k1)} {
		if strings.Contains(s, string(k1.secret)) || strings.Contains(s, fmt.Sprintf("%x", k1.secret)) ||
			strings.Contains(s, fmt.Sprint(k1.secret)) {
			t.Errorf("printing the key shows the secret: %s", s)
		}
	}
}

func TestAuthKeyFileTooOpen(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.key")
	if err := os.WriteFile(path, bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateKey(dir)
	wantErr(t, err, path+" has permissions 0644, wider than 0600")
	if data, _ := os.ReadFile(path); !bytes.Equal(data, bytes.Repeat([]byte{7}, 32)) {
		t.Error("the refused key file was changed")
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); err != nil {
		t.Errorf("a read-only 0400 key file: %v", err)
	}
}

func TestAuthKeyFileWrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 33, 64} {
		dir := t.TempDir()
		path := filepath.Join(dir, "auth.key")
		if err := os.WriteFile(path, make([]byte, n), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateKey(dir)
		wantErr(t, err, fmt.Sprintf("auth key %s is %d bytes, want 32", path, n))
	}
}

func TestAuthKeyDirNotDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(file); err == nil {
		t.Fatal("a key under a regular file was created")
	}
}

func TestAuthAuthenticate(t *testing.T) {
	k := newKey(t)
	tok := mint(t, k, dupont, time.Hour)
	req := func(h ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/marks", nil)
		for _, v := range h {
			r.Header.Add("Authorization", v)
		}
		return r
	}

	id, err := k.Authenticate(req("Bearer "+tok), now)
	if err != nil || id.ID != "prof.dupont" {
		t.Fatalf("Authenticate: %v, %v", id, err)
	}
	if _, err := k.Authenticate(req("bearer  "+tok+" "), now); err != nil {
		t.Errorf("lower-case scheme and extra spaces: %v", err)
	}

	if _, err := k.Authenticate(req(), now); !errors.Is(err, ErrNoToken) {
		t.Errorf("missing header: %v, want ErrNoToken", err)
	}
	for _, h := range [][]string{
		{""},
		{"Bearer"},
		{"Bearer "},
		{tok},
		{"Basic " + tok},
		{"Token " + tok},
		{"Bearer " + tok + " extra"},
		{"Bearer " + tok, "Bearer " + tok},
	} {
		_, err := k.Authenticate(req(h...), now)
		if errors.Is(err, ErrNoToken) {
			t.Errorf("%q: ErrNoToken, want malformed", h)
		}
		wantErr(t, err, "malformed Authorization header")
		if len(tok) > 0 && strings.Contains(err.Error(), tok) {
			t.Errorf("%q: the error shows the token", h)
		}
	}

	_, err = k.Authenticate(req("Bearer "+tok), now.Add(2*time.Hour))
	wantErr(t, err, "token expired at")
	_, err = k.Authenticate(req("Bearer "+tok+"x"), now)
	wantErr(t, err, "token")
}

// payload decodes the claims part of a token.
func payload(t *testing.T, tok string) []byte {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return p
}
