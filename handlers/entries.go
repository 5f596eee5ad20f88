package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/i18n"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

// EntryInput is one value to record on a grade sheet.
type EntryInput struct {
	Student string `json:"student"`
	// Activity is the column: "" for the UE mark (integrated or
	// single-activity UEs, or a UE-level code), else an activity title.
	Activity string `json:"activity,omitempty"`
	// Value is a mark ("12,5" or "12.5") or a code, as typed: codes are
	// read regardless of case and surrounding spaces. "" clears the entry.
	Value string `json:"value"`
	// Version is the version of the entry the writer saw (0: the slot was
	// empty). A write based on an older version is refused with the
	// current entry (If-Match).
	Version *uint64 `json:"version,omitempty"`
	// Reason and AuthorisedBy document a correction; a correction on a
	// sheet submitted once needs a reason. AuthorisedBy defaults to the
	// actor.
	Reason       string `json:"reason,omitempty"`
	AuthorisedBy string `json:"authorised_by,omitempty"`
}

// Outcome is what became of one input.
type Outcome string

const (
	Saved     Outcome = "saved"
	Unchanged Outcome = "unchanged"
	Refused   Outcome = "refused"
)

// EntryResult is the outcome of one input.
type EntryResult struct {
	Student  string       `json:"student"`
	Activity string       `json:"activity,omitempty"`
	Entry    events.Entry `json:"entry"` // the value as recorded (normalised)
	Outcome  Outcome      `json:"outcome"`
	// Version is the entry's version after the write: what a following
	// If-Match names (0 for an empty slot).
	Version  uint64     `json:"version"`
	Problems []Problem  `json:"problems,omitempty"`
	Current  *EntryView `json:"current,omitempty"` // the entry as it stands, when a write was based on another version

	reason Reason
	event  events.Event
}

var carryNone = rules.Carry{Whole: true}

func newPlanner(hs *Handlers, sc sheetContext, st *sheetState, id auth.Identity, source string) *planner {
	return &planner{hs: hs, sc: sc, st: st, id: id, source: source, roles: rulesetRoles(id, source),
		due: map[string]onSheet{}, planned: map[string]held{}}
}

// planner decides a batch of inputs against one sheet's state.
type planner struct {
	hs     *Handlers
	sc     sheetContext
	st     *sheetState
	id     auth.Identity
	source string
	roles  []string
	due    map[string]onSheet
	// planned are the slots this batch writes, counted by student: a
	// UE-level entry and activity entries must not mix within a batch
	// either.
	planned map[string]held
	// basedOn is the sheet version an uploaded file was downloaded at (0:
	// unknown): an entry changed since is a conflict, not overwritten.
	basedOn uint64
}

// plan decides every input. It refuses nothing as a whole: each input is
// saved, unchanged or refused with its problems; carries are the carried
// marks due for the students touched that the sheet does not hold yet.
func (p *planner) plan(ctx context.Context, inputs []EntryInput) (results []EntryResult, carries []events.Event, err error) {
	seen := map[slot]int{}
	for i, in := range inputs {
		in.Student = normMatricule(in.Student)
		r := EntryResult{Student: in.Student, Activity: in.Activity, Outcome: Refused}
		s := slot{in.Student, activityOf(p.sc.ue, in.Activity)}
		if j, dup := seen[s]; dup {
			r.refuse(Invalid, "student", in.Student, "entered twice in this batch (also at %d)", j+1)
			results[j].refuse(Invalid, "student", in.Student, "entered twice in this batch (also at %d)", i+1)
			results = append(results, r)
			continue
		}
		seen[s] = i
		due, ok, err := p.dueOf(ctx, in.Student)
		if err != nil {
			return nil, nil, err
		}
		if ok && due.heldOnly {
			if _, held := p.st.entries[s]; !held {
				r.refuse(Invalid, "student", in.Student, "%s; they keep the entries they hold, which may be corrected, and take no new one",
					p.hs.whyNotDue(p.sc, in.Student))
				results = append(results, r)
				continue
			}
		}
		if !ok {
			reason := NotFound
			if _, registered := p.hs.Cohort.Registration(in.Student); registered {
				reason = Invalid
			}
			r.refuse(reason, "student", in.Student, "%s", p.hs.whyNotDue(p.sc, in.Student))
		} else {
			p.decide(&r, in, s, due.Due)
		}
		if r.event != nil {
			p.planned[s.Student] = p.planned[s.Student].add(s, 1)
		}
		results = append(results, r)
	}
	for _, r := range results {
		if due, ok := p.due[r.Student]; ok && r.Outcome == Saved {
			carries = append(carries, p.carries(r.Student, due.Due, carries)...)
		}
	}
	return results, carries, nil
}

func (p *planner) dueOf(ctx context.Context, student string) (onSheet, bool, error) {
	if d, ok := p.due[student]; ok {
		return d, true, nil
	}
	d, ok, err := p.hs.due(ctx, p.sc, p.st, student)
	if ok {
		p.due[student] = d
	}
	return d, ok, err
}

// decide checks one input of a student on the sheet.
func (p *planner) decide(r *EntryResult, in EntryInput, s slot, due projections.Due) {
	ue, rs := p.sc.ue, p.sc.docs.Ruleset
	old, had := p.st.entries[s]
	next, res, err := normalise(in.Value)
	r.Entry = next
	if err != nil {
		r.refuse(Invalid, "value", in.Value, "not a mark on the scale 0-%s nor a code (%s)", rs.Scale.Max, rs.CodeList())
		return
	}
	if !next.IsZero() {
		if err := rs.CheckRecord(ue, s.Activity, res); err != nil {
			field := recordField(ue, s.Activity, res)
			r.refuse(Invalid, field, map[string]string{"value": in.Value, "activity": in.Activity}[field], "%s", err)
			return
		}
	}
	if mixed := p.mixed(s); !mixed.IsZero() {
		r.refuse(Invalid, "activity", in.Activity, "%s", mixed)
		return
	}
	if old.Entry == next {
		// Nothing to write: an unchanged cell of a file uploaded again is
		// no late mark, no re-marked carried activity and no conflict.
		r.Outcome, r.Version = Unchanged, old.Version
		return
	}
	if from, carried := due.Carry.Marks[s.Activity]; carried || old.Carried != "" {
		if !carried {
			from = rules.Result{Mark: mustMark(old.Entry.Mark)}
		}
		r.refuse(Invalid, "activity", in.Activity, "activity %q was passed at an earlier session (%s) and is carried over (ruleset carry_over); only failed activities are re-sat: %s",
			s.Activity, from, strings.Join(due.Carry.Resit, ", "))
		return
	}
	if p.sc.closed != nil {
		if _, appeal := p.hs.Cohort.UpheldAppeal(p.sc.ref.Year, p.sc.ref.Session, s.Student); !appeal || !p.id.Has(auth.Jury) {
			r.refuse(Invalid, "session", string(p.sc.ref.Session), "%s", p.sc.frozenRule())
			return
		}
	} else if d := p.sc.deadline(p.st, s.Student); p.sc.now.After(d) && !p.id.Has(auth.Secretariat) {
		r.refuse(Invalid, "deadline", d.In(brussels).Format("2006-01-02 15:04"),
			"the encoding deadline of %s for %s has passed; the secretariat may extend it or record the mark", p.sc.ref, s.Student)
		return
	}
	if in.Version != nil && *in.Version != old.Version || p.basedOn > 0 && had && old.Version > p.basedOn && old.By != p.id.ID {
		based := old.Version
		if in.Version != nil {
			based = *in.Version
		} else {
			based = p.basedOn
		}
		r.refuse(Conflict, "version", fmt.Sprint(based), "the entry changed since that version: it is now %s (version %d, by %s)",
			old.Entry, old.Version, old.By)
		v := viewOf(p.sc, s, old, had)
		r.Current = &v
		return
	}
	var prev *rules.Result
	if had {
		pr, _ := projections.ResultOf(old.Entry)
		prev = &pr
	}
	if err := permitted(rs, prev, res, next.IsZero(), p.roles); err != nil {
		r.refuse(Forbidden, "value", in.Value, "%s", err)
		return
	}
	if had && p.st.submits > 0 && strings.TrimSpace(in.Reason) == "" {
		r.refuse(Invalid, "reason", in.Reason, "a correction on a sheet already submitted states its reason")
		return
	}
	r.Outcome = Saved
	if !had {
		r.event = events.MarkRecorded{Student: s.Student, Activity: s.Activity, Entry: next, Source: p.source}
		return
	}
	by := strings.TrimSpace(in.AuthorisedBy)
	if by == "" {
		by = p.id.ID
	}
	r.event = events.MarkCorrected{Student: s.Student, Activity: s.Activity, Previous: old.Entry, Entry: next,
		Reason: strings.TrimSpace(in.Reason), AuthorisedBy: by, Source: p.source}
}

// mixed refuses a UE-level entry beside activity entries and the reverse,
// held or written in the same batch: a sitting holds one or the other.
// Both are looked up by student: the cost is the same on any sheet.
func (p *planner) mixed(s slot) i18n.Text {
	if p.st.held[s.Student].clashes(s) {
		return textf("the student holds %s on this sheet; a UE-level entry and activity entries do not mix (clear one first)",
			map[bool]i18n.Text{true: textf("a UE-level entry"), false: textf("activity entries")}[s.Activity != ""])
	}
	if p.planned[s.Student].clashes(s) {
		return textf("this batch gives the student a UE-level entry and activity entries; a sitting holds one or the other")
	}
	return i18n.Text{}
}

// clashes reports whether an entry in slot s would mix with what h holds:
// a UE-level entry beside activity entries, or the reverse.
func (h held) clashes(s slot) bool {
	if s.Activity == "" {
		return h.activities > 0
	}
	return h.ue
}

// carries returns the carried marks due for student not yet on the sheet
// nor in planned.
func (p *planner) carries(student string, due projections.Due, planned []events.Event) []events.Event {
	if p.st.held[student].ue || p.planned[student].ue {
		return nil // a UE-level entry (a DISP, say) stands for the whole UE
	}
	var out []events.Event
	for _, a := range p.sc.ue.Activities {
		m, ok := due.Carry.Marks[a.Title]
		if _, held := p.st.entries[slot{student, a.Title}]; !ok || held {
			continue
		}
		e := events.MarkCarriedOver{Student: student, Activity: a.Title, Mark: m.Mark.String(), FromSession: lastSession(due)}
		if !slices.Contains(planned, events.Event(e)) {
			out = append(out, e)
		}
	}
	return out
}

func lastSession(d projections.Due) string {
	if len(d.Presented) == 0 {
		return ""
	}
	return string(d.Presented[len(d.Presented)-1])
}

func (r *EntryResult) refuse(reason Reason, field, value, format string, args ...any) {
	r.Outcome = Refused
	if len(r.Problems) == 0 || reason > r.reason {
		r.reason = reason
	}
	r.Problems = append(r.Problems, problemf(field, value, format, args...))
	r.event = nil
}

// normalise reads a value as typed: a code in any case with stray spaces,
// or a mark with a decimal comma or point.
func normalise(v string) (events.Entry, rules.Result, error) {
	t := strings.TrimSpace(v)
	if t == "" {
		return events.Entry{}, rules.Result{}, nil
	}
	if c := t[0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		code := strings.ToUpper(strings.Join(strings.Fields(t), ""))
		return events.Entry{Code: code}, rules.Result{Code: rules.Code(code)}, nil
	}
	r, err := rules.ParseResult(strings.ReplaceAll(t, ",", "."))
	if err != nil {
		return events.Entry{}, rules.Result{}, err
	}
	return events.Entry{Mark: r.Mark.String()}, r, nil
}

// permitted reports whether one of roles may replace prev (nil: empty) by
// next, or clear it.
func permitted(rs *rules.Ruleset, prev *rules.Result, next rules.Result, clear bool, roles []string) error {
	var first error
	for _, role := range roles {
		var err error
		if clear {
			if prev != nil && prev.Code != "" {
				err = rs.CanReplace(prev, rules.Result{}, rules.Role(role))
			}
		} else {
			err = rs.CanReplace(prev, next, rules.Role(role))
		}
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("no role to record results under")
	}
	return first
}

// recordField names what is wrong when the ruleset refuses res on
// activity of ue: the activity (none on an integrated UE, an unknown one,
// or a mark without one on a multi-activity UE) or else the value.
func recordField(ue catalog.UE, activity string, res rules.Result) string {
	if activity != "" && (ue.Integrated || !hasActivity(ue, activity)) || activity == "" && !ue.Integrated && res.Code == "" {
		return "activity"
	}
	return "value"
}

func hasActivity(ue catalog.UE, title string) bool {
	_, ok := ue.Activity(title)
	return ok
}

func mustMark(s string) rules.Mark {
	m, _ := rules.ParseMark(s)
	return m
}

// refusal gathers the problems of refused results into one refusal.
func refusal(results []EntryResult) *Refusal {
	var out *Refusal
	for i, r := range results {
		if r.Outcome != Refused {
			continue
		}
		if out == nil {
			out = &Refusal{Reason: r.reason}
		}
		if r.reason > out.Reason {
			out.Reason = r.reason
		}
		for _, p := range r.Problems {
			if len(results) > 1 {
				p = p.of(fmt.Sprintf("entries[%d]", i), r.Student+map[bool]string{true: "", false: " / " + r.Activity}[r.Activity == ""])
			}
			out.Problems = append(out.Problems, p)
		}
		if r.Current != nil {
			out.Current = r.Current
		}
	}
	return out
}

// Recorded is the answer to a write on a sheet.
type Recorded struct {
	Results []EntryResult `json:"results"`
	// Position is the log position of the last record written (0: none),
	// for a reader to wait for; Version is the sheet's version after it.
	Position        uint64 `json:"position"`
	Version         uint64 `json:"version"`
	AlreadyRecorded bool   `json:"already_recorded,omitempty"`
}

// RecordEntries records marks and codes on a sheet, all or nothing: when
// one input is refused, nothing is written and the refusal lists every
// problem. Unchanged inputs write nothing.
func (hs *Handlers) RecordEntries(ctx context.Context, id auth.Identity, key string, ref SheetRef, source string, inputs []EntryInput) (Recorded, error) {
	if err := hs.authorizeSheet(ctx, id, access.WriteSheet, ref); err != nil {
		return Recorded{}, err
	}
	if len(inputs) == 0 {
		return Recorded{}, refuse(Invalid, "entries", "", "nothing to record")
	}
	sc, err := hs.sheetContext(ctx, ref)
	if err != nil {
		return Recorded{}, err
	}
	var results []EntryResult
	got, err := execute(ctx, hs, ref.aggregate(), key, newSheetState, func(st *sheetState) ([]events.Pending, error) {
		if err := sc.takesEntries(st); err != nil {
			return nil, err
		}
		p := newPlanner(hs, sc, st, id, source)
		var carries []events.Event
		var err error
		if results, carries, err = p.plan(ctx, inputs); err != nil {
			return nil, err
		}
		if r := refusal(results); r != nil {
			return nil, r
		}
		return pend(id, append(carries, eventsOf(results)...)...), nil
	})
	if err != nil {
		return Recorded{}, err
	}
	return recorded(sc, results, got), nil
}

func submittedRefusal(st *sheetState, ref SheetRef) error {
	if !st.submitted {
		return nil
	}
	return refuse(Invalid, "sheet", ref.String(), "the sheet was submitted on %s by %s; it takes no mark until the secretariat reopens it with a reason",
		st.status.RecordedAt.In(brussels).Format("2006-01-02 15:04"), st.status.Actor.ID)
}

func eventsOf(results []EntryResult) []events.Event {
	var out []events.Event
	for _, r := range results {
		if r.event != nil {
			out = append(out, r.event)
		}
	}
	return out
}

// recorded is the answer to a write: the results decided now, or, for a
// retry answered from the log, the entries the first attempt stored.
func recorded(sc sheetContext, results []EntryResult, got eventlog.Appended) Recorded {
	out := Recorded{Results: results, AlreadyRecorded: got.AlreadyRecorded}
	if n := len(got.Records); n > 0 {
		out.Position, out.Version = got.Records[n-1].Position, got.Records[n-1].Version
	}
	written := map[slot]uint64{}
	for _, rec := range got.Records {
		switch e := rec.Event.(type) {
		case events.MarkRecorded:
			written[slot{e.Student, e.Activity}] = rec.Version
		case events.MarkCorrected:
			written[slot{e.Student, e.Activity}] = rec.Version
			if e.Entry.IsZero() {
				written[slot{e.Student, e.Activity}] = 0
			}
		}
	}
	for i, r := range out.Results {
		if v, ok := written[slot{r.Student, activityOf(sc.ue, r.Activity)}]; ok && r.Outcome == Saved {
			out.Results[i].Version = v
		}
	}
	if got.AlreadyRecorded {
		out.Results = nil
		for _, rec := range got.Records {
			switch e := rec.Event.(type) {
			case events.MarkRecorded:
				out.Results = append(out.Results, EntryResult{Student: e.Student, Activity: keyOf(sc.ue, e.Activity), Entry: e.Entry, Outcome: Saved, Version: rec.Version})
			case events.MarkCorrected:
				out.Results = append(out.Results, EntryResult{Student: e.Student, Activity: keyOf(sc.ue, e.Activity), Entry: e.Entry, Outcome: Saved, Version: written[slot{e.Student, e.Activity}]})
			}
		}
	}
	return out
}
