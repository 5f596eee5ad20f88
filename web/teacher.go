package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/projections"
)

// sessionSheets are the sheets of one session a user may open.
type sessionSheets struct {
	Year, Session string
	Deadline      string
	Sheets        []projections.SheetStatus
}

// sheets lists the grade sheets of every scheduled session: a teacher's
// own, everyone's for the secretariat, the jury and auditors.
func (u *ui) sheets(c *req) error {
	if err := u.Handlers.Reach(c.ctx(), c.query()); err != nil {
		return err
	}
	var out []sessionSheets
	for _, year := range slices.Backward(u.Handlers.Cohort.Years()) {
		for _, s := range slices.Backward(u.Handlers.Cohort.Sessions(year)) {
			st, err := u.Handlers.SheetStatuses(c.ctx(), c.id, year, s.Session, c.query())
			if err != nil {
				return err
			}
			st = slices.DeleteFunc(st, func(s projections.SheetStatus) bool { return s.Enrolled == 0 && s.Entered == 0 })
			if len(st) > 0 {
				out = append(out, sessionSheets{Year: year, Session: s.Session, Deadline: moment(s.EncodingDeadline), Sheets: st})
			}
		}
	}
	title := "Feuilles de cotes"
	if c.id.Has(auth.Teacher) && !c.id.Has(auth.Secretariat) {
		title = "Mes feuilles de cotes"
	}
	u.render(c, "sheets", title, out)
	return nil
}

// sheetRef is the sheet a path names.
func sheetRef(r *http.Request) handlers.SheetRef {
	return handlers.SheetRef{Year: r.PathValue("year"), Session: catalog.Session(r.PathValue("session")),
		UE: r.PathValue("bloc") + "/" + r.PathValue("num")}
}

// sheetPage is a grade sheet as its page shows it.
type sheetPage struct {
	handlers.Sheet
	Path, API string
	Report    *handlers.ImportReport
	CanReopen bool
	CanExtend bool
	CanWrite  bool
}

// Incomplete counts the students whose row still misses a value (the
// rows "à compléter"), as the sheets' list counts them.
func (p sheetPage) Incomplete() int {
	n := 0
	for _, r := range p.Rows {
		if len(r.Missing) > 0 {
			n++
		}
	}
	return n
}

// sheet shows a grade sheet: one row per student, an input per column,
// saved as typed (static/sheet.js) or with the form's button.
func (u *ui) sheet(c *req) error {
	return u.showSheet(c, nil)
}

func (u *ui) showSheet(c *req, report *handlers.ImportReport) error {
	ref := sheetRef(c.r)
	s, err := u.Handlers.Sheet(c.ctx(), c.id, ref)
	if err != nil {
		return err
	}
	p := sheetPage{Sheet: s, Path: "/feuilles/" + ref.Year + "/" + string(ref.Session) + "/" + ref.UE,
		API:       "/api/v1/sheets/" + ref.Year + "/" + string(ref.Session) + "/" + ref.UE,
		Report:    report,
		CanReopen: s.Status == "submitted" && u.Handlers.MaySheet(c.id, access.ReopenSheet, ref),
		CanExtend: s.Status != "submitted" && len(s.Rows) > 0 && u.Handlers.MaySheet(c.id, access.ExtendDeadline, ref),
		CanWrite:  s.Status != "submitted" && u.Handlers.MaySheet(c.id, access.WriteSheet, ref)}
	u.render(c, "sheet", fmt.Sprintf("UE %s · %s · %s %s", s.UE, s.Title, s.Session, s.Year), p)
	return nil
}

// saveSheet records every input of the sheet's form, all or nothing (the
// page without scripts; with them, each input is saved as it changes).
func (u *ui) saveSheet(c *req) (done, error) {
	ref := sheetRef(c.r)
	var in []handlers.EntryInput
	reason := strings.TrimSpace(c.r.PostForm.Get("motif"))
	for name, vs := range c.r.PostForm {
		rest, ok := strings.CutPrefix(name, "v:")
		if !ok || len(vs) == 0 {
			continue
		}
		student, column, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		e := handlers.EntryInput{Student: student, Activity: column, Value: strings.TrimSpace(vs[0]), Reason: reason}
		if v, err := strconv.ParseUint(c.r.PostForm.Get("version:"+student+":"+column), 10, 64); err == nil {
			e.Version = &v
		}
		in = append(in, e)
	}
	slices.SortFunc(in, func(a, b handlers.EntryInput) int {
		return strings.Compare(a.Student+"\x00"+a.Activity, b.Student+"\x00"+b.Activity)
	})
	got, err := u.Handlers.RecordEntries(c.ctx(), c.id, "", ref, handlers.SourceForm, in)
	if err != nil {
		return done{}, err
	}
	saved := 0
	for _, r := range got.Results {
		if r.Outcome == handlers.Saved {
			saved++
		}
	}
	return done{flash: fmt.Sprintf("%d valeur(s) enregistrée(s).", saved), position: got.Position}, nil
}

// importSheet applies an uploaded spreadsheet and shows its report row by
// row on the sheet page (a preview writes nothing).
func (u *ui) importSheet(c *req) error {
	f, _, err := c.r.FormFile("fichier")
	if err != nil {
		return &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Field: "fichier", Rule: "choisissez le fichier XLSX ou CSV de la feuille"}}}
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	opt := handlers.ImportOptions{DryRun: c.r.PostForm.Get("apercu") != "", Partial: c.r.PostForm.Get("partiel") != "",
		Reason: strings.TrimSpace(c.r.PostForm.Get("motif"))}
	rep, err := u.Handlers.ImportSheet(c.ctx(), c.id, "", sheetRef(c.r), data, opt)
	if err != nil {
		return err
	}
	c.wrote(rep.Position)
	return u.showSheet(c, &rep)
}

// submitSheet submits the sheet, once confirmed.
func (u *ui) submitSheet(c *req) (done, error) {
	if c.r.PostForm.Get("confirmation") == "" {
		return done{}, &handlers.Refusal{Reason: handlers.Invalid, Problems: []handlers.Problem{{Field: "confirmation",
			Rule: "cochez la confirmation : une feuille remise ne peut plus être modifiée sans réouverture par le secrétariat"}}}
	}
	got, err := u.Handlers.SubmitSheet(c.ctx(), c.id, "", sheetRef(c.r))
	if err != nil {
		return done{}, err
	}
	msg := "Feuille remise."
	if got.Missing > 0 {
		msg = fmt.Sprintf("Feuille remise avec %d valeur(s) manquante(s).", got.Missing)
	}
	return done{next: "/feuilles", flash: msg, position: got.Position}, nil
}

// reopenSheet reopens a submitted sheet (the secretariat), with a reason.
func (u *ui) reopenSheet(c *req) (done, error) {
	got, err := u.Handlers.ReopenSheet(c.ctx(), c.id, "", sheetRef(c.r), strings.TrimSpace(c.r.PostForm.Get("motif")))
	if err != nil {
		return done{}, err
	}
	return done{flash: "Feuille rouverte.", position: positionOf(got)}, nil
}
