package product_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/product"
)

// login is a fake Launchpad and a token source holding a token it issued,
// for the refreshes a product's 401 asks for.
type login struct {
	fake   *launchpadtest.Server
	client *auth.Client
	tokens *auth.TokenSource
	access string // the access token the source starts with
}

func newLogin(t *testing.T) *login {
	t.Helper()
	s := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(s.Close)
	c, err := auth.New(auth.Config{
		ClientID: launchpadtest.DefaultClientID, ClientSecret: launchpadtest.DefaultClientSecret,
		LaunchpadURL: s.URL, UserAgent: "bcauth-test (test@example.com)",
	})
	if err != nil {
		t.Fatal(err)
	}
	access, refresh, expiry := s.IssueToken()
	ts := c.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: expiry, TokenType: "Bearer"}, nil)
	return &login{fake: s, client: c, tokens: ts, access: access}
}

// seen is one request as the product API saw it.
type seen struct {
	method, auth, userAgent, body string
	header                        http.Header
}

// api is a product API on loopback that answers with the scripted
// handlers in turn (the last one stays) and keeps what it was sent.
type api struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []seen
}

func newAPI(t *testing.T, answers ...http.HandlerFunc) *api {
	t.Helper()
	a := &api{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		n := len(a.got)
		a.got = append(a.got, seen{method: r.Method, auth: r.Header.Get("Authorization"),
			userAgent: r.Header.Get("User-Agent"), body: string(b), header: r.Header.Clone()})
		a.mu.Unlock()
		if len(answers) == 0 {
			w.Write([]byte(`{"ok":true}`))
			return
		}
		answers[min(n, len(answers)-1)](w, r)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) requests() []seen {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seen(nil), a.got...)
}

// url is the API's address for path.
func (a *api) url(t *testing.T, path string) *url.URL {
	t.Helper()
	u, err := url.Parse(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// answer is a handler that answers status with body and header.
func answer(status int, header http.Header, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// clock is a Caller's clock in tests: Sleep records the wait and moves
// time on at once, unless ctx has ended.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	// during, when set, runs inside every Sleep, before ctx is checked:
	// a person pressing Ctrl-C while the caller waits.
	during func()
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	during := c.during
	c.mu.Unlock()
	if during != nil {
		during()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// config is a Caller's config on c, with no rate limit, so the only waits
// recorded are the ones a test looks at.
func config(c *clock) product.Config {
	return product.Config{
		UserAgent: "bcauth-test (test@example.com)",
		Hosts:     product.NewHosts(rate.Inf, 1, c.Now, c.Sleep),
		Now:       c.Now,
		Sleep:     c.Sleep,
	}
}

// body reads and closes a result's response body.
func body(t *testing.T, res *product.Result) string {
	t.Helper()
	defer res.Response.Body.Close()
	b, err := io.ReadAll(res.Response.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return string(b)
}

// transport counts the requests that reach it and the response bodies
// nobody closed, so a test can see a request sent after it should have
// stopped, and a connection left open between retries.
type transport struct {
	next http.RoundTripper
	mu   sync.Mutex
	sent int
	open int // bodies handed out and not yet closed
}

func newTransport() *transport {
	return &transport{next: http.DefaultTransport.(*http.Transport).Clone()}
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.sent++
	t.mu.Unlock()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.open++
	t.mu.Unlock()
	resp.Body = &trackedBody{ReadCloser: resp.Body, t: t}
	return resp, nil
}

func (t *transport) counts() (sent, open int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sent, t.open
}

type trackedBody struct {
	io.ReadCloser
	t    *transport
	once sync.Once
}

func (b *trackedBody) Close() error {
	b.once.Do(func() {
		b.t.mu.Lock()
		b.t.open--
		b.t.mu.Unlock()
	})
	return b.ReadCloser.Close()
}
