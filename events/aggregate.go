package events

import (
	"fmt"
	"strings"
)

// AggregateID names one consistency boundary: the unit a command handler
// loads, decides on and appends to with an expectation. Its canonical form
// is dot-separated tokens, kind first ("student.HE123456",
// "sheet.2025-2026.Q1.1/8"). The event log maps it to a JetStream subject
// or an EventStoreDB stream; see docs/adr/0001-aggregates-and-subjects.md.
type AggregateID string

// Aggregate kinds. A kind is part of every stored subject: never rename one.
const (
	KindCatalog      = "catalog"      // programme catalog and ruleset of a year
	KindCalendar     = "calendar"     // sessions of a year
	KindJury         = "jury"         // a jury per programme and year
	KindStudent      = "student"      // a student's path: registration, PAE, recognitions, degree
	KindSheet        = "sheet"        // a grade sheet: one UE in one session of one year
	KindDeliberation = "deliberation" // a jury's deliberation of one session
	KindSecurity     = "security"     // refused attempts, per day
)

// Kind returns the aggregate's kind, its first token.
func (a AggregateID) Kind() string {
	k, _, _ := strings.Cut(string(a), ".")
	return k
}

// Tokens returns the aggregate's tokens after the kind.
func (a AggregateID) Tokens() []string {
	t := strings.Split(string(a), ".")
	return t[1:]
}

func (a AggregateID) String() string { return string(a) }

// Validate checks the canonical form: a known kind, then tokens made of
// letters, digits and - _ / : (no dots, spaces or wildcards).
func (a AggregateID) Validate() error {
	t := strings.Split(string(a), ".")
	switch t[0] {
	case KindCatalog, KindCalendar, KindJury, KindStudent, KindSheet, KindDeliberation, KindSecurity:
	default:
		return fmt.Errorf("aggregate %q: unknown kind %q", string(a), t[0])
	}
	if len(t) < 2 {
		return fmt.Errorf("aggregate %q: kind %q needs an identifier", string(a), t[0])
	}
	for _, tok := range t[1:] {
		if err := validToken(tok); err != nil {
			return fmt.Errorf("aggregate %q: %w", string(a), err)
		}
	}
	return nil
}

func validToken(tok string) error {
	if tok == "" {
		return fmt.Errorf("empty token")
	}
	for _, r := range tok {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '/' || r == ':'
		if !ok {
			return fmt.Errorf("token %q: character %q is not allowed (letters, digits, - _ / : only)", tok, r)
		}
	}
	return nil
}

func agg(kind string, tokens ...string) AggregateID {
	return AggregateID(kind + "." + strings.Join(tokens, "."))
}

// CatalogOf is the aggregate holding the catalog and ruleset of a year.
func CatalogOf(year string) AggregateID { return agg(KindCatalog, year) }

// CalendarOf is the aggregate holding the sessions of a year.
func CalendarOf(year string) AggregateID { return agg(KindCalendar, year) }

// JuryOf is the aggregate of a programme's jury for a year.
func JuryOf(programme, year string) AggregateID { return agg(KindJury, programme, year) }

// StudentOf is the aggregate of one student's path.
func StudentOf(matricule string) AggregateID { return agg(KindStudent, matricule) }

// SheetOf is the grade sheet of one UE in one session of a year.
func SheetOf(year, session, ue string) AggregateID { return agg(KindSheet, year, session, ue) }

// DeliberationOf is the deliberation of one session of a programme's year.
func DeliberationOf(programme, year, session string) AggregateID {
	return agg(KindDeliberation, programme, year, session)
}

// SecurityOf is the aggregate of refused attempts recorded on one day
// (YYYY-MM-DD, UTC).
func SecurityOf(day string) AggregateID { return agg(KindSecurity, day) }
