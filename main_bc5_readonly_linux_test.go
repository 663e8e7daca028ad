package main

import (
	"bytes"
	"errors"
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

// A BC5 login due for renewal in a state directory its user cannot write:
// BC5 would replace the refresh token, and the new one could not be kept,
// so bcauth asks nothing (the login stays alive at the issuer) and says
// why, exit 2. Before, it refreshed, could not save, and the next run
// presented the spent token, which ended the login at the issuer.
func TestABC5LoginIsNotRenewedWhereItCannotBeSaved(t *testing.T) {
	setpriv, base, bin := asNobody(t, "bcauth-bc5-readonly-")
	configHome, cacheHome := filepath.Join(base, "config"), filepath.Join(base, "cache")
	fake, b := expiredBC5Login(t, configHome, cacheHome)
	ownTree(t, nobody, 0o500, 0o400, configHome, cacheHome)
	before := b.RefreshRequests()
	for range 2 {
		out, errOut, code := runBC5(t, base, configHome, cacheHome, fake.URL, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "token")
		if code != 2 || out != "" || !strings.Contains(errOut, "read-only") {
			t.Errorf("token on a read-only directory: exit %d, stdout %q, stderr %q; want exit 2 and why", code, out, errOut)
		}
	}
	if n := b.RefreshRequests() - before; n != 0 {
		t.Errorf("%d refreshes sent that could not be saved", n)
	}
	if b.ReuseDetected() != 0 || b.Revoked() {
		t.Errorf("the login was lost at the issuer: %d reuses, revoked %v", b.ReuseDetected(), b.Revoked())
	}
}

// expiredBC5Login stores, under configHome and cacheHome, a BC5 login of
// the fake's first person made as the device login makes it, its access
// token expired, and returns the fake's issuer. ReuseGrace is off, so a
// spent refresh token presented again revokes the login.
func expiredBC5Login(t *testing.T, configHome, cacheHome string) (*launchpadtest.Server, *launchpadtest.BC5) {
	t.Helper()
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	b, err := fake.StartBC5(launchpadtest.BC5Options{Interval: time.Second, ReuseGrace: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(configHome, "bcauth"), store.WithCacheDir(filepath.Join(cacheHome, "bcauth")))
	if err != nil {
		t.Fatal(err)
	}
	e := &uitest.Env{Fake: fake, Dir: st.Dir(), Svc: &core.Service{Store: st,
		Env:        store.ClientConfig{BC5ClientID: launchpadtest.BC5ClientID, BaseURL: fake.URL},
		HTTPClient: &http.Client{Timeout: 10 * time.Second}}}
	sess := uitest.LogInBC5(t, e.Svc, b.Approve, auth.ScopeFull)
	e.ExpireStored(t, sess, time.Minute)
	return fake, b
}

// A BC5 login due for renewal where its save would not fit (here the file
// size limit stands in for a full disk or a quota): the refresh sets aside
// room first, cannot, and sends nothing, exit 2; once there is room, the
// next run renews it, and the issuer saw no reuse. Before, the refresh was
// sent, its save failed ("try again"), and trying again presented the
// spent token, which revoked the login.
func TestABC5LoginIsNotRenewedWhereItsSaveWouldNotFit(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to run bcauth with a file size limit")
	}
	base := t.TempDir()
	configHome, cacheHome := filepath.Join(base, "config"), filepath.Join(base, "cache")
	fake, b := expiredBC5Login(t, configHome, cacheHome)
	run := func(args ...string) (string, string, int) {
		return runBC5(t, base, configHome, cacheHome, fake.URL, args...)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Smaller than state.json itself: the save could not be written.
	stdout, stderr, code := run(prlimit, "--fsize=512", self, "token")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "no room") {
		t.Errorf("token where its save would not fit: exit %d, stdout %q, stderr %q; want exit 2 and why", code, stdout, stderr)
	}
	if n := b.RefreshRequests(); n != 0 {
		t.Fatalf("%d refreshes sent that could not have been saved", n)
	}
	if stdout, stderr, code = run(self, "token"); code != 0 || stdout == "" {
		t.Fatalf("token with room again: exit %d, stderr %q", code, stderr)
	}
	if b.RefreshRequests() != 1 || b.ReuseDetected() != 0 || b.Revoked() {
		t.Errorf("%d refreshes, %d reuses, revoked %v", b.RefreshRequests(), b.ReuseDetected(), b.Revoked())
	}
	if entries, _ := filepath.Glob(filepath.Join(configHome, "bcauth", ".state.json.tmp-*")); len(entries) != 0 {
		t.Errorf("the room set aside was left behind: %q", entries)
	}
}

// runBC5 runs args (bcauth, or a program that runs it) with only a BC5
// client configured and the state under configHome and cacheHome, and
// returns what it printed and its exit code.
func runBC5(t *testing.T, home, configHome, cacheHome, resource string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), args[0], args[1:]...)
	cmd.Env = []string{asBcauthEnv + "=1", "HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + configHome, "XDG_CACHE_HOME=" + cacheHome,
		auth.SettingBC5ClientID + "=" + launchpadtest.BC5ClientID, auth.SettingResource + "=" + resource}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}
