package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)

// TestThrottle: a key may fail burst times, then waits; successes give
// their allowance back; other keys are not affected; the allowance comes
// back with time.
func TestThrottle(t *testing.T) {
	th := NewThrottle(3, time.Minute)
	for i := 0; i < 10; i++ {
		a, wait := th.Begin(t0, "a")
		if wait != 0 {
			t.Fatalf("success %d waits %s", i, wait)
		}
		a.Done(true, t0)
	}
	for i := 1; i <= 3; i++ {
		a, wait := th.Begin(t0, "a", "shared")
		if wait != 0 {
			t.Fatalf("attempt %d: wait %s", i, wait)
		}
		if locked := a.Done(false, t0); locked != (i == 3) {
			t.Fatalf("failure %d: locked %v", i, locked)
		}
	}
	if _, wait := th.Begin(t0, "a"); wait < 59*time.Second || wait > 62*time.Second {
		t.Fatalf("after 3 failures: wait %s, want about a minute", wait)
	}
	if _, wait := th.Begin(t0, "b", "shared"); wait == 0 {
		t.Fatal("a locked key among others lets the attempt through")
	}
	if a, wait := th.Begin(t0, "b"); wait != 0 {
		t.Fatalf("another key waits %s", wait)
	} else {
		a.Done(true, t0)
	}
	later := t0.Add(61 * time.Second)
	a, wait := th.Begin(later, "a")
	if wait != 0 {
		t.Fatalf("a minute later: wait %s", wait)
	}
	if !a.Done(false, later) {
		t.Fatal("one failure after the refill should lock again")
	}
}

// TestThrottleConcurrent: attempts under way hold their allowance, so
// twenty at once let only burst through.
func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(5, time.Minute)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var began []*Attempt
	for range 20 {
		wg.Go(func() {
			if a, wait := th.Begin(t0, "addr"); wait == 0 {
				mu.Lock()
				began = append(began, a)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(began) != 5 {
		t.Fatalf("%d attempts began at once, want 5", len(began))
	}
}

// TestThrottleBoundedMemory: a flood of distinct keys within one period
// does not grow the table past maxKeys.
func TestThrottleBoundedMemory(t *testing.T) {
	th := NewThrottle(2, time.Hour)
	for i := 0; i < 3*maxKeys; i++ {
		a, _ := th.Begin(t0, fmt.Sprint("k", i))
		a.Done(false, t0)
	}
	if n := len(th.keys); n > maxKeys {
		t.Fatalf("%d keys kept", n)
	}
}
