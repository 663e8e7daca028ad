package auth_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostileEnv, when set, makes the test binary the hostile local user's
// program instead of running tests: it GETs each URL in hostileURLs (one a
// line), sending no cookie, and prints each answer's status.
const (
	hostileEnv  = "BCAUTH_TEST_HOSTILE"
	hostileURLs = "BCAUTH_TEST_HOSTILE_URLS"
)

// init, not TestMain (the package's TestMain guards the network): the
// hostile program runs before any test would.
func init() {
	if os.Getenv(hostileEnv) == "1" {
		os.Exit(hostile())
	}
}

func hostile() int {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, u := range strings.Split(os.Getenv(hostileURLs), "\n") {
		resp, err := c.Get(u)
		if err != nil {
			fmt.Println("error", err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Set-Cookie") != "")
	}
	return 0
}

// asOtherUser runs this test binary as uid and gid 65534 (nobody), a real
// second user, to GET urls; it returns one "STATUS SETCOOKIE" line per URL.
func asOtherUser(t *testing.T, urls ...string) []string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("playing another local user needs root, to run a process as uid 65534 (CI runs the tests as root)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv (util-linux) to run a process as another user")
	}
	// The test binary lives in a directory only root may enter: copy it
	// where nobody can run it.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "bcauth-hostile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hostile")
	src, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin)
	cmd.Env = []string{hostileEnv + "=1", hostileURLs + "=" + strings.Join(urls, "\n")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the other user's program: %v\n%s", err, out)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != len(urls) {
		t.Fatalf("the other user's program answered %q for %d URLs", out, len(urls))
	}
	return lines
}

// TestOtherUserCannotTakePart plays a second local user who reads the
// address the browser was given (every user can read every process's
// arguments), opens it first, approves as itself at the fake with the state
// (as if it had stolen that too) and calls back, with a code and with a
// denial. Everything is refused and changes nothing; the person's own
// browser then completes the login with the person's own code.
func TestOtherUserCannotTakePart(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.listen(t)
	done := goWait(t.Context(), ln)
	theirs := h.approve(t, l)
	denial := h.redirect + "?error=access_denied&state=" + url.QueryEscape(l.State)
	got := asOtherUser(t, l.Start, theirs, denial, "http://"+h.addr+"/favicon.ico")
	want := []string{"403 false", "403 false", "403 false", "404 false"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("the other user's request %d answered %q, want %q", i, got[i], want[i])
		}
	}
	h.goesOn(t, done, "the other user")

	h.open(t, l) // still the first opening: the refused one did not count
	ours := h.approve(t, l)
	if b := <-h.browser.goBrowse(t.Context(), http.MethodGet, ours); b.err != nil || b.page.status != http.StatusOK {
		t.Fatalf("the person's browser: %v %+v", b.err, b.page)
	}
	w := <-done
	if w.err != nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
	if codes := exchangedCodes(h.fake); len(codes) != 1 || codes[0] != mustQuery(t, ours).Get("code") || codes[0] == mustQuery(t, theirs).Get("code") {
		t.Errorf("codes traded %v, want only the person's", codes)
	}
}
