//go:build unix

package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestAnotherUsersLinkIsNotFollowed: another local user plants a symbolic
// link as the state or cache directory, inside a directory both can
// write, pointing at a directory of the person's own. bcauth must refuse
// it, neither chmod-ing the target nor writing there; a link of the
// person's own is followed as before.
func TestAnotherUsersLinkIsNotFollowed(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a link to another user needs root (os.Lchown)")
	}
	for _, which := range []string{"state", "cache"} {
		t.Run(which, func(t *testing.T) {
			shared := t.TempDir()
			target := filepath.Join(t.TempDir(), "proj")
			if err := os.Mkdir(target, 0o755); err != nil {
				t.Fatal(err)
			}
			dir, cache := filepath.Join(shared, "config"), filepath.Join(shared, "cache")
			link := dir
			if which == "cache" {
				link = cache
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			st, err := Open(dir, WithCacheDir(cache))
			if err == nil {
				// The cache is looked at when it is first written.
				err = st.SaveAuthorization("k", nil, st.now())
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Path != link {
				t.Fatalf("%s dir as another user's link: %v, want an UnsafeError naming %s", which, err, link)
			}
			if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o755 {
				t.Errorf("the link's target was changed: %v, %v", fi.Mode(), err)
			}
			if entries, _ := os.ReadDir(target); len(entries) != 0 {
				t.Errorf("bcauth wrote into the link's target: %v", entries)
			}

			// The same link, made by the person: followed.
			if err := os.Lchown(link, os.Getuid(), os.Getgid()); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(dir, WithCacheDir(cache)); err != nil {
				t.Errorf("a link of the person's own: %v", err)
			}
		})
	}
}
