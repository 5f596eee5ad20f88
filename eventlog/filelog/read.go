package filelog

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// LastPosition implements eventlog.Log: the source position of the last
// record, 0 for an empty bundle.
func (b *File) LastPosition(ctx context.Context) (uint64, error) {
	return b.Mirrored(ctx)
}

// CheckConfig implements eventlog.Log. A bundle has no setting to relax:
// it is append-only by construction, and what proves it unaltered is its
// chains and published heads, as for any log.
func (b *File) CheckConfig(ctx context.Context) error { return nil }

// Append implements eventlog.Log by refusing: only a mirror writes a
// bundle (Import).
func (b *File) Append(ctx context.Context, req eventlog.AppendRequest) (eventlog.Appended, error) {
	return eventlog.Appended{}, fmt.Errorf("file bundle %s: append to %s: %w (a bundle is written by gradelog mirror only)", b.path, req.Aggregate, eventlog.ErrUnsupported)
}

// snapshot returns the committed records after position `after`.
func (b *File) snapshot(after uint64) []entry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	recs := b.recs
	i := sort.Search(len(recs), func(i int) bool { return recs[i].pos > after })
	return recs[i:len(recs):len(recs)]
}

// Scan implements eventlog.Log for bounded scans: it delivers the records
// after position `after` present when it is called, reading the file
// sequentially. A bundle has no live feed: live is refused with
// ErrUnsupported.
func (b *File) Scan(ctx context.Context, after uint64, live bool, fn func(eventlog.Stored) error) error {
	if live {
		return fmt.Errorf("file bundle %s: %w: a bundle has no live feed", b.path, eventlog.ErrUnsupported)
	}
	recs := b.snapshot(after)
	if len(recs) == 0 {
		return nil
	}
	first, last := recs[0], recs[len(recs)-1]
	s := &lineReader{r: bufio.NewReaderSize(io.NewSectionReader(b.f, first.off, last.off+int64(last.size)+1-first.off), 1<<20), off: first.off}
	for i := 0; i < len(recs); {
		line, _, _, err := s.next()
		if err != nil {
			return fmt.Errorf("file bundle %s: reading line %d: %w", b.path, recs[i].line, err)
		}
		if bytes.HasPrefix(line, commitPrefix) {
			continue
		}
		st, err := b.stored(recs[i], line)
		if err != nil {
			return err
		}
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(st); err != nil {
			return err
		}
		i++
	}
	return nil
}

// stored decodes the line of e.
func (b *File) stored(e entry, line []byte) (eventlog.Stored, error) {
	r, err := parseRecord(line)
	if err == nil && r.Position != e.pos {
		err = fmt.Errorf("holds position %d, the file held position %d there when it was opened", r.Position, e.pos)
	}
	if err != nil {
		return eventlog.Stored{}, fmt.Errorf("file bundle %s line %d: %w (was the file changed while open?)", b.path, e.line, err)
	}
	return eventlog.Stored{Aggregate: r.Aggregate, Position: r.Position, Version: r.Version, Type: r.Type, Schema: r.Schema,
		Hash: r.Hash, Data: r.Envelope, Where: fmt.Sprintf("file %s line %d", b.path, e.line)}, nil
}

// read reads and decodes the record of e.
func (b *File) read(e entry) (events.Record, error) {
	line := make([]byte, e.size)
	if _, err := b.f.ReadAt(line, e.off); err != nil {
		return events.Record{}, fmt.Errorf("file bundle %s line %d: %w", b.path, e.line, err)
	}
	st, err := b.stored(e, line)
	if err != nil {
		return events.Record{}, err
	}
	return eventlog.Decode(st)
}

// Load implements eventlog.Log from the bundle's index of each
// aggregate's records. Versions are the source's.
func (b *File) Load(ctx context.Context, a events.AggregateID, until eventlog.Until) (eventlog.History, error) {
	if err := a.Validate(); err != nil {
		return eventlog.History{}, fmt.Errorf("%w: %v", eventlog.ErrBadRequest, err)
	}
	b.mu.RLock()
	var recs []entry
	if i, ok := b.aggOf[a]; ok {
		for _, k := range b.byAgg[i] {
			recs = append(recs, b.recs[k])
		}
	}
	b.mu.RUnlock()
	var h eventlog.History
	for _, e := range recs {
		if err := ctx.Err(); err != nil {
			return eventlog.History{}, err
		}
		r, err := b.read(e)
		if err != nil {
			return eventlog.History{}, fmt.Errorf("load %s: %w", a, err)
		}
		if !until.Admits(r.Position, r.RecordedAt) {
			break
		}
		h.Records = append(h.Records, r)
		h.Head = r.Head()
	}
	return h, nil
}

// ReadAt implements eventlog.Log.
func (b *File) ReadAt(ctx context.Context, positions []uint64) ([]events.Record, error) {
	b.mu.RLock()
	recs := b.recs
	b.mu.RUnlock()
	out := make([]events.Record, len(positions))
	for i, p := range positions {
		if p == 0 {
			return nil, fmt.Errorf("%w: position 0 holds no record", eventlog.ErrBadRequest)
		}
		k := sort.Search(len(recs), func(k int) bool { return recs[k].pos >= p })
		if k == len(recs) || recs[k].pos != p {
			return nil, fmt.Errorf("read position %d: file bundle %s holds no record at this position", p, b.path)
		}
		r, err := b.read(recs[k])
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
