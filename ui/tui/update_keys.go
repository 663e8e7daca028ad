package tui

import (
	"bcauth/ui"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey routes a key press to the screen that has focus.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch m.screen {
	case screenSetup:
		return m.setupKey(msg)
	case screenConnect:
		return m.connectKey(msg)
	case screenWaiting:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.screen = screenConnect
			return m, nil
		case key.Matches(msg, m.keys.CopyURL) && m.login != nil:
			return m, m.copyText(m.login.URL)
		case key.Matches(msg, m.keys.Quit):
			m.endLogin()
			return m, tea.Quit
		}
	case screenLoggedOut:
		switch {
		case key.Matches(msg, m.keys.Enter):
			m.loggedOut = ""
			return m.startLogin("")
		case key.Matches(msg, m.keys.Quit), msg.String() == "esc":
			return m, tea.Quit
		}
	case screenAccounts:
		return m.accountsKey(msg)
	case screenLoading:
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
	case screenError:
		switch {
		case key.Matches(msg, m.keys.Retry) && m.retry != nil:
			retry := m.retry
			m.retry = nil
			return retry(m)
		case key.Matches(msg, m.keys.EditClient):
			return m.setup("")
		case key.Matches(msg, m.keys.Back) && m.hasAccounts():
			m.screen = screenAccounts
			return m, nil
		case key.Matches(msg, m.keys.Quit), key.Matches(msg, m.keys.Back):
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m Model) setupKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Tab), msg.String() == "down", msg.String() == "up":
		return m.focusSetup(1 - m.setupFocus)
	case key.Matches(msg, m.keys.Enter):
		if m.setupFocus == 0 {
			return m.focusSetup(1)
		}
		id, secret := strings.TrimSpace(m.idInput.Value()), strings.TrimSpace(m.secretInput.Value())
		if id == "" {
			m.setupNote = "Enter the client ID first."
			return m.focusSetup(0)
		}
		if secret == "" {
			m.setupNote = "Enter the client secret."
			return m, nil
		}
		m.setupNote = "Saving…"
		return m, m.saveClient(id, secret)
	case msg.String() == "esc":
		return m, tea.Quit
	}
	return m.updateInputs(msg)
}

func (m Model) focusSetup(i int) (tea.Model, tea.Cmd) {
	m.setupFocus = i
	if i == 0 {
		m.secretInput.Blur()
		return m, m.idInput.Focus()
	}
	m.idInput.Blur()
	return m, m.secretInput.Focus()
}

func (m Model) connectKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.login == nil {
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	}
	if m.cfg.NoBrowser {
		switch {
		case key.Matches(msg, m.keys.CopyURL) && m.pasteInput.Value() == "":
			// Over SSH this is how the URL reaches the local clipboard.
			return m, m.copyText(m.login.URL)
		case key.Matches(msg, m.keys.Back) && m.session != nil && m.pasteInput.Value() == "":
			m.endLogin()
			m.screen = screenAccounts
			m.setStatus("Login cancelled.", false)
			return m, nil
		case key.Matches(msg, m.keys.Paste):
			text := m.pasteInput.Value()
			if strings.TrimSpace(text) == "" {
				m.pasteNote = "Paste the address your browser ended on, then press enter."
				return m, nil
			}
			m.pasteNote = "Checking…"
			return m, m.paste(m.attempt, text)
		case msg.String() == "esc":
			m.pasteInput.SetValue("")
			m.pasteNote = ""
			return m, nil
		}
		return m.updateInputs(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Enter):
		m.screen = screenWaiting
		m.browserNote = "Opening your browser…"
		return m, m.openBrowser(m.attempt, m.login.URL)
	case key.Matches(msg, m.keys.CopyURL):
		return m, m.copyText(m.login.URL)
	case key.Matches(msg, m.keys.Back) && m.session != nil:
		// Came here from the accounts (switch, or a new login): go back.
		m.endLogin()
		m.screen = screenAccounts
		m.setStatus("Login cancelled.", false)
		return m, nil
	case key.Matches(msg, m.keys.EditClient):
		return m.setup("")
	case key.Matches(msg, m.keys.Quit):
		m.endLogin()
		return m, tea.Quit
	}
	return m, nil
}

func (m Model) accountsKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.session == nil {
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	}
	if m.confirm {
		switch {
		case key.Matches(msg, m.keys.Yes):
			m.confirm = false
			m.setStatus("Logging out…", false)
			return m, m.logout()
		default:
			m.confirm = false
			m.setStatus("Still logged in.", false)
			return m, nil
		}
	}
	if m.picking {
		return m.pickKey(msg)
	}
	if m.filtering {
		switch {
		case msg.String() == "esc":
			m.filtering = false
			m.filterInput.Blur()
			m.filterInput.SetValue("")
			m.list.setFilter("")
			m.layout()
			return m, nil
		case msg.String() == "enter":
			m.filtering = false
			m.filterInput.Blur()
			return m, nil
		case msg.String() == "up", msg.String() == "down", msg.String() == "pgup", msg.String() == "pgdown":
			// Moving the selection while typing a filter is what people try.
		default:
			next, cmd := m.updateInputs(msg)
			return next, tea.Batch(cmd, next.(Model).settleProbe())
		}
	}
	h := m.listHeight()
	switch {
	case key.Matches(msg, m.keys.Up):
		m.list.move(-1)
	case key.Matches(msg, m.keys.Down):
		m.list.move(1)
	case key.Matches(msg, m.keys.PageUp):
		m.list.move(-max(h-1, 1))
	case key.Matches(msg, m.keys.PageDown):
		m.list.move(max(h-1, 1))
	case key.Matches(msg, m.keys.Home):
		m.list.move(-len(m.list.visible))
	case key.Matches(msg, m.keys.End):
		m.list.move(len(m.list.visible))
	case key.Matches(msg, m.keys.Filter):
		m.filtering = true
		m.filterInput.SetValue(m.list.filter)
		m.filterInput.CursorEnd()
		m.layout()
		return m, m.filterInput.Focus()
	case key.Matches(msg, m.keys.ClearFilter):
		if m.list.filter != "" {
			m.filterInput.SetValue("")
			m.list.setFilter("")
			m.layout()
		}
	case key.Matches(msg, m.keys.Copy):
		r, ok := m.list.selected()
		if !ok {
			m.setStatus("No account to copy.", true)
			return m, nil
		}
		if why := ui.UnsafeURL(r.acc.Href); why != "" {
			// A pasted href ends up in shells and configs: copy only what
			// is plainly a web address.
			m.setStatus("Not copied: the href Launchpad sent "+why+".", true)
			return m, nil
		}
		return m, tea.Batch(m.copyText(r.acc.Href), m.remember(r.key))
	case key.Matches(msg, m.keys.Open):
		r, ok := m.list.selected()
		if !ok {
			m.setStatus("No account to open.", true)
			return m, nil
		}
		return m, tea.Batch(m.openURL(r.acc.WebURL()), m.remember(r.key))
	case key.Matches(msg, m.keys.Reload):
		if m.loading {
			return m, nil
		}
		m.loading = true
		m.setStatus("Reloading from Launchpad…", false)
		cmd := m.reload(m.session, false)
		return m, cmd
	case key.Matches(msg, m.keys.Switch):
		m.picking = true
		m.pick = 0
		for i, s := range m.others {
			if s.Key() == m.session.Key() {
				m.pick = i
			}
		}
		return m, nil
	case key.Matches(msg, m.keys.Logout):
		m.confirm = true
		return m, nil
	case key.Matches(msg, m.keys.Probe):
		if m.probes.running {
			m.stopProbes()
			m.setStatus("Stopped probing.", false)
			return m, nil
		}
		if len(m.list.rows) == 0 {
			m.setStatus("No account to probe.", true)
			return m, nil
		}
		m.setStatus("", false)
		cmd := m.probeAll()
		return m, cmd
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
	case key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	}
	m.list.scroll(m.listHeight())
	return m, m.settleProbe()
}

// pickKey drives the Basecamp ID picker; its last entry adds another ID.
func (m Model) pickKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	n := len(m.others) + 1
	switch {
	case key.Matches(msg, m.keys.Up):
		m.pick = (m.pick - 1 + n) % n
	case key.Matches(msg, m.keys.Down):
		m.pick = (m.pick + 1) % n
	case msg.String() == "esc", key.Matches(msg, m.keys.Quit):
		m.picking = false
	case key.Matches(msg, m.keys.Enter):
		m.picking = false
		if m.pick >= len(m.others) {
			return m.startLogin("Log in with another Basecamp ID. Tip: sign out of Launchpad in the browser first, or use a private window.")
		}
		if k := m.others[m.pick].Key(); k != m.session.Key() {
			m.setStatus("Switching…", false)
			return m, m.switchTo(k)
		}
	}
	return m, nil
}
