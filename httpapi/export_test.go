package httpapi

import "strings"

// WriteRoutes and ReadRoutes list, as "METHOD PATTERN", the routes under
// /api/v1 that write and those that read (a what-if is a POST that writes
// nothing), for the tests that try them all.
func WriteRoutes() []string { return apiRoutes(true) }
func ReadRoutes() []string  { return apiRoutes(false) }

func apiRoutes(writes bool) []string {
	var out []string
	for _, r := range (&api{}).routes() {
		write := (r.method == "POST" || r.method == "PUT") && r.pattern != whatIf
		if write == writes && strings.HasPrefix(r.pattern, "/api/v1/") && r.pattern != "/api/v1/openapi.yaml" {
			out = append(out, r.method+" "+r.pattern)
		}
	}
	return out
}
