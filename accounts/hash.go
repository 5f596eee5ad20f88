package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters of a hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the parameters new passwords are hashed with: 64 MiB,
// 3 passes, 2 lanes (the second recommendation of RFC 9106 with more
// passes), a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters Hash and Verify accept, so that a tampered file
// cannot make each sign-in allocate gigabytes or run for minutes, nor
// weaken a hash to a few bits.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// maxConcurrentHashes bounds the hashes computed at once in the process: at
// 64 MiB each, a burst of sign-ins would otherwise exhaust memory. Further
// callers wait for a slot.
const maxConcurrentHashes = 4

var hashSlots = make(chan struct{}, maxConcurrentHashes)

// hashCount counts the keys derived, for the tests.
var hashCount atomic.Int64

// check reports the first parameter outside the bounds.
func (p Params) check() error {
	switch {
	case p.Threads == 0:
		return errors.New("argon2id parallelism p=0: must be at least 1")
	case p.Time == 0 || p.Time > maxTime:
		return fmt.Errorf("argon2id time t=%d: must be between 1 and %d", p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("argon2id memory m=%d KiB: must be between 8×p (%d) and %d (1 GiB)", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2id salt of %d bytes: must be between %d and %d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2id key of %d bytes: must be between %d and %d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// derive computes the Argon2id key of password, waiting for a slot.
func derive(password string, salt []byte, p Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	hashCount.Add(1)
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// b64 is the PHC string encoding: standard base64 without padding.
var b64 = base64.RawStdEncoding.Strict()

// Hash hashes password with Argon2id and a random salt of p.SaltLen bytes,
// and returns the PHC string
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>".
func Hash(password string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	return encode(p, salt, derive(password, salt, p)), nil
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the PHC string phc, hashing it
// with the parameters and salt phc records and comparing in constant time.
// An error means phc is malformed or its parameters are outside the bounds
// (memory above 1 GiB, more than 16 passes, no lane...); it never contains
// phc nor password.
func Verify(password, phc string) (bool, error) {
	p, salt, key, err := decode(phc)
	if err != nil {
		return false, err
	}
	got := derive(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// decode parses and bounds a PHC string.
func decode(phc string) (p Params, salt, key []byte, err error) {
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" {
		return p, nil, nil, errors.New("password hash is not a PHC string $argon2id$v=..$m=..,t=..,p=..$salt$key")
	}
	if f[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash algorithm %q: only argon2id is accepted", f[1])
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("password hash version %q: only v=%d is accepted", f[2], argon2.Version)
	}
	ps := strings.Split(f[3], ",")
	if len(ps) != 3 {
		return p, nil, nil, fmt.Errorf("password hash parameters %q: want m=..,t=..,p=..", f[3])
	}
	var m, t, th uint64
	for i, dst := range []*uint64{&m, &t, &th} {
		name := []string{"m=", "t=", "p="}[i]
		v, ok := strings.CutPrefix(ps[i], name)
		if ok {
			*dst, err = strconv.ParseUint(v, 10, 32)
		}
		if !ok || err != nil {
			return p, nil, nil, fmt.Errorf("password hash parameter %q: want %s<number>", ps[i], name)
		}
	}
	if th > 255 {
		return p, nil, nil, fmt.Errorf("argon2id parallelism p=%d: must be at most 255", th)
	}
	if salt, err = b64.DecodeString(f[4]); err != nil {
		return p, nil, nil, errors.New("password hash salt is not unpadded base64")
	}
	if key, err = b64.DecodeString(f[5]); err != nil {
		return p, nil, nil, errors.New("password hash key is not unpadded base64")
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.check(); err != nil {
		return Params{}, nil, nil, err
	}
	return p, salt, key, nil
}
