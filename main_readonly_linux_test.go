package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// nobody is the uid and gid the read-only test runs bcauth as: root
// ignores permission bits, so only another user meets a directory it
// cannot write.
const nobody = 65534

// TestAReadOnlyConfigDirectoryStillReads runs bcauth as another user on
// directories that user owns but cannot write (mode 0500, no state.lock
// yet), as on a read-only home: what only reads works and says once that
// nothing can be saved; a refresh that is due works for the run.
func TestAReadOnlyConfigDirectoryStillReads(t *testing.T) {
	setpriv, base, bin := asNobody(t, "bcauth-readonly-")

	fake := launchpadtest.NewServer(launchpadtest.Options{RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t))})
	t.Cleanup(fake.Close)
	c := uitest.Client(fake)
	configHome, cacheHome := filepath.Join(base, "config"), filepath.Join(base, "cache")
	st, err := store.Open(filepath.Join(configHome, "bcauth"), store.WithCacheDir(filepath.Join(cacheHome, "bcauth")))
	if err != nil {
		t.Fatal(err)
	}
	e := &uitest.Env{Fake: fake, Dir: st.Dir(), Svc: &core.Service{Store: st, Env: c, HTTPClient: &http.Client{Timeout: 10 * time.Second}}}
	sess := e.LogIn(t)
	// Everything is the other user's, and none of it writable by them;
	// root takes it back to change it (bcauth refuses another user's
	// files, root's own store included), and gives it away again.
	giveAway := func() { ownTree(t, nobody, 0o500, 0o400, configHome, cacheHome) }
	takeBack := func() { ownTree(t, 0, 0o700, 0o600, configHome, cacheHome) }
	run := func(args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
		cmd.Env = []string{
			asBcauthEnv + "=1", "HOME=" + base, "PATH=" + os.Getenv("PATH"),
			"XDG_CONFIG_HOME=" + configHome, "XDG_CACHE_HOME=" + cacheHome,
			auth.SettingClientID + "=" + c.ClientID, auth.SettingClientSecret + "=" + c.ClientSecret,
			auth.SettingRedirectURI + "=" + c.RedirectURI, auth.SettingLaunchpadURL + "=" + c.LaunchpadURL,
		}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	}
	note := "bcauth: note: " + st.Dir() + " is read-only, so nothing can be saved"
	lock := filepath.Join(st.Dir(), "state.lock")
	for _, withLock := range []bool{false, true} {
		takeBack()
		if !withLock {
			// As in a home copied in without it: nothing can create it.
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(lock, nil, 0o400); err != nil {
			t.Fatal(err) // there, but not writable, as on a read-only mount
		}
		e.ExpireStored(t, sess, -time.Hour) // valid for an hour yet
		giveAway()
		before, err := os.ReadFile(filepath.Join(st.Dir(), "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			args []string
			want string // in stdout
		}{
			{[]string{"status"}, "annie@example.com"},
			{[]string{"token"}, sess.Token.AccessToken + "\n"},
			{[]string{"accounts"}, "Honcho Design"},
			{[]string{"ids"}, "Annie Bryan"},
		} {
			stdout, stderr, code := run(tc.args...)
			if code != 0 || !strings.Contains(stdout, tc.want) || strings.Count(stderr, note) != 1 {
				t.Errorf("state.lock there %v: %s on a read-only directory: exit %d, stdout %q, stderr %q; want exit 0, %q, and %q once",
					withLock, tc.args[0], code, stdout, stderr, tc.want, note)
			}
		}

		if after, err := os.ReadFile(filepath.Join(st.Dir(), "state.json")); err != nil || !bytes.Equal(before, after) {
			t.Errorf("state.lock there %v: state.json changed by reading it (%v)", withLock, err)
		}

		// A refresh that is due works for this run, which says it is not saved.
		takeBack()
		e.ExpireStored(t, sess, time.Minute)
		giveAway()
		if before, err = os.ReadFile(filepath.Join(st.Dir(), "state.json")); err != nil {
			t.Fatal(err)
		}
		refreshes := fake.RefreshRequests()
		stdout, stderr, code := run("token")
		if code != 0 || stdout == "" || stdout == sess.Token.AccessToken+"\n" || !strings.Contains(stderr, "could not be saved") {
			t.Errorf("state.lock there %v: token due for a refresh on a read-only directory: exit %d, stdout %q, stderr %q; want a fresh token and a warning",
				withLock, code, stdout, stderr)
		}
		if n := fake.RefreshRequests() - refreshes; n != 1 {
			t.Errorf("state.lock there %v: %d refresh requests, want 1", withLock, n)
		}
		after, err := os.ReadFile(filepath.Join(st.Dir(), "state.json"))
		if err != nil || !bytes.Equal(before, after) {
			t.Errorf("state.lock there %v: state.json changed on a read-only directory (%v)", withLock, err)
		}
	}

	// Launchpad now answers another name: shown, though neither state.json
	// nor the account cache can take it.
	id := fake.Identity()
	id.FirstName = "Anne"
	fake.SetIdentity(id)
	stdout, stderr, code := run("status")
	if code != 0 || !strings.Contains(stdout, "Anne Bryan") || strings.Count(stderr, note) != 1 {
		t.Errorf("status with a new name on a read-only directory: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// copyExecutable copies this test binary to dst, where another user can
// run it: the one go test built sits in root's own directory.
func copyExecutable(t *testing.T, dst string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// asNobody skips the test unless it can run bcauth as uid 65534 (root and
// setpriv are needed: as root, permission bits would not apply), and
// returns setpriv, a directory the other user may enter (t.TempDir's are
// 0700 root's) and a copy of bcauth in it.
func asNobody(t *testing.T, prefix string) (setpriv, base, bin string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("runs bcauth as uid 65534 through setpriv, which needs root (as root, permission bits would not apply)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv (util-linux) to run bcauth as another user")
	}
	base, err = os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(base, "bcauth")
	copyExecutable(t, bin)
	return setpriv, base, bin
}

// ownTree gives every directory and file below tops to uid, with dirMode
// and fileMode.
func ownTree(t *testing.T, uid int, dirMode, fileMode fs.FileMode, tops ...string) {
	t.Helper()
	for _, top := range tops {
		err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := os.Chown(path, uid, uid); err != nil {
				return err
			}
			if d.IsDir() {
				return os.Chmod(path, dirMode)
			}
			return os.Chmod(path, fileMode)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
