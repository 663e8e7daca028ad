//go:build unix

package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"bcauth/store"
)

// "A directory or file … that is a symbolic link, a FIFO or anything but
// a regular file where a state file belongs, is refused (exit 2) and never
// read, followed or chmod-ed", for state.json, config.json and state.lock.
func TestREADMEALinkOrFIFOInPlaceOfStateJSONIsRefused(t *testing.T) {
	commands := [][]string{
		{"status"}, {"status", "--json"}, {"token"}, {"accounts"}, {"ids"},
		{"refresh"}, {"probe"}, {"switch", "annie"}, {"logout"}, {"logout", "--all"},
	}
	for _, name := range []string{"state.json", "config.json", "state.lock"} {
		for _, kind := range []string{"symbolic link", "FIFO"} {
			t.Run(name+" "+kind, func(t *testing.T) {
				twoIDsOnDisk(t)
				dir := store.DefaultDir()
				path := filepath.Join(dir, name)
				// config.json exists only once something saved a client.
				if name == "config.json" {
					if err := os.WriteFile(path, []byte(`{"version": 1}`), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				before, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				// What the link points at: the real file, moved out, left
				// readable by others, as an attacker's file might be.
				target := filepath.Join(t.TempDir(), name)
				if err := os.Rename(path, target); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(target, 0o644); err != nil {
					t.Fatal(err)
				}
				if kind == "FIFO" {
					err = syscall.Mkfifo(path, 0o600)
				} else {
					err = os.Symlink(target, path)
				}
				if err != nil {
					t.Fatal(err)
				}
				secrets := storedSecretsIn(t, target)
				for _, args := range commands {
					stdout, stderr, code := bcauth(t, args...)
					cmd := strings.Join(args, " ")
					// status --json tells on stdout; nothing else does.
					if code != 2 || (stdout != "" && cmd != "status --json") {
						t.Errorf("bcauth %s with %s a %s: exit %d, stdout %q; want 2 and nothing", cmd, name, kind, code, stdout)
					}
					if out := stdout + stderr; !strings.Contains(out, path) || !strings.Contains(out, "does not use it") {
						t.Errorf("bcauth %s does not name %s as refused:\n%s", cmd, path, out)
					}
					for _, s := range secrets {
						if strings.Contains(stdout+stderr, s) {
							t.Errorf("bcauth %s printed what the link points at", cmd)
						}
					}
				}
				// Never followed, written through or chmod-ed.
				fi, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				if (kind == "FIFO") != (fi.Mode()&fs.ModeNamedPipe != 0) || (kind != "FIFO") != (fi.Mode()&fs.ModeSymlink != 0) {
					t.Errorf("%s is now %v, want the %s left in place", path, fi.Mode(), kind)
				}
				if kind == "FIFO" && fi.Mode().Perm() != 0o600 {
					t.Errorf("the FIFO's mode changed to %04o", fi.Mode().Perm())
				}
				if got := perm(t, target); got != 0o644 {
					t.Errorf("the link's target was chmod-ed to %04o", got)
				}
				if got, _ := os.ReadFile(target); !bytes.Equal(got, before) {
					t.Errorf("the link's target was written: %q, was %q", got, before)
				}
			})
		}
	}
}
