//go:build !windows

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid another user's files belong to in these tests.
const nobody = 65534

func TestSomeoneElsesDirectoryOrFileIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a directory to another user needs root (os.Chown); run the tests as root to check the ownership refusal")
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir, cache string) string // returns the path refused
	}{
		{"state dir, mode 0777", func(t *testing.T, dir, _ string) string {
			chown(t, dir, nobody)
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			return dir
		}},
		{"state dir, tight mode", func(t *testing.T, dir, _ string) string { chown(t, dir, nobody); return dir }},
		{"state.json", func(t *testing.T, dir, _ string) string {
			path := filepath.Join(dir, stateFile)
			writeFile(t, path, []byte(`{"version":1,"sessions":[]}`), 0o600)
			chown(t, path, nobody)
			return path
		}},
		{"state.lock", func(t *testing.T, dir, _ string) string {
			path := filepath.Join(dir, lockFile)
			writeFile(t, path, nil, 0o600)
			chown(t, path, nobody)
			return path
		}},
		{"cache dir", func(t *testing.T, _, cache string) string {
			if err := os.Mkdir(cache, 0o700); err != nil {
				t.Fatal(err)
			}
			chown(t, cache, nobody)
			return cache
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bcauth")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			cache := filepath.Join(t.TempDir(), "cache")
			path := tc.setup(t, dir, cache)
			_, err := Open(dir, WithCacheDir(cache))
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Path != path {
				t.Fatalf("Open = %v, want an *UnsafeError for %s", err, path)
			}
			for _, want := range []string{path, "uid 65534", "not to you (uid 0)", "mode ", "chown"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
		})
	}
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

func TestALinkInPlaceOfAStateFileIsRefused(t *testing.T) {
	for _, name := range []string{stateFile, configFile, lockFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			elsewhere := filepath.Join(t.TempDir(), "target")
			writeFile(t, elsewhere, []byte(`{"version":1,"sessions":[]}`), 0o644)
			link := filepath.Join(dir, name)
			if err := os.Symlink(elsewhere, link); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Path != link || !strings.Contains(err.Error(), "symbolic link") {
				t.Fatalf("Open = %v, want an *UnsafeError for the link %s", err, link)
			}
			if got := perm(t, elsewhere); got != 0o644 {
				t.Errorf("the link's target was chmod-ed to %04o", got)
			}
		})
	}

	t.Run("put there after Open", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		missing := filepath.Join(t.TempDir(), "not-there")
		if err := os.Symlink(missing, filepath.Join(dir, lockFile)); err != nil {
			t.Fatal(err)
		}
		err := s.Update(func(st *State) error { st.Upsert(session(ada, "a")); return nil })
		var ue *UnsafeError
		if !errors.As(err, &ue) {
			t.Fatalf("Update through a linked lock = %v, want an *UnsafeError", err)
		}
		if _, err := os.Lstat(missing); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the lock link's target was created: %v", err)
		}
		statePath := filepath.Join(dir, stateFile)
		target := filepath.Join(t.TempDir(), "target")
		writeFile(t, target, []byte(`{"version":1,"sessions":[]}`), 0o644)
		if err := os.Remove(filepath.Join(dir, lockFile)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, statePath); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(); !errors.As(err, &ue) || ue.Path != statePath {
			t.Errorf("Load through a linked state.json = %v, want an *UnsafeError", err)
		}
		if got := perm(t, target); got != 0o644 {
			t.Errorf("the link's target was chmod-ed to %04o", got)
		}
	})
}

func TestAFIFOInPlaceOfStateJSONDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	path := filepath.Join(dir, stateFile)
	// No writer ever opens it: a plain open for reading would wait forever.
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	var ue *UnsafeError
	if _, err := s.Load(); !errors.As(err, &ue) || ue.Path != path {
		t.Errorf("Load with a FIFO = %v, want an *UnsafeError", err)
	}
	if err := s.Update(func(*State) error { return nil }); !errors.As(err, &ue) {
		t.Errorf("Update with a FIFO = %v, want an *UnsafeError", err)
	}
	if _, err := Open(dir); !errors.As(err, &ue) || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("Open with a FIFO = %v, want an *UnsafeError naming a FIFO", err)
	}
}

func TestALockWaitEndsWithTheContext(t *testing.T) {
	dir := t.TempDir()
	holder := open(t, dir)
	h, err := holder.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	ctx, cancel := context.WithCancel(t.Context())
	waiter, err := Open(dir, WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	waiter.lockTimeout = defaultLockTimeout * 100 // only the context can end it
	done := make(chan error, 1)
	go func() { done <- waiter.Update(func(*State) error { return nil }) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Update waiting for the lock after the context ended = %v, want context.Canceled", err)
	}
}
