package tui

import (
	"context"
	"errors"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/store"
	"bcauth/ui/core"
)

// Every command below does its I/O off the update loop and answers with a
// message. Each takes what it needs as arguments, so none can touch the
// model.

// Backend is what the app needs of core.Service. Every method but
// TokenSource and Prober (which only build values) does I/O, so the model
// calls them only inside the commands below.
type Backend interface {
	Settings() core.Settings
	Client() (*auth.Client, error)
	// Discover decides the server of a new login (see core.Service.Discover).
	Discover(ctx context.Context) (*core.Plan, error)
	// ClientFor is the client a stored login's tokens go through.
	ClientFor(sess *store.Session) (*auth.Client, error)
	Current(c *auth.Client) (*store.Session, error)
	Find(c *auth.Client, query string) (*store.Session, error)
	Sessions(c *auth.Client) ([]store.Session, string, error)
	SaveClient(id, secret string) (string, error)
	// SetupServer says which server's client setup asks for.
	SetupServer(ctx context.Context) (auth.Server, error)
	SaveBC5Client(id string) (string, error)
	Complete(ctx context.Context, c *auth.Client, tok *oauth2.Token) (*store.Session, string, error)
	ReloadWith(ctx context.Context, c *auth.Client, sess *store.Session, ts *auth.TokenSource) (*core.Reload, error)
	Remember(key, account string) error
	Forget(ctx context.Context, key string) (*core.Revocation, error)
	Switch(key string) error
	TokenSource(c *auth.Client, sess *store.Session) *auth.TokenSource
	FromEnv(sess *store.Session) bool
	Prober(c *auth.Client) *probe.Prober
}

var _ Backend = (*core.Service)(nil)

// load reads the client settings and the current session.
func load(b Backend) tea.Cmd { return loadID(b, "") }

// loadID is load, showing the Basecamp ID id names (--id) instead of the
// current one when it is not empty.
func loadID(b Backend, id string) tea.Cmd {
	return func() tea.Msg {
		set := b.Settings()
		c, err := b.Client()
		if errors.Is(err, auth.ErrNotConfigured) && set.Client.BC5ClientID != "" {
			// A BC5 client alone is a configuration: its logins carry
			// their own server, and a new one asks discovery.
			c, err = nil, nil
		}
		if err != nil {
			return loadedMsg{settings: set, err: err}
		}
		var sess *store.Session
		if id != "" {
			sess, err = b.Find(c, id)
		} else {
			sess, err = b.Current(c)
		}
		if err == nil && sess.Server.IsBC5() {
			// A BC5 login goes through the client it was made with.
			c, err = b.ClientFor(sess)
		}
		if err != nil {
			return loadedMsg{settings: set, client: c, err: err}
		}
		others, _, _ := b.Sessions(c)
		return loadedMsg{settings: set, client: c, session: sess, others: others}
	}
}

// loadOthers lists the stored sessions after a login, for switching.
func loadOthers(b Backend, c *auth.Client) tea.Cmd {
	return func() tea.Msg {
		others, _, err := b.Sessions(c)
		return othersMsg{others: others, err: err}
	}
}

func saveClient(b Backend, id, secret string) tea.Cmd {
	return func() tea.Msg {
		aside, err := b.SaveClient(id, secret)
		return clientSavedMsg{aside: aside, err: err}
	}
}

func saveBC5Client(b Backend, id string) tea.Cmd {
	return func() tea.Msg {
		aside, err := b.SaveBC5Client(id)
		return clientSavedMsg{aside: aside, err: err}
	}
}

// setupServer asks discovery which server a new login would use, for
// showing gen of the setup screen.
func setupServer(b Backend, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		srv, err := b.SetupServer(ctx)
		return setupServerMsg{gen: gen, server: srv, err: err}
	}
}

// newLogin makes a login and binds its listener. The previous attempt's
// listener, if any, is closed first: Close waits until its port is free,
// so the new one never races it for the same port.
func newLogin(c *auth.Client, attempt int, prev *auth.Listener) tea.Cmd {
	return func() tea.Msg {
		if prev != nil {
			_ = prev.Close()
		}
		l, err := c.NewLogin()
		if err != nil {
			return loginReadyMsg{attempt: attempt, err: err}
		}
		ln, err := l.Listen()
		return loginReadyMsg{attempt: attempt, login: l, listener: ln, err: err}
	}
}

func closeListener(ln *auth.Listener) tea.Cmd {
	if ln == nil {
		return nil
	}
	return func() tea.Msg { _ = ln.Close(); return nil }
}

// wait serves the loopback callback until the login ends, then stores the
// session.
func wait(ctx context.Context, b Backend, c *auth.Client, attempt int, ln *auth.Listener) tea.Cmd {
	return func() tea.Msg {
		tok, err := ln.Wait(ctx)
		if err != nil {
			return loginDoneMsg{attempt: attempt, err: err}
		}
		return complete(ctx, b, c, attempt, tok)
	}
}

// complete stores the session a login's token makes. Storing it may
// outlive the login's deadline, but not a person who pressed esc or quit
// meanwhile.
func complete(ctx context.Context, b Backend, c *auth.Client, attempt int, tok *oauth2.Token) loginDoneMsg {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	defer stop()
	sess, aside, err := b.Complete(cctx, c, tok)
	return loginDoneMsg{attempt: attempt, session: sess, aside: aside, err: err}
}

// paste completes the login from an address pasted by hand. Mistakes in
// the paste keep the login open.
func paste(b Backend, c *auth.Client, l *auth.Login, attempt int, text string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tok, err := l.Paste(ctx, text)
		if err != nil {
			var le *auth.LaunchpadError
			var de *auth.DeniedError
			switch {
			case errors.As(err, &le) && le.Op == auth.OpExchange && le.Kind == auth.KindOther:
				// A wrong or stale code: the login is still open for
				// another paste.
				return pasteFailedMsg{attempt: attempt, err: err}
			case errors.As(err, &le) || errors.As(err, &de):
				return loginDoneMsg{attempt: attempt, err: err}
			}
			return pasteFailedMsg{attempt: attempt, err: err}
		}
		sess, aside, err := b.Complete(ctx, c, tok)
		return loginDoneMsg{attempt: attempt, session: sess, aside: aside, err: err}
	}
}

func tick(attempt int) tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{attempt} })
}

func openBrowser(open func(string) error, attempt int, u string) tea.Cmd {
	return func() tea.Msg {
		if open == nil {
			return browserMsg{attempt: attempt, err: errors.New("no browser is available here")}
		}
		return browserMsg{attempt: attempt, err: open(u)}
	}
}

// approve lets the demo play the browser against its fake Launchpad.
func approve(d *Demo, attempt int, authURL string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.Approve(ctx, authURL); err != nil {
			return loginDoneMsg{attempt: attempt, err: err}
		}
		return nil // the callback ends the login through wait
	}
}

// reload asks Launchpad again for a session's accounts through the token
// source the model keeps, so a reload and the probes refresh once.
func reload(b Backend, c *auth.Client, sess *store.Session, ts *auth.TokenSource, gen int, background bool) tea.Cmd {
	key := sess.Key()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		r, err := b.ReloadWith(ctx, c, sess, ts)
		return reloadMsg{key: key, gen: gen, reload: r, err: err, background: background}
	}
}

// copyText sends text to the clipboard through the terminal (OSC 52, which
// works over SSH), to tmux when bcauth runs in it, and to the system
// clipboard where there is one.
func copyText(c Config, text string) tea.Cmd {
	sys, tmux := c.CopyText, c.TmuxCopy
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		msg := copiedMsg{text: text, sys: sys != nil, tmux: tmux != nil}
		if sys != nil {
			msg.sysErr = sys(text)
		}
		if tmux != nil {
			msg.tmuxErr = tmux(text)
		}
		return msg
	})
}

// openURL opens an account's web address; only http and https are opened,
// whatever a server sent.
// errNoBrowser is an open with no browser to open in.
var errNoBrowser = errors.New("no browser is available here")

func openURL(open func(string) error, raw string) tea.Cmd {
	return func() tea.Msg {
		shown := core.Clean(raw)
		if why := core.UnsafeURL(raw); why != "" {
			return openedMsg{url: shown, err: errors.New("the address " + why)}
		}
		u, _ := url.Parse(raw)
		if open == nil {
			return openedMsg{url: shown, err: errNoBrowser}
		}
		return openedMsg{url: shown, err: open(u.String())}
	}
}

func remember(b Backend, key, account string) tea.Cmd {
	return func() tea.Msg { _ = b.Remember(key, account); return nil }
}

func forget(b Backend, key string) tea.Cmd {
	return func() tea.Msg {
		// The revocation is bounded: the login is gone here already.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := b.Forget(ctx, key)
		return loggedOutMsg{revocation: r, err: err}
	}
}

func switchTo(b Backend, key string) tea.Cmd {
	return func() tea.Msg { return switchedMsg{err: b.Switch(key)} }
}

// settle asks for a probe of an account once its selection has rested.
func settle(delay time.Duration, key string) tea.Cmd {
	return tea.Tick(delay, func(time.Time) tea.Msg { return probeSettledMsg{key: key} })
}

// probeOne probes one account in the background.
func probeOne(parent context.Context, p *probe.Prober, a probe.Authorizer, session string, acc auth.Account) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		return probeMsg{session: session, result: p.Probe(ctx, acc, a)}
	}
}

// probeAll probes every account; the answers arrive one message at a time
// through stream, which listenProbes reads.
func probeAll(ctx context.Context, p *probe.Prober, a probe.Authorizer, session string, run int, accs []auth.Account, stream chan<- probeMsg) tea.Cmd {
	return func() tea.Msg {
		go func() {
			defer close(stream)
			p.ProbeAll(ctx, accs, a, func(_, _ int, r probe.Result) {
				stream <- probeMsg{session: session, run: run, result: r}
			})
		}()
		return nil
	}
}

// listenProbes waits for the next answer of a p run.
func listenProbes(run int, stream <-chan probeMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-stream
		if !ok {
			return probeDoneMsg{run: run}
		}
		return msg
	}
}
