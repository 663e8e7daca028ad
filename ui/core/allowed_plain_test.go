package core

import (
	"net/url"
	"testing"

	"bcauth/auth"
)

// TestAllowedWithOneOddByte checks Allowed against its definition (every
// href parsed and checked with under) for hrefs that would be plain but
// for one byte, each printable ASCII byte in turn, in the host and in the
// path, and URLs whose decoded path holds that byte: an href that
// plainHref took for plain when it is not would be judged by the wrong
// rule, and the token sent, or refused, where it should not be.
func TestAllowedWithOneOddByte(t *testing.T) {
	checked := 0
	for b := byte(0x21); b < 0x7f; b++ {
		s := string(b)
		hrefs := []string{
			"https://h.example.com/a" + s + "b",
			"https://h" + s + "example.com/a",
			"https://u" + s + "h.example.com/a",
			"http://127.0.0.1:8/a" + s,
		}
		raws := []string{
			"https://h.example.com/a" + url.PathEscape(s) + "b/x",
			"https://h.example.com/a" + url.PathEscape(s) + "b",
			"https://h.example.com/a/x",
			"https://h" + s + "example.com/a/x",
			"http://127.0.0.1:8/a" + url.PathEscape(s) + "/x",
		}
		for _, href := range hrefs {
			accs := []auth.Account{{Product: "bc3", ID: 1, Href: href}}
			tgt := &APITarget{hrefs: accs, launchpad: "http://127.0.0.1:9"}
			for _, raw := range raws {
				u, err := url.Parse(raw)
				if err != nil {
					continue
				}
				_, gotErr := tgt.Allowed(u)
				_, ok := under(u, href)
				if ok && u.Scheme == "http" && !auth.IsLoopbackHost(u.Hostname()) {
					ok = false
				}
				if _, lp := under(u, tgt.launchpad); lp {
					ok = true
				}
				if ok != (gotErr == nil) {
					t.Errorf("Allowed(%s) under href %q: %v, want allowed %v", u, href, gotErr, ok)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// TestPlainWord: a product code is put in a pasted command as it is only
// when every shell reads it as itself: a lower-case letter first, then
// lower-case letters, digits, '-' and '_', 32 bytes at most.
func TestPlainWord(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"a", true}, {"z", true}, {"bc3", true}, {"a-b_c09", true}, {"abcdefghijklmnopqrstuvwxyz012345", true},
		{"abcdefghijklmnopqrstuvwxyz0123456", false}, {"", false},
		{"`a", false}, {"{a", false}, {"Aa", false}, {"0a", false}, {"-a", false}, {"_a", false},
		{"a`", false}, {"a{", false}, {"aZ", false}, {"a/", false}, {"a:", false}, {"a.b", false}, {"a b", false}, {"aé", false},
		{"a9", true}, {"a0", true},
	} {
		if got := plainWord(tc.s); got != tc.want {
			t.Errorf("plainWord(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
