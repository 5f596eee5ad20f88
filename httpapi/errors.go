package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/i18n"
)

// problemBody is the body of every error answer.
type problemBody struct {
	Error    string             `json:"error"`
	Problems []handlers.Problem `json:"problems,omitempty"`
	Current  any                `json:"current,omitempty"`
}

// statusOf maps a refusal reason to its status.
var statusOf = map[handlers.Reason]int{
	handlers.Invalid:     http.StatusUnprocessableEntity,
	handlers.NotFound:    http.StatusNotFound,
	handlers.Forbidden:   http.StatusForbidden,
	handlers.Conflict:    http.StatusConflict,
	handlers.Unavailable: http.StatusServiceUnavailable,
}

// writeError answers err: a refusal with its status and problems, a
// request the client got wrong with 400, an unauthenticated one with 401,
// a full log with 507, anything else with 500 (logged, not shown).
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ref *handlers.Refusal
	var bad *badRequest
	switch {
	case errors.As(err, &ref):
		w.Header().Add("Vary", "Accept-Language")
		writeJSON(w, statusOf[ref.Reason], problemBody{Error: ref.Error(), Problems: rulesIn(r, ref.Problems), Current: ref.Current})
	case errors.As(err, &bad):
		writeJSON(w, http.StatusBadRequest, problemBody{Error: bad.Error()})
	case errors.Is(err, errUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="gradelog"`)
		writeJSON(w, http.StatusUnauthorized, problemBody{Error: err.Error()})
	case errors.Is(err, eventlog.ErrFull):
		writeJSON(w, http.StatusInsufficientStorage, problemBody{Error: "the event log is full; nothing was written"})
	default:
		slog.Error("request failed", "route", r.Pattern, "err", err)
		writeJSON(w, http.StatusInternalServerError, problemBody{Error: "internal error; nothing was written unless the answer to a retry says so"})
	}
}

// rulesIn are ps with their rules in the language the request prefers
// (Accept-Language: English unless it prefers French); fields keep the
// API's names, which clients match on.
func rulesIn(r *http.Request, ps []handlers.Problem) []handlers.Problem {
	tag := i18n.Accept(r.Header.Get("Accept-Language"))
	if !i18n.IsFrench(tag) {
		return ps
	}
	out := make([]handlers.Problem, len(ps))
	for i, p := range ps {
		out[i] = p.In(tag)
		out[i].Field = p.Field
	}
	return out
}

// badRequest is a request that cannot be read (not JSON, wrong types).
type badRequest struct{ msg string }

func (b *badRequest) Error() string { return b.msg }

var errUnauthenticated = errors.New("authentication required")

// StatusOf is the HTTP status of a refusal's reason: the web interface
// answers a refusal with the same status as the API.
func StatusOf(reason handlers.Reason) int { return statusOf[reason] }
