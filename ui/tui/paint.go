package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"bcauth/theme"
)

// painter colours single-line text with a style's escape sequences worked
// out once, rather than through lipgloss for every row of every frame. It
// suits styles with colours and attributes only: no padding, width or
// borders.
type painter struct{ pre, post string }

func newPainter(st lipgloss.Style) painter {
	const mark = "\x00"
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
}

func newPainters(s theme.Styles) painters {
	return painters{
		group:    newPainter(s.Group).paint,
		count:    newPainter(s.GroupCount).paint,
		marker:   newPainter(s.Marker).paint,
		selected: newPainter(s.Selected).paint,
		row:      newPainter(s.Row).paint,
		muted:    newPainter(s.Muted).paint,
	}
}
