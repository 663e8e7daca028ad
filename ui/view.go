package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
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
		if m.cfg.NoBrowser {
			return bindings{short: []key.Binding{k.Paste, k.ForceQuit}}
		}
		return bindings{short: []key.Binding{withHelp(k.Enter, "enter", "open browser"), k.CopyURL, k.Quit}}
	case screenWaiting:
		return bindings{short: []key.Binding{k.Back, k.CopyURL, k.ForceQuit}}
	case screenError:
		if m.retry != nil {
			return bindings{short: []key.Binding{k.Retry, k.Quit}}
		}
		return bindings{short: []key.Binding{k.Quit}}
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
		short := []key.Binding{k.Copy, k.Open, k.Filter, k.Reload, k.Probe}
		if len(m.others) > 1 {
			short = append(short, k.Switch)
		}
		if m.width < 76 {
			// Keep help and quit in sight; ? lists the rest.
			short = []key.Binding{k.Copy, k.Filter, k.Probe}
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
		name = Clean(m.session.Identity.Name())
	}
	return m.header("Accounts", name) + "\n\n" + m.styles.App.Render(m.spinner.View()+" Asking Launchpad which accounts this login reaches…")
}

func (m Model) viewSetup() string {
	s := m.styles
	gap := "\n\n"
	if m.height < 20 {
		gap = "\n"
	}
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

// urlBlock breaks a long URL at the window's edge, never at its hyphens,
// so what a person selects by hand is the URL and nothing else.
func (m Model) urlBlock(u string) string {
	return m.styles.URL.Render(ansi.Hardwrap(u, max(m.width-2, 10), false))
}

// codeBox draws the verification code big: spaced, bold, boxed.
func (m Model) codeBox(code string) string {
	spaced := strings.Join(strings.Split(code, ""), " ")
	return m.styles.CodeBox.Render(m.styles.Code.Render(spaced))
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
	compact := m.height < 20
	gap := "\n\n"
	if compact {
		gap = "\n"
	}
	var b strings.Builder
	b.WriteString(m.header("Connect your Basecamp ID", m.countdown()) + "\n")
	if m.connectNote != "" {
		b.WriteString(gap[1:] + s.App.Render(m.wrap(s.Warn, m.connectNote)) + "\n")
	}
	if m.login == nil {
		b.WriteString("\n" + s.App.Render(m.spinner.View()+" Preparing the login…"))
		return b.String()
	}
	if compact {
		b.WriteString(s.App.Render(s.Muted.Render("Verification code ")+s.Code.Render(m.login.Code)) + "\n")
	} else {
		b.WriteString("\n" + s.App.Render(s.Muted.Render("Your verification code")) + "\n")
		b.WriteString(s.App.Render(m.codeBox(m.login.Code)) + "\n")
	}
	host := launchpadHost(m.client)
	if m.cfg.NoBrowser {
		b.WriteString(s.App.Render(m.wrap(s.Text, "Open this address in a browser on any machine, approve bcauth, then paste here the address the browser ends on (it starts with "+m.client.Config().RedirectURI+"):")) + "\n")
		b.WriteString(s.App.Render(m.urlBlock(m.login.URL)) + gap)
		b.WriteString(s.App.Render(m.pasteInput.View()) + "\n")
		if m.pasteNote != "" {
			b.WriteString(s.App.Render(m.wrap(s.Warn, m.pasteNote)) + "\n")
		}
		return b.String()
	}
	b.WriteString(s.App.Render("Press "+s.Key.Render("enter")+" to open "+s.Accent.Render(host)+" in your browser.") + gap)
	if m.demoAt.After(m.now()) {
		secs := int(m.demoAt.Sub(m.now()).Seconds() + 0.999)
		b.WriteString(s.App.Render(m.wrap(s.Warn, fmt.Sprintf("No browser found: the demo will approve on your behalf in %ds.", secs))) + gap)
	}
	if m.browserNote != "" {
		b.WriteString(s.App.Render(m.wrap(s.Warn, m.browserNote)) + gap)
	}
	b.WriteString(s.App.Render(s.Muted.Render("Or open this address by hand ("+s.Key.Render("c")+s.Muted.Render(" copies it):"))) + "\n")
	b.WriteString(s.App.Render(m.urlBlock(m.login.URL)) + gap)
	b.WriteString(s.App.Render(s.Subtle.Render("Listening on http://" + m.listener.Addr() + " for Launchpad's answer.")))
	return b.String()
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
	var b strings.Builder
	b.WriteString(m.header("Waiting for Launchpad", m.countdown()) + "\n\n")
	b.WriteString(s.App.Render(m.spinner.View()+" Waiting for you to approve bcauth in the browser…") + "\n\n")
	if m.login != nil {
		b.WriteString(s.App.Render(s.Muted.Render("Check that the browser shows the same code:")) + "\n")
		b.WriteString(s.App.Render(m.codeBox(m.login.Code)) + "\n")
	}
	if m.browserNote != "" {
		b.WriteString(s.App.Render(m.wrap(s.Warn, m.browserNote)) + "\n\n")
	}
	if m.login != nil {
		b.WriteString(s.App.Render(s.Muted.Render("If nothing opened, visit:")) + "\n")
		b.WriteString(s.App.Render(m.urlBlock(m.login.URL)) + "\n")
	}
	return b.String()
}

func (m Model) viewError() string {
	s := m.styles
	p := m.problem
	var in strings.Builder
	in.WriteString(s.Error.Render(p.Title))
	if p.Server != "" {
		in.WriteString("\n\n" + s.Muted.Render("Launchpad said: ") + s.Text.Render("“"+p.Server+"”"))
	}
	if p.Detail != "" {
		in.WriteString("\n\n" + s.Muted.Render(p.Detail))
	}
	if p.Advice != "" {
		in.WriteString("\n\n" + s.Text.Render(p.Advice))
	}
	next := "Press " + s.Key.Render("enter") + " to try again, or " + s.Key.Render("q") + " to quit."
	if p.Relogin {
		next = "Press " + s.Key.Render("enter") + " to log in again, or " + s.Key.Render("q") + " to quit."
	}
	if m.retry == nil {
		next = "Press " + s.Key.Render("q") + " to quit."
	}
	in.WriteString("\n\n" + next)
	box := s.ErrorBox.Width(max(m.width-4, 20)).Render(in.String())
	return m.header("Something went wrong", "") + "\n\n" + s.App.Render(box)
}

// ago says how long ago t was, roughly.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "earlier"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}
