package projections

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/rules"
)

// Diff is what changed in a student's record between two bounds: the
// facts recorded in between (who, when, why) and the differences they
// made to the student's views.
type Diff struct {
	Student Identity `json:"student"`
	// From and To are the bounds as given, Records counting the student's
	// records each side was rebuilt from (as AsOf counts them; From's
	// taken within To).
	From AsOf `json:"from"`
	To   AsOf `json:"to"`
	// Position is the last log position the To side can hold: To's
	// position, or the live views' when To sets none (or a later one).
	// Asking again with it as To's position gives the same diff.
	Position uint64 `json:"position"`
	// Facts are the facts about the student recorded after From and at or
	// before To, in log order.
	Facts []HistoryEntry `json:"facts"`
	// Changes are the differences between the views at both bounds, in
	// the order of view, year, UE and what; each names the facts that
	// explain it.
	Changes []ViewChange `json:"changes"`
}

// ViewChange is one difference between a student's views at two bounds.
// (Change is a what-if's hypothetical result.)
type ViewChange struct {
	// View is "transcript <year>" or "ledger".
	View string `json:"view"`
	// Year and UE are what the change is about, when it is about one.
	Year string `json:"year,omitempty"`
	UE   string `json:"ue,omitempty"`
	// What names the value: "UE 1/12 Q2 mark", "UE 1/9 Q2 (Méthodologies)"
	// (an activity's result), "UE 1/12 status", "year average",
	// "decision Q2", "credits acquired bloc 1"…
	What string `json:"what"`
	// Before and After are the value at each bound, "" when absent.
	Before string `json:"before"`
	After  string `json:"after"`
	// Because are the positions of the facts (among Diff.Facts) that
	// explain the change; see Cohort.Diff for the rule.
	Because []uint64 `json:"because"`
}

// BoundsError says why two bounds do not make an interval: Field is the
// bound at fault (from_position or from), Value its value, and Rule names
// the bound it should not exceed. Callers answer it as invalid input.
type BoundsError struct {
	Field, Value, Rule string
	// Why is Rule as written, for its French (Why.In).
	Why i18n.Text
}

func (e *BoundsError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Rule)
}

// Diff compares matricule's views as of from and as of to, and lists the
// facts about the student recorded in between: those to admits and from
// does not.
//
// The bounds are eventlog.Until values. The zero to is now (the whole log,
// as the live cohort stands); the zero from is the beginning (nothing
// recorded yet), so that a diff from zero lists the whole record. When
// both bounds set a position, from's must not exceed to's; when both set
// an instant, likewise (a *BoundsError otherwise). A from bound whose
// fields to does not set (a position against an instant) is taken within
// to: the views at from are rebuilt under both bounds, so the facts listed
// are exactly what separates the two sides. An unknown student is a
// NotFoundError.
//
// Both sides are rebuilt from the log with AsOf, once per bound, and read
// with Transcript (every academic year the student has at either bound)
// and Ledger (the credit totals per bloc and over the cycle). A view or a
// value absent on one side reads "".
//
// Because names, for each change, the first non-empty set of facts of:
//   - a sitting's value (year Y, UE U, session S): the facts on the grade
//     sheet Y/S/U; the facts of Y naming U; the facts of Y;
//   - any other value of a UE: the facts of Y naming U; the facts of Y;
//   - a decision of session S: the decision and appeal facts of the
//     deliberation Y/S; those of Y; the facts of Y;
//   - the degree: the degree and decision facts of Y; the facts of Y;
//   - another value of a year (programme, credits, averages): the facts
//     of Y; the facts naming no year (registration, admission);
//   - a ledger total of bloc B: the facts naming a programme UE of bloc B
//     (the cycle: any programme UE); all the facts.
//
// A fact names the UEs of its sheet, of its PAE, of its recognition, of
// its appeal or granted by its decision (HistoryEntry.UEs). An empty
// Because says no fact about the student explains the change: a document
// (catalog, ruleset) published in between does.
func (c *Cohort) Diff(ctx context.Context, src Source, matricule string, from, to eventlog.Until) (Diff, error) {
	if err := diffBounds(from, to); err != nil {
		return Diff{}, err
	}
	// Pin "now" to the position the live cohort has reached, so that both
	// sides and the facts read the same records while the log grows.
	head := c.Position()
	upTo := to
	if upTo.Position == 0 || upTo.Position > head {
		upTo.Position = head
	}
	after, atTo, recs, err := c.asOf(ctx, src, matricule, upTo)
	if err != nil {
		return Diff{}, err
	}
	before, atFrom := NewCohort(), AsOf{}
	var within eventlog.Until
	if from != (eventlog.Until{}) {
		within = diffMeet(from, upTo)
		if before, atFrom, err = c.AsOf(ctx, src, matricule, within); err != nil {
			return Diff{}, err
		}
	}
	h, err := HistoryOf(matricule, recs, upTo, HistoryFilter{})
	if err != nil {
		return Diff{}, err
	}

	d := Diff{
		Student:  h.Student,
		From:     AsOf{Position: from.Position, Instant: from.Instant, Records: atFrom.Records},
		To:       AsOf{Position: to.Position, Instant: to.Instant, Records: atTo.Records},
		Position: upTo.Position,
		Facts:    []HistoryEntry{},
		Changes:  []ViewChange{},
	}
	for _, e := range h.Entries {
		if from == (eventlog.Until{}) || !within.Admits(e.Position, e.RecordedAt) {
			d.Facts = append(d.Facts, e)
		}
	}

	var was, is diffItems
	if err := was.read(before, matricule); err != nil {
		return Diff{}, err
	}
	if err := is.read(after, matricule); err != nil {
		return Diff{}, err
	}
	blocs := map[string]int{}
	for _, items := range []diffItems{was, is} {
		for ue, bloc := range items.blocs {
			blocs[ue] = bloc
		}
	}
	for k, it := range is.values {
		if old := was.values[k]; old.value != it.value {
			d.Changes = append(d.Changes, it.change(old.value, it.value, d.Facts, blocs))
		}
	}
	for k, it := range was.values {
		if _, ok := is.values[k]; !ok && it.value != "" {
			d.Changes = append(d.Changes, it.change(it.value, "", d.Facts, blocs))
		}
	}
	slices.SortFunc(d.Changes, func(a, b ViewChange) int {
		return cmp.Or(strings.Compare(a.View, b.View), strings.Compare(a.Year, b.Year), diffCompareUE(a.UE, b.UE), strings.Compare(a.What, b.What))
	})
	return d, nil
}

// diffBounds refuses a from bound past the to bound on a field both set.
func diffBounds(from, to eventlog.Until) error {
	if from.Position != 0 && to.Position != 0 && from.Position > to.Position {
		return boundsError("from_position", strconv.FormatUint(from.Position, 10),
			"the interval starts after it ends: from_position must not exceed to_position (%d)", to.Position)
	}
	if !from.Instant.IsZero() && !to.Instant.IsZero() && from.Instant.After(to.Instant) {
		return boundsError("from", from.Instant.Format(time.RFC3339),
			"the interval starts after it ends: from must not be later than to (%s)", instant(to.Instant))
	}
	return nil
}

// boundsError is the error of field and value whose rule format writes
// with args, a literal format that french.go translates.
func boundsError(field, value, format string, args ...any) *BoundsError {
	why := textf(format, args...)
	return &BoundsError{Field: field, Value: value, Rule: why.String(), Why: why}
}

// diffMeet is the bound admitting what both a and b admit.
func diffMeet(a, b eventlog.Until) eventlog.Until {
	out := a
	if b.Position != 0 && (out.Position == 0 || b.Position < out.Position) {
		out.Position = b.Position
	}
	if !b.Instant.IsZero() && (out.Instant.IsZero() || b.Instant.Before(out.Instant)) {
		out.Instant = b.Instant
	}
	return out
}

// diffCompareUE orders UE codes bloc first, then number ("1/9" < "1/10");
// codes of another form compare as strings, after those.
func diffCompareUE(a, b string) int {
	pa, oka := diffUEParts(a)
	pb, okb := diffUEParts(b)
	switch {
	case oka && okb:
		return cmp.Or(cmp.Compare(pa[0], pb[0]), cmp.Compare(pa[1], pb[1]))
	case oka != okb && a != "" && b != "":
		if oka {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func diffUEParts(code string) ([2]int, bool) {
	b, n, ok := strings.Cut(code, "/")
	if !ok {
		return [2]int{}, false
	}
	x, err1 := strconv.Atoi(b)
	y, err2 := strconv.Atoi(n)
	return [2]int{x, y}, err1 == nil && err2 == nil
}

// diffScope is what a compared value is about, to find the facts that
// explain its change.
type diffScope int

const (
	diffSitting  diffScope = iota // a UE's sitting at one session
	diffUE                        // a UE's value over the year
	diffDecision                  // the decision of one session
	diffDegree                    // the degree conferred in a year
	diffYear                      // a value of a year (credits, averages)
	diffBloc                      // a ledger total of one bloc
	diffCycle                     // a ledger total of the cycle
)

// diffItem is one compared value and what it is about.
type diffItem struct {
	view, year, ue, session, what string
	bloc                          int
	scope                         diffScope
	value                         string
}

// diffItems are the values of one side's views, by view and name.
type diffItems struct {
	values map[[2]string]diffItem
	// blocs gives the bloc of each programme UE the ledger counts.
	blocs map[string]int
}

// read flattens the transcripts of every year matricule has in p, and
// its ledger's totals; views p cannot answer (the student not registered
// yet, a year without documents) are absent.
func (d *diffItems) read(p *Cohort, matricule string) error {
	d.values, d.blocs = map[[2]string]diffItem{}, map[string]int{}
	for _, year := range p.diffYears(matricule) {
		t, err := p.Transcript(matricule, year)
		if diffAbsent(err) {
			continue
		}
		if err != nil {
			return err
		}
		d.transcript(t)
	}
	l, err := p.Ledger(matricule)
	if diffAbsent(err) {
		return nil
	}
	if err != nil {
		return err
	}
	d.ledger(l)
	return nil
}

func diffAbsent(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// diffYears lists the academic years matricule has results, a
// programme, a recognition, a decision or a degree in.
func (c *Cohort) diffYears(matricule string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := c.students[matricule]
	if s == nil {
		return nil
	}
	var years []string
	for _, y := range s.Years {
		years = append(years, y.Year)
	}
	for _, r := range s.Recognised {
		years = append(years, r.Year)
	}
	for _, dec := range s.Decisions {
		years = append(years, dec.Year)
	}
	if s.Degree != nil {
		years = append(years, s.Degree.Year)
	}
	slices.Sort(years)
	return slices.Compact(years)
}

func (d *diffItems) put(it diffItem) {
	d.values[[2]string{it.view, it.what}] = it
}

func (d *diffItems) transcript(t Transcript) {
	view := "transcript " + t.Year
	year := func(what, value string, sc diffScope) {
		d.put(diffItem{view: view, year: t.Year, what: what, scope: sc, value: value})
	}
	year("programme", t.Programme, diffYear)
	for _, cr := range []struct {
		what string
		n    int
	}{
		{"enrolled", t.Credits.Enrolled}, {"acquired", t.Credits.Acquired}, {"by mark", t.Credits.ByMark},
		{"deliberated", t.Credits.Deliberated}, {"recognised", t.Credits.Recognised}, {"remaining", t.Credits.Remaining},
	} {
		year("credits "+cr.what, strconv.Itoa(cr.n), diffYear)
	}
	year("year average", diffAverage(t.YearAverage), diffYear)
	year("cycle average", diffAverage(t.CycleAverage), diffYear)
	if g := t.Degree; g != nil {
		year("degree", strings.TrimSpace(g.Average.String()+" "+g.Mention), diffDegree)
	}
	bySession := map[string][]Decision{}
	for _, dec := range t.Decisions {
		bySession[dec.Session] = append(bySession[dec.Session], dec)
	}
	for session, decs := range bySession {
		d.put(diffItem{view: view, year: t.Year, session: session, what: "decision " + session,
			scope: diffDecision, value: diffDecisions(decs)})
	}
	for _, u := range t.UEs {
		ue := func(what, value string) {
			d.put(diffItem{view: view, year: t.Year, ue: u.Code, what: "UE " + u.Code + " " + what, scope: diffUE, value: value})
		}
		ue("credits", strconv.Itoa(u.Credits))
		ue("mark", diffMark(u.Mark))
		ue("status", string(u.Status))
		ue("basis", string(u.Basis))
		ue("acquired in", u.AcquiredIn)
		for _, s := range u.Sessions {
			sitting := func(what, value string) {
				d.put(diffItem{view: view, year: t.Year, ue: u.Code, session: s.Session,
					what: "UE " + u.Code + " " + s.Session + " " + what, scope: diffSitting, value: value})
			}
			sitting("result", s.Result)
			sitting("mark", diffMark(s.Mark))
			sitting("code", s.Code)
			sitting("missing", strings.Join(s.Missing, ", "))
			for _, a := range s.Activities {
				v := a.Result
				if a.CarriedFrom != "" {
					v += " (carried from " + a.CarriedFrom + ")"
				}
				sitting("("+a.Activity+")", v)
			}
		}
	}
}

func (d *diffItems) ledger(l Ledger) {
	for _, u := range l.UEs {
		d.blocs[u.Code] = u.Bloc
	}
	totals := func(c Credits, where string, sc diffScope) {
		for _, cr := range []struct {
			what string
			n    int
		}{
			{"total", c.Total}, {"acquired", c.Acquired}, {"by mark", c.ByMark},
			{"deliberated", c.Deliberated}, {"recognised", c.Recognised}, {"remaining", c.Remaining},
		} {
			d.put(diffItem{view: "ledger", bloc: c.Bloc, what: "credits " + cr.what + " " + where, scope: sc, value: strconv.Itoa(cr.n)})
		}
	}
	for _, b := range l.Blocs {
		totals(b, "bloc "+strconv.Itoa(b.Bloc), diffBloc)
	}
	totals(l.Cycle, "cycle", diffCycle)
}

func diffMark(m *rules.Mark) string {
	if m == nil {
		return ""
	}
	return m.String()
}

func diffAverage(a *Average) string {
	if a == nil {
		return ""
	}
	return fmt.Sprintf("%s over %d credits", a.Mark, a.Credits)
}

// diffDecisions is the decision in force of one session: outcome,
// mention, credits granted and its id; or, when every decision of the
// session was superseded, that none is in force.
func diffDecisions(decs []Decision) string {
	var out []string
	for _, dec := range decs {
		if dec.Superseded {
			continue
		}
		s := dec.Outcome
		if dec.Mention != "" {
			s += "; mention " + dec.Mention
		}
		if len(dec.Granted) > 0 {
			s += "; granted " + strings.Join(dec.Granted, ", ")
		}
		out = append(out, s+" (decision "+dec.ID+")")
	}
	if len(out) == 0 {
		return "none in force"
	}
	return strings.Join(out, " | ")
}

// change is the ViewChange of it from before to after, with the facts
// that explain it.
func (it diffItem) change(before, after string, facts []HistoryEntry, blocs map[string]int) ViewChange {
	return ViewChange{View: it.view, Year: it.year, UE: it.ue, What: it.what, Before: before, After: after,
		Because: diffBecause(it, facts, blocs)}
}

// diffBecause applies the rule documented on Cohort.Diff: the first of the
// scope's tests, narrowest first, that some fact passes.
func diffBecause(it diffItem, facts []HistoryEntry, blocs map[string]int) []uint64 {
	ofYear := func(e HistoryEntry) bool { return e.Year == it.year }
	namesUE := func(e HistoryEntry) bool { return ofYear(e) && slices.Contains(e.UEs, it.ue) }
	jury := func(e HistoryEntry) bool {
		family, _, _ := strings.Cut(e.Type, ".")
		return ofYear(e) && (family == "decision" || family == "appeal")
	}
	var tests []func(HistoryEntry) bool
	switch it.scope {
	case diffSitting:
		onSheet := func(e HistoryEntry) bool {
			return e.Aggregate == string(events.SheetOf(it.year, it.session, it.ue))
		}
		tests = append(tests, onSheet, namesUE, ofYear)
	case diffUE:
		tests = append(tests, namesUE, ofYear)
	case diffDecision:
		ofSession := func(e HistoryEntry) bool {
			t := events.AggregateID(e.Aggregate).Tokens()
			return jury(e) && events.AggregateID(e.Aggregate).Kind() == events.KindDeliberation && len(t) == 3 && t[2] == it.session
		}
		tests = append(tests, ofSession, jury, ofYear)
	case diffDegree:
		degree := func(e HistoryEntry) bool {
			family, _, _ := strings.Cut(e.Type, ".")
			return ofYear(e) && (family == "degree" || family == "decision")
		}
		tests = append(tests, degree, ofYear)
	case diffYear:
		tests = append(tests, ofYear, func(e HistoryEntry) bool { return e.Year == "" })
	case diffBloc, diffCycle:
		counted := func(e HistoryEntry) bool {
			return slices.ContainsFunc(e.UEs, func(ue string) bool {
				b, ok := blocs[ue]
				return ok && (it.scope == diffCycle || b == it.bloc)
			})
		}
		tests = append(tests, counted, func(HistoryEntry) bool { return true })
	}
	for _, test := range tests {
		out := []uint64{}
		for _, e := range facts {
			if test(e) {
				out = append(out, e.Position)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []uint64{}
}
