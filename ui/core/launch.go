package core

import (
	"io"
	"os"
	"time"
)

// Launch is how the app was started: which screen comes first, the flags
// of the app, login, setup and demo, and what main handed down. The
// command tree (ui/cli) fills it and the Bubble Tea front end (ui/tui)
// runs it, so neither imports the other.
type Launch struct {
	// Start is "" for the app itself, or "login", "setup" or "demo".
	Start     string
	NoBrowser bool
	// Timeout is --timeout, zero when not given (see tui.Config.Timeout).
	Timeout time.Duration
	// ID is --id, else BCAUTH_ID: the stored Basecamp ID to show.
	ID string
	// Keyring is --keyring when it was given: move the secrets first.
	Keyring *bool
	// ExpectIdentity is login's --expect-identity: the Basecamp ID (a
	// Launchpad id or email address) the login must come back as; anyone
	// else is refused, and nothing stored.
	ExpectIdentity string
	// Scope is login's --scope: what a BC5 login asks for, "read" or
	// "full" ("full" when empty).
	Scope string
	// BC5 is demo's --bc5: the demo's fake serves BC5 too, and the login
	// is the device-code flow.
	BC5 bool

	Env Env
	// Stdin is nil when there is none; the app needs it and Stdout to be
	// a terminal.
	Stdin          *os.File
	Stdout, Stderr io.Writer
}

// NoTerminal says why the app did not start (standard input or output is
// no terminal) and what does the same job without one, for l.Start.
func (l Launch) NoTerminal() string {
	const why = "bcauth: this command needs a terminal; "
	switch l.Start {
	case "login":
		return why + "without one, pipe a token in: bcauth login --with-token (see bcauth login --help)"
	case "setup":
		return why + "without one, set BASECAMP_OAUTH_CLIENT_ID and BASECAMP_OAUTH_CLIENT_SECRET, then bcauth login --with-token"
	case "demo":
		return why + "without one, bcauth demo --serve runs the fake Launchpad alone for the script commands"
	}
	return why + "in scripts use bcauth status, accounts, token or logout"
}
