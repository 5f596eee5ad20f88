package mirror

import (
	"context"
	"errors"
	"fmt"

	"github.com/gradelog/gradelog/eventlog"
)

// positionKeeper is a sink that stores each record at its source
// position (filelog.File): positions must then be equal on both sides.
type positionKeeper interface{ KeepsSourcePositions() bool }

// verify reads the destination back from its first record with a fresh
// verifier, and compares it with the source's side in rep.
func verify(ctx context.Context, dst eventlog.Sink, rep *Report, opt Options) error {
	src, ok := dst.(eventlog.Source)
	if !ok {
		return fmt.Errorf("the destination (%T) cannot be read back: the copy is not verified", dst)
	}
	var breaks []string
	t := newTally()
	err := src.Scan(ctx, 0, false, func(s eventlog.Stored) error {
		if ce := t.add(s); ce != nil {
			breaks = append(breaks, fmt.Sprintf("the destination's chain of %s breaks at position %d: %s", ce.Aggregate, ce.Position, ce.Reason))
		}
		if opt.Progress != nil && t.n%opt.BatchRecords == 0 {
			opt.Progress(Progress{Stage: Verifying, Position: s.Position, Last: rep.Source.Last, Read: t.n, Copied: rep.Copied, Resumed: rep.Resumed})
		}
		return nil
	})
	var me *eventlog.MissingError
	if errors.As(err, &me) {
		breaks = append(breaks, "destination: "+me.Error())
		err = nil
	}
	if err != nil {
		return fmt.Errorf("destination: reading it back: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress(Progress{Stage: Verifying, Position: t.last, Last: rep.Source.Last, Read: t.n, Copied: rep.Copied, Resumed: rep.Resumed})
	}
	if l, ok := dst.(eventlog.Log); ok {
		if err := l.CheckConfig(ctx); err != nil {
			breaks = append(breaks, "destination: "+err.Error())
		}
	}
	rep.Destination = t.side()
	rep.Verified = true
	rep.PositionsIdentical = rep.Source.positionsDigest == rep.Destination.positionsDigest
	keeps := false
	if k, ok := dst.(positionKeeper); ok {
		keeps = k.KeepsSourcePositions()
	}
	rep.Differences = append(breaks, compare(rep.Source, rep.Destination, keeps)...)
	return nil
}
