package httpapi

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
	"github.com/gradelog/gradelog/sheetfile"
)

// The views as CSV, with the conventions of the grade-sheet export
// (sheetfile.WriteCSV), for Belgian Excel: UTF-8 with a byte order mark,
// ";"-separated, CRLF. Headers are English snake_case; one table per file.
// Values are those of the JSON answer (marks "12.5", statuses, bases),
// instants RFC 3339 in Europe/Brussels (exact: one can be
// passed back as as_of), booleans true/false. A cell Excel
// would open as a date (a UE code such as 1/8) is written as the text
// formula ="1/8"; a cell Excel would run as a formula (starting with =, +,
// - or @) is prefixed with an apostrophe.

const csvContentType = "text/csv; charset=utf-8"

// table is a CSV file: its header and rows.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// encode writes t as CSV.
func (t table) encode() ([]byte, error) {
	var buf bytes.Buffer
	err := sheetfile.WriteTable(&buf, t.header, t.rows)
	return buf.Bytes(), err
}

// csvReply is t as a CSV file named filename.
func csvReply(t table, filename string) (reply, error) {
	data, err := t.encode()
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusOK, raw: data, contentType: csvContentType, filename: filename}, nil
}

func markText(m *rules.Mark) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func instantText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brussels).Format(time.RFC3339Nano)
}

func boolText(b bool) string { return strconv.FormatBool(b) }

// transcriptCSV has, per UE, a UE-level row (no session: the UE mark,
// status and basis), then a row per session and activity result (the
// session's UE-level result on a row without activity).
func transcriptCSV(t projections.Transcript) table {
	out := table{header: []string{"ue", "title", "bloc", "credits", "session", "activity", "result", "carried_from",
		"corrected", "session_mark", "ue_mark", "status", "basis"}}
	for _, u := range t.UEs {
		ue := []string{u.Code, u.Title, strconv.Itoa(u.Bloc), strconv.Itoa(u.Credits)}
		row := func(cells ...string) { out.add(append(slices.Clip(ue), cells...)...) }
		row("", "", "", "", "", "", markText(u.Mark), string(u.Status), string(u.Basis))
		for _, s := range u.Sessions {
			mark := markText(s.Mark)
			if s.Code != "" {
				mark = s.Code
			}
			if s.Result != "" || len(s.Activities) == 0 {
				row(s.Session, "", s.Result, "", "", mark, "", "", "")
			}
			for _, a := range s.Activities {
				row(s.Session, a.Activity, a.Result, a.CarriedFrom, boolText(a.Corrected), mark, "", "", "")
			}
		}
	}
	return out
}

// ledgerCSV has a row per programme UE, then per admission complement.
func ledgerCSV(l projections.Ledger) table {
	out := table{header: []string{"kind", "code", "title", "bloc", "credits", "acquired", "basis", "year", "session", "mark"}}
	for _, part := range []struct {
		kind string
		ues  []projections.LedgerUE
	}{{"programme", l.UEs}, {"complement", l.Complements}} {
		for _, u := range part.ues {
			out.add(part.kind, u.Code, u.Title, strconv.Itoa(u.Bloc), strconv.Itoa(u.Credits), boolText(u.Acquired),
				string(u.Basis), u.Year, u.Session, markText(u.Mark))
		}
	}
	return out
}

func readinessCSV(r projections.ReadinessView) table {
	out := table{header: []string{"ue", "status", "missing_prerequisites", "co_enrol", "waivable"}}
	for _, u := range r.UEs {
		out.add(u.UE, string(u.Status), u.MissingPrerequisites, u.CoEnrol, boolText(u.Waivable))
	}
	return out
}

func historyCSV(h projections.History) table {
	out := table{header: []string{"position", "recorded_at", "type", "aggregate", "actor", "context", "summary",
		"previous", "value", "reason", "hash"}}
	for _, e := range h.Entries {
		out.add(strconv.FormatUint(e.Position, 10), instantText(e.RecordedAt), e.Type, e.Aggregate, e.Actor, e.Context,
			e.Summary, e.Previous, e.Value, e.Reason, e.Hash)
	}
	return out
}

func sheetStatusesCSV(all []projections.SheetStatus) table {
	out := table{header: []string{"year", "session", "ue", "title", "status", "deadline", "enrolled", "entered", "missing",
		"missing_students", "teachers", "submitted_at", "submitted_by"}}
	for _, s := range all {
		teachers := make([]string, len(s.Teachers))
		for i, t := range s.Teachers {
			teachers[i] = t.Actor + ":" + strconv.Itoa(t.Entries)
		}
		out.add(s.Year, s.Session, s.UE, s.Title, s.Status, instantText(s.Deadline), strconv.Itoa(s.Enrolled),
			strconv.Itoa(s.Entered), strconv.Itoa(s.Missing), strings.Join(s.MissingStudents, " "),
			strings.Join(teachers, " "), instantText(s.SubmittedAt), s.SubmittedBy)
	}
	return out
}
