package projections_test

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// registered is a StudentRegistered record at position pos.
func registered(pos uint64, mat, email string) events.Record {
	return events.Record{Position: pos, Aggregate: events.StudentOf(mat),
		Event: events.StudentRegistered{Matricule: mat, FirstName: "P", LastName: mat, Email: email}}
}

// byEmail is what StudentByEmail answers, found by a scan: the smallest
// matricule whose email strings.EqualFold calls equal.
func byEmail(regs map[string]string, email string) (string, bool) {
	best := ""
	for m, e := range regs {
		if strings.EqualFold(e, email) && (best == "" || m < best) {
			best = m
		}
	}
	return best, best != ""
}

// TestStudentByEmail: the email index answers what a scan of the
// registrations with strings.EqualFold answers, for addresses in any case,
// including runes whose case folding spans ASCII and beyond (the Kelvin
// sign, the long s, final sigma, sharp s), several students sharing an
// address (the smallest matricule) and a matricule registered again with
// another address. A cohort restored from a snapshot answers the same:
// the index is derived, rebuilt on restore, and the snapshot's bytes are
// those of a cohort without one.
func TestStudentByEmail(t *testing.T) {
	alphabet := []string{"a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "\u03c3", "\u03c2", "\u03a3", "\u00df", "\u1e9e", "\u00e9", "\u00c9", ".", "@"}
	word := func(r *rand.Rand) string {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	r := rand.New(rand.NewPCG(3, 4))
	c := projections.NewCohort()
	regs := map[string]string{}
	var pos uint64
	for i := range 400 {
		mat := fmt.Sprintf("HE%04d", r.IntN(300)) // some registered again
		email := word(r)
		pos++
		c.Apply(registered(pos, mat, email))
		regs[mat] = email
		if i%7 == 0 || i == 399 {
			check := func(what string, c *projections.Cohort) {
				t.Helper()
				for range 50 {
					q := word(r)
					want, wantOK := byEmail(regs, q)
					if m, ok := c.StudentByEmail(q); m != want || ok != wantOK {
						t.Fatalf("%s, after %d registrations: StudentByEmail(%q) = %q, %v; a scan finds %q", what, i+1, q, m, ok, want)
					}
				}
				for m, e := range regs {
					want, _ := byEmail(regs, e)
					if got, ok := c.StudentByEmail(strings.ToUpper(e)); !ok || got != want {
						t.Fatalf("%s: StudentByEmail(%q) of %s = %q, %v; want %q", what, strings.ToUpper(e), m, got, ok, want)
					}
				}
			}
			check("live", c)
			snap, err := c.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			restored, _, err := projections.Restore(snap)
			if err != nil {
				t.Fatal(err)
			}
			check("restored", restored)
			again, err := restored.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(snap, again) {
				t.Fatal("a restored cohort's snapshot differs from the snapshot it was restored from")
			}
		}
	}
}

// TestStudentByEmailRestored: the registrations of a real run, restored
// from a checkpoint, are found by their email in any case.
func TestStudentByEmailRestored(t *testing.T) {
	env := scripted(t, 11, 80)
	live := env.Handlers.Cohort
	snap, err := live.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored, _, err := projections.Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	dir := live.Directory("", 0)
	if len(dir) == 0 {
		t.Fatal("the scripted run registered nobody")
	}
	for _, e := range dir {
		for _, q := range []string{e.Email, strings.ToUpper(e.Email)} {
			for name, c := range map[string]*projections.Cohort{"live": live, "restored": restored} {
				if m, ok := c.StudentByEmail(q); !ok || m != e.Matricule {
					t.Errorf("%s: StudentByEmail(%q) = %q, %v; want %s", name, q, m, ok, e.Matricule)
				}
			}
		}
	}
	if m, ok := restored.StudentByEmail("nobody@nowhere.be"); ok {
		t.Errorf("StudentByEmail of an unknown address = %q", m)
	}
}

// TestDirectoryOrder: the directory finds and sorts students as folding
// each name in every comparison did (case and accents ignored, then the
// matricule), for names in ASCII or not, with queries in any case.
func TestDirectoryOrder(t *testing.T) {
	fold := func(s string) string { // as the directory has always folded
		out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
		if err != nil {
			out = s
		}
		return strings.ToLower(out)
	}
	names := []string{"Émile", "emile", "EMILE", "Zoë", "zoe", "Łukasz", "lukasz", "Ångström", "angstrom", "Dupont", "du Pont", "DUPONT", "Ǆemal", "džemal", "Ærø", "ÆRØ", "Çelik", "celik", "Nguyễn", "nguyen"}
	r := rand.New(rand.NewPCG(7, 8))
	c := projections.NewCohort()
	var all []events.StudentRegistered
	for i := range 300 {
		mat := fmt.Sprintf("HE%04d", r.IntN(1000))
		e := events.StudentRegistered{Matricule: mat, FirstName: names[r.IntN(len(names))], LastName: names[r.IntN(len(names))], Email: strings.ToLower(mat) + "@x.be"}
		c.Apply(events.Record{Position: uint64(i + 1), Aggregate: events.StudentOf(mat), Event: e})
		all = slices.DeleteFunc(all, func(o events.StudentRegistered) bool { return o.Matricule == mat })
		all = append(all, e)
	}
	for _, q := range []string{"", "EMILE", "émile", "zoe", "du", "lukasz", "ÅNG", "nguyên", "he0", "x.be", "celik dupont", "nobody"} {
		var want []string
		for _, e := range all {
			text := fold(e.Matricule + " " + e.FirstName + " " + e.LastName + " " + e.Email)
			if !slices.ContainsFunc(strings.Fields(fold(q)), func(w string) bool { return !strings.Contains(text, w) }) {
				want = append(want, e.Matricule)
			}
		}
		byMat := map[string]events.StudentRegistered{}
		for _, e := range all {
			byMat[e.Matricule] = e
		}
		slices.SortFunc(want, func(a, b string) int {
			x, y := byMat[a], byMat[b]
			return cmp.Or(strings.Compare(fold(x.LastName), fold(y.LastName)), strings.Compare(fold(x.FirstName), fold(y.FirstName)), strings.Compare(a, b))
		})
		for _, limit := range []int{0, 5} {
			var got []string
			for _, e := range c.Directory(q, limit) {
				got = append(got, e.Matricule)
			}
			w := want
			if limit > 0 && len(w) > limit {
				w = w[:limit]
			}
			if !slices.Equal(got, w) {
				t.Errorf("Directory(%q, %d) = %v, want %v", q, limit, got, w)
			}
		}
	}
}

// BenchmarkStudentByEmail: a lookup by email (what every registration
// checks) costs the same with 1,000 or 50,000 students registered.
func BenchmarkStudentByEmail(b *testing.B) {
	for _, n := range []int{1_000, 50_000} {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			c := projections.NewCohort()
			for i := range n {
				mat := fmt.Sprintf("HE%06d", i)
				c.Apply(registered(uint64(i+1), mat, strings.ToLower(mat)+"@student.be"))
			}
			i := 0
			for b.Loop() {
				if _, ok := c.StudentByEmail(fmt.Sprintf("new%06d@student.be", i)); ok {
					b.Fatal("found a student never registered")
				}
				i++
			}
		})
	}
}

// BenchmarkDirectory: the whole directory, sorted by folded names.
func BenchmarkDirectory(b *testing.B) {
	c := projections.NewCohort()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 10_000 {
		mat := fmt.Sprintf("HE%06d", i)
		rec := registered(uint64(i+1), mat, strings.ToLower(mat)+"@student.be")
		e := rec.Event.(events.StudentRegistered)
		e.LastName, e.FirstName = fmt.Sprintf("Émile-%04d", r.IntN(5000)), fmt.Sprintf("Zoé %d", r.IntN(100))
		rec.Event = e
		c.Apply(rec)
	}
	for b.Loop() {
		if got := c.Directory("", 0); len(got) != 10_000 {
			b.Fatalf("%d entries", len(got))
		}
	}
}
