package projections_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/cohortgen"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/benchraw"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/rules"
)

const (
	auditYears    = 10          // academic years of the audited student's path
	auditStudents = 240         // other students, with the same ten years: the background
	auditStudent  = "HE9999999" // the audited student
	auditMiddle   = 4           // the year (0-based) the as-of bound falls in
)

// BenchmarkAuditStudent: what an auditor's page about one student needs,
// for a student with ten academic years of records among 240 others with
// theirs (48,882 records): the full history (Cohort.History, every
// record about the student read back from the log), the transcript of the
// fifth year and the credit ledger as they stood at the Q2 decision of
// that fifth year (TranscriptAsOf and LedgerAsOf: the documents and the
// student's records up to the bound read back and folded afresh), against
// raw direct gets of the same positions, in the same three passes (16 in
// flight, as ReadAt does). One op = the three reads. Target: < 50 ms/op.
//
// Each year publishes its catalog and ruleset (the shipped ones, moved to
// that year) and its three sessions, then gives every student a PAE (the
// core UEs of bloc 1 one year, of bloc 2 the next), marks on every
// activity of the PAE at the UE's first session (Q1 or Q2), re-sits of
// the activities below 10 at the next session (Q2 or Q3), a sheet
// reopened for corrections, and a jury decision per session (Q1, Q2, Q3;
// the Q3 one granting UEs at 8 or 9). The audited student's marks are
// lower, and below 8 on the last UE of each bloc, so that ten years still
// leave credits to acquire; PAEs are not trimmed to what remains (what is
// measured is reading the records, not the write side's rules). Records
// are appended sheet by sheet in atomic batches, so the audited student's
// 245 records lie spread over the whole log. The log is filled once per
// process (about 3 s), on a server started with FastSync; the
// sub-benchmark repeats with -count.
func BenchmarkAuditStudent(b *testing.B) {
	env := benchraw.New(b, b.TempDir(), true)
	ctx := benchraw.Ctx(b)
	start := time.Now()
	f := fillDecade(b, ctx, env.Log)
	last, err := env.Log.LastPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	c := projections.NewCohort()
	if err := c.Replay(ctx, env.Log, 0, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d records (%d about %s) and replayed them in %v", last, len(f.busy), auditStudent, time.Since(start).Round(time.Millisecond))

	// What the op reads, and what it must find.
	until := eventlog.Until{Position: f.bound}
	year := cohortgen.YearOf(auditMiddle)
	before := f.busy[:slices.Index(f.busy, f.bound)+1] // the student's records up to the bound
	asOf := mergePositions(f.docs[:countUpTo(f.docs, f.bound)], before)
	stream, err := env.Raw.Stream(ctx, "GRADELOG")
	if err != nil {
		b.Fatal(err)
	}
	audit := func() (projections.Transcript, projections.Ledger) {
		h, err := c.History(ctx, env.Log, auditStudent, eventlog.Until{}, projections.HistoryFilter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(h.Entries) != len(f.busy) || h.Entries[0].Position != f.busy[0] || h.Entries[len(h.Entries)-1].Position != f.busy[len(f.busy)-1] {
			b.Fatalf("history: %d entries, want %d (positions %d to %d)", len(h.Entries), len(f.busy), f.busy[0], f.busy[len(f.busy)-1])
		}
		t, err := c.TranscriptAsOf(ctx, env.Log, auditStudent, year, until)
		if err != nil {
			b.Fatal(err)
		}
		marked := 0
		for _, u := range t.UEs {
			if u.Mark != nil {
				marked++
			}
		}
		if t.AsOf == nil || t.AsOf.Records != len(before) || t.Empty != "" || len(t.UEs) != f.paeSize[auditMiddle] || marked != len(t.UEs) || len(t.Decisions) != 2 {
			b.Fatalf("transcript of %s as of %d: %+v, %q, %d UEs (%d with a mark), %d decisions; want %d records, %d UEs all marked, 2 decisions",
				year, f.bound, t.AsOf, t.Empty, len(t.UEs), marked, len(t.Decisions), len(before), f.paeSize[auditMiddle])
		}
		l, err := c.LedgerAsOf(ctx, env.Log, auditStudent, until)
		if err != nil {
			b.Fatal(err)
		}
		if l.AsOf == nil || l.AsOf.Records != len(before) || l.Empty != "" || l.Cycle.Acquired == 0 || l.Cycle.Remaining == 0 {
			b.Fatalf("ledger as of %d: %+v, %q, cycle %+v; want %d records, credits acquired and remaining", f.bound, l.AsOf, l.Empty, l.Cycle, len(before))
		}
		return t, l
	}
	t, l := audit() // checked once before timing
	b.Logf("history: %d records; as of position %d (%d records): transcript %s %d UEs, year average %v, %d decisions; ledger %+v",
		len(f.busy), f.bound, len(before), year, len(t.UEs), t.YearAverage, len(t.Decisions), l.Cycle)
	b.Run(fmt.Sprintf("records=%d", last), func(b *testing.B) {
		ours := func(lo, hi int) {
			for range hi - lo {
				audit()
			}
		}
		raw := func(lo, hi int) {
			for range hi - lo {
				benchraw.Gets(b, ctx, stream, f.busy) // the history
				benchraw.Gets(b, ctx, stream, asOf)   // the transcript as of
				benchraw.Gets(b, ctx, stream, asOf)   // the ledger as of
			}
		}
		rawD, oursD := benchraw.Measure(b, b.N, raw, ours)
		benchraw.Report(b, "audits/s", b.N, b.N, rawD, oursD)
		b.ReportMetric(float64(oursD.Microseconds())/1000/float64(b.N), "ms/op")
		b.ReportMetric(float64(rawD.Microseconds())/1000/float64(b.N), "raw-ms/op")
		b.ReportMetric(float64(len(f.busy)+2*len(asOf)), "records/op")
	})
}

// decade is what fillDecade wrote: the positions of the documents
// (catalogs, rulesets, calendars) and of the audited student's records,
// the as-of bound (the student's Q2 decision of year auditMiddle) and the
// size of each year's PAE.
type decade struct {
	docs, busy []uint64
	bound      uint64
	paeSize    []int
}

// auditDocuments is the shipped catalog and ruleset moved k years on,
// checked as publishing would.
func auditDocuments(tb testing.TB, k int) (*catalog.Catalog, *rules.Ruleset) {
	tb.Helper()
	cat, rs, err := cohortgen.Documents(k)
	if err != nil {
		tb.Fatal(err)
	}
	return cat, rs
}

// fillDecade writes ten academic years of auditStudents students and the
// audited one (see BenchmarkAuditStudent), through Log.Append.
func fillDecade(tb testing.TB, ctx context.Context, l eventlog.Log) decade {
	tb.Helper()
	var (
		system    = events.Actor{ID: "gradelog", Roles: []string{"system"}}
		sec       = events.Actor{ID: "sec.audit", Roles: []string{"secretariat"}}
		president = events.Actor{ID: "jury.president", Roles: []string{"jury"}}
		teacher   = func(ue string) events.Actor {
			return events.Actor{ID: "prof." + strings.ReplaceAll(ue, "/", "-"), Roles: []string{"teacher"}}
		}
	)
	var f decade
	heads := map[events.AggregateID]events.Head{}
	lastAbout := map[string]uint64{} // the last position of a record about each student
	put := func(a events.AggregateID, actor events.Actor, evs ...events.Event) {
		tb.Helper()
		for len(evs) > 0 {
			n := min(len(evs), eventlog.MaxBatch)
			p := make([]events.Pending, n)
			for i, e := range evs[:n] {
				p[i] = events.Pending{Event: e, Actor: actor}
			}
			got, err := l.Append(ctx, eventlog.AppendRequest{Aggregate: a, Head: heads[a], Key: uuid.NewString(), Events: p})
			if err != nil {
				tb.Fatal(err)
			}
			heads[a] = got.Head()
			for _, r := range got.Records {
				m := events.AboutStudent(r.Event)
				switch r.Aggregate.Kind() {
				case events.KindCatalog, events.KindCalendar:
					f.docs = append(f.docs, r.Position)
				case events.KindStudent:
					m = r.Aggregate.Tokens()[0]
				}
				if m != "" {
					lastAbout[m] = r.Position
				}
				if m == auditStudent {
					f.busy = append(f.busy, r.Position)
				}
			}
			evs = evs[n:]
		}
	}
	// The audited student sits in the middle of everyone else, in every
	// batch.
	mats := make([]string, auditStudents)
	for i := range mats {
		mats[i] = fmt.Sprintf("HE%07d", i+1)
	}
	mats = slices.Insert(mats, auditStudents/2, auditStudent)

	for k := range auditYears {
		year := cohortgen.YearOf(k)
		cat, rs := auditDocuments(tb, k)
		put(events.CatalogOf(year), system,
			events.CatalogPublished{Year: year, Programme: cat.Programme.Code, Version: 1, Digest: cat.Digest(), Catalog: cat.Canonical()},
			events.RulesetPublished{Year: year, Version: 1, Digest: rs.Digest(), Ruleset: rs.Canonical()})
		var calendar []events.Event
		for _, s := range rs.Calendar {
			endOf := func(d rules.Date) time.Time { return d.Time().Add(24*time.Hour - time.Second) }
			calendar = append(calendar, events.SessionScheduled{Year: year, Session: string(s.Session),
				Starts: s.ExamsFrom.Time(), Ends: endOf(s.ExamsTo), EncodingDeadline: endOf(s.EncodingDeadline),
				DeliberationAt: s.Deliberation.Time(), PublicationAt: s.Publication.Time()})
		}
		put(events.CalendarOf(year), sec, calendar...)

		programme := cat.Programme.Code
		bloc := 1 + k%2
		var pae []catalog.UE
		var codes []string
		for _, u := range cat.UEs {
			if u.Kind == catalog.Core && u.Bloc == bloc {
				pae, codes = append(pae, u), append(codes, u.Code)
			}
		}
		f.paeSize = append(f.paeSize, len(pae))
		for _, m := range mats {
			var evs []events.Event
			if k == 0 {
				evs = append(evs,
					events.StudentRegistered{Matricule: m, FirstName: "Prénom", LastName: "Nom " + m, Email: strings.ToLower(m) + "@student.helmo.be"},
					events.StudentAdmitted{Programme: programme, Basis: "bachelier", HasBachelor: true})
			}
			put(events.StudentOf(m), sec, append(evs, events.PAEValidated{Programme: programme, Year: year, UEs: codes})...)
		}
		put(events.JuryOf(programme, year), sec, events.JuryConstituted{Programme: programme, Year: year,
			President: "jury.president", Secretary: "jury.secretary", Members: []events.JuryMember{
				{ID: "jury.president", Name: "A. Lenoir", Institution: "HELMo"},
				{ID: "jury.secretary", Name: "B. Marchal", Institution: "HEPL"},
				{ID: "prof.1-10", Name: "C. Jacquet", Institution: "HELMo"},
				{ID: "prof.1-12", Name: "D. Colson", Institution: "HEPL"},
			}})

		// last[m][ue][activity] is a student's latest mark of the year.
		last := map[string]map[string][]int{}
		for _, m := range mats {
			last[m] = map[string][]int{}
		}
		// activities are the titles a UE's marks are recorded on: "" for
		// an integrated UE.
		activities := func(u catalog.UE) []string {
			if u.Integrated {
				return []string{""}
			}
			var out []string
			for _, a := range u.Activities {
				out = append(out, a.Title)
			}
			return out
		}
		// markOf is a mark from 5 to 18; the audited student's go from 4
		// to 14, and stay below 8 on the last UE of each bloc: ten years
		// leave credits to acquire.
		markOf := func(m string, i, u, a, sitting int) int {
			h := i*7 + k*5 + u*3 + a*11 + sitting*13
			switch {
			case m == auditStudent && u == len(pae)-1:
				return 6 + h%2
			case m == auditStudent:
				return 4 + h%11
			}
			return 5 + h%14
		}
		sessions := []catalog.Session{catalog.Q1, catalog.Q2, catalog.Q3}
		for si, session := range sessions {
			for u, ue := range pae {
				first := slices.Contains(ue.Sessions, catalog.Q1) && session == catalog.Q1 ||
					!slices.Contains(ue.Sessions, catalog.Q1) && session == catalog.Q2
				resit := !first && (slices.Contains(ue.Sessions, catalog.Q1) && session == catalog.Q2 ||
					!slices.Contains(ue.Sessions, catalog.Q1) && session == catalog.Q3)
				if !first && !resit {
					continue
				}
				sheet := events.SheetOf(year, string(session), ue.Code)
				var marks, corrections []events.Event
				for i, m := range mats {
					acts := activities(ue)
					if first {
						last[m][ue.Code] = make([]int, len(acts))
					}
					for a, title := range acts {
						prev := last[m][ue.Code][a]
						if resit && prev >= 10 {
							continue // carried within the year
						}
						v := markOf(m, i, u, a, si)
						marks = append(marks, events.MarkRecorded{Student: m, Activity: title, Entry: events.Entry{Mark: strconv.Itoa(v)}, Source: "xlsx"})
						last[m][ue.Code][a] = v
						// A correction: on two UEs a year for the audited
						// student, on one every other year for the others.
						if first && a == 0 && (m == auditStudent && u < 2 || m != auditStudent && u == 0 && (i+k)%2 == 0) {
							corrections = append(corrections, events.MarkCorrected{Student: m, Activity: title,
								Previous: events.Entry{Mark: strconv.Itoa(v)}, Entry: events.Entry{Mark: strconv.Itoa(v + 1)},
								Reason: "encoding error", AuthorisedBy: "sec.audit", Source: "form"})
							last[m][ue.Code][a] = v + 1
						}
					}
				}
				if len(marks) == 0 {
					continue
				}
				put(sheet, teacher(ue.Code), append(marks, events.SheetSubmitted{})...)
				if len(corrections) > 0 {
					put(sheet, sec, append(append([]events.Event{events.SheetReopened{Reason: "encoding errors"}}, corrections...), events.SheetSubmitted{})...)
				}
			}

			// The session's deliberation: every student decided.
			delib := events.DeliberationOf(programme, year, string(session))
			put(delib, president, events.DeliberationOpened{Programme: programme, Year: year, Session: string(session),
				MembersPresent: []string{"jury.president", "jury.secretary", "prof.1-10", "prof.1-12"},
				Quorum:         events.Quorum{Required: 3, Present: 4, Met: true}})
			var decisions []events.Event
			for _, m := range mats {
				d := events.DecisionRecorded{Student: m, RecordVersion: lastAbout[m], Motivation: "délibéré"}
				failed := false
				for _, ue := range pae {
					marks := last[m][ue.Code]
					if len(marks) == 0 || slices.Min(marks) >= 10 {
						continue
					}
					failed = true
					if session == catalog.Q3 && slices.Min(marks) >= 8 {
						d.Grants = append(d.Grants, events.CreditGrant{UE: ue.Code, Mark: strconv.Itoa(slices.Min(marks)), Granted: true,
							Basis: events.GrantWithinCriteria, Motivation: "dans les critères"})
					}
				}
				switch {
				case session == catalog.Q1:
					d.Outcome = string(rules.InProgress)
				case !failed:
					d.Outcome = string(rules.YearPassed)
				case session == catalog.Q2:
					d.Outcome = string(rules.Ajourne)
				default:
					d.Outcome = string(rules.YearClosed)
				}
				d.Proposed = d.Outcome
				decisions = append(decisions, d)
			}
			put(delib, president, decisions...)
			if k == auditMiddle && session == catalog.Q2 {
				f.bound = lastAbout[auditStudent]
			}
			put(delib, president, events.DeliberationClosed{Decisions: len(decisions)}, events.ResultsPublished{At: time.Now()})
		}
	}
	return f
}

// countUpTo is how many of the sorted positions are at or before p.
func countUpTo(positions []uint64, p uint64) int {
	i, _ := slices.BinarySearch(positions, p+1)
	return i
}

// mergePositions is the sorted union of two sorted lists.
func mergePositions(a, b []uint64) []uint64 {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return out
}
