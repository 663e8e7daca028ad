package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// The Basecamp ID picker, on its own (bcauth switch) and in the app (s),
// against two real logins at the fake: Annie, then Ben, who is current.

func twoIDs(t *testing.T) *uitest.Env {
	t.Helper()
	e := uitest.New(t, launchpadtest.Options{})
	e.LogIn(t)
	e.LogInSecond(t)
	return e
}

func TestPickIDProgram(t *testing.T) {
	e := twoIDs(t)
	choices, err := e.Svc.IDs()
	if err != nil || len(choices) != 2 {
		t.Fatalf("IDs: %v, %v", choices, err)
	}
	for _, tc := range []struct {
		name  string
		keys  []tea.KeyPressMsg
		want  int
		shown string
	}{
		{"up from the current one, enter", []tea.KeyPressMsg{{Code: tea.KeyUp}, {Code: tea.KeyEnter}}, 0, "Ben Ortiz <ben@example.com> (8888888) (current)"},
		{"j at the bottom stays, enter", []tea.KeyPressMsg{{Code: 'j', Text: "j"}, {Code: tea.KeyEnter}}, 1, "Annie Bryan <annie@example.com> (9999999)"},
		{"enter keeps the current one", []tea.KeyPressMsg{{Code: tea.KeyEnter}}, 1, "↑/↓ move · enter switch · esc cancel"},
		{"esc leaves", []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyEscape}}, -1, "Switch Basecamp ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The output is read as it is written, so the terminal is
			// pinned: the renderer writes other sequences for other
			// terminals (tmux's and kitty's TERM cut the text with
			// cursor moves).
			tm := teatest.NewTestModel(t, newPickModel(choices),
				teatest.WithInitialTermSize(80, 10),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256), tea.WithWindowSize(80, 10),
					tea.WithEnvironment([]string{"TERM=xterm-256color"})))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(ansi.Strip(string(b)), tc.shown) },
				teatest.WithDuration(10*time.Second))
			for _, k := range tc.keys {
				tm.Send(k)
			}
			m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*pickModel)
			if m.chosen != tc.want {
				t.Errorf("chose %d, want %d", m.chosen, tc.want)
			}
		})
	}
}

// appOn is the app after its first load, with id as Config.ID.
func appOn(t *testing.T, e *uitest.Env, id string) *Model {
	t.Helper()
	m := New(Config{Service: e.Svc, ProbeDelay: -1, ID: id})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(loadID(e.Svc, m.id)())
	if m.screen != screenAccounts {
		t.Fatalf("screen %d, want the accounts", m.screen)
	}
	return m
}

func screenText(m *Model) string { return ansi.Strip(m.View().Content) }

func TestAppSwitchesWithTheSamePickerAndSaysWhichIDIsOnScreen(t *testing.T) {
	e := twoIDs(t)
	m := appOn(t, e, "")
	if s := screenText(m); !strings.Contains(s, "Ben Ortiz") || !strings.Contains(s, "ID 2 of 2 (s switches)") || !strings.Contains(s, "Ortiz Family Projects") {
		t.Fatalf("the accounts screen does not say Ben is the second of two IDs:\n%s", s)
	}
	m.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	s := screenText(m)
	for _, want := range []string{"Switch Basecamp ID", "Annie Bryan <annie@example.com> (9999999)", "▌ Ben Ortiz <ben@example.com> (8888888) (on screen)", "+ Log in with another Basecamp ID"} {
		if !strings.Contains(s, want) {
			t.Errorf("the picker lacks %q:\n%s", want, s)
		}
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter on Annie did nothing")
	}
	msg := cmd()
	if _, ok := msg.(switchedMsg); !ok {
		t.Fatalf("enter on Annie: %T, want a switch", msg)
	}
	_, cmd = m.Update(msg)
	m.Update(cmd()) // the load that follows
	if s := screenText(m); !strings.Contains(s, "Annie Bryan") || !strings.Contains(s, "ID 1 of 2") || !strings.Contains(s, "Wayne Enterprises") {
		t.Errorf("after switching, the screen:\n%s", s)
	}
	// The app switched the stored current one, as bcauth switch does.
	if cur := e.Current(t); cur.Identity.ID != 9999999 {
		t.Errorf("current is %d after switching in the app", cur.Identity.ID)
	}
}

func TestAppOpensOnIDWithoutSwitching(t *testing.T) {
	e := twoIDs(t)
	m := appOn(t, e, "annie@example.com")
	if s := screenText(m); !strings.Contains(s, "Annie Bryan") || !strings.Contains(s, "ID 1 of 2") {
		t.Errorf("--id annie: the screen:\n%s", s)
	}
	if cur := e.Current(t); cur.Identity.ID != 8888888 {
		t.Errorf("--id made %d current", cur.Identity.ID)
	}
	// A query that matches both is an error screen that lists them.
	m = New(Config{Service: e.Svc, ProbeDelay: -1, ID: "example.com"})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(loadID(e.Svc, m.id)())
	if s := screenText(m); m.screen != screenError || !strings.Contains(s, "matches 2 Basecamp IDs") {
		t.Errorf("--id example.com: screen %d\n%s", m.screen, s)
	}
}

// TestPickerNeverWrapsOntoLoggingIn: up from the top entry stays there;
// it used to wrap round to "+ Log in with another Basecamp ID", where
// enter starts a login.
func TestPickerNeverWrapsOntoLoggingIn(t *testing.T) {
	annie := core.IDChoice{Session: store.Session{Identity: auth.Identity{ID: 1, FirstName: "Annie"}}, Current: true}
	ben := core.IDChoice{Session: store.Session{Identity: auth.Identity{ID: 2, FirstName: "Ben"}}}
	p := newPicker([]core.IDChoice{annie, ben}, "on screen", true)
	keys := newKeyMap()
	p.key(keys, tea.KeyPressMsg{Code: tea.KeyUp})
	if chosen, _ := p.key(keys, tea.KeyPressMsg{Code: tea.KeyEnter}); chosen != 0 {
		t.Errorf("up then enter from the top chose %d, want 0 (Annie)", chosen)
	}
	for range 5 {
		p.key(keys, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if p.cursor != 2 {
		t.Errorf("down past the end: cursor %d, want 2 (log in with another)", p.cursor)
	}
}
