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
	Timeout   time.Duration
	// ID is --id, else BCAUTH_ID: the stored Basecamp ID to show.
	ID string
	// Keyring is --keyring when it was given: move the secrets first.
	Keyring *bool

	Env Env
	// Stdin is nil when there is none; the app needs it and Stdout to be
	// a terminal.
	Stdin          *os.File
	Stdout, Stderr io.Writer
}
