package handlers

import (
	"time"

	"github.com/gradelog/gradelog/events"
)

// slot is one place on a grade sheet: a student's UE mark (Activity "")
// or one of their activity marks.
type slot struct {
	Student  string
	Activity string
}

// entry is what a slot holds now and how it got there.
type entry struct {
	Entry   events.Entry
	Version uint64 // the record that last set it: what If-Match names
	At      time.Time
	By      string
	Source  string
	Carried string // the session it was carried from, for a carried mark
}

// sheetState is a grade sheet aggregate.
type sheetState struct {
	entries map[slot]entry
	// held indexes entries by student: what a command on one student asks
	// (has, the planner's mixed) costs that student's entries, not a scan
	// of the whole sheet. A student holding nothing has no key.
	held       map[string]held
	submitted  bool
	submits    int           // times submitted
	status     events.Record // the last submission or reopening
	extensions map[string]time.Time
}

// held is what one student holds on a sheet: a UE-level entry (slot
// activity "") and how many activity entries.
type held struct {
	ue         bool
	activities int
}

// add counts slot s in (n 1) or out (n -1).
func (h held) add(s slot, n int) held {
	if s.Activity == "" {
		h.ue = n > 0
	} else {
		h.activities += n
	}
	return h
}

func newSheetState() *sheetState {
	return &sheetState{entries: map[slot]entry{}, held: map[string]held{}, extensions: map[string]time.Time{}}
}

func (st *sheetState) apply(rec events.Record) {
	set := func(s slot, e events.Entry, source, carried string) {
		_, had := st.entries[s]
		if e.IsZero() {
			if had {
				delete(st.entries, s)
				if h := st.held[s.Student].add(s, -1); h == (held{}) {
					delete(st.held, s.Student)
				} else {
					st.held[s.Student] = h
				}
			}
			return
		}
		if !had {
			st.held[s.Student] = st.held[s.Student].add(s, 1)
		}
		st.entries[s] = entry{Entry: e, Version: rec.Version, At: rec.RecordedAt, By: rec.Actor.ID, Source: source, Carried: carried}
	}
	switch e := rec.Event.(type) {
	case events.MarkRecorded:
		set(slot{e.Student, e.Activity}, e.Entry, e.Source, "")
	case events.MarkCorrected:
		set(slot{e.Student, e.Activity}, e.Entry, e.Source, "")
	case events.MarkCarriedOver:
		set(slot{e.Student, e.Activity}, events.Entry{Mark: e.Mark}, "", e.FromSession)
	case events.SheetSubmitted:
		st.submitted, st.status = true, rec
		st.submits++
	case events.SheetReopened:
		st.submitted, st.status = false, rec
	case events.DeadlineExtended:
		st.extensions[e.Student] = e.Until
	}
}

// has reports whether the student holds any entry on the sheet.
func (st *sheetState) has(student string) bool {
	_, ok := st.held[student]
	return ok
}
