package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits failed attempts (a wrong password, a refused token) per
// key: an account, a client address. Each key may fail Burst times in a
// row; one more attempt is allowed every Every after that. Successes do
// not reset the count, so guessing one account's password from many
// sessions is as slow as from one.
type Throttle struct {
	every time.Duration
	burst int
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

// maxKeys bounds the memory a flood of distinct keys can take: beyond it,
// keys whose allowance is whole again are forgotten.
const maxKeys = 10000

// NewThrottle allows burst failures per key, then one every every.
func NewThrottle(burst int, every time.Duration) *Throttle {
	return &Throttle{every: every, burst: burst, keys: map[string]*rate.Limiter{}}
}

// Wait returns how long key must wait before its next attempt (0: it may
// try now).
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.keys[key]
	if l == nil {
		return 0
	}
	if tokens := l.TokensAt(now); tokens < 1 {
		return time.Duration((1-tokens)*float64(t.every)).Round(time.Second) + time.Second
	}
	return 0
}

// Fail counts a failed attempt of key and reports whether it used the
// key's last allowance (the moment to record a lockout once).
func (t *Throttle) Fail(key string, now time.Time) (locked bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.keys[key]
	if l == nil {
		if len(t.keys) >= maxKeys {
			t.prune(now)
		}
		l = rate.NewLimiter(rate.Every(t.every), t.burst)
		t.keys[key] = l
	}
	l.AllowN(now, 1)
	return l.TokensAt(now) < 1
}

// prune forgets the keys whose allowance is whole again.
func (t *Throttle) prune(now time.Time) {
	for k, l := range t.keys {
		if l.TokensAt(now) >= float64(t.burst) {
			delete(t.keys, k)
		}
	}
}
