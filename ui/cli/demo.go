package cli

import (
	"context"
	"fmt"
	"strings"
)

// Demo is what `bcauth demo --serve` runs: the fake Launchpad's address,
// its client, the state directories it set aside, and the older
// credentials its product APIs take.
type Demo struct {
	LaunchpadURL, ClientID, ClientSecret, RedirectURI string
	ConfigDir, CacheDir                               string
	// User and Password log in to the product APIs with HTTP Basic (as
	// Basecamp 2 takes a person's own login); APIToken is the classic
	// products' API token.
	User, Password, APIToken string
}

// DemoServe prints the lines to paste into another shell, so every script
// command can be rehearsed against the fake, then waits until ctx ends
// (Ctrl-C). The fake's password and API token are demo values that open
// nothing but the fake.
func DemoServe(ctx context.Context, out Output, d Demo) int {
	var b strings.Builder
	fmt.Fprintf(&b, "bcauth demo: a fake Launchpad, with its product APIs, at %s\n", d.LaunchpadURL)
	fmt.Fprintf(&b, "Paste this into another shell, then run bcauth login, status, accounts, token, probe…:\n\n")
	fmt.Fprintf(&b, "export BASECAMP_LAUNCHPAD_URL=%s BASECAMP_OAUTH_CLIENT_ID=%s BASECAMP_OAUTH_CLIENT_SECRET=%s \\\n  BASECAMP_OAUTH_REDIRECT_URI=%s XDG_CONFIG_HOME=%s XDG_CACHE_HOME=%s\n\n",
		shellQuote(d.LaunchpadURL), shellQuote(d.ClientID), shellQuote(d.ClientSecret), shellQuote(d.RedirectURI), shellQuote(d.ConfigDir), shellQuote(d.CacheDir))
	fmt.Fprintf(&b, "Older credentials its product APIs take (demo values, good for nothing else):\n")
	fmt.Fprintf(&b, "  BASECAMP_PASSWORD=%s bcauth probe --url %s/bcx/88888888/api/v1 --product bcx --basic %s\n", shellQuote(d.Password), d.LaunchpadURL, shellQuote(d.User))
	fmt.Fprintf(&b, "  BASECAMP_API_TOKEN=%s bcauth probe --url %s/classic/northwind --product basecamp --api-token -\n\n", shellQuote(d.APIToken), d.LaunchpadURL)
	fmt.Fprintf(&b, "bcauth login approves in the browser (or with --no-browser, paste the address it ends on). Ctrl-C stops the fake and removes its state.\n")
	if c := out.flush([]byte(b.String())); c != ExitOK {
		return c
	}
	<-ctx.Done()
	fmt.Fprintln(out.Stderr, "bcauth demo: stopped; its state is removed")
	return ExitOK
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == ':' || r == '.' || r == '-' || r == '_' || r == '@' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
