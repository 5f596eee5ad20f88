package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Names are drawn from small built-in lists of first and last names common
// in Wallonia and Brussels; none is a staff member's.
var (
	womenNames = []string{"Camille", "Julie", "Emma", "Léa", "Manon", "Chloé", "Laura", "Sarah", "Marie", "Charlotte",
		"Élise", "Amandine", "Pauline", "Lucie", "Noémie", "Juliette", "Margaux", "Océane", "Justine", "Aurélie"}
	menNames = []string{"Thomas", "Maxime", "Nicolas", "Julien", "Antoine", "Romain", "Simon", "Arnaud", "Mathieu", "Louis",
		"Hugo", "Quentin", "Florian", "Cédric", "Benjamin", "Gaëtan", "Jérôme", "Sébastien", "Kevin", "François"}
	lastNames = []string{"Dupont", "Lambotte", "Lejeune", "Wilmotte", "Goffin", "Mertens", "Peeters", "Jacobs", "Maes", "Janssens",
		"Lemaire", "Fontaine", "Leclercq", "Dumont", "Hubert", "Collard", "Lefèbvre", "Bodart", "Piette", "Dethier",
		"Defays", "Close", "Gillet", "Henrard", "Hennen", "Lhoest", "Schmitz", "Delhez", "Bastin", "Englebert",
		"Gonay", "Pirard", "Noël", "Thonon", "Kaiser", "Dewez", "Wéry", "Van Damme", "Delcourt", "Crahay"}
)

// student is one generated student.
type student struct {
	Matricule, FirstName, LastName, Email string
	Woman                                 bool
	Bloc                                  int
	Role                                  role
	// Ability is the student's usual mark, in half points (24 is 12/20).
	Ability int
}

// cohort generates n students deterministically from seed: matricules
// HE25xxxx, names from the lists, emails prenom.nom@student.helmo.be, the
// bloc-2 students and the roles of the scenario (see roles).
func cohort(n int, seed int64) []student {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x64656d6f)) // "demo"
	numbers := rng.Perm(9000)
	lasts := slices.Clone(lastNames)
	rng.Shuffle(len(lasts), func(i, j int) { lasts[i], lasts[j] = lasts[j], lasts[i] })
	out := make([]student, n)
	emails := map[string]bool{}
	for i := range out {
		s := &out[i]
		s.Matricule = fmt.Sprintf("HE25%04d", 1000+numbers[i])
		s.Woman = rng.IntN(2) == 0
		if s.Woman {
			s.FirstName = womenNames[rng.IntN(len(womenNames))]
		} else {
			s.FirstName = menNames[rng.IntN(len(menNames))]
		}
		s.LastName = lasts[i%len(lasts)]
		base := ascii(s.FirstName) + "." + ascii(s.LastName)
		s.Email = base + "@student.helmo.be"
		for k := 2; emails[s.Email]; k++ {
			s.Email = fmt.Sprintf("%s%d@student.helmo.be", base, k)
		}
		emails[s.Email] = true
		s.Bloc, s.Ability = 1, 22+rng.IntN(11) // 11 to 16
	}
	// The bloc-2 students, then the roles of bloc 1, go to students drawn
	// at random.
	order := rng.Perm(n)
	bloc2 := max(len(bloc2Roles), n/8)
	for k, i := range order[:bloc2] {
		s := &out[i]
		s.Bloc, s.Ability = 2, 26+rng.IntN(7) // 13 to 16
		if k < len(bloc2Roles) {
			s.Role = bloc2Roles[k]
		}
	}
	for k, i := range order[bloc2 : bloc2+len(bloc1Roles)] {
		out[i].Role = bloc1Roles[k]
		out[i].Ability = min(out[i].Ability, 26) // role students are average ones
	}
	for i := range out {
		if out[i].Role == roleGraduate {
			out[i].Ability = 31 + rng.IntN(4) // 15.5 to 17: a mention
		}
	}
	slices.SortFunc(out, func(a, b student) int { return strings.Compare(a.Matricule, b.Matricule) })
	return out
}

// minStudents is the smallest cohort that holds every role of the scenario.
var minStudents = len(bloc1Roles) + len(bloc2Roles)

// ascii is a name as an email holds it: lower case, no accents, spaces or
// apostrophes.
func ascii(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i",
		"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", " ", "", "'", "", "-", "")
	return r.Replace(strings.ToLower(s))
}

// pronoun helpers for the French lines.
func (s student) e() string {
	if s.Woman {
		return "e"
	}
	return ""
}

func (s student) name() string { return s.FirstName + " " + s.LastName }
