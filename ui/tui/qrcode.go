package tui

// bcauth's own QR encoder (ISO/IEC 18004, Model 2), for the one code it
// draws: the device login's address. It encodes bytes in byte mode, in the
// smallest version that holds them at level L, raised to the highest error
// correction level that still fits that version, with the mask of lowest
// penalty: what go-qr's EncodeBinary gives, module for module (the tests
// check both that and that go-qr's decoder reads it back). go-qr built a
// 512 KiB kanji table in its init, paid by every command; this encoder
// has no tables but the standard's block counts, and does nothing until
// the device-code screen asks for a code.

// qrECC is an error correction level, in the order of the tables below.
type qrECC int

const (
	qrLow      qrECC = iota // 7% of codewords can be restored
	qrMedium                // 15%
	qrQuartile              // 25%
	qrHigh                  // 30%
)

// formatBits is the level's two bits in the format information.
func (e qrECC) formatBits() int { return [...]int{1, 0, 3, 2}[e] }

// qrECCPerBlock and qrBlocks are the standard's table 9 by level and
// version (index 0 unused): error correction codewords in each block, and
// how many blocks.
var (
	qrECCPerBlock = [4][41]int8{
		{-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
		{-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
		{-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
		{-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
	}
	qrBlocks = [4][41]int8{
		{-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
		{-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
		{-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
		{-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
	}
)

// qrCode is an encoded code's modules.
type qrCode struct {
	size int
	dark []bool // size×size, row by row
	fn   []bool // the function patterns' modules, which no mask changes
}

// Size is the code's width (and height) in modules, margin excluded.
func (q *qrCode) Size() int { return q.size }

// Module reports whether the module at column x, row y is dark.
func (q *qrCode) Module(x, y int) bool { return q.dark[y*q.size+x] }

// qrEncode encodes data, or reports false when it is longer than any
// version holds.
func qrEncode(data []byte) (*qrCode, bool) {
	ecc, version := qrLow, 0
	for v := 1; v <= 40; v++ {
		if qrDataBits(len(data), v) <= qrDataCodewords(v, qrLow)*8 {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, false
	}
	for e := qrMedium; e <= qrHigh; e++ {
		if qrDataBits(len(data), version) <= qrDataCodewords(version, e)*8 {
			ecc = e
		}
	}
	// Mode "byte" (0100), the count, the bytes, up to four zero bits to
	// end, zeros to a byte boundary, then the pad bytes 0xEC and 0x11.
	capacity := qrDataCodewords(version, ecc) * 8
	var bits qrBits
	bits.add(4, 4)
	bits.add(len(data), qrCountBits(version))
	for _, b := range data {
		bits.add(int(b), 8)
	}
	bits.add(0, min(4, capacity-bits.n))
	bits.add(0, (8-bits.n%8)%8)
	for pad := 0xEC; bits.n < capacity; pad ^= 0xEC ^ 0x11 {
		bits.add(pad, 8)
	}

	size := version*4 + 17
	q := &qrCode{size: size, dark: make([]bool, size*size), fn: make([]bool, size*size)}
	q.drawFunctionPatterns(version, ecc)
	q.drawCodewords(qrWithECC(bits.bytes, version, ecc))
	best, lowest := 0, -1
	for mask := range 8 {
		q.applyMask(mask)
		q.drawFormatBits(ecc, mask)
		if p := q.penalty(); lowest < 0 || p < lowest {
			best, lowest = mask, p
		}
		q.applyMask(mask) // undone: a mask is its own inverse
	}
	q.applyMask(best)
	q.drawFormatBits(ecc, best)
	return q, true
}

// qrCountBits is the width of byte mode's character count in version.
func qrCountBits(version int) int {
	if version <= 9 {
		return 8
	}
	return 16
}

// qrDataBits is the bits n bytes take in version, or more than any
// version holds when the count does not fit.
func qrDataBits(n, version int) int {
	if n >= 1<<qrCountBits(version) {
		return 1 << 30
	}
	return 4 + qrCountBits(version) + 8*n
}

// qrRawModules is how many modules of version carry data (codewords and
// their error correction, remainder bits included).
func qrRawModules(version int) int {
	n := (16*version+128)*version + 64
	if version >= 2 {
		align := version/7 + 2
		n -= (25*align-10)*align - 55
		if version >= 7 {
			n -= 36
		}
	}
	return n
}

// qrDataCodewords is how many 8-bit data codewords version holds at ecc.
func qrDataCodewords(version int, ecc qrECC) int {
	return qrRawModules(version)/8 - int(qrECCPerBlock[ecc][version])*int(qrBlocks[ecc][version])
}

// qrWithECC splits data into the version's blocks, adds each block's
// Reed-Solomon codewords and interleaves them, as the symbol holds them.
func qrWithECC(data []byte, version int, ecc qrECC) []byte {
	blocks, eccLen := int(qrBlocks[ecc][version]), int(qrECCPerBlock[ecc][version])
	raw := qrRawModules(version) / 8
	short := blocks - raw%blocks // blocks one data codeword shorter
	shortLen := raw / blocks     // a short block's length, ECC included
	divisor := qrDivisor(eccLen)
	all := make([][]byte, blocks)
	for i, k := 0, 0; i < blocks; i++ {
		n := shortLen - eccLen
		if i >= short {
			n++
		}
		block := make([]byte, 0, shortLen+1)
		block = append(block, data[k:k+n]...)
		if i < short {
			block = append(block, 0) // a hole, skipped when interleaving
		}
		all[i] = append(block, qrRemainder(data[k:k+n], divisor)...)
		k += n
	}
	out := make([]byte, 0, raw)
	for i := range all[0] {
		for j, block := range all {
			if i != shortLen-eccLen || j >= short {
				out = append(out, block[i])
			}
		}
	}
	return out
}

// qrDivisor is the Reed-Solomon generator polynomial of degree, highest
// coefficient first, the leading 1 left out.
func qrDivisor(degree int) []byte {
	out := make([]byte, degree)
	out[degree-1] = 1
	root := byte(1)
	for range degree {
		for j := range out {
			out[j] = qrMul(out[j], root)
			if j+1 < len(out) {
				out[j] ^= out[j+1]
			}
		}
		root = qrMul(root, 2)
	}
	return out
}

// qrRemainder is data's Reed-Solomon error correction: the remainder of
// its division by divisor.
func qrRemainder(data, divisor []byte) []byte {
	out := make([]byte, len(divisor))
	for _, b := range data {
		factor := b ^ out[0]
		copy(out, out[1:])
		out[len(out)-1] = 0
		for i, d := range divisor {
			out[i] ^= qrMul(d, factor)
		}
	}
	return out
}

// qrMul multiplies in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
func qrMul(x, y byte) byte {
	z := 0
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= int(y>>i&1) * int(x)
	}
	return byte(z)
}

// qrBits collects bits, most significant first, into bytes.
type qrBits struct {
	bytes []byte
	n     int
}

func (b *qrBits) add(v, width int) {
	for i := width - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		b.bytes[b.n/8] |= byte(v>>i&1) << (7 - b.n%8)
		b.n++
	}
}

func (q *qrCode) setFunction(x, y int, dark bool) {
	q.dark[y*q.size+x] = dark
	q.fn[y*q.size+x] = true
}

// drawFunctionPatterns draws the finders, the timing lines, the alignment
// patterns and the version, and reserves the format information's
// modules.
func (q *qrCode) drawFunctionPatterns(version int, ecc qrECC) {
	for i := range q.size {
		q.setFunction(6, i, i%2 == 0)
		q.setFunction(i, 6, i%2 == 0)
	}
	q.drawFinder(3, 3)
	q.drawFinder(q.size-4, 3)
	q.drawFinder(3, q.size-4)
	pos := qrAlignment(version)
	last := len(pos) - 1
	for i, x := range pos {
		for j, y := range pos {
			// Not over the finders.
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue
			}
			q.drawAlignment(x, y)
		}
	}
	q.drawFormatBits(ecc, 0)
	q.drawVersion(version)
}

// qrAlignment is the rows (and columns) of version's alignment patterns'
// centres.
func qrAlignment(version int) []int {
	if version == 1 {
		return nil
	}
	n := version/7 + 2
	step := (version*8 + n*3 + 5) / (n*4 - 4) * 2
	out := make([]int, n)
	out[0] = 6
	for i, p := n-1, version*4+17-7; i >= 1; i, p = i-1, p-step {
		out[i] = p
	}
	return out
}

// drawFinder draws a finder pattern and its light separator centred at
// x, y.
func (q *qrCode) drawFinder(x, y int) {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			d := max(abs(dx), abs(dy))
			if xx, yy := x+dx, y+dy; xx >= 0 && xx < q.size && yy >= 0 && yy < q.size {
				q.setFunction(xx, yy, d != 2 && d != 4)
			}
		}
	}
}

// drawAlignment draws an alignment pattern centred at x, y.
func (q *qrCode) drawAlignment(x, y int) {
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			q.setFunction(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
		}
	}
}

// drawFormatBits draws the level and mask, with their BCH code, twice.
func (q *qrCode) drawFormatBits(ecc qrECC, mask int) {
	data := ecc.formatBits()<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 != 0 }
	for i := 0; i <= 5; i++ {
		q.setFunction(8, i, bit(i))
	}
	q.setFunction(8, 7, bit(6))
	q.setFunction(8, 8, bit(7))
	q.setFunction(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		q.setFunction(14-i, 8, bit(i))
	}
	for i := range 8 {
		q.setFunction(q.size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		q.setFunction(8, q.size-15+i, bit(i))
	}
	q.setFunction(8, q.size-8, true) // the dark module
}

// drawVersion draws the version, with its BCH code, twice (version 7 and
// up).
func (q *qrCode) drawVersion(version int) {
	if version < 7 {
		return
	}
	rem := version
	for range 12 {
		rem = rem<<1 ^ (rem>>11)*0x1F25
	}
	bits := version<<12 | rem
	for i := range 18 {
		dark := bits>>i&1 != 0
		a, b := q.size-11+i%3, i/3
		q.setFunction(a, b, dark)
		q.setFunction(b, a, dark)
	}
}

// drawCodewords lays the codewords out in the zigzag of two-module columns,
// right to left, up then down, around the function patterns; what is left
// over (the remainder bits) stays light.
func (q *qrCode) drawCodewords(data []byte) {
	i := 0
	for right := q.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5 // the vertical timing line
		}
		for v := range q.size {
			for j := range 2 {
				x, y := right-j, v
				if (right+1)&2 == 0 {
					y = q.size - 1 - v // upwards
				}
				if !q.fn[y*q.size+x] && i < len(data)*8 {
					q.dark[y*q.size+x] = data[i/8]>>(7-i%8)&1 != 0
					i++
				}
			}
		}
	}
}

// applyMask inverts the data modules that mask selects.
func (q *qrCode) applyMask(mask int) {
	for y := range q.size {
		for x := range q.size {
			var invert bool
			switch mask {
			case 0:
				invert = (x+y)%2 == 0
			case 1:
				invert = y%2 == 0
			case 2:
				invert = x%3 == 0
			case 3:
				invert = (x+y)%3 == 0
			case 4:
				invert = (x/3+y/2)%2 == 0
			case 5:
				invert = x*y%2+x*y%3 == 0
			case 6:
				invert = (x*y%2+x*y%3)%2 == 0
			case 7:
				invert = ((x+y)%2+x*y%3)%2 == 0
			}
			if invert && !q.fn[y*q.size+x] {
				q.dark[y*q.size+x] = !q.dark[y*q.size+x]
			}
		}
	}
}

// penalty scores the code as the standard's mask evaluation does: runs of
// five or more, 2×2 blocks, finder-like patterns, and the balance of dark
// and light. Lower is better.
func (q *qrCode) penalty() int {
	const n1, n2, n3, n4 = 3, 3, 40, 10
	score := 0
	// Rows, then columns: module i of line j is at j*step + i*stride.
	for _, dir := range [2][2]int{{q.size, 1}, {1, q.size}} {
		step, stride := dir[0], dir[1]
		for line := range q.size {
			colour, run := false, 0
			var history [7]int
			for i := range q.size {
				dark := q.dark[line*step+i*stride]
				if dark == colour {
					run++
					if run == 5 {
						score += n1
					} else if run > 5 {
						score++
					}
					continue
				}
				q.addRun(run, &history)
				if !colour {
					score += q.finderLike(&history) * n3
				}
				colour, run = dark, 1
			}
			// The line ends in the light margin.
			if colour {
				q.addRun(run, &history)
				run = 0
			}
			q.addRun(run+q.size, &history)
			score += q.finderLike(&history) * n3
		}
	}
	for y := range q.size - 1 {
		for x := range q.size - 1 {
			c := q.dark[y*q.size+x]
			if c == q.dark[y*q.size+x+1] && c == q.dark[(y+1)*q.size+x] && c == q.dark[(y+1)*q.size+x+1] {
				score += n2
			}
		}
	}
	dark := 0
	for _, d := range q.dark {
		if d {
			dark++
		}
	}
	total := q.size * q.size
	k := (abs(dark*20-total*10)+total-1)/total - 1
	return score + k*n4
}

// addRun pushes a run's length onto the history, newest first; the first
// run of a line (a light one) counts the margin before it.
func (q *qrCode) addRun(run int, history *[7]int) {
	if history[0] == 0 {
		run += q.size
	}
	for i := len(history) - 1; i > 0; i-- {
		history[i] = history[i-1]
	}
	history[0] = run
}

// finderLike counts the 1:1:3:1:1 patterns with four light modules on
// either side that history ends in (0, 1 or 2).
func (q *qrCode) finderLike(history *[7]int) int {
	n := history[1]
	core := n > 0 && history[2] == n && history[3] == n*3 && history[4] == n && history[5] == n
	count := 0
	if core && history[0] >= n*4 && history[6] >= n {
		count++
	}
	if core && history[6] >= n*4 && history[0] >= n {
		count++
	}
	return count
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
