package tui

import (
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"
)

// TestQRCodeScans draws the address as the terminal would show it, on a
// dark and on a light background, and reads it back with a decoder: the
// half blocks, their orientation and the margin must all be right for
// that to work.
func TestQRCodeScans(t *testing.T) {
	const u = "https://app.basecamp.example/device?user_code=WDJB-MJHT"
	for _, dark := range []bool{true, false} {
		lines := qrLines(u, dark)
		if lines == nil {
			t.Fatal("no QR code")
		}
		got, err := goqr.Decode(screenImage(lines, dark))
		if err != nil || got != u {
			t.Errorf("dark background %v: decoded %q, %v; want %q", dark, got, err, u)
		}
		for _, l := range lines {
			if n := len([]rune(l)); n != len([]rune(lines[0])) {
				t.Fatalf("ragged lines: %d and %d cells", n, len([]rune(lines[0])))
			}
		}
	}
}

// screenImage paints lines of half blocks as a terminal does: each cell
// two pixels tall, the foreground light on a dark background and dark on
// a light one, scaled up and with the terminal's background around.
func screenImage(lines []string, dark bool) image.Image {
	const scale, pad = 4, 8
	fg, bg := color.Gray{0}, color.Gray{255}
	if dark {
		fg, bg = bg, fg
	}
	w, h := len([]rune(lines[0])), 2*len(lines)
	img := image.NewGray(image.Rect(0, 0, (w+2*pad)*scale, (h+2*pad)*scale))
	set := func(x, y int, c color.Gray) {
		for dy := range scale {
			for dx := range scale {
				img.SetGray((x+pad)*scale+dx, (y+pad)*scale+dy, c)
			}
		}
	}
	for y := range h + 2*pad {
		for x := range w + 2*pad {
			set(x-pad, y-pad, bg)
		}
	}
	for row, l := range lines {
		for x, r := range []rune(l) {
			top, bottom := bg, bg
			switch r {
			case '█':
				top, bottom = fg, fg
			case '▀':
				top = fg
			case '▄':
				bottom = fg
			}
			set(x, 2*row, top)
			set(x, 2*row+1, bottom)
		}
	}
	return img
}

// scanScreen finds a QR code drawn on a dark screen (the test programs'
// background) and decodes it.
func scanScreen(screen string) (string, error) {
	var lines []string
	col := -1
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		i := strings.Index(l, "████████████████████")
		if col < 0 && i >= 0 {
			col = len([]rune(l[:i]))
		}
		if col < 0 {
			continue
		}
		if col >= len(r) || !strings.ContainsRune("█▀▄", r[col]) {
			break
		}
		end := col
		for end < len(r) && strings.ContainsRune("█▀▄ ", r[end]) {
			end++
		}
		lines = append(lines, strings.TrimRight(string(r[col:end]), " "))
	}
	if len(lines) == 0 {
		return "", errors.New("no QR code on screen")
	}
	w := len([]rune(lines[0]))
	for i, l := range lines {
		lines[i] = l + strings.Repeat(" ", max(w-len([]rune(l)), 0))
	}
	return goqr.Decode(screenImage(lines, true))
}
