package tui

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"bcauth/auth/launchpadtest"
)

// The device-code login (BC5) through the real program, the real Service
// and the fake issuer. The fake's clock moves only when a test moves it,
// so every poll the fake receives is one a test let happen.

// TestDeviceScreenShowsTheCodeAndWhereToEnterIt: the user code boxed (or
// bold in a short window) and whole, the page where it goes, the address
// with it filled in, the scope asked for and the time left.
func TestDeviceScreenShowsTheCodeAndWhereToEnterIt(t *testing.T) {
	for _, size := range [][2]int{{200, 60}, {100, 30}, {80, 24}, {60, 15}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newBC5Env(t, launchpadtest.BC5Options{})
			tm := start(t, e.config(), size[0], size[1])
			waitFor(t, tm, "Enter this code")
			code := e.userCode(t)
			screen := tm.screen()
			boxed := regexp.MustCompile(`│\s+` + code + `\s+│`)
			if size[1] >= 20 && !boxed.MatchString(screen) {
				t.Errorf("the code %s is not shown large, boxed:\n%s", code, screen)
			}
			for _, want := range []string{code, e.bc5.VerificationURI, "15:00 left", "full access"} {
				if !strings.Contains(screen, want) {
					t.Errorf("the screen lacks %q:\n%s", want, screen)
				}
			}
			if size[0] >= 100 && !strings.Contains(screen, e.complete(code)) {
				t.Errorf("the address with the code filled in is not shown whole:\n%s", screen)
			}
			// Wide and tall enough, a phone can scan the address off the
			// screen; else there is no QR code at all.
			got, err := scanScreen(screen)
			switch {
			case size[0] >= 100 && (err != nil || got != e.complete(code)):
				t.Errorf("the QR code on screen reads %q, %v; want %q:\n%s", got, err, e.complete(code), screen)
			case size[0] < 100 && err == nil:
				t.Errorf("a QR code at %dx%d:\n%s", size[0], size[1], screen)
			}
			golden(t, fmt.Sprintf("device_%dx%d", size[0], size[1]), finalScreen(t, tm))
		})
	}
}

// TestDeviceEnterOpensAndCCopiesTheCompleteAddress: enter opens
// verification_uri_complete through Config.OpenURL, c copies it, and
// neither sends anything to the server.
func TestDeviceEnterOpensAndCCopiesTheCompleteAddress(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Enter this code")
	want := e.complete(e.userCode(t))
	tm.Send(press("enter"))
	waitFor(t, tm, "Opened your browser")
	tm.Send(press("c"))
	waitFor(t, tm, "Copied")
	e.mu.Lock()
	opened, copied := e.opened, e.copied
	e.mu.Unlock()
	// The browser is handed bcauth's own loopback link, not the page's
	// address: that holds the code, and every local user can read a
	// browser's arguments. The link sends this user's browser there.
	if len(opened) != 1 || strings.Contains(opened[0], e.userCode(t)) || !strings.HasPrefix(opened[0], "http://127.0.0.1:") {
		t.Fatalf("enter opened %q: want one loopback link without the code", opened)
	}
	if got := redirectOf(t, opened[0]); got != want {
		t.Errorf("the link sends the browser to %q, want %q", got, want)
	}
	if len(copied) != 1 || copied[0] != want {
		t.Errorf("c copied %q, want [%q]", copied, want)
	}
	if n := e.polls(); n != 0 {
		t.Errorf("%d polls before the clock moved", n)
	}
}

// TestDeviceApprovedLandsOnTheAccounts: approved at the fake's page, the
// next poll is the login: the accounts, and a stored session that
// remembers its issuer, its endpoints and its scope.
func TestDeviceApprovedLandsOnTheAccounts(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := loginOnBC5(t, e, e.config(), 100, 30)
	waitFor(t, tm, "Logged in as Annie Bryan")
	if n := e.polls(); n != 1 {
		t.Errorf("%d polls, want the one after the approval", n)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d requests reached Launchpad's token endpoint", n)
	}
	sess := e.Current(t)
	srv := sess.Server
	if !srv.IsBC5() || srv.Issuer != e.bc5.Issuer || srv.TokenEndpoint != e.bc5.TokenEndpoint || srv.RevocationEndpoint != e.bc5.RevocationEndpoint {
		t.Errorf("the stored session's server is %+v, want the fake issuer %s", srv, e.bc5.Issuer)
	}
	if sess.ClientID != launchpadtest.BC5ClientID || srv.Scope != "full" {
		t.Errorf("stored client %q, scope %q; want %q and full", sess.ClientID, srv.Scope, launchpadtest.BC5ClientID)
	}
	if sess.Token.RefreshToken == "" {
		t.Error("the refresh token was not stored")
	}
}

// TestDeviceEscCancelsAndTheServerHearsNoMore: with no stored login, esc
// ends the run; the login's pause ends with it, and however far the clock
// then moves, the fake receives no further poll.
func TestDeviceEscCancelsAndTheServerHearsNoMore(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Enter this code", "esc cancel")
	e.clock.pause(t, 1)
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	e.clock.pause(t, 2) // one poll, authorization_pending, and the next pause
	if n := e.polls(); n != 1 {
		t.Fatalf("%d polls after one interval, want 1", n)
	}
	tm.Send(press("esc"))
	e.clock.until(t, "the pause ending with esc", func(pausing, _ int) bool { return pausing == 0 })
	e.clock.Advance(20 * time.Minute) // past every poll the code had left
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if n := e.polls(); n != 1 {
		t.Errorf("%d polls after esc, want none after the first", n-1)
	}
	if code, _ := finalModelOf(tm).Outcome(); code == 0 {
		t.Error("a cancelled login exits 0")
	}
}

// TestDeviceEscWithAStoredLoginGoesBackToTheAccounts: a second login
// started from the accounts, cancelled with esc, leaves the first one on
// screen and its polling stopped.
func TestDeviceEscWithAStoredLoginGoesBackToTheAccounts(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {60, 15}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			escBackToTheAccounts(t, size[0], size[1])
		})
	}
}

func escBackToTheAccounts(t *testing.T, w, h int) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := loginOnBC5(t, e, e.config(), w, h)
	first := e.Current(t)
	tm.Send(press("s"))
	waitFor(t, tm, "Log in with another Basecamp ID")
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "Enter this code", "esc back", "q quit")
	// The help bar says every key whole, in short words if need be.
	lines := strings.Split(strings.TrimRight(tm.screen(), "\n "), "\n")
	if help := lines[len(lines)-1]; strings.Contains(help, "…") {
		t.Errorf("the help bar is cut: %q", help)
	}
	e.clock.pause(t, 2) // the second login's first pause
	polls := e.polls()
	tm.Send(press("esc"))
	waitFor(t, tm, "Honcho Design", "Login cancelled.")
	e.clock.until(t, "the pause ending with esc", func(pausing, _ int) bool { return pausing == 0 })
	e.clock.Advance(20 * time.Minute)
	tm.Send(press("r")) // a reload after the clock moved: the screen is live
	waitFor(t, tm, "Reloaded")
	if n := e.polls(); n != polls {
		t.Errorf("%d polls after esc", n-polls)
	}
	if cur := e.Current(t); cur.Key() != first.Key() {
		t.Errorf("the current login changed to %s", cur.Key())
	}
}

// TestDeviceDeniedSaysSo: Deny at the fake's page is a refusal on screen,
// with a new login on enter.
func TestDeviceDeniedSaysSo(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Enter this code")
	e.clock.pause(t, 1)
	e.decide(t, e.bc5.Deny, e.userCode(t))
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	waitFor(t, tm, "Access denied", "BC5 said", "Allow", "enter to try again")
	if n := e.polls(); n != 1 {
		t.Errorf("%d polls, want 1", n)
	}
	golden(t, "device_denied_100x30", finalScreen(t, tm))
}

// TestDeviceCodeExpired: the server saying expired_token, and the clock
// passing the code's end (when nothing more is posted), both say the code
// ran out and offer a new one, which enter fetches.
func TestDeviceCodeExpired(t *testing.T) {
	for _, tc := range []struct {
		name  string
		run   func(e *bc5Env)
		polls int
	}{
		{"the server says so", func(e *bc5Env) {
			e.bc5.ExpireDeviceCodes()
			e.clock.Advance(launchpadtest.DefaultPollInterval)
		}, 1},
		{"the clock passes its end", func(e *bc5Env) {
			e.clock.Advance(launchpadtest.DefaultDeviceCodeTTL)
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newBC5Env(t, launchpadtest.BC5Options{})
			tm := start(t, e.config(), 100, 30)
			waitFor(t, tm, "Enter this code")
			first := e.userCode(t)
			e.clock.pause(t, 1)
			tc.run(e)
			waitFor(t, tm, "expired", "new code", "enter")
			if n := e.polls(); n != tc.polls {
				t.Errorf("%d polls, want %d", n, tc.polls)
			}
			tm.Send(press("enter"))
			waitFor(t, tm, "Enter this code")
			if second := e.userCode(t); second == first {
				t.Errorf("enter showed the expired code %s again", first)
			}
			if n := e.bc5.Requests(launchpadtest.BC5Device); n != 2 {
				t.Errorf("%d device authorization requests, want 2", n)
			}
		})
	}
}

// TestBC5NotEnabledYet: while BC5 is dark the API host advertises only
// Launchpad, so a login with both clients is Launchpad's, saying why, and
// one with a BC5 client alone cannot start, saying BC5 is probably not
// enabled yet; a device endpoint answering 503 is BC5 not enabled yet.
// None of them asks BC5 for a code, nor Launchpad for a token.
func TestBC5NotEnabledYet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dark  bool
		setup func(e *bc5Env)
		want  []string
	}{
		{"dark, both clients", true, func(e *bc5Env) { e.bc5.SetDark(true) },
			[]string{"erification code", "Signing in with Launchpad: the API host advertises no authorization server but Launchpad."}},
		{"dark, a BC5 client alone", true, func(e *bc5Env) { e.bc5.SetDark(true); e.bc5ClientOnly() },
			[]string{"Not set up", "only a BC5 client", "probably not enabled yet", "e to correct the client settings"}},
		{"the device endpoint answers 503", false, func(e *bc5Env) {
			e.bc5.InjectFault(launchpadtest.BC5Device, launchpadtest.Fault{Status: 503, Body: `{"error":"temporarily_unavailable"}`, ContentType: "application/json"})
		}, []string{"BC5 not enabled yet", "not enabled yet", "Try again later", "enter to try again"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newBC5Env(t, launchpadtest.BC5Options{})
			tc.setup(e)
			tm := start(t, e.config(), 100, 30)
			waitFor(t, tm, tc.want...)
			if n := e.bc5.Requests(launchpadtest.BC5Device); tc.dark && n != 0 {
				t.Errorf("%d device requests reached a dark BC5", n)
			}
			if n := e.Fake.Requests(launchpadtest.EndpointToken) + e.polls(); n != 0 {
				t.Errorf("%d token requests", n)
			}
		})
	}
}

// TestDeviceAsksForTheScopeConfigured: Config.Scope read is sent as
// scope=read and said on screen.
func TestDeviceAsksForTheScopeConfigured(t *testing.T) {
	for _, tc := range []struct{ scope, words string }{{"read", "read-only access"}, {"", "full access"}, {"full", "full access"}} {
		t.Run("scope "+tc.scope, func(t *testing.T) {
			e := newBC5Env(t, launchpadtest.BC5Options{})
			cfg := e.config()
			cfg.Scope = tc.scope
			tm := start(t, cfg, 100, 30)
			waitFor(t, tm, "Enter this code", tc.words)
			log := e.bc5.RequestLog(launchpadtest.BC5Device)
			want := tc.scope
			if want == "" {
				want = "full"
			}
			if len(log) != 1 || log[0].Body.Get("scope") != want {
				t.Errorf("device requests %+v, want one with scope=%s", log, want)
			}
		})
	}
}

// TestDeviceWithoutABrowser: --no-browser shows the same code and address,
// no paste field, and enter opens nothing.
func TestDeviceWithoutABrowser(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	cfg := e.config()
	cfg.NoBrowser = true
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Enter this code")
	code := e.userCode(t)
	tm.Send(press("enter"))
	tm.Send(press("c"))
	waitFor(t, tm, "Copied")
	screen := tm.screen()
	for _, want := range []string{code, e.complete(code), "c copy URL"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	for _, bad := range []string{"›", "Paste", "paste", "enter open browser", "Opening your browser"} {
		if strings.Contains(screen, bad) {
			t.Errorf("the screen shows %q with no browser:\n%s", bad, screen)
		}
	}
	e.mu.Lock()
	opened := e.opened
	e.mu.Unlock()
	if len(opened) != 0 {
		t.Errorf("enter opened %q with --no-browser", opened)
	}
	e.clock.pause(t, 1)
	e.decide(t, e.bc5.Approve, code)
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	waitFor(t, tm, "Honcho Design")
}

// TestDeviceHeadlessDemoApprovesByItself: the demo with no browser enters
// the code at the fake's page on the person's behalf.
func TestDeviceHeadlessDemoApprovesByItself(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	cfg := e.config()
	cfg.OpenURL = nil
	entered := make(chan string, 1)
	// The demo approves only once the test has read the pending code: an
	// approval first (a millisecond after the code arrives) left none to
	// read, one run in about 25 under -race.
	read := make(chan struct{})
	cfg.Demo = &Demo{Headless: true, After: time.Millisecond, ApproveCode: func(ctx context.Context, code string) error {
		select {
		case <-read:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := e.bc5.Approve(ctx, code)
		entered <- code
		return err
	}}
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Enter this code")
	want := e.userCode(t)
	close(read)
	select {
	case got := <-entered:
		if got != want {
			t.Errorf("the demo entered %q, want %q", got, want)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the demo never entered the code")
	}
	e.clock.pause(t, 1)
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	waitFor(t, tm, "Honcho Design")
}

// TestLaunchpadScreenSaysWhyNotBC5: when discovery fell back to Launchpad,
// or found BC5 with no BC5 client configured, the Launchpad connect
// screen says so.
func TestLaunchpadScreenSaysWhyNotBC5(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *bc5Env)
		want  []string
	}{
		{"the API host's metadata fails", func(e *bc5Env) {
			e.bc5.InjectFault(launchpadtest.BC5ResourceMetadata, launchpadtest.Fault{Status: 500})
		}, []string{"Signing in with Launchpad: the API host's metadata", "500"}},
		{"no BC5 client", func(e *bc5Env) { e.launchpadClientOnly() }, []string{"Signing in with Launchpad: Basecamp's newer", "BCAUTH_BC5_CLIENT_ID"}},
	} {
		for _, size := range [][2]int{{100, 30}, {60, 15}} {
			t.Run(fmt.Sprintf("%s %dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				e := newBC5Env(t, launchpadtest.BC5Options{})
				tc.setup(e)
				tm := start(t, e.config(), size[0], size[1])
				waitFor(t, tm, append([]string{"erification code"}, tc.want...)...)
				if n := e.bc5.Requests(launchpadtest.BC5Device); n != 0 {
					t.Errorf("%d device requests to BC5", n)
				}
			})
		}
	}
}

// redirectOf is where link redirects a GET, which must be a 303.
func redirectOf(t *testing.T, link string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: %s", link, resp.Status)
	}
	return resp.Header.Get("Location")
}

// TestDeviceTimeoutEndsTheLogin: --timeout bounds a device login as it
// bounds a browser one, though the code lives longer: the countdown is
// the timeout's, and when it is up the login ends, says why, and the
// server hears nothing more.
func TestDeviceTimeoutEndsTheLogin(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	cfg := e.config()
	cfg.Timeout = 2 * time.Minute
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Enter this code", "2:00 left")
	e.clock.pause(t, 1)
	e.clock.Advance(2 * time.Minute)
	waitFor(t, tm, "not approved within 2m0s", "--timeout")
	e.clock.until(t, "the pause ending with the timeout", func(pausing, _ int) bool { return pausing == 0 })
	polls := e.polls()
	e.clock.Advance(20 * time.Minute) // past every poll the code had left
	if n := e.polls(); n != polls {
		t.Errorf("%d polls after the timeout", n-polls)
	}
}

// TestAppLogoutRevokesABC5Login: L L in the app revokes a BC5 login at its
// issuer, as bcauth logout does, and the screen says the issuer confirmed
// (not that Launchpad still lists bcauth).
func TestAppLogoutRevokesABC5Login(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := loginOnBC5(t, e, e.config(), 100, 30)
	waitFor(t, tm, "Launchpad #9999999 · BC5")
	tm.Send(press("L"))
	waitFor(t, tm, "Press L again")
	tm.Send(press("L"))
	waitFor(t, tm, "Logged out of Annie Bryan", "confirmed that this login's refresh token is revoked")
	if n := e.bc5.Revocations(); n != 1 {
		t.Errorf("%d revocations at the issuer, want 1", n)
	}
}

// TestScopeReadOnLaunchpadIsSaid: --scope read with the login going to
// Launchpad (no BC5 client) is said on the connect screen, not dropped.
func TestScopeReadOnLaunchpadIsSaid(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	e.launchpadClientOnly()
	cfg := e.config()
	cfg.Scope = "read"
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "erification code", "to use it. Launchpad has no scopes", "can read and write")
}

// TestDemoNoBrowserLeavesTheCodeToThePerson: with --no-browser the demo
// does not enter the code by itself, as on Launchpad it does not paste:
// the person rehearses entering it in a browser.
func TestDemoNoBrowserLeavesTheCodeToThePerson(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	cfg := e.config()
	cfg.OpenURL, cfg.NoBrowser = nil, true
	entered := make(chan string, 1)
	cfg.Demo = &Demo{Headless: true, After: time.Millisecond, ApproveCode: func(_ context.Context, code string) error {
		entered <- code
		return nil
	}}
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Enter this code", "Or open this address")
	if got := finalScreenKeep(t, tm, func() {}); strings.Contains(got, "on your behalf") {
		t.Errorf("the demo offers to enter the code with --no-browser:\n%s", got)
	}
	select {
	case code := <-entered:
		t.Errorf("the demo entered %s by itself with --no-browser", code)
	default:
	}
}

// TestLaunchpadPasteScreenSaysWhyNotBC5: over SSH (--no-browser) the
// Launchpad paste screen says BC5 is there, as the browser screen does.
func TestLaunchpadPasteScreenSaysWhyNotBC5(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	e.launchpadClientOnly()
	cfg := e.config()
	cfg.NoBrowser = true
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "paste the address the browser ends on", "newer sign-in", "BCAUTH_BC5_CLIENT_ID")
}

// TestAppLogoutOfABC5LoginBesideAnotherSaysTheRevocation: with another
// login left to show, the status line still says what the issuer answered.
func TestAppLogoutOfABC5LoginBesideAnotherSaysTheRevocation(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := loginOnBC5(t, e, e.config(), 200, 30)
	waitFor(t, tm, "· BC5")
	e.LogIn(t) // Annie through Launchpad too, meanwhile (another bcauth)
	tm.Send(press("L"))
	waitFor(t, tm, "Press L again")
	tm.Send(press("L"))
	waitFor(t, tm, "(revoked there); now showing Annie Bryan (annie@example.com).")
	if n := e.bc5.Revocations(); n != 1 {
		t.Errorf("%d revocations at the issuer, want 1", n)
	}
}

// TestDeviceWaitsAtMostAnHourUnlessTimeoutIsGiven: without --timeout a
// device login waits as long as its code lives, but never more than the
// hour --timeout allows at most.
func TestDeviceWaitsAtMostAnHourUnlessTimeoutIsGiven(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{DeviceCodeTTL: 3 * time.Hour})
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Enter this code", "60:00 left")
}
