package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// A file of exactly the limit is read whole; one byte more is refused.
func TestReadLimit(t *testing.T) {
	s := open(t, t.TempDir())
	path := filepath.Join(s.Dir(), stateFile)
	data := []byte(`{"version": 1, "sessions": []}`)
	writeFile(t, path, data, 0o600)
	limit := int64(len(data))
	for name, read := range map[string]func(limit int64) (string, error){
		"readFile": func(limit int64) (string, error) {
			b, _, err := s.readFile(path, limit)
			return string(b), err
		},
		"readString": func(limit int64) (string, error) {
			v, _, err := s.readString(path, limit)
			return v, err
		},
	} {
		if got, err := read(limit); err != nil || got != string(data) {
			t.Errorf("%s at the limit = %q, %v; want the whole file", name, got, err)
		}
		if got, err := read(limit + 1); err != nil || got != string(data) {
			t.Errorf("%s under the limit = %q, %v; want the whole file", name, got, err)
		}
		if got, err := read(limit - 1); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s over the limit = %q, %v; want it refused", name, got, err)
		}
	}
}
