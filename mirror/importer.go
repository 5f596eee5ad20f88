package mirror

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/gradelog/gradelog/eventlog"
)

// errImportFailed stops the source's scan once an import has failed; Copy
// reports the import's own error.
var errImportFailed = errors.New("an import failed")

// importer imports batches into the destination in its own goroutine, one
// at a time and in order, while the next batch is read and verified: the
// reading waits only when a batch is ready and the previous one is not yet
// stored.
type importer struct {
	dst     eventlog.Sink
	batches chan []eventlog.Stored
	ended   chan struct{}
	copied  atomic.Int64
	failed  atomic.Bool
	err     error // set before ended is closed
}

func startImporter(ctx context.Context, dst eventlog.Sink) *importer {
	imp := &importer{dst: dst, batches: make(chan []eventlog.Stored), ended: make(chan struct{})}
	go func() {
		defer close(imp.ended)
		for b := range imp.batches {
			if imp.err != nil {
				continue // drain: send stops once failed is seen
			}
			if err := dst.Import(ctx, b); err != nil {
				imp.err = err
				imp.failed.Store(true)
				continue
			}
			imp.copied.Add(int64(len(b)))
		}
	}()
	return imp
}

// send hands a batch over, waiting for the previous one to be taken; it
// reports false once an import has failed.
func (imp *importer) send(b []eventlog.Stored) bool {
	if imp.failed.Load() {
		return false
	}
	imp.batches <- b
	return true
}

// done is how many records were imported so far.
func (imp *importer) done() int { return int(imp.copied.Load()) }

// close waits for the last batch and returns how many records were
// imported and the first import error.
func (imp *importer) close() (int, error) {
	close(imp.batches)
	<-imp.ended
	return imp.done(), imp.err
}
