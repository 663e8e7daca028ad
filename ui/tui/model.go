// Package tui is bcauth's app: one root Bubble Tea model that owns the flow
// setup → connect → waiting → accounts, plus the error and logged-out
// screens. Each screen's file holds its keys, its transitions and its pure
// render; the model reaches Launchpad and the disk only through Backend,
// and only inside the tea.Cmds of cmds.go.
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
	"bcauth/auth/probe"
	"bcauth/theme"
	"bcauth/ui/core"
)

// Config is everything the app needs from main.
type Config struct {
	Service Backend
	// Start is the first screen asked for (StartApp decides by what is
	// stored).
	Start Start
	// Timeout bounds one login attempt: when zero, 5 minutes for a
	// browser login and, for a device-code login, the code's own
	// lifetime, at most auth.MaxLoginTimeout.
	Timeout time.Duration
	// timeoutDefault says Timeout was not given.
	timeoutDefault bool
	// NoBrowser shows a paste field instead of opening a browser (SSH,
	// --no-browser); a device-code login needs no paste and looks the same.
	NoBrowser bool
	// Scope is what a BC5 login asks for: "read" or "full" ("full" when
	// empty). Launchpad has no scopes.
	Scope string
	// OpenURL opens a URL in the person's browser; nil when none can be.
	OpenURL func(url string) error
	// CopyText puts text on the system clipboard; nil when there is none.
	// OSC 52 is always sent too.
	CopyText func(text string) error
	// TmuxCopy hands text to the tmux bcauth runs in (core.TmuxCopy); nil
	// outside tmux.
	TmuxCopy func(text string) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Demo, when set, runs against the built-in fake Launchpad.
	Demo *Demo
	// ID, when set, opens on the stored Basecamp ID it names (a Launchpad
	// id or email; --id, BCAUTH_ID) rather than the current one, without
	// making it current.
	ID string
	// ProbeDelay is how long a selection rests before the detail pane asks
	// its product whether the token works there (400 ms when zero; never
	// when negative).
	ProbeDelay time.Duration
}

// Start is where the app begins.
type Start int

const (
	// StartApp shows the accounts when logged in, else setup or connect.
	StartApp Start = iota
	// StartLogin logs in even when a login is stored (bcauth login); the
	// run ends when the login does, and succeeds only if it completed.
	StartLogin
	// StartSetup shows setup with the stored client settings filled in,
	// so a mistyped client ID or secret can be corrected, then logs in as
	// StartLogin does (bcauth setup).
	StartSetup
)

// Demo lets `bcauth demo` approve a login by itself when no browser can
// show the fake Launchpad's consent page.
type Demo struct {
	// Approve plays the browser: it approves authURL and follows the
	// redirect to the loopback callback.
	Approve func(ctx context.Context, authURL string) error
	// ApproveCode plays the person at the fake BC5's device page: it
	// enters userCode and approves.
	ApproveCode func(ctx context.Context, userCode string) error
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

	screen   screen
	start    Start         // consumed by the first load
	id       string        // Config.ID, until a load has shown it
	settings core.Settings // as the last load read them
	client   *auth.Client
	prober   *probe.Prober // shared by every probe, so its rate limits hold

	setup    setupState
	login    loginState
	accounts accountsState
	probes   probeState
	problem  problemState

	// how the run ends, for the exit code
	wantLogin bool   // bcauth login or setup: success means a login this run
	loggedIn  string // who logged in this run, "" if nobody
	loggedOut string // who was just logged out
	// revocation is what the server of the login just logged out said.
	revocation *core.Revocation
	// links are the device links browsers were handed, closed when the
	// program ends (close), not with their logins.
	links []*auth.DeviceLink

	spinner  spinner.Model
	spinning bool // a chain of spinner ticks is running
	help     help.Model
}

// New returns the root model; run it with Run or tea.NewProgram.
func New(cfg Config) *Model {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
		cfg.timeoutDefault = true
	}
	if cfg.Scope == "" {
		cfg.Scope = auth.ScopeFull
	}
	m := &Model{cfg: cfg, keys: newKeyMap(), width: 80, height: 24, help: help.New(),
		start: cfg.Start, id: cfg.ID, wantLogin: cfg.Start != StartApp}
	m.spinner = spinner.New(spinner.WithSpinner(spinner.Dot))
	m.setup = newSetupState()
	m.login = newLoginState()
	m.accounts = newAccountsState()
	m.probes = newProbeState(0)
	m.applyStyles(true)
	return m
}

func (m *Model) now() time.Time {
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
	for _, in := range []*textinput.Model{&m.setup.id, &m.setup.secret, &m.setup.bc5ID, &m.login.paste, &m.accounts.filter} {
		st := textinput.DefaultStyles(isDark)
		st.Focused.Prompt = m.styles.InputPrompt
		st.Blurred.Prompt = m.styles.Muted
		in.SetStyles(st)
	}
}

// Init asks for the background colour and loads what is stored.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, loadID(m.cfg.Service, m.id))
}

// Update reads like the flow: the terminal, then each phase's messages,
// each handed to the screen that owns it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	// The spinner ticks only while something on screen is waiting, so an
	// idle accounts screen costs no CPU.
	if !m.spinning && m.animating() {
		m.spinning = true
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	// the terminal
	case tea.BackgroundColorMsg:
		m.applyStyles(msg.IsDark())
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case spinner.TickMsg:
		return m.spin(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		return m.updateInputs(msg)

	// what is stored, and setup
	case loadedMsg:
		return m.loaded(msg)
	case setupServerMsg:
		return m.setupAnswered(msg)
	case clientSavedMsg:
		return m.clientSaved(msg)

	// logging in
	case loginReadyMsg:
		return m.loginReady(msg)
	case deviceReadyMsg:
		return m.deviceReady(msg)
	case tickMsg:
		return m.ticked(msg)
	case browserMsg:
		return m.browserOpened(msg)
	case demoApproveMsg:
		return m.demoCue(msg)
	case pasteFailedMsg:
		return m.pasteFailed(msg)
	case loginDoneMsg:
		return m.loginDone(msg)

	// the accounts
	case reloadMsg:
		return m.reloaded(msg)
	case othersMsg:
		m.othersLoaded(msg)
	case copiedMsg:
		m.copied(msg)
	case openedMsg:
		m.opened(msg)
	case loggedOutMsg:
		return m.loggedOutDone(msg)
	case switchedMsg:
		return m.switched(msg)

	// probes
	case probeSettledMsg:
		return m.probeSettled(msg)
	case probeMsg:
		return m.gotProbe(msg)
	case probeDoneMsg:
		m.probesDone(msg)

	default:
		return m.updateInputs(msg)
	}
	return nil
}

// key routes a key press to the screen that has focus.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		m.endLogin()
		m.stopProbes()
		return tea.Quit
	}
	switch m.screen {
	case screenSetup:
		return m.setupKey(msg)
	case screenConnect:
		return m.connectKey(msg)
	case screenWaiting:
		return m.waitingKey(msg)
	case screenAccounts:
		return m.accountsKey(msg)
	case screenError:
		return m.errorKey(msg)
	case screenLoggedOut:
		return m.loggedOutKey(msg)
	case screenLoading:
		return m.quitKey(msg)
	}
	return nil
}

// quitKey is a screen with nothing on it yet to act on: only q quits.
func (m *Model) quitKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Quit) {
		return tea.Quit
	}
	return nil
}

// updateInputs passes other messages (cursor blinks, pastes) to the focused
// text field.
func (m *Model) updateInputs(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.screen == screenSetup:
		cmd = m.setup.update(msg)
	case m.screen == screenConnect && m.cfg.NoBrowser:
		m.login.paste, cmd = m.login.paste.Update(msg)
	case m.screen == screenAccounts && m.accounts.filtering:
		m.accounts.filter, cmd = m.accounts.filter.Update(msg)
		m.accounts.list.setFilter(m.accounts.filter.Value())
		m.layout()
	}
	return cmd
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w - 2)
	m.layout()
}

func (m *Model) spin(msg spinner.TickMsg) tea.Cmd {
	if !m.animating() {
		m.spinning = false // the chain of ticks ends here
		return nil
	}
	var cmd tea.Cmd
	m.spinner, cmd = m.spinner.Update(msg)
	return cmd
}

// animating says whether a spinner is on screen.
func (m *Model) animating() bool {
	switch {
	case m.screen == screenLoading, m.screen == screenWaiting:
		return true
	case m.screen == screenConnect && (m.login.login == nil || m.login.device != nil):
		return true
	case m.screen == screenAccounts:
		return m.accounts.loading || m.probes.running || len(m.probes.inFlight) > 0
	}
	return false
}

// loaded decides the first screen from what is stored.
func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	m.settings = msg.settings
	if msg.client != m.client {
		// One prober per client: its per-host rate limits must hold
		// across every probe of the session, not per request.
		m.prober = nil
		if msg.client != nil {
			m.prober = m.cfg.Service.Prober(msg.client)
		}
	}
	m.client = msg.client
	start := m.start
	m.start = StartApp
	switch {
	case start == StartSetup || errors.Is(msg.err, auth.ErrNotConfigured):
		return m.showSetup("")
	case msg.err != nil && m.client == nil && m.settings.Client.BC5ClientID == "":
		// A configuration that does not validate, or an unreadable file:
		// setup lets the person enter it again. (A BC5 client alone is a
		// configuration: its error is about the login.)
		return m.showSetup(core.Clean(msg.err.Error()))
	case start == StartLogin:
		return m.startLogin(m.login.note)
	case msg.err != nil:
		return m.storedLoginFailed(msg.err)
	}
	m.id = "" // shown: from now on, switching and logging in decide
	m.accounts.others = msg.others
	before := m.accounts.switching
	m.accounts.switching = false
	m.showAccounts(msg.session)
	// Landing on another Basecamp ID after a logout or a switch: say whose
	// accounts these are now, in place of "Logging out…" or "Switching…".
	now := core.WhoOn(*msg.session)
	switch {
	case m.loggedOut != "":
		m.setStatus("Logged out of "+m.loggedOut+revokedThere(m.revocation)+"; now showing "+now+".", false)
		m.loggedOut = ""
	case before:
		m.setStatus("Now showing "+now+".", false)
	}
	m.accounts.loading = true
	if msg.session.Authorization == nil {
		m.screen = screenLoading
	}
	return tea.Batch(m.reload(msg.session, m.screen == screenAccounts), m.settleProbe())
}

// Outcome is how the run ended, for main: the exit code and one line for
// stderr (empty when there is nothing to say). bcauth login and setup
// succeed only if a login completed; the app succeeds when it ends on the
// accounts.
func (m *Model) Outcome() (int, string) {
	failed := func(what string) (int, string) {
		if m.screen == screenError {
			return m.problemExit(), "bcauth: " + what + ": " + core.Clean(m.problem.p.Message)
		}
		return 1, "bcauth: " + what + ": the login was not finished"
	}
	switch {
	case m.screen == screenSetup && m.client == nil:
		return 1, "bcauth: not set up: no client was saved"
	case m.screen == screenSetup:
		return 1, "bcauth: setup was left; the client settings are unchanged"
	case m.wantLogin && m.loggedIn != "":
		return 0, "✓ Logged in as " + m.loggedIn
	case m.wantLogin:
		return failed("not logged in")
	case m.screen == screenAccounts && m.accounts.session != nil:
		return 0, ""
	case m.screen == screenLoggedOut:
		return 0, "Logged out of " + m.loggedOut + "."
	case m.screen == screenError:
		return m.problemExit(), "bcauth: " + core.Clean(m.problem.p.Message)
	}
	return failed("not logged in")
}

// problemExit is the exit code of the problem on screen, as every command
// exits for it (2: a setting or file to fix, 4: log in again), and 1 when
// it has none.
func (m *Model) problemExit() int {
	if m.problem.p.Exit != 0 {
		return m.problem.p.Exit
	}
	return 1
}

// layout sizes what depends on the window.
func (m *Model) layout() {
	w := max(m.width-4, 10)
	m.setup.id.SetWidth(w - 16)
	m.setup.secret.SetWidth(w - 16)
	m.setup.bc5ID.SetWidth(w - 16)
	m.login.paste.SetWidth(w - 4)
	m.accounts.filter.SetWidth(max(w-20, 10))
	m.accounts.list.scroll(m.listHeight())
}

// setStatus sets the status line. It cleans what it is given, since a
// status often quotes a server's words or an href.
func (m *Model) setStatus(s string, bad bool) {
	m.accounts.status, m.accounts.statusBad = core.Clean(s), bad
}

// hasAccounts says whether there is an account list to go back to.
func (m *Model) hasAccounts() bool {
	return m.accounts.session != nil && m.accounts.session.Authorization != nil
}

// storedLoginFailed is what happens when the stored login cannot be used:
// a login when there is none to use, else the error.
func (m *Model) storedLoginFailed(err error) tea.Cmd {
	switch p := core.Describe(err, m.settings); {
	case p.Kind == core.KindNotLoggedIn && m.loggedOut != "":
		// Just logged out: say so and wait, rather than start a login
		// (and bind a port) nobody asked for.
		m.screen = screenLoggedOut
		return nil
	case p.Kind == core.KindNotLoggedIn:
		return m.startLogin(m.login.note)
	case p.Kind == core.KindOtherClient:
		return m.startLogin("The stored login belongs to another client or Launchpad, so it is not used.")
	}
	return m.fail(err, retryLogin)
}

// sessionKey is the shown session's key, "" when none.
func (m *Model) sessionKey() string {
	if m.accounts.session == nil {
		return ""
	}
	return m.accounts.session.Key()
}

var _ tea.Model = (*Model)(nil)
