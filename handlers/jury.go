package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// JuryInput is a jury's composition.
type JuryInput struct {
	President string              `json:"president"`
	Secretary string              `json:"secretary"`
	Members   []events.JuryMember `json:"members"`
}

// ConstituteJury constitutes (or recomposes) the jury of a programme for a
// year (secretariat): at least the ruleset's number of members, a
// president and a secretary among them, and, for a co-graduated
// programme, members of every institution organising it (a joint jury).
func (hs *Handlers) ConstituteJury(ctx context.Context, id auth.Identity, key, programme, year string, in JuryInput) (eventlog.Appended, error) {
	if err := holds(id, access.ConstituteJury); err != nil {
		return eventlog.Appended{}, err
	}
	docs, err := hs.documents(ctx, year)
	if err != nil {
		return eventlog.Appended{}, err
	}
	if err := authorize(id, access.ConstituteJury, hs.yearTarget(programme, year)); err != nil {
		return eventlog.Appended{}, err
	}
	if docs.Catalog.Programme.Code != programme {
		return eventlog.Appended{}, refuse(NotFound, "programme", programme, "the %s catalog is that of programme %s", year, docs.Catalog.Programme.Code)
	}
	e := events.JuryConstituted{Programme: programme, Year: year,
		President: strings.TrimSpace(in.President), Secretary: strings.TrimSpace(in.Secretary)}
	var ps problems
	if min := docs.Ruleset.JuryMinMembers(); len(in.Members) < min {
		ps.add("members", strconv.Itoa(len(in.Members)), "a jury has at least %d members (ruleset jury.min_members, décret Paysage)", min)
	}
	institutions := map[string]string{} // code or name -> code
	for _, inst := range docs.Catalog.Institutions {
		institutions[strings.ToLower(inst.Code)], institutions[strings.ToLower(inst.Name)] = inst.Code, inst.Code
	}
	seen, from := map[string]bool{}, map[string]bool{}
	for i, m := range in.Members {
		m.ID, m.Name, m.Institution = strings.TrimSpace(m.ID), strings.TrimSpace(m.Name), strings.TrimSpace(m.Institution)
		field := "members[" + strconv.Itoa(i) + "]"
		switch {
		case m.ID == "":
			ps.add(field+".id", "", "every member has an id (the one their sign-in carries)")
		case seen[m.ID]:
			ps.add(field+".id", m.ID, "is listed twice")
		}
		seen[m.ID] = true
		if m.Name == "" {
			ps.add(field+".name", "", "every member has a name, for the minutes")
		}
		code, ok := institutions[strings.ToLower(m.Institution)]
		if !ok {
			ps.add(field+".institution", m.Institution, "not an institution of the programme (%s)", institutionList(docs))
		}
		m.Institution, from[code] = code, true
		for _, ue := range m.Teaches {
			if _, ok := docs.Catalog.UE(ue); !ok {
				ps.add(field+".teaches", ue, "no such UE in the %s catalog", year)
			}
		}
		e.Members = append(e.Members, m)
	}
	for _, inst := range docs.Catalog.Institutions {
		if len(in.Members) > 0 && !from[inst.Code] {
			ps.add("members", inst.Code, "the programme is organised with %s: the jury is joint and holds members of every institution", institutionList(docs))
		}
	}
	for _, r := range []struct{ field, id string }{{"president", e.President}, {"secretary", e.Secretary}} {
		if !seen[r.id] {
			ps.add(r.field, r.id, "the %s is one of the jury's members", fieldName(r.field))
		}
	}
	if e.President != "" && e.President == e.Secretary {
		ps.add("secretary", e.Secretary, "the secretary is not the president")
	}
	if err := ps.err(Invalid); err != nil {
		return eventlog.Appended{}, err
	}
	return execute(ctx, hs, events.JuryOf(programme, year), key, newJuryState, func(st *juryState) ([]events.Pending, error) {
		if st.jury != nil && sameJury(*st.jury, e) {
			return nil, nil // already so constituted
		}
		return pend(id, e), nil
	})
}

// Jury returns the jury of a programme for a year.
func (hs *Handlers) Jury(ctx context.Context, id auth.Identity, programme, year string, q ViewQuery) (projections.JuryView, error) {
	if err := authorize(id, access.ReadJury, hs.yearTarget(programme, year)); err != nil {
		return projections.JuryView{}, err
	}
	if err := hs.reach(ctx, q); err != nil {
		return projections.JuryView{}, err
	}
	j, ok := hs.Cohort.Jury(programme, year)
	if !ok {
		return projections.JuryView{}, refuse(NotFound, "jury", programme+" "+year, "no jury is constituted for this programme and year; the secretariat constitutes it")
	}
	return j, nil
}

// juryState is a jury aggregate: its composition as last constituted.
type juryState struct{ jury *events.JuryConstituted }

func newJuryState() *juryState { return &juryState{} }

func (st *juryState) apply(rec events.Record) {
	if e, ok := rec.Event.(events.JuryConstituted); ok {
		st.jury = &e
	}
}

func sameJury(a, b events.JuryConstituted) bool {
	return a.Programme == b.Programme && a.Year == b.Year && a.President == b.President && a.Secretary == b.Secretary &&
		slices.EqualFunc(a.Members, b.Members, func(x, y events.JuryMember) bool {
			return x.ID == y.ID && x.Name == y.Name && x.Institution == y.Institution && slices.Equal(x.Teaches, y.Teaches)
		})
}

func institutionList(d projections.Documents) string {
	var out []string
	for _, inst := range d.Catalog.Institutions {
		out = append(out, inst.Code)
	}
	return strings.Join(out, ", ")
}
