package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/gradetest"
)

// server is gradelog over real HTTP on an embedded NATS server.
type server struct {
	*gradetest.Server
	t   *testing.T
	url string
}

func startServer(t *testing.T) *server {
	t.Helper()
	s := gradetest.Serve(t)
	return &server{Server: s, t: t, url: s.URL}
}

func (s *server) token(id string, roles []string, ues ...string) string {
	return s.Token(id, roles, ues...)
}

// answer is an HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
}

// do sends a request; body is JSON-encoded unless it is []byte.
func (s *server) do(method, path, token string, body any, headers ...string) answer {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, data}
}

// must sends a request and fails unless it answers want.
func (s *server) must(want int, method, path, token string, body any, headers ...string) answer {
	s.t.Helper()
	a := s.do(method, path, token, body, headers...)
	if a.status != want {
		s.t.Fatalf("%s %s: %d, want %d\n%s", method, path, a.status, want, a.body)
	}
	return a
}

// unchanged checks that a refused request wrote nothing after position
// before, but the security fact a refusal for want of a right (403)
// records: one access.refused on the day's security aggregate, naming the
// actor and the path.
func (s *server) unchanged(t *testing.T, before uint64, status int, actor, path string) {
	t.Helper()
	after := s.position(t)
	if status == http.StatusUnauthorized && actor != "" {
		// Credentials were presented and refused: one refused sign-in.
		if after != before+1 {
			t.Errorf("refused with 401: the log moved from %d to %d, want the one security fact", before, after)
			return
		}
		recs, err := s.Log.ReadAt(t.Context(), []uint64{after})
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := recs[0].Event.(events.AccessRefused); !ok || recs[0].Actor.ID != "anonymous" || e.Action != "sign in (API token)" {
			t.Errorf("refused with 401: recorded %s by %s (%+v), want a refused sign-in by anonymous", recs[0].Type, recs[0].Actor.ID, recs[0].Event)
		}
		return
	}
	if status != http.StatusForbidden {
		if after != before {
			t.Errorf("refused with %d, yet the log moved from %d to %d", status, before, after)
		}
		return
	}
	if after != before+1 {
		t.Errorf("refused with 403: the log moved from %d to %d, want the one security fact", before, after)
		return
	}
	recs, err := s.Log.ReadAt(t.Context(), []uint64{after})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := recs[0].Event.(events.AccessRefused)
	if !ok || recs[0].Aggregate.Kind() != events.KindSecurity || recs[0].Actor.ID != actor || e.Target != strings.SplitN(path, "?", 2)[0] {
		t.Errorf("refused with 403: recorded %s on %s by %s (%+v), want access.refused by %s on %s", recs[0].Type, recs[0].Aggregate, recs[0].Actor.ID, recs[0].Event, actor, path)
	}
}

// actorOf reads the actor id a test token carries (its subject).
func actorOf(t *testing.T, token string) string {
	t.Helper()
	if token == "" {
		return ""
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a token: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Sub
}
