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
	entries    map[slot]entry
	submitted  bool
	submits    int           // times submitted
	status     events.Record // the last submission or reopening
	extensions map[string]time.Time
}

func newSheetState() *sheetState {
	return &sheetState{entries: map[slot]entry{}, extensions: map[string]time.Time{}}
}

func (st *sheetState) apply(rec events.Record) {
	set := func(s slot, e events.Entry, source, carried string) {
		if e.IsZero() {
			delete(st.entries, s)
			return
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
	for s := range st.entries {
		if s.Student == student {
			return true
		}
	}
	return false
}
