package tui

import (
	"context"
	"errors"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui"
)

// Every command below does its I/O off the update loop and answers with a
// message; none touches the model.

// load reads the client configuration and the current session.
func (m Model) load() tea.Cmd {
	svc := m.cfg.Service
	return func() tea.Msg {
		c, err := svc.Client()
		if err != nil {
			return loadedMsg{err: err}
		}
		sess, err := svc.Current(c)
		if err != nil {
			return loadedMsg{client: c, err: err}
		}
		others, _, _ := svc.Sessions(c)
		return loadedMsg{client: c, session: sess, others: others}
	}
}

// loadOthers lists the stored sessions after a login, for switching.
func (m Model) loadOthers() tea.Cmd {
	svc, c := m.cfg.Service, m.client
	return func() tea.Msg {
		others, _, err := svc.Sessions(c)
		return othersMsg{others: others, err: err}
	}
}

func (m Model) saveClient(id, secret string) tea.Cmd {
	svc := m.cfg.Service
	return func() tea.Msg {
		aside, err := svc.SaveClient(id, secret)
		return clientSavedMsg{aside: aside, err: err}
	}
}

// newLogin makes a login and binds its listener. The previous attempt's
// listener, if any, is closed first: Close waits until its port is free,
// so the new one never races it for the same port.
func (m Model) newLogin(attempt int, prev *auth.Listener) tea.Cmd {
	c := m.client
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
func (m Model) wait(ctx context.Context, attempt int, ln *auth.Listener) tea.Cmd {
	svc, c := m.cfg.Service, m.client
	return func() tea.Msg {
		tok, err := ln.Wait(ctx)
		if err != nil {
			return loginDoneMsg{attempt: attempt, err: err}
		}
		// Storing the session may outlive the login's deadline, but not a
		// person who pressed esc or quit meanwhile.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		stop := context.AfterFunc(ctx, func() {
			if errors.Is(ctx.Err(), context.Canceled) {
				cancel()
			}
		})
		defer stop()
		sess, aside, err := svc.Complete(cctx, c, tok)
		return loginDoneMsg{attempt: attempt, session: sess, aside: aside, err: err}
	}
}

// paste completes the login from an address pasted by hand. Mistakes in
// the paste keep the login open.
func (m Model) paste(attempt int, text string) tea.Cmd {
	svc, c, l := m.cfg.Service, m.client, m.login
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
		sess, aside, err := svc.Complete(ctx, c, tok)
		return loginDoneMsg{attempt: attempt, session: sess, aside: aside, err: err}
	}
}

func (m Model) tick() tea.Cmd {
	attempt := m.attempt
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{attempt} })
}

func (m Model) openBrowser(attempt int, u string) tea.Cmd {
	open := m.cfg.OpenURL
	return func() tea.Msg {
		if open == nil {
			return browserMsg{attempt: attempt, err: errors.New("no browser is available here")}
		}
		return browserMsg{attempt: attempt, err: open(u)}
	}
}

// approve lets the demo play the browser against its fake Launchpad.
func (m Model) approve(attempt int, authURL string) tea.Cmd {
	d := m.cfg.Demo
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.Approve(ctx, authURL); err != nil {
			return loginDoneMsg{attempt: attempt, err: err}
		}
		return nil // the callback ends the login through wait
	}
}

// reload asks Launchpad again for the session's accounts. Each reload is
// numbered and tagged with its session, so an answer that comes back after
// a logout, a switch or a newer reload is dropped.
func (m *Model) reload(sess *store.Session, background bool) tea.Cmd {
	m.reloadGen++
	gen, key := m.reloadGen, sess.Key()
	svc, c, ts := m.cfg.Service, m.client, m.tokens
	if ts == nil || m.session == nil || m.session.Key() != key {
		ts = svc.TokenSource(c, sess)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		r, err := svc.ReloadWith(ctx, c, sess, ts)
		return reloadMsg{key: key, gen: gen, reload: r, err: err, background: background}
	}
}

// copyText sends text to the clipboard through the terminal (OSC 52, which
// works over SSH and in tmux) and to the system clipboard where there is
// one.
func (m Model) copyText(text string) tea.Cmd {
	sys := m.cfg.CopyText
	return tea.Batch(tea.SetClipboard(text), func() tea.Msg {
		if sys == nil {
			return copiedMsg{text: text}
		}
		return copiedMsg{text: text, sysErr: sys(text)}
	})
}

// openURL opens an account's web address; only http and https are opened,
// whatever a server sent.
func (m Model) openURL(raw string) tea.Cmd {
	open := m.cfg.OpenURL
	return func() tea.Msg {
		shown := ui.Clean(raw)
		if why := ui.UnsafeURL(raw); why != "" {
			return openedMsg{url: shown, err: errors.New("the address " + why)}
		}
		u, _ := url.Parse(raw)
		if open == nil {
			return openedMsg{url: shown, err: errors.New("no browser is available here")}
		}
		return openedMsg{url: shown, err: open(u.String())}
	}
}

func (m Model) remember(account string) tea.Cmd {
	if m.session == nil {
		return nil
	}
	svc, key := m.cfg.Service, m.session.Key()
	return func() tea.Msg { _ = svc.Remember(key, account); return nil }
}

func (m Model) logout() tea.Cmd {
	svc, key := m.cfg.Service, m.session.Key()
	return func() tea.Msg { return loggedOutMsg{err: svc.Store.Logout(key)} }
}

func (m Model) switchTo(key string) tea.Cmd {
	svc := m.cfg.Service
	return func() tea.Msg { return switchedMsg{err: svc.Store.Switch(key)} }
}
