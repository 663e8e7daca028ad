package core

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
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

// Names is a Basecamp ID as people read it, cleaned: the name (or
// "Launchpad id N" when Launchpad gave none) and the email address when it
// says something the name does not.
func Names(id auth.Identity) (name, email string) {
	name, email = Clean(id.Name()), Clean(id.EmailAddress)
	if name == "" {
		name = "Launchpad id " + strconv.FormatInt(id.ID, 10)
	}
	if email == name {
		email = ""
	}
	return name, email
}

// Who names a Basecamp ID in a sentence: "Annie Bryan (annie@example.com)".
func Who(id auth.Identity) string {
	name, email := Names(id)
	if email == "" {
		return name
	}
	return name + " (" + email + ")"
}

// Expiry says how long a token has left, for people.
func Expiry(expiry, now time.Time) string {
	if expiry.IsZero() {
		return "no expiry known"
	}
	d := expiry.Sub(now)
	switch {
	case d <= 0:
		return "expired " + expiry.Local().Format("2 Jan 15:04")
	case d < time.Hour:
		return fmt.Sprintf("valid for %d more minutes", int(d.Minutes()))
	default:
		return "valid until " + expiry.Local().Format("Mon 2 Jan 15:04")
	}
}

// Ago says how long ago t was, roughly.
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return "earlier"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}

// FetchedWhen says when a cached list was fetched, for a warning.
func FetchedWhen(t time.Time) string {
	if t.IsZero() {
		return "on an earlier run"
	}
	return "at " + t.Local().Format("2 Jan 2006 15:04 MST")
}

// Plural is one or many by n.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// UnsafeURL says why a server's URL should not be copied or opened, or ""
// when it is a plain http or https address with nothing hidden in it.
func UnsafeURL(raw string) string {
	if Clean(raw) != raw || strings.ContainsAny(raw, " \t") {
		return "holds control or invisible characters"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "is not an http or https address"
	}
	return ""
}
