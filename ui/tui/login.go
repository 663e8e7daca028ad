package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"bcauth/auth"
	"bcauth/ui/core"
)

// The connect and waiting screens: one login attempt, from its listener to
// the session it stores.

type loginState struct {
	attempt  int // counts every attempt, so a late answer is recognised
	login    *auth.Login
	listener *auth.Listener
	cancel   context.CancelFunc
	deadline time.Time
	note     string // why we are here, e.g. "Launchpad refused the stored login"
	browser  string // how opening the browser went
	// browserFailed says the browser could not be opened: say so, and how.
	browserFailed bool
	paste         textinput.Model
	pasteNote     string
	demoAt        time.Time
	// device is the BC5 device code on screen (no listener then), and qr
	// its address as a QR code, for a light and a dark background.
	device *auth.DeviceCode
	qr     [2][]string
	// ctx is the device poll's, which ends with the login; timeout is
	// --timeout when it ends the login before the code's own end.
	ctx     context.Context
	timeout time.Duration
	// serverNote says why this server, when discovery had a reason.
	serverNote string
}

func newLoginState() loginState {
	s := loginState{paste: textinput.New()}
	s.paste.Prompt = "› "
	s.paste.Placeholder = "the address your browser ended on" // set per login
	s.paste.CharLimit = 4096
	return s
}

// startLogin begins a new login attempt: a fresh state and listener.
func (m *Model) startLogin(note string) tea.Cmd {
	prev := m.login.listener
	m.endLogin()
	m.login.attempt++
	m.screen = screenConnect
	m.setStatus("", false) // the accounts screen's news is not this screen's
	m.login.note = note
	m.login.browser, m.login.pasteNote, m.login.browserFailed = "", "", false
	// An address pasted for an earlier login carries that login's state:
	// the new one starts with an empty field.
	m.login.paste.SetValue("")
	m.login.serverNote = ""
	if m.client == nil && m.settings.Client.BC5ClientID == "" {
		return load(m.cfg.Service)
	}
	return planLogin(m.cfg.Service, m.cfg.Scope, m.login.attempt, prev)
}

// endLogin abandons the login in progress, closing its listener.
func (m *Model) endLogin() {
	l := &m.login
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	// Cancelling ends Wait, which closes the listener and frees the port.
	l.login, l.listener, l.device = nil, nil, nil
	l.demoAt = time.Time{}
	l.attempt++
}

// close ends the login in progress once the program has stopped, and
// waits until its listener has let the port go. It does I/O, so it is
// never called from Update: Run calls it after the program.
func (m *Model) close() {
	ln := m.login.listener
	m.endLogin()
	if ln != nil {
		_ = ln.Close()
	}
	for _, l := range m.links {
		_ = l.Close()
	}
}

// current says whether a message belongs to the login on screen.
func (m *Model) current(attempt int) bool {
	return attempt == m.login.attempt && (m.login.login != nil || m.login.device != nil)
}

func (m *Model) loginReady(msg loginReadyMsg) tea.Cmd {
	if msg.attempt != m.login.attempt || m.screen != screenConnect {
		return closeListener(msg.listener)
	}
	m.adoptPlan(msg.client, msg.note)
	if msg.err != nil {
		return m.fail(msg.err, retryLogin)
	}
	l := &m.login
	l.login, l.listener = msg.login, msg.listener
	l.deadline = m.now().Add(m.cfg.Timeout)
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.Timeout)
	l.cancel = cancel
	cmds := []tea.Cmd{wait(ctx, m.cfg.Service, m.client, l.attempt, msg.listener), tick(l.attempt)}
	if m.cfg.NoBrowser {
		// What the browser will end on: this login's own redirect URI.
		l.paste.Placeholder = m.client.Config().RedirectURI + "?code=…&state=…"
		cmds = append(cmds, l.paste.Focus())
	}
	return tea.Batch(append(cmds, m.armDemo())...)
}

// armDemo starts the headless demo's countdown to approving by itself.
// The demo approves by itself only when nothing else can: with
// --no-browser the person rehearses the paste-back.
func (m *Model) armDemo() tea.Cmd {
	d := m.cfg.Demo
	if d == nil || !d.Headless || m.cfg.NoBrowser {
		return nil
	}
	l := &m.login
	l.demoAt = m.now().Add(d.After)
	attempt := l.attempt
	return tea.Tick(d.After, func(time.Time) tea.Msg { return demoApproveMsg{attempt} })
}

func (m *Model) ticked(msg tickMsg) tea.Cmd {
	if !m.current(msg.attempt) {
		return nil
	}
	if l := &m.login; l.device != nil && l.timeout > 0 && !m.now().Before(l.deadline) {
		// --timeout is up (the poll's own deadline ends it too): the
		// server is asked nothing more.
		after := l.timeout
		m.endLogin()
		return m.fail(&core.DeviceTimeoutError{After: after}, retryLogin)
	}
	return tick(msg.attempt)
}

func (m *Model) browserOpened(msg browserMsg) tea.Cmd {
	if msg.link != nil {
		// Whatever became of the login: the link holds its port until
		// the program ends (see close).
		m.links = append(m.links, msg.link)
	}
	if !m.current(msg.attempt) {
		return nil
	}
	if msg.err == nil {
		m.login.browser = "Opened your browser. Approve bcauth there."
		return nil
	}
	m.login.browser = core.Clean("Could not open a browser (" + msg.err.Error() + "). Open the address below by hand.")
	m.login.browserFailed = true
	if m.cfg.Demo != nil {
		return m.demoApprove()
	}
	return nil
}

func (m *Model) demoCue(msg demoApproveMsg) tea.Cmd {
	if !m.current(msg.attempt) || (m.screen != screenConnect && m.screen != screenWaiting) {
		return nil
	}
	if m.login.device != nil {
		return m.deviceCue()
	}
	return m.demoApprove()
}

func (m *Model) demoApprove() tea.Cmd {
	m.screen = screenWaiting
	m.login.demoAt = time.Time{}
	m.login.browser = "No browser here, so the demo approved on your behalf."
	m.login.browserFailed = false // the note says what happened instead
	return approve(m.cfg.Demo, m.login.attempt, m.login.login.Start)
}

func (m *Model) pasteFailed(msg pasteFailedMsg) tea.Cmd {
	if m.current(msg.attempt) {
		m.login.pasteNote = core.Sentence(core.Clean(msg.err.Error())) + " Paste again, or press esc to clear the field."
		// The next paste replaces this one rather than joining it.
		m.login.paste.SetValue("")
	}
	return nil
}

func (m *Model) loginDone(msg loginDoneMsg) tea.Cmd {
	if !m.current(msg.attempt) {
		return nil // a login that was abandoned or already finished
	}
	m.endLogin()
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return nil
		}
		return m.fail(msg.err, retryLogin)
	}
	m.login.note = ""
	m.accounts.tokens = nil // a new login: its own token, not the one it replaced
	m.loggedIn = core.Who(msg.session.Identity)
	if m.wantLogin {
		// bcauth login and setup end here, as gh auth login does: the
		// outcome says who logged in.
		return tea.Quit
	}
	m.showAccounts(msg.session)
	m.accounts.refreshed = time.Time{}
	m.setStatus("Logged in as "+core.Clean(msg.session.Identity.Name())+".", false)
	if msg.aside != "" {
		m.setStatus("Logged in. The unreadable state file was kept as "+core.Clean(msg.aside)+".", false)
	}
	return tea.Batch(loadOthers(m.cfg.Service, m.client), m.settleProbe())
}

// backToAccounts abandons the login for the accounts it was started from.
func (m *Model) backToAccounts() {
	m.endLogin()
	m.screen = screenAccounts
	m.setStatus("Login cancelled.", false)
}

func (m *Model) connectKey(msg tea.KeyPressMsg) tea.Cmd {
	l := &m.login
	switch {
	case l.device != nil:
		return m.deviceKey(msg)
	case l.login == nil:
		return m.quitKey(msg)
	case m.cfg.NoBrowser:
		return m.pasteKey(msg)
	case key.Matches(msg, m.keys.Enter) && m.demoWaits():
		return m.demoApprove()
	case key.Matches(msg, m.keys.Enter):
		m.screen = screenWaiting
		l.browser = "Opening your browser…"
		return openBrowser(m.cfg.OpenURL, l.attempt, l.login.Start)
	case key.Matches(msg, m.keys.CopyURL):
		return copyText(m.cfg, l.login.Start)
	case key.Matches(msg, m.keys.Back) && m.accounts.session != nil:
		// Came here from the accounts (switch, or a new login): go back.
		m.backToAccounts()
	case key.Matches(msg, m.keys.EditClient):
		return m.showSetup("")
	case key.Matches(msg, m.keys.Quit):
		m.endLogin()
		return tea.Quit
	}
	return nil
}

// pasteKey is the connect screen with no browser: a field for the address
// the browser ended on.
func (m *Model) pasteKey(msg tea.KeyPressMsg) tea.Cmd {
	l := &m.login
	empty := l.paste.Value() == ""
	switch {
	case key.Matches(msg, m.keys.CopyURL) && empty:
		// Over SSH this is how the URL reaches the local clipboard.
		return copyText(m.cfg, l.login.URL)
	case key.Matches(msg, m.keys.Back) && m.accounts.session != nil && empty:
		m.backToAccounts()
		return nil
	case key.Matches(msg, m.keys.Paste):
		text := l.paste.Value()
		if strings.TrimSpace(text) == "" {
			l.pasteNote = "Paste the address your browser ended on, then press enter."
			return nil
		}
		l.pasteNote = "Checking…"
		return paste(m.cfg.Service, m.client, l.login, l.attempt, text)
	case msg.String() == "esc":
		l.paste.SetValue("")
		l.pasteNote = ""
		return nil
	}
	return m.updateInputs(msg)
}

func (m *Model) waitingKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.screen = screenConnect
	case key.Matches(msg, m.keys.CopyURL) && m.login.login != nil:
		return copyText(m.cfg, m.login.login.Start)
	case key.Matches(msg, m.keys.Quit):
		m.endLogin()
		return tea.Quit
	}
	return nil
}
func (m *Model) countdown() string {
	left := m.login.deadline.Sub(m.now())
	if m.login.deadline.IsZero() {
		return ""
	}
	if left < 0 {
		left = 0
	}
	return fmt.Sprintf("%d:%02d left", int(left.Minutes()), int(left.Seconds())%60)
}
func (m *Model) viewConnect() string {
	s := m.styles
	// In a short window every blank line counts: drop them and the box.
	compact := m.short()
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Connect your Basecamp ID", m.countdown()) + "\n")
	if m.login.note != "" {
		b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Warn, m.login.note)) + "\n")
	}
	if m.login.device != nil {
		return m.viewDevice()
	}
	if m.login.login == nil {
		b.WriteString("\n" + s.App.Render(m.spinner.View()+" Preparing the login…"))
		return b.String()
	}
	host := launchpadHost(m.client)
	// Launchpad's own page shows no code: bcauth's page after approval
	// does, so the person can tell this terminal's login from another.
	// Pasting back, that page is the one that cannot load (unless it is
	// on this machine), so there is no code to compare.
	if !m.cfg.NoBrowser || m.cfg.Demo != nil || loopbackHost(host) {
		if compact {
			b.WriteString(s.App.Render(s.Muted.Render("Verification code ")+s.Code.Render(m.login.login.Code)) + "\n")
		} else {
			b.WriteString("\n" + s.App.Render(s.Muted.Render("Verification code: the page after you approve shows")) + "\n")
			b.WriteString(s.App.Render(m.codeBox(m.login.login.Code)) + "\n")
		}
	}
	if m.cfg.NoBrowser {
		how := "Open this address in a browser on any machine (" + s.Key.Render("c") + " copies it) and approve bcauth. The browser then ends on a page that cannot load (it points at " + m.client.Config().RedirectURI + " on this machine): that is expected. Paste that page's address here:"
		switch {
		case m.cfg.Demo != nil:
			how = "The demo's fake Launchpad runs on this machine: open this address in a browser here (" + s.Key.Render("c") + " copies it) and approve bcauth, then paste the address the browser ends on here (or, when the browser reaches bcauth itself, the login ends on its own):"
		case loopbackHost(host):
			how = "This Launchpad (" + host + ") runs on this machine: open this address in a browser here (" + s.Key.Render("c") + " copies it) and approve bcauth, then paste the address the browser ends on here (or, when the browser reaches bcauth itself, the login ends on its own):"
		}
		b.WriteString(s.App.Render(m.wrap(s.Text, how)) + "\n")
		b.WriteString(m.urlBlock(m.login.login.URL) + gap)
		b.WriteString(s.App.Render(m.login.paste.View()) + "\n")
		if m.cfg.Demo == nil && loopbackHost(host) {
			// bcauth demo --serve approves what is pasted into its
			// window: the way in with no browser at all.
			b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Muted, "No browser at all? Against bcauth demo --serve, paste this start address into the demo's window: it approves, and the login ends here by itself:")) + "\n")
			b.WriteString(m.urlBlock(m.login.login.Start) + "\n")
		}
		if m.login.pasteNote != "" {
			b.WriteString(s.App.Render(m.wrap(s.Warn, m.login.pasteNote)) + "\n")
		}
		if m.login.serverNote != "" {
			// Over SSH too: why Launchpad, when BC5 is there or
			// discovery fell back.
			b.WriteString(s.App.Render(m.wrap(s.Subtle, m.login.serverNote)) + "\n")
		}
		if m.accounts.status != "" {
			b.WriteString(m.statusLine())
		}
		return b.String()
	}
	if m.demoWaits() {
		secs := int(m.login.demoAt.Sub(m.now()).Seconds() + 0.999)
		b.WriteString(s.App.Render(m.wrap(s.Warn, fmt.Sprintf("No browser here: the demo approves on your behalf in %ds (enter: now). To try it in a browser, open this address (%s copies it):", secs, s.Key.Render("c")))) + "\n")
	} else {
		b.WriteString(s.App.Render(m.wrap(s.Text, "Press "+s.Key.Render("enter")+" to open this address in your browser ("+s.Key.Render("c")+" copies it):")) + "\n")
	}
	b.WriteString(m.urlBlock(m.login.login.Start) + gap)
	if m.login.browser != "" {
		b.WriteString(s.App.Render(m.wrap(m.browserNoteStyle(), m.login.browser)) + gap)
	}
	b.WriteString(s.App.Render(s.Subtle.Render("Listening on http://" + m.login.listener.Addr() + " for Launchpad's answer.")))
	if m.login.serverNote != "" {
		b.WriteString("\n" + s.App.Render(m.wrap(s.Subtle, m.login.serverNote)))
	}
	if m.accounts.status != "" {
		b.WriteString("\n" + m.statusLine())
	}
	return b.String()
}

// demoWaits says the headless demo is counting down to approving by
// itself, when enter approves at once rather than opening a browser.
func (m *Model) demoWaits() bool { return m.login.demoAt.After(m.now()) }

// loopbackHost says a host (with its port) is this machine, as the demo's
// Launchpad is.
func loopbackHost(host string) bool {
	h := host
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	h = strings.Trim(h, "[]")
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}
func (m *Model) browserNoteStyle() lipgloss.Style {
	if m.login.browserFailed {
		return m.styles.Warn
	}
	return m.styles.Muted
}
func launchpadHost(c *auth.Client) string {
	if c == nil {
		return "Launchpad"
	}
	u := c.Config().LaunchpadURL
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return u
}
func (m *Model) viewWaiting() string {
	s := m.styles
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Waiting for Launchpad", m.countdown()) + gap)
	noBrowser := m.login.browserFailed
	wait := "Waiting for you to approve bcauth in the browser…"
	if noBrowser {
		wait = "Waiting for your approval…"
	}
	b.WriteString(s.App.Render(m.spinner.View()+" "+wait) + gap)
	if m.login.login != nil {
		b.WriteString(s.App.Render(s.Muted.Render("After you approve, the browser shows this code: ")+s.Code.Render(m.login.login.Code)) + gap)
	}
	if m.login.browser != "" {
		b.WriteString(s.App.Render(m.wrap(m.browserNoteStyle(), m.login.browser)) + gap)
	}
	if m.login.login != nil {
		label := "If nothing opened, open this address in a browser here (" + s.Key.Render("c") + s.Muted.Render(" copies it):")
		if noBrowser {
			label = "Open this address in a browser here (" + s.Key.Render("c") + s.Muted.Render(" copies it):")
		}
		b.WriteString(s.App.Render(m.wrap(s.Muted, label)) + "\n")
		b.WriteString(m.urlBlock(m.login.login.Start) + "\n")
	}
	if m.accounts.status != "" {
		b.WriteString(gap[1:] + m.statusLine())
	}
	return b.String()
}
