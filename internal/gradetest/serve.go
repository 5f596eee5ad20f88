package gradetest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/httpapi"
)

// Server is gradelog's real HTTP API on a running Env.
type Server struct {
	*Env
	URL string
	Key *auth.Key
	tb  testing.TB
}

// Serve starts gradelog (Start) and its HTTP API with a fresh signing key.
func Serve(tb testing.TB) *Server {
	tb.Helper()
	env := Start(tb, true)
	key, err := auth.LoadOrCreateKey(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(httpapi.New(httpapi.Deps{Ready: env.Log.CheckConfig, Handlers: env.Handlers, Key: key, Now: env.Clock.Now}))
	tb.Cleanup(ts.Close)
	return &Server{Env: env, URL: ts.URL, Key: key, tb: tb}
}

// Token mints a token valid for a year of the test clock. A secretariat
// works for the seed programme, MIAS.
func (s *Server) Token(id string, roles []string, ues ...string) string {
	s.tb.Helper()
	id2 := auth.Identity{ID: id, Name: id, Roles: roles, UEs: ues}
	if id2.Has(auth.Secretariat) {
		id2.Programmes = []string{"MIAS"}
	}
	tok, err := s.Key.Mint(id2, s.Clock.Now(), 366*24*time.Hour)
	if err != nil {
		s.tb.Fatal(err)
	}
	return tok
}
