package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/handlers"
)

// maxBody bounds a request body (an uploaded sheet included).
const maxBody = 8 << 20

// call is one authenticated request.
type call struct {
	r    *http.Request
	id   auth.Identity
	key  string // the idempotency key, scoped to the actor; "" for none
	body []byte
}

// reply is an answer: JSON, or a file when raw is set.
type reply struct {
	status      int
	body        any
	raw         []byte
	contentType string
	filename    string
	etag        string
	position    *uint64 // the log position a view reflects (Gradelog-Position)
}

type endpoint func(c *call) (reply, error)

// recordRefusedToken records refused credentials (a token, or a session
// cookie without its CSRF token) as a refused sign-in.
func (a *api) recordRefusedToken(r *http.Request, err error, locked bool) {
	why := err.Error()
	if locked {
		why += "; further attempts are throttled"
	}
	if a.Handlers == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if rerr := a.Handlers.SignInRefused(ctx, "", "API token", auth.ClientAddr(r), why); rerr != nil {
		slog.Error("recording refused credentials", "route", r.Pattern, "err", rerr)
	}
}

func (a *api) authenticate(r *http.Request) (auth.Identity, error) {
	if a.Key == nil {
		return auth.Identity{}, fmt.Errorf("%w: no signing key configured", errUnauthenticated)
	}
	id, err := a.Key.Authenticate(r, a.Now())
	if err != nil {
		return auth.Identity{}, fmt.Errorf("%w: %w", errUnauthenticated, err)
	}
	return id, nil
}

// read serves a request that writes nothing (a what-if has a body).
func (a *api) read(fn endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := a.begin(w, r)
		if !ok {
			return
		}
		rep, err := fn(c)
		a.respond(w, c, rep, err)
	})
}

// begin authenticates a request and reads its body (at most maxBody
// bytes); on failure it has answered, and ok is false. Refused
// credentials are throttled per client address and recorded.
func (a *api) begin(w http.ResponseWriter, r *http.Request) (c *call, ok bool) {
	id, err := a.authenticate(r)
	// A refused bearer token counts against the address, and is recorded
	// until the address is throttled. An expired session cookie (the sheet
	// page's script after hours) or no credentials at all is not an attempt
	// on anything. Valid tokens are never throttled.
	if err != nil && a.Key != nil && r.Header.Get("Authorization") != "" {
		attempt, wait := a.Throttle.Begin(time.Now(), "addr "+auth.ClientAddr(r))
		if attempt == nil {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
			writeJSON(w, http.StatusTooManyRequests, problemBody{Error: fmt.Sprintf("too many refused credentials from this address; retry in %s", wait)})
			return nil, false
		}
		a.recordRefusedToken(r, err, attempt.Done(false, time.Now()))
	}
	if err != nil {
		writeError(w, r, err)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, r, &badRequest{fmt.Sprintf("request body: %v (at most %d bytes)", err, maxBody)})
		return nil, false
	}
	return &call{r: r, id: id, body: body}, true
}

// respond writes an endpoint's answer, or its error; a refusal for want
// of a right is recorded first (handlers.Refused). Every answer says how
// far the views stand behind the log (lagHeaders).
func (a *api) respond(w http.ResponseWriter, c *call, rep reply, err error) {
	if err != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.Context()), 10*time.Second)
		defer cancel()
		if rerr := a.Handlers.Refused(ctx, c.id, c.r.Pattern, c.r.URL.Path, err); rerr != nil {
			slog.Error("recording a refused attempt", "route", c.r.Pattern, "err", rerr)
		}
		a.lagHeaders(w)
		writeError(w, c.r, err)
		return
	}
	a.lagHeaders(w)
	writeReply(w, rep)
}

// lagHeaders sets, beside the Gradelog-Position a view answer carries
// (writeReply), the log's last position as this server knows it
// (Gradelog-Log-Position) and how many of its records the views have not
// applied yet (Gradelog-Behind), taken when the answer is written: after
// any wait for min_position.
func (a *api) lagHeaders(w http.ResponseWriter) {
	if a.Handlers == nil || a.Handlers.Views == nil {
		return
	}
	lag := a.Handlers.Views.Lag()
	w.Header().Set("Gradelog-Log-Position", strconv.FormatUint(lag.Log, 10))
	w.Header().Set("Gradelog-Behind", strconv.FormatUint(lag.Behind, 10))
}

// write serves a command. With an Idempotency-Key, a retry gets the first
// successful answer again and writes nothing; the same key with another
// request is refused.
func (a *api) write(fn endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := a.begin(w, r)
		if !ok {
			return
		}
		cmd := handlers.Command{ID: uuid.NewString(), What: r.Method + " " + r.URL.Path, Correlation: r.Header.Get("X-Correlation-ID")}
		if len(cmd.Correlation) > 200 || strings.ContainsFunc(cmd.Correlation, func(r rune) bool { return r < ' ' || r > '~' }) {
			writeError(w, r, &badRequest{"X-Correlation-ID: at most 200 printable ASCII characters"})
			return
		}
		c.r = r.WithContext(handlers.WithCommand(r.Context(), cmd))
		w.Header().Set("Gradelog-Command", cmd.ID)
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		if key == "" {
			rep, err := fn(c)
			a.respond(w, c, rep, err)
			return
		}
		if len(key) > 200 {
			writeError(w, r, &badRequest{"Idempotency-Key: at most 200 characters"})
			return
		}
		c.key = c.id.ID + "/" + key
		fp := fingerprint(r, c.body)
		rep, replayed, err := a.replies.do(c.key, fp, func() (reply, error) { return fn(c) })
		if replayed && err == nil {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		a.respond(w, c, rep, err)
	})
}

func writeReply(w http.ResponseWriter, rep reply) {
	if rep.etag != "" {
		w.Header().Set("ETag", rep.etag)
	}
	if rep.position != nil {
		w.Header().Set("Gradelog-Position", strconv.FormatUint(*rep.position, 10))
	}
	if rep.raw == nil {
		writeJSON(w, rep.status, rep.body)
		return
	}
	w.Header().Set("Content-Type", rep.contentType)
	if rep.filename != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", rep.filename))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.raw)
}

// decode reads the JSON body into v, refusing unknown fields.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &badRequest{fmt.Sprintf("request body: %v", err)}
	}
	// Decoder.More reports no more values before a stray ']' or '}', so
	// check the rest of the body directly.
	if len(bytes.TrimLeft(c.body[dec.InputOffset():], " \t\r\n")) > 0 {
		return &badRequest{"request body: trailing data after the JSON value"}
	}
	return nil
}

func ok(body any) reply      { return reply{status: http.StatusOK, body: body} }
func created(body any) reply { return reply{status: http.StatusCreated, body: body} }
