// Package auth logs a person into their Basecamp ID and keeps the login
// alive. It knows nothing of terminals; every string it returns from a
// server is raw and must be sanitised before display.
//
// Two authorization servers stand behind one shape. Launchpad, which every
// production account uses today: a registered client with a secret, the
// browser's loopback callback ([Client.NewLogin]), tokens that do not
// rotate. And BC5, Basecamp's standards-based server: a public client, the
// device login ([Client.StartDevice], [Client.PollDevice]), refresh tokens
// that rotate and carry an account's resource indicator, and revocation.
// [Discover] asks the API host which one a new login uses and returns a
// [Server]; the store keeps that Server with the login, and [Config.Server]
// gives it back to [New]. From then on the callers hold a *Client and never
// ask which server it speaks to: [Client.RefreshToken], [TokenSource],
// [Client.Authorization], [Client.Whose] and [Client.Revoke] do what that
// server needs (Revoke does nothing on Launchpad, which cannot revoke). Only
// the start of a login differs, since the person does different things: a
// browser that comes back ([Login]) or a code typed elsewhere ([DeviceCode]).
package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Client talks to one authorization server (Launchpad or a BC5 issuer)
// with one client registration.
type Client struct {
	cfg      Config
	redirect *url.URL // cfg.RedirectURI, parsed; nil on BC5
	http     *http.Client
	// issuer sends every request to a BC5 server: through the dial
	// guard, no proxy, no redirect (nil on Launchpad).
	issuer *http.Client
	// wait waits d or until ctx ends: the device login's pauses.
	wait func(ctx context.Context, d time.Duration) error
	// lookup, set by tests, resolves BC5 hosts for the dial guard.
	lookup lookupFunc
	now    func() time.Time
	code   *oauth2.Config // exchange: legacy type=web_server sent alongside grant_type
	renew  *oauth2.Config // refresh: legacy type=refresh rides in the token URL's query

	guard TokenGuard // asked before every token request, if set

	secretMu sync.Mutex // guards the secret read through cfg.ClientSecretFunc
	secret   string
}

// Option adjusts a Client.
type Option func(*Client)

// WithClock makes the client read time from now, for tests that share the
// fake Launchpad's clock.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithWait makes the device login wait with wait instead of a timer: it
// returns nil after d, or ctx's error as soon as ctx ends. For tests that
// move a clock instead of waiting.
func WithWait(wait func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.wait = wait }
}

// withLookup makes the dial guard resolve BC5 hosts with lookup: for
// tests, which must not ask a real resolver.
func withLookup(lookup lookupFunc) Option { return func(c *Client) { c.lookup = lookup } }

// New validates cfg and returns a client for it.
func New(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newClient(cfg.withDefaults(), opts)
}

// NewForToken returns a client for an access token someone else issued and
// renews (BASECAMP_TOKEN): it reads authorization.json, for which Launchpad
// needs no client id or secret, so they may be missing. Such a client cannot
// trade codes, and a token source for it should not refresh (see
// [WithoutRefresh]).
func NewForToken(cfg Config, opts ...Option) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validateKind(); err != nil {
		return nil, err
	}
	if cfg.Server.IsBC5() {
		if err := cfg.validateBC5(false); err != nil {
			return nil, err
		}
	} else if err := cfg.validateAddresses(); err != nil {
		return nil, err
	}
	return newClient(cfg, opts)
}

func newClient(cfg Config, opts []Option) (*Client, error) {
	var redirect *url.URL
	if !cfg.Server.IsBC5() {
		// BC5 has no redirect: Launchpad's setting is not its business.
		var err error
		if redirect, err = ParseRedirectURI(cfg.RedirectURI); err != nil {
			return nil, err
		}
	}
	// A copy, so the caller's client keeps following redirects elsewhere.
	// Here a redirect would re-send the client secret, a code or a refresh
	// token (a 307 or 308 repeats the POST) to a host nobody configured.
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// x/oauth2 builds the token requests itself, without a User-Agent:
	// the transport names bcauth on every request, those included.
	hc.Transport = recorder{userAgent{next: hc.Transport, ua: cfg.UserAgent}}
	c := &Client{cfg: cfg, redirect: redirect, http: &hc, now: time.Now, wait: sleep}
	for _, o := range opts {
		o(c)
	}
	if cfg.Server.IsBC5() {
		ic := guardedHTTP(cfg.HTTPClient, dialGuard{allowLoopback: loopbackOrigin(cfg.Server.Resource), lookup: c.lookup})
		ic.Transport = recorder{userAgent{next: ic.Transport, ua: cfg.UserAgent}}
		c.issuer = ic
	}
	base := oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  cfg.RedirectURI,
		Endpoint: oauth2.Endpoint{
			AuthURL:  cfg.LaunchpadURL + "/authorization/new",
			TokenURL: cfg.LaunchpadURL + "/authorization/token",
			// Launchpad wants credentials in the form body, never Basic auth.
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	code, renew := base, base
	renew.Endpoint.TokenURL += "?type=refresh"
	c.code, c.renew = &code, &renew
	return c, nil
}

// userAgent sets the User-Agent on every request it sends, as Basecamp
// asks of every client.
type userAgent struct {
	next http.RoundTripper // http.DefaultTransport when nil
	ua   string
}

func (t userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	// A RoundTripper must not change the request it was given.
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.ua)
	return next.RoundTrip(r)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Server is the authorization server the client speaks to: the zero
// Server (Launchpad at Config().LaunchpadURL) or a BC5 issuer.
func (c *Client) Server() Server { return c.cfg.Server }

// LoopbackLaunchpad reports whether the authorization server is reached
// on this machine (the built-in fake): Launchpad's URL, or on BC5 the API
// host it was discovered through. Only then may a token go to plain http
// addresses.
func (c *Client) LoopbackLaunchpad() bool {
	if c.cfg.Server.IsBC5() {
		return loopbackOrigin(cmp.Or(c.cfg.Server.Resource, c.cfg.Server.Issuer))
	}
	u, err := url.Parse(c.cfg.LaunchpadURL)
	return err == nil && IsLoopbackHost(u.Hostname())
}

// withSecret is oc with the client secret, read through
// Config.ClientSecretFunc on first use when the configuration holds none.
func (c *Client) withSecret(ctx context.Context, oc *oauth2.Config) (*oauth2.Config, error) {
	if oc.ClientSecret != "" || c.cfg.ClientSecretFunc == nil {
		return oc, nil
	}
	c.secretMu.Lock()
	defer c.secretMu.Unlock()
	if c.secret == "" {
		secret, err := c.cfg.ClientSecretFunc(ctx)
		if err != nil {
			return nil, err
		}
		c.secret = secret
	}
	out := *oc
	out.ClientSecret = c.secret
	return &out, nil
}

// Config returns the client's configuration with defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// withHTTP hands x/oauth2 the client's HTTP client (and its timeout).
func (c *Client) withHTTP(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}

// Exchange trades an authorization code for a token. It sends both the
// legacy (type=web_server) and standard (grant_type) names.
func (c *Client) Exchange(ctx context.Context, code string) (*oauth2.Token, error) {
	if c.cfg.Server.IsBC5() {
		return nil, ErrNotForBC5
	}
	oc, err := c.withSecret(ctx, c.code)
	if err != nil {
		return nil, err
	}
	done, err := c.guardToken(ctx, oc)
	if err != nil {
		return nil, err
	}
	var ans answer
	tok, err := oc.Exchange(withAnswer(c.withHTTP(ctx), &ans), code, oauth2.SetAuthURLParam("type", "web_server"))
	if err != nil {
		err = withoutSecrets(tokenError(OpExchange, err, &ans), oc.ClientSecret, code)
		done(err)
		return nil, err
	}
	done(nil)
	if err := unusable(OpExchange, tok, &ans); err != nil {
		return nil, withoutSecrets(err, oc.ClientSecret, code)
	}
	return c.normalise(tok, ""), nil
}

// ErrNoRefreshToken means a login has no refresh token (it was given as an
// access token alone), so it cannot be renewed. Launchpad was not asked:
// this is no refusal, and nothing records it as one.
var ErrNoRefreshToken = errors.New("this login has no refresh token (it was given as an access token alone), so it cannot be renewed")

// RefreshToken trades tok's refresh token for a new token, as the client's
// server wants it: on BC5 with the resource tok is bound to (see
// [Resource]), which the new token carries on unless the answer names
// another; on Launchpad as [Client.Refresh]. An empty refresh token is
// [ErrNoRefreshToken], and nothing is sent.
func (c *Client) RefreshToken(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	if tok == nil || tok.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	if c.cfg.Server.IsBC5() {
		return c.refreshBC5(ctx, tok.RefreshToken, Resource(tok))
	}
	return c.Refresh(ctx, tok.RefreshToken)
}

// Refresh trades a refresh token for a new access token. The refresh token
// is kept when Launchpad's answer leaves it out, as it usually does. An
// empty refresh token is [ErrNoRefreshToken], and nothing is sent. On BC5
// it sends no resource: a login bound to one is refreshed with
// [Client.RefreshToken].
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	if refreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	if c.cfg.Server.IsBC5() {
		return c.refreshBC5(ctx, refreshToken, "")
	}
	oc, err := c.withSecret(ctx, c.renew)
	if err != nil {
		return nil, err
	}
	done, err := c.guardToken(ctx, oc)
	if err != nil {
		return nil, err
	}
	var ans answer
	tok, err := oc.TokenSource(withAnswer(c.withHTTP(ctx), &ans), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		err = withoutSecrets(tokenError(OpRefresh, err, &ans), oc.ClientSecret, refreshToken)
		done(err)
		return nil, err
	}
	done(nil)
	if err := unusable(OpRefresh, tok, &ans); err != nil {
		return nil, withoutSecrets(err, oc.ClientSecret, refreshToken)
	}
	return c.normalise(tok, refreshToken), nil
}

// normalise applies Launchpad's defaults: a missing token_type is Bearer and
// a missing refresh_token is the one just used. The expiry is dated by the
// client's clock, which is the one TokenSource compares it with; x/oauth2
// dates it by the wall clock.
func (c *Client) normalise(tok *oauth2.Token, oldRefresh string) *oauth2.Token {
	t := *tok
	if t.ExpiresIn > 0 {
		t.Expiry = c.now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	if t.RefreshToken == "" {
		t.RefreshToken = oldRefresh
	}
	return &t
}

// tokenError turns x/oauth2's error into a LaunchpadError carrying
// Launchpad's own text, whatever shape it came in; ans is the answer it
// failed on, if one came.
func tokenError(op Op, err error, ans *answer) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		if re.Response != nil && isRedirect(status) {
			return redirectError(op, re.Response)
		}
		text := ErrorText(re.Body)
		if text == "" {
			switch {
			case re.ErrorCode != "" && re.ErrorDescription != "":
				text = re.ErrorCode + ": " + re.ErrorDescription
			case re.ErrorCode != "":
				text = re.ErrorCode
			}
		}
		out := &LaunchpadError{Op: op, Status: status, Text: text, Kind: classify(op, status, text)}
		if re.Response != nil {
			out.RetryAfter = retryAfter(re.Response.Header.Get("Retry-After"), time.Now())
		}
		return out
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if ans.came() {
		// A success by its status that x/oauth2 could not read as a token:
		// Launchpad (or whatever answers in its place) said something else.
		return &LaunchpadError{Op: op, Status: ans.status, Text: firstLine(ans.body), Kind: KindUnexpected, Err: err}
	}
	// No HTTP answer: the network or the server is at fault, not the login.
	return &LaunchpadError{Op: op, Kind: KindRetry, Err: err}
}

// withoutSecrets takes what the request sent and must never be shown or
// stored (the client secret, a refresh token, a code) out of Launchpad's
// words: an answer that quotes them back would otherwise print them, and
// keep them in state.json's refusal or holds.json.
func withoutSecrets(err error, secrets ...string) error {
	var le *LaunchpadError
	if !errors.As(err, &le) {
		return err
	}
	for _, s := range secrets {
		if s != "" {
			le.Text = strings.ReplaceAll(le.Text, s, "[redacted]")
		}
	}
	return err
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// redirectError reports a redirect the client refused to follow. The
// message names only the target's host: its path or query may carry
// anything.
func redirectError(op Op, resp *http.Response) *LaunchpadError {
	where := "an address it did not give"
	if u, err := resp.Location(); err == nil && u.Host != "" {
		where = u.Host
	}
	return &LaunchpadError{Op: op, Status: resp.StatusCode, Kind: KindOther,
		Err: fmt.Errorf("redirected to %s, which bcauth does not follow, so that no secret or token goes to another address: check %s", where, SettingLaunchpadURL)}
}
