package main

import (
	"fmt"
	"strings"
)

// Box-drawing and block characters are drawn as shapes that fill their
// cell, the way kitty, WezTerm and Ghostty draw them, instead of taken from
// the font: a font's glyphs rarely span the whole line height or the exact
// cell width, so borders would show gaps or jut out.

// arms of a line-drawing character: up, right, down, left; 0 none, 1 light,
// 2 heavy.
type arms [4]uint8

var lines = map[rune]arms{
	'─': {0, 1, 0, 1}, '━': {0, 2, 0, 2}, '│': {1, 0, 1, 0}, '┃': {2, 0, 2, 0},
	'┌': {0, 1, 1, 0}, '┏': {0, 2, 2, 0}, '┐': {0, 0, 1, 1}, '┓': {0, 0, 2, 2},
	'└': {1, 1, 0, 0}, '┗': {2, 2, 0, 0}, '┘': {1, 0, 0, 1}, '┛': {2, 0, 0, 2},
	'├': {1, 1, 1, 0}, '┣': {2, 2, 2, 0}, '┤': {1, 0, 1, 1}, '┫': {2, 0, 2, 2},
	'┬': {0, 1, 1, 1}, '┳': {0, 2, 2, 2}, '┴': {1, 1, 0, 1}, '┻': {2, 2, 0, 2},
	'┼': {1, 1, 1, 1}, '╋': {2, 2, 2, 2},
	'╴': {0, 0, 0, 1}, '╵': {1, 0, 0, 0}, '╶': {0, 1, 0, 0}, '╷': {0, 0, 1, 0},
}

// rounded corners: the two arms they join, as in arms.
var rounded = map[rune]arms{
	'╭': {0, 1, 1, 0}, '╮': {0, 0, 1, 1}, '╯': {1, 0, 0, 1}, '╰': {1, 1, 0, 0},
}

// blocks: the filled part of the cell as fractions x, y, w, h and an
// opacity (the shades).
var blocks = map[rune][5]float64{
	'█': {0, 0, 1, 1, 1}, '▀': {0, 0, 1, 0.5, 1}, '▄': {0, 0.5, 1, 0.5, 1},
	'▌': {0, 0, 0.5, 1, 1}, '▐': {0.5, 0, 0.5, 1, 1},
	'░': {0, 0, 1, 1, 0.25}, '▒': {0, 0, 1, 1, 0.5}, '▓': {0, 0, 1, 1, 0.75},
}

// drawn reports whether r is drawn as a shape rather than from the font.
func drawn(r rune) bool {
	_, l := lines[r]
	_, c := rounded[r]
	_, b := blocks[r]
	return l || c || b
}

// symbols returns one SVG <symbol> per shape character used on s, each
// named "b" and the code point in hex, for <use> in the cells.
func symbols(s *screen, cw, ch, lw int) string {
	seen := map[rune]bool{}
	var b strings.Builder
	for _, row := range s.cells {
		for _, c := range row {
			r := []rune(c.text + " ")[0]
			if c.width != 1 || seen[r] || !drawn(r) {
				continue
			}
			seen[r] = true
			fmt.Fprintf(&b, `<symbol id="b%x" viewBox="0 0 %d %d">%s</symbol>`, r, cw, ch, shape(r, cw, ch, lw))
		}
	}
	return b.String()
}

// shape is the SVG for one character in a cw × ch cell with light lines lw
// wide. Lines are rectangles that overlap at the centre, so joins have no
// notch, and sit on whole pixels when lw is even.
func shape(r rune, cw, ch, lw int) string {
	cx, cy := float64(cw/2), float64(ch/2)
	if a, ok := blocks[r]; ok {
		return fmt.Sprintf(`<rect x="%g" y="%g" width="%g" height="%g" fill="currentColor" fill-opacity="%g"/>`,
			a[0]*float64(cw), a[1]*float64(ch), a[2]*float64(cw), a[3]*float64(ch), a[4])
	}
	if a, ok := rounded[r]; ok {
		// The arc's radius is half the cell's width: the curve meets the
		// straight lines of the cells beside and below or above.
		rad := float64(cw) / 2
		hx, hy := 0.0, cy // the horizontal arm's far end
		if a[1] > 0 {
			hx = float64(cw)
		}
		vy, dy := float64(ch), rad // the vertical arm's far end
		if a[0] > 0 {
			vy, dy = 0, -rad
		}
		dx := -rad
		if a[1] > 0 {
			dx = rad
		}
		// Sweep clockwise for ╮ and ╰, counter-clockwise for ╭ and ╯.
		sweep := 0
		if r == '╮' || r == '╰' {
			sweep = 1
		}
		return fmt.Sprintf(`<path d="M%g %gH%gA%g %g 0 0 %d %g %gV%g" fill="none" stroke="currentColor" stroke-width="%d"/>`,
			hx, hy, cx+dx, rad, rad, sweep, cx, cy+dy, vy, lw)
	}
	a := lines[r]
	var b strings.Builder
	for i, weight := range a {
		if weight == 0 {
			continue
		}
		w := float64(lw * int(weight))
		h := w / 2
		var x, y, width, height float64
		switch i {
		case 0: // up
			x, y, width, height = cx-h, 0, w, cy+h
		case 1: // right
			x, y, width, height = cx-h, cy-h, float64(cw)-cx+h, w
		case 2: // down
			x, y, width, height = cx-h, cy-h, w, float64(ch)-cy+h
		case 3: // left
			x, y, width, height = 0, cy-h, cx+h, w
		}
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="currentColor"/>`, x, y, width, height)
	}
	return b.String()
}
