package tui

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// The accounts screen: the Basecamp ID's accounts grouped by product, with
// the filter, the detail pane, the Basecamp ID picker and the log-out
// question; and the logged-out screen that follows the answer yes.

type accountsState struct {
	session   *store.Session
	tokens    *auth.TokenSource // the session's one token source
	reloadGen int
	others    []store.Session // every stored session of this client
	list      accountList
	filtering bool
	filter    textinput.Model
	loading   bool
	refreshed time.Time
	status    string
	statusBad bool
	confirm   bool // log out?
	switching bool // a switch was asked for; the load that follows says so
	picking   bool // switch Basecamp ID
	picker    picker
}

func newAccountsState() accountsState {
	s := accountsState{filter: textinput.New()}
	s.filter.Prompt = "/ "
	s.filter.Placeholder = "name, id or product"
	s.filter.CharLimit = 200
	return s
}

// showAccounts draws a session's accounts, keeping the selection.
func (m *Model) showAccounts(sess *store.Session) {
	a := &m.accounts
	keep := a.list.selectedKey()
	if a.session == nil || a.session.Key() != sess.Key() {
		keep = sess.LastAccount
		// Another Basecamp ID: another token, other answers.
		m.stopProbes()
		m.probes = newProbeState(m.probes.run)
		a.tokens = nil
	}
	if a.tokens == nil {
		a.tokens = m.cfg.Service.TokenSource(m.client, sess)
	}
	a.session = sess
	var accounts []auth.Account
	if sess.Authorization != nil {
		accounts = sess.Authorization.Accounts
	}
	filter := a.list.filter
	a.list = newAccountList(accounts)
	a.list.setFilter(filter)
	a.list.selectKey(keep)
	m.screen = screenAccounts
	m.layout()
}

// reload asks Launchpad again for the session's accounts. Each reload is
// numbered and tagged with its session, so an answer that comes back after
// a logout, a switch or a newer reload is dropped.
func (m *Model) reload(sess *store.Session, background bool) tea.Cmd {
	a := &m.accounts
	a.reloadGen++
	ts := a.tokens
	if ts == nil || m.sessionKey() != sess.Key() {
		ts = m.cfg.Service.TokenSource(m.client, sess)
	}
	return reload(m.cfg.Service, m.client, sess, ts, a.reloadGen, background)
}

func (m *Model) reloaded(msg reloadMsg) tea.Cmd {
	a := &m.accounts
	if a.session == nil || msg.key != a.session.Key() || msg.gen != a.reloadGen {
		return nil // a reload overtaken by a logout, a switch or another reload
	}
	a.loading = false
	if msg.err != nil {
		return m.reloadFailed(msg)
	}
	m.showAccounts(msg.reload.Session)
	if msg.reload.Refreshed {
		a.refreshed = m.now()
	}
	switch {
	case msg.reload.Unsaved != nil:
		m.setStatus("The token was refreshed but could not be saved ("+msg.reload.Unsaved.Error()+"): the next start may ask you to log in.", true)
	case !msg.background:
		m.setStatus("Reloaded from Launchpad.", false)
	}
	return nil
}

// reloadFailed: a dead login logs in again; a failed background reload
// keeps the cached list on screen and says so; anything else is an error.
func (m *Model) reloadFailed(msg reloadMsg) tea.Cmd {
	p := core.Describe(msg.err, m.settings)
	switch {
	case p.Relogin && (p.Kind == core.KindRejected || p.Kind == core.KindNotLoggedIn):
		// Not for BASECAMP_TOKEN: no login here would replace it.
		note := "Launchpad refused the stored login"
		if p.Server != "" {
			note += ": “" + core.Clean(p.Server) + "”"
		}
		return m.startLogin(note + ". Log in again.")
	case msg.background && m.screen == screenAccounts:
		text := core.Sentence(core.Clean(p.Message))
		if p.Server != "" {
			text += " “" + core.Clean(p.Server) + "”"
		}
		m.setStatus(text+" Showing the accounts saved "+core.Ago(m.accounts.session.FetchedAt, m.now())+"; r to retry.", true)
		return nil
	}
	return m.fail(msg.err, retryReload)
}

func (m *Model) othersLoaded(msg othersMsg) {
	if msg.err == nil {
		m.accounts.others = msg.others
	}
}

// copied says where a copy went, claiming only what can be confirmed: the
// system clipboard or tmux's buffer took it; OSC 52 alone is "sent".
func (m *Model) copied(msg copiedMsg) {
	sysOK, tmuxOK := msg.sys && msg.sysErr == nil, msg.tmux && msg.tmuxErr == nil
	var failed []string
	if msg.sysErr != nil {
		failed = append(failed, "the system clipboard failed: "+core.Clean(msg.sysErr.Error()))
	}
	if msg.tmuxErr != nil {
		failed = append(failed, "tmux failed: "+core.Clean(msg.tmuxErr.Error()))
	}
	var text string
	switch {
	case sysOK:
		text = "Copied " + msg.text + " to the clipboard."
	case tmuxOK:
		text = "Copied " + msg.text + " to tmux's paste buffer (and sent it to the terminal's clipboard)."
	default:
		text = "Sent " + msg.text + " to the terminal's clipboard (OSC 52); nothing here can confirm it arrived."
	}
	if len(failed) > 0 {
		text += " (" + strings.Join(failed, "; ") + ")"
	}
	m.setStatus(text, !sysOK && !tmuxOK && len(failed) > 0)
}

func (m *Model) opened(msg openedMsg) {
	if msg.err != nil {
		// The point first, so a narrow window's cut spares it; and o
		// opens app_href while y copies href, so they are named apart.
		what, instead := "app_href", "y copies the API href"
		if r, ok := m.accounts.list.selected(); ok && r.appHref == "" {
			what, instead = "href", "y copies it"
		}
		if errors.Is(msg.err, errNoBrowser) {
			m.setStatus("No browser here to open "+what+": "+instead+".", true)
			return
		}
		m.setStatus("Could not open "+what+": "+core.Clean(msg.err.Error())+"; "+instead+".", true)
	} else {
		m.setStatus("Opened "+msg.url+" in your browser.", false)
	}
}

func (m *Model) loggedOutDone(msg loggedOutMsg) tea.Cmd {
	if msg.err != nil {
		return m.fail(msg.err, retryLoad)
	}
	who := ""
	if s := m.accounts.session; s != nil {
		who = core.WhoOn(*s)
	}
	m.stopProbes()
	m.accounts.session, m.accounts.tokens = nil, nil
	m.screen, m.accounts.confirm, m.accounts.picking = screenLoading, false, false
	m.setStatus("", false) // "Logging out…" is over
	m.loggedOut = who
	m.revocation = msg.revocation
	return load(m.cfg.Service)
}

func (m *Model) switched(msg switchedMsg) tea.Cmd {
	if msg.err != nil {
		m.accounts.switching = false
		m.setStatus("Could not switch: "+core.Clean(msg.err.Error()), true)
		return nil
	}
	return load(m.cfg.Service)
}

func (m *Model) accountsKey(msg tea.KeyPressMsg) tea.Cmd {
	a := &m.accounts
	switch {
	case a.session == nil:
		return m.quitKey(msg)
	case a.confirm:
		return m.confirmKey(msg)
	case a.picking:
		return m.pickKey(msg)
	case a.filtering:
		if cmd, done := m.filterKey(msg); done {
			return cmd
		}
	}
	if m.moveKey(msg) {
		m.accounts.list.scroll(m.listHeight())
		return m.settleProbe()
	}
	if cmd, settle := m.actionKey(msg); !settle {
		return cmd
	}
	m.accounts.list.scroll(m.listHeight())
	return m.settleProbe()
}

// confirmKey answers "log out?": L again logs out, as a key pressed out
// of habit (y copies, enter copies) never does; anything else keeps it.
func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	m.accounts.confirm = false
	if key.Matches(msg, m.keys.Logout) {
		m.setStatus("Logging out…", false)
		return forget(m.cfg.Service, m.accounts.session.Key())
	}
	m.setStatus("Still logged in.", false)
	return nil
}

// filterKey is typing into the filter; done is false for the keys that
// still move the selection.
func (m *Model) filterKey(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	a := &m.accounts
	switch msg.String() {
	case "esc":
		a.filtering = false
		a.filter.Blur()
		a.filter.SetValue("")
		a.list.setFilter("")
		m.layout()
		return nil, true
	case "enter":
		a.filtering = false
		a.filter.Blur()
		return nil, true
	case "up", "down", "pgup", "pgdown":
		// Moving the selection while typing a filter is what people try.
		return nil, false
	}
	return tea.Batch(m.updateInputs(msg), m.settleProbe()), true
}

// moveKey moves the selection, and says whether the key did.
func (m *Model) moveKey(msg tea.KeyPressMsg) bool {
	l, h := &m.accounts.list, m.listHeight()
	switch {
	case key.Matches(msg, m.keys.Up):
		l.move(-1)
	case key.Matches(msg, m.keys.Down):
		l.move(1)
	case key.Matches(msg, m.keys.PageUp):
		l.move(-max(h-1, 1))
	case key.Matches(msg, m.keys.PageDown):
		l.move(max(h-1, 1))
	case key.Matches(msg, m.keys.Home):
		l.move(-len(l.visible))
	case key.Matches(msg, m.keys.End):
		l.move(len(l.visible))
	default:
		return false
	}
	return true
}

// actionKey is every key of the accounts screen that is not a move. The
// keys that change only what is shown ask for the selection to be probed
// once it rests (settle); the others answer with their own command.
func (m *Model) actionKey(msg tea.KeyPressMsg) (cmd tea.Cmd, settle bool) {
	a := &m.accounts
	switch {
	case key.Matches(msg, m.keys.Filter):
		a.filtering = true
		m.setStatus("", false) // what the last key did is over
		a.filter.SetValue(a.list.filter)
		a.filter.CursorEnd()
		m.layout()
		return a.filter.Focus(), false
	case key.Matches(msg, m.keys.ClearFilter):
		if a.list.filter != "" {
			a.filter.SetValue("")
			a.list.setFilter("")
			m.layout()
		}
	case key.Matches(msg, m.keys.Copy):
		return m.copySelected(), false
	case key.Matches(msg, m.keys.CopyAPI):
		return m.copyAPICommand(), false
	case key.Matches(msg, m.keys.Open):
		r, ok := a.list.selected()
		if !ok {
			m.setStatus("No account to open.", true)
			return nil, false
		}
		return tea.Batch(openURL(m.cfg.OpenURL, r.acc.WebURL()), remember(m.cfg.Service, a.session.Key(), r.key)), false
	case key.Matches(msg, m.keys.Reload):
		if a.loading {
			return nil, false
		}
		a.loading = true
		m.setStatus("Reloading from Launchpad…", false)
		return m.reload(a.session, false), false
	case key.Matches(msg, m.keys.Switch):
		if m.cfg.Service.FromEnv(a.session) {
			m.setStatus("The token comes from BASECAMP_TOKEN, which wins over every stored login: unset it to switch.", true)
			return nil, false
		}
		a.picking = true
		a.picker = newPicker(m.idChoices(), "on screen", true)
	case key.Matches(msg, m.keys.Logout):
		a.confirm = true
	case key.Matches(msg, m.keys.Probe):
		return m.toggleProbes(), false
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit, false
	}
	return nil, true
}

// copySelected copies the selected account's href, if it is plainly a web
// address: a pasted href ends up in shells and configs.
func (m *Model) copySelected() tea.Cmd {
	r, ok := m.accounts.list.selected()
	if !ok {
		m.setStatus("No account to copy.", true)
		return nil
	}
	if why := core.UnsafeURL(r.acc.Href); why != "" {
		m.setStatus("Not copied: the href Launchpad sent "+why+".", true)
		return nil
	}
	return tea.Batch(copyText(m.cfg, r.acc.Href), remember(m.cfg.Service, m.accounts.session.Key(), r.key))
}

// copyAPICommand copies a `bcauth api` line that calls the selected
// account, so the step from picking to calling is one key.
func (m *Model) copyAPICommand() tea.Cmd {
	a := &m.accounts
	r, ok := a.list.selected()
	if !ok {
		m.setStatus("No account to call.", true)
		return nil
	}
	var all []auth.Account
	if a.session.Authorization != nil {
		all = a.session.Authorization.Accounts
	}
	var id int64
	if len(a.others) > 1 {
		id = a.session.Identity.ID
	}
	line, err := core.APICommand(r.acc, all, id)
	if err != nil {
		m.setStatus("Not copied: "+err.Error()+".", true)
		return nil
	}
	return tea.Batch(copyText(m.cfg, line), remember(m.cfg.Service, a.session.Key(), r.key))
}

// pickKey drives the Basecamp ID picker; its last entry adds another ID.
func (m *Model) pickKey(msg tea.KeyPressMsg) tea.Cmd {
	a := &m.accounts
	chosen, done := a.picker.key(m.keys, msg)
	if !done {
		return nil
	}
	a.picking = false
	// The picker's own list, as it was drawn: the stored IDs may have
	// arrived since it opened.
	choices := a.picker.choices
	switch {
	case chosen < 0:
		return nil
	case chosen >= len(choices):
		return m.startLogin("Log in with another Basecamp ID. Tip: sign out of Basecamp in the browser first, or use a private window.")
	}
	if k := choices[chosen].Session.Key(); k != a.session.Key() {
		m.setStatus("Switching…", false)
		a.switching = true
		return switchTo(m.cfg.Service, k)
	}
	return nil
}

// idChoices are the stored Basecamp IDs of this client, the one on screen
// marked, as the picker and the header count them.
func (m *Model) idChoices() []core.IDChoice {
	out := make([]core.IDChoice, len(m.accounts.others))
	for i, s := range m.accounts.others {
		out[i] = core.IDChoice{Session: s, Current: s.Key() == m.sessionKey()}
	}
	return out
}

// idPosition is which of the stored Basecamp IDs is on screen (from 1) and
// how many there are; 0 when it is not among them.
func (m *Model) idPosition() (at, of int) {
	for i, c := range m.idChoices() {
		if c.Current {
			at = i + 1
		}
	}
	return at, len(m.accounts.others)
}

func (m *Model) loggedOutKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Enter):
		m.loggedOut = ""
		return m.startLogin("")
	case key.Matches(msg, m.keys.Quit), msg.String() == "esc":
		return tea.Quit
	}
	return nil
}
