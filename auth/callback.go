package auth

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// PortInUseError means the redirect URI's port is taken by another program.
type PortInUseError struct {
	Addr string
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("cannot listen on %s for Launchpad's callback: the port is already in use by another program (another bcauth, or the official Basecamp CLI?). Close it, or register another redirect URI and set %s", e.Addr, SettingRedirectURI)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// TimeoutError means no callback arrived in time.
type TimeoutError struct {
	After       time.Duration
	RedirectURI string
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from the browser within %s. Either the approval was not finished, or the redirect URI %s is not the one registered for this client: Launchpad then shows \"redirect_uri is not approved\" and never calls back. Check %s", e.After.Round(time.Second), e.RedirectURI, SettingRedirectURI)
}

// ErrTimeout matches every *TimeoutError with errors.Is.
var ErrTimeout = errors.New("login timed out")

func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// exchangeTimeout is how long Wait gives Launchpad to trade a code, however
// little of the login's own time is left when the callback arrives.
const exchangeTimeout = 30 * time.Second

// Listener is the loopback server that waits for Launchpad's redirect.
type Listener struct {
	login   *Login
	path    string
	lns     []net.Listener // one per loopback address, all on the same port
	srv     *http.Server
	started time.Time

	calls      chan call      // valid callbacks, to Wait
	handed     chan struct{}  // closed once Wait has taken a callback
	handedOnce sync.Once      // closes handed
	done       chan struct{}  // closed when the login has ended
	once       sync.Once      // closes done
	serving    sync.WaitGroup // one per Serve goroutine
}

type call struct {
	res   callbackResult
	reply chan page
}

// Listen binds the redirect URI's loopback host and port, and nothing else.
// For localhost it binds both 127.0.0.1 and [::1] on the port, since a
// browser may try either (often ::1 first): left free, [::1]:PORT could be
// taken by another local program, which would then receive the code. A
// machine without IPv6 gets 127.0.0.1 alone.
func (l *Login) Listen() (*Listener, error) {
	u, err := ParseRedirectURI(l.c.cfg.RedirectURI)
	if err != nil {
		return nil, err
	}
	hosts := []string{u.Hostname()}
	if strings.EqualFold(u.Hostname(), "localhost") {
		// Never let a resolver pick, or pick a non-loopback address.
		hosts = []string{"127.0.0.1", "::1"}
	}
	var lns []net.Listener
	fail := func(err error) (*Listener, error) {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, err
	}
	for i, host := range hosts {
		addr := net.JoinHostPort(host, u.Port())
		ln, err := net.Listen("tcp", addr)
		switch {
		case err == nil:
		case errors.Is(err, syscall.EADDRINUSE):
			return fail(&PortInUseError{Addr: addr, Err: err})
		case i > 0 && (errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)):
			continue // no IPv6 here, so no browser reaches [::1] either
		default:
			return fail(fmt.Errorf("cannot listen on %s for Launchpad's callback: %w", addr, err))
		}
		lns = append(lns, ln)
		if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			return fail(fmt.Errorf("listening on %s for Launchpad's callback bound %s, which is not a loopback address: bcauth will not let another machine receive the code; check %s", addr, ln.Addr(), SettingRedirectURI))
		}
	}
	cb := &Listener{
		login:   l,
		path:    u.EscapedPath(),
		lns:     lns,
		started: l.c.now(),
		calls:   make(chan call),
		handed:  make(chan struct{}),
		done:    make(chan struct{}),
	}
	cb.srv = &http.Server{
		Handler:           cb,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// Long enough to hold the browser while the code is traded.
		WriteTimeout:   60 * time.Second,
		IdleTimeout:    10 * time.Second,
		MaxHeaderBytes: 16 << 10,
	}
	for _, ln := range lns {
		cb.serving.Go(func() { _ = cb.srv.Serve(ln) })
	}
	return cb, nil
}

// Addr is the address the listener is bound to, such as 127.0.0.1:8976;
// for localhost, the IPv4 one of the two.
func (cb *Listener) Addr() string { return cb.lns[0].Addr().String() }

// ServeHTTP answers the browser. Only the redirect path with this login's
// state can end the login; everything else is answered and ignored.
func (cb *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.EscapedPath() != cb.path {
		cb.write(w, http.StatusNotFound, page{Title: "Not found", Message: "bcauth is waiting for Launchpad's callback; this address is not it."})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		cb.write(w, http.StatusMethodNotAllowed, page{Title: "Method not allowed", Message: "Launchpad's callback is a GET request."})
		return
	}
	res, err := cb.login.parseCallback(r.URL.Query())
	if err != nil {
		cb.write(w, http.StatusBadRequest, page{Title: "This is not the login bcauth is waiting for", Message: err.Error() + " The login in your terminal goes on."})
		return
	}
	// The login is taken only once Wait has the callback: a browser
	// request dropped before that leaves it open for the next one.
	conflict := func() {
		cb.write(w, http.StatusConflict, page{Title: "This login has already finished", Message: "Look at your terminal."})
	}
	select {
	case <-cb.handed:
		conflict()
		return
	default:
	}
	c := call{res: res, reply: make(chan page, 1)}
	select {
	case cb.calls <- c:
	case <-cb.handed:
		conflict()
		return
	case <-cb.done:
		cb.write(w, http.StatusGone, page{Title: "This login has ended", Message: "bcauth stopped waiting. Start again in your terminal."})
		return
	case <-r.Context().Done():
		return
	}
	// Hold the page until the code has been traded, so it tells the truth.
	select {
	case p := <-c.reply:
		cb.write(w, p.status, p)
	case <-cb.done:
		// Wait replies before it closes done, but select picks at random
		// when both are ready: the reply, if there is one, is the truth.
		select {
		case p := <-c.reply:
			cb.write(w, p.status, p)
		default:
			cb.write(w, http.StatusGone, page{Title: "This login has ended", Message: "bcauth stopped waiting. Start again in your terminal."})
		}
	case <-r.Context().Done():
	}
}

// Wait serves until a callback with this login's state arrives, trades its
// code and tells the browser how it went. It returns *TimeoutError when ctx's
// deadline passes and ctx.Err() when ctx is cancelled. The listener is
// closed when Wait returns.
func (cb *Listener) Wait(ctx context.Context) (*oauth2.Token, error) {
	defer cb.Close()
	select {
	case c := <-cb.calls:
		cb.handedOnce.Do(func() { close(cb.handed) })
		if c.res.err != nil {
			c.reply <- page{status: http.StatusForbidden, Title: "bcauth was not authorized", Message: c.res.err.Error() + ". You can close this tab; your terminal says what to do next.", Code: cb.login.Code}
			return nil, c.res.err
		}
		xctx, cancel := exchangeContext(ctx)
		defer cancel()
		tok, err := cb.login.c.Exchange(xctx, c.res.code)
		if err != nil {
			c.reply <- page{status: http.StatusBadGateway, Title: "Approved, but bcauth could not finish", Message: "Trading the code with Launchpad failed: " + err.Error(), Code: cb.login.Code}
			return nil, err
		}
		c.reply <- page{status: http.StatusOK, Title: "bcauth is connected", Message: "Check that your terminal shows the same code, then close this tab.", Code: cb.login.Code, OK: true}
		return tok, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &TimeoutError{After: cb.login.c.now().Sub(cb.started), RedirectURI: cb.login.c.cfg.RedirectURI}
		}
		return nil, ctx.Err()
	}
}

// exchangeContext gives the code exchange exchangeTimeout of its own: a
// callback that comes just before the login's deadline must not inherit
// the second that is left. Cancelling ctx still cancels the exchange.
func exchangeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	xctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), exchangeTimeout)
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	return xctx, func() {
		stop()
		cancel()
	}
}

// Close stops the listener and releases any browser request still held. It
// is safe to call more than once.
func (cb *Listener) Close() error {
	cb.once.Do(func() { close(cb.done) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := cb.srv.Shutdown(ctx)
	if err != nil {
		err = cb.srv.Close()
	}
	cb.serving.Wait()
	return err
}

type page struct {
	status  int
	Title   string
	Message string
	Code    string
	OK      bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · bcauth</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f6f3ea;color:#1d1d1b}
main{max-width:32rem;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 .5rem;color:{{if .OK}}#1d7a3a{{else}}#b3261e{{end}}}
.code{font:700 2rem ui-monospace,monospace;letter-spacing:.15em;margin:1rem 0;color:#1d1d1b}
@media (prefers-color-scheme:dark){body{background:#1d1d1b;color:#eee}main{background:#2a2a28}.code{color:#fff}}
</style></head><body><main>
<h1 id="title">{{.Title}}</h1>
{{if .Code}}<p>Verification code</p><p class="code" id="code">{{.Code}}</p>{{end}}
<p id="message">{{.Message}}</p>
</main></body></html>
`))

func (cb *Listener) write(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
