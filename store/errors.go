package store

import (
	"fmt"
	"io/fs"
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

// UnsafeError refuses a directory or file bcauth would trust with a login
// while another user could replace or read it: it belongs to someone else,
// it is a link or not a regular file, or its loose permissions could not
// be tightened. Nothing is read from it or written to it.
type UnsafeError struct {
	Path string
	// Why is what is wrong, such as "belongs to uid 65534, not to you (uid 0)".
	Why  string
	Mode fs.FileMode
	// Fix is the command or step that makes it safe.
	Fix string
}

// Error names the path, what is wrong, its mode, and the fix.
func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s (mode %s), so bcauth does not use it: %s", e.Path, e.Why, e.Mode, e.Fix)
}
