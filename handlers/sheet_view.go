package handlers

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
)

// EntryView is one entry of a sheet as shown.
type EntryView struct {
	Activity string       `json:"activity"` // the column key
	Entry    events.Entry `json:"entry"`
	Version  uint64       `json:"version"` // what If-Match names; 0 for an empty slot
	At       time.Time    `json:"at,omitzero"`
	By       string       `json:"by,omitempty"`
	Source   string       `json:"source,omitempty"`
	Carried  string       `json:"carried_from,omitempty"` // session a carried mark comes from
}

func viewOf(sc sheetContext, s slot, e entry, had bool) EntryView {
	v := EntryView{Activity: keyOf(sc.ue, s.Activity)}
	if had {
		v.Entry, v.Version, v.At, v.By, v.Source, v.Carried = e.Entry, e.Version, e.At, e.By, e.Source, e.Carried
	}
	return v
}

// SheetRow is one student of a sheet.
type SheetRow struct {
	Matricule string               `json:"matricule"`
	LastName  string               `json:"last_name"`
	FirstName string               `json:"first_name"`
	Email     string               `json:"email"`
	Deadline  time.Time            `json:"deadline"`
	Entries   map[string]EntryView `json:"entries"` // by column key
	// Locked are the columns not to fill, with why (a carried mark).
	Locked map[string]string `json:"locked,omitempty"`
	// Missing are the columns still to fill.
	Missing []string `json:"missing,omitempty"`
	// Enrolled is false for a student who holds entries but is no longer
	// due on the sheet (their PAE changed since).
	Enrolled bool `json:"enrolled"`
}

// Sheet is a grade sheet as a teacher sees it.
type Sheet struct {
	Year       string    `json:"year"`
	Session    string    `json:"session"`
	UE         string    `json:"ue"`
	Title      string    `json:"title"`
	Integrated bool      `json:"integrated"`
	Columns    []Column  `json:"columns"`
	Codes      []Code    `json:"codes"`
	Decimals   int       `json:"decimals"`
	Max        string    `json:"max"`
	Deadline   time.Time `json:"deadline"`
	Status     string    `json:"status"` // "draft" or "submitted"
	// SubmittedAt and SubmittedBy are set while submitted.
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	// Submissions counts the submissions: from one on, a correction needs
	// a reason.
	Submissions int        `json:"submissions"`
	Version     uint64     `json:"version"`
	Missing     int        `json:"missing"`
	Rows        []SheetRow `json:"rows"`
}

// Code is a code a sheet accepts instead of a mark.
type Code struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Sheet returns a grade sheet: the students due on it, what they hold,
// what is missing, their deadlines and the sheet's status, to whom the
// access matrix lets read it (access.ReadSheet).
func (hs *Handlers) Sheet(ctx context.Context, id auth.Identity, ref SheetRef) (Sheet, error) {
	if err := hs.authorizeSheet(ctx, id, access.ReadSheet, ref); err != nil {
		return Sheet{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return Sheet{}, err
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return Sheet{}, err
	}
	var out Sheet
	err = read(ctx, hs, ref.aggregate(), newSheetState, func(st *sheetState, head events.Head) {
		out = hs.sheetOf(sc, st, head)
	})
	return out, err
}

func (hs *Handlers) sheetOf(sc sheetContext, st *sheetState, head events.Head) Sheet {
	rs, ue := sc.docs.Ruleset, sc.ue
	out := Sheet{Year: sc.ref.Year, Session: string(sc.ref.Session), UE: ue.Code, Title: ue.Title, Integrated: ue.Integrated,
		Columns: columns(ue), Decimals: rs.Scale.EntryDecimals, Max: rs.Scale.Max.String(),
		Deadline: sc.schedule.EncodingDeadline, Status: "draft", Version: head.Version, Submissions: st.submits}
	for _, c := range rs.Codes {
		out.Codes = append(out.Codes, Code{string(c.Code), c.Label})
	}
	if st.submitted {
		out.Status, out.SubmittedAt, out.SubmittedBy = "submitted", st.status.RecordedAt, st.status.Actor.ID
	}
	rows := map[string]*SheetRow{}
	for _, d := range hs.Cohort.Roster(sc.ref.Year, sc.ref.Session, ue.Code) {
		row := &SheetRow{Matricule: d.Matricule, LastName: d.LastName, FirstName: d.FirstName, Email: d.Email,
			Deadline: sc.deadline(st, d.Matricule), Entries: map[string]EntryView{}, Enrolled: true}
		for a, m := range d.Carry.Marks {
			if row.Locked == nil {
				row.Locked = map[string]string{}
			}
			row.Locked[keyOf(ue, a)] = "reportée de " + lastSession(d) + " : " + m.String()
		}
		rows[d.Matricule] = row
	}
	for s, e := range st.entries {
		row := rows[s.Student]
		if row == nil {
			reg, _ := hs.Cohort.Registration(s.Student)
			row = &SheetRow{Matricule: s.Student, LastName: reg.LastName, FirstName: reg.FirstName, Email: reg.Email,
				Deadline: sc.deadline(st, s.Student), Entries: map[string]EntryView{}}
			rows[s.Student] = row
		}
		v := viewOf(sc, s, e, true)
		row.Entries[v.Activity] = v
		if e.Carried != "" {
			if row.Locked == nil {
				row.Locked = map[string]string{}
			}
			row.Locked[v.Activity] = "reportée de " + e.Carried + " : " + e.Entry.Mark
		}
	}
	for _, row := range rows {
		if _, ue := row.Entries[""]; !ue || len(out.Columns) == 1 {
			for _, c := range out.Columns {
				if _, ok := row.Entries[c.Key]; !ok && row.Locked[c.Key] == "" {
					row.Missing = append(row.Missing, c.Key)
				}
			}
		}
		out.Missing += len(row.Missing)
		out.Rows = append(out.Rows, *row)
	}
	slices.SortFunc(out.Rows, func(a, b SheetRow) int {
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName), strings.Compare(a.Matricule, b.Matricule))
	})
	return out
}
