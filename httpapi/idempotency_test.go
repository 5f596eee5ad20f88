package httpapi_test

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
)

// TestIdempotency: a retry with the same Idempotency-Key returns the first
// answer and writes nothing, even from a new process (answered from the
// log); the same key with another request is refused.
func TestIdempotency(t *testing.T) {
	s := startServer(t)
	sec := s.token("sec.leroy", []string{"secretariat"})
	prof18 := s.token("prof.lenoir", []string{"teacher"}, "1/8")
	enrol(t, s, sec)
	body := map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "13"}, {Student: cohort[1].mat, Value: "ABS"}}}

	first := s.must(200, "POST", q1_18+"/entries", prof18, body, "Idempotency-Key", "k-1")
	at := s.position(t)
	again := s.must(200, "POST", q1_18+"/entries", prof18, body, "Idempotency-Key", "k-1")
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a retry answers differently:\n%s\n%s", first.body, again.body)
	}
	if s.position(t) != at {
		t.Fatal("a retry wrote")
	}
	a := s.must(422, "POST", q1_18+"/entries", prof18, map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "14"}}},
		"Idempotency-Key", "k-1")
	if !bytes.Contains(a.body, []byte("Idempotency-Key")) {
		t.Fatalf("same key, other request: %s", a.body)
	}
	a = s.must(422, "POST", q1_18+"/entries", prof18, map[string]any{"entries": []handlers.EntryInput{{Student: cohort[0].mat, Value: "14"}}},
		"Idempotency-Key", "k-1", "Accept-Language", "fr-BE")
	if !bytes.Contains(a.body, []byte(`"Idempotency-Key"`)) || !bytes.Contains(a.body, []byte("cette clé a déjà servi pour une autre requête")) {
		t.Fatalf("same key, other request, in French: %s", a.body)
	}

	// Another process (no remembered answers, a cold cache) recognises the
	// retry from the key stored in the log.
	fresh := handlers.New(s.Log)
	fresh.Now = s.Clock.Now
	go func() { _ = fresh.Views.Run(t.Context()) }()
	ts := httptest.NewServer(httpapi.New(httpapi.Deps{Handlers: fresh, Key: s.Key, Now: s.Clock.Now}))
	defer ts.Close()
	other := &server{Server: s.Server, t: t, url: ts.URL}
	var rec handlers.Recorded
	other.must(200, "POST", q1_18+"/entries", prof18, body, "Idempotency-Key", "k-1").json(t, &rec)
	if !rec.AlreadyRecorded || len(rec.Results) != 2 || rec.Results[1].Entry.Code != "ABS" || s.position(t) != at {
		t.Fatalf("retry in a new process: %+v (log %d -> %d)", rec, at, s.position(t))
	}
	// The key is the actor's: another teacher's key of the same name is
	// another command.
	sec2 := s.token("sec.other", []string{"secretariat"})
	s.must(200, "POST", q1_18+"/entries", sec2, map[string]any{"entries": []handlers.EntryInput{{Student: cohort[2].mat, Value: "15"}}},
		"Idempotency-Key", "k-1")
	if s.position(t) == at {
		t.Fatal("another actor's command with the same key was taken for a retry")
	}
}
