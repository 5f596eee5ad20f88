package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/sheetfile"
)

// ImportOptions say how an uploaded sheet is applied.
type ImportOptions struct {
	// Partial saves the rows that pass and refuses the others; by default
	// an import is all or nothing.
	Partial bool
	// DryRun reports what the import would do and writes nothing: the
	// preview and the import are the same decision.
	DryRun bool
	// Reason documents the corrections the file makes (required for a
	// correction on a sheet submitted once).
	Reason string
}

// ImportCell is the outcome of one filled cell.
type ImportCell struct {
	Column   string       `json:"column"`
	Value    string       `json:"value"` // as in the file
	Entry    events.Entry `json:"entry"` // as it would be recorded
	Outcome  Outcome      `json:"outcome"`
	Problems []Problem    `json:"problems,omitempty"`
}

// ImportRow is the outcome of one row: saved (at least one cell written),
// unchanged, or refused (nothing of it written) with the causes.
type ImportRow struct {
	Line      int          `json:"line"`
	Matricule string       `json:"matricule"`
	Outcome   Outcome      `json:"outcome"`
	Problems  []Problem    `json:"problems,omitempty"`
	Cells     []ImportCell `json:"cells,omitempty"`
}

// ImportReport is the answer to an upload, row by row.
type ImportReport struct {
	Sheet          string      `json:"sheet"`
	Format         string      `json:"format"`
	Mode           string      `json:"mode"` // "all-or-nothing" or "partial"
	DryRun         bool        `json:"dry_run,omitempty"`
	Written        bool        `json:"written"`
	Position       uint64      `json:"position,omitempty"`
	Version        uint64      `json:"version,omitempty"`
	Saved          int         `json:"saved"`
	Unchanged      int         `json:"unchanged"`
	Refused        int         `json:"refused"`
	IgnoredColumns []string    `json:"ignored_columns,omitempty"`
	Rows           []ImportRow `json:"rows"`
	// AlreadyRecorded: a retry of an import already written; Rows list
	// what it wrote.
	AlreadyRecorded bool `json:"already_recorded,omitempty"`
}

// ImportSheet applies an uploaded XLSX or CSV sheet. The file must be the
// sheet of ref (one UE, session and year per file); every row's email must
// match its matricule (a shifted row is caught), a matricule may appear on
// one row only and must be on the sheet; each filled cell is checked like
// a typed entry (scale, decimals, codes in any case, role rules as an
// import, carried activities, the student's deadline). An empty cell
// changes nothing; a value already recorded is unchanged, so uploading the
// same file again writes nothing. Everything written is one atomic append.
func (hs *Handlers) ImportSheet(ctx context.Context, id auth.Identity, key string, ref SheetRef, file []byte, opt ImportOptions) (ImportReport, error) {
	if err := hs.authorizeSheet(ctx, id, access.WriteSheet, ref); err != nil {
		return ImportReport{}, err
	}
	// The registry catches up with the log while the file is parsed.
	caughtUp := make(chan error, 1)
	go func() { caughtUp <- hs.catchUp(ctx) }()
	up, err := sheetfile.Read(file)
	if err != nil {
		return ImportReport{}, refuse(Invalid, "file", "", "%s", err)
	}
	if up.Year != ref.Year || up.Session != string(ref.Session) || up.UE != ref.UE {
		return ImportReport{}, refuse(Invalid, "file", up.UE+" "+up.Session+" "+up.Year,
			"the file is the sheet of UE %s, %s %s, not of %s: one UE, session and year per file", up.UE, up.Session, up.Year, ref)
	}
	if err := <-caughtUp; err != nil {
		return ImportReport{}, err
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return ImportReport{}, err
	}
	mode := "all-or-nothing"
	if opt.Partial {
		mode = "partial"
	}
	report := ImportReport{Sheet: ref.String(), Format: up.Format, Mode: mode, DryRun: opt.DryRun}
	known := map[string]bool{}
	for _, c := range columns(sc.ue) {
		known[c.Key] = true
	}
	var cols []string
	for _, c := range up.Columns {
		if known[c] {
			cols = append(cols, c)
		} else {
			report.IgnoredColumns = append(report.IgnoredColumns, c)
		}
	}
	rows, inputs, owner := hs.importRows(up, cols, opt.Reason)
	source := SourceXLSX
	if up.Format == "csv" {
		source = SourceCSV
	}
	got, err := execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if err := sc.takesEntries(st); err != nil {
			return nil, err
		}
		p := newPlanner(hs, sc, st, id, source)
		p.basedOn = up.Version
		results, _, err := p.plan(ctx, inputs)
		if err != nil {
			return nil, err
		}
		report.Rows = outcomes(rows, results, owner)
		report.Saved, report.Unchanged, report.Refused = 0, 0, 0
		var evs []events.Event
		for i, row := range report.Rows {
			switch row.Outcome {
			case Saved:
				report.Saved++
				for j, r := range results {
					if owner[j] == i && r.event != nil {
						evs = append(evs, p.carries(r.Student, p.due[r.Student].Due, evs)...)
						evs = append(evs, r.event)
					}
				}
			case Unchanged:
				report.Unchanged++
			case Refused:
				report.Refused++
			}
		}
		if opt.DryRun || report.Refused > 0 && !opt.Partial || len(evs) == 0 {
			return nil, nil
		}
		return pend(id, evs...), nil
	})
	if err != nil {
		return ImportReport{}, err
	}
	if n := len(got.Records); n > 0 {
		report.Written, report.Position, report.Version = true, got.Records[n-1].Position, got.Records[n-1].Version
	}
	if got.AlreadyRecorded {
		r := recorded(sc, nil, got)
		report = ImportReport{Sheet: report.Sheet, Format: report.Format, Mode: mode, Written: true, AlreadyRecorded: true,
			Position: r.Position, Version: r.Version}
		for _, e := range r.Results {
			report.Rows = append(report.Rows, ImportRow{Matricule: e.Student, Outcome: Saved,
				Cells: []ImportCell{{Column: e.Activity, Entry: e.Entry, Value: e.Entry.String(), Outcome: Saved}}})
		}
		report.Saved = len(report.Rows)
	}
	return report, nil
}

// importRows checks the rows of a file on their own (matricule present,
// once only, email matching) and turns the filled cells of the rows that
// pass into inputs; owner[i] is the row of inputs[i].
func (hs *Handlers) importRows(up sheetfile.Upload, cols []string, reason string) ([]ImportRow, []EntryInput, []int) {
	rows := make([]ImportRow, len(up.Rows))
	lines := map[string][]int{}
	for i, r := range up.Rows {
		m := normMatricule(r.Matricule)
		rows[i] = ImportRow{Line: r.Line, Matricule: m}
		if m != "" {
			lines[m] = append(lines[m], r.Line)
		}
	}
	var inputs []EntryInput
	var owner []int
	for i, r := range up.Rows {
		row := &rows[i]
		var ps problems
		switch s, registered := hs.Cohort.Registration(row.Matricule); {
		case row.Matricule == "":
			ps.add("matricule", "", "row %d has values but no matricule", r.Line)
		case len(lines[row.Matricule]) > 1:
			ps.add("matricule", row.Matricule, "appears on rows %s; a student appears once per file", joinInts(lines[row.Matricule]))
		case !registered:
			ps.add("matricule", row.Matricule, "no student is registered with this matricule")
		case !strings.EqualFold(strings.TrimSpace(r.Email), s.Email):
			ps.add("email", r.Email, "is not the email of %s (%s %s); rows may have been shifted", row.Matricule, s.FirstName, s.LastName)
		}
		if len(ps) > 0 {
			row.Outcome, row.Problems = Refused, ps
			continue
		}
		for _, c := range cols {
			v := strings.TrimSpace(r.Values[c])
			if v == "" {
				continue
			}
			row.Cells = append(row.Cells, ImportCell{Column: c, Value: v})
			inputs = append(inputs, EntryInput{Student: row.Matricule, Activity: c, Value: v, Reason: reason})
			owner = append(owner, i)
		}
	}
	return rows, inputs, owner
}

// outcomes folds the entry results into their rows: a row with a refused
// cell is refused as a whole.
func outcomes(rows []ImportRow, results []EntryResult, owner []int) []ImportRow {
	out := slices.Clone(rows)
	next := make([]int, len(rows))
	for j, r := range results {
		row := &out[owner[j]]
		cells := slices.Clone(row.Cells)
		c := &cells[next[owner[j]]]
		next[owner[j]]++
		c.Entry, c.Outcome, c.Problems = r.Entry, r.Outcome, r.Problems
		row.Cells = cells
	}
	for i := range out {
		row := &out[i]
		if row.Outcome == Refused {
			continue
		}
		row.Outcome = Unchanged
		for _, c := range row.Cells {
			switch {
			case c.Outcome == Refused:
				row.Outcome = Refused
			case c.Outcome == Saved && row.Outcome != Refused:
				row.Outcome = Saved
			}
		}
	}
	return out
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
