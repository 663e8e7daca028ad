package tui

import (
	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/store"
	"bcauth/ui/core"
)

// Every message the program handles besides Bubble Tea's own. Each I/O
// result comes back as one of these, from a command in cmds.go; a message
// that belongs to a login attempt, a reload or a Basecamp ID carries which,
// so an answer that comes back after the person moved on is dropped.
type (
	// loadedMsg is what is stored: the client settings, the client they
	// make, the current session and the others of the same client.
	loadedMsg struct {
		settings core.Settings
		client   *auth.Client
		session  *store.Session
		others   []store.Session
		err      error
	}
	// setupServerMsg is discovery's answer for setup: the server a new
	// login would use, whose client setup asks for.
	setupServerMsg struct {
		gen    int
		server auth.Server
		err    error
	}
	// clientSavedMsg says setup saved the client settings; aside is where
	// an unreadable old config.json went.
	clientSavedMsg struct {
		aside string
		err   error
	}

	// loginReadyMsg is a new login with its callback listener bound,
	// through the client discovery chose (nil: the model's own), and why
	// that server when there is something to say.
	loginReadyMsg struct {
		attempt  int
		client   *auth.Client
		note     string
		login    *auth.Login
		listener *auth.Listener
		err      error
	}
	// deviceReadyMsg is a device code from BC5, to show and poll for.
	deviceReadyMsg struct {
		attempt int
		client  *auth.Client
		note    string
		code    *auth.DeviceCode
		err     error
	}
	// loginDoneMsg ends a login: its session, or why not.
	loginDoneMsg struct {
		attempt int
		session *store.Session
		aside   string // where an unreadable state file went
		err     error
	}
	// pasteFailedMsg is a pasted address that did not complete the login,
	// which stays open for another paste.
	pasteFailedMsg struct {
		attempt int
		err     error
	}
	// browserMsg says whether the browser opened; link is the device
	// link it was handed, kept until the program ends.
	browserMsg struct {
		attempt int
		link    *auth.DeviceLink
		err     error
	}
	// demoApproveMsg is the demo's cue to approve on the person's behalf.
	demoApproveMsg struct{ attempt int }
	// tickMsg redraws the login's countdown.
	tickMsg struct{ attempt int }

	// reloadMsg is Launchpad's answer for a session's accounts.
	reloadMsg struct {
		key        string
		gen        int
		reload     *core.Reload
		err        error
		background bool // the cached list was on screen meanwhile
	}
	// othersMsg is the stored sessions after a login, for switching.
	othersMsg struct {
		others []store.Session
		err    error
	}
	// copiedMsg says how a copy went: through the system clipboard (sys,
	// and its error), through tmux (tmux, and its error), and always as
	// OSC 52 to the terminal, which nothing can confirm.
	copiedMsg struct {
		text    string
		sys     bool
		sysErr  error
		tmux    bool
		tmuxErr error
	}
	// openedMsg says how opening a URL went.
	openedMsg struct {
		url string
		err error
	}
	loggedOutMsg struct {
		// revocation is what the login's server said when asked to
		// revoke it (nil: nobody was logged out).
		revocation *core.Revocation
		err        error
	}
	switchedMsg struct{ err error }

	// probeSettledMsg says a selection has rested; probe it if it still is.
	probeSettledMsg struct{ key string }
	// probeMsg is one account's answer, for one Basecamp ID.
	probeMsg struct {
		session string
		run     int // which p run, 0 for a single probe
		result  probe.Result
	}
	// probeDoneMsg says a p run has finished (or was cancelled).
	probeDoneMsg struct{ run int }
)
