package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gradelog/gradelog/internal/clock"

	"github.com/gradelog/gradelog/demo"
	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/web"
)

// loadDemo loads the demo cohort into an empty log, or finds it there, and
// starts the demo's clock; it returns the accounts the sign-in page
// offers.
func loadDemo(ctx context.Context, e *env, hs *handlers.Handlers, clock *clock.Clock) ([]web.Account, error) {
	d, loaded, err := demo.Loaded(ctx, hs)
	if err != nil {
		return nil, err
	}
	if loaded {
		// Resume after the last fact, so that time never runs backwards.
		from := d.Present
		if last, err := hs.Log.LastPosition(ctx); err == nil && last > 0 {
			if recs, err := hs.Log.ReadAt(ctx, []uint64{last}); err == nil && len(recs) == 1 && recs[0].RecordedAt.After(from) {
				from = recs[0].RecordedAt.Add(time.Minute)
			}
		}
		clock.Run(from)
		fmt.Fprintf(e.stdout, "gradelog: demo: serving the demo already in the log (clock at %s)\n", from.Format(time.DateTime))
	} else {
		start := time.Now()
		if d, err = demo.Load(ctx, hs, clock, demo.Options{}); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "gradelog: demo: loaded %d records through the command handlers in %s (clock at %s)\n",
			d.Records, time.Since(start).Round(time.Millisecond), d.Present.Format(time.DateTime))
	}
	accounts := make([]web.Account, len(d.Accounts))
	for i, a := range d.Accounts {
		accounts[i] = web.Account{Identity: a.Identity(), What: a.What}
	}
	return accounts, nil
}

// printAccounts says how to sign in as each role of the demo.
func printAccounts(w io.Writer, url string, accounts []web.Account) {
	fmt.Fprintf(w, "gradelog: demo: open %s/connexion and choose whom to sign in as:\n", url)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.ID, a.Name, strings.Join(a.Roles, ","), a.What)
	}
	_ = tw.Flush()
}
