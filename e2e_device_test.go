package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bcauth/auth/launchpadtest"
)

// The device-code login end to end: the built bcauth in tmux asks the fake
// API origin which server to use, is told BC5, shows a code; a real
// headless chromium (the person's phone, say) opens the fake issuer's page,
// types the code and approves; the terminal lands on the accounts. Once
// as the app, once as login --no-browser over "SSH", which on BC5 needs no
// paste-back.

// userCodeRE is a user code as the terminal shows it: two groups of four.
var userCodeRE = regexp.MustCompile(`\b[A-Z0-9]{4}-[A-Z0-9]{4}\b`)

// headlessChromium starts a headless chromium for one test, or skips (fails
// where BCAUTH_E2E_REQUIRED says it must run, as in CI).
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	var bin string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		const why = "no chromium or chromium-browser on PATH: install it (apt-get install -y chromium) to run the real-browser tests"
		if os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
			t.Fatal(why + "; BCAUTH_E2E_REQUIRED is set, as in CI, so this is a failure, not a skip")
		}
		t.Skip(why)
	}
	base, cancelBase := context.WithTimeout(t.Context(), 3*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(base,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true))
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelBase() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return bctx
}

func TestTerminalDeviceLogin(t *testing.T) {
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
	browser := headlessChromium(t)
	tmp := t.TempDir()
	bin := build(t, tmp)

	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	bc5, err := fake.StartBC5(launchpadtest.BC5Options{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o := fake.Options()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		// A Launchpad client too, as today's setups have: BC5 is chosen
		// because it is advertised and a BC5 client is configured.
		"BASECAMP_OAUTH_CLIENT_ID=" + o.ClientID,
		"BASECAMP_OAUTH_CLIENT_SECRET=" + o.ClientSecret,
		"BASECAMP_OAUTH_REDIRECT_URI=" + o.RedirectURI,
		"BASECAMP_LAUNCHPAD_URL=" + fake.URL,
		"BASECAMP_BASE_URL=" + fake.URL,
		"BCAUTH_BC5_CLIENT_ID=" + launchpadtest.BC5ClientID,
	}
	conf := filepath.Join(tmp, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set-option -g remain-on-exit on\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: filepath.Join(tmp, "tmux.sock"), env: env}
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })

	// enterCode plays the person: the page on another device, the code
	// typed from the terminal, approved as who.
	enterCode := func(screen, as string) {
		t.Helper()
		code := userCodeRE.FindString(screen)
		if code == "" {
			t.Fatalf("no user code on the terminal:\n%s", screen)
		}
		if !strings.Contains(screen, bc5.VerificationURI) {
			t.Errorf("the terminal does not say where to enter the code (%s):\n%s", bc5.VerificationURI, screen)
		}
		steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(bc5.VerificationURI)}
		if as != "" {
			steps = append(steps, chromedp.Click(chromedp.CSS(`input[name="as"][value="`+as+`"]`)))
		}
		steps = append(steps, chromedp.SendKeys(chromedp.ID("user_code"), code+"\r"), chromedp.WaitVisible(chromedp.ID("approved")))
		ctx, cancel := context.WithTimeout(browser, time.Minute)
		defer cancel()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("entering %s in chromium: %v", code, err)
		}
	}

	t.Run("the app", func(t *testing.T) {
		s.must("-f", conf, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", bin)
		screen := s.waitFor("Enter this code at", 20*time.Second)
		if !strings.Contains(screen, "Signing in with "+bc5.Issuer) || !strings.Contains(screen, "full access") {
			t.Errorf("the connect screen does not name the server and the scope:\n%s", screen)
		}
		enterCode(screen, "")
		s.waitFor("Honcho Design", 30*time.Second)
		s.must("send-keys", "-t", "e2e", "q")
	})
	t.Run("login --no-browser", func(t *testing.T) {
		errs := filepath.Join(tmp, "login.stderr")
		s.must("new-window", "-t", "e2e", "-n", "ssh", fmt.Sprintf("'%s' login --no-browser --scope read 2>'%s'; echo \"exit $?\" >>'%s'", bin, errs, errs))
		s.t = t
		screen := waitForIn(s, "e2e:ssh", "Enter this code at", 20*time.Second)
		if strings.Contains(screen, "Paste") || strings.Contains(screen, "paste") {
			t.Errorf("BC5 over SSH asks for a paste-back:\n%s", screen)
		}
		if !strings.Contains(screen, "read-only access") {
			t.Errorf("--scope read is not said on screen:\n%s", screen)
		}
		enterCode(screen, fmt.Sprint(launchpadtest.DemoSecondIdentity().ID))
		// The shell writes "exit N" once bcauth has ended.
		deadline := time.Now().Add(60 * time.Second)
		for {
			b, _ := os.ReadFile(errs)
			if strings.Contains(string(b), "exit ") {
				if !strings.Contains(string(b), "Logged in as Ben Ortiz") || !strings.HasSuffix(string(b), "exit 0\n") {
					t.Errorf("login --no-browser ended with:\n%s", b)
				}
				break
			}
			if time.Now().After(deadline) {
				ps, _ := exec.Command("ps", "-eo", "pid,stat,wchan:32,args").Output()
				pane, _ := s.tmux("capture-pane", "-p", "-t", "e2e:ssh")
				t.Fatalf("login --no-browser did not end within 60 s of the approval; stderr so far:\n%s\npane:\n%s\nprocesses:\n%s", b, pane, ps)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	if n := fake.Requests(launchpadtest.EndpointToken) + fake.Requests(launchpadtest.EndpointConsent); n != 0 {
		t.Errorf("Launchpad was asked %d times; both logins were BC5's", n)
	}
	out, code := runBin(t, bin, env, "ids", "--json")
	if code != 0 || strings.Count(out, `"kind": "bc5"`) != 2 || !strings.Contains(out, `"scope": "read"`) || !strings.Contains(out, `"scope": "full"`) {
		t.Errorf("ids --json after two BC5 logins: exit %d\n%s", code, out)
	}
}

// waitForIn is tmuxSession.waitFor on another pane.
func waitForIn(s *tmuxSession, target, text string, within time.Duration) string {
	s.t.Helper()
	deadline := time.After(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		screen := s.must("capture-pane", "-p", "-t", target)
		if strings.Contains(screen, text) {
			return screen
		}
		select {
		case <-tick.C:
		case <-deadline:
			s.t.Fatalf("%s never showed %q within %v; it shows:\n%s", target, text, within, screen)
		}
	}
}
