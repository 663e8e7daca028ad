package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A corrupt file that cannot be moved aside stays, and SetAside says so
// rather than name a place it never went. Here the new name is longer
// than Linux's PATH_MAX (4096) while the old one is not.
func TestSetAsideThatCannotRename(t *testing.T) {
	const pathMax = 4096
	dir := t.TempDir()
	want := pathMax - len("/"+stateFile) - 10 // room for state.json, not for .corrupt-…
	for len(dir) < want {
		dir = filepath.Join(dir, strings.Repeat("d", min(200, want-len(dir)-1)))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, stateFile)
	writeFile(t, path, []byte("not json"), 0o600)
	s := open(t, dir)
	fixedNow(s)
	aside, err := s.SetAside()
	if aside != "" || !errors.Is(err, syscall.ENAMETOOLONG) || !strings.Contains(err.Error(), "cannot move") {
		t.Errorf("SetAside = %q, %v; want no path and the rename's error", aside, err)
	}
	if got := readFile(t, path); !bytes.Equal(got, []byte("not json")) {
		t.Errorf("state.json holds %q", got)
	}
}
