package events

import (
	"encoding/json"
	"fmt"
)

// ChainError reports where an aggregate's hash chain breaks.
type ChainError struct {
	Aggregate AggregateID
	Position  uint64
	Reason    string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("hash chain of %s broken at position %d: %s", e.Aggregate, e.Position, e.Reason)
}

// Verifier checks the hash chains of records given in log order, any number
// of aggregates interleaved. It keeps one hash per aggregate. The zero value
// is ready to use; it is not safe for concurrent use.
type Verifier struct {
	heads   map[AggregateID]string
	checked int
}

// Add checks one stored record: data are the exact stored bytes, stored the
// hash the log stored beside them ("" if none), agg the aggregate the log
// filed the record under. It returns a *ChainError when the record is not
// the next link of its aggregate's chain; the verifier then continues from
// the record as stored, so one break is reported once.
func (v *Verifier) Add(agg AggregateID, pos uint64, data []byte, stored string) error {
	if v.heads == nil {
		v.heads = make(map[AggregateID]string)
	}
	v.checked++
	sum := HashOf(data)
	prevHead := v.heads[agg]
	v.heads[agg] = sum
	var link struct {
		Aggregate AggregateID `json:"aggregate"`
		Prev      string      `json:"prev"`
	}
	if err := json.Unmarshal(data, &link); err != nil {
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

// Checked returns how many records were checked.
func (v *Verifier) Checked() int { return v.checked }

// Heads returns the hash of the last record of each aggregate seen: the
// chain heads an auditor compares against published ones.
func (v *Verifier) Heads() map[AggregateID]string {
	out := make(map[AggregateID]string, len(v.heads))
	for a, h := range v.heads {
		out[a] = h
	}
	return out
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
