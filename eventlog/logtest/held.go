package logtest

import (
	"context"
	"sync"
	"time"

	"github.com/gradelog/gradelog/eventlog"
)

// Held is a log whose feed can be held or slowed, for tests of what reads
// from it (projection runners): while held, each record a Scan hands over
// waits until Release, as behind a stalled consumer; with a delay, each
// waits that long, as behind a slow one. Appends go through untouched.
type Held struct {
	eventlog.Log
	mu    sync.Mutex
	gate  chan struct{} // nil: open
	delay time.Duration
}

// Hold stops the feed: records wait until Release.
func (h *Held) Hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate == nil {
		h.gate = make(chan struct{})
	}
}

// Release lets the held records through.
func (h *Held) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate != nil {
		close(h.gate)
		h.gate = nil
	}
}

// SetDelay makes each record wait d before it is handed over.
func (h *Held) SetDelay(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.delay = d
}

// Scan is the log's Scan, each record waiting at the gate and for the
// delay before fn sees it.
func (h *Held) Scan(ctx context.Context, after uint64, live bool, fn func(eventlog.Stored) error) error {
	return h.Log.Scan(ctx, after, live, func(s eventlog.Stored) error {
		h.mu.Lock()
		gate, delay := h.gate, h.delay
		h.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return fn(s)
	})
}
