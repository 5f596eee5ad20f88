package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// LogReport is a verification of the stored log: of every aggregate, or
// of one student's scope.
type LogReport struct {
	Student string              `json:"student,omitempty"`
	Checked int                 `json:"checked"` // records whose chains were recomputed
	Chains  int                 `json:"chains"`
	Breaks  []events.ChainError `json:"breaks"`
	// Config names the store's relaxed settings ("" : append-only).
	Config string `json:"config,omitempty"`
	// Heads are what to publish: set when the whole log verified.
	Heads *Heads `json:"heads,omitempty"`
}

// OK reports whether nothing was found wrong.
func (r LogReport) OK() bool { return len(r.Breaks) == 0 && r.Config == "" }

// VerifyLog recomputes the hash chain of every aggregate of the log from
// the stored bytes, or of the aggregates of one student's scope when
// student is not empty, and checks the store's append-only configuration.
func VerifyLog(ctx context.Context, l eventlog.Log, student string, at time.Time) (LogReport, error) {
	var keep func(events.AggregateID) bool
	if student != "" {
		own, err := l.Load(ctx, events.StudentOf(student), eventlog.Until{})
		if err != nil {
			return LogReport{}, err
		}
		if len(own.Records) == 0 {
			return LogReport{}, fmt.Errorf("verify %s: %w", student, ErrNoStudent)
		}
		keep = ScopeOf(student, own.Records).Holds
	}
	rep, err := eventlog.Verify(ctx, l, keep)
	if err != nil {
		return LogReport{}, err
	}
	out := LogReport{Student: student, Checked: rep.Checked, Chains: len(rep.Heads), Breaks: rep.Breaks}
	if out.Breaks == nil {
		out.Breaks = []events.ChainError{}
	}
	if rep.Config != nil {
		out.Config = rep.Config.Error()
	}
	if student == "" && rep.OK() {
		h, err := HeadsOf(rep, at)
		if err != nil {
			return LogReport{}, err
		}
		out.Heads = &h
	}
	return out, nil
}

// Mismatch is a chain that no longer passes through its published head.
type Mismatch struct {
	Aggregate events.AggregateID `json:"aggregate"`
	Published events.Link        `json:"published"`
	Found     events.Link        `json:"found"` // the chain up to the published position, as the log holds it now
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s: published %d records up to position %d ending with %s; the log now holds %d up to position %d ending with %s",
		m.Aggregate, m.Published.Records, m.Published.Position, short(m.Published.Hash), m.Found.Records, m.Found.Position, short(m.Found.Hash))
}

// CompareHeads checks that the log still holds, for every aggregate of
// published heads, the very chain they published: the same records up to
// the published position. A record altered, removed or reordered at or
// before that position, or a log cut short (restored from an old backup,
// or truncated by the store after a crash), shows as a mismatch.
func CompareHeads(ctx context.Context, l eventlog.Log, h Heads) ([]Mismatch, error) {
	out := []Mismatch{}
	for _, a := range chainNames(h.Chains) {
		want := h.Chains[a]
		got, err := l.Load(ctx, a, eventlog.Until{Position: h.Position})
		if err != nil {
			return nil, fmt.Errorf("compare %s with its published head: %w", a, err)
		}
		var found events.Link
		if n := len(got.Records); n > 0 {
			last := got.Records[n-1]
			found = events.Link{Hash: last.Hash, Position: last.Position, Records: n}
		}
		if found != want {
			out = append(out, Mismatch{Aggregate: a, Published: want, Found: found})
		}
	}
	return out, nil
}
