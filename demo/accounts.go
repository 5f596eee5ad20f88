package demo

import (
	"slices"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
)

// Account is an identity to sign in as in the demo.
type Account struct {
	ID, Name string
	Roles    []string // auth role constants
	UEs      []string // for teachers
	// Programmes for the secretariat.
	Programmes []string
	// What says in one French line what this person can do in the demo.
	What string
}

// Identity is the account as the handlers and tokens know it.
func (a Account) Identity() auth.Identity {
	return auth.Identity{ID: a.ID, Name: a.Name, Roles: slices.Clone(a.Roles), UEs: slices.Clone(a.UEs), Programmes: slices.Clone(a.Programmes)}
}

// The programme, year and sheet of the demo.
const (
	Programme = "MIAS"
	Year      = "2025-2026"
	// OpenUE is the UE whose Q3 sheet is left empty for the newcomer.
	OpenUE = "1/9"
)

// The staff. Jury members sign in under their own account (jury.*), apart
// from the one they teach under (prof.*): one role per account keeps what
// each screen shows clear.
var (
	secretariat = Account{ID: "secr.dubois", Name: "Nathalie Dubois", Roles: []string{auth.Secretariat}, Programmes: []string{"MIAS"},
		What: "secrétariat : inscriptions, PAE, calendrier, certificats médicaux (CM), réouverture des feuilles, publication des résultats"}

	teachers = []Account{
		teacher("prof.lambert", "Claire Lambert", "enseignante de l'UE 1/9 : la feuille Q3 (seconde session) est ouverte et vide, à compléter puis à déposer", OpenUE),
		teacher("prof.collin", "Benoît Collin", "enseignant des UE 1/4, 1/5 et 1/13 : feuilles Q1 et Q2 déposées (un échec et une absence ABS en janvier)", "1/4", "1/5", "1/13"),
		teacher("prof.gerard", "Sophie Gérard", "enseignante des UE 1/6, 1/7 et 1/14 : feuilles Q1 et Q2 déposées, un CM posé par le secrétariat", "1/6", "1/7", "1/14"),
		teacher("prof.wathelet", "Luc Wathelet", "enseignant des UE 1/8 et 1/10 (cotes uniques) : feuilles Q1, Q2 et Q3 déposées", "1/8", "1/10"),
		teacher("prof.boulanger", "Inès Boulanger", "enseignante des UE 1/11 et 1/12 (stage) : feuilles Q2 et Q3 déposées, une note corrigée après recours", "1/11", "1/12"),
		teacher("prof.thiry", "Marc Thiry", "enseignant des UE 2/1, 2/2, 2/3 et 2/6 (bloc 2) : feuilles Q2 déposées", "2/1", "2/2", "2/3", "2/6"),
		teacher("prof.renard", "Julie Renard", "enseignante des UE 2/4, 2/5, 2/7 et 2/8 (bloc 2) : feuilles Q1 déposées", "2/4", "2/5", "2/7", "2/8"),
		teacher("prof.hardy", "Olivier Hardy", "enseignant des UE 2/9, 2/10 et 2/11 (mémoire et stage) : feuilles Q2 et Q3 déposées", "2/9", "2/10", "2/11"),
	}

	// jury lists the members, president and secretary first.
	jury = []member{
		{Account{ID: "jury.delvaux", Name: "Anne Delvaux", Roles: []string{auth.Jury},
			What: "présidente du jury : ouvrir la délibération Q3 (une fois la feuille 1/9 déposée), décider, clôturer ; recours de juillet (un fondé, un rejeté)"}, "HELMo"},
		{Account{ID: "jury.thiry", Name: "Marc Thiry", Roles: []string{auth.Jury},
			What: "secrétaire du jury : ouvrir et clôturer les délibérations, procès-verbaux Q1 et Q2"}, "HEPL"},
		{Account{ID: "jury.gerard", Name: "Sophie Gérard", Roles: []string{auth.Jury},
			What: "membre du jury : dossiers, propositions et décisions Q1 et Q2, simulations (what-if)"}, "HELMo"},
		{Account{ID: "jury.wathelet", Name: "Luc Wathelet", Roles: []string{auth.Jury},
			What: "membre du jury : dossiers, décisions, crédits délibérés, rejeu des délibérations"}, "HEPL"},
		{Account{ID: "jury.boulanger", Name: "Inès Boulanger", Roles: []string{auth.Jury},
			What: "membre du jury : dossiers et décisions Q1 et Q2, historique des notes corrigées"}, "HELMo"},
		{Account{ID: "jury.hardy", Name: "Olivier Hardy", Roles: []string{auth.Jury},
			What: "membre du jury : dossiers des étudiants de bloc 2, diplômes et mentions"}, "HEPL"},
	}

	auditor = Account{ID: "audit.martin", Name: "Paul Martin", Roles: []string{auth.Auditor},
		What: "auditeur : lecture seule ; historique de chaque étudiant (qui, quand, pourquoi), procès-verbaux, rejeu des délibérations"}
)

// member is a jury member: their account and institution.
type member struct {
	Account
	institution string
}

func teacher(id, name, what string, ues ...string) Account {
	return Account{ID: id, Name: name, Roles: []string{auth.Teacher}, UEs: ues, What: what}
}

// teacherOf returns the teacher responsible for ue.
func teacherOf(ue string) (Account, bool) {
	for _, t := range teachers {
		if slices.Contains(t.UEs, ue) {
			return t, true
		}
	}
	return Account{}, false
}

// juryMembers is the jury's composition: each member teaches the UEs of
// their teacher account of the same name.
func juryMembers() []events.JuryMember {
	var out []events.JuryMember
	for _, m := range jury {
		jm := events.JuryMember{ID: m.ID, Name: m.Name, Institution: m.institution}
		for _, t := range teachers {
			if t.Name == m.Name {
				jm.Teaches = slices.Clone(t.UEs)
			}
		}
		out = append(out, jm)
	}
	return out
}

// staff lists the accounts that do not depend on the generated cohort, in
// the order Demo.Accounts gives them.
func staff() []Account {
	out := []Account{secretariat}
	out = append(out, teachers...)
	for _, m := range jury {
		out = append(out, m.Account)
	}
	return append(out, auditor)
}
