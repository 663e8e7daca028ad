package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"bcauth/ui/core"
)

// The error screen: a core.Problem in the same words as the script
// commands, and what enter does about it.

// retry is what enter does on the error screen.
type retry int

const (
	retryNone   retry = iota
	retryLogin        // start a new login
	retryLoad         // read what is stored again
	retryReload       // ask Launchpad for the accounts again
)

type problemState struct {
	p     core.Problem
	retry retry
}

// fail shows the error screen; r is what enter does there.
func (m *Model) fail(err error, r retry) tea.Cmd {
	m.screen = screenError
	m.problem = problemState{p: core.Describe(err, m.settings), retry: r}
	return nil
}

// doRetry does what the error screen offered.
func (m *Model) doRetry() tea.Cmd {
	r := m.problem.retry
	m.problem.retry = retryNone
	switch r {
	case retryLogin:
		return m.startLogin("")
	case retryLoad:
		return loadID(m.cfg.Service, m.id)
	case retryReload:
		m.screen, m.accounts.loading = screenLoading, true
		return m.reload(m.accounts.session, false)
	}
	return nil
}

func (m *Model) errorKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Retry) && m.problem.retry != retryNone:
		return m.doRetry()
	case key.Matches(msg, m.keys.EditClient):
		return m.showSetup("")
	case key.Matches(msg, m.keys.Back) && m.hasAccounts():
		m.screen = screenAccounts
	case key.Matches(msg, m.keys.Quit), key.Matches(msg, m.keys.Back):
		return tea.Quit
	}
	return nil
}

// errorKeys says, in a sentence, what the error screen's keys do.
func (m *Model) errorKeys() string {
	s, p := m.styles, m.problem.p
	var keys []string
	if m.problem.retry != retryNone {
		what := "try again"
		if p.Relogin {
			what = "log in again"
		}
		keys = append(keys, s.Key.Render("enter")+" to "+what)
	}
	if p.EditClient {
		keys = append(keys, s.Key.Render("e")+" to correct the client settings")
	}
	if m.hasAccounts() {
		keys = append(keys, s.Key.Render("esc")+" for the accounts")
	}
	keys = append(keys, s.Key.Render("q")+" to quit")
	if len(keys) == 1 {
		return "Press " + keys[0] + "."
	}
	return "Press " + strings.Join(keys[:len(keys)-1], ", ") + ", or " + keys[len(keys)-1] + "."
}

// serverName is how the error screen names the server whose words it
// quotes: the one the login on screen went to.
func (m *Model) serverName() string {
	if m.client != nil && m.client.Server().IsBC5() {
		return "BC5"
	}
	return "Launchpad"
}

func (m *Model) viewError() string {
	s, p := m.styles, m.problem.p
	gap := m.gap() // keeps the box whole in a short window
	var in strings.Builder
	in.WriteString(s.Error.Render(core.Sentence(core.Clean(p.Message))))
	switch {
	case p.Server != "":
		in.WriteString(gap + s.Muted.Render(m.serverName()+" said: ") + s.Text.Render("“"+core.Clean(p.Server)+"”"))
	case p.Detail != "":
		in.WriteString(gap + s.Muted.Render(core.Clean(p.Detail)))
	}
	if p.Fix != "" {
		in.WriteString(gap + s.Text.Render(core.Sentence(core.Clean(p.Fix))))
	}
	in.WriteString(gap + m.errorKeys())
	box := s.ErrorBox.Width(max(m.width-4, 20)).Render(in.String())
	return m.header(p.Header, "") + gap + s.App.Render(box)
}
