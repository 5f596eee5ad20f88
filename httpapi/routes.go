package httpapi

import "net/http"

// route is one entry of the HTTP surface.
type route struct {
	method, pattern string
	handler         http.Handler
}

// sheet is the path of a grade sheet; a UE code such as 1/8 spans two
// segments.
const sheet = "/api/v1/sheets/{year}/{session}/{bloc}/{num}"

// whatIf is the path of a what-if: a POST that writes nothing.
const whatIf = deliberation + "/what-if"

// routes lists the whole HTTP surface of gradelog.
func (a *api) routes() []route {
	return []route{
		{"GET", "/healthz", http.HandlerFunc(handleHealthz)},
		{"GET", "/readyz", handleReadyz(a.Ready, a.lag)},
		{"GET", "/api/v1/openapi.yaml", http.HandlerFunc(handleOpenAPI)},

		{"GET", "/api/v1/students", a.read(a.students)},
		{"POST", "/api/v1/students", a.write(a.registerStudent)},
		{"GET", "/api/v1/students/{matricule}", a.read(a.student)},
		{"POST", "/api/v1/students/{matricule}/admission", a.write(a.admitStudent)},
		{"PUT", "/api/v1/students/{matricule}/pae/{year}", a.write(a.validatePAE)},
		{"POST", "/api/v1/students/{matricule}/pae/{year}/amendments", a.write(a.amendPAE)},
		{"POST", "/api/v1/students/{matricule}/recognitions", a.write(a.recogniseCredits)},
		{"GET", "/api/v1/students/{matricule}/transcripts/{year}", a.read(a.transcript)},
		{"GET", "/api/v1/students/{matricule}/ledger", a.read(a.ledger)},
		{"GET", "/api/v1/students/{matricule}/readiness", a.read(a.readiness)},
		{"GET", "/api/v1/students/{matricule}/history", a.read(a.history)},
		{"GET", "/api/v1/students/{matricule}/dossiers/{year}/{session}", a.read(a.dossier)},
		{"GET", "/api/v1/students/{matricule}/diff", a.read(a.diff)},
		{"GET", "/api/v1/students/{matricule}/bundle", a.read(a.bundle)},

		{"GET", "/api/v1/audit/verification", a.read(a.verification)},
		{"GET", "/api/v1/audit/refusals", a.read(a.refusals)},

		{"GET", "/api/v1/sessions/{year}", a.read(a.sessions)},
		{"PUT", "/api/v1/sessions/{year}/{session}", a.write(a.scheduleSession)},
		{"GET", "/api/v1/sessions/{year}/{session}/sheets", a.read(a.sheetStatuses)},

		{"PUT", "/api/v1/juries/{programme}/{year}", a.write(a.constituteJury)},
		{"GET", "/api/v1/juries/{programme}/{year}", a.read(a.jury)},
		{"GET", deliberation, a.read(a.deliberationView)},
		{"POST", deliberation + "/open", a.write(a.openDeliberation)},
		{"POST", deliberation + "/decisions", a.write(a.recordDecision)},
		{"POST", deliberation + "/close", a.write(a.closeDeliberation)},
		{"POST", deliberation + "/publication", a.write(a.publishResults)},
		{"POST", deliberation + "/appeals", a.write(a.fileAppeal)},
		{"POST", deliberation + "/appeals/{appeal}/decision", a.write(a.decideAppeal)},
		{"GET", deliberation + "/minutes", a.read(a.minutes)},
		{"GET", deliberation + "/replay", a.read(a.replay)},
		{"POST", whatIf, a.read(a.whatIf)},

		{"GET", sheet, a.read(a.sheet)},
		{"POST", sheet + "/entries", a.write(a.recordEntries)},
		{"GET", sheet + "/entries/{student}", a.read(a.entry)},
		{"PUT", sheet + "/entries/{student}", a.write(a.putEntry)},
		{"POST", sheet + "/open", a.write(a.openSheet)},
		{"POST", sheet + "/submit", a.write(a.submitSheet)},
		{"POST", sheet + "/reopen", a.write(a.reopenSheet)},
		{"POST", sheet + "/extensions", a.write(a.extendDeadline)},
		{"GET", sheet + "/export.xlsx", a.read(a.exportXLSX)},
		{"GET", sheet + "/export.csv", a.read(a.exportCSV)},
		{"POST", sheet + "/import", a.write(a.importSheet)},
	}
}
