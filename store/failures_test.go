package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A rename that fails is a failed write: the caller hears of it, the old
// file stays, and no temporary file is left.
func TestAFailedRenameIsAnError(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	upsert(t, s, session(ada, "old"))
	if err := s.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "old-secret"}); err != nil {
		t.Fatal(err)
	}
	// Removing the temporary file makes the rename itself fail.
	s.beforeRename = os.Remove
	for name, write := range map[string]func() error{
		stateFile:  func() error { return s.SaveToken(session(ada, "old").Key(), Token{AccessToken: "new"}) },
		configFile: func() error { return s.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "new-secret"}) },
	} {
		path := filepath.Join(dir, name)
		before := readFile(t, path)
		if err := write(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "cannot write "+path) {
			t.Errorf("writing %s with a failing rename = %v, want the rename's error", name, err)
		}
		if got := readFile(t, path); !bytes.Equal(got, before) {
			t.Errorf("%s changed:\n%s", name, got)
		}
	}
	noTemporaryFiles(t, dir)
}

func noTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// Bits that cannot be removed refuse the path rather than report it
// tightened.
func TestTightenThatFails(t *testing.T) {
	s := open(t, t.TempDir())
	s.Notices()
	path := filepath.Join(s.Dir(), stateFile)
	refused := errors.New("read-only file system")
	err := s.tighten(path, 0o644, fileMode, func(fs.FileMode) error { return refused })
	var ue *UnsafeError
	if !errors.As(err, &ue) || ue.Path != path || ue.Mode != 0o644 || !strings.Contains(ue.Fix, `chmod 0600 "`+path+`"`) || !strings.Contains(ue.Why, refused.Error()) {
		t.Errorf("tighten with a failing chmod = %v, want an *UnsafeError with the chmod to run", err)
	}
	if n := s.Notices(); len(n) != 0 {
		t.Errorf("notices after a failed tighten: %q", n)
	}
	var asked []fs.FileMode
	chmod := func(m fs.FileMode) error { asked = append(asked, m); return nil }
	if err := s.tighten(path, 0o750, dirMode, chmod); err != nil || len(asked) != 1 || asked[0] != 0o700 {
		t.Errorf("tighten(0750, 0700) = %v, asked %v; want one chmod to 0700", err, asked)
	}
	if err := s.tighten(path, 0o700, dirMode, chmod); err != nil || len(asked) != 1 {
		t.Errorf("tighten of a tight mode asked chmod %v", asked)
	}
}

func TestStateFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, stateFile)
	writeFile(t, path, validState, 0o600)
	// Sparse: the size without the disk space.
	if err := os.Truncate(path, maxFileBytes+1); err != nil {
		t.Fatal(err)
	}
	_, err := open(t, dir).Load()
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("Load of a file over the limit = %v, want a *CorruptError saying it is too large", err)
	}
	if err := os.Truncate(path, maxFileBytes); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, dir).Load(); err == nil || strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load of a file at the limit = %v, want it read (and found corrupt)", err)
	}
}

func TestCacheWriteFailures(t *testing.T) {
	key := session(ada, "a").Key()
	t.Run("a directory in the file's place", func(t *testing.T) {
		s, _ := cacheStore(t)
		path := s.cachePath(key)
		if err := os.MkdirAll(filepath.Join(path, "inside"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAuthorization(key, answer(ada, 1), t0); err == nil {
			t.Error("SaveAuthorization over a directory succeeded")
		}
		if err := s.ForgetAuthorization(key); err == nil || !strings.Contains(err.Error(), "cannot delete the account cache") {
			t.Errorf("ForgetAuthorization of a directory = %v, want an error", err)
		}
		noTemporaryFiles(t, s.CacheDir())
	})
	t.Run("a file in the directory's place", func(t *testing.T) {
		s, cache := cacheStore(t)
		if err := os.MkdirAll(filepath.Dir(cache), 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, cache, nil, 0o600)
		if err := s.SaveAuthorization(key, answer(ada, 1), t0); err == nil || !strings.Contains(err.Error(), "cannot create "+cache+" for bcauth's cache") {
			t.Errorf("SaveAuthorization into a file = %v, want an error naming %s", err, cache)
		}
	})
	t.Run("a loose directory made after Open", func(t *testing.T) {
		s, cache := cacheStore(t)
		if err := os.MkdirAll(cache, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(cache, 0o777); err != nil {
			t.Fatal(err)
		}
		s.Notices()
		if err := s.SaveAuthorization(key, answer(ada, 1), t0); err != nil {
			t.Fatal(err)
		}
		if got := perm(t, cache); permissionBits && got != 0o700 {
			t.Errorf("cache directory mode %04o, want 0700", got)
		}
		if n := s.Notices(); permissionBits && (len(n) != 1 || !strings.Contains(n[0], cache)) {
			t.Errorf("notices = %q, want the tightened cache directory", n)
		}
	})
}
