package tui

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// chromium finds Debian's chromium (or Ubuntu's chromium-browser). CI
// installs it, so the real-browser tests skip only on a machine with none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no chromium or chromium-browser on PATH: install it (apt-get install -y chromium) to run the real-browser tests"
	if os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
		t.Fatal(why + "; BCAUTH_E2E_REQUIRED is set, as in CI, so this is a failure, not a skip")
	}
	t.Skip(why + "; CI does")
	return ""
}

// callbackPage is what the browser read on bcauth's loopback callback page.
type callbackPage struct {
	title, code, message string
	// consent is the address of Launchpad's consent page, where the start
	// address sent the browser.
	consent string
	// cookie is the binding cookie as chromium kept it for the callback,
	// read on the consent page; nil when it kept none.
	cookie *network.Cookie
	err    error
}

// realBrowser is a headless chromium standing in for the person's browser.
type realBrowser struct {
	// opened receives each address the TUI asks to open.
	opened chan string
	// proceed lets the browser go ahead with the address it was given, so
	// the test can read the terminal before the browser changes it.
	proceed chan struct{}
	// pages receives what the browser read on the callback page.
	pages chan callbackPage
}

// browserEnv points the TUI's "open a browser" at a real headless chromium
// that clicks the consent page's button with id decision ("allow" or
// "deny") and reads the callback page it lands on. Like a real browser, an
// open runs in the background. The fake Launchpad is reached as localhost
// and bcauth as 127.0.0.1: two sites, as Launchpad and bcauth are, so the
// redirect back is a cross-site one and SameSite rules apply as they do
// for real. clearCookies, when set, makes the browser forget its cookies on
// the consent page, before it clicks.
func browserEnv(t *testing.T, decision string, clearCookies bool) (*env, *realBrowser) {
	t.Helper()
	bin := chromium(t)
	e := newEnv(t, launchpadtest.Options{})
	e.Svc.Env.LaunchpadURL = strings.Replace(e.Fake.URL, "://127.0.0.1:", "://localhost:", 1)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	// One bound for the whole browser, so a hung chromium fails the test
	// instead of hanging it.
	base, cancelBase := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelBase()
	})
	// Start chromium now, outside the login's clock.
	began := time.Now()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Logf("chromium started in %v", time.Since(began).Round(time.Millisecond))

	b := &realBrowser{opened: make(chan string, 1), proceed: make(chan struct{}), pages: make(chan callbackPage, 1)}
	e.browser = func(authURL string) error {
		b.opened <- authURL
		go func() {
			ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
			defer cancel()
			var p callbackPage
			select {
			case <-b.proceed:
			case <-ctx.Done():
				p.err = ctx.Err()
				b.pages <- p
				return
			}
			p.err = chromedp.Do(ctx,
				chromedp.Navigate(authURL),
				chromedp.WaitVisible(chromedp.ID(decision)),
			)
			if p.err == nil {
				p.consent, p.err = chromedp.Run(ctx, chromedp.Location())
			}
			if p.err == nil {
				p.cookie, p.err = chromedp.Run(ctx, bindingCookie(e.Fake.Options().RedirectURI))
			}
			if p.err == nil && clearCookies {
				p.err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
					return err
				}))
			}
			if p.err != nil {
				b.pages <- p
				return
			}
			p.err = chromedp.Do(ctx,
				chromedp.Click(chromedp.ID(decision)),
				// #title exists only on bcauth's callback page, which the
				// listener holds until the code is traded.
				chromedp.WaitVisible(chromedp.ID("title")),
			)
			if p.err == nil {
				p.title, p.err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("title")))
			}
			if p.err == nil {
				p.message, p.err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("message")))
			}
			if p.err == nil && decision == "allow" && !clearCookies {
				p.code, p.err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("code")))
			}
			b.pages <- p
		}()
		return nil
	}
	return e, b
}

// openedURL waits, bounded, for the TUI to open the browser.
func (b *realBrowser) openedURL(t *testing.T) string {
	t.Helper()
	select {
	case u := <-b.opened:
		return u
	case <-time.After(15 * time.Second):
		t.Fatal("the TUI never opened the browser")
		return ""
	}
}

// page lets the browser go ahead and waits, bounded, for what it read.
func (b *realBrowser) page(t *testing.T) callbackPage {
	t.Helper()
	close(b.proceed)
	select {
	case p := <-b.pages:
		if p.err != nil {
			t.Fatalf("the browser did not reach the callback page: %v", p.err)
		}
		t.Logf("callback page: title %q, code %q, message %q", p.title, p.code, p.message)
		return p
	case <-time.After(60 * time.Second):
		t.Fatal("the browser never reported back")
		return callbackPage{}
	}
}

// codeOf is the verification code of the login an authorization URL
// belongs to.
func codeOf(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	state := u.Query().Get("state")
	if state == "" {
		t.Fatalf("no state in the authorization URL %s", authURL)
	}
	return auth.VerificationCode(state)
}

// bindingCookie reads bcauth's binding cookie as chromium would send it to
// the callback address.
func bindingCookie(callback string) chromedp.Action[*network.Cookie] {
	return func(ctx context.Context, t *chromedp.Target) (*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{callback}})
		if err != nil {
			return nil, err
		}
		for _, c := range res.Cookies {
			if c.Name == "bcauth_login" {
				return c, nil
			}
		}
		return nil, nil
	}
}

// openFromTUI runs the app and presses enter on the connect screen, and
// checks what the browser was given.
func openFromTUI(t *testing.T, e *env, b *realBrowser) *prog {
	t.Helper()
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	startAddress(t, tm, b.openedURL(t))
	return tm
}

// lastFrame is the screen the TUI drew last.
func lastFrame(tm *prog) string { return *tm.last.Load() }

// startAddress checks that what the TUI gave the browser is the one-time
// start address, which carries no state, and that the screen offers the
// same.
func startAddress(t *testing.T, tm *prog, opened string) {
	t.Helper()
	u, err := url.Parse(opened)
	if err != nil || u.Host == "" || !strings.HasPrefix(u.Path, "/start/") || u.RawQuery != "" {
		t.Fatalf("the browser was given %q, want the loopback start address", opened)
	}
	if strings.Contains(lastFrame(tm), "state=") {
		t.Errorf("the waiting screen shows the state:\n%s", lastFrame(tm))
	}
}

func TestBrowserAllow(t *testing.T) {
	e, b := browserEnv(t, "allow", false)
	tm := openFromTUI(t, e, b)
	waitFor(t, tm, "the browser shows this code", "/start/")
	waiting := lastFrame(tm)

	page := b.page(t)
	if !strings.HasPrefix(page.consent, e.Svc.Env.LaunchpadURL+"/authorization/new?") {
		t.Errorf("the start address sent the browser to %s, want Launchpad's consent page", page.consent)
	}
	// The person compares the terminal with the browser.
	code := codeOf(t, page.consent)
	if !strings.Contains(waiting, code) {
		t.Errorf("the terminal does not show the code %s:\n%s", code, waiting)
	}
	if page.code != code {
		t.Errorf("the browser shows code %q, the login's is %q", page.code, code)
	}
	// What chromium kept on Launchpad's page, to send back to 127.0.0.1.
	if c := page.cookie; c == nil || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/callback" || c.Domain != "127.0.0.1" {
		t.Errorf("chromium holds the binding cookie as %+v, want HttpOnly, SameSite=Lax, Path=/callback on 127.0.0.1", c)
	} else {
		t.Logf("chromium's binding cookie: domain %s, path %s, SameSite %s, source port %d", c.Domain, c.Path, c.SameSite, c.SourcePort)
	}
	if !strings.Contains(page.title, "connected") {
		t.Errorf("callback page title %q, want it to say bcauth is connected (message %q)", page.title, page.message)
	}
	waitFor(t, tm, "Honcho Design")
}

// TestBrowserBindingCookie proves the binding survives Launchpad's
// cross-site redirect in a real browser by taking it away: the same
// browser, the same approval, but its cookies cleared on the consent page,
// and the callback is refused while the login goes on. (TestBrowserAllow
// is the same run with the cookie kept.)
func TestBrowserBindingCookie(t *testing.T) {
	e, b := browserEnv(t, "allow", true)
	tm := openFromTUI(t, e, b)

	page := b.page(t)
	if !strings.Contains(page.title, "did not start this login") || page.code != "" {
		t.Errorf("callback without the cookie: title %q, code %q, want a refusal without the code", page.title, page.code)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("the code was traded %d times without the binding", n)
	}
	waitFor(t, tm, "Waiting for you to approve")
}

func TestBrowserDeny(t *testing.T) {
	e, b := browserEnv(t, "deny", false)
	tm := openFromTUI(t, e, b)

	page := b.page(t)
	if !strings.Contains(page.title, "not authorized") {
		t.Errorf("callback page title %q, want it to say bcauth was not authorized", page.title)
	}
	if !strings.Contains(strings.ToLower(page.message), "denied") {
		t.Errorf("callback page message %q, want it to say access was denied", page.message)
	}
	waitFor(t, tm, "Access was denied")
}
