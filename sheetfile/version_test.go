package sheetfile_test

import (
	"testing"

	"github.com/gradelog/gradelog/sheetfile"
)

// TestVersionRoundTrip: the sheet version a file was downloaded at comes
// back with the upload; a file without one reads as version 0.
func TestVersionRoundTrip(t *testing.T) {
	for _, format := range []string{"xlsx", "csv"} {
		tmpl := sample()
		tmpl.Version = 42
		up, err := sheetfile.Read(write(t, format, tmpl))
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 42 || len(up.Rows) != len(tmpl.Rows) {
			t.Fatalf("%s: version %d, %d rows", format, up.Version, len(up.Rows))
		}
		if up, err = sheetfile.Read(write(t, format, sample())); err != nil || up.Version != 0 {
			t.Fatalf("%s without a version: %d, %v", format, up.Version, err)
		}
	}
}
