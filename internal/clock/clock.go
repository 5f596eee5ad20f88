// Package clock is the settable clock of everything that writes facts
// with dates other than today's (the demo, the cohort generator, tests):
// frozen at a chosen time while the facts of a past year are written,
// then, if asked, running in real time from a chosen moment.
package clock

import (
	"sync"
	"time"
)

// Clock is a settable clock. Its zero value is frozen at the zero time. It
// is safe for concurrent use; give its Now to handlers.Handlers.Now and to
// eventlog.JetStreamConfig.Now.
type Clock struct {
	mu      sync.Mutex
	at      time.Time // the frozen time, or the moment Run started from
	started time.Time // the real time Run was called (zero: frozen)
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.IsZero() {
		return c.at
	}
	return c.at.Add(time.Since(c.started))
}

// Set freezes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.started = t, time.Time{}
}

// Run starts the clock: from now on Now is from plus the real time
// elapsed since Run was called.
func (c *Clock) Run(from time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.started = from, time.Now()
}
