package auth

import (
	"fmt"
	"testing"
	"time"
)

// TestThrottle: a key may fail burst times, then waits; other keys are
// not affected; the allowance comes back with time.
func TestThrottle(t *testing.T) {
	th := NewThrottle(3, time.Minute)
	now := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		if w := th.Wait("a", now); w != 0 {
			t.Fatalf("attempt %d: wait %s", i, w)
		}
		if locked := th.Fail("a", now); locked != (i == 3) {
			t.Fatalf("failure %d: locked %v", i, locked)
		}
	}
	if w := th.Wait("a", now); w < 59*time.Second || w > 61*time.Second {
		t.Fatalf("after 3 failures: wait %s, want about a minute", w)
	}
	if w := th.Wait("b", now); w != 0 {
		t.Fatalf("another key waits %s", w)
	}
	if w := th.Wait("a", now.Add(61*time.Second)); w != 0 {
		t.Fatalf("a minute later: wait %s", w)
	}
	if !th.Fail("a", now.Add(61*time.Second)) {
		t.Fatal("one failure after the refill should lock again")
	}
}

// TestThrottleBoundedMemory: a flood of distinct keys does not grow the
// table past maxKeys once their allowance is back.
func TestThrottleBoundedMemory(t *testing.T) {
	th := NewThrottle(2, time.Second)
	now := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	for i := 0; i < maxKeys+500; i++ {
		th.Fail(fmt.Sprint("k", i), now.Add(time.Duration(i)*time.Second))
	}
	if n := len(th.keys); n > maxKeys {
		t.Fatalf("%d keys kept", n)
	}
}
