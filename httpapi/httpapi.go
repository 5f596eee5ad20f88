// Package httpapi is gradelog's HTTP surface: routes.go lists every route,
// errors.go maps errors to statuses in one place.
package httpapi

import (
	"context"
	"net/http"
)

// Deps are what the handlers need. Each field is an interface declared by
// its consumer, so tests can pass the real parts.
type Deps struct {
	// Ready reports whether the event log is reachable and append-only.
	Ready func(context.Context) error
}

// New returns the HTTP handler of the whole API.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	routes(mux, d)
	return mux
}
