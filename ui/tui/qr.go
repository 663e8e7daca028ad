package tui

import "strings"

// A QR code of the device login's address, so a phone can scan it: drawn
// in half blocks, two rows of modules to a line of text, in the
// terminal's own two colours. A module is then about as wide as it is
// tall, and the code needs no colour, so it survives NO_COLOR and any
// theme: on a dark background the light modules are the ones drawn.

// qrQuiet is the light margin around the code, in modules. The standard
// asks for four; scanners read two well, and the window is small.
const qrQuiet = 2

// qrLines draws text as a QR code for a dark or a light background; nil
// when it does not fit one (never for an address of a sane length).
func qrLines(text string, darkBackground bool) []string {
	q, ok := qrEncode([]byte(text))
	if !ok {
		return nil
	}
	size := q.Size()
	n := size + 2*qrQuiet
	dark := func(x, y int) bool {
		x, y = x-qrQuiet, y-qrQuiet
		return x >= 0 && y >= 0 && x < size && y < size && q.Module(x, y)
	}
	// Which modules the foreground draws: the dark ones on a light
	// background, the light ones (the margin too) on a dark one.
	ink := func(x, y int) bool {
		if y >= n {
			return false // below the code: the terminal's background
		}
		return dark(x, y) != darkBackground
	}
	lines := make([]string, 0, (n+1)/2)
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := range n {
			top, bottom := ink(x, y), ink(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}
