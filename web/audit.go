package web

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gradelog/gradelog/audit"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/projections"
)

// The audit pages: finding a student (audit), their timeline with the
// state reconstituted as of a past moment (timeline, audit_timeline.go),
// the comparison of two moments (diff, audit_diff.go), the verification
// of the stored log (verification), and a student's own transcript
// (myTranscript, student.go). They read through the same handlers as the
// API (/api/v1/students/{m}/history, /diff, /bundle, /audit/verification)
// and take the same bounds, named in French.

// searchLimit bounds the directory's answer on the search page.
const searchLimit = 50

// searchPage is what the search page shows.
type searchPage struct {
	Query    string
	Students []projections.Entry
	Limited  bool // more students match than are shown
	// Diff says whether the reader may compare a record between two
	// moments.
	Diff bool
}

// audit finds a student in the directory (name, matricule or email,
// accents and case ignored), to open their timeline.
func (u *ui) audit(c *req) error {
	p := searchPage{Query: strings.TrimSpace(c.r.URL.Query().Get("q"))}
	list, err := u.Handlers.Students(c.ctx(), c.id, p.Query, searchLimit+1, c.query())
	if err != nil {
		return err
	}
	if len(list) > searchLimit {
		list, p.Limited = list[:searchLimit], true
	}
	p.Students = list
	p.Diff = readsRecords(c.id)
	u.render(c, "audit", "Audit : rechercher un étudiant", p)
	return nil
}

// readsRecords reports whether id reads any student's record and
// compares it between two moments (the secretariat, the jury, auditors).
func readsRecords(id auth.Identity) bool {
	return id.Has(auth.Auditor) || id.Has(auth.Secretariat) || id.Has(auth.Jury)
}

// verificationPage is what the verification page shows.
type verificationPage struct {
	Student string // the matricule typed ("" : the whole log)
	Ran     bool
	Report  audit.LogReport
	OK      bool
	Took    time.Duration
	At      time.Time
	API     string // the same verification as JSON
}

// verification recomputes the hash chains of the stored log, whole or
// for one student's scope (?etudiant=), and shows what it found.
func (u *ui) verification(c *req) error {
	p := verificationPage{Student: strings.ToUpper(strings.TrimSpace(c.r.URL.Query().Get("etudiant"))), At: u.Now()}
	start := time.Now()
	rep, err := u.Handlers.Verification(c.ctx(), c.id, p.Student)
	var ref *handlers.Refusal
	switch {
	case errors.As(err, &ref) && ref.Reason != handlers.Forbidden:
		// An unknown matricule: said beside the form.
		c.refused, c.status = frenchRefusal(ref), httpapi.StatusOf(ref.Reason)
	case err != nil:
		return err
	default:
		p.Ran, p.Report, p.OK, p.Took = true, rep, rep.OK(), time.Since(start).Round(time.Millisecond)
	}
	p.API = "/api/v1/audit/verification"
	if p.Student != "" {
		p.API += "?student=" + url.QueryEscape(p.Student)
	}
	u.render(c, "verification", "Vérification du journal", p)
	return nil
}

// auditFieldNames are the API's field names as the audit forms name them.
var auditFieldNames = map[string]string{
	"student": "etudiant", "matricule": "matricule", "kind": "type", "year": "annee", "ue": "ue",
	"decision": "decision", "deliberation": "deliberation", "as_of_deliberation": "deliberation",
	"from_position": "depuis_position", "from": "depuis",
}

// frenchRefusal is a refusal of a form field in French (Refusal.In), its
// fields named as the page's inputs are rather than by their French names.
func frenchRefusal(ref *handlers.Refusal) *handlers.Refusal {
	out := ref.In(i18n.French)
	for i, p := range ref.Problems {
		if n, ok := auditFieldNames[p.Field]; ok {
			out.Problems[i].Field = n
		}
	}
	return out
}

// The bounds of a reconstitution, as the audit forms give them. A moment
// is a day (its end in Europe/Brussels, as the API's as_of), a day and a
// time (the end of that minute) or an RFC 3339 instant; a position is a
// log position, at least 1.

// momentOf reads a moment typed in a form field; "" is no bound.
func momentOf(field, v string) (time.Time, *handlers.Problem) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, ok := handlers.Moment(v); ok {
		return t, nil
	}
	return time.Time{}, &handlers.Problem{Field: field, Value: v,
		Rule: "une date (AAAA-MM-JJ, jusqu'à la fin de ce jour à Bruxelles), une date et une heure (AAAA-MM-JJTHH:MM) ou un instant RFC 3339"}
}

// positionOfField reads a log position typed in a form field; "" is no
// bound.
func positionOfField(field, v string) (uint64, *handlers.Problem) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	p, err := strconv.ParseUint(v, 10, 64)
	if err != nil || p == 0 {
		return 0, &handlers.Problem{Field: field, Value: v, Rule: "une position du journal : un entier à partir de 1"}
	}
	return p, nil
}

// boundWords says a bound in French: "au 12 janvier 2026 à 23:59",
// "à la position 42", or both.
func boundWords(u eventlog.Until) string {
	var parts []string
	if !u.Instant.IsZero() {
		parts = append(parts, "au "+moment(u.Instant))
	}
	if u.Position != 0 {
		parts = append(parts, fmt.Sprintf("à la position %d", u.Position))
	}
	if len(parts) == 0 {
		return "maintenant"
	}
	return strings.Join(parts, ", ")
}

// apiInstant writes a bound's instant as the API's as_of takes it.
func apiInstant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// shownRefusal is err's refusal, if it is one the page shows beside its form
// (any but for want of a right, which u.fail records and answers).
func shownRefusal(err error) (*handlers.Refusal, bool) {
	var ref *handlers.Refusal
	if errors.As(err, &ref) && ref.Reason != handlers.Forbidden {
		return ref, true
	}
	return nil, false
}
