package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// Setup asks for the client of the server a new login would use: BC5's
// (an ID alone) when the API host offers BC5, Launchpad's (an ID and a
// secret) otherwise, with ctrl+o to enter the other instead.

// nothingSetUp leaves only where the servers are: no client at all.
func (e *bc5Env) nothingSetUp() {
	o := e.Fake.Options()
	e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL, LaunchpadURL: e.Fake.URL, RedirectURI: o.RedirectURI}
}

// TestSetupAsksForABC5ClientWhenBC5IsOffered: nothing set up and BC5
// offered, setup asks for a BC5 client ID and no secret; saved in
// config.json, it logs in with a device code.
func TestSetupAsksForABC5ClientWhenBC5IsOffered(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	e.nothingSetUp()
	tm := start(t, e.config(), 80, 24)
	waitFor(t, tm, "BC5 client ID", strings.TrimPrefix(e.bc5.Issuer, "http://"), "ctrl+o")
	if screen := tm.screen(); strings.Contains(screen, "Client secret") || strings.Contains(screen, "redirect URI") {
		t.Errorf("setup for BC5 asks for what only Launchpad needs:\n%s", screen)
	}
	tm.Send(press("enter"))
	waitFor(t, tm, "Enter the BC5 client ID.")
	tm.Type(launchpadtest.BC5ClientID)
	tm.Send(press("enter"))
	waitFor(t, tm, "Saved the client settings", "Enter this code")
	got, err := e.Svc.Store.LoadClient()
	if err != nil || got != (store.ClientConfig{BC5ClientID: launchpadtest.BC5ClientID}) {
		t.Fatalf("config.json holds %+v, %v; want the BC5 client ID alone", got, err)
	}
	e.clock.pause(t, 1)
	e.decide(t, e.bc5.Approve, e.userCode(t))
	e.clock.Advance(launchpadtest.DefaultPollInterval)
	waitFor(t, tm, "Honcho Design")
	if n := e.Fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d requests reached Launchpad's token endpoint", n)
	}
}

// TestSetupBC5Screen: the BC5 form at two sizes, after discovery.
func TestSetupBC5Screen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			e := newBC5Env(t, launchpadtest.BC5Options{})
			e.nothingSetUp()
			tm := start(t, e.config(), size[0], size[1])
			waitFor(t, tm, "BC5 client ID")
			screen := strings.ReplaceAll(finalScreen(t, tm), e.Dir, "STATE_DIR")
			golden(t, fmt.Sprintf("setup_bc5_%dx%d", size[0], size[1]), screen)
		})
	}
}

// TestSetupCanEnterALaunchpadClientInstead: ctrl+o on the BC5 form asks
// for a Launchpad integration; saved, the login is Launchpad's, saying BC5
// is there but has no client.
func TestSetupCanEnterALaunchpadClientInstead(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	e.nothingSetUp()
	o := e.Fake.Options()
	tm := start(t, e.config(), 100, 30)
	waitFor(t, tm, "BC5 client ID", "ctrl+o Launchpad client")
	tm.Send(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	waitFor(t, tm, "Client secret", o.RedirectURI, "ctrl+o BC5 client")
	tm.Send(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	waitFor(t, tm, "BC5 client ID")
	tm.Send(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	waitFor(t, tm, "Client secret")
	tm.Type(o.ClientID)
	tm.Send(press("enter"))
	tm.Type(o.ClientSecret)
	tm.Send(press("enter"))
	waitFor(t, tm, "erification code", "Signing in with Launchpad", "BCAUTH_BC5_CLIENT_ID")
	got, err := e.Svc.Store.LoadClient()
	if err != nil || got.ClientID != o.ClientID || got.ClientSecret != o.ClientSecret || got.BC5ClientID != "" {
		t.Fatalf("config.json holds %+v, %v", got, err)
	}
}

// TestSetupForLaunchpadWhileBC5IsDark: a BC5 client alone while BC5 is not
// offered: setup asks for a Launchpad client, saying why.
func TestSetupForLaunchpadWhileBC5IsDark(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{Dark: true})
	e.bc5ClientOnly()
	cfg := e.config()
	cfg.Start = StartSetup
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Client secret", "not offered here yet", "Launchpad client is needed")
	if strings.Contains(tm.screen(), "ctrl+o") {
		t.Errorf("ctrl+o offers BC5 while it is not offered:\n%s", tm.screen())
	}
}

// TestSetupKeepsTheFormBeingTypedIn: discovery's answer does not swap the
// form under the person's fingers: it offers the other one instead. The
// model alone, the answer delivered by hand.
func TestSetupKeepsTheFormBeingTypedIn(t *testing.T) {
	offered := auth.Server{Kind: auth.ServerBC5, Issuer: "http://127.0.0.1:9"}
	for _, tc := range []struct {
		name      string
		launchpad bool // a Launchpad client is set
		typed     string
		bc5       bool
	}{
		{"untouched", false, "", true},
		{"typed in", false, "my-id", false},
		// Its logins stay on Launchpad until a BC5 client is set: its
		// form, to correct it, with BC5 on ctrl+o.
		{"a Launchpad client set", true, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &countingBackend{err: auth.ErrNotConfigured}
			cfg := Config{}
			if tc.launchpad {
				b = &countingBackend{client: testClient(t), current: testSession(honcho)}
				b.settings.Client = store.ClientConfig{ClientID: "id", ClientSecret: "secret"}
				cfg.Start = StartSetup
				tc.typed = "" // prefilled, not typed
			}
			m := settled(t, b, cfg)
			if m.screen != screenSetup || m.setup.bc5 || !m.setup.asking {
				t.Fatalf("screen %v, bc5 %v, asking %v", m.screen, m.setup.bc5, m.setup.asking)
			}
			for _, r := range tc.typed {
				m.Update(press(string(r)))
			}
			m.Update(setupServerMsg{gen: m.setup.gen, server: offered})
			if m.setup.bc5 != tc.bc5 || m.setup.asking {
				t.Errorf("bc5 form %v, asking %v; want %v", m.setup.bc5, m.setup.asking, tc.bc5)
			}
			if got := m.setup.id.Value(); !tc.launchpad && got != tc.typed {
				t.Errorf("the client ID field holds %q, want %q", got, tc.typed)
			}
			if !strings.Contains(m.View().Content, "ctrl+o") {
				t.Error("ctrl+o is not offered")
			}
			// An answer for an earlier showing of the screen is dropped.
			m.Update(setupServerMsg{gen: m.setup.gen - 1, server: auth.Server{}})
			if m.setup.issuer == "" {
				t.Error("a stale answer was taken")
			}
			if n := b.calls.Load(); n != 0 {
				t.Errorf("Update did %d I/O calls", n)
			}
		})
	}
}

// TestSetupHelpBarIsNeverCut: whichever form, wherever setup was opened
// from, a narrow window gets short words rather than a help bar cut
// before esc.
func TestSetupHelpBarIsNeverCut(t *testing.T) {
	offered := auth.Server{Kind: auth.ServerBC5, Issuer: "http://127.0.0.1:9"}
	for _, width := range []int{60, 80} {
		for _, bc5 := range []bool{false, true} {
			for _, back := range []screen{screenSetup, screenConnect} {
				b := &countingBackend{err: auth.ErrNotConfigured}
				m := settled(t, b, Config{})
				m.Update(tea.WindowSizeMsg{Width: width, Height: 24})
				m.Update(setupServerMsg{gen: m.setup.gen, server: offered})
				m.setup.askFor(bc5)
				m.setup.back = back
				lines := strings.Split(m.View().Content, "\n")
				help := ansi.Strip(lines[len(lines)-1])
				if strings.Contains(help, "…") || !strings.Contains(help, "esc") || !strings.Contains(help, "ctrl+o") {
					t.Errorf("%d columns, BC5 form %v, back to %v: help bar %q", width, bc5, back, help)
				}
			}
		}
	}
}

// TestConnectHelpBarIsNeverCut: the Launchpad connect screen with a login
// to go back to, at 60 columns, keeps quit in its help bar.
func TestConnectHelpBarIsNeverCut(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{})
	tm := login(t, e, 60, 15)
	tm.Send(press("s"))
	waitFor(t, tm, "Log in with another Basecamp ID")
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "erification code", "esc back", "q quit")
	lines := strings.Split(strings.TrimRight(tm.screen(), "\n "), "\n")
	if help := lines[len(lines)-1]; strings.Contains(help, "…") {
		t.Errorf("the help bar is cut: %q", help)
	}
}

// TestSetupSaysTheEnvironmentWins: a client ID the environment sets wins
// over what setup saves, so setup says so rather than save in circles.
func TestSetupSaysTheEnvironmentWins(t *testing.T) {
	e := newBC5Env(t, launchpadtest.BC5Options{})
	cfg := e.config()
	cfg.Start = StartSetup
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "BC5 client ID", "BCAUTH_BC5_CLIENT_ID is set in the", "wins over what is saved")
	tm.Send(press("ctrl+o"))
	waitFor(t, tm, "Client secret", "BASECAMP_OAUTH_CLIENT_SECRET is set in the")
}
