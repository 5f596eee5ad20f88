package logtest

import (
	"testing"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// testAsOf reads an aggregate as it stood at a position and at an instant.
func testAsOf(t *testing.T, open Opener) {
	clock := NewClock(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC))
	l := open(t, clock.Now)
	a := events.StudentOf("HE000001")
	var heads []events.Head
	var positions []uint64 // a record's position is global, its version the aggregate's (they differ on EventStoreDB)
	var stamps []time.Time
	head := events.Head{}
	for i := range 6 {
		got := appendOK(t, l, eventlog.AppendRequest{Aggregate: a, Head: head, Events: marks(i, 1)})
		head = got.Head()
		heads = append(heads, head)
		positions = append(positions, got.Records[0].Position)
		stamps = append(stamps, got.Records[0].RecordedAt)
		clock.Advance(time.Hour)
		// Another aggregate moves in between: positions are global.
		appendOK(t, l, eventlog.AppendRequest{Aggregate: events.StudentOf("HE00000" + string(rune('a'+i))), Events: marks(50+i, 1)})
	}
	for i := range heads {
		byPos := load(t, l, a, eventlog.Until{Position: positions[i]})
		if len(byPos.Records) != i+1 || byPos.Head != heads[i] {
			t.Fatalf("as of position %d: %d records head %+v, want %d and %+v", positions[i], len(byPos.Records), byPos.Head, i+1, heads[i])
		}
		byTime := load(t, l, a, eventlog.Until{Instant: stamps[i].Add(30 * time.Minute)})
		if len(byTime.Records) != i+1 || byTime.Head != heads[i] {
			t.Fatalf("as of %v: %d records, want %d", stamps[i].Add(30*time.Minute), len(byTime.Records), i+1)
		}
	}
	if before := load(t, l, a, eventlog.Until{Instant: stamps[0].Add(-time.Second)}); len(before.Records) != 0 {
		t.Fatalf("before the first record: %d records", len(before.Records))
	}
	if !stamps[0].Equal(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("RecordedAt = %v, want the log's clock", stamps[0])
	}
}
