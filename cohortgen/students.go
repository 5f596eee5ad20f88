package cohortgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/handlers"
)

// student is a generated student.
type student struct {
	Mat, First, Last, Email string
	ability                 float64 // their usual mark
	admission               admission
}

// admission is how a student entered the programme.
type admission int

const (
	bachelor     admission = iota // a matching bachelor: bloc 1
	vae                           // VAE: the admission complements and bloc 1
	valorisation                  // bloc 1 recognised by the jury: bloc 2
)

var (
	complements = []string{"1/1", "1/2", "1/3"}
	firstNames  = []string{"Amélie", "Lucas", "Emma", "Noah", "Louise", "Arthur", "Olivia", "Louis", "Alice", "Jules",
		"Léa", "Adam", "Chloé", "Victor", "Camille", "Hugo", "Manon", "Nathan", "Zoé", "Théo", "Inès", "Gabriel",
		"Juliette", "Mohamed", "Sarah", "Elias", "Lina", "Tom", "Clara", "Maxime", "Nora", "Youssef", "Anaïs", "Simon",
		"Élise", "Rayan", "Margaux", "Sacha", "Jeanne", "Félix"}
	lastNames = []string{"Dubois", "Lambert", "Dupont", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
		"Claes", "Goossens", "Wouters", "De Smet", "Leclercq", "Renard", "Collin", "Gérard", "Wathelet", "Boulanger",
		"Thiry", "Hardy", "Lejeune", "Martin", "Simon", "Laurent", "Lemaire", "Dumont", "François", "Mathieu", "Denis",
		"Léonard", "Michel", "Hubert", "Lecomte", "Henrard", "Delvaux", "Charlier", "Piette", "Bodart", "Gilson",
		"El Amrani", "Benali", "Nguyen", "Kowalski", "Rossi", "Da Silva", "Yilmaz", "Diallo", "Moreau", "Fontaine"}
)

// newcomers makes the n students registered in year k.
func (g *gen) newcomers(k, n int) []*student {
	out := make([]*student, 0, max(n, 0))
	for range max(n, 0) {
		g.next++
		mat := fmt.Sprintf("GL%07d", g.next)
		r := g.rng("student", mat)
		s := &student{Mat: mat, First: firstNames[r.IntN(len(firstNames))], Last: lastNames[r.IntN(len(lastNames))],
			Email: strings.ToLower(mat) + "@etu.mias.example.be"}
		s.ability = min(max(12.4+r.NormFloat64()*2.4, 4), 19)
		switch p := r.Float64(); {
		case p < 0.04:
			s.admission = valorisation
		case p < 0.14:
			s.admission = vae
		}
		out = append(out, s)
	}
	return out
}

// enrol registers and admits a new student of year k; the jury recognises
// bloc 1 for a student who enters bloc 2.
func (g *gen) enrol(k int, s *student) error {
	year := YearOf(k)
	if _, err := g.hs.RegisterStudent(g.command("register "+s.Mat), secretariat, "",
		handlers.Registration{Matricule: s.Mat, FirstName: s.First, LastName: s.Last, Email: s.Email}); err != nil {
		return fmt.Errorf("cohortgen: register %s: %w", s.Mat, err)
	}
	adm := handlers.Admission{Year: year, Basis: "bachelier assistant social", HasBachelor: true}
	switch s.admission {
	case vae:
		adm = handlers.Admission{Year: year, Basis: "VAE : expérience professionnelle de coordination (dossier validé)", Complements: complements}
	case valorisation:
		adm.Basis = "master en sciences sociales (ULiège) : valorisation du bloc 1"
	}
	if _, err := g.hs.AdmitStudent(g.command("admit "+s.Mat), secretariat, "", s.Mat, adm); err != nil {
		return fmt.Errorf("cohortgen: admit %s: %w", s.Mat, err)
	}
	if s.admission != valorisation {
		return nil
	}
	cat, _ := g.hs.Cohort.Documents(year)
	for _, ue := range cat.Catalog.UEs {
		if ue.Bloc != 1 || ue.Kind != catalog.Core {
			continue
		}
		if _, err := g.hs.RecogniseCredits(g.command("recognise "+ue.Code+" for "+s.Mat), President(), "", s.Mat, handlers.Recognition{
			Year: year, UE: ue.Code, Basis: "master en sciences sociales (ULiège), 2023-2025",
			Reason: "acquis d'apprentissage équivalents à ceux du bloc 1, dossier examiné par le jury"}); err != nil {
			return fmt.Errorf("cohortgen: recognise %s for %s: %w", ue.Code, s.Mat, err)
		}
		g.c.recognitions.Add(1)
	}
	return nil
}

// pae is a student's programme for year k: the admission complements not
// acquired yet (VAE), the bloc-1 UEs not acquired yet, and the bloc-2 UEs
// not acquired yet once 45 bloc-1 credits are.
func (g *gen) pae(k int, s *student, cat *catalog.Catalog) ([]string, error) {
	acquired := g.hs.Cohort.Standing(s.Mat, YearOf(k)).Acquired
	bloc1 := 0
	for _, ue := range cat.UEs {
		if ue.Bloc == 1 && ue.Kind == catalog.Core && acquired[ue.Code] {
			bloc1 += ue.Credits
		}
	}
	var out []string
	for _, ue := range cat.UEs {
		switch {
		case acquired[ue.Code]:
		case ue.Kind == catalog.Complement && s.admission == vae:
			out = append(out, ue.Code)
		case ue.Kind == catalog.Core && ue.Bloc == 1:
			out = append(out, ue.Code)
		case ue.Kind == catalog.Core && ue.Bloc == 2 && bloc1 >= 45:
			out = append(out, ue.Code)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cohortgen: %s has nothing left to follow in %s", s.Mat, YearOf(k))
	}
	return out, nil
}

// firstSession is the session a UE is first sat in: Q1 for the
// quadrimester UEs, Q2 for the annual ones.
func firstSession(ue catalog.UE) catalog.Session {
	if ue.HasSession(catalog.Q1) {
		return catalog.Q1
	}
	return catalog.Q2
}

// value is what a student gets on one column of a sheet: ABS or PP now and
// then, else a mark around their ability less the UE's difficulty, in
// half points from 0 to 20, typed with a comma a quarter of the time.
func (g *gen) value(s *student, year string, ue catalog.UE, q catalog.Session, col string) (string, bool) {
	r := g.rng("mark", s.Mat, year, ue.Code, string(q), col)
	switch p := r.Float64(); {
	case p < 0.012:
		return "ABS", false
	case p < 0.016:
		return "pp", false
	}
	m := s.ability - g.diff[ue.Code] + r.NormFloat64()*2
	if q != firstSession(ue) {
		m += 1.2 // a re-sit is prepared
	}
	m = min(max(math.Round(m*2)/2, 0), 20)
	v := strconv.FormatFloat(m, 'f', -1, 64)
	if r.IntN(4) == 0 {
		v = strings.Replace(v, ".", ",", 1)
	}
	return v, true
}
