package product

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"bcauth/auth"
)

// Defaults of a Caller.
const (
	DefaultMaxRetries = 3
	// DefaultMaxRetryAfter is the longest Retry-After a Caller waits out; a
	// person at the terminal is told, and can stop it with Ctrl-C.
	DefaultMaxRetryAfter = 5 * time.Minute
)

// errorPeek is how much of a 401 is read to tell "expired" from the rest.
const errorPeek = 64 << 10

// Config tunes a Caller. The zero value is polite.
type Config struct {
	// HTTPClient sends the requests; its redirect policy is replaced so
	// the token never follows a redirect. Leave its Timeout zero to stream
	// long bodies: the transport's own timeouts bound the wait for an
	// answer. http.DefaultClient's transport when nil.
	HTTPClient *http.Client
	// UserAgent is sent on every request; [auth.DefaultUserAgent]() when
	// empty.
	UserAgent string
	// Hosts are the per-host limits; NewHosts' defaults on Now and Sleep
	// when nil.
	Hosts *Hosts
	// MaxRetries is how often a 429 (or, for GET and HEAD, a 5xx or a
	// failed connection) is retried; DefaultMaxRetries when zero, none when
	// negative.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After waited out; a longer one
	// returns the 429 at once. DefaultMaxRetryAfter when zero.
	MaxRetryAfter time.Duration
	// Backoff is the first wait before retrying a 5xx (see Backoff);
	// DefaultBackoff when zero.
	Backoff time.Duration
	// Now and Sleep are the clock behind Retry-After and backoff.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Waiting, when not nil, is told before every wait for a retry, so a
	// person can be told how long it will be.
	Waiting func(Wait)
	// RefreshOnce makes one refresh after "expired" the last over all of
	// the Caller's calls, not one per call: pages that all answer
	// "expired" (a token the product refuses whatever Launchpad says)
	// must not make a run refresh at Launchpad once a page.
	RefreshOnce bool
}

// Wait is a Caller about to wait before trying again.
type Wait struct {
	Host   string
	Status int           // 429 or the 5xx; 0 after a failed connection
	For    time.Duration // how long
	// RetryAfter says the server asked for the wait (Retry-After).
	RetryAfter bool
	// Attempt is the try that failed, from 1.
	Attempt int
}

// Caller sends requests to product APIs with a login's OAuth token.
type Caller struct {
	cfg       Config
	client    *http.Client
	refreshed atomic.Bool // a refresh was tried (see RefreshOnce)
}

// NewCaller returns a Caller for cfg, defaults filled in.
func NewCaller(cfg Config) *Caller {
	if cfg.UserAgent == "" {
		cfg.UserAgent = auth.DefaultUserAgent()
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = Sleep
	}
	if cfg.Hosts == nil {
		cfg.Hosts = NewHosts(0, 0, cfg.Now, cfg.Sleep)
	}
	var client http.Client
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	// A redirect would carry the token somewhere the caller's check of the
	// URL never saw.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Caller{cfg: cfg, client: &client}
}

// Request is one API call. Body, when not nil, opens the body afresh for
// each try (a 429 or a refreshed token sends it again).
type Request struct {
	Method        string
	URL           *url.URL
	Header        http.Header
	Body          func() (io.ReadCloser, error)
	ContentLength int64 // -1 when unknown
}

// Result is the answer to a Request.
type Result struct {
	// Response is the last answer, its body unread: the caller streams and
	// closes it.
	Response *http.Response
	// Attempts is how many requests were sent.
	Attempts int
	// Refreshed says the token was refreshed after the product called it
	// expired; RefreshErr is why that failed, when it did (Response is
	// then the 401).
	Refreshed  bool
	RefreshErr error
}

// ErrInsecure is a request over plain http to a host other than loopback:
// no token is sent that way.
var ErrInsecure = errors.New("refusing to send the token over plain http to a host other than loopback")

// Do sends r with the token from tokens (refreshed first when due), and
// retries politely: after a 401 that calls the token expired, once, with a
// refreshed one; after a 429, when its Retry-After is within MaxRetryAfter,
// for the whole host; after a 5xx or a failed connection, with backoff,
// for GET and HEAD only, which are safe to repeat. The error is for no
// answer at all (or no token to send).
func (c *Caller) Do(ctx context.Context, r Request, tokens *auth.TokenSource) (*Result, error) {
	if r.URL.Scheme != "https" && !(r.URL.Scheme == "http" && auth.IsLoopbackHost(r.URL.Hostname())) {
		return nil, fmt.Errorf("%w (%s)", ErrInsecure, r.URL.Host)
	}
	idempotent := r.Method == http.MethodGet || r.Method == http.MethodHead
	res := &Result{}
	for {
		if err := c.cfg.Hosts.Wait(ctx, r.URL.Host); err != nil {
			return nil, err
		}
		tok, err := tokens.Token(ctx)
		if !auth.Usable(tok, err) {
			return nil, err
		}
		res.Attempts++
		resp, err := c.send(ctx, r, tok.AccessToken)
		if err != nil {
			if ctx.Err() != nil || !idempotent || res.Attempts > c.cfg.MaxRetries {
				return nil, err
			}
			if err := c.wait(ctx, Wait{Host: r.URL.Host, For: Backoff(c.cfg.Backoff, res.Attempts), Attempt: res.Attempts}); err != nil {
				return nil, err
			}
			continue
		}
		code := resp.StatusCode
		switch {
		case code == http.StatusUnauthorized && !res.Refreshed && !(c.cfg.RefreshOnce && c.refreshed.Load()):
			expired, err := peekExpired(resp)
			if err != nil {
				return nil, err
			}
			if !expired {
				break
			}
			if c.cfg.RefreshOnce && c.refreshed.Swap(true) {
				break // another call refreshed meanwhile
			}
			res.Refreshed = true
			if fresh, rerr := tokens.Refresh(ctx, tok.AccessToken); !auth.Usable(fresh, rerr) {
				res.RefreshErr = rerr
				break
			}
			resp.Body.Close()
			continue
		case code == http.StatusTooManyRequests && res.Attempts <= c.cfg.MaxRetries:
			d, ok := RetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())
			if !ok {
				d = Backoff(c.cfg.Backoff, res.Attempts)
			}
			if d > c.cfg.MaxRetryAfter {
				break
			}
			resp.Body.Close()
			// Basecamp limits by client IP, so the whole host waits.
			c.cfg.Hosts.Pause(r.URL.Host, c.cfg.Now().Add(d))
			if c.cfg.Waiting != nil {
				c.cfg.Waiting(Wait{Host: r.URL.Host, Status: code, For: d, RetryAfter: ok, Attempt: res.Attempts})
			}
			continue
		case code >= 500 && idempotent && res.Attempts <= c.cfg.MaxRetries:
			d, ok := RetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())
			if !ok || d > c.cfg.MaxRetryAfter {
				d, ok = Backoff(c.cfg.Backoff, res.Attempts), false
			}
			resp.Body.Close()
			if err := c.wait(ctx, Wait{Host: r.URL.Host, Status: code, For: d, RetryAfter: ok, Attempt: res.Attempts}); err != nil {
				return nil, err
			}
			continue
		}
		res.Response = resp
		return res, nil
	}
}

// wait tells Waiting, then sleeps.
func (c *Caller) wait(ctx context.Context, w Wait) error {
	if c.cfg.Waiting != nil {
		c.cfg.Waiting(w)
	}
	return c.cfg.Sleep(ctx, w.For)
}

// send makes one request.
func (c *Caller) send(ctx context.Context, r Request, token string) (*http.Response, error) {
	var body io.ReadCloser
	if r.Body != nil {
		b, err := r.Body()
		if err != nil {
			return nil, err
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL.String(), body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	if r.Body != nil {
		req.ContentLength = r.ContentLength
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Authorization", "Bearer "+token)
	return c.client.Do(req)
}

// peekExpired reads the start of a 401 to see whether it calls the token
// expired, and puts it back in front of the rest of the body.
func peekExpired(resp *http.Response) (bool, error) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, errorPeek))
	if err != nil {
		resp.Body.Close()
		return false, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return strings.Contains(strings.ToLower(auth.ErrorText(head)), "expired"), nil
}
