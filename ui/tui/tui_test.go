package tui

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/uitest"
)

// updating reports -update, the flag teatest's golden package defines: it
// rewrites the golden files in testdata/.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// env is one test's world: a fake Launchpad on loopback, a real store in a
// temporary directory, the Service the TUI uses, and what the TUI opened
// and copied.
type env struct {
	*uitest.Env

	mu      sync.Mutex
	opened  []string
	copied  []string
	browser func(u string) error // what "opening a browser" does
}

func newEnv(t *testing.T, opts launchpadtest.Options) *env {
	t.Helper()
	e := &env{Env: uitest.New(t, opts)}
	// By default the "browser" approves, as a person clicking Allow would.
	e.browser = e.approve
	return e
}

// approve plays the browser: Allow on the consent page, then the redirect
// to the loopback callback.
func (e *env) approve(authURL string) error {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.Fake.ApproveAndFollow(ctx, authURL)
	}()
	return nil
}

func (e *env) config() Config {
	return Config{
		Service: e.Svc,
		Timeout: time.Minute,
		// Screens must not depend on when a background probe lands;
		// the probe tests turn it on.
		ProbeDelay: -1,
		OpenURL: func(u string) error {
			e.mu.Lock()
			e.opened = append(e.opened, u)
			b := e.browser
			e.mu.Unlock()
			return b(u)
		},
		CopyText: func(s string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.copied = append(e.copied, s)
			return nil
		},
	}
}

// prog is the real program under teatest, plus the last frame its View
// drew. Bubble Tea's renderer writes only the cells that change, so the
// byte stream is no place to look for text; the last frame is.
type prog struct {
	*teatest.TestModel
	last   *atomic.Pointer[string]
	model  *atomic.Pointer[Model]
	frames chan struct{}
}

// recorder wraps the root model to keep its last frame and to say that a
// new one was drawn.
type recorder struct {
	*Model
	last   *atomic.Pointer[string]
	model  *atomic.Pointer[Model]
	frames chan struct{}
}

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	return r, cmd
}

func (r recorder) View() tea.View {
	v := r.Model.View()
	s := ansi.Strip(v.Content)
	m := *r.Model // a snapshot: the program goes on changing the model
	r.model.Store(&m)
	r.last.Store(&s)
	select {
	case r.frames <- struct{}{}:
	default: // a wake-up is already pending
	}
	return v
}

// start runs the real program in teatest at the given size, with colours
// pinned so output does not depend on the machine.
func start(t *testing.T, cfg Config, w, h int) *prog {
	t.Helper()
	last := new(atomic.Pointer[string])
	empty := ""
	last.Store(&empty)
	frames := make(chan struct{}, 1)
	model := new(atomic.Pointer[Model])
	tm := teatest.NewTestModel(t, recorder{Model: New(cfg), last: last, model: model, frames: frames},
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256), tea.WithWindowSize(w, h),
			tea.WithEnvironment([]string{"TERM=xterm-256color"})), // whatever terminal runs the tests
	)
	t.Cleanup(func() { _ = tm.Quit() })
	return &prog{TestModel: tm, last: last, model: model, frames: frames}
}

// finalModelOf is the model as it was when it drew its last frame, for
// its plain fields (its maps are still the program's).
func finalModelOf(p *prog) *Model { return p.model.Load() }

// screen is the last frame drawn, as plain text.
func (p *prog) screen() string { return *p.last.Load() }

// waitFor reads each new frame until one holds all of the texts. It waits
// on frames, not on the clock: the deadline only bounds a test that would
// otherwise hang.
func waitFor(t *testing.T, p *prog, texts ...string) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		screen := p.screen()
		missing := ""
		for _, s := range texts {
			if !strings.Contains(screen, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return
		}
		select {
		case <-p.frames:
		case <-deadline.C:
			t.Fatalf("the screen never showed %q; last frame:\n%s", missing, screen)
		}
	}
}

// waitModel is waitFor for the model's state: it reads each new frame's
// model until ok holds.
func waitModel(t *testing.T, p *prog, what string, ok func(m *Model) bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		if m := p.model.Load(); m != nil && ok(m) {
			return
		}
		select {
		case <-p.frames:
		case <-deadline.C:
			t.Fatalf("%s never came; last frame:\n%s", what, p.screen())
		}
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// finalScreen quits and returns the last frame as plain text, with what
// changes from run to run (ports, state, verification code, times) replaced.
func finalScreen(t *testing.T, tm *prog) string {
	t.Helper()
	tm.Send(tea.Quit())
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(recorder).Model
	return scrub(ansi.Strip(m.View().Content))
}

var scrubbers = []struct {
	re   *regexp.Regexp
	with string
}{
	// The authorization URL carries a random state and port, on one line,
	// whole or shortened.
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+/authorization/new\?\S*`), "AUTHORIZATION_URL"},
	// So does the start address, with its random nonce.
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+/start/\S*`), "START_ADDRESS"},
	{regexp.MustCompile(`127\.0\.0\.1:\d{4,5}`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`(?:[0-9A-Z] ){4}- (?:[0-9A-Z] ){3}[0-9A-Z]`), "C O D E - C O D E"},
	{regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}\b`), "CODE-CODE"},
	{regexp.MustCompile(`[A-Za-z0-9_-]{43}`), "STATE"},
	{regexp.MustCompile(`(valid until|expired) \w{0,3} ?\d{1,2} \w{3} \d\d:\d\d`), "$1 DATE"},
	{regexp.MustCompile(`\d+:\d\d left`), "M:SS left"},
	// A QR code draws the address, with its port and code.
	{regexp.MustCompile(`[█▀▄][█▀▄ ]{20,}[█▀▄]`), "[QR]"},
	// The spinner's frame depends on when the screen was drawn.
	{regexp.MustCompile(`[⣾⣽⣻⢿⡿⣟⣯⣷]`), "⣾"},
}

func scrub(s string) string {
	// Trailing spaces are noise in a golden file.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	s = strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
	for _, sc := range scrubbers {
		s = sc.re.ReplaceAllString(s, sc.with)
	}
	return s
}

// golden compares a screen with testdata/NAME.golden; -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (run go test ./ui/tui -run %s -update): %v", t.Name(), err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("screen differs from %s (rerun with -update if intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// login runs the whole browser login through the TUI and waits for the
// accounts.
func login(t *testing.T, e *env, w, h int) *prog {
	t.Helper()
	tm := start(t, e.config(), w, h)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
	return tm
}

func TestConnectScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newEnv(t, launchpadtest.Options{})
			tm := start(t, e.config(), size[0], size[1])
			waitFor(t, tm, "erification code")
			golden(t, fmt.Sprintf("connect_%dx%d", size[0], size[1]), finalScreen(t, tm))
		})
	}
}

func TestLoginShowsAccountsByProduct(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newEnv(t, launchpadtest.Options{})
			tm := login(t, e, size[0], size[1])
			screen := finalScreen(t, tm)
			if strings.ContainsRune(screen, 0x1b) {
				t.Fatal("an escape sequence from an account name reached the screen")
			}
			golden(t, fmt.Sprintf("accounts_%dx%d", size[0], size[1]), screen)
			st, err := e.Svc.Store.Load()
			if err != nil {
				t.Fatal(err)
			}
			sess, ok := st.CurrentSession()
			if !ok || sess.Token.RefreshToken == "" {
				t.Fatalf("the login was not stored: %+v", st)
			}
			if _, _, ok := e.Svc.Store.LoadAuthorization(*sess); !ok {
				t.Fatal("the accounts were not cached")
			}
		})
	}
}

func TestFilterCopyOpen(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 80, 24)
	for _, r := range "/wayne" {
		tm.Send(press(string(r)))
	}
	// The Worshipful Company holds w…a…y…n…e scattered over its words:
	// no match, so Wayne alone is shown, and selected.
	waitFor(t, tm, "▌ ", "Wayne")
	tm.Send(press("enter")) // keep the filter
	tm.Send(press("y"))
	href := e.Fake.URL + "/bcx/88888888/api/v1"
	waitFor(t, tm, "Copied")
	tm.Send(press("o"))
	waitFor(t, tm, "Opened")
	screen := finalScreen(t, tm)
	golden(t, "filtered_80x24", screen)

	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.copied) != 1 || e.copied[0] != href {
		t.Errorf("system clipboard got %q, want [%q]", e.copied, href)
	}
	last := e.opened[len(e.opened)-1]
	if want := e.Fake.URL + "/web/bcx/88888888"; last != want {
		t.Errorf("opened %q, want the account's app_href %q", last, want)
	}
}
