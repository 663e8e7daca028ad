package probe_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

// authorizerFunc is an Authorizer made of a function.
type authorizerFunc func(ctx context.Context, req *http.Request) error

func (f authorizerFunc) Apply(ctx context.Context, req *http.Request) error { return f(ctx, req) }

// deadLogin is a token source due for a refresh that Launchpad refuses.
func deadLogin(t *testing.T, s *launchpadtest.Server) *auth.TokenSource {
	t.Helper()
	c, err := auth.New(auth.Config{ClientID: launchpadtest.DefaultClientID, ClientSecret: launchpadtest.DefaultClientSecret, LaunchpadURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	access, refresh, _ := s.IssueToken()
	s.RevokeAll()
	return c.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)}, nil)
}

// TestProbeWithoutCredentials: when there is nothing to send, nothing is
// sent, and the reason says why: a dead login asks for a new one.
func TestProbeWithoutCredentials(t *testing.T) {
	s, _ := newFake(t, launchpadtest.Options{})
	errVault := errors.New("the keyring is locked")
	tests := []struct {
		name   string
		auth   func(cancel func()) probe.Authorizer
		want   probe.Status
		reason string
	}{
		{name: "no login", want: probe.Failed, reason: "could not get credentials to send: no login to take an access token from",
			auth: func(func()) probe.Authorizer { return probe.BearerAuth{} }},
		{name: "a login Launchpad refuses", want: probe.Refused, reason: "Launchpad no longer accepts this login, so there is no token to send: ",
			auth: func(func()) probe.Authorizer { return probe.BearerAuth{Source: deadLogin(t, s)} }},
		{name: "credentials that cannot be read", want: probe.Failed, reason: "could not get credentials to send: the keyring is locked",
			auth: func(func()) probe.Authorizer {
				return authorizerFunc(func(context.Context, *http.Request) error { return errVault })
			}},
		{name: "Ctrl-C while the credentials are read", want: probe.Canceled, reason: "stopped before an answer came",
			auth: func(cancel func()) probe.Authorizer {
				return authorizerFunc(func(ctx context.Context, _ *http.Request) error { cancel(); return ctx.Err() })
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			before := len(s.ProductRequests())
			r := probe.New(testConfig(newTestClock())).Probe(ctx, accountOf(t, s, "bc3", 99999999), tt.auth(cancel))
			if r.Status != tt.want || !strings.HasPrefix(r.Reason, tt.reason) || r.HTTPStatus != 0 {
				t.Errorf("%v (HTTP %d): %q; want %v: %q", r.Status, r.HTTPStatus, r.Reason, tt.want, tt.reason)
			}
			if n := len(s.ProductRequests()) - before; n != 0 {
				t.Errorf("%d requests went out without credentials", n)
			}
		})
	}
}

// TestProbeRefreshFails: a product calls the token expired and Launchpad
// will not renew it: the probe says both, asks once, and stops.
func TestProbeRefreshFails(t *testing.T) {
	tests := []struct {
		name   string
		cancel bool // Ctrl-C while the token is being refreshed
		want   probe.Status
		reason string
	}{
		{name: "refused", want: probe.Refused, reason: `401: "OAuth token expired (old age), please reauthorize" — getting a new token failed: could not refresh the access token`},
		{name: "Ctrl-C during the refresh", cancel: true, want: probe.Canceled, reason: "stopped before an answer came: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := launchpadtest.NewServer(launchpadtest.Options{})
			t.Cleanup(s.Close)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			transport := http.DefaultTransport.(*http.Transport).Clone()
			defer transport.CloseIdleConnections()
			c, err := auth.New(auth.Config{ClientID: launchpadtest.DefaultClientID, ClientSecret: launchpadtest.DefaultClientSecret, LaunchpadURL: s.URL,
				HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					if tt.cancel && r.URL.Path == "/authorization/token" {
						cancel()
						return nil, r.Context().Err()
					}
					return transport.RoundTrip(r)
				})}})
			if err != nil {
				t.Fatal(err)
			}
			access, refresh, expiry := s.IssueToken()
			ts := c.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: expiry}, nil)
			s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerRefused())
			s.RevokeAll()
			r := probe.New(testConfig(newTestClock())).Probe(ctx, accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
			if r.Status != tt.want || !strings.HasPrefix(r.Reason, tt.reason) || r.Attempts > 1 {
				t.Errorf("%v after %d attempts: %q; want %v: %q", r.Status, r.Attempts, r.Reason, tt.want, tt.reason)
			}
			if n := len(s.ProductRequests()); n != 1 {
				t.Errorf("%d product requests, want 1: an expired token is not sent again", n)
			}
		})
	}
}

// TestProbeServerErrorWaits: a 5xx is retried after its Retry-After when
// that is within MaxRetryAfter, after the backoff otherwise; Ctrl-C during
// that wait ends the probe with what the last answer said.
func TestProbeServerErrorWaits(t *testing.T) {
	retryAfter := func(v string) launchpadtest.ProductAnswer {
		return launchpadtest.ProductAnswer{Status: 503, Body: "Down for maintenance", Header: http.Header{"Retry-After": {v}}}
	}
	tests := []struct {
		name        string
		answer      launchpadtest.ProductAnswer
		cancel      bool
		wantStatus  probe.Status
		wantMin     time.Duration
		wantMax     time.Duration
		wantReason  string
		wantAttempt int
	}{
		{name: "Retry-After within the bound", answer: retryAfter("20"), wantStatus: probe.Reachable,
			wantMin: 20 * time.Second, wantMax: 20 * time.Second, wantAttempt: 2},
		{name: "Retry-After of exactly the bound", answer: retryAfter("30"), wantStatus: probe.Reachable,
			wantMin: 30 * time.Second, wantMax: 30 * time.Second, wantAttempt: 2},
		{name: "Retry-After beyond the bound: backoff", answer: retryAfter("31"), wantStatus: probe.Reachable,
			wantMin: probe.DefaultBackoff / 2, wantMax: probe.DefaultBackoff, wantAttempt: 2},
		{name: "Ctrl-C during the backoff", answer: launchpadtest.AnswerServerError(), cancel: true, wantStatus: probe.Canceled,
			wantReason: `stopped before an answer came: context canceled; the last answer: HTTP 500: "Internal Server Error"`, wantAttempt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := newFake(t, launchpadtest.Options{})
			s.ScriptProduct(99999999, "bc3", tt.answer, launchpadtest.AnswerReachable())
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			clock := newTestClock()
			cfg := testConfig(clock)
			if tt.cancel {
				cfg.Sleep = func(ctx context.Context, d time.Duration) error {
					cancel()
					return clock.Sleep(ctx, d)
				}
			}
			r := probe.New(cfg).Probe(ctx, accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
			if r.Status != tt.wantStatus || r.Attempts != tt.wantAttempt || r.Reason != tt.wantReason {
				t.Fatalf("%v after %d attempts: %q; want %v after %d: %q", r.Status, r.Attempts, r.Reason, tt.wantStatus, tt.wantAttempt, tt.wantReason)
			}
			if n := len(s.ProductRequests()); n != tt.wantAttempt {
				t.Errorf("%d requests, want %d", n, tt.wantAttempt)
			}
			if tt.cancel {
				if r.HTTPStatus != 500 || len(clock.Waits()) != 0 {
					t.Errorf("HTTP %d, waits %v; want the 500 and no wait", r.HTTPStatus, clock.Waits())
				}
				return
			}
			if w := clock.Waits(); len(w) != 1 || w[0] < tt.wantMin || w[0] > tt.wantMax {
				t.Errorf("waits %v, want one of %v to %v", w, tt.wantMin, tt.wantMax)
			}
		})
	}
}

// TestProbeAnswerCutShort: an answer that breaks off is a failure to
// reach the product, retried like one, with its status kept.
func TestProbeAnswerCutShort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "5000")
		io.WriteString(w, `{"id":1,"name":"An`)
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	clock := newTestClock()
	r := probe.New(testConfig(clock)).Probe(t.Context(), auth.Account{Product: "bc3", ID: 1, Href: srv.URL + "/1"}, probe.APITokenAuth{Token: "t"})
	if r.Status != probe.Failed || r.HTTPStatus != 200 || r.Attempts != 4 || !strings.Contains(r.Reason, "could not reach") || !strings.HasSuffix(r.Reason, "(after 4 tries)") {
		t.Fatalf("%v (HTTP %d) after %d attempts: %q", r.Status, r.HTTPStatus, r.Attempts, r.Reason)
	}
	if len(clock.Waits()) != 3 {
		t.Errorf("waits %v, want 3 backoffs", clock.Waits())
	}
}

// TestProbeURLAccountID: ProbeURL names the account by the id in a bc3 or
// bcx href, and by none otherwise.
func TestProbeURLAccountID(t *testing.T) {
	s, _ := newFake(t, launchpadtest.Options{})
	p := probe.New(testConfig(newTestClock()))
	tests := []struct {
		name    string
		href    string
		product string
		wantID  int64
		want    probe.Status
	}{
		{name: "bc3", href: s.URL + "/99999999", product: "bc3", wantID: 99999999, want: probe.NotFound},
		{name: "bcx", href: s.URL + "/88888888/api/v1", product: "bcx", wantID: 88888888, want: probe.NotFound},
		{name: "no id", href: s.URL + "/bc3/x", product: "bc3", wantID: 0, want: probe.NotFound},
		{name: "digits then more", href: s.URL + "/123abc", product: "bc3", wantID: 0, want: probe.NotFound},
		{name: "no URL at all", href: "http://[::1", product: "bc3", wantID: 0, want: probe.NotProbed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.ProbeURL(t.Context(), tt.href, tt.product, probe.APITokenAuth{Token: "t"})
			if r.Account.ID != tt.wantID || r.Status != tt.want || r.Account.Product != tt.product {
				t.Errorf("account %+v, %v (%s); want id %d, %v", r.Account, r.Status, r.Reason, tt.wantID, tt.want)
			}
		})
	}
}

func TestStatusOutOfRange(t *testing.T) {
	for _, s := range []probe.Status{0, -1, probe.Canceled + 1} {
		if s.String() != "unknown" || s.Name() != "unknown" {
			t.Errorf("Status(%d) = %q, %q; want unknown", int(s), s.String(), s.Name())
		}
	}
	var s probe.Status = probe.Reachable
	if err := s.UnmarshalText([]byte("fine")); err == nil || s != probe.Reachable || !strings.Contains(err.Error(), "not_found") {
		t.Errorf("UnmarshalText(fine) = %v, left %v; want an error listing the names, the status unchanged", err, s)
	}
	if _, err := probe.ParseStatus(""); err == nil {
		t.Error("ParseStatus accepted the zero status's empty name")
	}
}

// TestProbeMaxRetries: a probe tries once more than MaxRetries, and only
// once when it is negative.
func TestProbeMaxRetries(t *testing.T) {
	tests := []struct {
		name         string
		maxRetries   int
		wantAttempts int
		wantReason   string
	}{
		{name: "none", maxRetries: -1, wantAttempts: 1, wantReason: `HTTP 500: "Internal Server Error"`},
		{name: "the default", maxRetries: 0, wantAttempts: probe.DefaultMaxRetries + 1, wantReason: `HTTP 500 after 4 tries: "Internal Server Error"`},
		{name: "one", maxRetries: 1, wantAttempts: 2, wantReason: `HTTP 500 after 2 tries: "Internal Server Error"`},
		{name: "five", maxRetries: 5, wantAttempts: 6, wantReason: `HTTP 500 after 6 tries: "Internal Server Error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := newFake(t, launchpadtest.Options{})
			s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerServerError())
			clock := newTestClock()
			cfg := testConfig(clock)
			cfg.MaxRetries = tt.maxRetries
			r := probe.New(cfg).Probe(t.Context(), accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
			if r.Status != probe.ServerError || r.Attempts != tt.wantAttempts || len(clock.Waits()) != tt.wantAttempts-1 || r.Reason != tt.wantReason {
				t.Errorf("%v after %d attempts, waits %v: %q; want a server error after %d: %q", r.Status, r.Attempts, clock.Waits(), r.Reason, tt.wantAttempts, tt.wantReason)
			}
		})
	}
}

// TestProbeAnswerMustBeAPerson: a who-am-I answer names somebody by an
// id, a name or an email address, fits in 1 MiB, and is the shape its
// product speaks; anything else is a failure that says which.
func TestProbeAnswerMustBeAPerson(t *testing.T) {
	// sized is a JSON person exactly n bytes long.
	sized := func(n int) string {
		const head, tail = `{"id":1,"name":"`, `"}`
		return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
	}
	tests := []struct {
		name    string
		product string
		body    string
		want    probe.Status
		reason  string
	}{
		{name: "an id alone", product: "bc3", body: `{"id":5}`, want: probe.Reachable},
		{name: "a name alone", product: "bc3", body: `{"name":"Annie"}`, want: probe.Reachable},
		{name: "an email address alone", product: "bc3", body: `{"email_address":"annie@example.com"}`, want: probe.Reachable},
		{name: "nobody", product: "bc3", body: `{"admin":true}`, want: probe.Failed, reason: "names nobody"},
		{name: "exactly 1 MiB", product: "bc3", body: sized(1 << 20), want: probe.Reachable},
		{name: "a byte past 1 MiB", product: "bc3", body: sized(1<<20 + 1), want: probe.Failed, reason: "larger than the 1 MiB"},
		{name: "not JSON", product: "bc3", body: `<person><id>1</id></person>`, want: probe.Failed, reason: "not the JSON expected"},
		{name: "XML of something else", product: "highrise", body: `<account><id>1</id></account>`, want: probe.Failed, reason: "not a <person> or <user>"},
		{name: "an id that is no number", product: "highrise", body: `<user><id>seven</id><name>Annie</name></user>`, want: probe.Failed, reason: `its id "seven" is not a number`},
		{name: "not XML", product: "highrise", body: `{"id":1}`, want: probe.Failed, reason: "not the XML expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			href := map[string]string{"bc3": "/bc3/1", "highrise": "/highrise/one"}[tt.product]
			s, ts := newFake(t, launchpadtest.Options{Accounts: []launchpadtest.Account{}})
			s.SetAccounts([]launchpadtest.Account{{Product: tt.product, ID: 1, Name: "One", Href: s.URL + href}})
			s.ScriptProduct(1, tt.product, launchpadtest.ProductAnswer{Status: 200, Body: tt.body})
			r := probe.New(testConfig(newTestClock())).Probe(t.Context(), accountsOf(s)[0], probe.BearerAuth{Source: ts})
			if r.Status != tt.want || !strings.Contains(r.Reason, tt.reason) || (r.Person != nil) != (tt.want == probe.Reachable) {
				t.Errorf("%v %+v: %q; want %v: %q", r.Status, r.Person, r.Reason, tt.want, tt.reason)
			}
		})
	}
}

// TestProbeCanceledWhileAsking: Ctrl-C while the request is out ends the
// probe at once: no retry, no wait, and no other answer to report.
func TestProbeCanceledWhileAsking(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		cancel()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	clock := newTestClock()
	r := probe.New(testConfig(clock)).Probe(ctx, auth.Account{Product: "bc3", ID: 1, Href: srv.URL + "/1"}, probe.APITokenAuth{Token: "t"})
	if want := "stopped before an answer came: context canceled"; r.Status != probe.Canceled || r.Reason != want || r.Attempts != 1 {
		t.Errorf("%v after %d attempts: %q; want canceled after 1: %q", r.Status, r.Attempts, r.Reason, want)
	}
	if n := asked.Load(); n != 1 || len(clock.Waits()) != 0 {
		t.Errorf("%d requests, waits %v; want 1 and none", n, clock.Waits())
	}
}

// TestProbeWhoWaits: a 429's Retry-After holds every probe of the host,
// since Basecamp limits by client IP; a 5xx's backoff holds only the probe
// that got it. Another probe of the same host is made during the wait.
func TestProbeWhoWaits(t *testing.T) {
	tests := []struct {
		name       string
		answer     launchpadtest.ProductAnswer
		wantOthers []time.Duration // what the other probe waited
	}{
		{name: "429", answer: launchpadtest.AnswerRateLimited(7), wantOthers: []time.Duration{7 * time.Second}},
		{name: "429 asking exactly the longest wait", answer: launchpadtest.AnswerRateLimited(30), wantOthers: []time.Duration{30 * time.Second}},
		{name: "5xx", answer: launchpadtest.AnswerServerError(), wantOthers: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := newFake(t, launchpadtest.Options{})
			s.ScriptProduct(99999999, "bc3", tt.answer, launchpadtest.AnswerReachable())
			s.ScriptProduct(99999995, "bc3", launchpadtest.AnswerReachable())
			clock := newTestClock()
			cfg := testConfig(clock)
			var p *probe.Prober
			var other probe.Result
			var others []time.Duration
			asked := false
			cfg.Sleep = func(ctx context.Context, d time.Duration) error {
				if !asked {
					asked = true
					before := len(clock.Waits())
					other = p.Probe(ctx, accountOf(t, s, "bc3", 99999995), probe.BearerAuth{Source: ts})
					others = clock.Waits()[before:]
				}
				return clock.Sleep(ctx, d)
			}
			p = probe.New(cfg)
			r := p.Probe(t.Context(), accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
			if r.Status != probe.Reachable || r.Attempts != 2 || other.Status != probe.Reachable {
				t.Fatalf("%v after %d attempts (%s), the other %v (%s); want both reachable", r.Status, r.Attempts, r.Reason, other.Status, other.Reason)
			}
			if len(others) != len(tt.wantOthers) || len(others) > 0 && others[0] != tt.wantOthers[0] {
				t.Errorf("the other probe waited %v, want %v", others, tt.wantOthers)
			}
		})
	}
}

// TestProbeBurst: Burst is how many requests a host gets at once before
// the rate spaces them.
func TestProbeBurst(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	clock := newTestClock()
	cfg := testConfig(clock)
	cfg.PerHostRate, cfg.Burst, cfg.Concurrency = 1, 3, 1
	bc3 := accountOf(t, s, "bc3", 99999999)
	for _, r := range probe.New(cfg).ProbeAll(t.Context(), []auth.Account{bc3, bc3, bc3, bc3}, probe.BearerAuth{Source: ts}, nil) {
		if r.Status != probe.Reachable {
			t.Fatalf("%v: %s", r.Status, r.Reason)
		}
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != time.Second {
		t.Errorf("waits %v, want three at once, then one after 1s", w)
	}
}
