package events

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
)

// ChainError reports where an aggregate's hash chain breaks.
type ChainError struct {
	Aggregate AggregateID `json:"aggregate"`
	Position  uint64      `json:"position"`
	Reason    string      `json:"reason"`
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("hash chain of %s broken at position %d: %s", e.Aggregate, e.Position, e.Reason)
}

// Verifier checks the hash chains of records given in log order, any number
// of aggregates interleaved. It keeps one hash per aggregate. The zero value
// is ready to use; it is not safe for concurrent use.
type Verifier struct {
	heads   map[AggregateID]Link
	checked int
}

// Link is where an aggregate's chain stands: its last record's hash and
// position, and how many records it has.
type Link struct {
	Hash     string `json:"hash"`
	Position uint64 `json:"position"`
	Records  int    `json:"records"`
}

// Add checks one stored record: data are the exact stored bytes, stored the
// hash the log stored beside them ("" if none), agg the aggregate the log
// filed the record under. It returns a *ChainError when the record is not
// the next link of its aggregate's chain; the verifier then continues from
// the record as stored, so a record removed or reordered is one break, and
// a record altered in place two: its own hash, and the next record's link.
func (v *Verifier) Add(agg AggregateID, pos uint64, data []byte, stored string) error {
	if v.heads == nil {
		v.heads = make(map[AggregateID]Link)
	}
	v.checked++
	sum := HashOf(data)
	prev := v.heads[agg]
	prevHead := prev.Hash
	v.heads[agg] = Link{Hash: sum, Position: pos, Records: prev.Records + 1}
	link, err := linkOf(data)
	if err != nil {
		return &ChainError{agg, pos, fmt.Sprintf("stored bytes are not an envelope: %v", err)}
	}
	switch {
	case stored != "" && stored != sum:
		return &ChainError{agg, pos, fmt.Sprintf("content hash %s differs from the stored hash %s", short(sum), short(stored))}
	case link.Aggregate != agg:
		return &ChainError{agg, pos, fmt.Sprintf("record names aggregate %q but is filed under %q", link.Aggregate, agg)}
	case link.Prev != prevHead:
		return &ChainError{agg, pos, fmt.Sprintf("previous hash %s does not match the preceding record's hash %s", short(link.Prev), short(prevHead))}
	}
	return nil
}

// link is what chains a record: the aggregate it names and the hash of its
// predecessor.
type link struct {
	Aggregate AggregateID `json:"aggregate"`
	Prev      string      `json:"prev"`
}

// linkOf reads the link of a stored envelope: by Decode's fast path when
// the envelope is in the plain form Encode writes (the event's bytes are
// hashed, not parsed), else by encoding/json.
func linkOf(data []byte) (link, error) {
	env := envelopes.Get().(*envelope)
	defer func() {
		*env = envelope{}
		envelopes.Put(env)
	}()
	if fastDecode(data, reflect.ValueOf(env).Elem(), true) {
		return link{env.Aggregate, env.Prev}, nil
	}
	var l link
	err := json.Unmarshal(data, &l)
	return l, err
}

// Checked returns how many records were checked.
func (v *Verifier) Checked() int { return v.checked }

// Heads returns where the chain of each aggregate seen stands: the chain
// heads an auditor compares against published ones.
func (v *Verifier) Heads() map[AggregateID]Link {
	return maps.Clone(v.heads)
}

// VerifyChain checks that records, the whole history of one aggregate in
// order, form an unbroken chain.
func VerifyChain(records []Record) error {
	var v Verifier
	for _, r := range records {
		if err := v.Add(r.Aggregate, r.Position, r.Data, ""); err != nil {
			return err
		}
	}
	return nil
}

func short(h string) string {
	if h == "" {
		return "(none)"
	}
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
