package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// The setup screen: the client of the server a new login would use, and
// nothing else. Launchpad's is an integration with an ID and a secret;
// BC5's is public, an ID alone. Discovery (a command, so a moment after
// the screen is shown) says which server that is; until it answers, and
// whenever it says Launchpad, the screen asks for Launchpad's, as it
// always did.

type setupState struct {
	id, secret textinput.Model
	focus      int // 0 the id, 1 the secret
	// bc5ID is the BC5 client ID, asked for instead of both when bc5.
	bc5ID textinput.Model
	bc5   bool
	note  string
	// back is the screen setup was opened from, which esc returns to;
	// screenSetup when there is none (nothing is set up yet, or bcauth
	// setup): esc then quits.
	back screen

	// What discovery said, for this showing (gen) of the screen.
	gen    int
	asking bool
	issuer string // the BC5 issuer the API host offers; "" when none
	why    string // why not BC5, when discovery said so (or failed)
	// shown is what the fields held when the screen was shown: once the
	// person has typed, discovery's answer no longer swaps the form.
	shown [3]string
}

func newSetupState() setupState {
	s := setupState{id: textinput.New(), secret: textinput.New(), bc5ID: textinput.New()}
	s.id.Prompt = "Client ID      "
	s.id.CharLimit = 200
	s.secret.Prompt = "Client secret  "
	s.secret.EchoMode = textinput.EchoPassword
	s.secret.EchoCharacter = '•'
	s.secret.CharLimit = 200
	s.bc5ID.Prompt = "BC5 client ID  "
	s.bc5ID.CharLimit = 200
	return s
}

// fields is what the fields hold now.
func (s *setupState) fields() [3]string {
	return [3]string{s.id.Value(), s.secret.Value(), s.bc5ID.Value()}
}

// update passes a message to the focused field.
func (s *setupState) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case s.bc5:
		s.bc5ID, cmd = s.bc5ID.Update(msg)
	case s.focus == 0:
		s.id, cmd = s.id.Update(msg)
	default:
		s.secret, cmd = s.secret.Update(msg)
	}
	return cmd
}

// focusOn moves the focus to Launchpad's field i.
func (s *setupState) focusOn(i int) tea.Cmd {
	s.focus = i
	s.bc5ID.Blur()
	if i == 0 {
		s.secret.Blur()
		return s.id.Focus()
	}
	s.id.Blur()
	return s.secret.Focus()
}

// askFor shows BC5's form (a client ID alone) or Launchpad's.
func (s *setupState) askFor(bc5 bool) tea.Cmd {
	s.bc5 = bc5
	if !bc5 {
		return s.focusOn(0)
	}
	s.id.Blur()
	s.secret.Blur()
	return s.bc5ID.Focus()
}

// showSetup shows the setup screen, the stored client settings (as the
// last load read them) filled in, and asks discovery which server's
// client it is to be.
func (m *Model) showSetup(note string) tea.Cmd {
	m.setup.back = screenSetup
	if m.screen == screenConnect || m.screen == screenError {
		m.setup.back = m.screen
	}
	if m.setup.back != screenConnect {
		m.endLogin()
	}
	m.screen = screenSetup
	s := &m.setup
	s.note = note
	c := m.settings.Client
	if c.ClientID != "" || c.ClientSecret != "" {
		s.id.SetValue(c.ClientID)
		s.secret.SetValue(c.ClientSecret)
		s.id.CursorEnd()
		s.secret.CursorEnd()
	}
	if c.BC5ClientID != "" {
		s.bc5ID.SetValue(c.BC5ClientID)
		s.bc5ID.CursorEnd()
	}
	s.shown = s.fields()
	s.gen++
	s.asking, s.issuer, s.why = true, "", ""
	// A BC5 client alone was set up for BC5: its form, until discovery
	// says otherwise.
	return tea.Batch(s.askFor(c.BC5ClientID != "" && c.ClientID == ""), setupServer(m.cfg.Service, s.gen))
}

// setupAnswered takes discovery's answer: the form the chosen server
// needs, unless the person has typed meanwhile (then ctrl+o offers it).
// The chosen server is BC5 when it is offered and either a BC5 client is
// set or no Launchpad client is: a Launchpad client with no BC5 one still
// logs in through Launchpad, so its form stays, BC5 offered on ctrl+o.
func (m *Model) setupAnswered(msg setupServerMsg) tea.Cmd {
	s := &m.setup
	if msg.gen != s.gen || m.screen != screenSetup {
		return nil
	}
	s.asking = false
	switch {
	case msg.err != nil:
		s.why = "Could not ask which sign-in Basecamp offers (" + core.Clean(msg.err.Error()) + ")."
	case msg.server.IsBC5():
		s.issuer = core.Clean(msg.server.Issuer)
	case s.bc5 || s.shown[2] != "":
		// A BC5 client is set, and BC5 is not offered: Launchpad's
		// client is what logs in meanwhile.
		s.why = "Basecamp's newer sign-in (BC5) is not offered here yet (" + core.Clean(msg.server.Note) + "), so a Launchpad client is needed meanwhile."
	}
	if s.fields() != s.shown {
		return nil
	}
	c := m.settings.Client
	if bc5 := s.issuer != "" && (c.BC5ClientID != "" || c.ClientID == ""); bc5 != s.bc5 {
		return s.askFor(bc5)
	}
	return nil
}

// canSwitch says ctrl+o switches the form: back to Launchpad's from
// BC5's, or to BC5's when BC5 is offered.
func (m *Model) canSwitch() bool { return m.setup.bc5 || m.setup.issuer != "" }

func (m *Model) setupKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &m.setup
	switch {
	case key.Matches(msg, m.keys.OtherClient) && m.canSwitch():
		s.note = ""
		return s.askFor(!s.bc5)
	case s.bc5 && key.Matches(msg, m.keys.Enter):
		id := strings.TrimSpace(s.bc5ID.Value())
		if id == "" {
			s.note = "Enter the BC5 client ID."
			return nil
		}
		s.note = "Saving…"
		return saveBC5Client(m.cfg.Service, id)
	case s.bc5 && key.Matches(msg, m.keys.Tab):
		return nil // one field
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
	switch s.note {
	case "Enter the client ID first.", "Enter the client secret.", "Enter the BC5 client ID.":
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
	if m.setup.bc5 {
		return m.viewSetupBC5()
	}
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
	saved := "They are saved in " + m.settings.Dir + " (mode 0600). Or set " + auth.SettingClientID + " and " + auth.SettingClientSecret + " instead."
	if src := m.settings.Sources; src.ClientID == store.SourceEnv || src.ClientSecret == store.SourceEnv {
		// Saving would change nothing the login uses: say so, rather
		// than go round in circles.
		saved = "They are saved in " + m.settings.Dir + " (mode 0600), but " + auth.SettingClientID + " or " + auth.SettingClientSecret + " is set in the environment and wins over what is saved: unset it (or correct it there) for these to be used."
	}
	b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Muted, saved)))
	b.WriteString(m.setupServerLines())
	return b.String()
}

// viewSetupBC5 asks for a BC5 client: public, so its ID alone.
func (m *Model) viewSetupBC5() string {
	s := m.styles
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Set up", "") + gap)
	intro := "Basecamp offers its newer sign-in (BC5) here. bcauth needs a BC5 client of your own, registered with Basecamp: a public client, so its ID and no secret."
	if m.setup.issuer != "" {
		intro = "Basecamp offers its newer sign-in (BC5) at " + s.URL.Render(m.setup.issuer) + ". bcauth needs a BC5 client of your own, registered there: a public client, so its ID and no secret."
	}
	b.WriteString(s.App.Render(m.wrap(s.Text, intro)) + gap)
	b.WriteString(s.App.Render(s.Text.Render("Enter its client ID:")) + "\n")
	b.WriteString(s.App.Render(m.setup.bc5ID.View()) + "\n")
	if m.setup.note != "" {
		b.WriteString(s.App.Render(m.wrap(s.Warn, m.setup.note)) + "\n")
	}
	saved := "It is saved in " + m.settings.Dir + ". Or set " + auth.SettingBC5ClientID + " instead."
	if m.settings.Sources.BC5ClientID == store.SourceEnv {
		saved = "It is saved in " + m.settings.Dir + ", but " + auth.SettingBC5ClientID + " is set in the environment and wins over what is saved: unset it (or correct it there) for this one to be used."
	}
	b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Warn, saved)))
	b.WriteString(m.setupServerLines())
	return b.String()
}

// setupServerLines say what discovery found, or that it is asking, and
// what ctrl+o does.
func (m *Model) setupServerLines() string {
	st, s := m.styles, &m.setup
	var lines []string
	switch {
	case s.asking:
		lines = append(lines, m.wrap(st.Muted, "Asking "+core.Clean(m.settings.BaseURL())+" which sign-in Basecamp offers…"))
	case s.why != "":
		lines = append(lines, m.wrap(st.Muted, s.why))
	}
	switch {
	case s.bc5:
		lines = append(lines, m.wrap(st.Muted, "No BC5 client? "+st.Key.Render("ctrl+o")+" enters a Launchpad integration's ID and secret instead."))
	case s.issuer != "":
		lines = append(lines, m.wrap(st.Muted, "Basecamp's newer sign-in (BC5) is offered too: "+st.Key.Render("ctrl+o")+" enters a BC5 client ID instead."))
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + st.App.Render(strings.Join(lines, "\n"))
}
