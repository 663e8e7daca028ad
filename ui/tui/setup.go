package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/ui/core"
)

// The setup screen: the client ID and secret of the person's own Launchpad
// integration.

type setupState struct {
	id, secret textinput.Model
	focus      int // 0 the id, 1 the secret
	note       string
	// back is the screen setup was opened from, which esc returns to;
	// screenSetup when there is none (nothing is set up yet, or bcauth
	// setup): esc then quits.
	back screen
}

func newSetupState() setupState {
	s := setupState{id: textinput.New(), secret: textinput.New()}
	s.id.Prompt = "Client ID      "
	s.id.CharLimit = 200
	s.secret.Prompt = "Client secret  "
	s.secret.EchoMode = textinput.EchoPassword
	s.secret.EchoCharacter = '•'
	s.secret.CharLimit = 200
	return s
}

// update passes a message to the focused field.
func (s *setupState) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if s.focus == 0 {
		s.id, cmd = s.id.Update(msg)
	} else {
		s.secret, cmd = s.secret.Update(msg)
	}
	return cmd
}

// focusOn moves the focus to field i.
func (s *setupState) focusOn(i int) tea.Cmd {
	s.focus = i
	if i == 0 {
		s.secret.Blur()
		return s.id.Focus()
	}
	s.id.Blur()
	return s.secret.Focus()
}

// showSetup shows the setup screen, the stored client settings (as the
// last load read them) filled in.
func (m *Model) showSetup(note string) tea.Cmd {
	m.setup.back = screenSetup
	if m.screen == screenConnect || m.screen == screenError {
		m.setup.back = m.screen
	}
	if m.setup.back != screenConnect {
		m.endLogin()
	}
	m.screen = screenSetup
	m.setup.note = note
	if c := m.settings.Client; c.ClientID != "" || c.ClientSecret != "" {
		m.setup.id.SetValue(c.ClientID)
		m.setup.secret.SetValue(c.ClientSecret)
		m.setup.id.CursorEnd()
		m.setup.secret.CursorEnd()
	}
	return m.setup.focusOn(0)
}

func (m *Model) setupKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &m.setup
	switch {
	case key.Matches(msg, m.keys.Tab), msg.String() == "down", msg.String() == "up":
		return s.focusOn(1 - s.focus)
	case key.Matches(msg, m.keys.Enter):
		id, secret := strings.TrimSpace(s.id.Value()), strings.TrimSpace(s.secret.Value())
		if id == "" {
			// Moving on would put what is typed next into the masked
			// secret: exactly how a mistyped secret happens.
			s.note = "Enter the client ID first."
			return s.focusOn(0)
		}
		if s.focus == 0 {
			s.note = ""
			return s.focusOn(1)
		}
		if secret == "" {
			s.note = "Enter the client secret."
			return nil
		}
		s.note = "Saving…"
		return saveClient(m.cfg.Service, id, secret)
	case key.Matches(msg, m.keys.Back):
		if s.back == screenSetup {
			return tea.Quit
		}
		// Back where setup was opened from, the settings unchanged.
		s.note = ""
		m.screen = s.back
		if s.back == screenConnect && m.login.login != nil && !m.demoWaits() {
			// The demo's countdown ran out on the setup screen, where it
			// approves nothing: it starts again here.
			return m.armDemo()
		}
		return nil
	}
	// Typing answers "enter the client ID first" (or the secret): the
	// note would stop being true. A saving or failure note stays.
	if s.note == "Enter the client ID first." || s.note == "Enter the client secret." {
		s.note = ""
	}
	return m.updateInputs(msg)
}

func (m *Model) clientSaved(msg clientSavedMsg) tea.Cmd {
	if msg.err != nil {
		m.setup.note = core.Clean(msg.err.Error())
		return nil
	}
	m.setup.note = ""
	m.login.note = "Saved the client settings in " + core.Clean(m.settings.ConfigFile()) + "."
	if msg.aside != "" {
		m.login.note += core.Clean(" The unreadable old file was kept as " + msg.aside + ".")
	}
	// New client settings: a fresh login, whatever was stored.
	m.start = StartLogin
	return load(m.cfg.Service)
}

func (m *Model) viewSetup() string {
	s := m.styles
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Set up", "") + gap)
	intro := "bcauth needs a Launchpad integration of your own. Register one at " +
		s.URL.Render(m.settings.IntegrationsURL()) + " with this redirect URI:"
	b.WriteString(s.App.Render(m.wrap(s.Text, intro)) + "\n")
	b.WriteString(s.App.Render("  "+s.Accent.Render(m.settings.RedirectURI())) + gap)
	b.WriteString(s.App.Render(s.Text.Render("Then enter its client ID and secret:")) + "\n")
	b.WriteString(s.App.Render(m.setup.id.View()) + "\n")
	b.WriteString(s.App.Render(m.setup.secret.View()) + "\n")
	if m.setup.note != "" {
		b.WriteString(s.App.Render(m.wrap(s.Warn, m.setup.note)) + "\n")
	}
	b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Muted, "They are saved in "+m.settings.Dir+" (mode 0600). Or set "+auth.SettingClientID+" and "+auth.SettingClientSecret+" instead.")))
	return b.String()
}
