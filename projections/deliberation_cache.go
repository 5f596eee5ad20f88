package projections

import (
	"slices"
	"sync"

	"github.com/gradelog/gradelog/events"
)

// deliberationCache keeps the last view computed of each session's
// deliberation. Computing one runs the rules for every student of the
// session (about 0.1 ms each: 50 ms for 400 students), and a jury opens
// dossier after dossier, each page reading the whole view, between two
// writes. Apply is a pure fold, so a view computed at a position stays
// right while the cohort stands there; an entry at another position is
// recomputed.
type deliberationCache struct {
	mu    sync.Mutex
	views map[events.AggregateID]DeliberationView
}

// get returns the view of a computed at position, if it is kept.
func (dc *deliberationCache) get(a events.AggregateID, position uint64) (DeliberationView, bool) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	v, ok := dc.views[a]
	if !ok || v.Position != position {
		return DeliberationView{}, false
	}
	return v.clone(), true
}

// put keeps v, computed at v.Position.
func (dc *deliberationCache) put(a events.AggregateID, v DeliberationView) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if dc.views == nil {
		dc.views = map[events.AggregateID]DeliberationView{}
	}
	dc.views[a] = v.clone()
}

// clone copies the slices a caller could reorder or append to; what they
// point to is never written after the view is computed.
func (v DeliberationView) clone() DeliberationView {
	v.Students, v.Appeals = slices.Clone(v.Students), slices.Clone(v.Appeals)
	return v
}
