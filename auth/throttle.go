package auth

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Throttle limits failed attempts (a wrong password, a refused token) per
// key: an account, a client address. Each key has an allowance of Burst
// attempts, refilled at one every Every; an attempt holds one while it
// runs, so concurrent attempts count, and a success gives it back.
type Throttle struct {
	every time.Duration
	burst float64
	mu    sync.Mutex
	keys  map[string]*bucket
}

// bucket is a key's allowance at a time.
type bucket struct {
	tokens float64
	at     time.Time
}

// refill refills b up to now.
func (t *Throttle) refill(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.tokens = min(t.burst, b.tokens+float64(now.Sub(b.at))/float64(t.every))
		b.at = now
	}
}

// maxKeys bounds the table: beyond it, keys whose allowance is whole
// again are forgotten, then, under a flood of keys, any.
const maxKeys = 10000

// NewThrottle allows burst failures per key, then one every every.
func NewThrottle(burst int, every time.Duration) *Throttle {
	return &Throttle{every: every, burst: float64(burst), keys: map[string]*bucket{}}
}

// DefaultThrottle is gradelog's: 5 failures per key, then one attempt a
// minute. A server gives the same one to its pages and its API.
func DefaultThrottle() *Throttle { return NewThrottle(5, time.Minute) }

// Attempt is an attempt under way, holding one allowance of each key.
type Attempt struct {
	t    *Throttle
	held []*bucket
}

// Begin takes one allowance of every key for an attempt, or returns how
// long to wait when a key has none left (and takes nothing).
func (t *Throttle) Begin(now time.Time, keys ...string) (*Attempt, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	var held []*bucket
	for _, k := range keys {
		b := t.bucket(k, now)
		t.refill(b, now)
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)*float64(t.every)).Round(time.Second)+time.Second)
		}
		held = append(held, b)
	}
	if wait > 0 {
		return nil, wait
	}
	for _, b := range held {
		b.tokens--
	}
	return &Attempt{t: t, held: held}, 0
}

// Done ends the attempt. A success gives the allowances back; a failure
// keeps them and reports whether a key has none left (the moment to
// record a lockout, once).
func (a *Attempt) Done(ok bool, now time.Time) (locked bool) {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	for _, b := range a.held {
		a.t.refill(b, now)
		if ok {
			b.tokens = min(a.t.burst, b.tokens+1)
		} else if b.tokens < 1 {
			locked = true
		}
	}
	a.held = nil
	return locked
}

func (t *Throttle) bucket(key string, now time.Time) *bucket {
	if b := t.keys[key]; b != nil {
		return b
	}
	if len(t.keys) >= maxKeys {
		for k, b := range t.keys {
			if t.refill(b, now); b.tokens >= t.burst {
				delete(t.keys, k)
			}
		}
		for k := range t.keys { // a flood of keys: forget any
			if len(t.keys) < maxKeys*9/10 {
				break
			}
			delete(t.keys, k)
		}
	}
	b := &bucket{tokens: t.burst, at: now}
	t.keys[key] = b
	return b
}

// ClientAddr is the address a request came from (the proxy's, behind
// one: then every client shares the proxy's allowance).
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
