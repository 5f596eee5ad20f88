// Package httpapi is gradelog's HTTP surface. routes.go lists every route;
// errors.go maps errors to statuses in one place; openapi.yaml documents
// the API and a test keeps the two equal.
//
// Every route under /api/v1 but the OpenAPI document takes a bearer token
// (auth); every write takes an optional Idempotency-Key, and a retry with
// the same key returns the first answer and writes nothing. A refusal's
// rules are in English, in French when Accept-Language prefers it.
package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
)

// Deps are what the API needs.
type Deps struct {
	// Ready reports whether the event log is reachable and append-only.
	Ready func(context.Context) error
	// Handlers run the commands and reads; Key verifies tokens.
	Handlers *handlers.Handlers
	Key      *auth.Key
	// Now is the clock tokens are checked against (time.Now if nil).
	Now func() time.Time
	// Throttle limits refused credentials per client address (a new one
	// if nil); the web interface's sign-in shares it.
	Throttle *auth.Throttle
}

// New returns the HTTP handler of the whole API.
func New(d Deps) http.Handler {
	a := &api{Deps: d, replies: newReplies(24 * time.Hour)}
	if a.Now == nil {
		a.Now = time.Now
	}
	if a.Throttle == nil {
		a.Throttle = auth.DefaultThrottle()
	}
	mux := http.NewServeMux()
	for _, r := range a.routes() {
		mux.Handle(r.method+" "+r.pattern, r.handler)
	}
	return mux
}

type api struct {
	Deps
	replies *replies
}
