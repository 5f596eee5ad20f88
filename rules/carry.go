package rules

import "github.com/gradelog/gradelog/catalog"

// Carry is what of a UE's results goes to its next session in the year.
type Carry struct {
	// Marks are the activity marks carried (not re-sat), by title.
	Marks map[string]Result
	// Resit lists the activities the student re-sits, in catalog order.
	Resit []string
	// Whole is true when the whole UE is re-sat: it is integrated, or
	// the ruleset carries nothing.
	Whole bool
}

// Carried says what carries from the sittings of ue so far this year
// (history, in session order) to its next session. An acquired UE is never
// re-sat: the result is then the zero Carry. Integrated UEs never carry
// parts. Otherwise an activity's counted mark (the latest result or the
// best mark, per CarryOver.Keep) carries when it reaches the pass mark;
// a code never carries.
func (rs *Ruleset) Carried(ue catalog.UE, history []Sitting) Carry {
	if len(history) == 0 {
		return Carry{Whole: true}
	}
	if m, err := rs.UEMark(ue, history[len(history)-1]); err == nil && (m.Acquired || m.Computed && m.Mark >= rs.Scale.Pass) {
		return Carry{}
	}
	if ue.Integrated || !rs.CarryOver.WithinYear {
		return Carry{Whole: true}
	}
	c := Carry{Marks: map[string]Result{}}
	for _, a := range ue.Activities {
		if r, ok := rs.counted(a.Title, history); ok && r.Code == "" && r.Mark >= rs.Scale.Pass {
			c.Marks[a.Title] = r
		} else {
			c.Resit = append(c.Resit, a.Title)
		}
	}
	return c
}

// counted returns the result of activity that counts over history.
func (rs *Ruleset) counted(activity string, history []Sitting) (Result, bool) {
	var out Result
	found := false
	for _, s := range history {
		r, ok := s.Activities[activity]
		if !ok {
			continue
		}
		switch {
		case !found, rs.CarryOver.Keep == Latest:
			out, found = r, true
		case r.Code == "" && (out.Code != "" || r.Mark > out.Mark):
			out = r // Best: a mark beats a code and a lower mark
		}
	}
	return out, found
}

// Counting returns the results of sitting s that count for the UE mark,
// given the UE's earlier sittings of the year (history, in order): under
// CarryOver.Keep best, a re-sat activity keeps its best mark of the year;
// otherwise, or for an integrated UE, s itself. A code is never replaced.
func (rs *Ruleset) Counting(ue catalog.UE, history []Sitting, s Sitting) Sitting {
	if rs.CarryOver.Keep != Best || ue.Integrated || len(history) == 0 || len(s.Activities) == 0 {
		return s
	}
	out := Sitting{UE: s.UE, Activities: make(map[string]Result, len(s.Activities))}
	for title, r := range s.Activities {
		for _, h := range history {
			if e, ok := h.Activities[title]; ok && r.Code == "" && e.Code == "" && e.Mark > r.Mark {
				r = e
			}
		}
		out.Activities[title] = r
	}
	return out
}
