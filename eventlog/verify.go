package eventlog

import (
	"context"
	"errors"

	"github.com/gradelog/gradelog/events"
)

// Report is the outcome of verifying a log.
type Report struct {
	Checked int                           // records checked
	Breaks  []events.ChainError           // every break found, in log order
	Heads   map[events.AggregateID]string // chain head of each aggregate
	Config  error                         // nil when the store is append-only
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
	rep.Checked, rep.Heads = v.Checked(), v.Heads()
	return rep, err
}
