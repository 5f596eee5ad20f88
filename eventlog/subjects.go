package eventlog

import (
	"fmt"
	"strings"

	"github.com/gradelog/gradelog/events"
)

// The subject scheme, in one place: one subject per aggregate instance,
// the stream's prefix ("gl" by default) followed by the aggregate id
// ("gl.sheet.2025-2026.Q1.1/8"). Event type and schema version travel in
// headers, never in the subject, so the server keeps one per-subject entry
// per aggregate (docs/adr/0001).
const (
	defaultPrefix = "gl"

	hdrType   = "Gl-Type"
	hdrSchema = "Gl-Schema"
	hdrHash   = "Gl-Hash"
)

// subjects maps aggregates to the subjects of one stream.
type subjects struct{ prefix string }

func (s subjects) all() string { return s.prefix + ".>" }

func (s subjects) of(a events.AggregateID) string { return s.prefix + "." + string(a) }

func (s subjects) aggregate(subject string) (events.AggregateID, error) {
	rest, ok := strings.CutPrefix(subject, s.prefix+".")
	if !ok {
		return "", fmt.Errorf("subject %q is outside gradelog's scheme %q", subject, s.all())
	}
	return events.AggregateID(rest), nil
}

// boundarySubject validates a boundary pattern against the aggregate it
// must cover and returns its subject.
func (s subjects) boundary(pattern string, a events.AggregateID) (string, error) {
	pt := strings.Split(pattern, ".")
	at := strings.Split(string(a), ".")
	for i, tok := range pt {
		switch {
		case tok == ">" && i == len(pt)-1 && i > 0:
			if len(at) <= i {
				return "", fmt.Errorf("%w: boundary %q does not cover aggregate %s", ErrBadRequest, pattern, a)
			}
			return s.prefix + "." + pattern, nil
		case tok == "*" && i > 0:
		case i < len(at) && tok == at[i]:
		default:
			return "", fmt.Errorf("%w: boundary %q does not cover aggregate %s", ErrBadRequest, pattern, a)
		}
	}
	if len(pt) != len(at) {
		return "", fmt.Errorf("%w: boundary %q does not cover aggregate %s", ErrBadRequest, pattern, a)
	}
	return s.prefix + "." + pattern, nil
}
