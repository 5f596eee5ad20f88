package projections_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/rules"
)

// This file is the generator of the golden scenarios: each scenario is a
// story told as events by a builder, in log order, with fixed identifiers
// and timestamps (no clock, no randomness). `go test ./projections -run
// Golden -generate` writes it to testdata/<name>/events.jsonl; the golden
// test itself only reads that committed file. testdata/<name>/notes.md says
// what each scenario exercises and the figures expected by hand.

// goldenScenario is one story of the golden test.
type goldenScenario struct {
	name  string
	build func(b *scBuilder)
}

var goldenScenarios = []goldenScenario{
	{"integrated-and-weighted", scIntegratedAndWeighted},
	{"ruleset-variants", scRulesetVariants},
	{"carry-over", scCarryOver},
	{"codes", scCodes},
	{"corrections-and-appeals", scCorrectionsAndAppeals},
	{"deliberation", scDeliberation},
	{"recognition-and-complements", scRecognitionAndComplements},
	{"prerequisites", scPrerequisites},
	{"end-of-cycle", scEndOfCycle},
}

const (
	scY1   = "2025-2026"
	scY2   = "2026-2027"
	scMIAS = "MIAS"
)

var (
	scBloc1 = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	scBloc2 = []string{"2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/10", "2/11"}

	scSystem      = events.Actor{ID: "gradelog", Roles: []string{"system"}}
	scSecretariat = events.Actor{ID: "sec.martin", Roles: []string{"secretariat"}}
	scPresident   = events.Actor{ID: "jury.president", Roles: []string{"jury"}}
)

func scTeacher(ue string) events.Actor {
	return events.Actor{ID: "prof." + strings.ReplaceAll(ue, "/", "-"), Roles: []string{"teacher"}}
}

// scBuilder appends a scenario's records: envelopes encoded by events.Encode,
// each aggregate's hash chain kept, positions counted from 1.
type scBuilder struct {
	tb    testing.TB
	cat   *catalog.Catalog // the shipped catalog: activity titles, integration
	now   time.Time
	seq   int
	heads map[events.AggregateID]string
	about map[string]uint64 // the last position of a record about a student
	lines [][]byte
}

func newScBuilder(tb testing.TB) *scBuilder {
	cat, _ := gradetest.Shipped(tb)
	return &scBuilder{tb: tb, cat: cat, heads: map[events.AggregateID]string{}, about: map[string]uint64{}}
}

// at sets the clock; each record then takes one more minute.
func (b *scBuilder) at(when string) {
	t, err := time.Parse("2006-01-02 15:04", when)
	if err != nil {
		b.tb.Fatal(err)
	}
	b.now = t.UTC()
}

// emit appends e to aggregate a and returns its ID.
func (b *scBuilder) emit(a events.AggregateID, actor events.Actor, e events.Event) uuid.UUID {
	b.tb.Helper()
	b.seq++
	id := uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", b.seq))
	rec, err := events.Encode(a, events.Pending{ID: id, Event: e, Actor: actor}, b.now, "", b.heads[a])
	if err != nil {
		b.tb.Fatal(err)
	}
	b.heads[a] = rec.Hash
	b.lines = append(b.lines, rec.Data)
	b.now = b.now.Add(time.Minute)
	if t := a.Tokens(); a.Kind() == events.KindStudent {
		b.about[t[0]] = uint64(b.seq)
	} else if m := events.AboutStudent(e); m != "" {
		b.about[m] = uint64(b.seq)
	}
	return id
}

// scDocuments returns the shipped catalog and ruleset for year (the calendar
// and holidays moved to that year), with edit applied to both, and checks
// them as publishing would.
func scDocuments(tb testing.TB, year string, edit func(*catalog.Catalog, *rules.Ruleset)) (*catalog.Catalog, *rules.Ruleset) {
	tb.Helper()
	cat, rs := gradetest.Shipped(tb)
	if year != cat.Programme.AcademicYear {
		cohortgen.Move(cat, rs, 1)
	}
	if edit != nil {
		edit(cat, rs)
	}
	fs := cat.Check("catalog " + year)
	fs.Acknowledge("catalog "+year, cat.Acknowledged)
	if err := fs.Err(); err != nil {
		tb.Fatalf("catalog %s: %v", year, err)
	}
	if err := rs.Check("ruleset "+year, cat).Err(); err != nil {
		tb.Fatalf("ruleset %s: %v", year, err)
	}
	return cat, rs
}

// publish writes the catalog and ruleset of their year, as the handlers
// do, and schedules the year's sessions from the ruleset's calendar.
func (b *scBuilder) publish(cat *catalog.Catalog, rs *rules.Ruleset) {
	year := cat.Programme.AcademicYear
	b.emit(events.CatalogOf(year), scSystem, events.CatalogPublished{Year: year, Programme: cat.Programme.Code,
		Version: 1, Digest: cat.Digest(), Catalog: cat.Canonical()})
	b.emit(events.CatalogOf(year), scSystem, events.RulesetPublished{Year: year, Version: 1,
		Digest: rs.Digest(), Ruleset: rs.Canonical()})
	for _, s := range rs.Calendar {
		endOf := func(d rules.Date) time.Time { return d.Time().Add(24*time.Hour - time.Second) }
		b.emit(events.CalendarOf(year), scSecretariat, events.SessionScheduled{Year: year, Session: string(s.Session),
			Starts: s.ExamsFrom.Time(), Ends: endOf(s.ExamsTo), EncodingDeadline: endOf(s.EncodingDeadline),
			DeliberationAt: s.Deliberation.Time(), PublicationAt: s.Publication.Time()})
	}
}

// shipped publishes the shipped documents for year.
func (b *scBuilder) shipped(year string) {
	b.publish(scDocuments(b.tb, year, nil))
}

// student registers and admits a student.
func (b *scBuilder) student(mat, first, last, basis string, hasBachelor bool, complements ...string) {
	email := strings.ToLower(first+"."+last) + "@student.helmo.be"
	email = strings.NewReplacer("é", "e", "è", "e", "ë", "e", "ï", "i", "ç", "c", " ", "").Replace(email)
	b.emit(events.StudentOf(mat), scSecretariat, events.StudentRegistered{Matricule: mat, FirstName: first, LastName: last, Email: email})
	b.emit(events.StudentOf(mat), scSecretariat, events.StudentAdmitted{Programme: scMIAS, Basis: basis,
		HasBachelor: hasBachelor, Complements: complements})
}

func (b *scBuilder) pae(mat, year string, ues []string, waivers ...events.Waiver) {
	b.emit(events.StudentOf(mat), scSecretariat, events.PAEValidated{Programme: scMIAS, Year: year, UEs: ues, Waivers: waivers})
}

func (b *scBuilder) recognise(mat, year, ue, basis, reason string) {
	b.emit(events.StudentOf(mat), scPresident, events.CreditsRecognised{Year: year, UE: ue, Basis: basis, Reason: reason})
}

func (b *scBuilder) ue(code string) catalog.UE {
	u, ok := b.cat.UE(code)
	if !ok {
		b.tb.Fatalf("no UE %s in the shipped catalog", code)
	}
	return u
}

func scEntry(v string) events.Entry {
	if v != "" && v[0] >= 'A' && v[0] <= 'Z' {
		return events.Entry{Code: v}
	}
	m, err := rules.ParseMark(v)
	if err != nil {
		panic(err)
	}
	return events.Entry{Mark: m.String()}
}

// scActorFor is who records v on ue: the secretariat sets CM, FR and DISP, the jury
// VAL, the UE's teacher marks and the other codes.
func scActorFor(ue, v string) events.Actor {
	switch v {
	case "CM", "FR", "DISP":
		return scSecretariat
	case "VAL":
		return scPresident
	}
	return scTeacher(ue)
}

// activity names the activity a single value of ue is recorded on: none
// for an integrated UE or a UE-level code (DISP, VAL), else the UE's only
// activity.
func (b *scBuilder) activity(u catalog.UE, v string) string {
	if u.Integrated || v == "DISP" || v == "VAL" {
		return ""
	}
	if len(u.Activities) != 1 {
		b.tb.Fatalf("UE %s has %d activities: give one value per activity", u.Code, len(u.Activities))
	}
	return u.Activities[0].Title
}

// marks records a student's results at one session: "1/4=14" (the only
// activity), "1/8=9.5" (an integrated UE), "1/13=DISP" (a UE-level code),
// "1/9=11|8.5" (one value per activity, in catalog order).
func (b *scBuilder) marks(year string, s catalog.Session, mat string, specs ...string) {
	b.tb.Helper()
	for _, spec := range specs {
		code, val, _ := strings.Cut(spec, "=")
		u := b.ue(code)
		sheet := events.SheetOf(year, string(s), code)
		parts := strings.Split(val, "|")
		if len(parts) == 1 {
			b.emit(sheet, scActorFor(code, val), events.MarkRecorded{Student: mat, Activity: b.activity(u, val), Entry: scEntry(val), Source: "form"})
			continue
		}
		if len(parts) != len(u.Activities) || u.Integrated {
			b.tb.Fatalf("%s: UE %s takes %d activity values", spec, code, len(u.Activities))
		}
		for i, p := range parts {
			if p == "" {
				continue
			}
			b.emit(sheet, scActorFor(code, p), events.MarkRecorded{Student: mat, Activity: u.Activities[i].Title, Entry: scEntry(p), Source: "xlsx"})
		}
	}
}

// carry records the carry-over of activity i of ue from an earlier session.
func (b *scBuilder) carry(year string, s catalog.Session, mat, ue string, i int, mark string, from catalog.Session) {
	u := b.ue(ue)
	b.emit(events.SheetOf(year, string(s), ue), scTeacher(ue), events.MarkCarriedOver{Student: mat,
		Activity: u.Activities[i].Title, Mark: mark, FromSession: string(from)})
}

// correct replaces a result: activity is -1 for the UE-level result.
func (b *scBuilder) correct(year string, s catalog.Session, mat, ue string, activity int, prev, next, reason string, actor events.Actor, authorisedBy string) {
	var title string
	if activity >= 0 {
		title = b.ue(ue).Activities[activity].Title
	} else {
		title = b.activity(b.ue(ue), prev)
	}
	b.emit(events.SheetOf(year, string(s), ue), actor, events.MarkCorrected{Student: mat, Activity: title,
		Previous: scEntry(prev), Entry: scEntry(next), Reason: reason, AuthorisedBy: authorisedBy, Source: "form"})
}

func (b *scBuilder) submit(year string, s catalog.Session, missing int, ues ...string) {
	for _, ue := range ues {
		b.emit(events.SheetOf(year, string(s), ue), scTeacher(ue), events.SheetSubmitted{Missing: missing})
	}
}

func (b *scBuilder) reopen(year string, s catalog.Session, ue, reason string) {
	b.emit(events.SheetOf(year, string(s), ue), scSecretariat, events.SheetReopened{Reason: reason})
}

// jury constitutes the jury of the cycle for year: six members of both
// institutions, a president and a secretary.
func (b *scBuilder) jury(year string) {
	b.emit(events.JuryOf(scMIAS, year), scSecretariat, events.JuryConstituted{Programme: scMIAS, Year: year,
		President: "jury.president", Secretary: "jury.secretary", Members: []events.JuryMember{
			{ID: "jury.president", Name: "A. Lenoir", Institution: "HELMo", Teaches: []string{"1/8", "2/9"}},
			{ID: "jury.secretary", Name: "B. Marchal", Institution: "HEPL", Teaches: []string{"1/9"}},
			{ID: "prof.1-10", Name: "C. Jacquet", Institution: "HELMo", Teaches: []string{"1/10", "2/10"}},
			{ID: "prof.1-12", Name: "D. Colson", Institution: "HEPL", Teaches: []string{"1/11", "1/12"}},
			{ID: "prof.2-1", Name: "E. Servais", Institution: "HELMo", Teaches: []string{"2/1", "2/6"}},
			{ID: "prof.1-4", Name: "F. Delhez", Institution: "HEPL", Teaches: []string{"1/4", "1/5", "1/6"}},
		}})
}

func (b *scBuilder) openDeliberation(year string, s catalog.Session) {
	b.emit(events.DeliberationOf(scMIAS, year, string(s)), scPresident, events.DeliberationOpened{Programme: scMIAS, Year: year,
		Session: string(s), MembersPresent: []string{"jury.president", "jury.secretary", "prof.1-10", "prof.1-12", "prof.1-4"},
		Quorum: events.Quorum{Required: 4, Present: 5, Met: true}})
}

// decide records the jury's decision on mat, naming the student's record
// as it stands.
func (b *scBuilder) decide(year string, s catalog.Session, d events.DecisionRecorded) uuid.UUID {
	d.RecordVersion = b.about[d.Student]
	return b.emit(events.DeliberationOf(scMIAS, year, string(s)), scPresident, d)
}

func (b *scBuilder) closeDeliberation(year string, s catalog.Session, decisions int, published string) {
	agg := events.DeliberationOf(scMIAS, year, string(s))
	b.emit(agg, scPresident, events.DeliberationClosed{Decisions: decisions})
	at, err := time.Parse("2006-01-02 15:04", published)
	if err != nil {
		b.tb.Fatal(err)
	}
	b.emit(agg, scSecretariat, events.ResultsPublished{At: at.UTC()})
}

func scGrant(ue, mark, basis, motivation string) events.CreditGrant {
	return events.CreditGrant{UE: ue, Mark: mark, Granted: true, Basis: basis, Motivation: motivation}
}

func scRefuse(ue, mark, basis, motivation string) events.CreditGrant {
	return events.CreditGrant{UE: ue, Mark: mark, Granted: false, Basis: basis, Motivation: motivation}
}

const (
	scQ1 = catalog.Q1
	scQ2 = catalog.Q2
	scQ3 = catalog.Q3
)

// scIntegratedAndWeighted: integrated UEs 1/8 and 1/10 take one mark, rounded
// to the ruleset's ue_mark precision (0 decimals, half-up: 9.5 -> 10,
// 9.4 -> 9, 10.5 -> 11); 1/9 is the mean of its activities weighted by
// hours; single-activity UEs take their activity's mark.
func scIntegratedAndWeighted(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250001", "Amélie", "Dubois", "bachelier assistant social", true)
	b.student("HE250002", "Bruno", "Lejeune", "bachelier en communication", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250001", scY1, scBloc1)
	b.pae("HE250002", scY1, []string{"1/4", "1/8", "1/9", "1/10"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250001", "1/4=14", "1/5=9.5", "1/6=12", "1/7=15", "1/8=9.5", "1/13=11", "1/14=13")
	b.marks(scY1, scQ1, "HE250002", "1/4=12", "1/8=9.4")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/4", "1/8")

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250001", "1/9=11|8.5", "1/10=13.5", "1/11=12", "1/12=16")
	b.marks(scY1, scQ2, "HE250002", "1/8=11", "1/9=14|6", "1/10=10.5")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/8", "1/9", "1/10")
}

// scRulesetVariants: a ruleset variant where UE 1/9 is "absorbing" with
// weights 50/50, carry-over keeps the best mark of a re-sat activity, and
// UE marks are rounded down (9.5 is then a fail).
func scRulesetVariants(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.publish(scDocuments(b.tb, scY1, func(_ *catalog.Catalog, rs *rules.Ruleset) {
		rs.Aggregation.Overrides = []rules.Override{{UE: "1/9", Method: rules.Absorbing, Weights: []rules.Weight{
			{Activity: "Méthodologies", Weight: 50}, {Activity: "Travaux pratiques", Weight: 50}}}}
		rs.CarryOver.Keep = rules.Best
		rs.UEPrecision.Rounding = rules.Down
	}))
	b.at("2025-09-15 09:00")
	b.student("HE250015", "Chloé", "Martin", "bachelier éducateur spécialisé", true)
	b.student("HE250016", "David", "Renard", "bachelier assistant social", true)
	b.student("HE250019", "Emile", "Laurent", "bachelier en sciences de l'éducation", true)
	b.at("2025-10-20 10:00")
	annual := []string{"1/9", "1/10", "1/11", "1/12"}
	b.pae("HE250015", scY1, annual)
	b.pae("HE250016", scY1, annual)
	b.pae("HE250019", scY1, annual)

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250015", "1/9=14|8", "1/10=12", "1/11=13", "1/12=12")
	b.marks(scY1, scQ2, "HE250016", "1/9=10|16", "1/10=11", "1/11=12", "1/12=13")
	b.marks(scY1, scQ2, "HE250019", "1/9=10|10.5", "1/10=9.5", "1/11=12.5", "1/12=14")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/9", "1/10", "1/11", "1/12")

	b.at("2026-08-24 10:00")
	b.carry(scY1, scQ3, "HE250015", "1/9", 0, "14", scQ2)
	b.marks(scY1, scQ3, "HE250015", "1/9=|7")
	b.at("2026-09-07 17:00")
	b.submit(scY1, scQ3, 0, "1/9")
}

// scCarryOver: 1/9 failed in Q2 with Méthodologies >= 10 carried to Q3, where
// only Travaux pratiques is re-sat and the UE passes; 1/10 passed in Q2 is
// not on the Q3 sheet; 1/7 presented in Q1 and Q2 has used its two
// presentations and is not on the Q3 sheet either.
func scCarryOver(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250003", "Claire", "Lambert", "bachelier assistant social", true)
	b.student("HE250004", "Denis", "Moreau", "bachelier en psychologie", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250003", scY1, []string{"1/4", "1/6", "1/9", "1/10"})
	b.pae("HE250004", scY1, []string{"1/7", "1/9", "1/11", "1/12"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250003", "1/4=8", "1/6=13")
	b.marks(scY1, scQ1, "HE250004", "1/7=6")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/4", "1/6", "1/7")

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250003", "1/4=12", "1/9=13|6", "1/10=15")
	b.marks(scY1, scQ2, "HE250004", "1/7=7", "1/9=8|12", "1/11=14", "1/12=7")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/4", "1/7", "1/9", "1/10", "1/11", "1/12")

	b.at("2026-08-24 10:00")
	b.carry(scY1, scQ3, "HE250003", "1/9", 0, "13", scQ2)
	b.marks(scY1, scQ3, "HE250003", "1/9=|11")
	b.marks(scY1, scQ3, "HE250004", "1/12=9")
	b.at("2026-09-07 17:00")
	b.submit(scY1, scQ3, 0, "1/9", "1/12")
}

// scCodes: ABS, CM, PP, FR (0 for the evaluation), DISP and VAL at UE level,
// and codes on one activity of 1/9.
func scCodes(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250005", "Emma", "Petit", "bachelier assistant social", true)
	b.student("HE250006", "Fabien", "Roux", "bachelier en droit", true)
	b.student("HE250007", "Gaëlle", "Simon", "bachelier en gestion des ressources humaines", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250005", scY1, []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/13", "1/14"})
	b.pae("HE250006", scY1, []string{"1/8", "1/9"})
	b.pae("HE250007", scY1, []string{"1/9", "1/10"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250005", "1/4=ABS", "1/5=CM", "1/6=PP", "1/7=FR", "1/8=CM", "1/13=DISP", "1/14=0")
	b.marks(scY1, scQ1, "HE250006", "1/8=FR")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/4", "1/5", "1/6", "1/7", "1/8", "1/13", "1/14")

	b.at("2026-06-15 10:00")
	b.emit(events.SheetOf(scY1, string(scQ2), "1/5"), scSecretariat, events.DeadlineExtended{Student: "HE250005",
		Until: time.Date(2026, 7, 10, 23, 59, 59, 0, time.UTC), Reason: "examen reporté (certificat médical en janvier)"})
	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250005", "1/4=11", "1/8=12", "1/9=ABS|14", "1/10=VAL")
	b.marks(scY1, scQ2, "HE250006", "1/8=13", "1/9=FR|15")
	b.marks(scY1, scQ2, "HE250007", "1/9=DISP|12", "1/10=PP")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/4", "1/8", "1/9", "1/10")
	b.at("2026-06-30 11:00")
	b.reopen(scY1, scQ2, "1/10", "certificat médical reçu pour l'épreuve de 1/10")
	b.correct(scY1, scQ2, "HE250007", "1/10", -1, "PP", "CM", "certificat médical reçu", scSecretariat, "sec.martin")
	b.submit(scY1, scQ2, 0, "1/10")

	b.at("2026-08-24 10:00")
	b.carry(scY1, scQ3, "HE250006", "1/9", 1, "15", scQ2)
	b.marks(scY1, scQ3, "HE250006", "1/9=ABS|")
	b.at("2026-09-07 17:00")
	b.submit(scY1, scQ3, 0, "1/9")
}

// scCorrectionsAndAppeals: corrections before submission and after a
// reopening, an activity correction on 1/9, a Q2 decision, an appeal upheld
// on 1/10, the mark corrected by the jury, and a new decision superseding
// the first, which stays on the record.
func scCorrectionsAndAppeals(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.jury(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250008", "Hugo", "Fontaine", "bachelier assistant social", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250008", scY1, []string{"1/4", "1/8", "1/9", "1/10", "1/11", "1/12"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250008", "1/4=8", "1/8=11")
	b.correct(scY1, scQ1, "HE250008", "1/4", -1, "8", "12", "erreur matérielle: copie mal reportée", scTeacher("1/4"), "sec.martin")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/4", "1/8")
	b.at("2026-02-03 09:00")
	b.reopen(scY1, scQ1, "1/8", "double encodage discordant")
	b.correct(scY1, scQ1, "HE250008", "1/8", -1, "11", "11.5", "double encodage: la seconde saisie fait foi", scTeacher("1/8"), "sec.martin")
	b.submit(scY1, scQ1, 0, "1/8")

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250008", "1/9=12|5", "1/10=6", "1/11=13", "1/12=12")
	b.correct(scY1, scQ2, "HE250008", "1/9", 1, "5", "7", "double encodage: la seconde saisie fait foi", scTeacher("1/9"), "sec.martin")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/9", "1/10", "1/11", "1/12")

	b.at("2026-07-01 09:00")
	b.openDeliberation(scY1, scQ2)
	first := b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250008", Outcome: "ajourne", Proposed: "ajourne",
		Motivation: "deux UE en échec (18 crédits): seconde session"})
	b.closeDeliberation(scY1, scQ2, 1, "2026-07-03 09:00")

	b.at("2026-07-06 10:00")
	student := events.Actor{ID: "HE250008", Roles: []string{"student"}}
	appeal := b.emit(events.DeliberationOf(scMIAS, scY1, string(scQ2)), student, events.AppealFiled{Student: "HE250008", UE: "1/10",
		Grounds: "examen oral de 1/10 écourté de moitié"})
	b.at("2026-07-08 14:00")
	b.emit(events.DeliberationOf(scMIAS, scY1, string(scQ2)), scPresident, events.AppealDecided{Student: "HE250008",
		Appeal: appeal.String(), Upheld: true, Motivation: "irrégularité établie: l'épreuve est réévaluée"})
	b.at("2026-07-10 10:00")
	b.reopen(scY1, scQ2, "1/10", "recours fondé")
	b.correct(scY1, scQ2, "HE250008", "1/10", -1, "6", "10", "recours fondé: épreuve réévaluée", scPresident, "jury.president")
	b.submit(scY1, scQ2, 0, "1/10")
	b.at("2026-07-13 09:00")
	b.emit(events.DeliberationOf(scMIAS, scY1, string(scQ2)), scPresident, events.DecisionSuperseded{Student: "HE250008",
		Decision: first.String(), Reason: "recours fondé sur l'UE 1/10"})
	b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250008", Outcome: "year-passed", Proposed: "ajourne",
		Supersedes: first.String(), Motivation: "nouvelle délibération après recours",
		Grants: []events.CreditGrant{scGrant("1/9", "9", "critères publiés", "déficit de 1 point, 9 crédits en échec, moyenne 11,05")}})
}

// scDeliberation: a UE below 10 granted by the jury (acquired, basis granted,
// the real mark kept), a student ajourné after Q2 who re-sits in Q3, and a
// grant refused with a motivation.
func scDeliberation(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.jury(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250009", "Inès", "Gilles", "bachelier assistant social", true)
	b.student("HE250010", "Julien", "Henry", "bachelier en sciences politiques", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250009", scY1, scBloc1)
	b.pae("HE250010", scY1, []string{"1/4", "1/8", "1/9", "1/10", "1/11", "1/12"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250009", "1/4=13", "1/5=12", "1/7=14", "1/8=12", "1/13=11", "1/14=10")
	b.marks(scY1, scQ1, "HE250010", "1/4=11", "1/8=7")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/4", "1/5", "1/7", "1/8", "1/13", "1/14")

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250009", "1/6=8.5", "1/9=12|11", "1/10=13", "1/11=12", "1/12=14")
	b.marks(scY1, scQ2, "HE250010", "1/9=9|8", "1/10=7", "1/11=12", "1/12=13")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/6", "1/9", "1/10", "1/11", "1/12")

	b.at("2026-07-01 09:00")
	b.openDeliberation(scY1, scQ2)
	b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250009", Outcome: "year-passed", Proposed: "ajourne",
		Motivation: "1/6 délibérée", Grants: []events.CreditGrant{
			scGrant("1/6", "9", "critères publiés", "déficit de 1 point, 4 crédits en échec, moyenne 12,17")}})
	b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250010", Outcome: "ajourne", Proposed: "ajourne",
		Motivation: "27 crédits non acquis: seconde session"})
	b.closeDeliberation(scY1, scQ2, 2, "2026-07-03 09:00")

	b.at("2026-08-24 10:00")
	b.marks(scY1, scQ3, "HE250010", "1/8=12", "1/9=10|11", "1/10=8.5")
	b.at("2026-09-07 17:00")
	b.submit(scY1, scQ3, 0, "1/8", "1/9", "1/10")

	b.at("2026-09-09 09:00")
	b.openDeliberation(scY1, scQ3)
	b.decide(scY1, scQ3, events.DecisionRecorded{Student: "HE250010", Outcome: "year-closed", Proposed: "year-closed",
		Motivation: "1/10 non délibérée: projet non abouti", Grants: []events.CreditGrant{
			scRefuse("1/10", "9", "critères publiés", "le projet n'est pas abouti; l'UE est à représenter")}})
	b.closeDeliberation(scY1, scQ3, 1, "2026-09-11 09:00")
}

// scRecognitionAndComplements: prior credits recognised (before the PAE, and
// during the year with the PAE amended), admission complements 1/1-1/3 for
// a student without a matching bachelor (1/3 (q) eligible), and 1/1-1/2
// only for one with a bachelor.
func scRecognitionAndComplements(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250011", "Karim", "Benali", "bachelier en sciences humaines (hors titre d'adéquation)", false, "1/1", "1/2", "1/3")
	b.student("HE250012", "Laura", "Collin", "bachelier assistant social (titre d'adéquation partiel)", true, "1/1", "1/2")
	b.at("2025-10-01 10:00")
	b.recognise("HE250011", scY1, "1/13", "VAE", "expérience professionnelle en droit associatif")
	b.at("2025-10-20 10:00")
	b.pae("HE250011", scY1, []string{"1/1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/14"})
	b.pae("HE250012", scY1, []string{"1/1", "1/2", "1/4", "1/5"})
	b.at("2025-11-15 10:00")
	b.recognise("HE250012", scY1, "1/4", "études antérieures", "UE réussie dans un autre master (ULiège)")
	b.emit(events.StudentOf("HE250012"), scSecretariat, events.PAEAmended{Year: scY1, Added: []string{"1/6"},
		Removed: []string{"1/4"}, Reason: "1/4 valorisée, remplacée par 1/6"})

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250011", "1/1=12", "1/2=9", "1/3=14", "1/4=11", "1/5=13", "1/6=10", "1/7=12", "1/8=15", "1/14=11")
	b.marks(scY1, scQ1, "HE250012", "1/1=11", "1/2=13", "1/5=12", "1/6=9.5")
	b.at("2026-02-02 17:00")
	b.submit(scY1, scQ1, 0, "1/1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/14")

	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250011", "1/2=10")
	b.at("2026-06-29 17:00")
	b.submit(scY1, scQ2, 0, "1/2")
}

// scWithPrerequisites is a catalog variant that declares prerequisites the
// shipped sheet does not: 2/7 needs 1/14 (its part 1), 2/10 needs the
// bloc 1 internship, 2/9 a nested expression.
func scWithPrerequisites(tb testing.TB, year string) (*catalog.Catalog, *rules.Ruleset) {
	return scDocuments(tb, year, func(cat *catalog.Catalog, _ *rules.Ruleset) {
		for code, expr := range map[string]string{"2/7": "1/14", "2/9": "1/9 AND (1/10 OR 1/8)", "2/10": "1/12"} {
			r, err := catalog.ParseRequisite(expr)
			if err != nil {
				tb.Fatal(err)
			}
			for i := range cat.UEs {
				if cat.UEs[i].Code == code {
					cat.UEs[i].Prerequisites = r
				}
			}
		}
	})
}

// scPrerequisites: over two years, a student missing prerequisites (not
// waivable: more than 60 credits left) and one at the end of the cycle
// whose year-2 PAE carries a waiver.
func scPrerequisites(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.publish(scWithPrerequisites(b.tb, scY1))
	b.jury(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250013", "Marc", "Delvaux", "bachelier assistant social", true)
	b.student("HE250014", "Nadia", "Wauters", "bachelier assistant social", true)
	b.at("2025-10-01 10:00")
	for _, ue := range []string{"2/1", "2/4", "2/8"} {
		b.recognise("HE250014", scY1, ue, "VAE", "dix ans de direction d'un service social")
	}
	b.at("2025-10-20 10:00")
	b.pae("HE250013", scY1, scBloc1)
	b.pae("HE250014", scY1, scBloc1)

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250013", "1/4=12", "1/5=11", "1/6=13", "1/7=10", "1/8=12", "1/13=14", "1/14=11")
	b.marks(scY1, scQ1, "HE250014", "1/4=15", "1/5=14", "1/6=16", "1/7=13", "1/8=14", "1/13=15", "1/14=12")
	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250013", "1/9=7|8", "1/10=12", "1/11=13", "1/12=8")
	b.marks(scY1, scQ2, "HE250014", "1/9=14|13", "1/10=15", "1/11=16", "1/12=8")
	b.at("2026-08-24 10:00")
	b.marks(scY1, scQ3, "HE250013", "1/9=8|9", "1/12=7")
	b.marks(scY1, scQ3, "HE250014", "1/12=9")
	b.at("2026-09-01 08:00")
	b.publish(scWithPrerequisites(b.tb, scY2))
	b.jury(scY2)
	b.at("2026-09-09 09:00")
	b.openDeliberation(scY1, scQ3)
	b.decide(scY1, scQ3, events.DecisionRecorded{Student: "HE250013", Outcome: "year-closed", Proposed: "year-closed",
		Motivation: "1/9 et 1/12 non acquises"})
	b.decide(scY1, scQ3, events.DecisionRecorded{Student: "HE250014", Outcome: "year-closed", Proposed: "year-closed",
		Motivation: "1/12 non acquise"})
	b.closeDeliberation(scY1, scQ3, 2, "2026-09-11 09:00")

	b.at("2026-10-20 10:00")
	b.pae("HE250013", scY2, []string{"1/9", "1/12", "2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8"})
	b.pae("HE250014", scY2, []string{"1/12", "2/2", "2/3", "2/5", "2/6", "2/7", "2/9", "2/10", "2/11"},
		events.Waiver{UE: "2/10", Prerequisite: "1/12", Reason: "fin de cycle: le stage de bloc 1 est repris la même année"})

	b.at("2027-01-25 14:00")
	b.marks(scY2, scQ1, "HE250013", "2/4=9", "2/5=8", "2/7=8", "2/8=6")
	b.marks(scY2, scQ1, "HE250014", "2/5=14", "2/7=13")
	b.at("2027-06-21 14:00")
	b.marks(scY2, scQ2, "HE250013", "1/9=10|10", "1/12=6", "2/1=11", "2/2=12", "2/3=9", "2/5=9", "2/6=7", "2/8=7")
	b.marks(scY2, scQ2, "HE250014", "1/12=12", "2/2=14", "2/3=13", "2/6=15", "2/9=16", "2/10=14", "2/11=15")
	b.at("2027-08-23 10:00")
	b.marks(scY2, scQ3, "HE250013", "1/12=8", "2/3=8", "2/4=9", "2/6=9", "2/7=9")
	b.at("2027-09-08 09:00")
	b.openDeliberation(scY2, scQ3)
	b.decide(scY2, scQ3, events.DecisionRecorded{Student: "HE250013", Outcome: "year-closed", Proposed: "year-closed",
		Motivation: "58 crédits acquis sur le cycle"})
	b.closeDeliberation(scY2, scQ3, 1, "2027-09-10 09:00")
}

// scEndOfCycle: two students complete the 120 credits in two years; the
// degree is conferred with the mention of the cycle average, one of them
// with a UE granted by the jury in year 2.
func scEndOfCycle(b *scBuilder) {
	b.at("2025-09-01 08:00")
	b.shipped(scY1)
	b.jury(scY1)
	b.at("2025-09-15 09:00")
	b.student("HE250017", "Olivia", "Lemaire", "bachelier assistant social", true)
	b.student("HE250018", "Pierre", "Lecomte", "bachelier éducateur spécialisé", true)
	b.at("2025-10-20 10:00")
	b.pae("HE250017", scY1, scBloc1)
	b.pae("HE250018", scY1, scBloc1)

	b.at("2026-01-26 14:00")
	b.marks(scY1, scQ1, "HE250017", "1/4=14", "1/5=15", "1/6=13", "1/7=16", "1/8=14", "1/13=15", "1/14=13")
	b.marks(scY1, scQ1, "HE250018", "1/4=12", "1/5=12", "1/6=12", "1/7=12", "1/8=12", "1/13=12", "1/14=12")
	b.at("2026-06-22 14:00")
	b.marks(scY1, scQ2, "HE250017", "1/9=15|14", "1/10=16", "1/11=15", "1/12=16")
	b.marks(scY1, scQ2, "HE250018", "1/9=12|12", "1/10=12", "1/11=12", "1/12=12")
	b.at("2026-07-01 09:00")
	b.openDeliberation(scY1, scQ2)
	b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250017", Outcome: "year-passed", Proposed: "year-passed"})
	b.decide(scY1, scQ2, events.DecisionRecorded{Student: "HE250018", Outcome: "year-passed", Proposed: "year-passed"})
	b.closeDeliberation(scY1, scQ2, 2, "2026-07-03 09:00")

	b.at("2026-09-01 08:00")
	b.shipped(scY2)
	b.jury(scY2)
	b.at("2026-10-20 10:00")
	b.pae("HE250017", scY2, scBloc2)
	b.pae("HE250018", scY2, scBloc2)
	b.at("2027-01-25 14:00")
	b.marks(scY2, scQ1, "HE250017", "2/4=15", "2/5=14", "2/7=13", "2/8=16")
	b.marks(scY2, scQ1, "HE250018", "2/4=12", "2/5=12", "2/7=12", "2/8=12")
	b.at("2027-06-21 14:00")
	b.marks(scY2, scQ2, "HE250017", "2/1=15", "2/2=14", "2/3=16", "2/6=14", "2/9=16", "2/10=15", "2/11=14")
	b.marks(scY2, scQ2, "HE250018", "2/1=12", "2/2=12", "2/3=9", "2/6=12", "2/9=13", "2/10=12", "2/11=12")
	b.at("2027-06-30 09:00")
	b.openDeliberation(scY2, scQ2)
	o := b.decide(scY2, scQ2, events.DecisionRecorded{Student: "HE250017", Outcome: "cycle-completed", Proposed: "cycle-completed",
		Mention: "distinction", Motivation: "cycle de 120 crédits, moyenne 14,91"})
	p := b.decide(scY2, scQ2, events.DecisionRecorded{Student: "HE250018", Outcome: "cycle-completed", Proposed: "ajourne",
		Mention: "satisfaction", Motivation: "2/3 délibérée; cycle de 120 crédits, moyenne 12,06",
		Grants: []events.CreditGrant{scGrant("2/3", "9", "critères publiés", "déficit de 1 point, 3 crédits en échec, moyenne 12,12")}})
	b.closeDeliberation(scY2, scQ2, 2, "2027-07-02 09:00")
	b.emit(events.StudentOf("HE250017"), scPresident, events.DegreeConferred{Programme: scMIAS, Year: scY2,
		Average: "14.91", Mention: "distinction", Decision: o.String()})
	b.emit(events.StudentOf("HE250018"), scPresident, events.DegreeConferred{Programme: scMIAS, Year: scY2,
		Average: "12.06", Mention: "satisfaction", Decision: p.String()})
}
