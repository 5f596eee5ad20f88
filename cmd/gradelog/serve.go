package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/spf13/cobra"

	"github.com/gradelog/gradelog/accounts"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/auth/oidc"
	"github.com/gradelog/gradelog/demo"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/httpapi"
	"github.com/gradelog/gradelog/projections"
	"github.com/gradelog/gradelog/web"
)

// systemActor is who gradelog itself acts as (publishing the catalog).
var systemActor = events.Actor{ID: "gradelog", Roles: []string{"system"}}

func newServeCmd(e *env) *cobra.Command {
	var lf logFlags
	var o serveOptions
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
the key in --data (created on first start). The web interface is at /.
People sign in there with a local account (gradelog account add; passwords
hashed with Argon2id, in accounts.json in --data), with the institution's
OpenID Connect sign-in (--oidc-issuer, --oidc-client-id, --oidc-redirect,
and the secret in GRADELOG_OIDC_CLIENT_SECRET; an identity signs in only
when an account is linked to it), or with a token. Failed sign-ins and
refused tokens are throttled (5 per account or address, then one a minute)
and recorded as refused attempts. What each role may do is the access
matrix, docs/access.md.

--demo serves a living demo: into an empty --data (default ./demo-data), it
loads a generated cohort of the seed programme through the command handlers
(a year of marks with absences, failures and re-sits, deliberations, an
appeal), with a clock set to 7 September 2026 (the re-sits' encoding), and
prints whom to sign in as; a Q3 sheet is left for the newcomer to fill, then
the Q3 deliberation. Restarted on the same directory, it serves the demo as
it was left.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.demo && !cmd.Flags().Changed("data") {
				lf.data = demoData
			}
			return serve(cmd.Context(), e, &lf, o)
		},
	}
	lf.bind(cmd.Flags(), e.getenv)
	cmd.Flags().StringVar(&o.httpAddr, "http", "127.0.0.1:8080", "HTTP listen address")
	cmd.Flags().StringVar(&o.catFile, "catalog", "", "programme catalog file (default: the shipped catalog)")
	cmd.Flags().StringVar(&o.rsFile, "ruleset", "", "ruleset file (default: the shipped ruleset)")
	cmd.Flags().DurationVar(&o.checkpointEvery, "checkpoint-every", 10*time.Second, "how often the views' checkpoint is saved while the log moves")
	cmd.Flags().BoolVar(&o.demo, "demo", false, "serve a generated demo cohort (data in ./demo-data unless --data is given)")
	cmd.Flags().StringVar(&o.oidc.Issuer, "oidc-issuer", e.getenv("GRADELOG_OIDC_ISSUER"), "OpenID Connect issuer of the institution's sign-in (env GRADELOG_OIDC_ISSUER); empty: none")
	cmd.Flags().StringVar(&o.oidc.ClientID, "oidc-client-id", e.getenv("GRADELOG_OIDC_CLIENT_ID"), "OpenID Connect client id (env GRADELOG_OIDC_CLIENT_ID)")
	cmd.Flags().StringVar(&o.oidc.RedirectURL, "oidc-redirect", e.getenv("GRADELOG_OIDC_REDIRECT"), "the sign-in's return URL, https://<host>/connexion/institution/retour (env GRADELOG_OIDC_REDIRECT)")
	cmd.Flags().StringVar(&o.oidcName, "oidc-name", "l'institution", "the institution's name on the sign-in button")
	o.oidc.ClientSecret = e.getenv("GRADELOG_OIDC_CLIENT_SECRET") // never a flag: flags show in ps
	return cmd
}

// demoData is the demo's data directory unless --data is given.
const demoData = "./demo-data"

// serveOptions are serve's flags but the log's.
type serveOptions struct {
	httpAddr, catFile, rsFile string
	checkpointEvery           time.Duration
	demo                      bool
	oidc                      oidc.Config
	oidcName                  string
}

func serve(ctx context.Context, e *env, lf *logFlags, o serveOptions) error {
	var demoClock *clock.Clock
	if o.demo {
		demoClock = &clock.Clock{}
		demoClock.Set(demo.Published) // the documents are published before the demo's year
		lf.now = demoClock.Now
	}
	cat, rs, err := loadDocuments(e.stderr, o.catFile, o.rsFile)
	if err != nil {
		return err
	}
	key, err := auth.LoadOrCreateKey(lf.data)
	if err != nil {
		return err
	}
	local, err := accounts.Open(lf.data)
	if err != nil {
		return err
	}
	var provider *oidc.Provider
	if o.oidc.Issuer != "" {
		if provider, err = oidc.New(ctx, o.oidc); err != nil {
			return err
		}
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
	if demoClock != nil {
		hs.Now = demoClock.Now
	}
	viewsCtx, stopViews := context.WithCancel(ctx)
	viewsDone := make(chan error, 1)
	go func() { viewsDone <- hs.Views.Run(viewsCtx) }()
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		checkpoint.Keep(viewsCtx, cohort, saved, o.checkpointEvery, func(err error) { fmt.Fprintf(e.stderr, "gradelog: %v\n", err) })
	}()
	defer func() { stopViews(); <-kept }()
	pub, err := hs.PublishCatalog(ctx, cat, rs, systemActor)
	if err != nil {
		return fmt.Errorf("publish catalog and ruleset: %w", err)
	}

	var demoAccounts []web.Account
	if demoClock != nil {
		if demoAccounts, err = loadDemo(ctx, e, hs, demoClock); err != nil {
			return err
		}
	}
	now := time.Now
	if demoClock != nil {
		now = demoClock.Now
	}

	ln, err := net.Listen("tcp", o.httpAddr)
	if err != nil {
		return fmt.Errorf("HTTP listen on %s: %w", o.httpAddr, err)
	}
	throttle := auth.DefaultThrottle() // failed sign-ins, pages and API alike
	srv := &http.Server{
		Handler: web.New(web.Deps{Handlers: hs, Key: key, Now: now, Accounts: demoAccounts,
			Local: local, OIDC: provider, OIDCName: o.oidcName, Throttle: throttle,
			API: httpapi.New(httpapi.Deps{Handlers: hs, Key: key, Now: now, Throttle: throttle, Ready: func(ctx context.Context) error {
				if err := hs.Views.Err(); err != nil {
					return err
				}
				return opened.log.CheckConfig(ctx)
			}})}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // an upload of the largest sheet on a slow line
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(e.stdout, "gradelog: event log ready (%s)\n", opened.where)
	printPublication(e.stdout, cat.Programme.Code, pub)
	fmt.Fprintf(e.stdout, "gradelog: listening on http://%s\n", ln.Addr())
	if demoClock != nil {
		printAccounts(e.stdout, "http://"+ln.Addr().String(), demoAccounts)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("HTTP server: %w", err)
	case err := <-viewsDone:
		if ctx.Err() == nil {
			_ = srv.Close()
			return err
		}
		// The views stopped because serve is asked to stop: shut down.
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
