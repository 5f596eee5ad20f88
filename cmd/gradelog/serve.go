package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
)

// systemActor is who gradelog itself acts as (publishing the catalog).
var systemActor = events.Actor{ID: "gradelog", Roles: []string{"system"}}

func newServeCmd(e *env) *cobra.Command {
	var lf logFlags
	var httpAddr, catFile, rsFile string
	var checkpointEvery time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run gradelog: the event log (embedded NATS by default) and the HTTP API",
		Long: `serve starts gradelog. Without --nats it runs an embedded NATS server with
JetStream, its data under --data, listening on no network port; every write
is synced to disk before it is acknowledged unless --fast-sync is given.
With --nats it uses an external NATS cluster (streams with 3 replicas).

At start the event stream is created if needed and its configuration is read
back: serve refuses to run on a stream that is not append-only. The catalog
and ruleset (the shipped ones, or --catalog and --ruleset) are checked; serve
refuses to start on one with an unacknowledged error and publishes nothing.
Otherwise they are published for their year unless the same versions are
already in force; a changed file becomes the next version, and its changes
are printed.

Views (transcripts, credit ledgers, readiness, grade sheet status,
dossiers, histories) are kept live from the log. Their checkpoint,
views.snapshot.gz in --data, is saved every --checkpoint-every and at
shutdown; a restart resumes from it. A checkpoint that does not match the
log (ahead of it, or taken on another log) is discarded with a warning and
the views are rebuilt from the whole log.

HTTP: /healthz answers while the process runs; /readyz when the event log
answers and is append-only. The API is under /api/v1 (its OpenAPI document
at /api/v1/openapi.yaml) and takes tokens minted by "gradelog token" with
the key in --data (created on first start).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), e, &lf, httpAddr, catFile, rsFile, checkpointEvery)
		},
	}
	lf.bind(cmd.Flags(), e.getenv)
	cmd.Flags().StringVar(&httpAddr, "http", "127.0.0.1:8080", "HTTP listen address")
	cmd.Flags().StringVar(&catFile, "catalog", "", "programme catalog file (default: the shipped catalog)")
	cmd.Flags().StringVar(&rsFile, "ruleset", "", "ruleset file (default: the shipped ruleset)")
	cmd.Flags().DurationVar(&checkpointEvery, "checkpoint-every", 10*time.Second, "how often the views' checkpoint is saved while the log moves")
	return cmd
}

func serve(ctx context.Context, e *env, lf *logFlags, httpAddr, catFile, rsFile string, checkpointEvery time.Duration) error {
	cat, rs, err := loadDocuments(e.stderr, catFile, rsFile)
	if err != nil {
		return err
	}
	key, err := auth.LoadOrCreateKey(lf.data)
	if err != nil {
		return err
	}
	opened, err := lf.open(ctx)
	if err != nil {
		return err
	}
	defer opened.close()
	checkpoint := projections.CheckpointFile(filepath.Join(lf.data, checkpointName))
	cohort, warning, err := checkpoint.Resume(ctx, opened.log)
	if err != nil {
		return fmt.Errorf("views: %w", err)
	}
	if warning != "" {
		fmt.Fprintf(e.stderr, "gradelog: %s\n", warning)
	} else {
		fmt.Fprintf(e.stdout, "gradelog: views resumed from the checkpoint at position %d\n", cohort.Position())
	}
	saved := cohort.Position() // what the checkpoint holds, before the runner moves on
	hs := handlers.On(opened.log, cohort)
	viewsCtx, stopViews := context.WithCancel(ctx)
	viewsDone := make(chan error, 1)
	go func() { viewsDone <- hs.Views.Run(viewsCtx) }()
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		checkpoint.Keep(viewsCtx, cohort, saved, checkpointEvery, func(err error) { fmt.Fprintf(e.stderr, "gradelog: %v\n", err) })
	}()
	defer func() { stopViews(); <-kept }()
	pub, err := hs.PublishCatalog(ctx, cat, rs, systemActor)
	if err != nil {
		return fmt.Errorf("publish catalog and ruleset: %w", err)
	}

	ln, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return fmt.Errorf("HTTP listen on %s: %w", httpAddr, err)
	}
	srv := &http.Server{
		Handler: httpapi.New(httpapi.Deps{Handlers: hs, Key: key, Ready: func(ctx context.Context) error {
			if err := hs.Views.Err(); err != nil {
				return err
			}
			return opened.log.CheckConfig(ctx)
		}}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(e.stdout, "gradelog: event log ready (%s)\n", opened.where)
	printPublication(e.stdout, cat.Programme.Code, pub)
	fmt.Fprintf(e.stdout, "gradelog: listening on http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("HTTP server: %w", err)
	case err := <-viewsDone:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("HTTP shutdown: %w", err)
	}
	fmt.Fprintln(e.stdout, "gradelog: stopped")
	return nil
}
