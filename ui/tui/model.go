// Package ui is bcauth's user interface: the Bubble Tea program (one root
// model that owns the flow setup → connect → waiting → accounts, plus error)
// and the line-oriented commands for scripts. It reaches Launchpad and the
// disk only through Service, and only inside tea.Cmds.
package tui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/theme"
	"bcauth/ui"
)

// Config is everything the TUI needs from main.
type Config struct {
	Service *ui.Service
	// Timeout bounds one login attempt (5 minutes when zero).
	Timeout time.Duration
	// NoBrowser shows a paste field instead of opening a browser (SSH,
	// --no-browser).
	NoBrowser bool
	// ForceLogin starts at Connect even when a login is stored.
	ForceLogin bool
	// ForceSetup starts at Setup, the stored client settings filled in, so
	// a mistyped client ID or secret can be corrected.
	ForceSetup bool
	// OpenURL opens a URL in the person's browser; nil when none can be.
	OpenURL func(url string) error
	// CopyText puts text on the system clipboard; nil when there is none.
	// OSC 52 is always sent too.
	CopyText func(text string) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Demo, when set, runs against the built-in fake Launchpad.
	Demo *Demo
	// ProbeDelay is how long a selection rests before the detail pane asks
	// its product whether the token works there (400 ms when zero; never
	// when negative).
	ProbeDelay time.Duration
}

// Demo lets `bcauth demo` approve a login by itself when no browser can
// show the fake Launchpad's consent page.
type Demo struct {
	// Approve plays the browser: it approves authURL and follows the
	// redirect to the loopback callback.
	Approve func(ctx context.Context, authURL string) error
	// Headless means no browser can be opened here: approve after After.
	Headless bool
	After    time.Duration
}

type screen int

const (
	screenLoading screen = iota
	screenSetup
	screenConnect
	screenWaiting
	screenAccounts
	screenError
	screenLoggedOut
)

// Model is the root Bubble Tea model.
type Model struct {
	cfg    Config
	keys   keyMap
	styles theme.Styles
	paint  painters
	width  int
	height int

	screen screen
	client *auth.Client
	prober *auth.Prober // shared by every probe, so its rate limits hold

	// setup
	idInput, secretInput textinput.Model
	setupFocus           int
	setupNote            string

	// connect and waiting
	attempt       int
	login         *auth.Login
	listener      *auth.Listener
	cancelLogin   context.CancelFunc
	deadline      time.Time
	connectNote   string // why we are here, e.g. "Launchpad refused the stored login"
	browserNote   string
	browserFailed bool // the browser could not be opened: say so, and how
	pasteInput    textinput.Model
	pasteNote     string
	demoAt        time.Time

	// accounts
	session     *store.Session
	tokens      *auth.TokenSource // the session's one token source
	reloadGen   int
	others      []store.Session // every stored session of this client
	list        accountList
	filtering   bool
	filterInput textinput.Model
	loading     bool
	refreshed   time.Time
	status      string
	statusBad   bool
	confirm     bool // log out?
	picking     bool // switch Basecamp ID
	pick        int

	// reachability probes
	probes probeState

	// error
	problem problem
	retry   func(Model) (Model, tea.Cmd)

	// how the run ends, for the exit code
	wantLogin bool   // bcauth login: success means a login this run
	loggedIn  string // who logged in this run, "" if nobody
	loggedOut string // who was just logged out

	spinner  spinner.Model
	spinning bool // a chain of spinner ticks is running
	help     help.Model
}

// New returns the root model; call Init through tea.NewProgram.
func New(cfg Config) Model {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	m := Model{cfg: cfg, keys: newKeyMap(), width: 80, height: 24, help: help.New(), wantLogin: cfg.ForceLogin}
	m.spinner = spinner.New(spinner.WithSpinner(spinner.Dot))
	m.idInput = textinput.New()
	m.idInput.Prompt = "Client ID      "
	m.idInput.CharLimit = 200
	m.secretInput = textinput.New()
	m.secretInput.Prompt = "Client secret  "
	m.secretInput.EchoMode = textinput.EchoPassword
	m.secretInput.EchoCharacter = '•'
	m.secretInput.CharLimit = 200
	m.pasteInput = textinput.New()
	m.pasteInput.Prompt = "› "
	m.pasteInput.Placeholder = "http://127.0.0.1:8976/callback?code=…&state=…"
	m.pasteInput.CharLimit = 4096
	m.filterInput = textinput.New()
	m.filterInput.Prompt = "/ "
	m.filterInput.Placeholder = "name, id or product"
	m.filterInput.CharLimit = 200
	m.probes = newProbeState(0)
	m.applyStyles(true)
	return m
}

func (m Model) now() time.Time {
	if m.cfg.Now != nil {
		return m.cfg.Now()
	}
	return time.Now()
}

// applyStyles rebuilds every style for the background; bubbles components
// default to dark styles, so they are told too.
func (m *Model) applyStyles(isDark bool) {
	m.styles = theme.New(isDark)
	m.paint = newPainters(m.styles)
	m.help.Styles = m.styles.Help
	m.spinner.Style = m.styles.Accent
	for _, in := range []*textinput.Model{&m.idInput, &m.secretInput, &m.pasteInput, &m.filterInput} {
		st := textinput.DefaultStyles(isDark)
		st.Focused.Prompt = m.styles.InputPrompt
		st.Blurred.Prompt = m.styles.Muted
		in.SetStyles(st)
	}
}

// Init asks for the background colour and loads what is stored.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.load())
}

// Messages: every I/O result comes back as one of these.
type (
	loadedMsg struct {
		client  *auth.Client
		session *store.Session
		others  []store.Session
		err     error
	}
	clientSavedMsg struct {
		aside string
		err   error
	}
	loginReadyMsg struct {
		attempt  int
		login    *auth.Login
		listener *auth.Listener
		err      error
	}
	loginDoneMsg struct {
		attempt int
		session *store.Session
		aside   string
		err     error
	}
	pasteFailedMsg struct {
		attempt int
		err     error
	}
	browserMsg struct {
		attempt int
		err     error
	}
	demoApproveMsg struct{ attempt int }
	tickMsg        struct{ attempt int }
	reloadMsg      struct {
		key        string
		gen        int
		reload     *ui.Reload
		err        error
		background bool
	}
	copiedMsg struct {
		text   string
		sysErr error
	}
	openedMsg struct {
		url string
		err error
	}
	othersMsg struct {
		others []store.Session
		err    error
	}
	loggedOutMsg struct{ err error }
	switchedMsg  struct{ err error }
)

// Update reads like the flow: global keys and sizes first, then each
// screen's own messages.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.update(msg)
	nm := next.(Model)
	// The spinner ticks only while something on screen is waiting, so an
	// idle accounts screen costs no CPU.
	if !nm.spinning && nm.animating() {
		nm.spinning = true
		cmd = tea.Batch(cmd, nm.spinner.Tick)
	}
	return nm, cmd
}

// animating says whether a spinner is on screen.
func (m Model) animating() bool {
	switch {
	case m.screen == screenLoading, m.screen == screenWaiting:
		return true
	case m.screen == screenConnect && m.login == nil:
		return true
	case m.screen == screenAccounts:
		return m.loading || m.probes.running || len(m.probes.inFlight) > 0
	}
	return false
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		m.applyStyles(msg.IsDark())
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width - 2)
		m.layout()
		return m, nil
	case spinner.TickMsg:
		if !m.animating() {
			m.spinning = false // the chain of ticks ends here
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.ForceQuit) {
			m.endLogin()
			m.stopProbes()
			return m, tea.Quit
		}
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.updateInputs(msg)

	case loadedMsg:
		return m.loaded(msg)
	case clientSavedMsg:
		if msg.err != nil {
			m.setupNote = ui.Clean(msg.err.Error())
			return m, nil
		}
		m.setupNote = ""
		m.connectNote = "Saved the client settings in " + ui.Clean(m.cfg.Service.Store.Dir()) + "/config.json."
		if msg.aside != "" {
			m.connectNote += ui.Clean(" The unreadable old file was kept as " + msg.aside + ".")
		}
		// New client settings: a fresh login, whatever was stored.
		m.cfg.ForceLogin = true
		return m, m.load()
	case loginReadyMsg:
		return m.loginReady(msg)
	case tickMsg:
		if msg.attempt != m.attempt || m.login == nil {
			return m, nil
		}
		return m, m.tick()
	case browserMsg:
		if msg.attempt != m.attempt || m.login == nil {
			return m, nil
		}
		if msg.err != nil {
			m.browserNote = ui.Clean("Could not open a browser (" + msg.err.Error() + "). Open the address below by hand.")
			m.browserFailed = true
			if m.cfg.Demo != nil {
				return m.demoApprove()
			}
		} else {
			m.browserNote = "Opened your browser. Approve bcauth there."
		}
		return m, nil
	case demoApproveMsg:
		if msg.attempt != m.attempt || m.login == nil || (m.screen != screenConnect && m.screen != screenWaiting) {
			return m, nil
		}
		return m.demoApprove()
	case pasteFailedMsg:
		if msg.attempt == m.attempt && m.login != nil {
			m.pasteNote = ui.Clean(msg.err.Error()) + " Paste again, or press esc to clear the field."
			// The next paste replaces this one rather than joining it.
			m.pasteInput.SetValue("")
		}
		return m, nil
	case loginDoneMsg:
		if msg.attempt != m.attempt || m.login == nil {
			return m, nil // a login that was abandoned or already finished
		}
		m.endLogin()
		if msg.err != nil {
			if errors.Is(msg.err, context.Canceled) {
				return m, nil
			}
			return m.fail(msg.err, func(m Model) (Model, tea.Cmd) { return m.startLogin("") })
		}
		m.connectNote = ""
		m.tokens = nil // a new login: its own token, not the one it replaced
		m.loggedIn = ui.Who(msg.session.Identity)
		m.showAccounts(msg.session, nil)
		m.refreshed = time.Time{}
		m.setStatus("Logged in as "+ui.Clean(msg.session.Identity.Name())+".", false)
		if msg.aside != "" {
			m.setStatus("Logged in. The unreadable state file was kept as "+ui.Clean(msg.aside)+".", false)
		}
		return m, tea.Batch(m.loadOthers(), m.settleProbe())
	case reloadMsg:
		return m.reloaded(msg)
	case probeSettledMsg:
		r, ok := m.list.selected()
		if !ok || r.key != msg.key || m.screen != screenAccounts {
			return m, nil
		}
		if _, done := m.probes.results[r.key]; done || m.probes.inFlight[r.key] {
			return m, nil
		}
		m.probes.inFlight[r.key] = true
		return m, m.probeOne(r.acc)
	case probeMsg:
		return m.gotProbe(msg)
	case probeDoneMsg:
		return m.probesDone(msg)
	case othersMsg:
		if msg.err == nil {
			m.others = msg.others
		}
		return m, nil
	case copiedMsg:
		switch {
		case msg.sysErr != nil:
			m.setStatus("Copied "+msg.text+" (through the terminal, OSC 52; the system clipboard failed: "+ui.Clean(msg.sysErr.Error())+")", false)
		case m.cfg.CopyText != nil:
			m.setStatus("Copied "+msg.text+" to the clipboard.", false)
		default:
			m.setStatus("Copied "+msg.text+" (through the terminal, OSC 52).", false)
		}
		return m, nil
	case openedMsg:
		if msg.err != nil {
			m.setStatus("Could not open "+msg.url+": "+ui.Clean(msg.err.Error()), true)
		} else {
			m.setStatus("Opened "+msg.url+" in your browser.", false)
		}
		return m, nil
	case loggedOutMsg:
		if msg.err != nil {
			return m.fail(msg.err, func(m Model) (Model, tea.Cmd) { return m, m.load() })
		}
		who := ""
		if m.session != nil {
			who = ui.Who(m.session.Identity)
		}
		m.stopProbes()
		m.session, m.tokens = nil, nil
		m.screen, m.confirm, m.picking = screenLoading, false, false
		m.loggedOut = who
		return m, m.load()
	case switchedMsg:
		if msg.err != nil {
			m.setStatus("Could not switch: "+ui.Clean(msg.err.Error()), true)
			return m, nil
		}
		return m, m.load()
	}
	return m.updateInputs(msg)
}

// updateInputs passes other messages (cursor blinks, pastes) to the focused
// text field.
func (m Model) updateInputs(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch {
	case m.screen == screenSetup:
		if m.setupFocus == 0 {
			m.idInput, cmd = m.idInput.Update(msg)
		} else {
			m.secretInput, cmd = m.secretInput.Update(msg)
		}
	case m.screen == screenConnect && m.cfg.NoBrowser:
		m.pasteInput, cmd = m.pasteInput.Update(msg)
	case m.screen == screenAccounts && m.filtering:
		m.filterInput, cmd = m.filterInput.Update(msg)
		m.list.setFilter(m.filterInput.Value())
		m.layout()
	}
	return m, cmd
}

// setStatus sets the status line. It cleans what it is given, since a
// status often quotes a server's words or an href.
func (m *Model) setStatus(s string, bad bool) { m.status, m.statusBad = ui.Clean(s), bad }

// fail shows the error screen; retry is what enter does there.
func (m Model) fail(err error, retry func(Model) (Model, tea.Cmd)) (Model, tea.Cmd) {
	m.screen = screenError
	m.problem = describe(err)
	m.retry = retry
	return m, nil
}

// loaded decides the first screen from what is stored.
func (m Model) loaded(msg loadedMsg) (tea.Model, tea.Cmd) {
	if msg.client != m.client {
		// One prober per client: its per-host rate limits must hold
		// across every probe of the session, not per request.
		m.prober = nil
		if msg.client != nil {
			m.prober = m.cfg.Service.Prober(msg.client)
		}
	}
	m.client = msg.client
	switch {
	case m.cfg.ForceSetup || errors.Is(msg.err, auth.ErrNotConfigured):
		m.cfg.ForceSetup = false
		return m.setup("")
	case msg.err != nil && m.client == nil:
		// A configuration that does not validate, or an unreadable file:
		// setup lets the person enter it again.
		return m.setup(ui.Clean(msg.err.Error()))
	case m.cfg.ForceLogin:
		m.cfg.ForceLogin = false
		return m.startLogin(m.connectNote)
	case errors.Is(msg.err, ui.ErrNotLoggedIn) && m.loggedOut != "":
		// Just logged out: say so and wait, rather than start a login
		// (and bind a port) nobody asked for.
		m.screen = screenLoggedOut
		return m, nil
	case errors.Is(msg.err, ui.ErrNotLoggedIn) || errors.Is(msg.err, ui.ErrOtherClient):
		note := m.connectNote
		if errors.Is(msg.err, ui.ErrOtherClient) {
			note = "The stored login belongs to another client or Launchpad, so it is not used."
		}
		return m.startLogin(note)
	case msg.err != nil:
		return m.fail(msg.err, func(m Model) (Model, tea.Cmd) { return m.startLogin("") })
	}
	m.others = msg.others
	m.showAccounts(msg.session, nil)
	m.loading = true
	if msg.session.Authorization == nil {
		m.screen = screenLoading
	}
	reload := m.reload(msg.session, m.screen == screenAccounts)
	return m, tea.Batch(reload, m.settleProbe())
}

// setup shows the Setup screen, the stored client settings filled in.
func (m Model) setup(note string) (Model, tea.Cmd) {
	m.endLogin()
	m.screen = screenSetup
	m.setupNote = note
	m.setupFocus = 0
	if c, _, _ := m.cfg.Service.ClientConfig(); c.ClientID != "" || c.ClientSecret != "" {
		m.idInput.SetValue(c.ClientID)
		m.secretInput.SetValue(c.ClientSecret)
		m.idInput.CursorEnd()
		m.secretInput.CursorEnd()
	}
	m.secretInput.Blur()
	return m, m.idInput.Focus()
}

// Outcome is how the run ended, for main: the exit code and one line for
// stderr (empty when there is nothing to say). bcauth login succeeds only
// if a login completed; the app succeeds when it ends on the accounts.
func (m Model) Outcome() (int, string) {
	failed := func(what string) (int, string) {
		if m.screen == screenError {
			return 1, "bcauth: " + what + ": " + m.problem.Title
		}
		return 1, "bcauth: " + what + ": the login was not finished"
	}
	if m.wantLogin {
		if m.loggedIn != "" {
			return 0, "✓ Logged in as " + m.loggedIn
		}
		return failed("not logged in")
	}
	switch {
	case m.screen == screenAccounts && m.session != nil:
		return 0, ""
	case m.screen == screenLoggedOut:
		return 0, "Logged out of " + m.loggedOut + "."
	case m.screen == screenError:
		return 1, "bcauth: " + m.problem.Title
	case m.screen == screenSetup:
		return 1, "bcauth: not set up: no Launchpad client was saved"
	}
	return failed("not logged in")
}

// hasAccounts says whether there is an account list to go back to.
func (m Model) hasAccounts() bool {
	return m.session != nil && m.session.Authorization != nil
}

// showAccounts draws a session's accounts, keeping the selection.
func (m *Model) showAccounts(sess *store.Session, _ error) {
	keep := m.list.selectedKey()
	if m.session == nil || m.session.Key() != sess.Key() {
		keep = sess.LastAccount
		// Another Basecamp ID: another token, other answers.
		m.stopProbes()
		m.probes = newProbeState(m.probes.run)
		m.tokens = nil
	}
	if m.tokens == nil {
		m.tokens = m.cfg.Service.TokenSource(m.client, sess)
	}
	m.session = sess
	var accounts []auth.Account
	if sess.Authorization != nil {
		accounts = sess.Authorization.Accounts
	}
	filter := m.list.filter
	m.list = newAccountList(accounts)
	m.list.setFilter(filter)
	m.list.selectKey(keep)
	m.screen = screenAccounts
	m.layout()
}

func (m Model) reloaded(msg reloadMsg) (tea.Model, tea.Cmd) {
	if m.session == nil || msg.key != m.session.Key() || msg.gen != m.reloadGen {
		return m, nil // a reload overtaken by a logout, a switch or another reload
	}
	m.loading = false
	if msg.err != nil {
		if auth.NeedsLogin(msg.err) || errors.Is(msg.err, store.ErrNoSession) {
			p := describe(msg.err)
			note := "Launchpad refused the stored login"
			if p.Server != "" {
				note += ": “" + p.Server + "”"
			}
			return m.startLogin(note + ". Log in again.")
		}
		if msg.background && m.screen == screenAccounts {
			p := describe(msg.err)
			text := p.Title
			if p.Server != "" {
				text += " “" + p.Server + "”"
			}
			m.setStatus(text+" Showing the accounts saved "+ui.Ago(m.session.FetchedAt, m.now())+"; r to retry.", true)
			return m, nil
		}
		sess := m.session
		return m.fail(msg.err, func(m Model) (Model, tea.Cmd) {
			m.screen, m.loading = screenLoading, true
			cmd := m.reload(sess, false)
			return m, cmd
		})
	}
	m.showAccounts(msg.reload.Session, nil)
	if msg.reload.Refreshed {
		m.refreshed = m.now()
	}
	switch {
	case msg.reload.Unsaved != nil:
		m.setStatus("The token was refreshed but could not be saved ("+msg.reload.Unsaved.Error()+"): the next start may ask you to log in.", true)
	case !msg.background:
		m.setStatus("Reloaded from Launchpad.", false)
	}
	return m, nil
}

// startLogin begins a new login attempt: a fresh state and listener.
func (m Model) startLogin(note string) (Model, tea.Cmd) {
	prev := m.listener
	m.endLogin()
	m.attempt++
	m.screen = screenConnect
	m.connectNote = note
	m.browserNote, m.pasteNote, m.browserFailed = "", "", false
	m.login, m.listener = nil, nil
	if m.client == nil {
		return m, m.load()
	}
	return m, m.newLogin(m.attempt, prev)
}

func (m Model) loginReady(msg loginReadyMsg) (tea.Model, tea.Cmd) {
	if msg.attempt != m.attempt || m.screen != screenConnect {
		return m, closeListener(msg.listener)
	}
	if msg.err != nil {
		return m.fail(msg.err, func(m Model) (Model, tea.Cmd) { return m.startLogin("") })
	}
	m.login, m.listener = msg.login, msg.listener
	m.deadline = m.now().Add(m.cfg.Timeout)
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.Timeout)
	m.cancelLogin = cancel
	cmds := []tea.Cmd{m.wait(ctx, m.attempt, msg.listener), m.tick()}
	if m.cfg.NoBrowser {
		cmds = append(cmds, m.pasteInput.Focus())
	}
	if d := m.cfg.Demo; d != nil && d.Headless {
		after := d.After
		m.demoAt = m.now().Add(after)
		attempt := m.attempt
		cmds = append(cmds, tea.Tick(after, func(time.Time) tea.Msg { return demoApproveMsg{attempt} }))
	}
	return m, tea.Batch(cmds...)
}

// endLogin abandons the login in progress, closing its listener.
func (m *Model) endLogin() {
	if m.cancelLogin != nil {
		m.cancelLogin()
		m.cancelLogin = nil
	}
	// Cancelling ends Wait, which closes the listener and frees the port.
	m.login, m.listener = nil, nil
	m.demoAt = time.Time{}
	m.attempt++
}

func (m Model) demoApprove() (Model, tea.Cmd) {
	m.screen = screenWaiting
	m.demoAt = time.Time{}
	m.browserNote = "No browser here, so the demo approved on your behalf."
	m.browserFailed = false // the note says what happened instead
	return m, m.approve(m.attempt, m.login.URL)
}

// layout sizes what depends on the window.
func (m *Model) layout() {
	w := max(m.width-4, 10)
	m.idInput.SetWidth(w - 16)
	m.secretInput.SetWidth(w - 16)
	m.pasteInput.SetWidth(w - 4)
	m.filterInput.SetWidth(max(w-20, 10))
	m.list.scroll(m.listHeight())
}
