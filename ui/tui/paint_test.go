package tui

import (
	"testing"

	"charm.land/lipgloss/v2"

	"bcauth/theme"
)

// TestPainterMatchesLipgloss: the fast path must draw exactly what lipgloss
// draws for the list's styles, on both backgrounds.
func TestPainterMatchesLipgloss(t *testing.T) {
	for _, dark := range []bool{true, false} {
		s := theme.New(dark)
		for name, st := range map[string]lipgloss.Style{
			"group": s.Group, "count": s.GroupCount, "marker": s.Marker,
			"selected": s.Selected, "row": s.Row, "muted": s.Muted,
		} {
			for _, text := range []string{"Honcho Design", "株式会社さくら", "a"} {
				if got, want := newPainter(st).paint(text), st.Render(text); got != want {
					t.Errorf("dark=%v %s: painter %q, lipgloss %q", dark, name, got, want)
				}
			}
		}
	}
}
