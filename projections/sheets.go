package projections

import (
	"time"

	"github.com/gradelog/gradelog/events"
)

// sheetState is what the log says of one grade sheet beyond its results:
// submissions, reopenings, and who entered how many results.
type sheetState struct {
	submitted   bool
	submittedAt time.Time
	submittedBy string
	submissions int
	reopenings  int
	entries     map[string]int // results recorded, by actor
}

func (st *sheetState) apply(rec events.Record) {
	switch rec.Event.(type) {
	case events.SheetSubmitted:
		st.submitted, st.submittedAt, st.submittedBy = true, rec.RecordedAt, rec.Actor.ID
		st.submissions++
	case events.SheetReopened:
		st.submitted = false
		st.reopenings++
	}
}

func (st *sheetState) count(actor string, in interner) {
	if st.entries == nil {
		st.entries = map[string]int{}
	}
	st.entries[in.of(actor)]++
}
