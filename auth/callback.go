package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
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

// MaxLoginTimeout is the longest a login may wait for the browser: the
// start address, its cookie and the state are worth nothing after it.
const MaxLoginTimeout = time.Hour

// exchangeTimeout is how long Wait gives Launchpad to trade a code, however
// little of the login's own time is left when the callback arrives.
const exchangeTimeout = 30 * time.Second

// ErrStartReused means the login's start address was opened a second time
// before any callback came: some other program got there first, or got
// there second, and bcauth cannot tell which browser is the person's, so it
// ends the login rather than log anyone in from the wrong one.
var ErrStartReused = errors.New("the login link was opened by another program before your browser (or opened twice); to be safe bcauth ended this login: start again")

// startPrefix is where the start address lives on the listener.
const startPrefix = "/start/"

// bindingCookie is the cookie that ties a callback to the browser that
// opened the start address.
const bindingCookie = "bcauth_login"

// Listener is the loopback server that sends the browser to Launchpad and
// waits for Launchpad's redirect back.
type Listener struct {
	login   *Login
	path    string
	hosts   []string       // the Host headers answered, lower case
	lns     []net.Listener // one per loopback address, all on the same port
	srv     *http.Server
	started time.Time

	mu          sync.Mutex
	startOpened bool // the start address has been answered once

	calls      chan call      // valid callbacks, to Wait
	handed     chan struct{}  // closed once Wait has taken a callback
	handedOnce sync.Once      // closes handed
	reused     chan struct{}  // closed when the start address is opened again
	reusedOnce sync.Once      // closes reused
	done       chan struct{}  // closed when the login has ended
	once       sync.Once      // closes done
	serving    sync.WaitGroup // one per Serve goroutine
}

type call struct {
	res   callbackResult
	reply chan page
}

// listen is net.Listen; tests put a listener of their own in its place to
// see what Listen does with an address the system should never give, and
// to run the server on synthetic time.
var listen = net.Listen

// Listen binds the redirect URI's loopback host and port, and nothing else.
// For localhost it binds both 127.0.0.1 and [::1] on the port, since a
// browser may try either (often ::1 first): left free, [::1]:PORT could be
// taken by another local program, which would then receive the code. A
// machine without IPv6 gets 127.0.0.1 alone.
func (l *Login) Listen() (*Listener, error) {
	u := l.c.redirect
	hosts := []string{u.Hostname()}
	if isLocalhost(u.Hostname()) {
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
		ln, err := listen("tcp", addr)
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
		login: l,
		path:  u.EscapedPath(),
		// A page on any web site can make the browser reach this port
		// under a name of its own that resolves to 127.0.0.1 (DNS
		// rebinding): only the redirect URI's own host and port are
		// answered.
		hosts:   []string{strings.ToLower(u.Host)},
		lns:     lns,
		started: l.c.now(),
		calls:   make(chan call),
		handed:  make(chan struct{}),
		reused:  make(chan struct{}),
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

// ServeHTTP answers the browser. Only a request for this host, from this
// user's (or root's) process, can reach the start address or the
// callback; only the start address's first opening sends a browser to
// Launchpad, and only a callback from that browser with this login's state
// can end the login. Everything else is answered and ignored.
func (cb *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	// The callback's address holds the code and state: never pass it on.
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !slices.Contains(cb.hosts, strings.ToLower(r.Host)) {
		cb.write(w, http.StatusMisdirectedRequest, page{Title: "Wrong address", Message: "bcauth answers only at http://" + cb.login.c.redirect.Host + "; this request named another host. The login in your terminal goes on."})
		return
	}
	path := r.URL.EscapedPath()
	start := strings.HasPrefix(path, startPrefix)
	if path != cb.path && !start {
		cb.write(w, http.StatusNotFound, page{Title: "Not found", Message: "bcauth is waiting for Launchpad's callback; this address is not it."})
		return
	}
	if err := checkPeer(r); err != nil {
		cb.write(w, http.StatusForbidden, page{Title: "This login is not yours", Message: err.Error() + ". Nothing was changed; the login in the terminal goes on."})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		cb.write(w, http.StatusMethodNotAllowed, page{Title: "Method not allowed", Message: "bcauth's login pages answer GET requests only."})
		return
	}
	if start {
		cb.start(w, r, strings.TrimPrefix(path, startPrefix))
		return
	}
	res, err := cb.login.parseCallback(r.URL.Query())
	if err != nil {
		cb.write(w, http.StatusBadRequest, page{Title: "This is not the login bcauth is waiting for", Message: err.Error() + " The login in your terminal goes on."})
		return
	}
	// Even with the right state, only the browser that opened the start
	// address counts: the state may have leaked, the cookie has not.
	if !cb.bound(r) {
		cb.write(w, http.StatusForbidden, page{Title: "This browser did not start this login", Message: "bcauth accepts Launchpad's answer only in the browser it sent there through its start address. If you opened Launchpad's address from bcauth's screen yourself, paste this page's address into bcauth instead. The login in your terminal goes on."})
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
		cb.write(w, http.StatusGone, endedPage)
		return
	case <-r.Context().Done():
		return
	}
	// The cookie has done its work: the browser forgets it.
	http.SetCookie(w, cb.cookie("", -1))
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
			cb.write(w, http.StatusGone, endedPage)
		}
	case <-r.Context().Done():
	}
}

var endedPage = page{Title: "This login has ended", Message: "bcauth stopped waiting. Start again in your terminal."}

// start answers the start address: the first opening goes to Launchpad
// with the binding cookie; a second one means two programs had the
// address, and ends a login no callback has come for yet.
func (cb *Listener) start(w http.ResponseWriter, r *http.Request, nonce string) {
	if subtle.ConstantTimeCompare([]byte(nonce), []byte(cb.login.nonce)) != 1 {
		cb.write(w, http.StatusNotFound, page{Title: "Not found", Message: "This login link is not the one bcauth is waiting on. Start again in your terminal."})
		return
	}
	select {
	case <-cb.done:
		cb.write(w, http.StatusGone, endedPage)
		return
	default:
	}
	cb.mu.Lock()
	first := !cb.startOpened
	cb.startOpened = true
	cb.mu.Unlock()
	if first {
		http.SetCookie(w, cb.cookie(cb.login.binding, int(MaxLoginTimeout/time.Second)))
		http.Redirect(w, r, cb.login.URL, http.StatusFound)
		return
	}
	select {
	case <-cb.handed:
		cb.write(w, http.StatusConflict, page{Title: "This login has already finished", Message: "Look at your terminal."})
	default:
		cb.reusedOnce.Do(func() { close(cb.reused) })
		cb.write(w, http.StatusConflict, page{Title: "This login link was already used", Message: "Another program opened this link before this browser did, so bcauth ended the login to be safe: nobody is logged in. Start again in your terminal."})
	}
}

// cookie is the binding cookie: HttpOnly, so no page script reads it;
// SameSite=Lax, so it rides Launchpad's top-level redirect back but no
// other site's request; scoped to the callback's path.
func (cb *Listener) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: bindingCookie, Value: value, Path: cb.login.c.redirect.Path,
		MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// bound reports whether the request carries this login's binding cookie.
// Every cookie of that name is tried: another program's server on another
// port of this host can set cookies for it too (cookies know no ports),
// which may add to this one but cannot remove it.
func (cb *Listener) bound(r *http.Request) bool {
	if !cb.opened() {
		return false
	}
	ok := false
	for _, c := range r.CookiesNamed(bindingCookie) {
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(cb.login.binding)) == 1 {
			ok = true
		}
	}
	return ok
}

// opened reports whether the start address has sent a browser to Launchpad.
func (cb *Listener) opened() bool {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.startOpened
}

// Wait serves until a callback with this login's state arrives from the
// browser that opened the start address, trades its code and tells the
// browser how it went. It returns *TimeoutError when ctx's deadline passes,
// ctx.Err() when ctx is cancelled, and ErrStartReused when the start
// address was opened twice before any callback. The listener is closed
// when Wait returns.
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
	case <-cb.reused:
		return nil, ErrStartReused
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

// pageTemplate is parsed when a login first serves a page, not at every
// command's start.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
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
})

func (cb *Listener) write(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = pageTemplate().Execute(w, p)
}
