package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/gradelog/gradelog/access"
	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
)

// Refused records a refusal for want of a right (a Forbidden refusal) as
// a security fact, access.refused, on the day's security aggregate: who
// tried, what and on what, and the rule that refused it. Other errors are
// not attempts and are not recorded. A front end calls it with every
// error a command or a read returned.
func (hs *Handlers) Refused(ctx context.Context, id auth.Identity, action, target string, err error) error {
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != Forbidden {
		return nil
	}
	return hs.recordRefusal(ctx, id.Actor(), events.AccessRefused{Action: action, Target: target, Reason: r.Error()})
}

// SignInRefused records a refused sign-in (a wrong password, a refused
// token, an institutional identity with no account, a lockout) as
// access.refused. account is the account the attempt named, "" when it
// names none: what was typed is then not recorded, since it may be a
// password typed in the wrong field. from is the client's address.
func (hs *Handlers) SignInRefused(ctx context.Context, account, method, from, why string) error {
	actor := events.Actor{ID: account}
	if account == "" {
		actor.ID = "anonymous"
	}
	return hs.recordRefusal(ctx, actor, events.AccessRefused{Action: "sign in (" + method + ")", Target: "from " + from, Reason: why})
}

// recordRefusal appends e on the day's security aggregate.
func (hs *Handlers) recordRefusal(ctx context.Context, actor events.Actor, e events.AccessRefused) error {
	day := hs.now().In(brussels).Format(time.DateOnly)
	_, err := execute(ctx, hs, events.SecurityOf(day), "", func() *securityDay { return &securityDay{} },
		func(*securityDay) ([]events.Pending, error) {
			return []events.Pending{{Event: e, Actor: actor}}, nil
		})
	return err
}

// securityDay is a day's security aggregate as a command sees it: nothing
// to decide on, refusals are only appended.
type securityDay struct{}

func (*securityDay) apply(events.Record) {}

// RefusalRecord is one refused attempt.
type RefusalRecord struct {
	Position   uint64    `json:"position"`
	RecordedAt time.Time `json:"recorded_at"`
	Actor      string    `json:"actor"`
	Roles      []string  `json:"roles,omitempty"`
	events.AccessRefused
}

// Refusals lists the attempts refused on one day (YYYY-MM-DD, in
// Brussels), in order, for auditors and the secretariat.
func (hs *Handlers) Refusals(ctx context.Context, id auth.Identity, day string) ([]RefusalRecord, error) {
	if err := authorize(id, access.ReadRefusals, access.Target{}); err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return nil, refuse(Invalid, "day", day, "give a day as YYYY-MM-DD")
	}
	h, err := hs.Log.Load(ctx, events.SecurityOf(day), eventlog.Until{})
	if err != nil {
		return nil, err
	}
	out := []RefusalRecord{}
	for _, r := range h.Records {
		if e, ok := r.Event.(events.AccessRefused); ok {
			out = append(out, RefusalRecord{Position: r.Position, RecordedAt: r.RecordedAt, Actor: r.Actor.ID, Roles: r.Actor.Roles, AccessRefused: e})
		}
	}
	return out, nil
}
