package rules

import (
	"fmt"

	"github.com/gradelog/gradelog/catalog"
)

// Graded is one UE and its mark, as an average takes it.
type Graded struct {
	UE   catalog.UE
	Mark UEMark
}

// Average is a credit-weighted average.
type Average struct {
	Defined bool // false when no UE with a mark and credits counts
	Mark    Mark // rounded per Averages
	Credits int  // the credits that weigh in it
}

func (a Average) String() string {
	if !a.Defined {
		return "-"
	}
	return fmt.Sprintf("%s (%d credits)", a.Mark, a.Credits)
}

// Average is the credit-weighted average of the UEs of gs that have a
// mark. A deliberated UE counts with its real mark. UEs acquired without a
// mark (VAL, DISP) and 0-credit UEs weigh nothing; complements count only
// when Averages.IncludeComplements.
func (rs *Ruleset) Average(gs []Graded) Average {
	var num, den int64
	for _, g := range gs {
		if !g.Mark.Computed || g.UE.Credits == 0 {
			continue
		}
		if g.UE.Kind == catalog.Complement && !rs.Averages.IncludeComplements {
			continue
		}
		num += int64(g.UE.Credits) * int64(g.Mark.Mark)
		den += int64(g.UE.Credits)
	}
	if den == 0 {
		return Average{}
	}
	return Average{Defined: true, Mark: rs.Averages.Precision().Ratio(num, den), Credits: int(den)}
}

// Mention returns the mention the average gives: the highest threshold it
// reaches. ok is false below the first threshold. Whether the jury may
// raise it is Mentions.JuryMayRaise.
func (rs *Ruleset) Mention(a Average) (m Mention, ok bool) {
	if !a.Defined {
		return Mention{}, false
	}
	for _, t := range rs.Mentions.Thresholds {
		if a.Mark >= t.Min {
			m, ok = t, true
		}
	}
	return m, ok
}
