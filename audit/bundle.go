package audit

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/historypdf"
	"github.com/gradelog/gradelog/projections"
)

// BundleFormat names the format of a bundle.
const BundleFormat = "gradelog-bundle/1"

// The files of a bundle, a zip archive; it holds nothing else.
const (
	manifestFile = "manifest.json"
	eventsFile   = "events.jsonl"
	reportFile   = "report.pdf"
)

// Manifest describes a bundle: whose history it holds, up to which log
// position, and where each included chain ends.
type Manifest struct {
	Format     string    `json:"format"`
	Matricule  string    `json:"matricule"`
	Position   uint64    `json:"position"` // the log's last position at export
	ExportedAt time.Time `json:"exported_at"`
	ExportedBy string    `json:"exported_by"`
	Records    int       `json:"records"`
	// Chains are the included aggregates, each whole from its first
	// record up to Position.
	Chains map[events.AggregateID]events.Link `json:"chains"`
}

// line is one record of events.jsonl: the exact stored envelope (base64,
// so that not one byte changes), with the position and aggregate the log
// filed it under and the hash it stored beside it.
type line struct {
	Position  uint64             `json:"position"`
	Aggregate events.AggregateID `json:"aggregate"`
	Hash      string             `json:"hash"`
	Envelope  string             `json:"envelope"`
}

// ErrNoStudent is returned by Export for a matricule with no records.
var ErrNoStudent = errors.New("no student is registered with this matricule")

// ExportOptions say who exports and when.
type ExportOptions struct {
	By string
	At time.Time
}

// Export builds the bundle of matricule from the log as it stands: every
// aggregate of the student's scope, whole, and the report of their
// history made from those records alone.
func Export(ctx context.Context, l eventlog.Log, matricule string, o ExportOptions) ([]byte, error) {
	last, err := l.LastPosition(ctx)
	if err != nil {
		return nil, err
	}
	until := eventlog.Until{Position: last}
	own, err := l.Load(ctx, events.StudentOf(matricule), until)
	if err != nil {
		return nil, err
	}
	if len(own.Records) == 0 {
		return nil, fmt.Errorf("export %s: %w", matricule, ErrNoStudent)
	}
	var recs []events.Record
	for _, a := range ScopeOf(matricule, own.Records).Candidates() {
		h, err := l.Load(ctx, a, until)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", matricule, err)
		}
		recs = append(recs, h.Records...)
	}
	slices.SortFunc(recs, func(a, b events.Record) int { return cmp.Compare(a.Position, b.Position) })
	m := Manifest{Format: BundleFormat, Matricule: matricule, Position: last, ExportedAt: o.At.UTC(),
		ExportedBy: o.By, Records: len(recs)}
	var v events.Verifier
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for _, r := range recs {
		_ = v.Add(r.Aggregate, r.Position, r.Data, r.Hash) // the verifier reports breaks; the export hides none
		if err := enc.Encode(line{r.Position, r.Aggregate, r.Hash, base64.StdEncoding.EncodeToString(r.Data)}); err != nil {
			return nil, err
		}
	}
	m.Chains = v.Heads()
	report, err := reportOf(m, recs)
	if err != nil {
		return nil, err
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	for _, f := range []struct {
		name string
		data []byte
	}{{manifestFile, append(manifest, '\n')}, {eventsFile, jsonl.Bytes()}, {reportFile, report}} {
		w, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: m.ExportedAt})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// reportOf prints the history of the bundle's student from its records:
// the exporter and the verifier make it the same way, so that the
// verifier can tell the report matches the records.
func reportOf(m Manifest, recs []events.Record) ([]byte, error) {
	h, err := projections.HistoryOf(m.Matricule, recs, eventlog.Until{}, projections.HistoryFilter{})
	if err != nil {
		return nil, err
	}
	h.Position = m.Position
	var buf bytes.Buffer
	err = historypdf.Write(&buf, h, historypdf.Options{GeneratedAt: m.ExportedAt,
		Source: fmt.Sprintf("paquet d'audit : %d enregistrements de %d chaînes, jusqu'à la position %d du journal", m.Records, len(m.Chains), m.Position)})
	return buf.Bytes(), err
}

// chainNames lists a manifest's chains in order, for messages.
func chainNames(c map[events.AggregateID]events.Link) []events.AggregateID {
	return slices.Sorted(maps.Keys(c))
}
