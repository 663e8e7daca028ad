package launchpadtest

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// BC5 is Basecamp's newer authorization server (the project's bc5.md),
// served beside the fake Launchpad: an issuer on a loopback listener of its
// own, found through the protected-resource metadata of the resource origin
// (the Server's URL). It logs people in with the device authorization grant
// (RFC 8628), rotates refresh tokens and revokes a login whose replaced
// refresh token comes back. It shares the Server's people, accounts, clock
// and product APIs: a BC5 access token reaches authorization.json and the
// product APIs as the person who approved it.

// BC5ClientID is the public client the fake issuer registers unless
// BC5Options names another.
const BC5ClientID = "bcauth-bc5-test"

// Defaults the issuer uses when BC5Options leaves them zero.
const (
	// DefaultBC5AccessTTL is the lifetime of a BC5 access token: short.
	DefaultBC5AccessTTL = time.Hour
	// DefaultDeviceCodeTTL is how long a device code and its user code live.
	DefaultDeviceCodeTTL = 15 * time.Minute
	// DefaultPollInterval is the device grant's polling interval.
	DefaultPollInterval = 5 * time.Second
	// DefaultReuseGrace is how long after a rotation the replaced refresh
	// token still refreshes, for two requests that crossed.
	DefaultReuseGrace = 5 * time.Second
)

// deviceCodeGrant is the device grant's grant_type (RFC 8628 §3.4).
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

// BC5Options configures the fake BC5 issuer. The zero value is a working
// issuer, lit. Its clock is the Server's (Options.Now): a test that moves
// that clock polls without sleeping, and slow_down, expiries and the reuse
// grace window all follow it.
type BC5Options struct {
	// ClientID is the one registered public client; BC5ClientID when empty.
	ClientID string
	// AccessTTL is the access token lifetime, rounded up to whole seconds;
	// DefaultBC5AccessTTL when zero.
	AccessTTL time.Duration
	// Dark starts the issuer dark (see BC5.SetDark).
	Dark bool
	// DeviceCodeTTL is the device code lifetime, rounded up to whole
	// seconds; DefaultDeviceCodeTTL when zero.
	DeviceCodeTTL time.Duration
	// Interval is the polling interval the device answer names, rounded up
	// to whole seconds; DefaultPollInterval when zero.
	Interval time.Duration
	// ReuseGrace is how long a replaced refresh token still refreshes (see
	// BC5.SetReuseGrace); DefaultReuseGrace when zero, none when negative.
	ReuseGrace time.Duration
	// AutoApprove approves every device code as the first person the moment
	// it is issued, for client tests that play no browser.
	AutoApprove bool
	// Addr is the loopback address to listen on; "127.0.0.1:0" when empty.
	Addr string
}

func (o BC5Options) withDefaults() BC5Options {
	if o.ClientID == "" {
		o.ClientID = BC5ClientID
	}
	o.AccessTTL = wholeSeconds(o.AccessTTL, DefaultBC5AccessTTL)
	o.DeviceCodeTTL = wholeSeconds(o.DeviceCodeTTL, DefaultDeviceCodeTTL)
	o.Interval = wholeSeconds(o.Interval, DefaultPollInterval)
	switch {
	case o.ReuseGrace == 0:
		o.ReuseGrace = DefaultReuseGrace
	case o.ReuseGrace < 0:
		o.ReuseGrace = 0
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	return o
}

// wholeSeconds is d rounded up to a whole number of seconds, or def when d
// is not positive: the protocol speaks in whole seconds only.
func wholeSeconds(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return (d + time.Second - 1) / time.Second * time.Second
}

// BC5 is a running fake BC5 issuer. Its methods are safe for concurrent
// use, also while requests are being served.
type BC5 struct {
	// Issuer is the issuer's URL exactly as the resource origin advertises
	// it and its metadata names it: "http://127.0.0.1:PORT", no slash.
	Issuer string
	// Resource is the resource origin, the Server's URL.
	Resource string
	// The endpoints the issuer's metadata names, and the verification page.
	TokenEndpoint, DeviceAuthorizationEndpoint, RevocationEndpoint string
	VerificationURI                                                string
	// AuthorizationURL is {issuer}/authorization.json.
	AuthorizationURL string

	s         *Server
	opts      BC5Options
	srv       *http.Server
	closed    chan struct{}
	closeOnce sync.Once

	// Guarded by s.mu: BC5 shares the Server's lock with its people.
	dark         bool
	grace        time.Duration
	advertised   []string // nil: the issuer alone
	editResource func(map[string]any)
	editMetadata func(map[string]any)
	editDevice   func(map[string]any)
	editToken    func(map[string]any)
	devices      map[string]*deviceCode // by device code
	userCodes    map[string]*deviceCode // by user code, normalised
	refresh      map[string]*bc5Refresh // every refresh token issued
	tokens       map[string]*bc5Access  // live access tokens
	logins       int
	deviceSeq    int
	slowDown     int             // polls to answer slow_down
	pending      int             // polls of approved codes to answer authorization_pending
	tooMany      []time.Duration // polls to answer 429, with their Retry-After
	logs         map[BC5Endpoint][]TokenRequest
	stats        bc5Stats
}

// bc5Stats are the counts tests assert on.
type bc5Stats struct {
	polls, latePolls                int
	refreshRequests, refreshUses    int
	graceReuses, reuses, revocation int
	revokedLogins                   int
}

// BC5Endpoint names one of BC5's endpoints, for fault injection, request
// counts and request logs.
type BC5Endpoint string

// BC5's endpoints.
const (
	// BC5ResourceMetadata is GET {resource}/.well-known/oauth-protected-resource,
	// served by the Server whether or not BC5 is started.
	BC5ResourceMetadata = BC5Endpoint(EndpointProtectedResource)
	// BC5IssuerMetadata is GET {issuer}/.well-known/oauth-authorization-server.
	BC5IssuerMetadata BC5Endpoint = "issuer /.well-known/oauth-authorization-server"
	// BC5Device is POST {issuer}/oauth/device_authorization.
	BC5Device BC5Endpoint = "issuer /oauth/device_authorization"
	// BC5Token is POST {issuer}/oauth/token: device code polls and refreshes.
	BC5Token BC5Endpoint = "issuer /oauth/token"
	// BC5Revoke is POST {issuer}/oauth/revoke (RFC 7009).
	BC5Revoke BC5Endpoint = "issuer /oauth/revoke"
	// BC5Authorization is GET {issuer}/authorization.json. The resource
	// origin's own authorization.json is the Server's EndpointAuthorization.
	BC5Authorization BC5Endpoint = "issuer /authorization.json"
	// BC5Page is the verification page, {issuer}/device: its GET and the
	// POST of its form.
	BC5Page BC5Endpoint = "issuer /device"
)

// EndpointProtectedResource is the resource origin's RFC 9728 metadata,
// GET /.well-known/oauth-protected-resource (BC5ResourceMetadata).
const EndpointProtectedResource Endpoint = "/.well-known/oauth-protected-resource"

// StartBC5 starts the issuer on its own loopback listener (an origin with
// an empty path, http://127.0.0.1:PORT), sharing s's state. Once started and
// while not dark, the resource origin's metadata advertises it. One issuer
// runs per Server at a time; Server.Close closes it too.
func (s *Server) StartBC5(opts BC5Options) (*BC5, error) {
	opts = opts.withDefaults()
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: cannot listen on %s for BC5: %w", opts.Addr, err)
	}
	issuer := "http://" + ln.Addr().String()
	b := &BC5{
		Issuer:                      issuer,
		Resource:                    s.URL,
		TokenEndpoint:               issuer + "/oauth/token",
		DeviceAuthorizationEndpoint: issuer + "/oauth/device_authorization",
		RevocationEndpoint:          issuer + "/oauth/revoke",
		VerificationURI:             issuer + "/device",
		AuthorizationURL:            issuer + "/authorization.json",
		s:                           s,
		opts:                        opts,
		closed:                      make(chan struct{}),
		dark:                        opts.Dark,
		grace:                       opts.ReuseGrace,
		devices:                     map[string]*deviceCode{},
		userCodes:                   map[string]*deviceCode{},
		refresh:                     map[string]*bc5Refresh{},
		tokens:                      map[string]*bc5Access{},
		logs:                        map[BC5Endpoint][]TokenRequest{},
	}
	s.mu.Lock()
	var refuse error
	select {
	case <-s.closed:
		refuse = errors.New("launchpadtest: the fake is closed: BC5 cannot start on it")
	default:
		if s.bc5 != nil {
			refuse = errors.New("launchpadtest: BC5 is already started on this fake: Close it first")
		}
	}
	if refuse != nil {
		s.mu.Unlock()
		ln.Close()
		return nil, refuse
	}
	s.bc5 = b
	s.mu.Unlock()
	b.srv = &http.Server{
		Handler:           b.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // outlasts any injected delay, as the Server's
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	go b.srv.Serve(ln)
	return b, nil
}

// Close stops the issuer, cutting injected delays short; the resource
// origin then advertises no issuer. Tokens it issued keep working at the
// resource origin until they expire. It is safe to call more than once.
func (b *BC5) Close() {
	b.closeOnce.Do(func() {
		close(b.closed)
		b.s.mu.Lock()
		if b.s.bc5 == b {
			b.s.bc5 = nil
		}
		b.s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.srv.Shutdown(ctx); err != nil {
			b.srv.Close()
		}
	})
}

// Options returns the options the issuer runs with, defaults filled in.
func (b *BC5) Options() BC5Options { return b.opts }

// routes maps the issuer's paths to handlers.
func (b *BC5) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/.well-known/oauth-authorization-server", b.endpoint(BC5IssuerMetadata, b.metadata))
	mux.Handle("/oauth/device_authorization", b.formEndpoint(BC5Device, b.device))
	mux.Handle("/oauth/token", b.formEndpoint(BC5Token, b.token))
	mux.Handle("/oauth/revoke", b.formEndpoint(BC5Revoke, b.revoke))
	mux.Handle("/authorization.json", b.endpoint(BC5Authorization, b.s.authorization))
	mux.Handle("/device", b.endpoint(BC5Page, b.page))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": http.StatusNotFound, "error": "Not Found"})
	})
	return mux
}

// now is the Server's clock: every expiry, BC5's included, runs on it.
func (b *BC5) now() time.Time { return b.s.opts.Now() }

// endpoint counts requests to e and serves any fault injected for it
// before handing the request to h.
func (b *BC5) endpoint(e BC5Endpoint, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.countAndFault(w, r, e) {
			h(w, r)
		}
	})
}

// countAndFault counts a request to e and serves its fault, if any. It
// reports whether the usual handler should answer.
func (b *BC5) countAndFault(w http.ResponseWriter, r *http.Request, e BC5Endpoint) bool {
	s := b.s
	s.mu.Lock()
	s.counts[Endpoint(e)]++
	f, faulty := s.takeFault(Endpoint(e))
	s.mu.Unlock()
	return !faulty || serveFaultUntil(w, r, f, b.closed)
}

// formHandler answers a POST whose form body has been read and checked.
type formHandler func(w http.ResponseWriter, r *http.Request, p url.Values)

// formEndpoint reads and logs a form POST's body (bounded, from the body
// only: OAuth's endpoints take no parameters in the query), counts it and
// serves faults, then checks it as an OAuth endpoint does: POST, a form,
// no parameter twice.
func (b *BC5) formEndpoint(e BC5Endpoint, h formHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var perr error
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			perr = r.ParseForm()
			var tooLarge *http.MaxBytesError
			if errors.As(perr, &tooLarge) {
				writeJSON(w, http.StatusRequestEntityTooLarge, oauthError{"invalid_request", "the request body is larger than any OAuth request"})
				return
			}
		}
		b.logForm(e, r)
		if !b.countAndFault(w, r, e) {
			return
		}
		p := r.PostForm
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, oauthError{"invalid_request", "use POST"})
		case ct != "application/x-www-form-urlencoded":
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "send the parameters as an application/x-www-form-urlencoded body"})
		case perr != nil:
			writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "the form body does not parse: " + perr.Error()})
		default:
			for k, vs := range p {
				if len(vs) > 1 {
					writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "parameter " + k + " is sent more than once"})
					return
				}
			}
			h(w, r, p)
		}
	})
}

// oauthError is an OAuth error answer (RFC 6749 §5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// How much of a form the request log keeps: a flood of large forms must
// not grow the fake.
const (
	maxBC5Log        = 500
	maxLoggedParams  = 16
	maxLoggedValues  = 2
	maxBC5UserCodes  = 10_000
	slowDownIncrease = 5 * time.Second
)

// logForm records a form request's parameters, cut to size.
func (b *BC5) logForm(e BC5Endpoint, r *http.Request) {
	cut := func(v url.Values) url.Values {
		out := url.Values{}
		for k, vs := range v {
			if len(out) == maxLoggedParams {
				break
			}
			for i, x := range vs {
				if i == maxLoggedValues {
					break
				}
				out[logged(k)] = append(out[logged(k)], logged(x))
			}
		}
		return out
	}
	_, _, basic := r.BasicAuth()
	tr := TokenRequest{Query: cut(r.URL.Query()), Body: cut(r.PostForm), BasicAuth: basic}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	b.logs[e], _ = keepLatest(b.logs[e], maxBC5Log)
	b.logs[e] = append(b.logs[e], tr)
	if e == BC5Token {
		switch r.PostForm.Get("grant_type") {
		case deviceCodeGrant:
			b.stats.polls++
		case "refresh_token":
			b.stats.refreshRequests++
		}
	}
}

// RequestLog returns the requests to e so far (the latest 250 at
// least), oldest first, with query and form body kept apart; each value is
// cut to 512 bytes. Only the form endpoints (BC5Device, BC5Token,
// BC5Revoke) are logged.
func (b *BC5) RequestLog(e BC5Endpoint) []TokenRequest {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	out := make([]TokenRequest, len(b.logs[e]))
	for i, t := range b.logs[e] {
		out[i] = TokenRequest{Query: cloneValues(t.Query), Body: cloneValues(t.Body), BasicAuth: t.BasicAuth}
	}
	return out
}

// Requests returns how many requests reached e so far, faulted ones
// included.
func (b *BC5) Requests(e BC5Endpoint) int { return b.s.Requests(Endpoint(e)) }

// InjectFault makes the next requests to e get f instead of the usual
// answer, queued as the Server's faults are; Server.ClearFaults and
// BC5.ClearFaults remove them.
func (b *BC5) InjectFault(e BC5Endpoint, f Fault) { b.s.InjectFault(Endpoint(e), f) }

// ClearFaults removes the faults injected for BC5's endpoints and the
// polling switches (SlowDownNext, PendingPolls, TooManyRequests).
func (b *BC5) ClearFaults() {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range []BC5Endpoint{BC5ResourceMetadata, BC5IssuerMetadata, BC5Device, BC5Token, BC5Revoke, BC5Authorization, BC5Page} {
		delete(s.faults, Endpoint(e))
	}
	b.slowDown, b.pending, b.tooMany = 0, 0, nil
}

// SetDark darkens or lights the issuer. Dark, as BC5 is in production
// until it is enabled: the resource origin's metadata leaves out
// authorization_servers and the device authorization endpoint answers 503.
// The issuer's own metadata, token and revocation endpoints still answer,
// so logins made before go on refreshing.
func (b *BC5) SetDark(dark bool) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.dark = dark
}

// SetReuseGrace sets how long after a rotation the replaced refresh token
// still refreshes (answering with the login's current refresh token and a
// new access token) before presenting it revokes the login. Zero: never.
func (b *BC5) SetReuseGrace(d time.Duration) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.grace = max(d, 0)
}
