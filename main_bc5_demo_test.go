package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer a process writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bc5IssuerLine is where demo --serve --bc5 names its issuer.
var bc5IssuerLine = regexp.MustCompile(`newer server \(BC5\) at (http://127\.0\.0\.1:\d+),`)

// TestBC5DemoServe runs bcauth demo --serve --bc5 as a person would, with
// another shell (tmux) pointed at it by the lines it prints: bcauth login
// --no-browser there asks the fake API origin, is told BC5, shows a code;
// the code pasted into the demo's window is approved as Annie, and the
// login ends by itself. A second login's address with the code in it is
// approved as Ben. The logins are BC5's (status, ids), a token is handed
// out, logout revokes at the fake issuer, and Ctrl-C stops the demo and
// removes its state.
func TestBC5DemoServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bcauth and runs it in tmux: not with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("no tmux on PATH: install it (apt-get install -y tmux) to run the real-terminal tests")
	}
	tmp := t.TempDir()
	bin := build(t, tmp)
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "LANG=C.UTF-8", "TMPDIR=" + tmp}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "demo", "--serve", "--bc5")
	serve.Env = base
	paste, err := serve.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var said lockedBuffer
	serve.Stderr = &said
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill() })
	var printed strings.Builder
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Ctrl-C stops") {
			break
		}
	}
	go io.Copy(io.Discard, out)
	text := printed.String()
	m := bc5IssuerLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("demo --serve --bc5 does not name its BC5 issuer:\n%s", text)
	}
	issuer := m[1]
	if !strings.Contains(text, "paste the code (or the address with it, "+issuer+"/device?user_code=…) here") {
		t.Errorf("demo --serve --bc5 does not say to paste the code:\n%s", text)
	}
	start := strings.Index(text, "export ")
	if start < 0 {
		t.Fatalf("demo --serve printed no export line:\n%s", text)
	}
	block, _, _ := strings.Cut(text[start+len("export "):], "\n\n")
	env := append(slices.Clone(base), strings.Fields(strings.ReplaceAll(block, "\\\n", " "))...)
	for _, want := range []string{"BCAUTH_BC5_CLIENT_ID=", "BASECAMP_BASE_URL=http://127.0.0.1:", "XDG_CONFIG_HOME=" + tmp} {
		if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, want) }) {
			t.Errorf("the export lines set no %s:\n%s", want, block)
		}
	}
	var dir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BCAUTH_DEMO_DIR="); ok {
			dir = v
		}
	}

	// The other shell, in tmux: bcauth login --no-browser, once as each
	// person.
	s := &tmuxSession{t: t, socket: filepath.Join(tmp, "tmux.sock"), env: append(slices.Clone(env), "TERM=xterm-256color")}
	conf := filepath.Join(tmp, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set-option -g remain-on-exit on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })
	for i, tc := range []struct {
		paste func(code string) string
		who   string
	}{
		{func(code string) string { return code }, "Annie Bryan"},
		{func(code string) string { return issuer + "/device?user_code=" + code }, "Ben Ortiz"},
	} {
		errs := filepath.Join(tmp, fmt.Sprintf("login%d.stderr", i))
		script := fmt.Sprintf("'%s' login --no-browser 2>'%s'; echo \"exit $?\" >>'%s'", bin, errs, errs)
		win := fmt.Sprintf("e2e:login%d", i)
		if i == 0 {
			s.must("-f", conf, "new-session", "-d", "-s", "e2e", "-n", "login0", "-x", "100", "-y", "30", script)
		} else {
			s.must("new-window", "-t", "e2e", "-n", fmt.Sprintf("login%d", i), script)
		}
		screen := waitForIn(s, win, "Enter this code at", 20*time.Second)
		code := userCodeRE.FindString(screen)
		if code == "" {
			t.Fatalf("no code on the login's screen:\n%s", screen)
		}
		if _, err := io.WriteString(paste, tc.paste(code)+"\n"); err != nil {
			t.Fatal(err)
		}
		waitForDead(t, s, win, errs, &said)
		if b, _ := os.ReadFile(errs); !strings.Contains(string(b), "Logged in as "+tc.who) || !strings.HasSuffix(string(b), "exit 0\n") {
			t.Errorf("login %d ended with:\n%s\nthe demo said:\n%s", i, b, said.String())
		}
	}
	if n := strings.Count(said.String(), "bcauth demo: approved; the login ends in the other shell"); n != 2 {
		t.Errorf("the demo approved %d pastes, want 2:\n%s", n, said.String())
	}

	got, code := runBin(t, bin, env, "ids", "--json")
	if code != 0 || strings.Count(got, `"kind": "bc5"`) != 2 || strings.Count(got, `"issuer": "`+issuer+`"`) != 2 {
		t.Errorf("ids --json after the two logins: exit %d\n%s", code, got)
	}
	if got, code := runBin(t, bin, env, "token"); code != 0 || !strings.HasPrefix(got, "bc_at_") {
		t.Errorf("token: exit %d, %q", code, got)
	}
	if got, code := runBin(t, bin, env, "api", "--account", "99999999", "/projects.json"); code != 0 || !strings.HasPrefix(got, "[") {
		t.Errorf("api as Ben (current): exit %d\n%s", code, got)
	}
	if got, code := runBin(t, bin, env, "logout", "--all"); code != 0 || strings.Count(got, issuer+" confirmed that its refresh token is revoked.") != 2 {
		t.Errorf("logout --all: exit %d\n%s", code, got)
	}

	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("demo --serve --bc5 after Ctrl-C: %v\n%s", err, said.String())
	}
	if _, err := os.Stat(dir); dir == "" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("demo --serve --bc5 left its state directory %q behind (%v)", dir, err)
	}
}

// waitForDead waits until the login in win has ended: its script writes
// its exit status last, after bcauth's stderr.
func waitForDead(t *testing.T, s *tmuxSession, win, errs string, said *lockedBuffer) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, _ := os.ReadFile(errs); regexp.MustCompile(`exit \d+\n$`).Match(b) {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			b, _ := os.ReadFile(errs)
			t.Fatalf("%s never ended; it shows:\n%s\nits stderr:\n%s\nthe demo said:\n%s", win, s.must("capture-pane", "-p", "-t", win), b, said.String())
		}
	}
}
