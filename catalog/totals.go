package catalog

import "fmt"

// Totals returns the hours and credits of the UEs of kind in bloc; bloc 0
// means every bloc.
func (c *Catalog) Totals(kind Kind, bloc int) Totals {
	var t Totals
	for _, u := range c.UEs {
		if u.Kind == kind && (bloc == 0 || u.Bloc == bloc) {
			t.Hours += u.Hours
			t.Credits += u.Credits
		}
	}
	return t
}

// totals compares what the sheet declares with what its UEs add up to.
// Only programme UEs count: complements sit outside the cycle's credits
// and the optional workshop carries none.
func (k *checker) totals() {
	c := k.c
	for _, b := range c.Blocs {
		got := c.Totals(Core, b.Number)
		k.compare(b.Declared, got, fmt.Sprintf("bloc %d", b.Number), "totals.bloc", "")
	}
	got := c.Totals(Core, 0)
	note := ""
	if comp := c.Totals(Complement, 0); comp.Hours > 0 {
		note = fmt.Sprintf(" (%d h with the complements)", got.Hours+comp.Hours)
	}
	k.compare(c.Programme.Declared, got, "programme", "totals.programme", note)
	if got.Credits != c.Programme.CycleCredits {
		k.errorf(c.Programme.Line, "totals.cycle", "programme",
			"programme UEs add up to %d credits; the cycle has %d", got.Credits, c.Programme.CycleCredits)
	}
}

func (k *checker) compare(declared, got Totals, subject, code, hoursNote string) {
	line := lineOr(declared.Line, k.c.Programme.Line)
	if declared.Hours != got.Hours {
		k.errorf(line, code+".hours", subject, "%s: the sheet declares %d h; its UEs add up to %d h%s",
			subject, declared.Hours, got.Hours, hoursNote)
	}
	if declared.Credits != got.Credits {
		k.errorf(line, code+".credits", subject, "%s: the sheet declares %d credits; its UEs add up to %d",
			subject, declared.Credits, got.Credits)
	}
}
