//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// swapAfterLook makes the store's next look-before-open of name find a
// vetted file, and the open that follows find what swap puts there: the
// race another user with write access to the directory could run.
func swapAfterLook(s *Store, name string, swap func(path string)) {
	s.afterLook = func(path string) {
		if filepath.Base(path) == name {
			s.afterLook = nil
			swap(path)
		}
	}
}

func toFIFO(t *testing.T) func(string) {
	return func(path string) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func toNobody(t *testing.T) func(string) {
	return func(path string) { chown(t, path, nobody) }
}

// The checks made after opening, on the descriptor, refuse what was
// swapped in after the look.
func TestAFileSwappedAfterTheLookIsRefused(t *testing.T) {
	type swap struct {
		name string
		to   func(t *testing.T) func(string)
		root bool
		why  string
	}
	swaps := []swap{
		{"a FIFO", toFIFO, false, "not a regular file"},
		{"another user's file", toNobody, true, "belongs to uid 65534"},
	}
	for _, sw := range swaps {
		t.Run(sw.name, func(t *testing.T) {
			if sw.root && os.Getuid() != 0 {
				t.Skip("giving a file to another user needs root")
			}
			for _, tc := range []struct {
				name string
				file string
				do   func(s *Store) error
			}{
				{"Load", stateFile, func(s *Store) error { _, err := s.Load(); return err }},
				{"LoadClient", configFile, func(s *Store) error { _, err := s.LoadClient(); return err }},
				{"Update", lockFile, func(s *Store) error { return s.Update(func(*State) error { return nil }) }},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dir := t.TempDir()
					s := open(t, dir)
					upsert(t, s, session(ada, "a"))
					if err := s.SaveClient(ClientConfig{ClientID: "client-1"}); err != nil {
						t.Fatal(err)
					}
					path := filepath.Join(dir, tc.file)
					swapAfterLook(s, tc.file, sw.to(t))
					err := tc.do(s)
					var ue *UnsafeError
					var ce *CorruptError
					if !errors.As(err, &ue) || errors.As(err, &ce) || ue.Path != path || !strings.Contains(err.Error(), sw.why) {
						t.Errorf("%s = %v, want an *UnsafeError for %s that %s", tc.name, err, path, sw.why)
					}
				})
			}
		})
	}

	t.Run("a link, while Open tightens", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, stateFile)
		writeFile(t, path, validState, 0o644)
		target := filepath.Join(t.TempDir(), "target")
		writeFile(t, target, validState, 0o644)
		_, err := Open(dir, func(s *Store) {
			swapAfterLook(s, stateFile, func(path string) {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, path); err != nil {
					t.Fatal(err)
				}
			})
		})
		var ue *UnsafeError
		if !errors.As(err, &ue) || ue.Path != path || !strings.Contains(err.Error(), "could not tighten") {
			t.Errorf("Open = %v, want an *UnsafeError: the mode could not be tightened", err)
		}
		if got := perm(t, target); got != 0o644 {
			t.Errorf("the link's target was chmod-ed to %04o", got)
		}
	})
}

// An unsafe file is refused as such, not taken for a corrupt one: logging
// in again does not move it aside.
func TestAnUnsafeFileIsNotCorrupt(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	target := filepath.Join(t.TempDir(), "target")
	writeFile(t, target, []byte("not json"), 0o600)
	path := filepath.Join(dir, stateFile)
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	var ue *UnsafeError
	var ce *CorruptError
	if _, err := s.Load(); !errors.As(err, &ue) || errors.As(err, &ce) {
		t.Errorf("Load = %v, want an *UnsafeError and no *CorruptError", err)
	}
	if aside, err := s.SetAside(); aside != "" || !errors.As(err, &ue) {
		t.Errorf("SetAside = %q, %v; want nothing moved and the *UnsafeError", aside, err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was moved: %v, %v", fi, err)
	}
}

// A write cut short (here by the file size limit, as a full disk would)
// is an error, and the old file stays whole: the login is not lost.
const fileSizeLimitEnv = "BCAUTH_STORE_FSIZE_DIR"

func TestAShortWriteHelper(t *testing.T) {
	dir := os.Getenv(fileSizeLimitEnv)
	if dir == "" {
		t.Skip("helper process for TestAShortWriteKeepsTheOldFile")
	}
	s, err := Open(dir, WithCacheDir(filepath.Join(dir, "cache")))
	if err != nil {
		t.Fatal(err)
	}
	// Go ignores SIGXFSZ: a write past the limit fails with EFBIG.
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 8 << 10, Max: unix.RLIM_INFINITY}); err != nil {
		t.Fatal(err)
	}
	// The limit is lifted before the process ends: under -cover the test
	// binary writes its coverage on exit, which the limit would cut short.
	defer unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
	big := session(ada, "new")
	big.Identity.FirstName = strings.Repeat("A", 16<<10)
	if err := s.Update(func(st *State) error { st.Upsert(big); return nil }); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("Update past the file size limit = %v, want EFBIG", err)
	}
	if err := s.SaveAuthorization(big.Key(), answer(ada, 200), t0); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("SaveAuthorization past the file size limit = %v, want EFBIG", err)
	}
	fmt.Println("HELPER DONE")
}

func TestAShortWriteKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	upsert(t, s, session(ada, "old"))
	path := filepath.Join(dir, stateFile)
	old := readFile(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestAShortWriteHelper$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), fileSizeLimitEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "HELPER DONE") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if got := readFile(t, path); string(got) != string(old) {
		t.Errorf("state.json after a short write:\n%s", got)
	}
	if tok := loadToken(t, open(t, dir), session(ada, "old").Key()); tok.AccessToken != "old" {
		t.Errorf("the login after a short write: %+v", tok)
	}
	noTemporaryFiles(t, dir)
	noTemporaryFiles(t, filepath.Join(dir, "cache"))
}

// A cache directory another user made after Open is refused when the
// cache is first written: nothing of this user's goes into it.
func TestCacheDirOfAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
	s, cache := cacheStore(t)
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	chown(t, cache, nobody)
	var ue *UnsafeError
	if err := s.SaveAuthorization(session(ada, "a").Key(), answer(ada, 1), t0); !errors.As(err, &ue) || ue.Path != cache {
		t.Errorf("SaveAuthorization into another user's directory = %v, want an *UnsafeError for %s", err, cache)
	}
	if entries, err := os.ReadDir(cache); err != nil || len(entries) != 0 {
		t.Errorf("the directory holds %v, %v", entries, err)
	}
}
