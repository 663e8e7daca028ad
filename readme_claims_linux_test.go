package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/sys/unix"

	"bcauth/auth/launchpadtest"
)

// runMainEnv makes TestREADMEHelperMain run bcauth's main itself.
const runMainEnv = "BCAUTH_TEST_RUN_MAIN"

// TestREADMEHelperMain is not a test: TestREADMEClipboardHelpersGetNoSecrets
// runs the test binary again with only it, to be bcauth through main (not
// run, as bcauthProcess is), with the arguments after "--".
func TestREADMEHelperMain(t *testing.T) {
	if os.Getenv(runMainEnv) != "1" {
		t.Skip("helper process for TestREADMEClipboardHelpersGetNoSecrets")
	}
	os.Args = append([]string{"bcauth"}, flagArgs()...)
	main()
}

// "The browser, xdg-open and clipboard helpers run without
// BASECAMP_OAUTH_CLIENT_SECRET, BASECAMP_TOKEN, BASECAMP_PASSWORD,
// BASECAMP_API_TOKEN or any variable whose name says it holds a secret",
// and main.go "takes the secrets out of the process's own" environment:
// the clipboard helper (xclip, through atotto/clipboard) and tmux
// load-buffer inherit bcauth's own environment, so only main's cleaning
// keeps the secrets from them. The app runs in a pseudo-terminal, on
// BASECAMP_TOKEN, and copies an href with enter.
func TestREADMEClipboardHelpersGetNoSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the app in a pseudo-terminal: not with -short")
	}
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	access, _, _ := fake.IssueToken()
	o := fake.Options()

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Each helper records its environment, takes the text and says yes.
	for _, name := range []string{"xclip", "tmux"} {
		script := fmt.Sprintf("#!/bin/sh\n/usr/bin/env > '%s/%s.env'\n/bin/cat > '%s/%s.in'\n", tmp, name, tmp, name)
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secrets := map[string]string{
		"BASECAMP_TOKEN":               access,
		"BASECAMP_OAUTH_CLIENT_SECRET": o.ClientSecret,
		"BASECAMP_PASSWORD":            "secret-password-1",
		"BASECAMP_API_TOKEN":           "secret-api-token-2",
		"GITHUB_TOKEN":                 "secret-github-3",
		"AWS_SECRET_ACCESS_KEY":        "secret-aws-4",
	}
	env := []string{
		"PATH=" + bin + ":/usr/bin:/bin",
		"HOME=" + tmp,
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		"BASECAMP_OAUTH_CLIENT_ID=" + o.ClientID,
		"BASECAMP_LAUNCHPAD_URL=" + fake.URL,
		"TMUX=" + filepath.Join(tmp, "tmux.sock") + ",1,0",
		runMainEnv + "=1",
	}
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}

	p := openTerminal(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestREADMEHelperMain$", "--")
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.term, p.term, p.term
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	p.waitFor(t, "Honcho Design")
	// enter copies the selected account's href.
	if _, err := p.master.WriteString("\r"); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "Copied")
	if _, err := p.master.WriteString("q"); err != nil {
		t.Fatal(err)
	}
	// Read on while it quits, so that its last frames never fill the
	// terminal and hold it up.
	deadline := time.After(30 * time.Second)
	for quit := false; !quit; {
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("bcauth: %v\n%s", err, p.all())
			}
			quit = true
		case s := <-p.out:
			p.seen.WriteString(s)
		case <-deadline:
			t.Fatalf("bcauth did not quit on q:\n%s", p.all())
		}
	}

	for _, name := range []string{"xclip", "tmux"} {
		got, err := os.ReadFile(filepath.Join(tmp, name+".env"))
		if err != nil {
			t.Fatalf("%s never ran: %v\n%s", name, err, p.all())
		}
		for k, v := range secrets {
			if strings.Contains(string(got), v) || strings.Contains(string(got), k+"=") {
				t.Errorf("%s inherited %s from bcauth:\n%s", name, k, got)
			}
		}
		if !strings.Contains(string(got), "HOME="+tmp) {
			t.Errorf("%s lost HOME, which it needs:\n%s", name, got)
		}
		if in, _ := os.ReadFile(filepath.Join(tmp, name+".in")); !strings.HasPrefix(string(in), fake.URL+"/") {
			t.Errorf("%s was given %q, want the selected href", name, in)
		}
	}
}

// terminal is a pseudo-terminal: bcauth gets term, the test types into
// and reads from master.
type terminal struct {
	master, term *os.File
	out          chan string
	seen         strings.Builder
}

func openTerminal(t *testing.T) *terminal {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
		if ioErr == nil {
			ioErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: 30, Col: 120})
		}
	}); err != nil || ioErr != nil {
		t.Fatal(err, ioErr)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := &terminal{master: m, term: s, out: make(chan string, 64)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			if n > 0 {
				p.out <- string(buf[:n])
			}
			if err != nil {
				close(p.out)
				return
			}
		}
	}()
	return p
}

// waitFor reads what bcauth drew until it holds text, escape sequences
// aside.
func (p *terminal) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(ansi.Strip(p.seen.String()), text) {
		select {
		case s, ok := <-p.out:
			if !ok {
				t.Fatalf("the terminal closed before %q:\n%s", text, p.all())
			}
			p.seen.WriteString(s)
		case <-deadline:
			t.Fatalf("no %q on the terminal after 30s:\n%s", text, p.all())
		}
	}
}

// all is what bcauth drew so far, escape sequences aside.
func (p *terminal) all() string { return ansi.Strip(p.seen.String()) }

// "On a terminal JSON is indented and coloured (NO_COLOR turns the colour
// off) …; piped, the bytes are the server's."
func TestREADMEAPIColoursJSONOnATerminalUnlessNOCOLOR(t *testing.T) {
	twoIDsOnDisk(t)
	args := []string{"api", "--account", "99999999", "/people.json"}
	onTerminal := func() string {
		t.Helper()
		p := openTerminal(t)
		var errOut strings.Builder
		if code := run(t.Context(), os.Environ(), args, nil, p.term, &errOut); code != 0 {
			t.Fatalf("bcauth %s on a terminal: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
		}
		// The end of what bcauth printed: a line the test writes after it.
		const end = "--- the end ---"
		if _, err := p.term.WriteString(end); err != nil {
			t.Fatal(err)
		}
		for !strings.Contains(p.seen.String(), end) {
			s, ok := <-p.out
			if !ok {
				t.Fatalf("the terminal closed:\n%q", p.seen.String())
			}
			p.seen.WriteString(s)
		}
		out, _, _ := strings.Cut(p.seen.String(), end)
		return out
	}
	piped, stderr, code := bcauth(t, args...)
	if code != 0 || !strings.HasPrefix(piped, "[{") {
		t.Fatalf("bcauth %s piped: exit %d\n%s%s", strings.Join(args, " "), code, piped, stderr)
	}
	if strings.Contains(piped, "\n  {") || strings.Contains(piped, "\x1b") {
		t.Errorf("piped, the answer is indented or coloured: %q", piped)
	}

	t.Setenv("NO_COLOR", "")
	coloured := onTerminal()
	// The terminal ends lines with \r\n; the objects of the array are
	// indented by two spaces.
	if !strings.Contains(coloured, "\x1b[") || !strings.Contains(coloured, "\n  {") {
		t.Errorf("on a terminal the JSON is not indented and coloured: %q", coloured)
	}
	t.Setenv("NO_COLOR", "1")
	plain := onTerminal()
	if strings.Contains(plain, "\x1b") || !strings.Contains(plain, "\n  {") {
		t.Errorf("with NO_COLOR the JSON is not indented, or still coloured: %q", plain)
	}
}
