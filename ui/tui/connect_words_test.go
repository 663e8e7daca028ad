package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// The connect screen's words stay true in each way a login can go
// (issue 21, points 7, 10 and 14): what enter does, what the browser
// shows, where to open the address, and the address itself.

// connecting is the connect screen with a login ready, at w×h, for a
// client whose Launchpad is launchpad.
func connecting(t *testing.T, cfg Config, launchpad string, w, h int) *Model {
	t.Helper()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", uitest.FreePort(t))
	c, err := auth.New(auth.Config{ClientID: "id", ClientSecret: "secret", LaunchpadURL: launchpad, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	m := settled(t, &countingBackend{client: c, err: core.ErrNotLoggedIn}, cfg)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	if m.screen != screenConnect {
		t.Fatalf("screen %d, want connect", m.screen)
	}
	// The real login, listening on loopback for an answer that never comes.
	ready := newLogin(m.client, m.login.attempt, nil)().(loginReadyMsg)
	if ready.err != nil {
		t.Fatal(ready.err)
	}
	t.Cleanup(func() { _ = ready.listener.Close() })
	m.Update(ready)
	return m
}

func TestConnectWordsStayTrue(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		launchpad string
		want, not []string
	}{
		{
			name: "the headless demo: enter approves, and the footer says so",
			cfg:  Config{Demo: &Demo{Headless: true, After: 3 * time.Second}},
			want: []string{"the demo approves on your behalf in 3s (enter: now)", "enter approve now"},
			not:  []string{"open browser"},
		},
		{
			name: "a browser: enter opens the address shown, not another host",
			want: []string{"Press enter to open this address in your browser (c copies it):", "enter open browser"},
			not:  []string{"Press enter to open 127.0.0.1:9"},
		},
		{
			name:      "pasting back from another machine: no code the browser cannot show",
			cfg:       Config{NoBrowser: true},
			launchpad: "https://launchpad.37signals.com",
			want:      []string{"on any machine", "a page that cannot load"},
			not:       []string{"Verification code", "the browser shows"},
		},
		{
			name: "pasting back from a Launchpad on this machine (demo --serve): this machine",
			cfg:  Config{NoBrowser: true},
			want: []string{"This Launchpad (127.0.0.1:9) runs on this machine", "Against bcauth demo --serve, paste this start address into the demo's window", "/start/"},
			not:  []string{"on any machine"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := connecting(t, tc.cfg, cmpOr(tc.launchpad, "http://127.0.0.1:9"), 100, 30)
			screen := strings.Join(strings.Fields(screenText(m)), " ")
			for _, w := range tc.want {
				if !strings.Contains(screen, w) {
					t.Errorf("the screen lacks %q:\n%s", w, screenText(m))
				}
			}
			for _, n := range tc.not {
				if strings.Contains(screen, n) {
					t.Errorf("the screen says %q:\n%s", n, screenText(m))
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// A URL too long for the window is one line, indented as the text around
// it and shortened in the middle, never broken over two; the terminal gets
// the whole of it as a hyperlink (OSC 8).
func TestURLsAreNeverBroken(t *testing.T) {
	m := connecting(t, Config{}, "http://127.0.0.1:9", 60, 15)
	start := m.login.login.Start
	var line string
	for _, l := range strings.Split(screenText(m), "\n") {
		if strings.Contains(l, "http://127.0.0.1:") && strings.Contains(l, "/start/") {
			line = l
		}
	}
	if !strings.HasPrefix(line, " http://") || !strings.Contains(line, "…") || len([]rune(line)) > 60 {
		t.Errorf("the start address line is %q, want it indented, shortened, one line", line)
	}
	if !strings.Contains(m.View().Content, "\x1b]8;;"+start) {
		t.Error("the start address is no hyperlink to the whole URL")
	}
}
