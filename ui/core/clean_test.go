package core

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Honcho Design", "Honcho Design"},
		{"unicode", "株式会社サンプル — Ünïcødé 🚀", "株式会社サンプル — Ünïcødé 🚀"},
		{"emoji zwj kept", "👩\u200d💻 team", "👩\u200d💻 team"},
		{"clear screen", "Evil\x1b[2J Corp", "Evil Corp"},
		{"osc 52 bel", "a\x1b]52;c;aGVsbG8=\x07b", "ab"},
		{"osc 52 st", "a\x1b]52;c;aGVsbG8=\x1b\\b", "ab"},
		{"hyperlink", "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"},
		{"sgr", "\x1b[31mred\x1b[0m", "red"},
		{"esc with final byte is a whole sequence", "a\x1bcb", "ab"},
		{"trailing esc", "ab\x1b", "ab"},
		{"c1 csi", "a\u009b2Jb", "a2Jb"},
		{"c1 osc", "a\u009d52;c;x\u009cb", "a52;c;xb"},
		{"bell and backspace", "ding\x07\x08\x08", "ding"},
		{"newlines", "two\nlines\r\tand tab", "two lines  and tab"},
		{"bidi override", "abc\u202Egnp.exe", "abcgnp.exe"},
		{"bidi isolate", "x\u2066y\u2069z", "xyz"},
		{"del", "a\x7fb", "ab"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"zero width space kept as format dropped", "a\u200bb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzClean checks the promise, not an implementation: whatever goes in,
// what comes out is valid UTF-8 with no control that a terminal acts on.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\x1b]52;c;aGk=\x07", "\u202e", "\xff\xfe", "\x1b", "\u009b31m", "a\x1b[", "\x1bP1$r\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Clean(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Clean(%q) = %q: invalid UTF-8", in, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) {
				t.Fatalf("Clean(%q) = %q: holds control %U", in, out, r)
			}
		}
		if Clean(out) != out {
			t.Fatalf("Clean is not idempotent on %q", in)
		}
		if !strings.ContainsRune(in, 0x1b) && !strings.ContainsAny(in, "\u009b\u009d\u0090\u009e\u009f") && len(out) > len(in)+3*len(in) {
			t.Fatalf("Clean(%q) grew unexpectedly to %q", in, out)
		}
	})
}
