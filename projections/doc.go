// Package projections builds the views people read from the event log.
//
// A view is a pure fold: it applies records in log order, with no I/O and no
// clock, so the same log always gives the same view. The Runner follows the
// log live and feeds every view; a reader that must see its own write waits
// for the runner to reach the write's position (WaitFor) or the log's head
// (CatchUp).
package projections
