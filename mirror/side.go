package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Side is what Copy found on one side of the mirror.
type Side struct {
	Records int    `json:"records"`
	Chains  int    `json:"chains"`
	Last    uint64 `json:"last_position"` // the position of its last record
	// HeadsDigest is the digest of the chain heads (audit.Heads: every
	// chain's hash, record count and last position), the digest `gradelog
	// verify --heads-out` publishes for the same log.
	HeadsDigest string `json:"heads_digest"`
	// RecordsDigest is the SHA-256 of every record's hash in log order:
	// equal on both sides when they hold the same records in the same
	// order, whatever their positions.
	RecordsDigest string                             `json:"records_digest"`
	Heads         map[events.AggregateID]events.Link `json:"-"`

	positionsDigest string // of "position hash" lines: equal when the positions are too
}

// tally verifies one side's records as they are read and digests them.
type tally struct {
	v         events.Verifier
	records   hash.Hash
	positions hash.Hash
	n         int
	last      uint64
	line      []byte
}

func newTally() *tally { return &tally{records: sha256.New(), positions: sha256.New()} }

// add checks s, the next record of the side in log order, and returns
// the break it makes, if any.
func (t *tally) add(s eventlog.Stored) *events.ChainError {
	err := t.v.Add(s.Aggregate, s.Position, s.Data, s.Hash)
	sum := s.Hash // the verifier checked it is the data's hash
	if err != nil || sum == "" {
		sum = events.HashOf(s.Data)
	}
	t.n++
	t.last = s.Position
	t.line = append(append(t.line[:0], sum...), '\n')
	t.records.Write(t.line)
	t.line = append(strconv.AppendUint(t.line[:0], s.Position, 10), ' ')
	t.line = append(append(t.line, sum...), '\n')
	t.positions.Write(t.line)
	var ce *events.ChainError
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// side sums up what the tally saw.
func (t *tally) side() Side {
	heads := t.v.Heads()
	h, _ := audit.HeadsOf(eventlog.Report{Heads: heads}, time.Time{}) // no breaks or config passed in: never refused
	return Side{Records: t.n, Chains: len(heads), Last: t.last, HeadsDigest: h.Digest,
		RecordsDigest: hex.EncodeToString(t.records.Sum(nil)), Heads: heads,
		positionsDigest: hex.EncodeToString(t.positions.Sum(nil))}
}

// maxListed bounds the differing chains a report names one by one.
const maxListed = 10

// compare lists how dst differs from src; positions says whether their
// positions must be equal too.
func compare(src, dst Side, positions bool) []string {
	var out []string
	if src.Records != dst.Records {
		out = append(out, fmt.Sprintf("the source holds %d records, the destination %d", src.Records, dst.Records))
	}
	if src.RecordsDigest != dst.RecordsDigest {
		out = append(out, fmt.Sprintf("the records differ in content or order: records digest %s in the source, %s in the destination", src.RecordsDigest, dst.RecordsDigest))
	}
	aggs := slices.Sorted(maps.Keys(src.Heads))
	for a := range dst.Heads {
		if _, ok := src.Heads[a]; !ok {
			aggs = append(aggs, a)
		}
	}
	slices.Sort(aggs)
	listed := 0
	for _, a := range aggs {
		s, d := src.Heads[a], dst.Heads[a]
		if s.Hash == d.Hash && s.Records == d.Records {
			continue
		}
		if listed++; listed <= maxListed {
			out = append(out, fmt.Sprintf("chain %s: %d records ending with %s in the source, %d ending with %s in the destination",
				a, s.Records, short(s.Hash), d.Records, short(d.Hash)))
		}
	}
	if listed > maxListed {
		out = append(out, fmt.Sprintf("and %d more chains differ", listed-maxListed))
	}
	if positions && src.positionsDigest != dst.positionsDigest {
		out = append(out, "the destination keeps the source's positions, but its records are at other positions (heads digest "+dst.HeadsDigest+", the source's "+src.HeadsDigest+")")
	}
	return out
}

func short(h string) string {
	switch {
	case h == "":
		return "(none)"
	case len(h) > 12:
		return h[:12]
	}
	return h
}
