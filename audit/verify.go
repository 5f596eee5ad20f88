package audit

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/projections"
)

// Problem is one thing wrong with a bundle: where (file and line, 0 for
// the file as a whole) and what.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Text string `json:"problem"`
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", p.File, p.Line, p.Text)
	}
	if p.File != "" {
		return p.File + ": " + p.Text
	}
	return p.Text
}

// BundleReport is what verifying a bundle found. A bundle is verified only
// when it has no problem; without heads, it is verified as intact, not as
// the institution's record: compare its chains with published heads.
type BundleReport struct {
	Manifest Manifest  `json:"manifest"`
	Facts    int       `json:"facts"` // records about the student
	Problems []Problem `json:"problems"`
	// HeadsDigest is the digest of the heads the bundle was checked
	// against ("" for none); HeadsChecked the chains found in them.
	HeadsDigest  string `json:"heads_digest,omitempty"`
	HeadsChecked int    `json:"heads_checked"`
}

// OK reports whether the bundle verified.
func (r BundleReport) OK() bool { return len(r.Problems) == 0 }

// maxLine bounds one line of events.jsonl (a record is a few KiB).
const maxLine = 4 << 20

// VerifyBundle checks a bundle with nothing but its bytes and, when given,
// published heads. It checks that the archive holds exactly the bundle's
// files; that every line of events.jsonl is a record whose bytes hash to
// the hash it states and name the aggregate it is filed under; that every
// chain is whole from its first record, unbroken, and ends where the
// manifest says; that the student's own chain is there; that report.pdf
// is the report of those records. With heads, it also checks that every
// chain of the bundle passes through its published head, and that no
// aggregate of the student's scope the heads know of is missing. It never
// stops at the first problem, and reports every one.
func VerifyBundle(r io.ReaderAt, size int64, heads *Heads) BundleReport {
	var rep BundleReport
	add := func(file string, line int, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{file, line, fmt.Sprintf(format, args...)})
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		add("", 0, "not a bundle: %v (a bundle is a zip archive of %s, %s and %s; a truncated file fails here)", err, manifestFile, eventsFile, reportFile)
		return rep
	}
	files := map[string]*zip.File{}
	for _, f := range z.File {
		if f.Name != manifestFile && f.Name != eventsFile && f.Name != reportFile {
			add(f.Name, 0, "unexpected file: a bundle holds %s, %s and %s only", manifestFile, eventsFile, reportFile)
			continue
		}
		if files[f.Name] != nil {
			add(f.Name, 0, "present twice")
		}
		files[f.Name] = f
	}
	for _, name := range []string{manifestFile, eventsFile, reportFile} {
		if files[name] == nil {
			add(name, 0, "missing from the bundle")
		}
	}
	if files[manifestFile] == nil || files[eventsFile] == nil {
		return rep
	}
	m, err := readManifest(files[manifestFile])
	if err != nil {
		add(manifestFile, 0, "%v", err)
		return rep
	}
	rep.Manifest = m
	recs, v := readEvents(files[eventsFile], m, add)
	checkChains(m, v, add)
	var own []events.Record
	for _, r := range recs {
		if r.Aggregate == events.StudentOf(m.Matricule) {
			own = append(own, r)
		}
		if projections.About(r, m.Matricule) {
			rep.Facts++
		}
	}
	if len(own) == 0 {
		add(eventsFile, 0, "the chain of student %s (%s) is missing: a bundle holds the student's own records", m.Matricule, events.StudentOf(m.Matricule))
	}
	if files[reportFile] != nil && len(rep.Problems) == 0 {
		checkReport(files[reportFile], m, recs, add)
	}
	if heads != nil {
		rep.HeadsDigest = heads.Digest
		rep.HeadsChecked = checkHeads(m, ScopeOf(m.Matricule, own), recs, *heads, add)
	}
	return rep
}

func readManifest(f *zip.File) (Manifest, error) {
	rc, err := f.Open()
	if err != nil {
		return Manifest{}, err
	}
	defer rc.Close()
	var m Manifest
	dec := json.NewDecoder(rc)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("not a manifest: %v", err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return Manifest{}, fmt.Errorf("reading: %v", err)
	}
	switch {
	case m.Format != BundleFormat:
		return Manifest{}, fmt.Errorf("format %q: this verifier reads %q", m.Format, BundleFormat)
	case m.Matricule == "":
		return Manifest{}, errors.New("no matricule")
	case m.ExportedAt.IsZero():
		return Manifest{}, errors.New("no exported_at")
	}
	return m, nil
}

// readEvents reads and checks events.jsonl line by line: each record's
// bytes against its hash, its envelope against the line, the positions in
// increasing order, and each chain's links.
func readEvents(f *zip.File, m Manifest, add func(string, int, string, ...any)) ([]events.Record, *events.Verifier) {
	var v events.Verifier
	var recs []events.Record
	rc, err := f.Open()
	if err != nil {
		add(eventsFile, 0, "%v", err)
		return nil, &v
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n, last := 0, uint64(0)
	for sc.Scan() {
		n++
		var l line
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			add(eventsFile, n, "not a record line: %v", err)
			continue
		}
		if l.Hash == "" {
			add(eventsFile, n, "no hash: every record states the hash of its envelope")
			continue
		}
		data, err := base64.StdEncoding.DecodeString(l.Envelope)
		if err != nil {
			add(eventsFile, n, "envelope is not base64: %v", err)
			continue
		}
		if l.Position <= last {
			add(eventsFile, n, "position %d does not follow position %d: records are in log order", l.Position, last)
		}
		last = max(last, l.Position)
		if _, ok := m.Chains[l.Aggregate]; !ok {
			add(eventsFile, n, "aggregate %s is not among the manifest's chains", l.Aggregate)
		}
		var ce *events.ChainError
		if err := v.Add(l.Aggregate, l.Position, data, l.Hash); errors.As(err, &ce) {
			add(eventsFile, n, "position %d, %s: %s", l.Position, l.Aggregate, ce.Reason)
			continue
		}
		r, err := events.Decode(data)
		if err != nil {
			add(eventsFile, n, "position %d: %v", l.Position, err)
			continue
		}
		r.Position = l.Position
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		add(eventsFile, n+1, "%v (the file is truncated or corrupt)", err)
	}
	if n != m.Records {
		add(eventsFile, 0, "%d records, the manifest says %d", n, m.Records)
	}
	return recs, &v
}

// checkChains compares where each chain ends with the manifest.
func checkChains(m Manifest, v *events.Verifier, add func(string, int, string, ...any)) {
	got := v.Heads()
	for _, a := range slices.Sorted(maps.Keys(m.Chains)) {
		want, have := m.Chains[a], got[a]
		switch {
		case have.Records == 0:
			add(manifestFile, 0, "chain %s: no record of it in %s", a, eventsFile)
		case have != want:
			add(manifestFile, 0, "chain %s ends at position %d with %d records and hash %s in %s; the manifest says position %d, %d records, hash %s",
				a, have.Position, have.Records, short(have.Hash), eventsFile, want.Position, want.Records, short(want.Hash))
		case want.Position > m.Position:
			add(manifestFile, 0, "chain %s ends at position %d, after the bundle's position %d", a, want.Position, m.Position)
		}
	}
}

// checkReport regenerates the report from the verified records and
// compares it, byte for byte, with the bundle's.
func checkReport(f *zip.File, m Manifest, recs []events.Record, add func(string, int, string, ...any)) {
	rc, err := f.Open()
	if err != nil {
		add(reportFile, 0, "%v", err)
		return
	}
	defer rc.Close()
	have, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		add(reportFile, 0, "%v", err)
		return
	}
	want, err := reportOf(m, recs)
	if err != nil {
		add(reportFile, 0, "the report cannot be made again from the records: %v", err)
		return
	}
	if !bytes.Equal(have, want) {
		add(reportFile, 0, "is not the report of the bundle's records (regenerated from them, it differs): do not rely on it")
	}
}

// checkHeads checks the bundle against published heads: every chain the
// heads know passes through its published head, and every aggregate of
// the student's scope they know is in the bundle. It returns how many
// chains it checked.
func checkHeads(m Manifest, scope Scope, recs []events.Record, h Heads, add func(string, int, string, ...any)) int {
	const where = "heads"
	if h.Position > m.Position {
		add(where, 0, "the heads cover the log up to position %d, after the bundle's %d: check the bundle against heads published before it was exported", h.Position, m.Position)
		return 0
	}
	seen := map[events.AggregateID]events.Link{}
	for _, r := range recs {
		if r.Position <= h.Position {
			l := seen[r.Aggregate]
			seen[r.Aggregate] = events.Link{Hash: r.Hash, Position: r.Position, Records: l.Records + 1}
		}
	}
	checked := 0
	for _, a := range slices.Sorted(maps.Keys(h.Chains)) {
		want := h.Chains[a]
		_, inBundle := m.Chains[a]
		switch {
		case inBundle:
			checked++
			if got := seen[a]; got != want {
				add(where, 0, "chain %s: the published head is record %d at position %d with hash %s; up to that position the bundle has %d records ending at position %d with hash %s: the records differ from those published",
					a, want.Records, want.Position, short(want.Hash), got.Records, got.Position, short(got.Hash))
			}
		case scope.Holds(a):
			add(where, 0, "chain %s may hold facts about student %s (%d records published) and is missing from the bundle", a, m.Matricule, want.Records)
		}
	}
	return checked
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return cmp.Or(h, "(none)")
}
