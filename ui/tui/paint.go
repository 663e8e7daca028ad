package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"bcauth/theme"
)

// painter colours single-line text with a style's escape sequences worked
// out once, rather than through lipgloss for every row of every frame. It
// suits styles with colours and attributes only: no padding, width,
// borders or underline (which lipgloss draws per character).
type painter struct{ pre, post string }

func newPainter(st lipgloss.Style) painter {
	const mark = "\ue000" // printable: lipgloss may leave a control character unstyled
	out := st.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return painter{}
	}
	return painter{pre: out[:i], post: out[i+len(mark):]}
}

func (p painter) paint(s string) string {
	if s == "" {
		return ""
	}
	return p.pre + s + p.post
}

// painters are the list's styles, ready for the hot path.
type painters struct {
	group, count, marker, selected, row, muted func(string) string
	// match and selMatch paint the letters a filter matched, on a plain
	// row and on the selected one.
	match, selMatch func(string) string
}

func newPainters(s theme.Styles) painters {
	return painters{
		group:    newPainter(s.Group).paint,
		count:    newPainter(s.GroupCount).paint,
		marker:   newPainter(s.Marker).paint,
		selected: newPainter(s.Selected).paint,
		row:      newPainter(s.Row).paint,
		muted:    newPainter(s.Muted).paint,
		match:    newPainter(s.Accent.Bold(true)).paint,
		selMatch: newPainter(s.Marker).paint,
	}
}

// highlight paints text with base, and the runes at marks (ascending rune
// indexes) with mark: the letters a filter matched.
func highlight(text string, marks []int, base, mark func(string) string) string {
	if len(marks) == 0 {
		return base(text)
	}
	var b strings.Builder
	run, inMark, i, next := 0, false, 0, 0
	flush := func(end int) {
		if end > run {
			if inMark {
				b.WriteString(mark(text[run:end]))
			} else {
				b.WriteString(base(text[run:end]))
			}
		}
		run = end
	}
	for at := range text {
		for next < len(marks) && marks[next] < i {
			next++
		}
		m := next < len(marks) && marks[next] == i
		if m != inMark {
			flush(at)
			inMark = m
		}
		i++
	}
	flush(len(text))
	return b.String()
}
