package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Clean makes a server string safe to write to a terminal: escape sequences
// are removed whole, C0 and C1 controls and DEL are dropped, line breaks
// and tabs become spaces, bidirectional overrides and isolates are dropped
// (they can make text read backwards), and invalid UTF-8 becomes U+FFFD.
// Every string from Launchpad or a product API passes through here before
// it reaches the screen.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	// Strip whole sequences first, so "ESC[2J" does not leave "[2J" behind.
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			// C0, DEL and C1 controls, including any ESC that Strip left.
		case isBidiControl(r):
		case r == utf8.RuneError:
			b.WriteRune(r)
		case unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c':
			// Other invisible format characters (except the joiners that
			// emoji and some scripts need) can hide text; drop them.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isBidiControl reports the embedding, override and isolate controls, and
// the directional marks.
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') ||
		r == '\u200e' || r == '\u200f' || r == '\u061c'
}
