package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/progress"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/ui"
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
)

func (m Model) sidePane() bool { return m.width >= sidePaneMinWidth }

// listHeight is how many list lines fit between the header and the footer.
func (m Model) listHeight() int {
	h := m.height - headerLines - statusLines - m.helpHeight()
	if m.filtering || m.list.filter != "" {
		h--
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

func (m Model) helpHeight() int {
	if m.help.ShowAll {
		return 7
	}
	return 1
}

func (m Model) viewAccounts() string {
	s := m.styles
	if m.session == nil {
		return ""
	}
	id := m.session.Identity
	who := ui.Clean(id.Name())
	if id.EmailAddress != "" && id.EmailAddress != id.Name() {
		who += " · " + ui.Clean(id.EmailAddress)
	}
	who += fmt.Sprintf(" · Launchpad #%d", id.ID)

	var b strings.Builder
	b.WriteString(m.header("Accounts", who) + "\n")
	b.WriteString(s.App.Render(ansi.Truncate(m.tokenLine(), max(m.width-2, 1), "…")) + "\n\n")

	if m.picking {
		b.WriteString(m.viewPicker())
		return b.String()
	}
	if m.filtering || m.list.filter != "" {
		count := s.Muted.Render(fmt.Sprintf("  %d of %d", len(m.list.visible), len(m.list.rows)))
		field := m.filterInput.View()
		if !m.filtering {
			field = s.InputPrompt.Render("/ ") + s.Text.Render(m.list.filter)
		}
		b.WriteString(s.App.Render(ansi.Truncate(field+count, max(m.width-2, 1), "…")) + "\n")
	}

	height := m.listHeight()
	if m.sidePane() {
		listW := m.width*11/20 - 1
		paneW := m.width - listW - 3
		list := m.renderList(listW, height)
		pane := m.renderDetail(paneW-4, height-2, false)
		pane = s.Box.Width(paneW).MaxHeight(height).Render(pane)
		b.WriteString(indent(joinColumns(list, listW+1, pane)) + "\n")
	} else {
		b.WriteString(indent(m.renderList(m.width-2, height)) + "\n")
		if m.height >= belowPaneMinRows {
			pane := m.renderDetail(m.width-6, belowPaneHeight-2, false)
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

// showMarks says whether rows carry probe marks: once anything was probed.
func (m Model) showMarks() bool { return m.probes.running || len(m.probes.results) > 0 }

// markStyle colours a probe mark by how good the news is.
func (m Model) markStyle(st auth.Status) lipgloss.Style {
	switch st {
	case auth.Reachable:
		return m.styles.Good
	case auth.Refused, auth.ServerError, auth.Failed:
		return m.styles.Error
	case auth.Inactive, auth.NotFound, auth.RateLimited, auth.Timeout:
		return m.styles.Warn
	}
	return m.styles.Muted
}

// legend explains the marks, as much as fits.
func (m Model) legend() string {
	s := m.styles
	parts := []string{}
	for _, st := range []auth.Status{auth.Reachable, auth.Refused, auth.Inactive, auth.NotFound, auth.RateLimited, auth.ServerError, auth.NotProbed} {
		label := map[auth.Status]string{auth.Refused: "refused", auth.Inactive: "inactive", auth.RateLimited: "slow",
			auth.ServerError: "error", auth.NotProbed: "not probed"}[st]
		if m.width < 80 {
			label = map[auth.Status]string{auth.Reachable: "ok", auth.Refused: "refused", auth.Inactive: "inactive",
				auth.NotFound: "gone", auth.RateLimited: "slow", auth.ServerError: "error", auth.NotProbed: "skipped"}[st]
		}
		if label == "" {
			label = st.String()
		}
		parts = append(parts, m.markStyle(st).Render(probeMark(st))+s.Muted.Render(" "+label))
	}
	return s.App.Render(ansi.Truncate(strings.Join(parts, s.Subtle.Render("  ")), max(m.width-2, 1), "…"))
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

// tokenLine says how the token stands and how fresh the list is.
func (m Model) tokenLine() string {
	s := m.styles
	now := m.now()
	exp := m.session.Token.Expiry
	var state string
	switch {
	case exp.IsZero():
		state = s.Muted.Render("token expiry unknown")
	case exp.Before(now):
		state = s.Warn.Render("● token expired") + s.Muted.Render(" · refreshing when needed")
	default:
		state = s.Good.Render("●") + s.Muted.Render(" token "+ui.Expiry(exp, now))
	}
	if !m.refreshed.IsZero() {
		state += s.Muted.Render(" · refreshed " + ui.Ago(m.refreshed, now))
	}
	n, p := len(m.list.rows), m.list.products()
	state += s.Muted.Render(fmt.Sprintf(" · %d %s", n, ui.Plural(n, "account", "accounts")))
	if m.list.filter == "" && n > 0 {
		state += s.Muted.Render(fmt.Sprintf(" in %d %s", p, ui.Plural(p, "product", "products")))
	}
	if m.loading {
		state += " " + m.spinner.View() + s.Muted.Render(" checking Launchpad")
	} else if !m.session.FetchedAt.IsZero() {
		state += s.Muted.Render(" · fetched " + ui.Ago(m.session.FetchedAt, now))
	}
	return state
}

// renderList draws the visible window of the grouped list.
func (m Model) renderList(width, height int) string {
	s := m.styles
	l := m.list
	if len(l.rows) == 0 {
		return s.Muted.Width(width).Render("This Basecamp ID has no active accounts. Press r to ask Launchpad again.")
	}
	if len(l.visible) == 0 {
		return s.Muted.Width(width).Render("No account matches “" + l.filter + "”. Press esc to clear the filter.")
	}
	sel := -1
	if len(l.visible) > 0 {
		sel = l.visible[l.cursor]
	}
	out := make([]string, 0, height)
	marks := m.showMarks()
	end := min(l.offset+height, len(l.lines))
	for i := l.offset; i < end; i++ {
		li := l.lines[i]
		if li.row < 0 {
			title := ansi.Truncate(li.heading, max(width-8, 4), "…")
			out = append(out, m.paint.group(title)+m.paint.count(" · "+strconv.Itoa(li.count)))
			continue
		}
		r := &l.rows[li.row]
		idw := len(r.id)
		mark, markW := "", 0
		if marks {
			mark, markW = m.rowMark(r.key), 2
		}
		nameW := max(width-idw-4-markW, 4)
		name := ansi.Truncate(r.name, nameW, "…")
		gap := max(width-2-markW-ansi.StringWidth(name)-idw, 1)
		if i == sel {
			out = append(out, m.paint.marker("▌ ")+mark+m.paint.selected(name+strings.Repeat(" ", gap)+r.id))
		} else {
			out = append(out, "  "+mark+m.paint.row(name)+strings.Repeat(" ", gap)+m.paint.muted(r.id))
		}
	}
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// rowMark is a row's probe mark and a space: the answer, a dot while a
// probe is out, blank before.
func (m Model) rowMark(key string) string {
	if res, ok := m.probes.results[key]; ok {
		return m.markStyle(res.Status).Render(probeMark(res.Status)) + " "
	}
	if m.probes.inFlight[key] || m.probes.running {
		return m.styles.Subtle.Render("·") + " "
	}
	return "  "
}

// probeLine describes what the selected account's product said, in the
// words bcauth probe prints, so the two always agree.
func (m Model) probeLine(key string) string {
	s := m.styles
	res, ok := m.probes.results[key]
	switch {
	case ok && res.Status == auth.Reachable:
		return s.Good.Render("✓ reachable") + s.Value.Render(" as "+ui.ProbeDetail(res))
	case ok:
		text := m.markStyle(res.Status).Render(probeMark(res.Status) + " " + res.Status.String())
		if d := ui.ProbeDetail(res); d != res.Status.String() {
			text += s.Muted.Render(": " + d)
		}
		return text
	case m.probes.inFlight[key]:
		return s.Muted.Render(m.spinner.View() + " asking the product…")
	}
	if m.cfg.ProbeDelay >= 0 {
		return s.Muted.Render(m.spinner.View() + " asking the product…")
	}
	return s.Muted.Render("not asked yet (p probes every account)")
}

// renderDetail describes the selected account; compact is one line.
func (m Model) renderDetail(width, height int, compact bool) string {
	s := m.styles
	r, ok := m.list.selected()
	if !ok {
		return s.Muted.Render("No account selected.")
	}
	if compact {
		line := s.Label.Render("href ") + s.URL.Render(r.href)
		if res, ok := m.probes.results[r.key]; ok {
			line = m.markStyle(res.Status).Render(probeMark(res.Status)+" "+res.Status.String()) + s.Muted.Render(" · ") + line
		}
		return ansi.Truncate(line, max(width, 1), "…")
	}
	side := m.sidePane()
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
		field("product", r.prodName+" ("+ui.Clean(r.acc.Product)+")"),
		field("id", r.id),
		field("href", r.href),
	}
	if r.appHref != "" {
		lines = append(lines, field("app_href", r.appHref))
	} else {
		lines = append(lines, field("app_href", s.Muted.Render("none (o opens href)")))
	}
	reach := m.probeLine(r.key)
	if side {
		// There is room to say why in full.
		reach = lipgloss.NewStyle().Width(max(width-9, 4)).Render(reach)
		reach = strings.ReplaceAll(reach, "\n", "\n"+strings.Repeat(" ", 9))
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

func (m Model) statusLine() string {
	s := m.styles
	w := max(m.width-2, 1)
	switch {
	case m.probes.running && m.probes.total > 0:
		label := fmt.Sprintf("Probing %d/%d ", m.probes.done, m.probes.total)
		bar := progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'),
			progress.WithColors(s.Palette.Accent), progress.WithWidth(max(min(w-lipgloss.Width(label)-14, 40), 5)))
		return s.App.Render(s.Status.Render(label) + bar.ViewAs(float64(m.probes.done)/float64(m.probes.total)) + s.Muted.Render("  p stops"))
	case m.confirm:
		id := m.session.Identity
		return s.App.Render(ansi.Truncate(s.Warn.Render("Log out of "+ui.Clean(id.Name())+"? ")+s.Key.Render("y")+s.Muted.Render(" yes · ")+s.Key.Render("n")+s.Muted.Render(" no"), w, "…"))
	case m.status == "":
		return ""
	case m.statusBad:
		return s.App.Render(ansi.Truncate(s.Warn.Render(m.status), w, "…"))
	default:
		return s.App.Render(ansi.Truncate(s.Status.Render(m.status), w, "…"))
	}
}

// viewPicker lists the stored Basecamp IDs for switching.
func (m Model) viewPicker() string {
	s := m.styles
	var b strings.Builder
	b.WriteString(s.App.Render(s.Title.Render("Switch Basecamp ID")) + "\n\n")
	entries := make([]string, 0, len(m.others)+1)
	for _, o := range m.others {
		label := ui.Clean(o.Identity.Name())
		if o.Identity.EmailAddress != "" {
			label += " · " + ui.Clean(o.Identity.EmailAddress)
		}
		if m.session != nil && o.Key() == m.session.Key() {
			label += " (current)"
		}
		entries = append(entries, label)
	}
	entries = append(entries, "+ Log in with another Basecamp ID")
	for i, e := range entries {
		e = ansi.Truncate(e, max(m.width-6, 4), "…")
		if i == m.pick {
			b.WriteString(s.App.Render(s.Marker.Render("▌ ")+s.Selected.Render(e)) + "\n")
		} else {
			b.WriteString(s.App.Render("  "+s.Row.Render(e)) + "\n")
		}
	}
	return b.String()
}
