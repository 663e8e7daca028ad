package core_test

import (
	"testing"

	"bcauth/ui/core"
)

// TestCleanAtTheEdges: the first and last of each range Clean drops, and
// their neighbours it keeps.
func TestCleanAtTheEdges(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{name: "NUL", in: "a\x00b", want: "ab"},
		{name: "unit separator, last C0", in: "a\x1fb", want: "ab"},
		{name: "space, first printable", in: "é b", want: "é b"},
		{name: "tilde, last before DEL", in: "é~b", want: "é~b"},
		{name: "first C1", in: "a\u0080b", want: "ab"},
		{name: "last C1", in: "a\u009fb", want: "ab"},
		{name: "no-break space, after C1", in: "a\u00a0b", want: "a\u00a0b"},
		{name: "next line", in: "a\u0085b", want: "a b"},
		{name: "line and paragraph separators", in: "a\u2028b\u2029c", want: "a b c"},
		{name: "first and last embedding controls", in: "a\u202ab\u202ec", want: "abc"},
		{name: "first and last isolates", in: "a\u2066b\u2069c", want: "abc"},
		{name: "directional marks", in: "a\u200eb\u200fc\u061cd", want: "abcd"},
		{name: "zero width non-joiner kept", in: "a\u200cb", want: "a\u200cb"},
		{name: "soft hyphen dropped", in: "a\u00adb", want: "ab"},
	} {
		if got := core.Clean(tc.in); got != tc.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
