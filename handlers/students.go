package handlers

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// Registration registers a person as a student.
type Registration struct {
	Matricule string `json:"matricule"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// matricules are letters and digits, 4 to 16 of them ("HE201234").
var matricule = regexp.MustCompile(`^[A-Z0-9]{4,16}$`)

// RegisterStudent registers a student (secretariat). The matricule and the
// email must be new: a grade sheet import relies on one matching the other.
func (hs *Handlers) RegisterStudent(ctx context.Context, id auth.Identity, key string, in Registration) (eventlog.Appended, error) {
	if err := authorize(id, access.RegisterStudent, access.Target{}); err != nil {
		return eventlog.Appended{}, err
	}
	typed := in
	in.Matricule = normMatricule(in.Matricule)
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	var ps problems
	if !matricule.MatchString(in.Matricule) {
		ps.add("matricule", typed.Matricule, "a matricule is 4 to 16 letters and digits")
	}
	if in.FirstName == "" {
		ps.add("first_name", in.FirstName, "a first name is required")
	}
	if in.LastName == "" {
		ps.add("last_name", in.LastName, "a last name is required")
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		ps.add("email", typed.Email, "not an email address (name@domain)")
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	if err := hs.catchUp(ctx); err != nil {
		return eventlog.Appended{}, err
	}
	if other, ok := hs.Cohort.StudentByEmail(in.Email); ok && other != in.Matricule {
		return eventlog.Appended{}, refuse(Invalid, "email", in.Email, "already the email of student %s; every student has their own", other)
	}
	return execute(ctx, hs, events.StudentOf(in.Matricule), key, newStudentState, func(st *studentState) ([]events.Pending, error) {
		if r := st.registered; r != nil {
			return nil, refuse(Invalid, "matricule", in.Matricule, "already registered (%s %s, %s)", r.FirstName, r.LastName, r.Email)
		}
		return pend(id, events.StudentRegistered(in)), nil
	})
}

// Admission admits a registered student to a programme.
type Admission struct {
	Year        string   `json:"year"` // the academic year of admission, whose catalog the complements are checked against
	Basis       string   `json:"basis"`
	HasBachelor bool     `json:"has_bachelor"` // holds a matching bachelor title
	Complements []string `json:"complements"`
}

// AdmitStudent records a student's admission (secretariat), with the
// admission complements they must acquire, checked against the catalog.
func (hs *Handlers) AdmitStudent(ctx context.Context, id auth.Identity, key, mat string, in Admission) (eventlog.Appended, error) {
	mat = normMatricule(mat)
	docs, err := hs.authorizeYear(ctx, id, access.AdmitStudent, in.Year, mat)
	if err != nil {
		return eventlog.Appended{}, err
	}
	var ps problems
	if strings.TrimSpace(in.Basis) == "" {
		ps.add("basis", in.Basis, "the basis of admission (title or procedure) is required")
	}
	for _, code := range in.Complements {
		ue, ok := docs.Catalog.UE(code)
		switch {
		case !ok:
			ps.add("complements", code, "no such UE in the %s catalog", in.Year)
		case ue.Kind != catalog.Complement:
			ps.add("complements", code, "UE %s is a %s UE, not an admission complement", code, ue.Kind)
		case ue.Eligibility != nil && !rules.Conditions(in.HasBachelor)[ue.Eligibility.Condition]:
			ps.add("complements", code, "UE %s is only for students %s (%s)", code, ue.Eligibility.Condition, ue.Eligibility.Text)
		}
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	return execute(ctx, hs, events.StudentOf(mat), key, newStudentState, func(st *studentState) ([]events.Pending, error) {
		if st.registered == nil {
			return nil, refuse(NotFound, "matricule", mat, "no student is registered with this matricule")
		}
		return pend(id, events.StudentAdmitted{Programme: docs.Catalog.Programme.Code, Basis: in.Basis,
			HasBachelor: in.HasBachelor, Complements: slices.Clone(in.Complements)}), nil
	})
}

// normMatricule is a matricule as stored: upper case, no spaces.
func normMatricule(m string) string { return strings.ToUpper(strings.TrimSpace(m)) }

// documents returns the catalog and ruleset in force for year, once the
// registry holds the whole log.
func (hs *Handlers) documents(ctx context.Context, year string) (projections.Documents, error) {
	if d, ok := hs.Cohort.Documents(year); ok {
		return d, nil
	}
	if err := hs.catchUp(ctx); err != nil {
		return projections.Documents{}, err
	}
	if d, ok := hs.Cohort.Documents(year); ok {
		return d, nil
	}
	return projections.Documents{}, refuse(NotFound, "year", year, "no catalog and ruleset are published for this academic year")
}

// pend wraps events as pending under the actor.
func pend(id auth.Identity, evs ...events.Event) []events.Pending {
	out := make([]events.Pending, len(evs))
	for i, e := range evs {
		out[i] = events.Pending{Event: e, Actor: id.Actor()}
	}
	return out
}

// StudentFile is a student's record as the student aggregate holds it.
type StudentFile struct {
	Registration
	Admission *events.StudentAdmitted     `json:"admission,omitempty"`
	PAEs      map[string]*projections.PAE `json:"paes"`
	Version   uint64                      `json:"version"`
}

// Student returns a student's registration, admission and PAEs, to whom
// the access matrix lets read them (access.ReadStudent).
func (hs *Handlers) Student(ctx context.Context, id auth.Identity, mat string) (StudentFile, error) {
	mat = normMatricule(mat)
	if err := hs.authorizeStudent(id, access.ReadStudent, mat); err != nil {
		return StudentFile{}, err
	}
	var out StudentFile
	var found bool
	err := read(ctx, hs, events.StudentOf(mat), newStudentState, func(st *studentState, head events.Head) {
		if found = st.registered != nil; !found {
			return
		}
		out = StudentFile{Registration: Registration(*st.registered), Admission: st.admission, PAEs: map[string]*projections.PAE{}, Version: head.Version}
		for y, p := range st.pae {
			out.PAEs[y] = &projections.PAE{Programme: p.Programme, UEs: slices.Clone(p.UEs), Waivers: slices.Clone(p.Waivers)}
		}
	})
	if err == nil && !found {
		err = refuse(NotFound, "matricule", mat, "no student is registered with this matricule")
	}
	return out, err
}

// Students lists the registered students matching query (see
// projections.Cohort.Directory), at most limit: the secretariat, the jury
// and auditors (access.ListStudents).
func (hs *Handlers) Students(ctx context.Context, id auth.Identity, query string, limit int, q ViewQuery) ([]projections.Entry, error) {
	if err := authorize(id, access.ListStudents, access.Target{}); err != nil {
		return nil, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return nil, err
	}
	return hs.Cohort.Directory(query, limit), nil
}
