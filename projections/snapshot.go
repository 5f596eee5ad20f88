package projections

import (
	"encoding/json"
	"fmt"

	"github.com/gradelog/gradelog/catalog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/rules"
)

// SnapshotFormat is the version of the snapshot encoding. A snapshot of
// another format is not read: the views are rebuilt from the log.
const SnapshotFormat = 2

// snapshot is the whole state of a Cohort. Maps encode with sorted keys,
// so the same state always gives the same bytes: a snapshot is also how
// tests compare a live cohort with a rebuilt one, byte for byte.
type snapshot struct {
	Format        int                                                    `json:"format"`
	Position      uint64                                                 `json:"position"`
	Hash          string                                                 `json:"hash"`
	Documents     map[string]rawDocuments                                `json:"documents"`
	Sessions      map[string]map[catalog.Session]events.SessionScheduled `json:"sessions"`
	Students      map[string]*student                                    `json:"students"`
	Sheets        map[events.AggregateID]*sheetState                     `json:"sheets"`
	DocPositions  []uint64                                               `json:"doc_positions"`
	Juries        map[events.AggregateID]*jury                           `json:"juries"`
	Deliberations map[events.AggregateID]*deliberation                   `json:"deliberations"`
}

// Snapshot encodes the cohort's whole state at its position.
func (c *Cohort) Snapshot() ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return json.Marshal(snapshot{
		Format: SnapshotFormat, Position: c.position, Hash: c.hash,
		Documents: c.raw, Sessions: c.sessions, Students: c.students, Sheets: c.sheets,
		DocPositions: c.docPositions, Juries: c.juries, Deliberations: c.deliberations,
	})
}

// Checkpoint is where a snapshot stands in the log: the position of the
// last record it applied and that record's hash.
type Checkpoint struct {
	Position uint64
	Hash     string
}

// Restore decodes a snapshot into a cohort, and says where in the log it
// stands.
func Restore(data []byte) (*Cohort, Checkpoint, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, Checkpoint{}, fmt.Errorf("snapshot: %w", err)
	}
	if s.Format != SnapshotFormat {
		return nil, Checkpoint{}, fmt.Errorf("snapshot: format %d, this gradelog reads format %d", s.Format, SnapshotFormat)
	}
	c := NewCohort()
	c.position, c.hash = s.Position, s.Hash
	for year, raw := range s.Documents {
		c.setDocuments(year, raw)
	}
	if s.Sessions != nil {
		c.sessions = s.Sessions
	}
	if s.Sheets != nil {
		c.sheets = s.Sheets
	}
	c.docPositions = s.DocPositions
	if s.Juries != nil {
		c.juries = s.Juries
	}
	if s.Deliberations != nil {
		c.deliberations = s.Deliberations
	}
	for m, st := range s.Students {
		st.intern(c.strings)
		c.students[m] = st
		c.indexEmail(m, st.Reg.Email) // derived, not stored
	}
	return c, Checkpoint{s.Position, s.Hash}, nil
}

// intern shares the strings a decoded student repeats, as Apply does.
func (s *student) intern(in interner) {
	if s.Admission != nil {
		s.Admission.Programme, s.Admission.Basis = in.of(s.Admission.Programme), in.of(s.Admission.Basis)
	}
	for _, y := range s.Years {
		y.Year = in.of(y.Year)
		if y.PAE != nil {
			y.PAE.intern(in)
		}
		for i := range y.Results {
			r := &y.Results[i]
			r.slot, r.Code = in.slot(*r.slot), rules.Code(in.of(string(r.Code)))
		}
	}
	for i := range s.Recognised {
		r := &s.Recognised[i]
		r.Year, r.UE, r.Basis = in.of(r.Year), in.of(r.UE), in.of(r.Basis)
	}
	for i := range s.Decisions {
		d := &s.Decisions[i]
		d.Year, d.Session = in.of(d.Year), in.of(d.Session)
		for j := range d.Granted {
			d.Granted[j] = in.of(d.Granted[j])
		}
	}
}
