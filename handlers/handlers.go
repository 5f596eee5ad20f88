// Package handlers holds gradelog's command handlers. Each one decides on
// the state of the aggregate it touches, with pure rules (no I/O, no clock
// but the one passed in), and appends the resulting events with an
// expectation on the head it decided on. Every command is validated against
// the catalog, the ruleset and current state before anything is appended:
// a refused command writes nothing and says why (Refusal).
//
// State that spans aggregates (who is registered, who is on a grade sheet,
// which credits a student holds) comes from the projections.Cohort view;
// see docs/adr/0006-cross-aggregate-checks.md.
package handlers

import (
	"context"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // deadlines are days in Europe/Brussels wherever the server runs

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/projections"
)

// Handlers carries what every command handler needs.
type Handlers struct {
	Log eventlog.Log
	// Cohort and Views are the registry and the runner feeding it; Views
	// is what a handler waits on to see the log's latest state.
	Cohort *projections.Cohort
	Views  *projections.Runner
	// Now is the clock deadlines are checked against (time.Now if nil).
	Now func() time.Time

	mu         sync.Mutex
	aggregates map[string]*aggregate
}

// New returns handlers over l with an empty registry, fed from the start of
// the log by a runner. Run the runner (Views.Run) for the handlers to see
// the log.
func New(l eventlog.Log) *Handlers { return On(l, projections.NewCohort()) }

// On returns handlers over l with the registry c (restored from a
// checkpoint), fed by a runner that resumes after c's position.
func On(l eventlog.Log, c *projections.Cohort) *Handlers {
	return &Handlers{Log: l, Cohort: c, Views: projections.NewRunner(l, c).From(c.Position())}
}

func (hs *Handlers) now() time.Time {
	if hs.Now != nil {
		return hs.Now()
	}
	return time.Now()
}

// catchUp waits for the registry to hold every record the log holds now:
// a check that refuses on the registry's word first makes sure it is not
// behind. Views that are stalled (behind, applying nothing) refuse the
// command at once with Unavailable, naming how far behind they are,
// instead of holding it for catchUpTimeout.
func (hs *Handlers) catchUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	last, err := hs.Log.LastPosition(ctx)
	if err != nil {
		return err
	}
	if err := hs.Views.Settle(ctx, last); err != nil {
		lag := hs.Views.Lag()
		return &Refusal{Reason: Unavailable, Problems: []Problem{problemf("views", fmt.Sprintf("position %d, %d records behind the log", lag.Views, lag.Behind),
			"a command is checked against views holding every record of the log: %v", err)}}
	}
	return nil
}

// catchUpTimeout bounds the wait for the registry: a registry that stays
// behind (its runner stopped) fails commands instead of hanging them.
const catchUpTimeout = 10 * time.Second

// brussels is where the programme's days begin and end.
var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}()
