package filelog

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gradelog/gradelog/events"
)

// Format names the format of a file bundle; it is the file's first line.
const Format = "gradelog-mirror/1"

// header is the first line of every bundle, newline included.
var header = []byte(`{"format":"` + Format + `"}` + "\n")

// recordLine is one stored record.
type recordLine struct {
	Position  uint64             `json:"position"`
	Version   uint64             `json:"version"`
	Aggregate events.AggregateID `json:"aggregate"`
	Type      string             `json:"type,omitempty"`
	Schema    int                `json:"schema,omitempty"`
	Hash      string             `json:"hash"`
	Envelope  []byte             `json:"envelope"` // base64 in the file
}

// commitLine ends the record lines of one import.
type commitLine struct {
	Commit commit `json:"commit"`
}

type commit struct {
	Records  int    `json:"records"`
	Position uint64 `json:"position"` // the last record's
	SHA256   string `json:"sha256"`   // of the record lines, newlines included
}

var (
	recordPrefix = []byte(`{"position":`)
	commitPrefix = []byte(`{"commit":`)
)

// decodeStrict decodes one line into v, refusing unknown fields and
// trailing data.
func decodeStrict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the object")
	}
	return nil
}

// parseRecord decodes a record line (without its newline) and checks its
// fields.
func parseRecord(line []byte) (recordLine, error) {
	r, ok := parseFast(line)
	if !ok {
		if !bytes.HasPrefix(line, recordPrefix) {
			return r, fmt.Errorf("not a record line")
		}
		if err := decodeStrict(line, &r); err != nil {
			return r, fmt.Errorf("record line does not parse: %v", err)
		}
	}
	switch {
	case r.Position == 0:
		return r, fmt.Errorf("record line has position 0")
	case r.Aggregate.Validate() != nil:
		return r, fmt.Errorf("record line: %v", r.Aggregate.Validate())
	case len(r.Envelope) == 0:
		return r, fmt.Errorf("record line at position %d has no envelope", r.Position)
	}
	return r, nil
}

// parseCommit decodes a commit line (without its newline).
func parseCommit(line []byte) (commit, error) {
	var c commitLine
	if !bytes.HasPrefix(line, commitPrefix) {
		return commit{}, fmt.Errorf("not a commit line")
	}
	if err := decodeStrict(line, &c); err != nil {
		return commit{}, fmt.Errorf("commit line does not parse: %v", err)
	}
	return c.Commit, nil
}

// parseFast parses a record line in the very form Import writes it: the
// fields in order, numbers without sign or leading zero, strings of
// printable ASCII without escapes. Anything else (ok false) is left to
// the strict decoder, which accepts or refuses it alike; the fast path
// only spares it the work on the lines it wrote.
func parseFast(line []byte) (r recordLine, ok bool) {
	p := fastLine{b: line, ok: true}
	r.Position = p.uint(`{"position":`)
	r.Version = p.uint(`,"version":`)
	r.Aggregate = events.AggregateID(p.str(`,"aggregate":"`))
	if p.peek(`,"type":"`) {
		r.Type = p.str(`,"type":"`)
	}
	if p.peek(`,"schema":`) {
		r.Schema = int(p.uint(`,"schema":`))
	}
	r.Hash = p.str(`,"hash":"`)
	env := p.str(`,"envelope":"`)
	if !p.ok || string(p.b) != "}" {
		return recordLine{}, false
	}
	data, err := base64.StdEncoding.DecodeString(env)
	if err != nil {
		return recordLine{}, false
	}
	r.Envelope = data
	return r, true
}

// fastLine is a cursor over a line for parseFast; ok turns false at the
// first thing it does not expect.
type fastLine struct {
	b  []byte
	ok bool
}

func (p *fastLine) peek(prefix string) bool { return bytes.HasPrefix(p.b, []byte(prefix)) }

// expect consumes prefix.
func (p *fastLine) expect(prefix string) bool {
	if !p.ok || !p.peek(prefix) {
		p.ok = false
		return false
	}
	p.b = p.b[len(prefix):]
	return true
}

func (p *fastLine) uint(prefix string) uint64 {
	if !p.expect(prefix) {
		return 0
	}
	n := 0
	for n < len(p.b) && p.b[n] >= '0' && p.b[n] <= '9' {
		n++
	}
	if n == 0 || (n > 1 && p.b[0] == '0') {
		p.ok = false
		return 0
	}
	v, err := strconv.ParseUint(string(p.b[:n]), 10, 64)
	if err != nil {
		p.ok = false
		return 0
	}
	p.b = p.b[n:]
	return v
}

// str consumes prefix (ending with the opening quote), the string and its
// closing quote.
func (p *fastLine) str(prefix string) string {
	if !p.expect(prefix) {
		return ""
	}
	for n, c := range p.b {
		switch {
		case c == '"':
			s := string(p.b[:n])
			p.b = p.b[n+1:]
			return s
		case c < 0x20 || c > 0x7e || c == '\\':
			p.ok = false
			return ""
		}
	}
	p.ok = false
	return ""
}
