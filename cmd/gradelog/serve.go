package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
)

// systemActor is who gradelog itself acts as (publishing the catalog).
var systemActor = events.Actor{ID: "gradelog", Roles: []string{"system"}}

func newServeCmd(e *env) *cobra.Command {
	var lf logFlags
	var httpAddr, catFile, rsFile string
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

HTTP: /healthz answers while the process runs; /readyz when the event log
answers and is append-only. The API is under /api/v1 (its OpenAPI document
at /api/v1/openapi.yaml) and takes tokens minted by "gradelog token" with
the key in --data (created on first start).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), e, &lf, httpAddr, catFile, rsFile)
		},
	}
	lf.bind(cmd.Flags(), e.getenv)
	cmd.Flags().StringVar(&httpAddr, "http", "127.0.0.1:8080", "HTTP listen address")
	cmd.Flags().StringVar(&catFile, "catalog", "", "programme catalog file (default: the shipped catalog)")
	cmd.Flags().StringVar(&rsFile, "ruleset", "", "ruleset file (default: the shipped ruleset)")
	return cmd
}

func serve(ctx context.Context, e *env, lf *logFlags, httpAddr, catFile, rsFile string) error {
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
	hs := handlers.New(opened.log)
	viewsCtx, stopViews := context.WithCancel(ctx)
	defer stopViews()
	viewsDone := make(chan error, 1)
	go func() { viewsDone <- hs.Views.Run(viewsCtx) }()
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
