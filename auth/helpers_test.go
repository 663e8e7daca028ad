package auth_test

import (
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"

	"golang.org/x/oauth2"
)

// harness is a fake Launchpad and a client registered with it, sharing a
// redirect URI on a port that was free a moment ago.
type harness struct {
	fake     *launchpadtest.Server
	client   *auth.Client
	redirect string // http://127.0.0.1:PORT/callback
	addr     string // 127.0.0.1:PORT
	sent     *recorder
	// browser is the person's browser: the one that opens the start
	// address, and so holds the binding cookie.
	browser *browser
}

// setup adjusts a harness before it starts.
type setup struct {
	fake   launchpadtest.Options
	config func(*auth.Config)
	opts   []auth.Option
	// host replaces 127.0.0.1 in the redirect URI, such as "localhost".
	host string
}

// freeAddr returns a loopback address nobody listened on a moment ago
// (launchpadtest.FreePort: out of the range other test servers draw from).
func freeAddr(t *testing.T) string {
	t.Helper()
	port, err := launchpadtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(port)
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	addr := freeAddr(t)
	redirect := "http://" + addr + "/callback"
	if s.host != "" {
		_, port, _ := net.SplitHostPort(addr)
		redirect = "http://" + net.JoinHostPort(s.host, port) + "/callback"
	}
	fo := s.fake
	fo.RedirectURI = redirect
	fake := launchpadtest.NewServer(fo)
	t.Cleanup(fake.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	rec := &recorder{next: tr}
	opts := fake.Options()
	cfg := auth.Config{
		ClientID:     opts.ClientID,
		ClientSecret: opts.ClientSecret,
		RedirectURI:  redirect,
		LaunchpadURL: fake.URL,
		HTTPClient:   &http.Client{Timeout: 30 * time.Second, Transport: rec},
	}
	if s.config != nil {
		s.config(&cfg)
	}
	c, err := auth.New(cfg, s.opts...)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return &harness{fake: fake, client: c, redirect: redirect, addr: addr, sent: rec, browser: newBrowser(t)}
}

// recorder passes requests on unchanged and remembers their headers, so a
// test can see what the client sent (the fake keeps no headers).
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []sentRequest
	gate func(*http.Request) error // runs before a request goes out
}

type sentRequest struct {
	path   string
	header http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, sentRequest{path: req.URL.Path, header: req.Header.Clone()})
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		if err := gate(req); err != nil {
			return nil, err
		}
	}
	return r.next.RoundTrip(req)
}

// hold stops requests to path until the returned release is called; started
// receives each one as it is stopped.
func (r *recorder) hold(path string) (started <-chan struct{}, release func()) {
	st := make(chan struct{}, 16)
	open := make(chan struct{})
	r.mu.Lock()
	r.gate = func(req *http.Request) error {
		if req.URL.Path != path {
			return nil
		}
		st <- struct{}{}
		select {
		case <-open:
			return nil
		case <-req.Context().Done():
			return req.Context().Err()
		}
	}
	r.mu.Unlock()
	var once sync.Once
	return st, func() { once.Do(func() { close(open) }) }
}

func (r *recorder) to(path string) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentRequest
	for _, s := range r.reqs {
		if s.path == path {
			out = append(out, s)
		}
	}
	return out
}

// start begins a login, listens for its callback and opens the start
// address in the person's browser, as bcauth does; the listener is closed
// when the test ends.
func (h *harness) start(t *testing.T) (*auth.Login, *auth.Listener) {
	t.Helper()
	l, ln := h.listen(t)
	h.open(t, l)
	return l, ln
}

// listen begins a login and listens for its callback, and opens nothing.
func (h *harness) listen(t *testing.T) (*auth.Login, *auth.Listener) {
	t.Helper()
	l, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return l, ln
}

// open plays the person's browser opening the login's start address: it
// must be sent on to Launchpad's authorization URL, with a cookie.
func (h *harness) open(t *testing.T, l *auth.Login) {
	t.Helper()
	p, err := h.browser.browse(t.Context(), http.MethodGet, l.Start)
	if err != nil {
		t.Fatalf("opening the start address: %v", err)
	}
	if p.status != http.StatusFound || p.header.Get("Location") != l.URL {
		t.Fatalf("start address answered %d to %q, want 302 to the authorization URL: %s", p.status, p.header.Get("Location"), p.body)
	}
}

// approve plays the person clicking Allow and returns the callback address.
func (h *harness) approve(t *testing.T, l *auth.Login) string {
	t.Helper()
	loc, err := h.fake.Approve(t.Context(), l.URL)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	return loc.String()
}

// login runs a whole browser login and returns its token.
func (h *harness) login(t *testing.T) *oauth2.Token {
	t.Helper()
	l, ln := h.start(t)
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, h.approve(t, l))
	tok, err := ln.Wait(t.Context())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if b := <-browser; b.err != nil || b.page.status != http.StatusOK {
		t.Fatalf("browser: %+v", b)
	}
	return tok
}

// page is what the browser saw on the loopback listener.
type page struct {
	status  int
	header  http.Header
	body    string // unescaped text
	title   string
	code    string
	message string
}

var (
	titleRE   = regexp.MustCompile(`(?s)<h1 id="title">(.*?)</h1>`)
	codeRE    = regexp.MustCompile(`(?s)<p class="code" id="code">(.*?)</p>`)
	messageRE = regexp.MustCompile(`(?s)<p id="message">(.*?)</p>`)
)

func find(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// browser plays a browser with its own cookies.
type browser struct {
	jar http.CookieJar
	via string // the address to connect to, whatever the URL names
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{jar: jar}
}

// browse plays another program, with no cookies: one request, no
// redirects followed, no connection kept for later.
func browse(ctx context.Context, method, target string) (*page, error) {
	return (&browser{}).browse(ctx, method, target)
}

// browse makes one request with the browser's cookies, following no
// redirect and keeping no connection.
func (br *browser) browse(ctx context.Context, method, target string) (*page, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	if br.via != "" {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, br.via)
		}
	}
	c := &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if br.jar != nil {
		c.Jar = br.jar
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	raw := string(b)
	return &page{
		status:  resp.StatusCode,
		header:  resp.Header,
		body:    html.UnescapeString(raw),
		title:   find(titleRE, raw),
		code:    find(codeRE, raw),
		message: find(messageRE, raw),
	}, nil
}

type browsed struct {
	page *page
	err  error
}

// goBrowse browses in the background, as a browser does while the terminal
// waits.
func (b *browser) goBrowse(ctx context.Context, method, target string) <-chan browsed {
	ch := make(chan browsed, 1)
	go func() {
		p, err := b.browse(ctx, method, target)
		ch <- browsed{p, err}
	}()
	return ch
}

type waited struct {
	tok *oauth2.Token
	err error
}

// goWait waits for the callback in the background.
func goWait(ctx context.Context, ln *auth.Listener) <-chan waited {
	ch := make(chan waited, 1)
	go func() {
		tok, err := ln.Wait(ctx)
		ch <- waited{tok, err}
	}()
	return ch
}

// checkPage checks what every page of the listener must have.
func checkPage(t *testing.T, p *page) {
	t.Helper()
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
}

// portFree reports whether addr can be listened on again.
func portFree(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// asLaunchpad returns err's *auth.LaunchpadError, failing the test without one.
func asLaunchpad(t *testing.T, err error) *auth.LaunchpadError {
	t.Helper()
	var le *auth.LaunchpadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *auth.LaunchpadError", err, err)
	}
	return le
}

// fixedClock is a settable clock shared by the fake and the client.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fixedClock {
	return &fixedClock{now: time.Date(2026, 3, 22, 16, 56, 48, 0, time.UTC)}
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
