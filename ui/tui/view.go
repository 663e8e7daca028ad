package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/ui"
)

// View draws the current screen in the alternate screen.
func (m Model) View() tea.View {
	var body string
	switch m.screen {
	case screenLoading:
		body = m.viewLoading()
	case screenSetup:
		body = m.viewSetup()
	case screenConnect:
		body = m.viewConnect()
	case screenWaiting:
		body = m.viewWaiting()
	case screenAccounts:
		body = m.viewAccounts()
	case screenError:
		body = m.viewError()
	case screenLoggedOut:
		body = m.viewLoggedOut()
	}
	helpBar := m.styles.App.Render(m.help.View(m.bindings()))
	bodyHeight := max(m.height-lipgloss.Height(helpBar), 1)
	body = fitHeight(body, bodyHeight)
	v := tea.NewView(body + "\n" + helpBar)
	v.AltScreen = true
	v.WindowTitle = "bcauth"
	if m.probes.running && m.probes.total > 0 {
		// Terminals that have their own progress bar show the probe run.
		v.ProgressBar = tea.NewProgressBar(tea.ProgressBarDefault, 100*m.probes.done/m.probes.total)
	}
	return v
}

// fitHeight pads or cuts text to exactly h lines. It is what a lipgloss
// Height and MaxHeight style does, without re-measuring every line, which
// matters at one frame per keystroke.
func fitHeight(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	if n > h {
		i := 0
		for range h {
			j := strings.IndexByte(s[i:], '\n')
			i += j + 1
		}
		return s[:i-1]
	}
	return s + strings.Repeat("\n", h-n)
}

// indent adds the app's one-column left margin to every line of a block;
// cheaper than a padded style for the big blocks drawn each frame.
func indent(s string) string { return " " + strings.ReplaceAll(s, "\n", "\n ") }

// bindings are the keys that work on the current screen.
func (m Model) bindings() bindings {
	k := m.keys
	switch m.screen {
	case screenSetup:
		return bindings{short: []key.Binding{k.Tab, k.Paste, k.ForceQuit}}
	case screenConnect:
		var short []key.Binding
		if m.cfg.NoBrowser {
			short = []key.Binding{k.Paste}
			if m.pasteInput.Value() == "" {
				short = append(short, withHelp(k.CopyURL, "c", "copy URL"))
			}
		} else {
			short = []key.Binding{withHelp(k.Enter, "enter", "open browser"), k.CopyURL}
		}
		if m.session != nil {
			short = append(short, withHelp(k.Back, "esc", "back to accounts"))
		}
		if m.cfg.NoBrowser {
			return bindings{short: append(short, k.ForceQuit)}
		}
		return bindings{short: append(short, k.Quit)}
	case screenWaiting:
		return bindings{short: []key.Binding{k.Back, k.CopyURL, k.Quit}}
	case screenLoggedOut:
		return bindings{short: []key.Binding{withHelp(k.Enter, "enter", "log in again"), k.Quit}}
	case screenError:
		var short []key.Binding
		if m.retry != nil {
			short = append(short, k.Retry)
		}
		if m.problem.EditClient {
			short = append(short, k.EditClient)
		}
		if m.hasAccounts() {
			short = append(short, withHelp(k.Back, "esc", "accounts"))
		}
		return bindings{short: append(short, k.Quit)}
	case screenAccounts:
		if m.confirm {
			return bindings{short: []key.Binding{k.Yes, k.No}}
		}
		if m.picking {
			return bindings{short: []key.Binding{k.Up, k.Down, withHelp(k.Enter, "enter", "switch"), withHelp(k.Back, "esc", "cancel")}}
		}
		if m.filtering {
			return bindings{short: []key.Binding{withHelp(k.Up, "↑/↓", "move"), withHelp(k.Enter, "enter", "keep filter"), withHelp(k.Back, "esc", "clear")}}
		}
		probe := k.Probe
		if m.probes.running {
			probe = withHelp(k.Probe, "p", "stop probing")
		}
		var short []key.Binding
		if len(m.list.visible) > 0 {
			short = append(short, k.Copy, k.Open)
		}
		if m.list.filter != "" {
			short = append(short, withHelp(k.ClearFilter, "esc", "clear filter"))
		}
		short = append(short, k.Filter, k.Reload, probe)
		if len(m.others) > 1 {
			short = append(short, k.Switch)
		}
		if m.width < 76 {
			// Keep help and quit in sight; ? lists the rest.
			short = []key.Binding{k.Copy, k.Filter, probe}
		}
		short = append(short, k.Help, k.Quit)
		switchKey := k.Switch
		full := [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
			{k.Copy, k.Open, k.Filter, k.ClearFilter},
			{k.Reload, k.Probe, switchKey, k.Logout},
			{k.Help, k.Quit},
		}
		return bindings{short: short, full: full}
	}
	return bindings{short: []key.Binding{k.Quit}}
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// header is the title line: the bcauth badge, a title, and on the right
// what fits of a note.
func (m Model) header(title, right string) string {
	s := m.styles
	left := s.Brand.Render("bcauth") + " " + s.Title.Render(title)
	w := m.width - 2
	room := w - lipgloss.Width(left) - 2
	if right != "" && room > 8 {
		right = s.Muted.Render(ansi.Truncate(right, room, "…"))
		gap := max(w-lipgloss.Width(left)-lipgloss.Width(right), 1)
		return s.App.Render(left + strings.Repeat(" ", gap) + right)
	}
	return s.App.Render(ansi.Truncate(left, w, "…"))
}

// wrap fits prose to the window.
func (m Model) wrap(style lipgloss.Style, text string) string {
	return style.Width(max(m.width-4, 10)).Render(text)
}

func (m Model) viewLoading() string {
	name := ""
	if m.session != nil {
		name = ui.Clean(m.session.Identity.Name())
	}
	return m.header("Accounts", name) + "\n\n" + m.styles.App.Render(m.spinner.View()+" Asking Launchpad which accounts this login reaches…")
}

func (m Model) viewSetup() string {
	s := m.styles
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Set up", "") + gap)
	intro := "bcauth needs a Launchpad integration of your own. Register one at " +
		s.URL.Render("https://launchpad.37signals.com/integrations") + " with this redirect URI:"
	b.WriteString(s.App.Render(m.wrap(s.Text, intro)) + "\n")
	b.WriteString(s.App.Render("  "+s.Accent.Render(m.cfg.Service.RedirectURI())) + gap)
	b.WriteString(s.App.Render(s.Text.Render("Then enter its client ID and secret:")) + "\n")
	b.WriteString(s.App.Render(m.idInput.View()) + "\n")
	b.WriteString(s.App.Render(m.secretInput.View()) + "\n")
	if m.setupNote != "" {
		b.WriteString(s.App.Render(m.wrap(s.Warn, m.setupNote)) + "\n")
	}
	b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Muted, "They are saved in "+m.cfg.Service.Store.Dir()+" (mode 0600). Or set "+auth.SettingClientID+" and "+auth.SettingClientSecret+" instead.")))
	return b.String()
}

// urlBlock shows a URL whole: a hyperlink (OSC 8) in terminals that have
// them, and broken only at the window's edge, from the first column with
// no indent, so a selection by hand picks up the URL and nothing else.
func (m Model) urlBlock(u string) string {
	return m.styles.URL.Hyperlink(u).Render(ansi.Hardwrap(u, max(m.width, 10), false))
}

// codeBox draws the verification code big: bold and boxed, not spaced
// out, so a copy of it is the code.
func (m Model) codeBox(code string) string {
	return m.styles.CodeBox.Render(m.styles.Code.Render(code))
}

func (m Model) countdown() string {
	left := m.deadline.Sub(m.now())
	if m.deadline.IsZero() {
		return ""
	}
	if left < 0 {
		left = 0
	}
	return fmt.Sprintf("%d:%02d left", int(left.Minutes()), int(left.Seconds())%60)
}

func (m Model) viewConnect() string {
	s := m.styles
	// In a short window every blank line counts: drop them and the box.
	compact := m.short()
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Connect your Basecamp ID", m.countdown()) + "\n")
	if m.connectNote != "" {
		b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Warn, m.connectNote)) + "\n")
	}
	if m.login == nil {
		b.WriteString("\n" + s.App.Render(m.spinner.View()+" Preparing the login…"))
		return b.String()
	}
	// Launchpad's own page shows no code: bcauth's page after approval
	// does, so the person can tell this terminal's login from another.
	if compact {
		b.WriteString(s.App.Render(s.Muted.Render("Verification code ")+s.Code.Render(m.login.Code)) + "\n")
	} else {
		b.WriteString("\n" + s.App.Render(s.Muted.Render("Verification code: after you approve, the browser shows")) + "\n")
		b.WriteString(s.App.Render(m.codeBox(m.login.Code)) + "\n")
	}
	host := launchpadHost(m.client)
	if m.cfg.NoBrowser {
		b.WriteString(s.App.Render(m.wrap(s.Text, "Open this address in a browser on any machine ("+s.Key.Render("c")+" copies it) and approve bcauth. The browser then ends on a page that cannot load (it points at "+m.client.Config().RedirectURI+" on this machine): that is expected. Paste that page's address here:")) + "\n")
		b.WriteString(m.urlBlock(m.login.URL) + gap)
		b.WriteString(s.App.Render(m.pasteInput.View()) + "\n")
		if m.pasteNote != "" {
			b.WriteString(s.App.Render(m.wrap(s.Warn, m.pasteNote)) + "\n")
		}
		if m.status != "" {
			b.WriteString(m.statusLine())
		}
		return b.String()
	}
	if m.demoAt.After(m.now()) {
		secs := int(m.demoAt.Sub(m.now()).Seconds() + 0.999)
		b.WriteString(s.App.Render(m.wrap(s.Warn, fmt.Sprintf("No browser here: the demo approves on your behalf in %ds (or press enter).", secs))) + gap)
	} else {
		b.WriteString(s.App.Render("Press "+s.Key.Render("enter")+" to open "+s.Accent.Render(host)+" in your browser.") + gap)
	}
	if m.browserNote != "" {
		b.WriteString(s.App.Render(m.wrap(m.browserNoteStyle(), m.browserNote)) + gap)
	}
	b.WriteString(s.App.Render(s.Muted.Render("Or open this address by hand ("+s.Key.Render("c")+s.Muted.Render(" copies it):"))) + "\n")
	b.WriteString(m.urlBlock(m.login.URL) + gap)
	b.WriteString(s.App.Render(s.Subtle.Render("Listening on http://" + m.listener.Addr() + " for Launchpad's answer.")))
	if m.status != "" {
		b.WriteString("\n" + m.statusLine())
	}
	return b.String()
}

// short says the window is too short for blank lines between sections.
func (m Model) short() bool { return m.height < 20 }

// gap separates sections: a blank line, unless the window is short.
func (m Model) gap() string {
	if m.short() {
		return "\n"
	}
	return "\n\n"
}

// browserNoteStyle warns only when the browser could not be opened.
func (m Model) browserNoteStyle() lipgloss.Style {
	if m.browserFailed {
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

func (m Model) viewWaiting() string {
	s := m.styles
	gap := m.gap()
	var b strings.Builder
	b.WriteString(m.header("Waiting for Launchpad", m.countdown()) + gap)
	noBrowser := m.browserFailed
	wait := "Waiting for you to approve bcauth in the browser…"
	if noBrowser {
		wait = "Waiting for your approval…"
	}
	b.WriteString(s.App.Render(m.spinner.View()+" "+wait) + gap)
	if m.login != nil {
		b.WriteString(s.App.Render(s.Muted.Render("After you approve, the browser shows this code: ")+s.Code.Render(m.login.Code)) + gap)
	}
	if m.browserNote != "" {
		b.WriteString(s.App.Render(m.wrap(m.browserNoteStyle(), m.browserNote)) + gap)
	}
	if m.login != nil {
		label := "If nothing opened, open this address in any browser (" + s.Key.Render("c") + s.Muted.Render(" copies it):")
		if noBrowser {
			label = "Open this address in any browser (" + s.Key.Render("c") + s.Muted.Render(" copies it):")
		}
		b.WriteString(s.App.Render(s.Muted.Render(label)) + "\n")
		b.WriteString(m.urlBlock(m.login.URL) + "\n")
	}
	if m.status != "" {
		b.WriteString(gap[1:] + m.statusLine())
	}
	return b.String()
}

func (m Model) viewLoggedOut() string {
	s := m.styles
	var b strings.Builder
	b.WriteString(m.header("Logged out", "") + "\n\n")
	b.WriteString(s.App.Render(m.wrap(s.Text, "Logged out of "+m.loggedOut+". Its tokens are gone from this machine.")) + "\n\n")
	b.WriteString(s.App.Render(m.wrap(s.Muted, "Launchpad still lists bcauth among the apps this Basecamp ID authorized; remove it there to revoke access everywhere.")) + "\n\n")
	b.WriteString(s.App.Render("Press " + s.Key.Render("enter") + " to log in again, or " + s.Key.Render("q") + " to quit."))
	return b.String()
}

func (m Model) viewError() string {
	s := m.styles
	p := m.problem
	gap := m.gap() // keeps the box whole in a short window
	var in strings.Builder
	in.WriteString(s.Error.Render(p.Title))
	if p.Server != "" {
		in.WriteString(gap + s.Muted.Render("Launchpad said: ") + s.Text.Render("“"+p.Server+"”"))
	}
	if p.Detail != "" {
		in.WriteString(gap + s.Muted.Render(p.Detail))
	}
	if p.Advice != "" {
		in.WriteString(gap + s.Text.Render(p.Advice))
	}
	var keys []string
	if m.retry != nil {
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
	next := "Press " + strings.Join(keys[:len(keys)-1], ", ")
	if len(keys) > 1 {
		next += ", or " + keys[len(keys)-1] + "."
	} else {
		next = "Press " + keys[0] + "."
	}
	in.WriteString(gap + next)
	box := s.ErrorBox.Width(max(m.width-4, 20)).Render(in.String())
	title := p.Header
	if title == "" {
		title = "Something went wrong"
	}
	return m.header(title, "") + gap + s.App.Render(box)
}
