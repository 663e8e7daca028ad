package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/uitest"
)

// The real-terminal test: the built bcauth binary runs in tmux against a
// fake Launchpad in this process, with $BROWSER set to this test binary
// playing a browser that clicks Allow.

// browserHelperEnv makes TestHelperBrowser act as the browser.
const browserHelperEnv = "BCAUTH_E2E_BROWSER"

// browserCountEnv names a file where the helper browser counts its visits:
// the second one approves as the fake's second person.
const browserCountEnv = "BCAUTH_E2E_BROWSER_COUNT"

// TestHelperBrowser is not a test: the e2e test's $BROWSER script runs the
// test binary again with only this test selected, and it plays a browser
// for the URL it is given.
func TestHelperBrowser(t *testing.T) {
	if os.Getenv(browserHelperEnv) != "1" {
		t.Skip("helper process for TestTerminal, run as its $BROWSER")
	}
	args := flagArgs()
	if len(args) != 1 {
		fmt.Fprintf(os.Stderr, "helper browser: want one URL, got %q\n", args)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	as := ""
	if count := os.Getenv(browserCountEnv); count != "" {
		b, _ := os.ReadFile(count)
		visits := len(b) + 1
		_ = os.WriteFile(count, append(b, '.'), 0o600)
		if visits == 2 {
			as = strconv.FormatInt(launchpadtest.DemoSecondIdentity().ID, 10)
		}
	}
	if err := clickAllow(ctx, args[0], as); err != nil {
		fmt.Fprintln(os.Stderr, "helper browser:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// flagArgs is what follows "--" on the command line.
func flagArgs() []string {
	for i, a := range os.Args {
		if a == "--" {
			return os.Args[i+1:]
		}
	}
	return nil
}

var (
	inputTag = regexp.MustCompile(`<input[^>]*>`)
	attr     = regexp.MustCompile(`(\w+)="([^"]*)"`)
	formTag  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
)

// clickAllow does what a person's browser does: load the address it was
// given (bcauth's start address, which redirects to the consent page and
// sets a cookie), submit the consent form with the Allow button (choosing
// the Launchpad id as, when not empty, among the people it offers), follow
// the redirect to bcauth's loopback callback with that cookie and read the
// page it answers with.
func clickAllow(ctx context.Context, authURL, as string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 20 * time.Second, Jar: jar}
	page, base, err := fetch(ctx, c, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	action := formTag.FindStringSubmatch(page)
	if action == nil {
		return fmt.Errorf("no form on the consent page:\n%s", page)
	}
	form := url.Values{"decision": {"allow"}}
	for _, tag := range inputTag.FindAllString(page, -1) {
		a := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			a[m[1]] = html.UnescapeString(m[2])
		}
		if a["type"] == "hidden" {
			form.Set(a["name"], a["value"])
		}
		if a["type"] == "radio" && a["name"] == "as" && a["value"] == as {
			form.Set("as", as)
		}
	}
	if as != "" && form.Get("as") != as {
		return fmt.Errorf("the consent page offers no Basecamp ID %s:\n%s", as, page)
	}
	target, err := base.Parse(html.UnescapeString(action[1]))
	if err != nil {
		return err
	}
	// The client follows the redirect to the callback, which answers once
	// bcauth has traded the code.
	page, _, err = fetch(ctx, c, http.MethodPost, target.String(), form)
	if err != nil {
		return err
	}
	if !strings.Contains(page, "connected") {
		return fmt.Errorf("the callback page does not say connected:\n%s", page)
	}
	return nil
}

func fetch(ctx context.Context, c *http.Client, method, target string, form url.Values) (string, *url.URL, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%s %s: %s\n%s", method, resp.Request.URL, resp.Status, b)
	}
	return string(b), resp.Request.URL, nil
}

// tmuxSession is one bcauth running in its own tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string // the server's socket path
	env    []string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", s.socket}, args...)...)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

func (s *tmuxSession) must(args ...string) string {
	s.t.Helper()
	out, err := s.tmux(args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.must("capture-pane", "-p", "-t", "e2e")
}

// waitFor polls the pane, briefly and often, until it shows text.
func (s *tmuxSession) waitFor(text string, within time.Duration) string {
	s.t.Helper()
	// tmux has no "screen changed" event to wait on, so look at each tick.
	deadline := time.After(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		screen := s.screen()
		if strings.Contains(screen, text) {
			return screen
		}
		select {
		case <-tick.C:
		case <-deadline:
			s.t.Fatalf("the terminal never showed %q within %v; it shows:\n%s", text, within, screen)
		}
	}
}

// build compiles bcauth into dir.
func build(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bcauth")
	began := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built bcauth in %v", time.Since(began).Round(time.Millisecond))
	return bin
}

func TestTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bcauth and runs it in tmux: not with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		const why = "no tmux on PATH: install it (apt-get install -y tmux) to run the real-terminal test"
		if os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
			t.Fatal(why + "; BCAUTH_E2E_REQUIRED is set, as in CI, so this is a failure, not a skip")
		}
		t.Skip(why + "; CI does")
	}
	tmp := t.TempDir()
	bin := build(t, tmp)

	fake := launchpadtest.NewServer(launchpadtest.Options{
		RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t)),
	})
	t.Cleanup(fake.Close)
	o := fake.Options()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	browser := filepath.Join(tmp, "browser")
	// The script records what bcauth gave it: its environment and its
	// arguments, which every local user can read in /proc.
	script := fmt.Sprintf("#!/bin/sh\nenv > '%s/browser.env'\nprintf '%%s\\n' \"$@\" > '%s/browser.args'\n%s=1 exec '%s' -test.run='^TestHelperBrowser$' -- \"$1\"\n", tmp, tmp, browserHelperEnv, self)
	if err := os.WriteFile(browser, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	// Only what bcauth needs, so nothing from the machine running the test
	// (a real config, DISPLAY, SSH_CONNECTION) changes what it does.
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config"),
		"BASECAMP_OAUTH_CLIENT_ID=" + o.ClientID,
		"BASECAMP_OAUTH_CLIENT_SECRET=" + o.ClientSecret,
		"BASECAMP_OAUTH_REDIRECT_URI=" + o.RedirectURI,
		"BASECAMP_LAUNCHPAD_URL=" + fake.URL,
		"BROWSER=" + browser,
		browserCountEnv + "=" + filepath.Join(tmp, "browser-visits"),
		// Secrets a person may have exported, which no child may inherit.
		// (Not BASECAMP_TOKEN: it would stand in for the login tested here.)
		"BASECAMP_PASSWORD=secret-password",
		"BASECAMP_API_TOKEN=secret-api-token",
		"GITHUB_TOKEN=secret-github",
	}
	conf := filepath.Join(tmp, "tmux.conf")
	// tmux's default set-clipboard external drops a program's OSC 52, so
	// the href reaches tmux's buffer only through bcauth's own tmux
	// load-buffer; remain-on-exit keeps the pane readable if bcauth dies.
	if err := os.WriteFile(conf, []byte("set-option -g set-clipboard external\nset-option -g remain-on-exit on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A server of its own, with its socket in the temporary directory, so
	// it neither meets the person's tmux nor leaves anything behind.
	s := &tmuxSession{t: t, socket: filepath.Join(tmp, "tmux.sock"), env: env}
	s.must("-f", conf, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", bin)
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })

	began := time.Now()
	s.waitFor("erification code", 15*time.Second)
	s.must("send-keys", "-t", "e2e", "Enter")
	screen := s.waitFor("Honcho Design", 30*time.Second)
	t.Logf("logged in through the helper browser in %v", time.Since(began).Round(time.Millisecond))

	// The consent page was loaded, then its form posted: a browser's two
	// requests, not a shortcut.
	if n := fake.Requests(launchpadtest.EndpointConsent); n < 2 {
		t.Errorf("the fake saw %d consent requests, want the page and the Allow", n)
	}
	// What the browser got: the start address and nothing secret.
	args, err := os.ReadFile(filepath.Join(tmp, "browser.args"))
	if err != nil {
		t.Fatal(err)
	}
	if a := strings.TrimSpace(string(args)); !strings.HasPrefix(a, "http://127.0.0.1:") || !strings.Contains(a, "/start/") || strings.Contains(a, "state") {
		t.Errorf("$BROWSER was given %q, want only the start address", a)
	}
	benv, err := os.ReadFile(filepath.Join(tmp, "browser.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{o.ClientSecret, "secret-password", "secret-api-token", "secret-github"} {
		if strings.Contains(string(benv), secret) {
			t.Errorf("$BROWSER's environment holds the secret %q:\n%s", secret, benv)
		}
	}
	if !strings.Contains(string(benv), "HOME="+tmp) {
		t.Errorf("$BROWSER's environment lost HOME:\n%s", benv)
	}
	href := selectedHref(t, fake, screen)
	s.must("send-keys", "-t", "e2e", "Enter")
	s.waitFor("tmux's paste buffer", 10*time.Second)
	buf := ""
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for buf != href {
		buf, _ = s.tmux("show-buffer")
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("tmux's buffer holds %q, want the selected account's href %q (tmux load-buffer)", buf, href)
		}
	}

	// a copies a bcauth api line for the same account; run as it is, it
	// lists that account's projects.
	s.must("send-keys", "-t", "e2e", "a")
	s.waitFor("Copied bcauth api", 10*time.Second)
	line := ""
	for !strings.HasPrefix(line, "bcauth api ") {
		line, _ = s.tmux("show-buffer")
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("tmux's buffer holds %q, want a bcauth api line", line)
		}
	}
	t.Run("api", func(t *testing.T) {
		args := strings.Fields(line)[1:]
		out, code := runBin(t, bin, env, args...)
		var projects []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &projects) != nil || len(projects) != 3 || projects[1].Name != "Marketing Site Refresh" {
			t.Fatalf("%s: exit %d\n%s", line, code, out)
		}
		if acc := strings.TrimSuffix(href, "/"); !strings.HasPrefix(projects[0].URL, acc+"/projects/") {
			t.Errorf("the projects are not the selected account's (%s): %s", acc, projects[0].URL)
		}
	})

	// A second Basecamp ID, from the switch picker's last entry; the
	// helper browser approves as the fake's second person this time.
	s.must("send-keys", "-t", "e2e", "s")
	s.waitFor("+ Log in with another Basecamp ID", 10*time.Second)
	s.must("send-keys", "-t", "e2e", "Down", "Enter")
	s.waitFor("erification code", 15*time.Second)
	s.must("send-keys", "-t", "e2e", "Enter")
	s.waitFor("Ortiz Family Projects", 30*time.Second)
	s.waitFor("ID 2 of 2", 5*time.Second)
	// Back to the first, in the same picker.
	s.must("send-keys", "-t", "e2e", "s")
	s.waitFor("Ben Ortiz <ben@example.com> (8888888) (on screen)", 10*time.Second)
	s.must("send-keys", "-t", "e2e", "Up", "Enter")
	s.waitFor("ID 1 of 2", 10*time.Second)
	s.waitFor("Wayne Enterprises", 10*time.Second)
	s.must("send-keys", "-t", "e2e", "q")

	// The commands for scripts, against the state the TUI saved.
	t.Run("ids", func(t *testing.T) {
		out, code := runBin(t, bin, env, "ids")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 2 ||
			!strings.HasPrefix(lines[0], "*\t9999999\tAnnie Bryan\tannie@example.com\tvalid until ") ||
			!strings.HasPrefix(lines[1], "-\t8888888\tBen Ortiz\tben@example.com\tvalid until ") {
			t.Errorf("bcauth ids after switching back to Annie in the app: exit %d\n%s", code, out)
		}
	})
	t.Run("login --with-token", func(t *testing.T) {
		before, _ := runBin(t, bin, env, "ids", "--json")
		if out, code := runBinIn(t, bin, env, "not a token at all\n", "login", "--with-token"); code != 2 || !strings.Contains(out, "line 1 is not a token") {
			t.Errorf("garbage on stdin: exit %d\n%s", code, out)
		}
		access, _, _ := fake.IssueToken()
		// Annie is stored with a refresh token: an access token alone
		// keeps it, and says so.
		out, code := runBinIn(t, bin, env, access+"\n", "login", "--with-token")
		if code != 0 || !strings.Contains(out, "Logged in as Annie Bryan") || !strings.Contains(out, "Kept the refresh token already stored for this login") || strings.Contains(out, access) {
			t.Errorf("an access token alone: exit %d\n%s", code, out)
		}
		after, _ := runBin(t, bin, env, "ids", "--json")
		if strings.Count(after, `"current"`) != 2 || strings.Count(after, `"renewable": true`) != 2 {
			t.Errorf("ids before and after login --with-token (both still renewable):\n%s\n%s", before, after)
		}
		// BASECAMP_TOKEN wins over both stored logins, and says so.
		tok, _, _ := fake.IssueToken()
		out, code = runBin(t, bin, append(env, "BASECAMP_TOKEN="+tok), "status")
		if code != 0 || !strings.Contains(out, "from BASECAMP_TOKEN") {
			t.Errorf("status with BASECAMP_TOKEN: exit %d\n%s", code, out)
		}
	})
	t.Run("status", func(t *testing.T) {
		out, code := runBin(t, bin, env, "status", "--json")
		if code != 0 {
			t.Fatalf("bcauth status --json exited %d, want 0\n%s", code, out)
		}
		var st struct {
			LoggedIn bool `json:"logged_in"`
			Valid    bool `json:"valid"`
			Identity *struct {
				EmailAddress string `json:"email_address"`
			} `json:"identity"`
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("bcauth status --json is not JSON: %v\n%s", err, out)
		}
		if !st.LoggedIn || !st.Valid {
			t.Errorf("status says logged_in=%v valid=%v, want both true\n%s", st.LoggedIn, st.Valid, out)
		}
		if want := launchpadtest.DemoIdentity().EmailAddress; st.Identity == nil || st.Identity.EmailAddress != want {
			t.Errorf("status identity is not %s\n%s", want, out)
		}
	})
	t.Run("accounts", func(t *testing.T) {
		out, code := runBin(t, bin, env, "accounts", "--json")
		if code != 0 {
			t.Fatalf("bcauth accounts --json exited %d, want 0\n%s", code, out)
		}
		var got []struct {
			Product string `json:"product"`
			ID      int64  `json:"id"`
			Href    string `json:"href"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("bcauth accounts --json is not a JSON array: %v\n%s", err, out)
		}
		have := map[string]bool{}
		for _, a := range got {
			have[fmt.Sprintf("%s/%d %s", a.Product, a.ID, a.Href)] = true
		}
		for _, a := range fake.Accounts() {
			if k := fmt.Sprintf("%s/%d %s", a.Product, a.ID, a.Href); !have[k] {
				t.Errorf("accounts --json lacks %s", k)
			}
		}
	})
	t.Run("token", func(t *testing.T) {
		out, code := runBin(t, bin, env, "token")
		if code != 0 {
			t.Fatalf("bcauth token exited %d, want 0\n%s", code, out)
		}
		tok := strings.TrimSuffix(out, "\n")
		if tok == "" || strings.ContainsAny(tok, "\n \t") {
			t.Errorf("bcauth token printed %q, want one token on one line", out)
		}
	})
}

var (
	// The selected row: "▌ Evil Corp   99999994".
	selectedRow = regexp.MustCompile(`▌ .*?\s(\d+)\s*(?:│|$)`)
	// The detail pane's href, shortened in the middle with "…" when the
	// pane is narrow.
	hrefLine = regexp.MustCompile(`│ href\s+(\S+)\s*│`)
)

// selectedHref is the href of the account the screen shows selected: the
// one of the fake's accounts with the selected row's id whose href starts
// as the detail pane shows it.
func selectedHref(t *testing.T, fake *launchpadtest.Server, screen string) string {
	t.Helper()
	row := selectedRow.FindStringSubmatch(screen)
	pane := hrefLine.FindStringSubmatch(screen)
	if row == nil || pane == nil {
		t.Fatalf("no selected account with an href in the detail pane:\n%s", screen)
	}
	head, tail, _ := strings.Cut(pane[1], "…")
	var found []string
	for _, a := range fake.Accounts() {
		if fmt.Sprint(a.ID) == row[1] && strings.HasPrefix(a.Href, head) && strings.HasSuffix(a.Href, tail) {
			found = append(found, a.Href)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the selected account (id %s, href %s…) matches %d of the fake's accounts: %q\n%s", row[1], pane[1], len(found), found, screen)
	}
	return found[0]
}

// runBin runs a bcauth command for scripts, without a terminal, and
// returns its stdout (stderr too when it fails) and exit code.
func runBin(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	return runBinIn(t, bin, env, "", args...)
}

// runBinIn is runBin with stdin.
func runBinIn(t *testing.T, bin string, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), 0
	case errors.As(err, &exit):
		return stdout.String() + stderr.String(), exit.ExitCode()
	default:
		t.Fatalf("bcauth %s: %v", strings.Join(args, " "), err)
		return "", -1
	}
}

// TestDemoServe runs bcauth demo --serve as a person would: the lines it
// prints point another shell's bcauth at its fake, the older credentials it
// prints work with probe, and Ctrl-C stops it and removes its state.
func TestDemoServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bcauth: not with -short")
	}
	tmp := t.TempDir()
	bin := build(t, tmp)
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "LANG=C.UTF-8", "TMPDIR=" + tmp}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "demo", "--serve")
	serve.Env = base
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill() })
	var printed strings.Builder
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.Contains(lines.Text(), "Ctrl-C stops") {
		printed.WriteString(lines.Text() + "\n")
	}
	text := printed.String()
	// The export line, as a shell would read it (the values need no quotes).
	env := slices.Clone(base)
	start := strings.Index(text, "export ")
	if start < 0 {
		t.Fatalf("demo --serve printed no export line:\n%s", text)
	}
	block, _, _ := strings.Cut(text[start+len("export "):], "\n\n")
	env = append(env, strings.Fields(strings.ReplaceAll(block, "\\\n", " "))...)
	var dir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			dir = filepath.Dir(v)
		}
	}
	if dir == "" || !strings.HasPrefix(dir, tmp) {
		t.Fatalf("no XDG_CONFIG_HOME of its own in what demo --serve printed:\n%s", text)
	}
	if got, code := runBin(t, bin, env, "status"); code != 4 || !strings.Contains(got, "not logged in") || !strings.Contains(got, "from BASECAMP_LAUNCHPAD_URL") {
		t.Errorf("bcauth status against the served fake = %d:\n%s", code, got)
	}
	for _, prefix := range []string{"BASECAMP_PASSWORD=", "BASECAMP_API_TOKEN="} {
		i := strings.Index(text, prefix)
		if i < 0 {
			t.Fatalf("demo --serve printed no %s line:\n%s", prefix, text)
		}
		fields := strings.Fields(text[i : strings.Index(text[i:], "\n")+i])
		got, code := runBin(t, bin, append(slices.Clone(env), fields[0]), fields[2:]...)
		if code != 0 || !strings.Contains(got, "\treachable\t") {
			t.Errorf("%s = %d:\n%s", strings.Join(fields, " "), code, got)
		}
	}
	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("demo --serve after Ctrl-C: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("demo --serve left its state directory %s behind (%v)", dir, err)
	}
}

// TestSignals: a hang-up, a kill or a quit while the login waits leaves
// the terminal as it was (no raw mode, no alternate screen), prints no
// goroutine dump, frees the callback port and removes the demo's
// temporary directory.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bcauth and runs it in tmux: not with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux on PATH: install it (apt-get install -y tmux) to run the real-terminal tests")
	}
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("finding bcauth under its shell needs Linux's /proc")
	}
	bin := build(t, t.TempDir())
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			demoTmp := filepath.Join(tmp, "tmp")
			if err := os.Mkdir(demoTmp, 0o700); err != nil {
				t.Fatal(err)
			}
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "TERM=xterm-256color", "LANG=C.UTF-8", "TMPDIR=" + demoTmp}
			sttyOut := filepath.Join(tmp, "stty")
			// The shell reads the terminal's modes once bcauth has gone.
			script := fmt.Sprintf("'%s' demo --no-browser; stty -a > '%s.part'; mv '%s.part' '%s'", bin, sttyOut, sttyOut, sttyOut)
			s := &tmuxSession{t: t, socket: filepath.Join(tmp, "tmux.sock"), env: env}
			s.must("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "sh", "-c", script+"; sleep 60")
			t.Cleanup(func() { _, _ = s.tmux("kill-server") })
			screen := s.waitFor("erification code", 15*time.Second)
			m := regexp.MustCompile(`http://127\.0\.0\.1:(\d+)/callback`).FindStringSubmatch(strings.Join(strings.Fields(screen), ""))
			if m == nil {
				t.Fatalf("no redirect URI on the screen:\n%s", screen)
			}
			addr := "127.0.0.1:" + m[1]
			if entries, _ := os.ReadDir(demoTmp); len(entries) == 0 {
				t.Fatalf("the demo made no temporary directory in %s", demoTmp)
			}
			shell := strings.TrimSpace(s.must("display-message", "-p", "-t", "e2e", "#{pane_pid}"))
			kids, err := os.ReadFile("/proc/" + shell + "/task/" + shell + "/children")
			if err != nil || len(strings.Fields(string(kids))) != 1 {
				t.Fatalf("bcauth under the shell %s: %q %v", shell, kids, err)
			}
			pid, _ := strconv.Atoi(strings.Fields(string(kids))[0])
			p, err := os.FindProcess(pid)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Signal(sig); err != nil {
				t.Fatal(err)
			}
			s.waitForFile(sttyOut, 15*time.Second)
			modes, _ := os.ReadFile(sttyOut)
			for _, raw := range []string{"-icanon", "-echo ", "-isig"} {
				if strings.Contains(string(modes), raw) {
					t.Errorf("the terminal was left with %s:\n%s", raw, modes)
				}
			}
			if alt := strings.TrimSpace(s.must("display-message", "-p", "-t", "e2e", "#{alternate_on}")); alt != "0" {
				t.Errorf("the terminal was left on the alternate screen (alternate_on=%s)", alt)
			}
			after := s.screen()
			if strings.Contains(after, "goroutine ") || strings.Contains(after, "SIGQUIT") || strings.Contains(after, "panic") {
				t.Errorf("a goroutine dump reached the terminal:\n%s", after)
			}
			// Bubble Tea catches SIGTERM itself, as a quit, and may be first.
			if !strings.Contains(after, "bcauth: stopped") && !(sig == syscall.SIGTERM && strings.Contains(after, "login was not finished")) {
				t.Errorf("bcauth did not say it was stopped:\n%s", after)
			}
			if entries, _ := os.ReadDir(demoTmp); len(entries) != 0 {
				t.Errorf("the demo left %d entries in %s", len(entries), demoTmp)
			}
			if ln, err := net.Listen("tcp", addr); err != nil {
				t.Errorf("the callback port %s is still taken: %v", addr, err)
			} else {
				ln.Close()
			}
		})
	}
}

// waitForFile waits, bounded, until path exists.
func (s *tmuxSession) waitForFile(path string, within time.Duration) {
	s.t.Helper()
	deadline := time.After(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			s.t.Fatalf("%s never appeared within %v; the terminal shows:\n%s", path, within, s.screen())
		}
	}
}
