package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// HeadsFormat names the format of a heads file.
const HeadsFormat = "gradelog-heads/1"

// Heads are where every aggregate's hash chain stood after a verification
// of the whole log found no break: what an institution publishes (its
// Digest, in the minutes of a deliberation or on its site) for auditors to
// check bundles and later verifications against. Whoever holds published
// heads can prove that no record at or before Position was altered,
// removed or reordered since.
type Heads struct {
	Format   string    `json:"format"`
	Position uint64    `json:"position"` // the last record the heads cover
	TakenAt  time.Time `json:"taken_at"`
	// Chains is where each aggregate's chain stood.
	Chains map[events.AggregateID]events.Link `json:"chains"`
	// Digest is the SHA-256 of the heads' canonical text (see digest): the
	// one line to publish.
	Digest string `json:"digest"`
}

// HeadsOf returns the heads a verification found. It refuses a report
// with breaks or a relaxed store: heads of a broken log prove nothing.
func HeadsOf(rep eventlog.Report, at time.Time) (Heads, error) {
	if !rep.OK() {
		return Heads{}, fmt.Errorf("the verification found %d breaks and configuration problem %v: no heads are published for a broken log", len(rep.Breaks), rep.Config)
	}
	h := Heads{Format: HeadsFormat, TakenAt: at.UTC(), Chains: rep.Heads}
	if h.Chains == nil {
		h.Chains = map[events.AggregateID]events.Link{}
	}
	for _, l := range h.Chains {
		h.Position = max(h.Position, l.Position)
	}
	h.Digest = h.digest()
	return h, nil
}

// digest hashes the heads' canonical text: the format and position on a
// line, then one line per aggregate in byte order, "aggregate records
// position hash".
func (h Heads) digest() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n", h.Format, h.Position)
	for _, a := range slices.Sorted(maps.Keys(h.Chains)) {
		l := h.Chains[a]
		fmt.Fprintf(&b, "%s %d %d %s\n", a, l.Records, l.Position, l.Hash)
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// WriteHeads writes h as indented JSON.
func WriteHeads(w io.Writer, h Heads) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(h)
}

// ReadHeads reads a heads file and checks that its digest matches its
// content; the auditor then compares the digest with the published one.
func ReadHeads(r io.Reader) (Heads, error) {
	var h Heads
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return Heads{}, fmt.Errorf("heads file: %w", err)
	}
	if h.Format != HeadsFormat {
		return Heads{}, fmt.Errorf("heads file: format %q, want %q", h.Format, HeadsFormat)
	}
	if got := h.digest(); got != h.Digest {
		return Heads{}, fmt.Errorf("heads file: its content hashes to %s, not to the digest %s it states: it was altered", got, h.Digest)
	}
	return h, nil
}
