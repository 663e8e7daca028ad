package tui

import (
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

func TestSetupSavesClientThenConnects(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	o := e.Fake.Options()
	// Only the Launchpad and redirect come from the environment: the
	// person types the client id and secret.
	e.Svc.Env = store.ClientConfig{RedirectURI: o.RedirectURI, LaunchpadURL: e.Fake.URL}
	tm := start(t, e.config(), 80, 24)
	// The integrations page of the Launchpad in use: here the fake's.
	waitFor(t, tm, "Client ID", strings.TrimPrefix(e.Fake.URL, "http://")+"/integrations", o.RedirectURI)
	tm.Type(o.ClientID)
	tm.Send(press("enter"))
	tm.Type(o.ClientSecret)
	waitFor(t, tm, "••••")
	if strings.Contains(ansi.Strip(string(readAll(tm))), o.ClientSecret) {
		t.Fatal("the client secret was echoed")
	}
	tm.Send(press("enter"))
	waitFor(t, tm, "erification code")
	got, err := e.Svc.Store.LoadClient()
	if err != nil || got.ClientID != o.ClientID || got.ClientSecret != o.ClientSecret {
		t.Fatalf("config.json holds %+v, %v", got, err)
	}
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
}

func TestSetupScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newEnv(t, launchpadtest.Options{})
			// Nothing configured but the API origin, so setup's discovery
			// asks the fake (which offers only Launchpad), not Basecamp.
			e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL}
			tm := start(t, e.config(), size[0], size[1])
			waitFor(t, tm, "Client ID")
			waitModel(t, tm, "discovery's answer", func(m *Model) bool { return !m.setup.asking })
			screen := strings.ReplaceAll(finalScreen(t, tm), e.Dir, "STATE_DIR")
			golden(t, fmt.Sprintf("setup_%dx%d", size[0], size[1]), screen)
		})
	}
}

// readAll drains what the program has written so far.
func readAll(tm *prog) []byte {
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, _ := tm.Output().Read(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

func TestPasteBackLogin(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.NoBrowser = true
	tm := start(t, cfg, 400, 30) // wide enough that the URL is one line
	var authURL string
	state := regexp.MustCompile(`http://127\.0\.0\.1:\d+/authorization/new\?\S+state=[A-Za-z0-9_-]{43}\S*`)
	waitFor(t, tm, "state=")
	authURL = state.FindString(tm.screen())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loc, err := e.Fake.Approve(ctx, authURL)
	if err != nil {
		t.Fatal(err)
	}
	// A forged address (wrong state) is refused and the login goes on.
	forged := *loc
	q := forged.Query()
	q.Set("state", "forged")
	forged.RawQuery = q.Encode()
	tm.Send(tea.PasteMsg{Content: forged.String()})
	tm.Send(press("enter"))
	waitFor(t, tm, "does not belong to this login")
	tm.Send(press("esc"))
	// A bare code could be anyone's: refused, with the reason, and the
	// login goes on.
	tm.Send(tea.PasteMsg{Content: loc.Query().Get("code")})
	tm.Send(press("enter"))
	waitFor(t, tm, "could be anyone's", "whole address")
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Fatalf("%d token requests before the whole address was pasted", n)
	}
	// The full Launchpad address is on the screen only: nothing was
	// opened or given to another program.
	e.mu.Lock()
	opened := e.opened
	e.mu.Unlock()
	if len(opened) != 0 {
		t.Errorf("paste-back opened %q", opened)
	}
	tm.Send(press("esc"))
	tm.Send(tea.PasteMsg{Content: loc.String()})
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
}

func TestLoginTimesOutAndOffersRetry(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	e.browser = func(string) error { return nil } // the person never approves
	cfg := e.config()
	cfg.Timeout = 300 * time.Millisecond
	tm := start(t, cfg, 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "No answer from the browser", "redirect URI")
	golden(t, "timeout_80x24", scrubTimeout(finalScreen(t, tm)))
}

// scrubTimeout hides how long the attempt took, which varies by a second.
func scrubTimeout(s string) string {
	return regexp.MustCompile(`after \d+m?\d*s`).ReplaceAllString(s, "after Ns")
}

func TestRetryAfterTimeoutLogsIn(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	never := func(string) error { return nil }
	e.browser = never
	cfg := e.config()
	cfg.Timeout = 300 * time.Millisecond
	tm := start(t, cfg, 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "No answer from the browser")
	e.mu.Lock()
	e.browser = e.approve
	e.mu.Unlock()
	tm.Send(press("enter")) // try again: a new login
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
}

func TestDeniedInBrowser(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	e.browser = func(u string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = e.Fake.DenyAndFollow(ctx, u)
		}()
		return nil
	}
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Access was denied", "try again")
}

func TestPortInUse(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	ln, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(e.Fake.Options().RedirectURI, "http://"), "/callback"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "the port is", "in use", "BASECAMP_OAUTH_REDIRECT_URI")
	screen := finalScreen(t, tm)
	golden(t, "port_in_use_80x24", screen)
}

func TestStoredLoginDrawsCachedAccountsThenRevalidates(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	e.LogIn(t)
	before := e.Fake.Requests(launchpadtest.EndpointAuthorization)
	// Launchpad now knows one more account than the cache.
	accs := launchpadtest.DemoAccounts(e.Fake.URL)
	accs = append(accs, launchpadtest.Account{Product: "bc3", ID: 1234, Name: "Freshly Added", Href: e.Fake.URL + "/bc3/1234"})
	e.Fake.SetAccounts(accs)
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Honcho Design")
	waitFor(t, tm, "Freshly Added")
	if got := e.Fake.Requests(launchpadtest.EndpointAuthorization); got != before+1 {
		t.Errorf("authorization.json asked %d times on start, want 1", got-before)
	}
	tm.Send(press("r"))
	waitFor(t, tm, "Reloaded from Launchpad")
}

func TestExpiredTokenIsRefreshedWithoutAsking(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	oldRefresh := sess.Token.RefreshToken
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Hour)
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "refreshed just now")
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.CurrentSession()
	if cur.Token.AccessToken == sess.Token.AccessToken || cur.Token.RefreshToken != oldRefresh {
		t.Errorf("after refresh: access changed=%v, refresh token kept=%v", cur.Token.AccessToken != sess.Token.AccessToken, cur.Token.RefreshToken == oldRefresh)
	}
}

func TestRejectedRefreshLeadsBackToConnect(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.RevokeAll() // the person changed their password
	e.ExpireStored(t, sess, time.Hour)
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "Launchpad refused the stored login", "rekeyed its deadbolt", "erification code")
	// The refresh token is kept: a failed refresh never deletes it.
	st, _ := e.Svc.Store.Load()
	if cur, ok := st.CurrentSession(); !ok || cur.Token.RefreshToken != sess.Token.RefreshToken {
		t.Error("the refresh token was lost after a rejected refresh")
	}
}

func TestLaunchpadErrorShowsServerTextAndRetries(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Svc.Store.ForgetAuthorization(sess.Key()) // nothing cached: the error has the whole screen
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: 503, Body: "Launchpad is down for maintenance", ContentType: "text/plain", Times: 1})
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "Launchpad said", "down for maintenance", "try again")
	golden(t, "error_80x24", finalScreenKeep(t, tm, func() {}))
}

// finalScreenKeep is finalScreen for tests that want more after it; it
// runs more first.
func finalScreenKeep(t *testing.T, tm *prog, more func()) string {
	more()
	return finalScreen(t, tm)
}

func TestErrorScreenRetry(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Svc.Store.ForgetAuthorization(sess.Key())
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: 500, Body: `{"status":500,"error":"Internal Server Error"}`, ContentType: "application/json", Times: 1})
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "Internal Server Error")
	tm.Send(press("enter"))
	waitFor(t, tm, "Honcho Design")
}

func TestLogoutAsksFirst(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 80, 24)
	tm.Send(press("L"))
	waitFor(t, tm, "Log out of Annie Bryan? Press L again.", "L log out", "esc keep the login")
	tm.Send(press("y")) // copies elsewhere: here it keeps the login
	waitFor(t, tm, "Still logged in")
	tm.Send(press("L"))
	tm.Send(press("L"))
	waitFor(t, tm, "Logged out of Annie Bryan (annie@example.com).", "enter to log in again")
	if code, msg := finalModelOf(tm).Outcome(); code != 0 || !strings.Contains(msg, "Logged out") {
		t.Errorf("Outcome() after logout = %d, %q", code, msg)
	}
	tm.Send(press("enter"))
	waitFor(t, tm, "erification code")
	st, err := e.Svc.Store.Load()
	if err != nil || len(st.Sessions) != 0 {
		t.Fatalf("after logout the state holds %+v, %v", st, err)
	}
	if c, err := e.Svc.Store.LoadClient(); err != nil || c != (store.ClientConfig{}) {
		// The client came from the environment here; the file stays as it was.
		t.Fatalf("logout touched config.json: %+v, %v", c, err)
	}
}

// TestHostileServerStringsNeverReachTheTerminal feeds escape sequences
// through every server string the TUI shows (identity, account name,
// product code, href, app_href, Launchpad's error text, a product's probe
// answer) and presses every key that displays, copies or opens one.
func TestHostileServerStringsNeverReachTheTerminal(t *testing.T) {
	const osc52 = "\x1b]52;c;ZXZpbA==\x07" // would set the clipboard to "evil"
	e := newEnv(t, launchpadtest.Options{})
	e.Fake.SetIdentity(launchpadtest.Identity{ID: 7, FirstName: "Ann\x1b[2J", LastName: "Evil" + osc52, EmailAddress: "ann\u202e@example.com"})
	e.Fake.SetAccounts([]launchpadtest.Account{
		{Product: "bc3", ID: 1, Name: "Acme" + osc52 + "\x1b[2J", Href: e.Fake.URL + "/bc3/1" + osc52, AppHref: e.Fake.URL + "/web/bc3/1" + osc52},
		{Product: "wb\x1b[2J" + osc52, ID: 2, Name: "Plain", Href: e.Fake.URL + "/wb/2\n" + osc52},
	})
	cfg := e.config()
	cfg.ProbeDelay = time.Millisecond
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Acme", "Plain")
	for _, k := range []string{"y", "o", "j", "y", "o", "p"} {
		tm.Send(press(k))
	}
	waitFor(t, tm, "of 2 reachable")
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: 503, Body: "down" + osc52 + "\x1b[2J", ContentType: "text/plain", Times: 1})
	tm.Send(press("r"))
	waitFor(t, tm, "down")
	tm.Send(tea.Quit())
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	// Only the real sequence counts: a reason may quote the href with Go's
	// %q, where the escape shows as the harmless text \x1b.
	for _, bad := range []string{"\x1b]52;"} {
		if i := strings.Index(string(out), bad); i >= 0 {
			t.Errorf("a server string reached the terminal as an OSC 52 sequence: …%q…", out[max(i-80, 0):min(i+80, len(out))])
		}
	}
	for _, s := range []string{"Ann\x1b[2J", "Acme\x1b[2J", "wb\x1b[2J", "down\x1b[2J"} {
		if strings.Contains(string(out), s) {
			t.Errorf("%q reached the terminal", s)
		}
	}
	if strings.ContainsRune(string(out), '\u202e') {
		t.Error("a bidirectional override reached the terminal")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.copied) != 0 || len(e.opened) != 1 {
		// The one open is the login's own authorization URL.
		t.Errorf("hostile hrefs were copied %q or opened %q", e.copied, e.opened)
	}
}

func TestManyAccountsAndLongNames(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	var accs []launchpadtest.Account
	for i := range 5000 {
		accs = append(accs, launchpadtest.Account{Product: []string{"bc3", "bcx", "campfire", "tadalist"}[i%4], ID: int64(i + 1),
			Name: fmt.Sprintf("Account %04d %s", i, strings.Repeat("ñ", i%200)), Href: fmt.Sprintf("%s/bc3/%d", e.Fake.URL, i+1)})
	}
	e.Fake.SetAccounts(accs)
	tm := start(t, e.config(), 60, 15)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "5000 accounts", "Account 0000")
	tm.Send(press("G"))
	waitFor(t, tm, "Account 4999")
	if strings.ContainsRune(tm.screen(), 0x1b) {
		t.Fatal("escape in screen")
	}
	e2 := newEnv(t, launchpadtest.Options{})
	e2.Fake.SetAccounts([]launchpadtest.Account{})
	tm2 := start(t, e2.config(), 80, 24)
	waitFor(t, tm2, "erification code")
	tm2.Send(press("enter"))
	waitFor(t, tm2, "no active accounts")
}

func TestDemoApprovesByItselfWithoutBrowser(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	cfg := e.config()
	cfg.OpenURL = nil
	cfg.Demo = &Demo{Headless: true, After: 50 * time.Millisecond, Approve: func(ctx context.Context, u string) error {
		return e.approve(u)
	}}
	tm := start(t, cfg, 80, 24)
	waitFor(t, tm, "Honcho Design")
}

func TestEscOnConnectGoesBackToTheAccounts(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 100, 30)
	tm.Send(press("s"))
	waitFor(t, tm, "Switch Basecamp ID", "Log in with another Basecamp ID")
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "erification code", "esc back to accounts")
	tm.Send(press("esc"))
	waitFor(t, tm, "Honcho Design", "Login cancelled.")
	if code, _ := finalModelOf(tm).Outcome(); code != 0 {
		t.Errorf("quitting on the accounts would exit %d, want 0", code)
	}
}

func TestRejectedClientCanBeCorrected(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	o := e.Fake.Options()
	// The secret in config.json is wrong; only the Launchpad and redirect
	// come from the environment.
	e.Svc.Env = store.ClientConfig{RedirectURI: o.RedirectURI, LaunchpadURL: e.Fake.URL}
	if err := e.Svc.Store.SaveClient(store.ClientConfig{ClientID: o.ClientID, ClientSecret: "typo"}); err != nil {
		t.Fatal(err)
	}
	cfg := e.config()
	cfg.Start = StartLogin
	tm := start(t, cfg, 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Launchpad refused the client settings", "invalid_client", "e to correct the client settings")
	tm.Send(press("e"))
	waitFor(t, tm, "Client ID", "Client secret")
	if got := finalModelOf(tm).setup.id.Value(); got != o.ClientID {
		t.Errorf("setup is not prefilled with the stored client id: %q", got)
	}
	tm.Send(press("tab"))
	for range len("typo") {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	tm.Type(o.ClientSecret)
	tm.Send(press("enter"))
	waitFor(t, tm, "Saved the client settings", "erification code")
	tm.Send(press("enter"))
	// bcauth login ends once the login does, as gh auth login does.
	m := tm.FinalModel(t, teatest.WithFinalTimeout(15*time.Second)).(recorder).Model
	if code, msg := m.Outcome(); code != 0 || !strings.Contains(msg, "✓ Logged in as Annie Bryan") {
		t.Errorf("Outcome() = %d, %q; want 0 and who logged in", code, msg)
	}
}

func TestLoginCommandFailsWithoutALogin(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	e.browser = func(string) error { return nil }
	cfg := e.config()
	cfg.Start = StartLogin
	cfg.Timeout = 200 * time.Millisecond
	tm := start(t, cfg, 80, 24)
	waitFor(t, tm, "erification code")
	tm.Send(press("enter"))
	waitFor(t, tm, "Login timed out")
	code, msg := finalModelOf(tm).Outcome()
	if code != 1 || !strings.Contains(msg, "no answer from the browser") {
		t.Errorf("Outcome() = %d, %q; want 1 and why", code, msg)
	}
}

// TestNoMatchKeepsTheFooterInPlace: a filter that matches nothing leaves
// the legend and status line where they were, and a long filter is cut to
// one line rather than wrapped over the list.
func TestNoMatchKeepsTheFooterInPlace(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 80, 24)
	row := func(screen, text string) int {
		for i, l := range strings.Split(screen, "\n") {
			if strings.Contains(l, text) {
				return i
			}
		}
		return -1
	}
	// The detail box's bottom edge sits right above the status line.
	before := row(tm.screen(), "╰")
	tm.Send(press("/"))
	tm.Type(strings.Repeat("nothing-matches-this ", 9))
	waitFor(t, tm, "No account matches")
	tm.Send(press("enter"))
	waitFor(t, tm, "esc clear filter")
	screen := tm.screen()
	if after := row(screen, "╰"); before < 0 || after != before {
		t.Errorf("the status line moved from row %d to %d:\n%s", before, after, screen)
	}
	if n := strings.Count(screen, "nothing-matches-this"); n > 8 {
		t.Errorf("the filter is echoed %d times; want it cut to a line:\n%s", n, screen)
	}
}

// TestSmallWindowCutsNothingInHalf: at 60×15 the legend shows whole
// entries and the full help every key, rather than cutting either short.
func TestSmallWindowCutsNothingInHalf(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 60, 15)
	tm.Send(press("p"))
	waitFor(t, tm, "9 of 12 reachable")
	for _, l := range strings.Split(tm.screen(), "\n") {
		if strings.Contains(l, "✓ ok") && strings.Contains(l, "…") {
			t.Errorf("the legend is cut: %q", l)
		}
	}
	tm.Send(press("?"))
	waitFor(t, tm, "log out", "switch ID", "reload", "quit", "last")
	if screen := tm.screen(); strings.Contains(screen, "reload    …") {
		t.Errorf("the full help is cut:\n%s", screen)
	}
}

// TestScrolledListKeepsItsHeading: scrolled to the end of a short window,
// the top line is still a group heading, with how many accounts are above;
// the mark column is there before any probe, so rows never shift.
func TestScrolledListKeepsItsHeading(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 60, 15)
	tm.Send(press("G"))
	waitFor(t, tm, "↑ ", "more")
	lines := strings.Split(tm.screen(), "\n")
	top := lines[3]
	if !strings.Contains(top, " · ") || !strings.Contains(top, "↑ ") || strings.Contains(top, "▌") {
		t.Errorf("the top line of the scrolled list is not a heading with what is above: %q\n%s", top, strings.Join(lines, "\n"))
	}
}
