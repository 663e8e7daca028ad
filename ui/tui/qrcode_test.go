package tui

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	goqr "github.com/piglig/go-qr"
)

// qrCapacity is how many bytes version holds at level L.
func qrCapacity(version int) int {
	n := (qrDataCodewords(version, qrLow)*8 - 4 - qrCountBits(version)) / 8
	return min(n, 1<<qrCountBits(version)-1)
}

// qrTestLengths are payload lengths to encode: every one up to 120 (the
// versions a device address takes) and, for every version, its capacity
// and one byte more, where the version and the error correction level
// change.
func qrTestLengths() []int {
	var out []int
	for n := range 121 {
		out = append(out, n)
	}
	for v := 1; v <= 40; v++ {
		if c := qrCapacity(v); c > 120 {
			out = append(out, c-1, c, c+1)
		}
	}
	return out
}

// qrPayload is n bytes: printable ASCII when text, else any byte value.
func qrPayload(r *rand.Rand, n int, text bool) []byte {
	b := make([]byte, n)
	for i := range b {
		if text {
			b[i] = byte(' ' + r.IntN(95))
		} else {
			b[i] = byte(r.IntN(256))
		}
	}
	return b
}

// TestQREncodeIsGoQRs checks bcauth's encoder against go-qr's (which the
// app used before): the same version, level and mask, module for module,
// for every length up to the device address's and at every version's
// boundary, text and binary.
func TestQREncodeIsGoQRs(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 13))
	for _, n := range qrTestLengths() {
		for _, text := range []bool{true, false} {
			data := qrPayload(r, n, text)
			want, werr := goqr.EncodeBinary(data, goqr.Low)
			got, ok := qrEncode(data)
			if ok != (werr == nil) {
				t.Fatalf("%d bytes: encoded %v, go-qr's error %v", n, ok, werr)
			}
			if !ok {
				continue
			}
			if got.Size() != want.Size() {
				t.Fatalf("%d bytes (text %v): size %d, go-qr's %d", n, text, got.Size(), want.Size())
			}
			for y := range got.Size() {
				for x := range got.Size() {
					if got.Module(x, y) != want.Module(x, y) {
						t.Fatalf("%d bytes (text %v): module %d,%d differs from go-qr's", n, text, x, y)
					}
				}
			}
		}
	}
}

// TestQREncodeDecodes reads a code of every version back with go-qr's
// decoder, which checks the format, the version information and the error
// correction on its own.
func TestQREncodeDecodes(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 14))
	for v := 1; v <= 40; v++ {
		data := qrPayload(r, qrCapacity(v), true)
		q, ok := qrEncode(data)
		if !ok {
			t.Fatalf("version %d: %d bytes not encoded", v, len(data))
		}
		if q.Size() != v*4+17 {
			t.Fatalf("%d bytes: size %d, want version %d's %d", len(data), q.Size(), v, v*4+17)
		}
		got, err := goqr.Decode(qrImage(q))
		if err != nil || got != string(data) {
			t.Fatalf("version %d: decoded %q, %v; want %q", v, got, err, data)
		}
	}
}

// TestQREncodeTooLong: past version 40's capacity there is no code, and
// the screen shows none.
func TestQREncodeTooLong(t *testing.T) {
	data := make([]byte, qrCapacity(40)+1)
	if _, ok := qrEncode(data); ok {
		t.Fatalf("%d bytes encoded; version 40 holds %d", len(data), qrCapacity(40))
	}
	if lines := qrLines(string(data), true); lines != nil {
		t.Fatalf("%d bytes drawn as %d lines", len(data), len(lines))
	}
	if _, ok := qrEncode(data[:qrCapacity(40)]); !ok {
		t.Fatalf("%d bytes, version 40's capacity, not encoded", qrCapacity(40))
	}
}

// qrImage paints q dark on light, three pixels a module, with the
// standard's four-module margin.
func qrImage(q *qrCode) image.Image {
	const scale, quiet = 3, 4
	n := q.Size() + 2*quiet
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for y := range n * scale {
		for x := range n * scale {
			mx, my := x/scale-quiet, y/scale-quiet
			c := color.Gray{255}
			if mx >= 0 && my >= 0 && mx < q.Size() && my < q.Size() && q.Module(mx, my) {
				c = color.Gray{0}
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}
