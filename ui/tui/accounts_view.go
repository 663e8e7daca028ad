package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/ui/core"
)

// Layout of the accounts screen, by window size: a side detail pane when
// there is width for it, a detail block below when there is height, else one
// line of detail.
const (
	sidePaneMinWidth  = 100
	belowPaneMinRows  = 22
	belowPaneHeight   = 8
	headerLines       = 3 // title, token line, blank
	statusLines       = 1
	compactDetailRows = 1
	// maxNameWidth caps the name column, so in a wide window the ids stay
	// near the names; the detail pane shows a long name whole. A very wide
	// window gives names half its width (see nameCap).
	maxNameWidth = 56
	// reachLines is what the side pane keeps for the product's answer.
	reachLines = 3
)

func (m *Model) sidePane() bool { return m.width >= sidePaneMinWidth }

// nameCap is the widest the name column gets: maxNameWidth, or in a very
// wide window what half of it leaves beside the id, so a long name is not
// cut while the detail pane stands half empty.
func (m *Model) nameCap() int {
	return max(maxNameWidth, m.width/2-m.accounts.list.idWidth-8)
}

// listHeight is how many list lines fit between the header and the footer.
func (m *Model) listHeight() int {
	h := m.height - headerLines - statusLines - m.helpHeight()
	if m.accounts.filtering || m.accounts.list.filter != "" {
		h--
	}
	if m.helpCrowds() {
		// The blank line, the status line and the detail make way.
		return max(h+2, 1)
	}
	if m.showMarks() {
		h-- // the legend
	}
	switch {
	case m.sidePane():
	case m.height >= belowPaneMinRows:
		h -= belowPaneHeight
	default:
		h -= compactDetailRows
	}
	return max(h, 1)
}

// helpCrowds says the full help, open in a short window, would leave the
// list no row: the detail, the legend, the status line and the blank line
// under the header make way while it is open.
func (m *Model) helpCrowds() bool {
	return m.help.ShowAll && !m.sidePane() && m.height < belowPaneMinRows
}

func (m *Model) helpHeight() int {
	if !m.help.ShowAll {
		return 1
	}
	h := 0
	for _, col := range m.bindings().full {
		h = max(h, len(col))
	}
	return h + 1 // the help bar's own margin
}

func (m *Model) viewAccounts() string {
	s := m.styles
	if m.accounts.session == nil {
		return ""
	}
	id := m.accounts.session.Identity
	who := core.Clean(id.Name())
	if id.EmailAddress != "" && id.EmailAddress != id.Name() {
		who += " · " + core.Clean(id.EmailAddress)
	}
	who += fmt.Sprintf(" · Launchpad #%d", id.ID)
	if m.accounts.session.Server.IsBC5() {
		// The same person may be logged in through both servers.
		who += " · BC5"
	}
	if at, of := m.idPosition(); of > 1 && at > 0 {
		who += fmt.Sprintf(" · ID %d of %d (s switches)", at, of)
	}

	var b strings.Builder
	b.WriteString(m.header("Accounts", who) + "\n")
	b.WriteString(s.App.Render(ansi.Truncate(m.tokenLine(), max(m.width-2, 1), "…")) + "\n")
	crowded := m.helpCrowds()
	if !crowded {
		b.WriteString("\n")
	}

	if m.accounts.picking {
		b.WriteString(m.accounts.picker.render(m.styles, m.width))
		return b.String()
	}
	if m.accounts.filtering || m.accounts.list.filter != "" {
		count := s.Muted.Render(fmt.Sprintf("  %d of %d", len(m.accounts.list.visible), len(m.accounts.list.rows)))
		field := m.accounts.filter.View()
		if !m.accounts.filtering {
			// As wide as the field being typed in, so the count stays
			// where it was on enter.
			room := max(m.width-4-lipgloss.Width(count), 8)
			text := ansi.Truncate(m.accounts.list.filter, room, "…")
			pad := max(lipgloss.Width(field)-2-ansi.StringWidth(text), 0)
			field = s.InputPrompt.Render("/ ") + s.Text.Render(text) + strings.Repeat(" ", pad)
		}
		b.WriteString(s.App.Render(ansi.Truncate(field+count, max(m.width-2, 1), "…")) + "\n")
	}

	height := m.listHeight()
	if m.sidePane() {
		// The list needs its names and ids, no more: in a wide window the
		// detail pane takes the rest rather than a gap.
		l := &m.accounts.list
		need := min(l.nameWidth, m.nameCap()) + l.idWidth + 6
		listW := min(m.width*11/20-1, max(need, m.width*2/5))
		paneW := m.width - listW - 3
		list := m.renderList(listW, height)
		pane := m.renderDetail(paneW-4, height-2, false)
		pane = s.Box.Width(paneW).MaxHeight(height).Render(pane)
		b.WriteString(indent(joinColumns(list, listW+1, pane)) + "\n")
	} else {
		b.WriteString(indent(m.renderList(m.width-2, height)) + "\n")
		if crowded {
			return b.String()
		}
		if m.height >= belowPaneMinRows {
			pane := fitHeight(m.renderDetail(m.width-6, belowPaneHeight-2, false), belowPaneHeight-2)
			b.WriteString(s.App.Render(s.Box.Width(m.width-2).Render(pane)) + "\n")
		} else {
			b.WriteString(s.App.Render(m.renderDetail(m.width-2, 1, true)) + "\n")
		}
	}
	if m.showMarks() {
		b.WriteString(m.legend() + "\n")
	}
	b.WriteString(m.statusLine())
	return b.String()
}

// withMore puts "↑ N more ↓ M more" at the right of the top line, when
// there are accounts above or below the window.
func withMore(line string, width, above, below int, paint func(string) string) string {
	var more []string
	if above > 0 {
		more = append(more, fmt.Sprintf("↑ %d more", above))
	}
	if below > 0 {
		more = append(more, fmt.Sprintf("↓ %d more", below))
	}
	if len(more) == 0 {
		return line
	}
	right := strings.Join(more, "  ")
	gap := width - ansi.StringWidth(line) - ansi.StringWidth(right)
	if gap < 2 {
		return line
	}
	return line + strings.Repeat(" ", gap) + paint(right)
}

// tokenLine says how the token stands and how fresh the list is.
func (m *Model) tokenLine() string {
	s := m.styles
	now := m.now()
	exp := m.accounts.session.Token.Expiry
	var state string
	switch {
	case exp.IsZero():
		state = s.Muted.Render("token expiry unknown")
	case exp.Before(now):
		state = s.Warn.Render("● token expired") + s.Muted.Render(" · refreshing when needed")
	default:
		state = s.Good.Render("●") + s.Muted.Render(" token "+core.Expiry(exp, now))
	}
	if m.cfg.Service.FromEnv(m.accounts.session) {
		state += s.Muted.Render(" · from BASECAMP_TOKEN, never refreshed")
	}
	if !m.accounts.refreshed.IsZero() {
		state += s.Muted.Render(" · refreshed " + core.Ago(m.accounts.refreshed, now))
	}
	// The whole list's size, filter aside, so the line stays put while
	// typing; the filter line counts what it shows.
	n, p := len(m.accounts.list.rows), m.accounts.list.groups
	state += s.Muted.Render(fmt.Sprintf(" · %d %s", n, core.Plural(n, "account", "accounts")))
	if n > 0 {
		state += s.Muted.Render(fmt.Sprintf(" in %d %s", p, core.Plural(p, "product", "products")))
	}
	if m.accounts.loading {
		state += " " + m.spinner.View() + s.Muted.Render(" checking Launchpad")
	} else if !m.accounts.session.FetchedAt.IsZero() {
		state += s.Muted.Render(" · fetched " + core.Ago(m.accounts.session.FetchedAt, now))
	}
	return state
}

// renderList draws the visible window of the grouped list.
func (m *Model) renderList(width, height int) string {
	s := m.styles
	l := m.accounts.list
	// A message takes the list's whole height, so what is below it stays
	// where it was.
	if len(l.rows) == 0 {
		return fitHeight(s.Muted.Width(width).Render("This Basecamp ID has no active accounts. Press r to ask Launchpad again."), height)
	}
	if len(l.visible) == 0 {
		filter := ansi.Truncate(l.filter, max(width/2, 8), "…")
		return fitHeight(s.Muted.Width(width).Render("No account matches “"+filter+"”. Press esc to clear the filter."), height)
	}
	sel := -1
	if len(l.visible) > 0 {
		sel = l.visible[l.cursor]
	}
	out := make([]string, 0, height)
	// The mark column is always there, so rows do not shift when the first
	// answer arrives; ids sit after the longest name, not at the far edge
	// of a wide window.
	const markW = 2
	idW := l.idWidth
	nameW := max(min(l.nameWidth, m.nameCap(), width-idW-4-markW), 4)
	end := min(l.offset+height, len(l.lines))
	above, below := l.around(height)
	for i := l.offset; i < end; i++ {
		li := l.lines[i]
		if i == l.offset && li.row >= 0 {
			// Scrolled into a group: its heading stays on top.
			li = l.lines[l.headingOf(i)]
		}
		if li.row < 0 {
			title := ansi.Truncate(li.heading, max(width-8, 4), "…")
			head := m.paint.group(title) + m.paint.count(" · "+strconv.Itoa(li.count))
			if i == l.offset {
				head = withMore(head, width, above, below, m.paint.muted)
			}
			out = append(out, head)
			continue
		}
		r := &l.rows[li.row]
		name := ansi.Truncate(r.name, nameW, "…")
		gap := strings.Repeat(" ", max(nameW-ansi.StringWidth(name)+2+idW-len(r.id), 1))
		if i == sel {
			out = append(out, m.paint.marker("▌ ")+m.rowMark(r.key, true)+highlight(name, li.marks, m.paint.selected, m.paint.selMatch)+
				m.paint.selected(gap)+highlight(r.id, li.idMarks, m.paint.selected, m.paint.selMatch))
		} else {
			out = append(out, "  "+m.rowMark(r.key, false)+highlight(name, li.marks, m.paint.row, m.paint.match)+gap+
				highlight(r.id, li.idMarks, m.paint.muted, m.paint.match))
		}
	}
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// renderDetail describes the selected account; compact is one line.
func (m *Model) renderDetail(width, height int, compact bool) string {
	s := m.styles
	r, ok := m.accounts.list.selected()
	if !ok {
		return s.Muted.Render("No account selected.")
	}
	if compact {
		line := s.Label.Render("href ") + s.URL.Render(shortURL(r.href, max(width-5, 8)))
		if res, ok := m.probes.results[r.key]; ok {
			line = m.markStyle(res.Status).Render(probeMark(res.Status)+" "+res.Status.String()) + s.Muted.Render(" · ") + line
		}
		return ansi.Truncate(line, max(width, 1), "…")
	}
	side := m.sidePane()
	href := func(label, value string) string {
		// One line, shortened in the middle: the ends of an href are what
		// tell accounts apart, and a wrap would split a number. Copying
		// still copies it whole.
		// A hyperlink (OSC 8) to the whole, for terminals that have them.
		return s.Label.Render(fmt.Sprintf("%-9s", label)) + s.Value.Hyperlink(value).Render(shortURL(value, max(width-9, 8)))
	}
	field := func(label, value string) string {
		w := max(width-9, 4)
		if side {
			// The side pane has the height to show an href whole.
			value = strings.ReplaceAll(ansi.Hardwrap(value, w, false), "\n", "\n"+strings.Repeat(" ", 9))
		} else {
			value = ansi.Truncate(value, w, "…")
		}
		return s.Label.Render(fmt.Sprintf("%-9s", label)) + s.Value.Render(value)
	}
	lines := []string{
		s.Title.Render(ansi.Truncate(r.name, max(width, 4), "…")),
		field("product", r.prodName+" ("+core.Clean(r.acc.Product)+")"),
		field("id", r.id),
		href("href", r.href),
	}
	if r.appHref != "" {
		lines = append(lines, href("app_href", r.appHref))
	} else {
		lines = append(lines, field("app_href", s.Muted.Render("none (o opens href)")))
	}
	reach := m.probeLine(r.key)
	if side {
		// There is room to say why in full, in lines kept for it from the
		// start, so the box does not grow when the product answers.
		reach = lipgloss.NewStyle().Width(max(width-9, 4)).Render(reach)
		reach = fitHeight(strings.ReplaceAll(reach, "\n", "\n"+strings.Repeat(" ", 9)), reachLines)
	} else {
		reach = ansi.Truncate(reach, max(width-9, 4), "…")
	}
	lines = append(lines, s.Label.Render(fmt.Sprintf("%-9s", "reach"))+reach)
	if side && r.name != "" && ansi.StringWidth(r.name) > width {
		// The full name, wrapped, when the title had to be cut.
		lines = append(lines, "", s.Muted.Width(width).Render(r.name))
	}
	if len(lines) > height && height > 0 {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}

func (m *Model) viewLoggedOut() string {
	s := m.styles
	var b strings.Builder
	b.WriteString(m.header("Logged out", "") + "\n\n")
	b.WriteString(s.App.Render(m.wrap(s.Text, "Logged out of "+m.loggedOut+". Its tokens are gone from this machine.")) + "\n\n")
	b.WriteString(s.App.Render(m.wrap(s.Muted, revocationWords(m.revocation, m.settings.LaunchpadURL()))) + "\n\n")
	b.WriteString(s.App.Render("Press " + s.Key.Render("enter") + " to log in again, or " + s.Key.Render("q") + " to quit."))
	return b.String()
}

// revocationWords says what became of a forgotten login at its server:
// BC5 revoked it (or did not say so), or Launchpad, which has no way to
// revoke a token, still lists bcauth.
func revocationWords(r *core.Revocation, launchpadURL string) string {
	switch {
	case r != nil && r.Confirmed:
		return core.Clean(r.Session.Server.Name()) + " confirmed that this login's refresh token is revoked."
	case r != nil && r.Err != nil:
		return core.Clean(r.Session.Server.Name()) + " could not be asked to revoke this login's refresh token (" + core.Clean(r.Err.Error()) + "); it ends when it expires or is refused."
	case r != nil && r.Asked:
		return core.Clean(r.Session.Server.Name()) + " did not confirm that this login's refresh token is revoked."
	case r != nil && r.Session.Server.IsBC5():
		return "Nothing was left to revoke at " + core.Clean(r.Session.Server.Name()) + "."
	}
	return "Launchpad still lists bcauth among the apps this Basecamp ID authorized; sign in at " + core.Clean(launchpadURL) + " and remove it there to revoke access everywhere."
}

// revokedThere is revocationWords for a status line: what the server of a
// BC5 login said, in a few words ("" for Launchpad, which revokes nothing).
func revokedThere(r *core.Revocation) string {
	switch {
	case r == nil || !r.Session.Server.IsBC5():
		return ""
	case r.Confirmed:
		return " (revoked there)"
	case r.Asked || r.Err != nil:
		return " (its revocation was not confirmed)"
	}
	return ""
}
