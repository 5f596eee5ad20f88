//go:build !unix

package filelog

import "os"

// lock does nothing where flock does not exist: do not run two mirrors
// into one bundle.
func lock(f *os.File) (func(), error) { return func() {}, nil }

// syncDir does nothing where directories cannot be synced.
func syncDir(path string) error { return nil }
