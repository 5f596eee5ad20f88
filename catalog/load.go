package catalog

import (
	"github.com/gradelog/gradelog/datafile"
)

// Load decodes and checks the catalog file named file whose content is data.
//
// The findings are every problem found (sorted by line), including the ones
// the file acknowledges. The error is non-nil exactly when a finding is an
// unacknowledged error; the catalog is then nil, because a catalog with an
// unresolved inconsistency must not reach a transcript.
func Load(file string, data []byte) (*Catalog, datafile.Findings, error) {
	var c Catalog
	fs := datafile.Decode(file, data, &c)
	if !datafile.Holes(fs) {
		fs = append(fs, c.Check(file)...)
	}
	fs.Acknowledge(file, c.Acknowledged)
	fs.Sort()
	if err := fs.Err(); err != nil {
		return nil, fs, err
	}
	return &c, fs, nil
}

// Check runs the consistency checks on c, as Load does after decoding; it
// is exported for catalogs read back from a published event. Findings
// carry file and the lines c was decoded from (0 when c has none).
// Acknowledgements are not applied.
func (c *Catalog) Check(file string) datafile.Findings {
	k := checker{c: c, file: file}
	k.header()
	k.ues()
	k.requisites()
	k.cycles()
	k.totals()
	return k.fs
}

type checker struct {
	c    *Catalog
	file string
	fs   datafile.Findings
}

func (k *checker) errorf(line int, code, subject, format string, args ...any) {
	k.fs.Add(k.file, line, datafile.Error, code, subject, format, args...)
}
