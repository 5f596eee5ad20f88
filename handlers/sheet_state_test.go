package handlers

import (
	"math/rand/v2"
	"testing"

	"github.com/gradelog/gradelog/events"
)

// TestSheetStateHeldIndex: whatever records a sheet folds (marks,
// corrections, clears, carried marks, on UE and activity slots, again on
// slots already held), the per-student index says exactly what a scan of
// the entries says: has, and the UE-level entry and activity entries each
// student holds. A student holding nothing has no key left.
func TestSheetStateHeldIndex(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	students := []string{"HE0001", "HE0002", "HE0003"}
	activities := []string{"", "Méthodologies", "Travaux pratiques"}
	values := []events.Entry{{}, {Mark: "12"}, {Mark: "8.5"}, {Code: "ABS"}}
	st := newSheetState()
	for i := range 5000 {
		s := slot{students[rnd.IntN(len(students))], activities[rnd.IntN(len(activities))]}
		v := values[rnd.IntN(len(values))]
		var e events.Event
		switch rnd.IntN(3) {
		case 0:
			e = events.MarkRecorded{Student: s.Student, Activity: s.Activity, Entry: v}
		case 1:
			e = events.MarkCorrected{Student: s.Student, Activity: s.Activity, Entry: v}
		default:
			e = events.MarkCarriedOver{Student: s.Student, Activity: s.Activity, Mark: v.Mark, FromSession: "Q1"}
		}
		st.apply(events.Record{Position: uint64(i + 1), Version: uint64(i + 1), Event: e})

		want := map[string]held{}
		for s := range st.entries {
			want[s.Student] = want[s.Student].add(s, 1)
		}
		if len(want) != len(st.held) {
			t.Fatalf("after record %d (%T %+v): index %+v, entries say %+v", i+1, e, e, st.held, want)
		}
		for _, m := range students {
			if st.held[m] != want[m] || st.has(m) != (want[m] != held{}) {
				t.Fatalf("after record %d (%T %+v): %s indexed %+v (has %v), entries say %+v", i+1, e, e, m, st.held[m], st.has(m), want[m])
			}
			for _, a := range activities {
				s := slot{m, a}
				scan := false
				for other := range st.entries {
					scan = scan || other.Student == m && other != s && (a == "") != (other.Activity == "")
				}
				if got := st.held[m].clashes(s); got != scan {
					t.Fatalf("after record %d: %v clashes %v, a scan says %v", i+1, s, got, scan)
				}
			}
		}
	}
}
