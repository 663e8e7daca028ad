package theme

import (
	"image/color"
	"math"
	"testing"
)

// luminance is WCAG 2's relative luminance of a colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio between two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestPaletteContrast keeps both palettes readable on the backgrounds they
// are chosen for: body text at WCAG AA (4.5:1), muted text and accents at
// 3:1, the selected row's text on its highlight at AA.
func TestPaletteContrast(t *testing.T) {
	backgrounds := map[bool]color.Color{
		true:  color.RGBA{0x1c, 0x1c, 0x1c, 0xff}, // a typical dark terminal
		false: color.RGBA{0xff, 0xff, 0xff, 0xff},
	}
	for dark, bg := range backgrounds {
		p := NewPalette(dark)
		checks := []struct {
			name   string
			fg, bg color.Color
			min    float64
		}{
			{"text", p.Text, bg, 4.5},
			{"muted", p.Muted, bg, 3},
			{"accent", p.Accent, bg, 3},
			{"good", p.Good, bg, 3},
			{"warn", p.Warn, bg, 3},
			{"bad", p.Bad, bg, 3},
			{"selected text", p.Text, p.Selection, 4.5},
			{"brand badge", p.OnAccent, p.Accent, 4.5},
		}
		for _, c := range checks {
			if got := contrast(c.fg, c.bg); got < c.min {
				t.Errorf("dark=%v: %s contrast %.2f:1, want at least %.1f:1", dark, c.name, got, c.min)
			}
		}
	}
}

// TestStylesFollowTheBackground checks New builds different colours for
// dark and light, so a BackgroundColorMsg really changes the look.
func TestStylesFollowTheBackground(t *testing.T) {
	d, l := New(true), New(false)
	if d.Palette.Text == l.Palette.Text || d.Palette.Accent == l.Palette.Accent {
		t.Error("dark and light palettes share their text or accent colour")
	}
	if !d.Dark || l.Dark {
		t.Error("Styles.Dark does not say which background they are for")
	}
}
