package eventlog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gradelog/gradelog/events"
)

// Report is the outcome of verifying a log.
type Report struct {
	Checked int                                // records checked
	Breaks  []events.ChainError                // every break found, in log order
	Heads   map[events.AggregateID]events.Link // where each aggregate's chain stands
	Config  error                              // nil when the store is append-only
}

// OK reports whether nothing was found wrong.
func (r Report) OK() bool { return len(r.Breaks) == 0 && r.Config == nil }

// Verify recomputes the hash chain of every aggregate accepted by keep
// (nil: all) from the stored bytes, and checks the store's append-only
// configuration. A break does not stop it: every break is reported.
func Verify(ctx context.Context, l Log, keep func(events.AggregateID) bool) (Report, error) {
	var v events.Verifier
	rep := Report{Config: l.CheckConfig(ctx)}
	err := l.Scan(ctx, 0, false, func(s Stored) error {
		if keep != nil && !keep(s.Aggregate) {
			return nil
		}
		var ce *events.ChainError
		if err := v.Add(s.Aggregate, s.Position, s.Data, s.Hash); errors.As(err, &ce) {
			rep.Breaks = append(rep.Breaks, *ce)
		}
		return nil
	})
	if me := (*MissingError)(nil); errors.As(err, &me) {
		for _, r := range me.Ranges {
			rep.Breaks = append(rep.Breaks, events.ChainError{Position: r[0],
				Reason: fmt.Sprintf("positions %d to %d cannot be read from the store: records were removed or altered on disk", r[0], r[1])})
		}
		err = nil
		slices.SortStableFunc(rep.Breaks, func(a, b events.ChainError) int { return cmp.Compare(a.Position, b.Position) })
	}
	rep.Checked, rep.Heads = v.Checked(), v.Heads()
	return rep, err
}
