package main

// The client commands (student, pae, session, sheet) call a running
// gradelog server over its HTTP JSON API. This file is their plumbing:
// flags, requests, and how an error answer is shown.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Brussels wherever the CLI runs

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
)

// defaultServer is where serve listens by default.
const defaultServer = "http://127.0.0.1:8080"

// clientTimeout bounds one request, an upload included.
const clientTimeout = 2 * time.Minute

// brussels is the time zone of deadlines and sessions.
var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return l
}()

// newClientCmds returns the top-level commands that call the HTTP API.
func newClientCmds(e *env) []*cobra.Command {
	return []*cobra.Command{newStudentCmd(e), newPAECmd(e), newSessionCmd(e), newSheetCmd(e), newJuryCmd(e), newDeliberationCmd(e), newAppealCmd(e)}
}

const clientHelp = `
These commands call a running gradelog server ("gradelog serve") over its
HTTP API: --server (default $GRADELOG_SERVER, else ` + defaultServer + `)
with --token (default $GRADELOG_TOKEN), a token minted by "gradelog token".

Every write sends an Idempotency-Key: a fresh one per invocation unless
--idempotency-key is given. Re-running a command with the same key is safe:
the server answers as the first time and writes nothing again (-v prints the
key). A refused request prints each problem as
  field "value": rule
and exits with status 1.`

// clientFlags are the flags every client command takes, bound once on
// each top-level client command for all its subcommands.
type clientFlags struct {
	server, token string
	verbose       bool
}

// newClientGroup returns a top-level client command and its flags.
func newClientGroup(use, short, long string) (*cobra.Command, *clientFlags) {
	cf := &clientFlags{}
	cmd := &cobra.Command{Use: use, Short: short, Long: long + "\n" + clientHelp,
		// An unknown subcommand is an error, not the help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f := cmd.PersistentFlags()
	f.StringVar(&cf.server, "server", "", "URL of the gradelog server (default $GRADELOG_SERVER, else "+defaultServer+")")
	f.StringVar(&cf.token, "token", "", `token from "gradelog token" (default $GRADELOG_TOKEN)`)
	f.BoolVarP(&cf.verbose, "verbose", "v", false, "print each request, its idempotency key and the answer's status on stderr")
	return cmd, cf
}

// writeFlags are the flags of a command that writes.
type writeFlags struct{ key string }

func (wf *writeFlags) bind(f *pflag.FlagSet) {
	f.StringVar(&wf.key, "idempotency-key", "", "Idempotency-Key of the request (default: a fresh UUID); re-run with the same key to retry safely")
}

// client is one invocation's connection to the server.
type client struct {
	e       *env
	base    string // the server URL without a trailing slash
	token   string
	verbose bool
	http    *http.Client
	key     string // the idempotency key of this invocation's write
	// correlation ties together the writes of one invocation in the
	// history (an import's entries, for one).
	correlation string
}

// runE wraps a client command: it builds the client from the flags and
// shows an error answer the way every client command does.
func (cf *clientFlags) runE(e *env, wf *writeFlags, fn func(ctx context.Context, c *client, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c, err := cf.client(e)
		if err != nil {
			return err
		}
		if wf != nil {
			c.key = strings.TrimSpace(wf.key)
			if c.key == "" {
				c.key = uuid.NewString()
			}
			c.logf("idempotency key %s (re-run with --idempotency-key %s to retry safely)", c.key, c.key)
		}
		return c.shown(fn(cmd.Context(), c, args))
	}
}

func (cf *clientFlags) client(e *env) (*client, error) {
	server := strings.TrimSpace(cmp.Or(cf.server, e.getenv("GRADELOG_SERVER"), defaultServer))
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want an http:// or https:// URL, e.g. %s", server, defaultServer)
	}
	token := strings.TrimSpace(cmp.Or(cf.token, e.getenv("GRADELOG_TOKEN")))
	if token == "" {
		return nil, errors.New(`no token: pass --token or set GRADELOG_TOKEN; "gradelog token" mints one`)
	}
	return &client{e: e, base: strings.TrimRight(server, "/"), token: token, verbose: cf.verbose,
		http: &http.Client{Timeout: clientTimeout}, correlation: "cli " + uuid.NewString()}, nil
}

// logf prints a line on stderr in verbose mode.
func (c *client) logf(format string, args ...any) {
	if c.verbose {
		fmt.Fprintf(c.e.stderr, "gradelog: "+format+"\n", args...)
	}
}

// request is one call to the API.
type request struct {
	method, path string // path: below the server URL, segments escaped
	query        url.Values
	json         any    // the body, as JSON
	raw          []byte // or this body, of contentType
	contentType  string
	header       map[string]string
}

// response is an answer, of any status.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

// do sends a request and reads the whole answer, whatever its status. A
// write (POST, PUT) carries the invocation's idempotency key.
func (c *client) do(ctx context.Context, rq request) (*response, error) {
	target := c.base + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}
	var body io.Reader
	contentType := rq.contentType
	switch {
	case rq.raw != nil:
		body = bytes.NewReader(rq.raw)
	case rq.json != nil:
		data, err := json.Marshal(rq.json)
		if err != nil {
			return nil, err
		}
		body, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, target, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	write := rq.method == http.MethodPost || rq.method == http.MethodPut
	if write && c.key != "" {
		req.Header.Set("Idempotency-Key", c.key)
	}
	if write {
		req.Header.Set("X-Correlation-ID", c.correlation)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	c.logf("%s %s", rq.method, target)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(ctx, err, write)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, c.unreachable(ctx, err, write)
	}
	c.logf("%s %s: %s", rq.method, target, resp.Status)
	if resp.Header.Get("Idempotent-Replayed") == "true" {
		fmt.Fprintf(c.e.stderr, "gradelog: the server already answered idempotency key %s; this is its first answer and nothing was written again\n", c.key)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// unreachable explains a request that got no answer.
func (c *client) unreachable(ctx context.Context, err error, write bool) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return fmt.Errorf("cannot reach the gradelog server at %s: %v\nIs it running? Start it with \"gradelog serve\", or point --server (or GRADELOG_SERVER) at it", c.base, op.Err)
	}
	msg := fmt.Sprintf("no answer from the gradelog server at %s: %v", c.base, err)
	if write && c.key != "" {
		msg += fmt.Sprintf("\nThe request may or may not have been applied; re-run with --idempotency-key %s to find out safely", c.key)
	}
	return errors.New(msg)
}

// call sends a request and decodes a successful JSON answer into out (if
// not nil); any other answer is an *apiError.
func (c *client) call(ctx context.Context, rq request, out any) (*response, error) {
	resp, err := c.do(ctx, rq)
	if err != nil {
		return nil, err
	}
	if !resp.ok() {
		return resp, newAPIError(rq, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, fmt.Errorf("%s %s: answer is not the expected JSON: %v", rq.method, rq.path, err)
		}
	}
	return resp, nil
}

// apiError is an error answer: {"error", "problems", "current"}.
type apiError struct {
	method, path string
	status       int
	Message      string             `json:"error"`
	Problems     []handlers.Problem `json:"problems"`
	Current      json.RawMessage    `json:"current"`
	text         string             // the body, when it is not JSON
}

func newAPIError(rq request, resp *response) *apiError {
	ae := &apiError{method: rq.method, path: rq.path, status: resp.status}
	if err := json.Unmarshal(resp.body, ae); err != nil || ae.Message == "" && len(ae.Problems) == 0 {
		ae.text = strings.TrimSpace(string(resp.body))
	}
	return ae
}

func (ae *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", ae.method, ae.path, ae.status, http.StatusText(ae.status))
}

// verdict names a status for the person who sent the request.
func verdict(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad request"
	case http.StatusUnauthorized:
		return "not authenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusUnprocessableEntity:
		return "refused"
	}
	if status >= 500 {
		return "server error"
	}
	return "failed"
}

// shown prints an error answer on stderr, one problem per line, and turns
// it into exit status 1; other errors are returned as they are.
func (c *client) shown(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	c.printError(ae)
	if len(ae.Current) > 0 && string(ae.Current) != "null" {
		var buf bytes.Buffer
		if json.Compact(&buf, ae.Current) == nil {
			fmt.Fprintf(c.e.stderr, "current: %s\n", buf.String())
		}
	}
	return exitError{1}
}

// printError prints the status, then each problem as `field "value": rule`.
func (c *client) printError(ae *apiError) {
	w := c.e.stderr
	head := fmt.Sprintf("gradelog: %s (%d %s)", verdict(ae.status), ae.status, http.StatusText(ae.status))
	switch {
	case len(ae.Problems) > 0:
		fmt.Fprintln(w, head)
		for _, p := range ae.Problems {
			fmt.Fprintln(w, p.String())
		}
	case ae.Message != "":
		fmt.Fprintf(w, "%s: %s\n", head, ae.Message)
	case ae.text != "":
		fmt.Fprintf(w, "%s: %s %s: %s\n", head, ae.method, ae.path, ae.text)
	default:
		fmt.Fprintf(w, "%s: %s %s\n", head, ae.method, ae.path)
	}
	switch {
	case ae.status == http.StatusUnauthorized:
		fmt.Fprintln(w, `the token was not accepted: mint one with "gradelog token" using the --data directory of "gradelog serve"`)
	case ae.status == http.StatusInsufficientStorage:
		fmt.Fprintln(w, "nothing was written; the operator must give the event log more room (the stream's max bytes, or disk) before this can be retried")
	case ae.status >= 500 && c.key != "":
		fmt.Fprintf(w, "re-run with --idempotency-key %s to retry safely\n", c.key)
	}
}

// written is the answer to most commands: where their records landed.
type written = httpapi.Written

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

// matriculeArg is a matricule as the server stores it.
func matriculeArg(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// sessionArg is a session as the server names it ("q1" is Q1).
func sessionArg(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// sheetPath is the path of a grade sheet; a UE code such as 1/8 spans two
// segments.
func sheetPath(year, session, ue string) (string, error) {
	bloc, num, ok := strings.Cut(strings.TrimSpace(ue), "/")
	if !ok || bloc == "" || num == "" || strings.Contains(num, "/") {
		return "", fmt.Errorf("UE %q: want BLOC/NUMBER, e.g. 1/8", ue)
	}
	return "/api/v1/sheets/" + seg(strings.TrimSpace(year)) + "/" + seg(sessionArg(session)) + "/" + seg(bloc) + "/" + seg(num), nil
}

// when shows an instant in Brussels, to the minute.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(brussels).Format("2006-01-02 15:04")
}

// day shows the day of an instant in Brussels.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(brussels).Format("2006-01-02")
}

// printJSON prints an answer's JSON as it came, indented.
func printJSON(w io.Writer, body []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(body), "", "  "); err != nil {
		_, err = w.Write(body)
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeNewFile writes data to name, which must not exist unless force.
func writeNewFile(name string, force bool, data []byte) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(name, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists (it may hold what was not uploaded yet): use --force to overwrite it or -o to name another file", name)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
