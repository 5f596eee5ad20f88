package demo

import (
	"fmt"
	"hash/fnv"

	"github.com/gradelog/gradelog/catalog"
)

// role is what happens to a student in the scenario beyond ordinary marks
// (10/20 and above).
type role int

const (
	ordinary role = iota
	// bloc 1
	roleAbsentQ1       // ABS on 1/5 in January, passes it in June
	roleCertifiedQ1    // CM on 1/7 in January (the secretariat), passes it in June
	roleGrantedQ1      // 1/6 at 9 in January, granted by the jury
	roleRefusedQ1      // 1/14 at 8 in January, refused, passes it in June
	roleFailedQ1       // 1/4 at 5 in January, passes it in June
	roleGrantedQ2      // 1/12 at 9 in June, granted: year passed
	roleAppeal         // 1/11 at 7 in June: ajourné; appeal upheld, mark corrected to 11, year passed
	roleResitCarried   // 1/9 at 9 in June (practical work 6), refused: re-sits the practical work in Q3
	roleResitAbsent    // 1/9 in June with ABS on the practical work: re-sits it in Q3
	roleResitWhole     // 1/9 at 7 in June: re-sits both activities in Q3
	roleResitStage     // 1/12 at 7 in June, 9 in Q3 (for the Q3 jury to deliberate)
	roleResitCertified // CM on 1/10 in June (the secretariat), 13 in Q3
	roleAppealRejected // 1/12 at 6 in June: appeal rejected, 12 in Q3
	// bloc 2 (bloc 1 recognised)
	roleGraduate  // every mark high: degree with a mention in June
	roleGrantedB2 // 2/3 at 9, granted: degree in June
	roleResitB2   // 2/9 at 7 in June, 14 in Q3
)

var (
	bloc1Roles = []role{roleAbsentQ1, roleCertifiedQ1, roleGrantedQ1, roleRefusedQ1, roleFailedQ1, roleGrantedQ2, roleAppeal,
		roleResitCarried, roleResitAbsent, roleResitWhole, roleResitStage, roleResitCertified, roleAppealRejected}
	bloc2Roles = []role{roleGraduate, roleGrantedB2, roleResitB2}
)

// The UEs of each bloc: a bloc-1 student's PAE, a bloc-2 student's PAE
// (their bloc 1 recognised).
var (
	bloc1UEs = []string{"1/4", "1/5", "1/6", "1/7", "1/8", "1/9", "1/10", "1/11", "1/12", "1/13", "1/14"}
	bloc2UEs = []string{"2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/10", "2/11"}
)

// The activities of 1/9 (its sheet has one column per activity).
const (
	methods   = "Méthodologies"
	practical = "Travaux pratiques"
)

// cell names one value of the plan: a UE at a session, one activity ("":
// the UE's column, or every activity).
type cell struct {
	ue      string
	session catalog.Session
	act     string
}

// overrides are the roles' values; a value for activity "" stands for
// every column of the UE.
var overrides = map[role]map[cell]string{
	roleAbsentQ1:       {{"1/5", catalog.Q1, ""}: "ABS", {"1/5", catalog.Q2, ""}: "12"},
	roleCertifiedQ1:    {{"1/7", catalog.Q1, ""}: "CM", {"1/7", catalog.Q2, ""}: "13"},
	roleGrantedQ1:      {{"1/6", catalog.Q1, ""}: "9"},
	roleRefusedQ1:      {{"1/14", catalog.Q1, ""}: "8", {"1/14", catalog.Q2, ""}: "13"},
	roleFailedQ1:       {{"1/4", catalog.Q1, ""}: "5", {"1/4", catalog.Q2, ""}: "11"},
	roleGrantedQ2:      {{"1/12", catalog.Q2, ""}: "9"},
	roleAppeal:         {{"1/11", catalog.Q2, ""}: "7"},
	roleResitCarried:   {{"1/9", catalog.Q2, methods}: "13", {"1/9", catalog.Q2, practical}: "6"},
	roleResitAbsent:    {{"1/9", catalog.Q2, methods}: "11", {"1/9", catalog.Q2, practical}: "ABS"},
	roleResitWhole:     {{"1/9", catalog.Q2, ""}: "7"},
	roleResitStage:     {{"1/12", catalog.Q2, ""}: "7", {"1/12", catalog.Q3, ""}: "9"},
	roleResitCertified: {{"1/10", catalog.Q2, ""}: "CM", {"1/10", catalog.Q3, ""}: "13"},
	roleAppealRejected: {{"1/12", catalog.Q2, ""}: "6", {"1/12", catalog.Q3, ""}: "12"},
	roleGrantedB2:      {{"2/3", catalog.Q2, ""}: "9"},
	roleResitB2:        {{"2/9", catalog.Q2, ""}: "7", {"2/9", catalog.Q3, ""}: "14"},
}

// refusals are the UEs the jury refuses although they are within the
// criteria, with its motivation.
var refusals = map[role]map[cell]string{
	roleRefusedQ1:    {{"1/14", catalog.Q1, ""}: "note de 8/20 à un examen écrit de janvier : le jury préfère que l'UE soit représentée en juin"},
	roleResitCarried: {{"1/9", catalog.Q2, ""}: "travaux pratiques très insuffisants (6/20) : ils sont à représenter en septembre"},
}

// The appeals of July: the upheld one corrects a mark.
const (
	appealUE        = "1/11"
	appealMark      = "11"
	appealGrounds   = "l'épreuve orale de l'UE 1/11 s'est tenue devant un seul examinateur, alors que le règlement en prévoit deux"
	appealUpheld    = "irrégularité établie : l'épreuve est réévaluée par deux examinateurs sur la base de l'enregistrement"
	appealReason    = "recours fondé : réévaluation de l'épreuve orale par deux examinateurs"
	appealRedecided = "nouvelle délibération après le recours fondé : l'UE 1/11 est acquise (11/20), l'année est réussie"
	rejectedGrounds = "l'étudiant conteste la note du stage (1/12), qu'il estime trop sévère"
	rejectedVerdict = "le recours ne fait état d'aucune irrégularité dans le déroulement de l'évaluation ; l'appréciation du stage relève des évaluateurs"
)

// value is what a student gets on one column of a sheet: a role's value,
// else an ordinary mark around their ability (10 to 19, in half points),
// the same for a seed wherever it is asked.
func (s student) value(seed int64, ue string, session catalog.Session, act string) string {
	if v, ok := overrides[s.Role][cell{ue, session, act}]; ok {
		return v
	}
	if v, ok := overrides[s.Role][cell{ue, session, ""}]; ok {
		return v
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s|%s|%s", seed, s.Matricule, ue, session, act)
	halves := s.Ability + int(h.Sum64()%11) - 5
	halves = min(max(halves, 20), 38)
	if halves%2 == 1 {
		return fmt.Sprintf("%d.5", halves/2)
	}
	return fmt.Sprint(halves / 2)
}

// refusal returns the jury's motivation when it refuses ue at session.
func (s student) refusal(ue string, session catalog.Session) (string, bool) {
	m, ok := refusals[s.Role][cell{ue, session, ""}]
	return m, ok
}

// certified lists the justified absences (CM) of a session, which the
// secretariat records before the teachers fill their sheets.
func certified(students []student, session catalog.Session) []absence {
	var out []absence
	for _, s := range students {
		for c, v := range overrides[s.Role] {
			if v == "CM" && c.session == session {
				out = append(out, absence{s, c.ue})
			}
		}
	}
	return out
}

// absence is a justified absence from the evaluation of a UE.
type absence struct {
	student student
	ue      string
}

// pae is a student's annual programme.
func (s student) pae() []string {
	if s.Bloc == 2 {
		return bloc2UEs
	}
	return bloc1UEs
}

// admission basis and, for bloc 2, the prior studies recognised.
func (s student) basis() string {
	if s.Bloc == 2 {
		return "master en sciences sociales (ULiège) : valorisation du bloc 1"
	}
	return [...]string{"bachelier assistant social", "bachelier éducateur spécialisé", "bachelier en sciences humaines et sociales"}[len(s.LastName)%3]
}
