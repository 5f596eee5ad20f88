package filelog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// File is a file bundle, open for reading (Open) or for mirroring into
// (Create). It is safe for concurrent use within one process; Create also
// locks the file against other processes.
type File struct {
	path     string
	f        *os.File
	writable bool
	unlock   func()

	mu        sync.RWMutex
	end       int64   // the end of the last commit line: the file as committed
	lines     int     // lines up to end
	recs      []entry // every committed record, in order
	aggs      []events.AggregateID
	aggOf     map[events.AggregateID]int32
	byAgg     [][]int32 // indices into recs of each aggregate's records
	lastHash  []string  // hash of each aggregate's last record
	recovered string
	broken    error // a failed write that could not be undone
}

// entry is where one committed record is.
type entry struct {
	pos, version uint64
	off          int64 // of its line
	size         int32 // of its line, without the newline
	line         int32 // its line number, from 1
	agg          int32
}

var (
	_ eventlog.Sink = (*File)(nil)
	_ eventlog.Log  = (*File)(nil)
)

// Open opens an existing bundle for reading. The remnant of an interrupted
// import at its end is ignored (see Recovered); the file is not changed.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("file bundle: %w", err)
	}
	b := &File{path: path, f: f, unlock: func() {}}
	tail, err := b.load()
	if err == nil && b.end == 0 && tail == 0 {
		err = fmt.Errorf("file bundle %s is empty: not a gradelog mirror file", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if tail > 0 {
		b.recovered += "; it was ignored (the file is opened read-only and left as it is)"
	}
	return b, nil
}

// Create opens the bundle at path for mirroring into, creating it if it
// does not exist, and locks it (another process mirroring into it at the
// same time is refused). The remnant of an interrupted import at its end
// is truncated (see Recovered).
func Create(path string) (*File, error) {
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("file bundle: %w", err)
	}
	unlock, err := lock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("file bundle %s: %w", path, err)
	}
	b := &File{path: path, f: f, writable: true, unlock: unlock}
	fail := func(err error) (*File, error) {
		unlock()
		f.Close()
		return nil, err
	}
	tail, err := b.load()
	if err != nil {
		return fail(err)
	}
	if tail > 0 {
		if err := b.truncate(b.end); err != nil {
			return fail(fmt.Errorf("file bundle %s: truncating the remnant of an interrupted import: %w", path, err))
		}
		b.recovered += fmt.Sprintf("; it was truncated (the file now ends at byte %d)", b.end)
	}
	if b.end == 0 {
		if _, err := f.WriteAt(header, 0); err != nil {
			return fail(fmt.Errorf("file bundle %s: %w", path, err))
		}
		if err := f.Sync(); err != nil {
			return fail(fmt.Errorf("file bundle %s: %w", path, err))
		}
		b.end, b.lines = int64(len(header)), 1
	}
	if created {
		if err := syncDir(path); err != nil {
			return fail(fmt.Errorf("file bundle %s: %w", path, err))
		}
	}
	return b, nil
}

// Close releases the file.
func (b *File) Close() error {
	b.unlock()
	return b.f.Close()
}

// Path is the bundle's file name.
func (b *File) Path() string { return b.path }

// Recovered says what opening the bundle found after its last commit and
// did with it: "" when the file ended cleanly.
func (b *File) Recovered() string { return b.recovered }

// KeepsSourcePositions reports that a bundle stores every record at its
// source position: a copy of a copy numbers records as the original did.
func (b *File) KeepsSourcePositions() bool { return true }

// truncate cuts the file at size and syncs it.
func (b *File) truncate(size int64) error {
	if err := b.f.Truncate(size); err != nil {
		return err
	}
	return b.f.Sync()
}

// pendingRecord is a record line read but not yet committed.
type pendingRecord struct {
	entry
	aggregate events.AggregateID
	hash      string
}

// load reads the file through, indexes every committed record and sets
// end. It returns how many bytes follow the last commit (a remnant of an
// interrupted import, described in recovered), or an error for a file
// that is not a bundle or is damaged before its last commit.
func (b *File) load() (tail int64, err error) {
	st, err := b.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("file bundle: %w", err)
	}
	size := st.Size()
	b.aggOf = map[events.AggregateID]int32{}
	s := &lineReader{r: bufio.NewReaderSize(io.NewSectionReader(b.f, 0, size), 1<<20)}
	first, _, complete, err := s.next()
	switch {
	case errors.Is(err, io.EOF):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("file bundle %s: %w", b.path, err)
	case !complete && bytes.HasPrefix(header, first):
		b.recovered = fmt.Sprintf("file bundle %s: its first line is torn (%d bytes, no newline): the file was being created", b.path, len(first))
		return size, nil
	case !complete || !bytes.Equal(first, header[:len(header)-1]):
		return 0, fmt.Errorf("file bundle %s is not a gradelog mirror file: its first line is %.80q, want %q", b.path, first, header[:len(header)-1])
	}
	b.end, b.lines = s.off, 1
	var pending []pendingRecord
	sum := sha256.New()
	var last uint64 // position of the last record read
	problem, problemLine := "", 0
	for {
		line, start, complete, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("file bundle %s: %w", b.path, err)
		}
		if problem != "" {
			// A damaged line is the remnant of a crash only if no import
			// was committed after it.
			if _, err := parseCommit(line); complete && err == nil {
				return 0, fmt.Errorf("file bundle %s is damaged at line %d: %s; a commit follows at line %d, so this is not the remnant of an interrupted import (if the file was cut by a crash, truncate it at byte %d, the end of the last good commit, and mirror again)",
					b.path, problemLine, problem, s.line, b.end)
			}
			continue
		}
		if !complete {
			problem, problemLine = fmt.Sprintf("torn line (%d bytes, no newline)", len(line)), s.line
			continue
		}
		if bytes.HasPrefix(line, commitPrefix) {
			c, err := parseCommit(line)
			switch {
			case err != nil:
				problem = err.Error()
			case len(pending) == 0:
				problem = "commit line with no record line before it"
			case c.Records != len(pending) || c.Position != pending[len(pending)-1].pos:
				problem = fmt.Sprintf("commit of %d records up to position %d, but the %d record lines before it end at position %d",
					c.Records, c.Position, len(pending), pending[len(pending)-1].pos)
			case c.SHA256 != hex.EncodeToString(sum.Sum(nil)):
				problem = fmt.Sprintf("the %d record lines before it hash to %x, not to the commit's sha256 %s: they were altered", len(pending), sum.Sum(nil), c.SHA256)
			}
			if problem != "" {
				problemLine = s.line
				if err == nil {
					return 0, fmt.Errorf("file bundle %s is damaged at line %d: %s (if the file was cut by a crash, truncate it at byte %d, the end of the last good commit, and mirror again)",
						b.path, problemLine, problem, b.end)
				}
				continue
			}
			for _, p := range pending {
				b.add(p)
			}
			pending, b.end, b.lines = pending[:0], s.off, s.line
			sum.Reset()
			continue
		}
		r, err := parseRecord(line)
		switch {
		case err != nil:
			problem = err.Error()
		case r.Position <= last:
			problem = fmt.Sprintf("record at position %d after position %d: positions must increase", r.Position, last)
		}
		if problem != "" {
			problemLine = s.line
			continue
		}
		last = r.Position
		sum.Write(line)
		sum.Write([]byte{'\n'})
		pending = append(pending, pendingRecord{entry{pos: r.Position, version: r.Version, off: start, size: int32(len(line)), line: int32(s.line)}, r.Aggregate, r.Hash})
	}
	if tail = size - b.end; tail > 0 {
		why := problem
		if why == "" {
			why = fmt.Sprintf("%d record lines without their commit line", len(pending))
		} else {
			why = fmt.Sprintf("line %d: %s", problemLine, why)
		}
		b.recovered = fmt.Sprintf("file bundle %s: the %d bytes after line %d (its last commit, position %d) are the remnant of an interrupted import (%s)",
			b.path, tail, b.lines, b.lastPos(), why)
	}
	return tail, nil
}

// add indexes a committed record.
func (b *File) add(p pendingRecord) {
	a, ok := b.aggOf[p.aggregate]
	if !ok {
		a = int32(len(b.aggs))
		b.aggOf[p.aggregate] = a
		b.aggs = append(b.aggs, p.aggregate)
		b.byAgg = append(b.byAgg, nil)
		b.lastHash = append(b.lastHash, "")
	}
	p.agg = a
	b.byAgg[a] = append(b.byAgg[a], int32(len(b.recs)))
	b.lastHash[a] = p.hash
	b.recs = append(b.recs, p.entry)
}

// lastPos is the position of the last committed record, 0 if none.
func (b *File) lastPos() uint64 {
	if len(b.recs) == 0 {
		return 0
	}
	return b.recs[len(b.recs)-1].pos
}

// lineReader reads a file line by line, counting lines and offsets.
type lineReader struct {
	r    *bufio.Reader
	off  int64 // of the next line
	line int   // number of the last line read
	buf  []byte
}

// next returns the next line without its newline, where it starts, and
// whether a newline ended it; io.EOF when nothing is left. The line is
// valid until the next call.
func (s *lineReader) next() (line []byte, start int64, complete bool, err error) {
	start = s.off
	s.buf = s.buf[:0]
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.buf = append(s.buf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.buf) == 0 {
				return nil, start, false, io.EOF
			}
			s.off += int64(len(s.buf))
			s.line++
			return s.buf, start, false, nil
		case err != nil:
			return nil, start, false, err
		}
		s.off += int64(len(s.buf))
		s.line++
		return s.buf[:len(s.buf)-1], start, true, nil
	}
}
