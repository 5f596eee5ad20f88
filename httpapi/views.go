package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // as_of days end in Europe/Brussels wherever the server runs

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/historypdf"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/transcriptpdf"
)

// The views: a student's transcript, ledger, readiness, history and
// deliberation dossier, and the grade-sheet statuses of a session. Each
// answers JSON, most also CSV (viewcsv.go), the transcript also PDF. Every
// answer carries the log position it reflects in the Gradelog-Position
// header.

// institutions is what a transcript PDF names as the awarding
// institutions.
const institutions = "HELMo – HEPL"

// brussels is where an as_of day begins and ends.
var brussels = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}()

// The formats a view may answer in (?format=).
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatPDF  = "pdf"
)

func (a *api) transcript(c *call) (reply, error) {
	format, q, err := viewParams(c, true, formatJSON, formatCSV, formatPDF)
	if err != nil {
		return reply{}, err
	}
	t, err := a.Handlers.Transcript(c.r.Context(), c.id, c.r.PathValue("matricule"), c.r.PathValue("year"), q)
	if err != nil {
		return reply{}, err
	}
	var rep reply
	switch format {
	case formatCSV:
		rep, err = csvReply(transcriptCSV(t), fmt.Sprintf("releve-%s-%s.csv", t.Student.Matricule, t.Year))
	case formatPDF:
		var buf bytes.Buffer
		err = transcriptpdf.Write(&buf, t, transcriptpdf.Options{Institutions: institutions, GeneratedAt: a.Now()})
		rep = reply{status: http.StatusOK, raw: buf.Bytes(), contentType: "application/pdf",
			filename: fmt.Sprintf("releve-%s-%s.pdf", t.Student.Matricule, t.Year)}
	default:
		rep = ok(t)
	}
	return c.reflects(rep, t.Position, err)
}

func (a *api) ledger(c *call) (reply, error) {
	format, q, err := viewParams(c, true, formatJSON, formatCSV)
	if err != nil {
		return reply{}, err
	}
	l, err := a.Handlers.Ledger(c.r.Context(), c.id, c.r.PathValue("matricule"), q)
	if err != nil {
		return reply{}, err
	}
	rep := ok(l)
	if format == formatCSV {
		rep, err = csvReply(ledgerCSV(l), fmt.Sprintf("credits-%s.csv", l.Student.Matricule))
	}
	return c.reflects(rep, l.Position, err)
}

func (a *api) readiness(c *call) (reply, error) {
	format, q, err := viewParams(c, true, formatJSON, formatCSV)
	if err != nil {
		return reply{}, err
	}
	r, err := a.Handlers.Readiness(c.r.Context(), c.id, c.r.PathValue("matricule"), q)
	if err != nil {
		return reply{}, err
	}
	rep := ok(r)
	if format == formatCSV {
		rep, err = csvReply(readinessCSV(r), fmt.Sprintf("prerequis-%s.csv", r.Student.Matricule))
	}
	return c.reflects(rep, r.Position, err)
}

func (a *api) history(c *call) (reply, error) {
	format, q, err := viewParams(c, true, formatJSON, formatCSV, formatPDF)
	if err != nil {
		return reply{}, err
	}
	var f projections.HistoryFilter
	query := c.r.URL.Query()
	for name, v := range map[string]*string{"year": &f.Year, "ue": &f.UE, "kind": &f.Kind} {
		if *v, _, err = param(query, name); err != nil {
			return reply{}, err
		}
	}
	h, err := a.Handlers.History(c.r.Context(), c.id, c.r.PathValue("matricule"), q, f)
	if err != nil {
		return reply{}, err
	}
	rep := ok(h)
	switch format {
	case formatCSV:
		rep, err = csvReply(historyCSV(h), fmt.Sprintf("historique-%s.csv", h.Student.Matricule))
	case formatPDF:
		var buf bytes.Buffer
		err = historypdf.Write(&buf, h, historypdf.Options{Institutions: institutions, GeneratedAt: a.Now(),
			Filter: filterText(f), Source: fmt.Sprintf("journal gradelog, position %d", h.Position)})
		rep = reply{status: http.StatusOK, raw: buf.Bytes(), contentType: "application/pdf",
			filename: fmt.Sprintf("historique-%s.pdf", h.Student.Matricule)}
	}
	return c.reflects(rep, h.Position, err)
}

// filterText says in French which facts a filtered history keeps.
func filterText(f projections.HistoryFilter) string {
	var parts []string
	if f.Year != "" {
		parts = append(parts, "année "+f.Year)
	}
	if f.UE != "" {
		parts = append(parts, "UE "+f.UE)
	}
	if f.Kind != "" {
		parts = append(parts, "faits « "+f.Kind+" »")
	}
	return strings.Join(parts, ", ")
}

func (a *api) dossier(c *call) (reply, error) {
	_, q, err := viewParams(c, true, formatJSON)
	if err != nil {
		return reply{}, err
	}
	d, err := a.Handlers.Dossier(c.r.Context(), c.id, c.r.PathValue("matricule"), c.r.PathValue("year"), c.r.PathValue("session"), q)
	if err != nil {
		return reply{}, err
	}
	return c.reflects(ok(d), d.Position, nil)
}

// SheetStatuses is the answer of the grade-sheet statuses of a session.
type SheetStatuses struct {
	Year    string `json:"year"`
	Session string `json:"session"`
	// Position is a log position the statuses reflect at least.
	Position uint64                    `json:"position"`
	Sheets   []projections.SheetStatus `json:"sheets"`
}

func (a *api) sheetStatuses(c *call) (reply, error) {
	format, q, err := viewParams(c, false, formatJSON, formatCSV)
	if err != nil {
		return reply{}, err
	}
	// The statuses carry no basis: the views' position before the read
	// (or the one the read waited for) is one they reflect at least.
	pos := max(a.Handlers.Cohort.Position(), q.MinPosition)
	year, session := c.r.PathValue("year"), c.r.PathValue("session")
	all, err := a.Handlers.SheetStatuses(c.r.Context(), c.id, year, session, q)
	if err != nil {
		return reply{}, err
	}
	rep := ok(SheetStatuses{Year: year, Session: session, Position: pos, Sheets: all})
	if format == formatCSV {
		rep, err = csvReply(sheetStatusesCSV(all), fmt.Sprintf("grilles-%s-%s.csv", year, session))
	}
	return c.reflects(rep, pos, err)
}

// viewParams reads the query parameters of a view: its format (among
// formats, the first the default), min_position and, when asOf, the
// as_of_position and as_of bounds.
func viewParams(c *call, asOf bool, formats ...string) (string, handlers.ViewQuery, error) {
	var q handlers.ViewQuery
	query := c.r.URL.Query()
	format, given, err := param(query, "format")
	if err != nil {
		return "", q, err
	}
	if !given {
		format = formats[0]
	}
	if !slices.Contains(formats, format) {
		return "", q, &badRequest{fmt.Sprintf("query parameter format=%q: this view answers %s", format, choices(formats))}
	}
	if q.MinPosition, err = position(query, "min_position", false); err != nil {
		return "", q, err
	}
	if !asOf {
		for _, name := range []string{"as_of_position", "as_of", "as_of_decision", "as_of_deliberation"} {
			if v, given := query[name]; given {
				return "", q, &badRequest{fmt.Sprintf("query parameter %s=%q: this view is read live only; as_of_position and as_of bound a student's views (transcript, ledger, readiness, history, dossier), and /replay shows a deliberation as it went", name, strings.Join(v, ","))}
			}
		}
		return format, q, nil
	}
	if q.AsOf.Position, err = position(query, "as_of_position", true); err != nil {
		return "", q, err
	}
	v, given, err := param(query, "as_of")
	if err != nil {
		return "", q, err
	}
	if given {
		if q.AsOf.Instant, err = instant("as_of", v); err != nil {
			return "", q, err
		}
	}
	return format, q, juryMoment(query, &q)
}

// juryMoment reads as_of_decision=ID or as_of_deliberation=YEAR/SESSION:
// the view as the jury saw it when it decided; neither goes with another
// bound.
func juryMoment(query map[string][]string, q *handlers.ViewQuery) error {
	decision, byDecision, err := param(query, "as_of_decision")
	if err != nil {
		return err
	}
	session, bySession, err := param(query, "as_of_deliberation")
	if err != nil {
		return err
	}
	if !byDecision && !bySession {
		return nil
	}
	if byDecision && bySession || q.AsOf != (eventlog.Until{}) {
		return &badRequest{"query parameters as_of_decision, as_of_deliberation, as_of and as_of_position: give one bound only"}
	}
	m := &handlers.JuryMoment{Decision: decision}
	if bySession {
		m.Year, m.Session, _ = strings.Cut(session, "/")
	}
	q.AsJurySaw = m
	return nil
}

// param returns the one value of a query parameter, and whether it is
// given; given twice is a bad request.
func param(query map[string][]string, name string) (string, bool, error) {
	v, given := query[name]
	switch {
	case !given:
		return "", false, nil
	case len(v) > 1:
		return "", true, &badRequest{fmt.Sprintf("query parameter %s=%q: given %d times, at most once", name, strings.Join(v, ","), len(v))}
	}
	return v[0], true, nil
}

// position reads a log position parameter: an unsigned integer, at least 1
// when nonZero (0 or absent means no bound otherwise).
func position(query map[string][]string, name string, nonZero bool) (uint64, error) {
	v, given, err := param(query, name)
	if err != nil || !given {
		return 0, err
	}
	p, perr := strconv.ParseUint(v, 10, 64)
	switch {
	case perr != nil:
		return 0, &badRequest{fmt.Sprintf("query parameter %s=%q: a log position, an unsigned integer such as 1234", name, v)}
	case nonZero && p == 0:
		return 0, &badRequest{fmt.Sprintf("query parameter %s=%q: a log position, at least 1 (the log starts at position 1)", name, v)}
	}
	return p, nil
}

// instant reads as_of (handlers.Moment).
func instant(name, v string) (time.Time, error) {
	if t, ok := handlers.Moment(v); ok {
		return t, nil
	}
	return time.Time{}, &badRequest{fmt.Sprintf("query parameter %s=%q: an RFC 3339 instant such as 2026-02-01T00:00:00+01:00 (with the + escaped as %%2B), or a day such as 2026-02-01 meaning its end in Europe/Brussels", name, v)}
}

func choices(formats []string) string {
	if len(formats) == 1 {
		return "only format=" + formats[0]
	}
	q := slices.Clone(formats)
	q[0] += " (the default)"
	return "format=" + strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// reflects marks rep as reflecting log position pos, unless err.
func (c *call) reflects(rep reply, pos uint64, err error) (reply, error) {
	if err != nil {
		return reply{}, err
	}
	rep.position = &pos
	return rep, nil
}
