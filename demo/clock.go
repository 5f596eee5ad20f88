package demo

import (
	"sync"
	"time"
)

// Clock is the demo's clock: set by hand while Load writes the year's
// facts, then running in real time from a chosen moment. Its zero value is
// frozen at the zero time. It is safe for concurrent use.
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
