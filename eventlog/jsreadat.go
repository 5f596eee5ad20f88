package eventlog

import (
	"context"
	"fmt"

	"github.com/gradelog/gradelog/events"
)

// ReadAt implements Log with direct gets by sequence, pipelined
// (Parallel).
func (l *JetStream) ReadAt(ctx context.Context, positions []uint64) ([]events.Record, error) {
	return Parallel(len(positions), func(i int) (events.Record, error) { return l.readAt(ctx, positions[i]) })
}

func (l *JetStream) readAt(ctx context.Context, pos uint64) (events.Record, error) {
	if pos == 0 {
		return events.Record{}, fmt.Errorf("%w: position 0 holds no record", ErrBadRequest)
	}
	m, err := l.msgAt(ctx, pos)
	if err != nil {
		return events.Record{}, fmt.Errorf("read position %d: %w", pos, err)
	}
	return Decode(l.stored(m.Subject, m.Sequence, m.Header, m.Data))
}
