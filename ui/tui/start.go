package tui

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/atotto/clipboard"
	"golang.org/x/term"

	"bcauth/ui/core"
)

// Main runs the app as l asks (the app itself, login, setup or demo) and
// returns the exit code: it checks for a terminal, decides how a login
// reaches a browser, opens the store (the demo's: a fake Launchpad and a
// temporary directory) and runs the program until it ends.
func Main(ctx context.Context, l core.Launch) int {
	stderr := l.Stderr
	if out, ok := l.Stdout.(*os.File); !ok || l.Stdin == nil || !term.IsTerminal(int(l.Stdin.Fd())) || !term.IsTerminal(int(out.Fd())) {
		fmt.Fprintln(stderr, l.NoTerminal())
		return 1
	}
	demo := l.Start == "demo"
	hasDisplay := l.Env.Get("DISPLAY") != "" || l.Env.Get("WAYLAND_DISPLAY") != ""
	open := core.Opener(l.Env.Get("BROWSER"), hasDisplay, l.Env)
	cfg := Config{
		Timeout:   l.Timeout,
		Scope:     l.Scope,
		NoBrowser: pasteBack(l.NoBrowser, demo, overSSH(l.Env.Get), open != nil),
		Start:     map[string]Start{"login": StartLogin, "setup": StartSetup}[l.Start],
		OpenURL:   open,
	}
	if l.Env.Get("TMUX") != "" {
		cfg.TmuxCopy = core.TmuxCopy
	}
	if !clipboard.Unsupported {
		cfg.CopyText = clipboard.WriteAll
	}
	where := core.Stored(l.Start == "")
	env := l.Env
	if demo {
		start := core.StartDemo
		if l.BC5 {
			start = core.StartDemoBC5
		}
		d, err := start()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer d.Close()
		where, env = core.Where{Dir: d.Dir}, d.Env()
		cfg.NoBrowser = l.NoBrowser
		cfg.Demo = &Demo{
			Approve:  d.Fake.TakeTurns(), // a second login is the demo's second person
			Headless: cfg.OpenURL == nil,
			After:    3 * time.Second,
		}
		if d.BC5 != nil {
			cfg.Demo.ApproveCode = d.BC5.TakeTurns()
		}
	} else {
		cfg.ID = l.ID
	}
	// Only the app itself does without a state directory: login and setup
	// store what they are given.
	svc, err := core.Open(ctx, where, env, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bcauth:", err)
		return 1
	}
	if l.Keyring != nil {
		if err := svc.SetKeyring(*l.Keyring); err != nil {
			p := core.Describe(err, svc.Settings())
			fmt.Fprintf(stderr, "bcauth: %s\n%s\n", core.Sentence(p.Text()), core.Sentence(p.Fix))
			return p.Exit
		}
	}
	svc.Expect = l.ExpectIdentity
	cfg.Service = svc
	return Run(ctx, cfg, stderr)
}

// overSSH reports whether bcauth runs in an SSH session: any of the
// variables sshd sets (SSH_CLIENT alone on some servers and clients).
func overSSH(getenv func(string) string) bool {
	return getenv("SSH_CONNECTION") != "" || getenv("SSH_CLIENT") != "" || getenv("SSH_TTY") != ""
}

// pasteBack decides whether the login asks for the address the browser
// ends on instead of opening a browser: when asked to, over SSH (the
// browser is on another machine), and when nothing here can open one (no
// display and no $BROWSER: a container, a VM console, mosh). The demo
// approves by itself instead when it has no browser.
func pasteBack(noBrowser, demo, ssh, canOpen bool) bool {
	if noBrowser {
		return true
	}
	return !demo && (ssh || !canOpen)
}
