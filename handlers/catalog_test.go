package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/rules"
)

func shipped(t *testing.T) (*catalog.Catalog, *rules.Ruleset) { return gradetest.Shipped(t) }

func newHandlers(t *testing.T) (*handlers.Handlers, eventlog.Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	l, err := eventlog.OpenJetStream(ctx, natstest.Conn(t, natstest.Server(t)), eventlog.JetStreamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return &handlers.Handlers{Log: l}, l
}

var registrar = events.Actor{ID: "gradelog", Roles: []string{"system"}}

// TestPublishCatalogOnce: the shipped catalog and ruleset are published
// once; publishing them again writes nothing; a changed catalog becomes
// version 2 with its difference; several publishers at once write once.
func TestPublishCatalogOnce(t *testing.T) {
	hs, l := newHandlers(t)
	ctx := context.Background()
	cat, rs := shipped(t)

	first, err := hs.PublishCatalog(ctx, cat, rs, registrar)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Catalog.Written || !first.Ruleset.Written || first.Catalog.Version != 1 || first.Ruleset.Version != 1 {
		t.Fatalf("first publication: %+v", first)
	}
	for range 3 {
		again, err := hs.PublishCatalog(ctx, cat, rs, registrar)
		if err != nil {
			t.Fatal(err)
		}
		if again.Catalog.Written || again.Ruleset.Written || again.Catalog.Version != 1 || again.Catalog.Digest != cat.Digest() {
			t.Fatalf("republishing the same versions: %+v", again)
		}
	}
	if n := count(t, l); n != 2 {
		t.Fatalf("log holds %d records after republishing, want 2", n)
	}

	changed, _ := shipped(t)
	for i := range changed.UEs {
		if changed.UEs[i].Code == "1/4" {
			changed.UEs[i].Title = "Questions socio-politiques"
		}
	}
	second, err := hs.PublishCatalog(ctx, changed, rs, registrar)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Catalog.Written || second.Catalog.Version != 2 || second.Ruleset.Written {
		t.Fatalf("changed catalog: %+v", second)
	}
	if len(second.Catalog.Changes) != 1 || !strings.Contains(second.Catalog.Changes[0], "UE 1/4") || !strings.Contains(second.Catalog.Changes[0], "title") {
		t.Fatalf("changes of version 2: %q", second.Catalog.Changes)
	}
	h, err := l.Load(ctx, events.CatalogOf("2025-2026"), eventlog.Until{})
	if err != nil {
		t.Fatal(err)
	}
	last := h.Records[len(h.Records)-1].Event.(events.CatalogPublished)
	back, err := catalog.FromJSON(last.Catalog)
	if err != nil || back.Digest() != changed.Digest() {
		t.Fatalf("published catalog does not decode to what was published: %v", err)
	}
}

// TestPublishCatalogConcurrently: nodes starting together publish once.
func TestPublishCatalogConcurrently(t *testing.T) {
	hs, l := newHandlers(t)
	cat, rs := shipped(t)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := hs.PublishCatalog(context.Background(), cat, rs, registrar)
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, l); n != 2 {
		t.Fatalf("6 concurrent publishers wrote %d records, want 2", n)
	}
}

func TestPublishRefusesMismatchedYears(t *testing.T) {
	hs, l := newHandlers(t)
	cat, rs := shipped(t)
	rs.AcademicYear = "2026-2027"
	if _, err := hs.PublishCatalog(context.Background(), cat, rs, registrar); err == nil || !strings.Contains(err.Error(), "academic_year") {
		t.Fatalf("mismatched years: %v", err)
	}
	if n := count(t, l); n != 0 {
		t.Fatalf("refused publication wrote %d records", n)
	}
}

func count(t *testing.T, l eventlog.Log) int {
	t.Helper()
	last, err := l.LastPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(last)
}
