package tui

import (
	"fmt"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
)

// The device-code login (BC5) through the real program, the real Service
// and the fake issuer. The fake's clock moves only when a test moves it,
// so every poll the fake receives is one a test let happen.

// TestDeviceScreenShowsTheCodeAndWhereToEnterIt: the user code boxed (or
// bold in a short window) and whole, the page where it goes, the address
// with it filled in, the scope asked for and the time left.
func TestDeviceScreenShowsTheCodeAndWhereToEnterIt(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {60, 15}} {
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
	if len(opened) != 1 || opened[0] != want {
		t.Errorf("enter opened %q, want [%q]", opened, want)
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
	e := newBC5Env(t, launchpadtest.BC5Options{})
	tm := loginOnBC5(t, e, e.config(), 100, 30)
	first := e.Current(t)
	tm.Send(press("s"))
	waitFor(t, tm, "Log in with another Basecamp ID")
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "Enter this code", "esc back to accounts")
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
	waitFor(t, tm, "Access denied", "denied", "enter to try again")
	if n := e.polls(); n != 1 {
		t.Errorf("%d polls, want 1", n)
	}
}
