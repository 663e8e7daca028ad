package tui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

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
			"match": s.Accent.Bold(true), "selMatch": s.Marker,
		} {
			for _, text := range []string{"Honcho Design", "株式会社さくら", "a"} {
				if got, want := newPainter(st).paint(text), st.Render(text); got != want {
					t.Errorf("dark=%v %s: painter %q, lipgloss %q", dark, name, got, want)
				}
			}
		}
	}
}

// TestFilterMatchesArePainted: the letters a filter matched are drawn in
// their own style on a plain row and on the selected one, whose bar stays
// whole.
func TestFilterMatchesArePainted(t *testing.T) {
	p := newPainters(theme.New(true))
	for name, f := range map[string]func(string) string{"match": p.match, "selMatch": p.selMatch} {
		if got := f("x"); got == "x" || !strings.Contains(got, "\x1b[") {
			t.Errorf("%s paints nothing: %q", name, got)
		}
	}
	// On the selected row every run carries the selection's background.
	got := highlight("Wayne Enterprises", []int{0, 1, 2, 3, 4}, p.selected, p.selMatch)
	if strings.Contains(ansi.Strip(got), "\x00") || ansi.Strip(got) != "Wayne Enterprises" || strings.Count(got, "\x1b[") < 2 {
		t.Errorf("selected highlight = %q", got)
	}
}
