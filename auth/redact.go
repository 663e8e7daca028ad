package auth

import (
	"net/url"
	"strings"
)

// Redact is a URL from the settings as an error may show it: a user name
// or password, a query and a fragment are replaced with REDACTED, since a
// person may have pasted a URL that carries a token or a password. Text
// that does not parse is treated the same way by its "@", "?" and "#".
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		s := raw
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i+1] + "REDACTED"
		}
		if at := strings.LastIndex(s, "@"); at >= 0 {
			from := 0
			if i := strings.Index(s[:at], "://"); i >= 0 {
				from = i + 3
			}
			s = s[:from] + "REDACTED" + s[at:]
		}
		return s
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "REDACTED", false
	}
	if u.Fragment != "" || u.RawFragment != "" {
		u.Fragment, u.RawFragment = "REDACTED", ""
	}
	return u.String()
}
