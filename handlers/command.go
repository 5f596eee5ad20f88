package handlers

import (
	"context"

	"github.com/gradelog/gradelog/events"
)

// Command is the request a command handler runs for: what the facts it
// appends were caused by, for their history.
type Command struct {
	ID   string // unique per request
	What string // what was asked, for example "POST /api/v1/students"
	// Correlation groups the commands of one workflow (an import, a CLI
	// invocation); "" is the command's own ID.
	Correlation string
}

type commandKey struct{}

// WithCommand returns ctx carrying c: every fact a handler appends under
// ctx records c as its causation and correlation.
func WithCommand(ctx context.Context, c Command) context.Context {
	return context.WithValue(ctx, commandKey{}, c)
}

// caused stamps the facts about to be appended with the command of ctx,
// where they name no cause of their own.
func caused(ctx context.Context, pending []events.Pending) {
	c, ok := ctx.Value(commandKey{}).(Command)
	if !ok {
		return
	}
	for i := range pending {
		p := &pending[i]
		if p.CausationID == "" {
			p.CausationID = events.CommandCausation(c.ID, c.What)
		}
		if p.CorrelationID == "" {
			p.CorrelationID = c.Correlation
			if p.CorrelationID == "" {
				p.CorrelationID = c.ID
			}
		}
	}
}
