package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/sheetfile"
)

func sheetRef(r *http.Request) handlers.SheetRef {
	return handlers.SheetRef{Year: r.PathValue("year"), Session: catalog.Session(r.PathValue("session")),
		UE: r.PathValue("bloc") + "/" + r.PathValue("num")}
}

func etag(version uint64) string { return fmt.Sprintf("%q", strconv.FormatUint(version, 10)) }

func (a *api) sheet(c *call) (reply, error) {
	s, err := a.Handlers.Sheet(c.r.Context(), c.id, sheetRef(c.r))
	rep := ok(s)
	rep.etag = etag(s.Version)
	return rep, err
}

// entries is the body of a batch write.
type entries struct {
	Entries []handlers.EntryInput `json:"entries"`
	// Source says how the values were entered: "form" (the grade sheet
	// screen) or "api" (the default).
	Source string `json:"source,omitempty"`
}

func (a *api) recordEntries(c *call) (reply, error) {
	var in entries
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	source := handlers.SourceAPI
	switch in.Source {
	case "", handlers.SourceAPI:
	case handlers.SourceForm:
		source = handlers.SourceForm
	default:
		return reply{}, &badRequest{fmt.Sprintf("source %q: \"form\" or \"api\"", in.Source)}
	}
	got, err := a.Handlers.RecordEntries(c.r.Context(), c.id, c.key, sheetRef(c.r), source, in.Entries)
	return ok(got), err
}

// entry answers one slot of a sheet with its version as ETag.
func (a *api) entry(c *call) (reply, error) {
	s, err := a.Handlers.Sheet(c.r.Context(), c.id, sheetRef(c.r))
	if err != nil {
		return reply{}, err
	}
	student, activity := strings.ToUpper(c.r.PathValue("student")), c.r.URL.Query().Get("activity")
	if !slices.ContainsFunc(s.Columns, func(col handlers.Column) bool { return col.Key == activity }) {
		return reply{}, &handlers.Refusal{Reason: handlers.NotFound, Problems: []handlers.Problem{
			handlers.ProblemOf("activity", activity, textf("not a column of the sheet of %s", sheetRef(c.r)))}}
	}
	for _, row := range s.Rows {
		if row.Matricule == student {
			v, found := row.Entries[activity]
			if !found {
				v.Activity = activity
			}
			rep := ok(v)
			rep.etag = etag(v.Version)
			return rep, nil
		}
	}
	return reply{}, &handlers.Refusal{Reason: handlers.NotFound, Problems: []handlers.Problem{
		handlers.ProblemOf("student", student, textf("not on the sheet of %s", sheetRef(c.r)))}}
}

// oneEntry is the body of a single-entry write.
type oneEntry struct {
	Value        string `json:"value"`
	Reason       string `json:"reason,omitempty"`
	AuthorisedBy string `json:"authorised_by,omitempty"`
}

// putEntry writes one slot. If-Match names the entry version the writer
// saw ("0" or If-None-Match: * for an empty slot); a stale one is a 409
// with the current entry.
func (a *api) putEntry(c *call) (reply, error) {
	var in oneEntry
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	e := handlers.EntryInput{Student: c.r.PathValue("student"), Activity: c.r.URL.Query().Get("activity"),
		Value: in.Value, Reason: in.Reason, AuthorisedBy: in.AuthorisedBy}
	if m := c.r.Header.Get("If-Match"); m != "" {
		v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(m, "W/"), `"`), 10, 64)
		if err != nil {
			return reply{}, &badRequest{fmt.Sprintf("If-Match %q: the entry version from its ETag, e.g. \"12\"", m)}
		}
		e.Version = &v
	} else if c.r.Header.Get("If-None-Match") == "*" {
		zero := uint64(0)
		e.Version = &zero
	}
	got, err := a.Handlers.RecordEntries(c.r.Context(), c.id, c.key, sheetRef(c.r), handlers.SourceAPI, []handlers.EntryInput{e})
	rep := ok(got)
	if len(got.Results) == 1 {
		rep.etag = etag(got.Results[0].Version) // the entry's, as GET gives it
	}
	return rep, err
}

func (a *api) openSheet(c *call) (reply, error) {
	got, err := a.Handlers.OpenSheet(c.r.Context(), c.id, c.key, sheetRef(c.r))
	return ok(writtenOf(got)), err
}

func (a *api) submitSheet(c *call) (reply, error) {
	got, err := a.Handlers.SubmitSheet(c.r.Context(), c.id, c.key, sheetRef(c.r))
	return ok(got), err
}

func (a *api) reopenSheet(c *call) (reply, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.ReopenSheet(c.r.Context(), c.id, c.key, sheetRef(c.r), in.Reason)
	return ok(writtenOf(got)), err
}

func (a *api) extendDeadline(c *call) (reply, error) {
	var in handlers.Extension
	if err := c.decode(&in); err != nil {
		return reply{}, err
	}
	got, err := a.Handlers.ExtendDeadline(c.r.Context(), c.id, c.key, sheetRef(c.r), in)
	return ok(writtenOf(got)), err
}

func (a *api) exportXLSX(c *call) (reply, error) {
	return a.export(c, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sheetfile.WriteXLSX)
}

func (a *api) exportCSV(c *call) (reply, error) {
	return a.export(c, "csv", "text/csv; charset=utf-8", sheetfile.WriteCSV)
}

func (a *api) export(c *call, ext, contentType string, write func(w io.Writer, t sheetfile.Template) error) (reply, error) {
	ref := sheetRef(c.r)
	t, err := a.Handlers.SheetTemplate(c.r.Context(), c.id, ref)
	if err != nil {
		return reply{}, err
	}
	var buf bytes.Buffer
	if err := write(&buf, t); err != nil {
		return reply{}, err
	}
	name := fmt.Sprintf("notes-%s-%s-UE%s.%s", ref.Year, ref.Session, strings.ReplaceAll(ref.UE, "/", "-"), ext)
	return reply{status: http.StatusOK, raw: buf.Bytes(), contentType: contentType, filename: name}, nil
}

// importSheet applies an uploaded file (the raw body, or the "file" field
// of a multipart form). ?mode=partial saves the rows that pass;
// ?dry_run=true writes nothing; ?reason= documents its corrections. A
// refused all-or-nothing import answers 422 with the report.
func (a *api) importSheet(c *call) (reply, error) {
	q := c.r.URL.Query()
	opt := handlers.ImportOptions{DryRun: q.Get("dry_run") == "true", Reason: q.Get("reason")}
	switch q.Get("mode") {
	case "", "all-or-nothing":
	case "partial":
		opt.Partial = true
	default:
		return reply{}, &badRequest{fmt.Sprintf("mode %q: \"all-or-nothing\" (the default) or \"partial\"", q.Get("mode"))}
	}
	file, err := uploaded(c)
	if err != nil {
		return reply{}, err
	}
	report, err := a.Handlers.ImportSheet(c.r.Context(), c.id, c.key, sheetRef(c.r), file, opt)
	if err != nil {
		return reply{}, err
	}
	if report.Refused > 0 && !opt.Partial && !opt.DryRun {
		return reply{status: http.StatusUnprocessableEntity, body: report}, nil
	}
	return ok(report), nil
}

// uploaded is the file of an import request.
func uploaded(c *call) ([]byte, error) {
	ct := c.r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data") {
		return c.body, nil
	}
	r := c.r.Clone(c.r.Context())
	r.Body = io.NopCloser(bytes.NewReader(c.body))
	if err := r.ParseMultipartForm(maxBody); err != nil {
		return nil, &badRequest{fmt.Sprintf("multipart form: %v", err)}
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, &badRequest{"multipart form: no \"file\" field"}
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, &badRequest{fmt.Sprintf("multipart form: %v", err)}
	}
	return buf.Bytes(), nil
}
