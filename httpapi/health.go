package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gradelog/gradelog/projections"
)

// handleHealthz answers while the process serves HTTP at all.
func handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the answer of /readyz.
type readiness struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Views says how far the views stand behind the log; absent when the
	// server runs no views.
	Views *projections.Lag `json:"views,omitempty"`
}

// lag is how far the views stand behind the log; nil without views.
func (a *api) lag() *projections.Lag {
	if a.Handlers == nil || a.Handlers.Views == nil {
		return nil
	}
	l := a.Handlers.Views.Lag()
	return &l
}

// handleReadyz answers 200 only when the event log answers and is still
// configured append-only; 503 with the reason otherwise. Either way it
// says how far the views stand behind the log: views behind or stalled do
// not make the server unready, since writes go on without them and every
// read says how far behind it is (Gradelog-Behind).
func handleReadyz(ready func(context.Context) error, lag func() *projections.Lag) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, readiness{Status: "unavailable", Error: err.Error(), Views: lag()})
			return
		}
		writeJSON(w, http.StatusOK, readiness{Status: "ready", Views: lag()})
	})
}
