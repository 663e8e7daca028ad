package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"bcauth/auth"
	"bcauth/ui/core"
)

// The device-code login (BC5, RFC 8628): a code shown here, entered in any
// browser on any device. No listener, no redirect and no paste-back, so
// the screen is the same over SSH; enter opens the page where the code
// goes, already filled in, when a browser can be opened here.

// planLogin asks discovery which server the login uses, then prepares it:
// a device code from BC5, or a Launchpad login with its callback listener
// bound. prev is the earlier attempt's listener, closed first.
func planLogin(b Backend, scope string, attempt int, prev *auth.Listener) tea.Cmd {
	return func() tea.Msg {
		if prev != nil {
			_ = prev.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		p, err := b.Discover(ctx)
		if err != nil {
			return loginReadyMsg{attempt: attempt, err: err}
		}
		if p.Device() {
			dc, err := p.Client.StartDevice(ctx, scope)
			return deviceReadyMsg{attempt: attempt, client: p.Client, code: dc, note: p.Note, err: err}
		}
		note := p.Note
		if scope == auth.ScopeRead {
			// Said, not silently dropped: Launchpad has no scopes.
			note = strings.TrimSpace(core.Sentence(note) + " Launchpad has no scopes, so --scope read does not apply: this login can read and write.")
		}
		l, err := p.Client.NewLogin()
		if err != nil {
			return loginReadyMsg{attempt: attempt, client: p.Client, note: note, err: err}
		}
		ln, err := l.Listen()
		return loginReadyMsg{attempt: attempt, client: p.Client, note: note, login: l, listener: ln, err: err}
	}
}

// pollDevice asks the server until the person approves, refuses or the
// code runs out, then stores the session. Cancelling ctx (esc, quit) ends
// it at once, and the server hears nothing more.
//
// timeout, when not zero, is --timeout, which ends ctx before the code's
// own end: reaching it is said as such.
func pollDevice(ctx context.Context, b Backend, c *auth.Client, attempt int, dc *auth.DeviceCode, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		tok, err := c.PollDevice(ctx, dc)
		if err != nil {
			if timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
				err = &core.DeviceTimeoutError{After: timeout}
			}
			return loginDoneMsg{attempt: attempt, err: err}
		}
		return complete(ctx, b, c, attempt, tok)
	}
}

// openDevicePage opens the page with the code filled in, through a
// loopback address of bcauth's own (an auth.DeviceLink, closed when the
// login ends): the page's own address holds the code, and a browser's
// arguments are readable by every local user.
func openDevicePage(ctx context.Context, open func(string) error, attempt int, target string) tea.Cmd {
	return func() tea.Msg {
		if open == nil {
			return browserMsg{attempt: attempt, err: errors.New("no browser is available here")}
		}
		link, err := auth.NewDeviceLink(ctx, target)
		if err != nil {
			return browserMsg{attempt: attempt, err: err}
		}
		return browserMsg{attempt: attempt, link: link, err: open(link.URL)}
	}
}

// approveCode lets the demo enter the code on the fake BC5's page.
func approveCode(d *Demo, attempt int, userCode string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.ApproveCode(ctx, userCode); err != nil {
			return loginDoneMsg{attempt: attempt, err: err}
		}
		return nil // polling ends the login
	}
}

func (m *Model) deviceReady(msg deviceReadyMsg) tea.Cmd {
	if msg.attempt != m.login.attempt || m.screen != screenConnect {
		return nil
	}
	m.adoptPlan(msg.client, msg.note)
	if msg.err != nil {
		return m.fail(msg.err, retryLogin)
	}
	l := &m.login
	l.device = msg.code
	// The code's own lifetime, or --timeout when that ends first: a
	// server's code may live for days, and bcauth asks no longer than
	// the person allowed.
	l.deadline = msg.code.Expires
	timeout := m.cfg.Timeout
	if m.cfg.timeoutDefault {
		timeout = auth.MaxLoginTimeout
	}
	if byTimeout := m.now().Add(timeout); byTimeout.Before(l.deadline) {
		l.deadline = byTimeout
	} else {
		timeout = 0 // the code ends first, and says so itself
	}
	// Drawn once for either background: the screen redraws every second.
	u := deviceURL(msg.code)
	l.qr = [2][]string{qrLines(u, false), qrLines(u, true)}
	ctx, cancel := context.WithDeadline(context.Background(), l.deadline)
	l.ctx, l.cancel, l.timeout = ctx, cancel, timeout
	cmds := []tea.Cmd{pollDevice(ctx, m.cfg.Service, msg.client, l.attempt, msg.code, timeout), tick(l.attempt)}
	// As on Launchpad, --no-browser is the person's to finish: the demo
	// approves by itself only when nothing else could.
	if d := m.cfg.Demo; d != nil && d.Headless && d.ApproveCode != nil && !m.cfg.NoBrowser {
		l.demoAt = m.now().Add(d.After)
		attempt := l.attempt
		cmds = append(cmds, tea.Tick(d.After, func(time.Time) tea.Msg { return demoApproveMsg{attempt} }))
	}
	return tea.Batch(cmds...)
}

// adoptPlan makes the client discovery chose the one this login goes
// through, and says why that server when discovery had something to say.
func (m *Model) adoptPlan(c *auth.Client, note string) {
	if c != nil && c != m.client {
		m.client = c
		m.prober = m.cfg.Service.Prober(c) // one prober per client
	}
	if note != "" {
		// Only a Launchpad login comes with a note: why not BC5.
		m.login.serverNote = core.Sentence("Signing in with Launchpad: " + core.Clean(note))
	}
}

// deviceURL is where the code goes: the address with the code filled in
// when the server gave one, else the page to type it into.
func deviceURL(dc *auth.DeviceCode) string {
	if dc.VerificationURIComplete != "" {
		return dc.VerificationURIComplete
	}
	return dc.VerificationURI
}

func (m *Model) deviceKey(msg tea.KeyPressMsg) tea.Cmd {
	l := &m.login
	switch {
	case key.Matches(msg, m.keys.Enter) && m.demoWaits():
		return m.deviceCue()
	case key.Matches(msg, m.keys.Enter) && !m.cfg.NoBrowser:
		l.browser = "Opening your browser…"
		return openDevicePage(l.ctx, m.cfg.OpenURL, l.attempt, deviceURL(l.device))
	case key.Matches(msg, m.keys.CopyURL):
		return copyText(m.cfg, deviceURL(l.device))
	case key.Matches(msg, m.keys.Back) && m.accounts.session != nil:
		m.backToAccounts()
	case key.Matches(msg, m.keys.Back):
		// Nothing to go back to: esc ends the login, and the server is
		// asked nothing more.
		m.endLogin()
		return tea.Quit
	case key.Matches(msg, m.keys.Quit):
		m.endLogin()
		return tea.Quit
	}
	return nil
}

// deviceCue is the headless demo's cue on the device screen.
func (m *Model) deviceCue() tea.Cmd {
	l := &m.login
	l.demoAt = time.Time{}
	l.browser = "No browser here, so the demo entered the code on your behalf."
	return approveCode(m.cfg.Demo, l.attempt, l.device.UserCode)
}

// deviceFit is how much of the device screen's room a layout takes:
// blank lines between its parts, and the code boxed.
type deviceFit struct{ gaps, box bool }

// viewDevice draws the richest layout that fits the window: blank lines
// and the boxed code first go when it is short, never the code or the
// address. A window wide and tall enough shows a QR code of the address
// beside the words, for a phone.
func (m *Model) viewDevice() string {
	height := max(m.height-m.helpHeight(), 1)
	w := max(m.width-4, 10) // as m.wrap: a margin either side
	qr := m.login.qr[0]
	if m.styles.Dark {
		qr = m.login.qr[1]
	}
	qrW := 0
	if qr != nil {
		qrW = ansi.StringWidth(qr[0])
	}
	// Beside the words, which keep room for the address on one line; the
	// header, the code and its caption fit above the help.
	beside := qr != nil && w-qrW-3 >= 56 && len(qr)+4 <= height
	textW, urlW := w, w+2
	if beside {
		// Near the words, not at the far edge of a wide window.
		textW = min(w-qrW-3, 76)
		urlW = textW
	}
	var head, text string
	for _, fit := range []deviceFit{{gaps: true, box: true}, {box: true}, {}} {
		head, text = m.deviceText(textW, urlW, fit)
		if strings.Count(head+text, "\n")+1 <= height {
			break
		}
	}
	if beside {
		caption := m.styles.Muted.Width(qrW).Render("Scan it to open it on a phone.")
		text = joinColumns(text, textW+3, strings.Join(qr, "\n")+"\n"+caption)
	}
	return head + indent(text)
}

// deviceText is the device screen's header, and its words at width w
// (urlW for the address, kept on one line), without the margin.
func (m *Model) deviceText(w, urlW int, fit deviceFit) (head, text string) {
	s := m.styles
	wrap := func(st lipgloss.Style, t string) string { return st.Width(w).Render(t) }
	gap := "\n"
	if fit.gaps {
		gap = "\n\n"
	}
	dc := m.login.device
	head = m.header("Connect your Basecamp ID", m.countdown()) + gap
	var b strings.Builder
	if m.login.note != "" {
		b.WriteString(wrap(s.Warn, m.login.note) + gap)
	}
	b.WriteString(wrap(s.Text, "Enter this code at "+core.Clean(dc.VerificationURI)+", in a browser on any device:") + "\n")
	code := core.Clean(dc.UserCode)
	if fit.box {
		b.WriteString(m.codeBox(code))
	} else {
		b.WriteString(s.Code.Render(code))
	}
	b.WriteString(gap)
	switch {
	case m.demoWaits():
		secs := int(m.login.demoAt.Sub(m.now()).Seconds() + 0.999)
		b.WriteString(wrap(s.Warn, "No browser here: the demo enters the code on your behalf in "+strconv.Itoa(secs)+"s (enter: now). Or open this address ("+s.Key.Render("c")+" copies it):"))
	case m.cfg.NoBrowser:
		b.WriteString(wrap(s.Text, "Or open this address, the code filled in ("+s.Key.Render("c")+" copies it):"))
	default:
		b.WriteString(wrap(s.Text, "Press "+s.Key.Render("enter")+" to open it with the code filled in ("+s.Key.Render("c")+" copies the address):"))
	}
	u := core.Clean(deviceURL(dc))
	b.WriteString("\n" + s.URL.Hyperlink(u).Render(shortURL(u, max(urlW, 10))) + gap)
	if m.login.browser != "" {
		b.WriteString(wrap(m.browserNoteStyle(), m.login.browser) + gap)
	}
	b.WriteString(m.spinner.View() + " " + s.Muted.Render("Waiting for your approval…") + "\n")
	b.WriteString(wrap(s.Subtle, "Signing in with "+core.Clean(m.client.Server().Name())+" for "+scopeWords(dc.Scope)+"."))
	if m.login.serverNote != "" {
		b.WriteString("\n" + wrap(s.Subtle, m.login.serverNote))
	}
	if m.accounts.status != "" {
		b.WriteString("\n" + strings.TrimPrefix(m.statusLine(), " "))
	}
	return head, b.String()
}

// scopeWords says what a scope lets bcauth do.
func scopeWords(scope string) string {
	if scope == "read" {
		return "read-only access"
	}
	return "full access (read and write)"
}
