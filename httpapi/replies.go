package httpapi

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"github.com/gradelog/gradelog/handlers"
)

// replies remembers the successful answer to each idempotency key for a
// while, so that a retry gets the same answer byte for byte (an import's
// report included). After a restart or past the retention, a retry is
// still recognised by the event log (the key is in the records) and
// answered from what was stored.
type replies struct {
	mu      sync.Mutex
	keep    time.Duration
	swept   time.Time
	entries map[string]*stored
}

type stored struct {
	done        chan struct{} // closed once the first attempt answered
	fingerprint [32]byte
	rep         reply
	ok          bool
	at          time.Time
}

func newReplies(keep time.Duration) *replies {
	return &replies{keep: keep, entries: map[string]*stored{}}
}

func fingerprint(r *http.Request, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.RequestURI() + "\n"))
	h.Write(body)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// do runs fn once per key at a time: a concurrent retry waits for the
// first attempt's answer. Only successful answers are remembered: a
// refused command wrote nothing, so deciding it again is harmless.
func (rs *replies) do(key string, fp [32]byte, fn func() (reply, error)) (reply, bool, error) {
	for {
		rs.mu.Lock()
		rs.expire()
		s := rs.entries[key]
		if s == nil {
			s = &stored{done: make(chan struct{}), fingerprint: fp}
			rs.entries[key] = s
			rs.mu.Unlock()
			var rep reply
			var err error
			defer func() { // also when fn panics: waiting retries decide afresh
				rs.mu.Lock()
				s.rep, s.ok, s.at = rep, err == nil && rep.status < 300, time.Now()
				if !s.ok {
					delete(rs.entries, key)
				}
				close(s.done)
				rs.mu.Unlock()
			}()
			rep, err = fn()
			return rep, false, err
		}
		rs.mu.Unlock()
		<-s.done
		if !s.ok {
			continue // the first attempt failed: this one decides afresh
		}
		if s.fingerprint != fp {
			return reply{}, false, &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{handlers.ProblemOf("Idempotency-Key", "",
				textf("this key was used for another request; a retry repeats the same request, a new request takes a new key"))}}
		}
		return s.rep, true, nil
	}
}

func (rs *replies) expire() {
	if time.Since(rs.swept) < time.Minute {
		return
	}
	rs.swept = time.Now()
	for k, s := range rs.entries {
		if !s.at.IsZero() && time.Since(s.at) > rs.keep {
			delete(rs.entries, k)
		}
	}
}
