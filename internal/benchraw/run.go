package benchraw

import (
	"errors"
	"fmt"
	"sync"
)

// Run is a B outside `go test`, for `gradelog bench`: Fatal stops the
// workload that called it (Do returns its message as an error), Cleanup
// functions run when Close is called, last registered first, and
// ReportMetric keeps the metrics in Metrics. The timer methods do nothing:
// Measure and MeasureEach return the time of each side themselves.
type Run struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
	// Metrics holds what ReportMetric reported, by unit.
	Metrics map[string]float64
}

// fatal is the panic Fatal raises to unwind the workload; Do recovers it.
type fatal struct{ msg string }

// NewRun returns a fresh Run.
func NewRun() *Run { return &Run{Metrics: map[string]float64{}} }

func (r *Run) Helper()     {}
func (r *Run) ResetTimer() {}
func (r *Run) StartTimer() {}
func (r *Run) StopTimer()  {}

// Cleanup registers f to run at Close.
func (r *Run) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// Failed reports whether Fatal or FailNow was called.
func (r *Run) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Fatal stops the workload with a message.
func (r *Run) Fatal(args ...any) { r.stop(fmt.Sprint(args...)) }

// Fatalf stops the workload with a formatted message.
func (r *Run) Fatalf(format string, args ...any) { r.stop(fmt.Sprintf(format, args...)) }

// FailNow stops the workload.
func (r *Run) FailNow() { r.stop("failed") }

func (r *Run) stop(msg string) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	panic(fatal{msg})
}

// ReportMetric keeps n under unit.
func (r *Run) ReportMetric(n float64, unit string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Metrics[unit] = n
}

// Do runs f, returning the message of the Fatal that stopped it, if any.
// Other panics go on.
func (r *Run) Do(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			f, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			err = errors.New(f.msg)
		}
	}()
	f()
	return nil
}

// Close runs the cleanup functions, last registered first.
func (r *Run) Close() {
	r.mu.Lock()
	cs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

var (
	_ B = (*Run)(nil)
)
