package store

import (
	"fmt"
	"path/filepath"
)

// CorruptError reports a file that exists but cannot be read or parsed. The
// file is left as it is; only [Store.SetAside] or [Store.SetAsideClient] move
// it out of the way.
type CorruptError struct {
	Path string
	Err  error
}

// Error names the file and says how bcauth will clear it.
func (e *CorruptError) Error() string {
	again := "logging in again moves it aside"
	if filepath.Base(e.Path) == configFile {
		again = "entering the client settings again moves it aside"
	}
	return fmt.Sprintf("%s is unreadable or corrupt (%v): bcauth kept it as is, and %s", e.Path, e.Err, again)
}

// Unwrap returns the underlying read or parse error.
func (e *CorruptError) Unwrap() error { return e.Err }

// VersionError reports a file written by a newer bcauth, in a format version
// this one does not know. Such a file is never overwritten.
type VersionError struct {
	Path      string
	Version   int
	Supported int
}

// Error names the file and says what the person can do.
func (e *VersionError) Error() string {
	return fmt.Sprintf("%s has format version %d but this bcauth reads only up to version %d: upgrade bcauth, or move the file away to start over",
		e.Path, e.Version, e.Supported)
}
