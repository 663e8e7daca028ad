// Package launchpadtest runs a fake Launchpad, 37signals' OAuth 2 service,
// on a loopback port, in the manner of net/http/httptest.
//
// The fake follows the project's launchpad.md, awkward parts included: legacy
// and standard parameter names, parameters in the query or the body, error
// answers that are sometimes plain text and sometimes JSON, token responses
// without token_type, refresh responses without refresh_token, and accounts
// with missing or unknown fields. Tests, `bcauth demo` and the screenshot
// script all log in against it.
//
// Server.StartBC5 adds Basecamp's newer authorization server (bc5.md)
// beside it, sharing its people, accounts and product APIs: discovery from
// the resource origin, the device grant, rotating refresh tokens.
package launchpadtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Defaults the fake registers when Options leaves them empty.
const (
	DefaultClientID     = "demo-client-id"
	DefaultClientSecret = "demo-client-secret"
	// DefaultRedirectURI is the loopback URI Basecamp's official CLI registers.
	DefaultRedirectURI = "http://127.0.0.1:8976/callback"
	// DefaultAccessTTL is the lifetime Launchpad gives access tokens: 2 weeks.
	DefaultAccessTTL = 1209600 * time.Second
	// DefaultCodeTTL is how long an authorization code can be traded.
	DefaultCodeTTL = 10 * time.Minute
	// DefaultRefreshTTL is roughly how long Launchpad's refresh tokens live.
	DefaultRefreshTTL = 10 * 365 * 24 * time.Hour
)

// Options configures a fake Launchpad. The zero value is a working demo.
type Options struct {
	// ClientID and ClientSecret are the one registered client; they default
	// to DefaultClientID and DefaultClientSecret.
	ClientID, ClientSecret string
	// RedirectURI is the one redirect URI registered for the client; the
	// consent flow and the code exchange compare it byte for byte.
	// DefaultRedirectURI when empty.
	RedirectURI string
	// AppName is the application named on the consent page; "bcauth" when empty.
	AppName string
	// Identity is the Basecamp ID that logs in; DemoIdentity() when nil.
	Identity *Identity
	// Accounts are listed by authorization.json. Nil means DemoAccounts of
	// the server's URL; a non-nil empty slice means no accounts.
	Accounts []Account
	// SecondIdentity is the other Basecamp ID the consent page offers to
	// approve as (see ApproveAs); DemoSecondIdentity() when nil.
	SecondIdentity *Identity
	// SecondAccounts are the second Basecamp ID's accounts. Nil means
	// DemoSecondAccounts of the server's URL.
	SecondAccounts []Account
	// AutoApprove makes GET /authorization/new redirect at once with a code,
	// as if the person had clicked Allow, for tests that play the browser
	// with a plain http.Client.
	AutoApprove bool
	// Now is the fake's clock for every expiry; time.Now when nil. Fault
	// delays use real time, since clients time out in real time.
	Now func() time.Time
	// AccessTTL is the access token lifetime; DefaultAccessTTL when zero.
	AccessTTL time.Duration
	// CodeTTL is the authorization code lifetime; DefaultCodeTTL when zero.
	CodeTTL time.Duration
	// RefreshTTL is the refresh token lifetime; DefaultRefreshTTL when zero.
	RefreshTTL time.Duration
	// Addr is the loopback address to listen on; "127.0.0.1:0" when empty.
	// Non-loopback addresses are refused.
	Addr string
	// ProductLatency delays every product API answer, in real time, like
	// a distant server (see products.go).
	ProductLatency time.Duration
	// RotateRefreshTokens makes every refresh answer carry a new
	// refresh_token and retire the one just used, which is then refused
	// like an unknown one. Launchpad usually keeps refresh tokens, but
	// launchpad.md asks clients to work either way.
	RotateRefreshTokens bool
}

// withDefaults fills the empty fields the fake can fill before it listens.
func (o Options) withDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.RedirectURI == "" {
		o.RedirectURI = DefaultRedirectURI
	}
	if o.AppName == "" {
		o.AppName = "bcauth"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = DefaultAccessTTL
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = DefaultCodeTTL
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = DefaultRefreshTTL
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	return o
}

// Server is a running fake Launchpad. Its methods are safe for concurrent
// use, also while requests are being served.
type Server struct {
	// URL is the fake's base URL, "http://127.0.0.1:PORT", without a
	// trailing slash: use it as the client's Launchpad URL.
	URL string

	opts      Options
	srv       *http.Server
	closed    chan struct{} // closed by Close, to cut fault delays short
	closeOnce sync.Once

	mu        sync.Mutex
	identity  Identity // the first person's
	accounts  []Account
	second    Identity
	seconds   []Account         // the second person's accounts
	codes     map[string]issued // authorization code → expiry and person
	access    map[string]issued // access token → expiry and person
	refresh   map[string]issued // refresh token → expiry and person
	revoked   map[string]bool   // refresh tokens killed by RevokeAll
	faults    map[Endpoint][]Fault
	counts    map[Endpoint]int
	refreshes int // token requests that spend a refresh token
	tokenLog  []TokenRequest
	// encoded is each person's accounts as authorization.json lists
	// them, encoded once: a fake that encoded 30,000 accounts for every
	// request made bcauth look as fast as curl, both waiting on it.
	encoded map[person][]byte

	products products // product APIs, with their own lock
	bc5      *BC5     // the BC5 issuer while started (see bc5.go)
}

// NewServer starts a fake Launchpad listening on opts.Addr. Like
// httptest.NewServer it panics when it cannot listen; use NewServerE where
// that is a person's problem rather than a test's. Call Close when done.
func NewServer(opts Options) *Server {
	s, err := NewServerE(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// NewServerE starts a fake Launchpad listening on opts.Addr, or says why it
// could not. An address in use gives an error wrapping syscall.EADDRINUSE.
func NewServerE(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("launchpadtest: cannot listen on %s: %w", opts.Addr, err)
	}
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		opts:    opts,
		closed:  make(chan struct{}),
		codes:   map[string]issued{},
		access:  map[string]issued{},
		refresh: map[string]issued{},
		revoked: map[string]bool{},
		faults:  map[Endpoint][]Fault{},
		counts:  map[Endpoint]int{},
	}
	if opts.Identity != nil {
		s.identity = *opts.Identity
	} else {
		s.identity = DemoIdentity()
	}
	if opts.Accounts != nil {
		s.accounts = cloneAccounts(opts.Accounts)
	} else {
		s.accounts = DemoAccounts(s.URL)
	}
	s.second = DemoSecondIdentity()
	if opts.SecondIdentity != nil {
		s.second = *opts.SecondIdentity
	}
	s.seconds = DemoSecondAccounts(s.URL)
	if opts.SecondAccounts != nil {
		s.seconds = cloneAccounts(opts.SecondAccounts)
	}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for any delay a test injects to outlast the client's
		// own timeout, so the client, not the fake, gives up first.
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	go s.srv.Serve(ln) // returns ErrServerClosed once Close runs
	return s, nil
}

// checkLoopback refuses addresses other machines could reach: the fake hands
// out tokens to anyone who asks.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("launchpadtest: listen address %q is not host:port: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("launchpadtest: listen address %q is not a loopback address: use 127.0.0.1 or ::1", addr)
}

// routes maps Launchpad's paths to handlers. Product APIs (the "who am I"
// probes) live under the per-product prefixes DemoAccounts uses for hrefs
// ("/bc3/", "/bcx/", "/classic/", "/campfire/", "/highrise/", "/sortfolio/"),
// registered by productRoutes; other paths there answer 404.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/authorization/new", s.endpoint(EndpointConsent, s.consent))
	mux.Handle("/authorization/token", s.endpoint(EndpointToken, s.token))
	mux.Handle("/authorization.json", s.endpoint(EndpointAuthorization, s.authorization))
	mux.Handle(string(EndpointProtectedResource), s.endpoint(EndpointProtectedResource, s.protectedResource))
	mux.HandleFunc("GET /web/{product}/{id}", s.webPage)
	mux.HandleFunc("GET /integrations", s.integrationsPage)
	s.productRoutes(mux)
	s.apiRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, struct {
			Status int    `json:"status"`
			Error  string `json:"error"`
		}{http.StatusNotFound, "Not Found"})
	})
	return mux
}

// endpoint counts requests to e and serves any fault injected for it before
// handing the request to h.
func (s *Server) endpoint(e Endpoint, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e == EndpointToken && !s.logTokenRequest(w, r) {
			return
		}
		s.mu.Lock()
		s.counts[e]++
		f, faulty := s.takeFault(e)
		s.mu.Unlock()
		if faulty && !s.serveFault(w, r, f) {
			return
		}
		h(w, r)
	})
}

// Close stops the fake and waits for requests in flight, cutting injected
// delays short. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.mu.Lock()
		b := s.bc5 // StartBC5 starts none once closed is closed
		s.mu.Unlock()
		if b != nil {
			b.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
	})
}

// Options returns the options the fake runs with, defaults filled in, so a
// test or the demo can configure its client from them.
func (s *Server) Options() Options {
	o := s.opts
	o.Accounts, o.SecondAccounts = nil, nil
	o.Identity, o.SecondIdentity = nil, nil
	return o
}

// Identity returns the Basecamp ID the fake logs in.
func (s *Server) Identity() Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identity
}

// SetIdentity changes the Basecamp ID that consent pages show and
// authorization.json returns.
func (s *Server) SetIdentity(id Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identity = id
}

// Accounts returns a copy of the accounts authorization.json lists.
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAccounts(s.accounts)
}

// SetAccounts changes the accounts authorization.json lists; nil or empty
// means none.
func (s *Server) SetAccounts(accounts []Account) {
	c := cloneAccounts(accounts)
	if c == nil {
		c = []Account{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = c
	delete(s.encoded, personFirst)
}

// RevokeAll does what changing the password does: every access token,
// refresh token and outstanding code dies, BC5's logins included.
// Refreshing with one of the dead refresh tokens is answered "This Basecamp
// ID rekeyed its deadbolt." (BC5: invalid_grant). Logging in again works.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.refresh {
		s.revoked[t] = true
	}
	clear(s.refresh)
	clear(s.access)
	clear(s.codes)
	s.revokeBC5Locked()
}

// ExpireAccessTokens makes every access token issued so far expire now, on
// the fake's clock. Refresh tokens stay valid.
func (s *Server) ExpireAccessTokens() {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, i := range s.access {
		i.expiry = now
		s.access[t] = i
	}
}

// TokenRequest is one request to /authorization/token (or to one of BC5's
// form endpoints, see BC5.RequestLog) as the fake received it, kept so
// tests can check where a client puts which parameter.
type TokenRequest struct {
	// Query holds the query string parameters.
	Query url.Values
	// Body holds the form body parameters (only an
	// application/x-www-form-urlencoded body is read).
	Body url.Values
	// BasicAuth reports whether the request carried HTTP Basic credentials,
	// which Launchpad ignores.
	BasicAuth bool
}

// Merged is the request's parameters from body and query together, body
// values first, the way the fake reads them.
func (t TokenRequest) Merged() url.Values {
	m := url.Values{}
	for k, vs := range t.Body {
		m[k] = append(m[k], vs...)
	}
	for k, vs := range t.Query {
		m[k] = append(m[k], vs...)
	}
	return m
}

// logTokenRequest parses the token request's parameters, leaving them in
// r.Form for the handler, and records them.
func (s *Server) logTokenRequest(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenFormBytes)
	var tooLarge *http.MaxBytesError
	if err := r.ParseForm(); errors.As(err, &tooLarge) {
		// Launchpad, a Rails application behind a proxy, refuses a
		// body far beyond any token request rather than read it.
		writeText(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return false
	} // another broken body leaves its parameters missing, which the handler reports
	_, _, basic := r.BasicAuth()
	tr := TokenRequest{Query: r.URL.Query(), Body: cloneValues(r.PostForm), BasicAuth: basic}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLog, _ = keepLatest(s.tokenLog, maxTokenLog)
	s.tokenLog = append(s.tokenLog, tr)
	if grantOf(r.Form) == grantRefresh {
		s.refreshes++
	}
	return true
}

// maxTokenFormBytes bounds a token request's body: its few parameters
// take a few hundred bytes. maxTokenLog is how many token requests the
// fake remembers at least (their forms are up to maxTokenFormBytes each).
const (
	maxTokenFormBytes = 8 << 10
	maxTokenLog       = 1000
)

// RefreshRequests returns how many requests to /authorization/token asked
// to refresh so far, faulted and refused ones included: what Basecamp
// counts before it bans a client that retries a dead refresh token.
func (s *Server) RefreshRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// TokenRequests returns the merged query and body parameters of the
// requests to /authorization/token so far (the latest maxTokenLog at
// least), oldest first.
func (s *Server) TokenRequests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]url.Values, len(s.tokenLog))
	for i, t := range s.tokenLog {
		out[i] = t.Merged()
	}
	return out
}

// TokenRequestLog returns every request to /authorization/token so far,
// oldest first, with query and body kept apart.
func (s *Server) TokenRequestLog() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TokenRequest, len(s.tokenLog))
	for i, t := range s.tokenLog {
		out[i] = TokenRequest{Query: cloneValues(t.Query), Body: cloneValues(t.Body), BasicAuth: t.BasicAuth}
	}
	return out
}

// Requests returns how many requests reached e so far, faulted ones
// included. The consent page's GET and its form's POST both count.
func (s *Server) Requests(e Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[e]
}

// issueCode records a fresh authorization code for who.
func (s *Server) issueCode(who person) string {
	code := newCode()
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = issued{now.Add(s.opts.CodeTTL), who}
	return code
}

func cloneAccounts(in []Account) []Account {
	if in == nil {
		return nil
	}
	out := make([]Account, len(in))
	for i, a := range in {
		a.Extra = maps.Clone(a.Extra)
		out[i] = a
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
