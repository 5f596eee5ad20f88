package httpapi

import "strings"

// WriteRoutes lists every route that writes, as "METHOD PATTERN", for the
// tests that try them all. A what-if is a POST that writes nothing.
func WriteRoutes() []string {
	var out []string
	for _, r := range (&api{}).routes() {
		if (r.method == "POST" || r.method == "PUT") && r.pattern != whatIf {
			out = append(out, r.method+" "+r.pattern)
		}
	}
	return out
}

// ReadRoutes lists every route that reads under /api/v1, as "METHOD
// PATTERN".
func ReadRoutes() []string {
	var out []string
	for _, r := range (&api{}).routes() {
		if (r.method == "GET" || r.pattern == whatIf) && strings.HasPrefix(r.pattern, "/api/v1/") && r.pattern != "/api/v1/openapi.yaml" {
			out = append(out, r.method+" "+r.pattern)
		}
	}
	return out
}
