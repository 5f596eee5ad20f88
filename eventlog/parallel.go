package eventlog

import "sync"

// inFlight bounds the reads Parallel keeps in flight.
const inFlight = 16

// Parallel calls do(i) for i in [0, n), up to 16 at once, and returns the
// answers in that order, or the first error in that order: how a backend
// pipelines many small reads (ReadAt's positions, the heads of a batch's
// aggregates).
func Parallel[T any](n int, do func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(inFlight, n) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
