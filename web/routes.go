package web

import "net/http"

type route struct {
	pattern string
	handler http.Handler
}

// sheet is the path of a grade sheet page; a UE code such as 1/8 spans two
// segments.
const sheet = "/feuilles/{year}/{session}/{bloc}/{num}"

// deliberation is the path of a deliberation page.
const deliberation = "/deliberations/{year}/{session}"

// student is the path of a student's pages.
const student = "/etudiants/{matricule}"

// routes lists every page and form of the interface.
func (u *ui) routes() []route {
	return []route{
		{"GET /static/", http.StripPrefix("/static/", staticFiles())},
		{"GET /connexion", http.HandlerFunc(u.signInPage)},
		{"POST /connexion", http.HandlerFunc(u.signIn)},
		{"GET /connexion/institution", http.HandlerFunc(u.oidcBegin)},
		{"GET /connexion/institution/retour", http.HandlerFunc(u.oidcFinish)},
		{"POST /deconnexion", http.HandlerFunc(u.signOut)},
		{"GET /{$}", u.page(u.home)},

		{"GET /feuilles", u.page(u.sheets)},
		{"GET " + sheet, u.page(u.sheet)},
		{"POST " + sheet + "/saisie", u.form(u.saveSheet, u.sheet)},
		{"POST " + sheet + "/import", u.post(u.importSheet)},
		{"POST " + sheet + "/remise", u.form(u.submitSheet, u.sheet)},
		{"POST " + sheet + "/reouverture", u.form(u.reopenSheet, u.sheet)},
		{"POST " + sheet + "/prolongation", u.form(u.extendDeadline, u.sheet)},

		{"GET /etudiants", u.page(u.students)},
		{"GET " + student, u.page(u.studentPage)},
		{"POST " + student + "/pae", u.form(u.validatePAE, u.studentPage)},
		{"POST " + student + "/absence", u.form(u.justifyAbsence, u.studentPage)},
		{"GET /sessions", u.page(u.sessions)},
		{"POST /sessions", u.form(u.scheduleSession, u.sessions)},

		{"GET /deliberations", u.page(u.deliberations)},
		{"GET " + deliberation, u.page(u.deliberation)},
		{"POST " + deliberation + "/ouverture", u.form(u.openDeliberation, u.deliberation)},
		{"POST " + deliberation + "/decisions", u.form(u.decide, u.deliberation)},
		{"POST " + deliberation + "/cloture", u.form(u.closeDeliberation, u.deliberation)},
		{"GET " + deliberation + "/rejeu", u.page(u.replay)},
		{"POST " + deliberation + "/publication", u.form(u.publishResults, u.deliberation)},
		{"POST " + deliberation + "/simulation", u.post(u.whatIf)}, // writes nothing

		{"GET /audit", u.page(u.audit)},
		{"GET " + student + "/historique", u.page(u.timeline)},
		{"GET " + student + "/comparaison", u.page(u.diff)},
		{"GET /audit/verification", u.page(u.verification)},

		{"GET /releve", u.page(u.myTranscript)},

		// Any other address: a page in French that says so (a form's
		// address read with GET included).
		{"GET /", u.page(u.notFound)},
	}
}
