package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/ui/core"
)

// What every screen shares: the frame, the title line, prose, URLs and
// the status line.

func (m *Model) View() tea.View {
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

// header is the title line: the bcauth badge, a title, and on the right
// what fits of a note.
func (m *Model) header(title, right string) string {
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
func (m *Model) wrap(style lipgloss.Style, text string) string {
	return style.Width(max(m.width-4, 10)).Render(text)
}

func (m *Model) viewLoading() string {
	name := ""
	if m.accounts.session != nil {
		name = core.Clean(m.accounts.session.Identity.Name())
	}
	return m.header("Accounts", name) + "\n\n" + m.styles.App.Render(m.spinner.View()+" Asking Launchpad which accounts this login reaches…")
}

// urlBlock shows a URL on one line, indented as the text around it: whole
// when it fits, else shortened in the middle (a line break would make two
// lines of it for a hand selection, or for the terminal's own link
// detection). It is a hyperlink (OSC 8) to the whole URL, so a terminal
// that has them opens or copies all of it; c copies it everywhere.
func (m *Model) urlBlock(u string) string {
	return m.styles.App.Render(m.styles.URL.Hyperlink(u).Render(shortURL(u, max(m.width-2, 10))))
}

// codeBox draws the verification code big: bold and boxed, not spaced
// out, so a copy of it is the code.
func (m *Model) codeBox(code string) string {
	return m.styles.CodeBox.Render(m.styles.Code.Render(code))
}

// short says the window is too short for blank lines between sections.
func (m *Model) short() bool { return m.height < 20 }

// gap separates sections: a blank line, unless the window is short.
func (m *Model) gap() string {
	if m.short() {
		return "\n"
	}
	return "\n\n"
}

// joinColumns puts right beside left, padding left's lines to width. It is
// lipgloss.JoinHorizontal for two blocks whose widths are known already.
func joinColumns(left string, width int, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(l), len(r))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(l) {
			line = l[i]
		}
		b.WriteString(line)
		if i < len(r) {
			b.WriteString(strings.Repeat(" ", max(width-ansi.StringWidth(line), 0)))
			b.WriteString(r[i])
		}
	}
	return b.String()
}

func (m *Model) statusLine() string {
	s := m.styles
	w := max(m.width-2, 1)
	switch {
	case m.probes.running && m.probes.total > 0:
		label := fmt.Sprintf("Probing %d/%d ", m.probes.done, m.probes.total)
		bar := progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'),
			progress.WithColors(s.Palette.Accent), progress.WithWidth(max(min(w-lipgloss.Width(label)-14, 40), 5)))
		return s.App.Render(s.Status.Render(label) + bar.ViewAs(float64(m.probes.done)/float64(m.probes.total)) + s.Muted.Render("  p stops"))
	case m.accounts.confirm:
		id := m.accounts.session.Identity
		// The keys are in the help bar below: the question only.
		q := "Log out of " + core.Who(id) + " on this machine? Press L again to log out."
		if ansi.StringWidth(q) > w {
			q = "Log out of " + core.Clean(id.Name()) + "? Press L again."
		}
		return s.App.Render(ansi.Truncate(s.Warn.Render(q), w, "…"))
	case m.accounts.status == "":
		return ""
	case m.accounts.statusBad:
		return s.App.Render(ansi.Truncate(s.Warn.Render(m.accounts.status), w, "…"))
	default:
		return s.App.Render(ansi.Truncate(s.Status.Render(m.accounts.status), w, "…"))
	}
}

// shortURL shortens a cleaned URL to w cells, keeping its scheme and host
// whole when they leave room, and shortening the rest in the middle: the
// host says where the token goes, the end says which account it is.
func shortURL(u string, w int) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || ansi.StringWidth(u) <= w {
		return middle(u, w)
	}
	host, path, _ := strings.Cut(rest, "/")
	prefix := scheme + "://" + host
	if ansi.StringWidth(prefix)+6 > w {
		return middle(u, w)
	}
	return prefix + middle("/"+path, w-ansi.StringWidth(prefix))
}

// middle shortens plain text to w cells with an ellipsis in the middle,
// keeping both ends.
func middle(text string, w int) string {
	n := ansi.StringWidth(text)
	if n <= w {
		return text
	}
	if w < 5 {
		return ansi.Truncate(text, w, "…")
	}
	head := (w - 1) / 2
	return ansi.Truncate(text, head, "") + "…" + ansi.TruncateLeft(text, n-(w-1-head), "")
}
