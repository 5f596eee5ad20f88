package filelog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Mirrored implements eventlog.Sink: the position of the last record the
// bundle holds, which is its source position. A bundle holds nothing but
// imported records.
func (b *File) Mirrored(ctx context.Context) (uint64, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.lastPos(), nil
}

// Import implements eventlog.Sink: it checks recs (eventlog.CheckImport),
// writes their lines and a commit line in one write and syncs the file, so
// that recs are stored whole or not at all, even across a crash (see the
// package comment). A failed write is cut away before Import returns.
func (b *File) Import(ctx context.Context, recs []eventlog.Stored) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.writable:
		return fmt.Errorf("file bundle %s is open for reading: %w", b.path, eventlog.ErrUnsupported)
	case b.broken != nil:
		return b.broken
	}
	last := func(a events.AggregateID) string {
		if i, ok := b.aggOf[a]; ok {
			return b.lastHash[i]
		}
		return ""
	}
	if err := eventlog.CheckImport(recs, b.lastPos(), last); err != nil {
		return fmt.Errorf("import into file bundle %s: %w", b.path, err)
	}
	size := 128
	for _, r := range recs {
		size += 256 + len(r.Aggregate) + len(r.Type) + len(r.Data)*4/3
	}
	buf := make([]byte, 0, size)
	added := make([]pendingRecord, len(recs))
	line := b.lines
	for i, r := range recs {
		hash := events.HashOf(r.Data)
		start := len(buf)
		var err error
		buf, err = appendJSON(buf, recordLine{Position: r.Position, Version: r.Version, Aggregate: r.Aggregate,
			Type: r.Type, Schema: r.Schema, Hash: hash, Envelope: r.Data})
		if err != nil {
			return fmt.Errorf("import into file bundle %s: source position %d: %w", b.path, r.Position, err)
		}
		line++
		added[i] = pendingRecord{entry{pos: r.Position, version: r.Version, off: b.end + int64(start),
			size: int32(len(buf) - start - 1), line: int32(line)}, r.Aggregate, hash}
	}
	sum := sha256.Sum256(buf)
	buf, err := appendJSON(buf, commitLine{commit{Records: len(recs), Position: recs[len(recs)-1].Position, SHA256: hex.EncodeToString(sum[:])}})
	if err != nil {
		return err
	}
	if _, err := b.f.WriteAt(buf, b.end); err != nil {
		return b.undo(err)
	}
	if err := b.f.Sync(); err != nil {
		return b.undo(err)
	}
	for _, p := range added {
		b.add(p)
	}
	b.end += int64(len(buf))
	b.lines = line + 1
	return nil
}

// undo cuts away a failed write, so that the file ends at its last
// commit; if that fails too, the bundle refuses further imports.
func (b *File) undo(err error) error {
	err = fmt.Errorf("import into file bundle %s: %w (nothing of the import is kept)", b.path, err)
	if terr := b.truncate(b.end); terr != nil {
		b.broken = fmt.Errorf("file bundle %s: a failed import could not be cut away (%v): reopen the file, which drops it, before mirroring again", b.path, terr)
		return errors.Join(err, b.broken)
	}
	return err
}

// appendJSON appends v as one line.
func appendJSON(buf []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return buf, err
	}
	buf = append(buf, data...)
	return append(buf, '\n'), nil
}
