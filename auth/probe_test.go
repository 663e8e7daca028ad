package auth_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// probeFake runs a fake Launchpad with its product APIs and returns it with
// a token source holding a token it issued.
func probeFake(t testing.TB, opts launchpadtest.Options) (*launchpadtest.Server, *auth.TokenSource) {
	t.Helper()
	s := launchpadtest.NewServer(opts)
	t.Cleanup(s.Close)
	c, err := auth.New(auth.Config{
		ClientID: launchpadtest.DefaultClientID, ClientSecret: launchpadtest.DefaultClientSecret,
		LaunchpadURL: s.URL, UserAgent: "bcauth-test (test@example.com)",
	})
	if err != nil {
		t.Fatal(err)
	}
	access, refresh, expiry := s.IssueToken()
	return s, c.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: expiry, TokenType: "Bearer"}, nil)
}

// probeAccounts converts the fake's accounts.
func probeAccounts(s *launchpadtest.Server) []auth.Account {
	var out []auth.Account
	for _, a := range s.Accounts() {
		out = append(out, auth.Account{Product: a.Product, ID: a.ID, Name: a.Name, Href: a.Href, AppHref: a.AppHref})
	}
	return out
}

func probeAccount(t *testing.T, s *launchpadtest.Server, product string, id int64) auth.Account {
	t.Helper()
	for _, a := range probeAccounts(s) {
		if a.Product == product && a.ID == id {
			return a
		}
	}
	t.Fatalf("no demo account %s:%d", product, id)
	return auth.Account{}
}

// probeClock is the Prober's clock in tests: Sleep records the wait and
// moves time on at once.
type probeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newProbeClock() *probeClock {
	return &probeClock{now: time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)}
}

func (c *probeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *probeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *probeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// probeConfig is a config on the test clock with no rate limit, so only the
// waits a test looks at are recorded.
func probeConfig(c *probeClock) auth.ProbeConfig {
	return auth.ProbeConfig{UserAgent: "bcauth-test (test@example.com)", PerHostRate: rate.Inf, Now: c.Now, Sleep: c.Sleep}
}

func TestProbeOutcomes(t *testing.T) {
	const bc3 = 99999999
	tests := []struct {
		name     string
		answers  []launchpadtest.ProductAnswer
		timeout  time.Duration
		want     auth.Status
		http     int
		attempts int
		reason   string // the reason, or a part of it when it names a URL or a duration
	}{
		{"reachable", nil, 0, auth.Reachable, 200, 1, ""},
		// The token is refreshed once, then refused again.
		{"refused, JSON", []launchpadtest.ProductAnswer{launchpadtest.AnswerRefused()}, 0, auth.Refused, 401, 2,
			`401: "OAuth token expired (old age), please reauthorize", even with a freshly refreshed token — the token is not accepted here`},
		{"refused, plain", []launchpadtest.ProductAnswer{launchpadtest.AnswerRefusedPlain()}, 0, auth.Refused, 401, 1, `401: "HTTP Basic: Access denied." — the token is not accepted here`},
		{"refused, no words", []launchpadtest.ProductAnswer{{Status: 401}}, 0, auth.Refused, 401, 1, `401 — the token is not accepted here`},
		{"forbidden", []launchpadtest.ProductAnswer{{Status: 403, Body: "You do not have access to this account"}}, 0, auth.Refused, 403, 1, `403: "You do not have access to this account" — the token is not accepted here`},
		{"inactive", []launchpadtest.ProductAnswer{launchpadtest.AnswerInactive()}, 0, auth.Inactive, 404, 1, `closed or suspended ("This account is no longer active.")`},
		{"inactive, no words", []launchpadtest.ProductAnswer{{Status: 404, Header: http.Header{"Reason": {"Account Inactive"}}}}, 0, auth.Inactive, 404, 1, "closed or suspended"},
		{"not found", []launchpadtest.ProductAnswer{launchpadtest.AnswerNotFound()}, 0, auth.NotFound, 404, 1, `no such account, or no such person in it (404: "Not Found")`},
		{"rate limited, then fine", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(2), launchpadtest.AnswerReachable()}, 0, auth.Reachable, 200, 2, ""},
		{"rate limited for good", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(1)}, 0, auth.RateLimited, 429, 4, "still rate limited after 4 tries (Retry-After 1s)"},
		{"rate limited without Retry-After", []launchpadtest.ProductAnswer{{Status: 429}}, 0, auth.RateLimited, 429, 4, "still rate limited after 4 tries"},
		{"Retry-After beyond the bound", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(3600)}, 0, auth.RateLimited, 429, 1, "rate limited (Retry-After 3600s, longer than the 30s bcauth waits) — try again later"},
		{"server error, then fine", []launchpadtest.ProductAnswer{launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable()}, 0, auth.Reachable, 200, 2, ""},
		{"server error for good", []launchpadtest.ProductAnswer{launchpadtest.AnswerServerError()}, 0, auth.ServerError, 500, 4, `HTTP 500 after 4 tries: "Internal Server Error"`},
		{"server error, no words", []launchpadtest.ProductAnswer{{Status: 503}}, 0, auth.ServerError, 503, 4, `HTTP 503 after 4 tries`},
		{"slow", []launchpadtest.ProductAnswer{launchpadtest.AnswerSlow(time.Minute)}, 50 * time.Millisecond, auth.Timeout, 0, 1, "did not answer within 50ms"},
		{"bad request", []launchpadtest.ProductAnswer{{Status: 400, Body: "Bad request"}}, 0, auth.Failed, 400, 1, `unexpected HTTP 400: "Bad request"`},
		{"web page instead of a person", []launchpadtest.ProductAnswer{{Status: 200, Body: "<!DOCTYPE html><html><body>Sign in</body></html>", ContentType: "text/html"}}, 0, auth.Failed, 200, 1, "not with a person"},
		{"redirect is not followed", []launchpadtest.ProductAnswer{{Status: 302, Header: http.Header{"Location": {"https://launchpad.37signals.com/signin"}}}}, 0, auth.Failed, 302, 1, "does not follow redirects"},
		{"answer too large", []launchpadtest.ProductAnswer{{Status: 200, Body: `{"id":1,"name":"` + strings.Repeat("a", 2<<20) + `"}`}}, 0, auth.Failed, 200, 1, "larger than the 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := probeFake(t, launchpadtest.Options{})
			if tt.answers != nil {
				s.ScriptProduct(bc3, "bc3", tt.answers...)
			}
			clock := newProbeClock()
			cfg := probeConfig(clock)
			cfg.Timeout = tt.timeout
			r := auth.NewProber(cfg).Probe(context.Background(), probeAccount(t, s, "bc3", bc3), auth.BearerAuth{Source: ts})
			if r.Status != tt.want || r.HTTPStatus != tt.http || r.Attempts != tt.attempts {
				t.Fatalf("got %v (HTTP %d, %d attempts: %s), want %v (HTTP %d, %d attempts)",
					r.Status, r.HTTPStatus, r.Attempts, r.Reason, tt.want, tt.http, tt.attempts)
			}
			if !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", r.Reason, tt.reason)
			}
			// One clause and the server's words once: nothing said twice.
			for _, twice := range []string{"Unauthorized", "Not Found", "Inactive", "inactive", "Internal Server Error", "Basecamp"} {
				if strings.Count(r.Reason, twice) > 1 {
					t.Errorf("reason %q repeats itself (%q)", r.Reason, twice)
				}
			}
			if (r.Status == auth.Reachable) != (r.Person != nil) {
				t.Errorf("status %v with person %+v", r.Status, r.Person)
			}
			if r.Status == auth.Reachable && r.Reason != "" {
				t.Errorf("reachable with reason %q", r.Reason)
			}
			if r.Account.Href == "" {
				t.Error("result lost its account")
			}
		})
	}
}

func TestProbeRefreshesAnExpiredTokenOnce(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	s.ExpireAccessTokens() // the product, not the token source, finds out
	r := auth.NewProber(probeConfig(newProbeClock())).Probe(context.Background(), probeAccount(t, s, "bc3", 99999999), auth.BearerAuth{Source: ts})
	if r.Status != auth.Reachable || r.Attempts != 2 {
		t.Fatalf("got %v after %d attempts: %s", r.Status, r.Attempts, r.Reason)
	}
	if n := s.Requests(launchpadtest.EndpointToken); n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
}

func TestProbeAllDemoDecodesJSONAndXML(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	id := s.Identity()
	accs := probeAccounts(s)
	var calls int
	results := auth.NewProber(probeConfig(newProbeClock())).ProbeAll(context.Background(), accs, auth.BearerAuth{Source: ts},
		func(done, total int, r auth.ProbeResult) {
			calls++
			if done != calls || total != len(accs) {
				t.Errorf("progress(%d, %d), call %d", done, total, calls)
			}
		})
	if calls != len(accs) || len(results) != len(accs) {
		t.Fatalf("%d progress calls, %d results for %d accounts", calls, len(results), len(accs))
	}
	want := map[string]auth.Status{
		"bc3:99999995":        auth.Inactive, // demo: closed
		"basecamp:77777777":   auth.Refused,  // demo: does not take the token
		"writeboard:55555555": auth.NotProbed,
	}
	classic := probeAccount(t, s, "basecamp", 77777777)
	reasons := map[string]string{
		"bc3:99999995": `closed or suspended ("This account is no longer active.")`,
		// An OAuth token on a product that historically takes API tokens:
		// the next step is a probe with one.
		"basecamp:77777777": `401: "HTTP Basic: Access denied." — this product may not take OAuth tokens; try bcauth probe --url ` + classic.Href + ` --api-token -`,
	}
	reachable := 0
	for i, r := range results {
		if r.Account != accs[i] {
			t.Fatalf("result %d is for %s, want %s: results must keep the input order", i, r.Account.Key(), accs[i].Key())
		}
		w, ok := want[r.Account.Key()]
		if !ok {
			w = auth.Reachable
		}
		if r.Status != w {
			t.Errorf("%s: %v (%s), want %v", r.Account.Key(), r.Status, r.Reason, w)
			continue
		}
		if want := reasons[r.Account.Key()]; want != "" && r.Reason != want {
			t.Errorf("%s: reason %q, want %q", r.Account.Key(), r.Reason, want)
		}
		if r.Status != auth.Reachable {
			continue
		}
		reachable++
		p := r.Person
		if p.ID == 0 || p.ID == id.ID || p.Name != "Annie Bryan" || p.Email != id.EmailAddress {
			t.Errorf("%s: person %+v", r.Account.Key(), p)
		}
	}
	if reachable < len(accs)/2 {
		t.Errorf("only %d of %d demo accounts reachable", reachable, len(accs))
	}
	// Flags as the fake sets them: admin for odd ids, owner too for 3 mod 4.
	if p := results[0].Person; results[0].Account.ID != 99999999 || !p.Admin || !p.Owner {
		t.Errorf("first account's person %+v, want admin and owner", p)
	}
	for _, r := range s.ProductRequests() {
		if r.UserAgent != "bcauth-test (test@example.com)" || r.Auth != "Bearer" {
			t.Errorf("request %s: User-Agent %q, auth %q", r.Path, r.UserAgent, r.Auth)
		}
		wantAccept := "application/json"
		if strings.HasSuffix(r.Path, ".xml") {
			wantAccept = "application/xml"
		}
		if r.Accept != wantAccept {
			t.Errorf("request %s: Accept %q", r.Path, r.Accept)
		}
	}
}

func TestProbeDecodesPersonShapes(t *testing.T) {
	tests := []struct {
		name, product, body string
		want                auth.Person
	}{
		{"bc3 profile", "bc3", `{"id":42,"name":"Jason Fried","email_address":"jason@example.com","admin":true,"owner":true,"company":{"id":1,"name":"x"}}`,
			auth.Person{ID: 42, Name: "Jason Fried", Email: "jason@example.com", Admin: true, Owner: true}},
		{"bcx person, admin null", "bcx", `{"id":149087659,"identity_id":982871737,"name":"Jason Fried","email_address":"jason@example.com","admin":null}`,
			auth.Person{ID: 149087659, Name: "Jason Fried", Email: "jason@example.com"}},
		{"classic person", "basecamp", `<?xml version="1.0" encoding="UTF-8"?>
<person>
  <id type="integer">7</id>
  <first-name>Jason</first-name>
  <last-name>Fried</last-name>
  <email-address>jason@example.com</email-address>
  <administrator type="boolean">true</administrator>
  <company><id type="integer">9</id><name>37signals</name></company>
</person>`, auth.Person{ID: 7, Name: "Jason Fried", Email: "jason@example.com", Admin: true}},
		{"highrise user, nil boolean", "highrise", `<user><id type="integer"> 8 </id><name>Jason Fried</name><email-address>jason@example.com</email-address><admin type="boolean" nil="true"></admin></user>`,
			auth.Person{ID: 8, Name: "Jason Fried", Email: "jason@example.com"}},
		{"campfire user", "campfire", `<user><id type="integer">9</id><name>Jason F.</name><email-address>j@example.com</email-address><admin type="boolean">true</admin><type>Member</type></user>`,
			auth.Person{ID: 9, Name: "Jason F.", Email: "j@example.com", Admin: true}},
		{"latin-1 XML", "backpack", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><user><id>10</id><name>Jos\xe9</name></user>",
			auth.Person{ID: 10, Name: "José"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			href := map[string]string{"bc3": "/bc3/1", "bcx": "/bcx/1/api/v1", "basecamp": "/classic/one",
				"campfire": "/campfire/one", "highrise": "/highrise/one", "backpack": "/backpack/one"}[tt.product]
			s, ts := probeFake(t, launchpadtest.Options{Accounts: []launchpadtest.Account{{Product: tt.product, ID: 1, Name: "One"}}})
			s.SetAccounts([]launchpadtest.Account{{Product: tt.product, ID: 1, Name: "One", Href: s.URL + href}})
			ct := "application/json"
			if strings.HasPrefix(tt.body, "<") {
				ct = "application/xml"
			}
			s.ScriptProduct(1, tt.product, launchpadtest.ProductAnswer{Status: 200, Body: tt.body, ContentType: ct})
			r := auth.NewProber(probeConfig(newProbeClock())).Probe(context.Background(), probeAccounts(s)[0], auth.BearerAuth{Source: ts})
			if r.Status != auth.Reachable {
				t.Fatalf("%v: %s", r.Status, r.Reason)
			}
			if *r.Person != tt.want {
				t.Errorf("person %+v, want %+v", *r.Person, tt.want)
			}
		})
	}
}

func TestProbeDefaultBackpackAnswer(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{Accounts: []launchpadtest.Account{}})
	s.SetAccounts([]launchpadtest.Account{{Product: "backpack", ID: 3, Name: "Pack", Href: s.URL + "/backpack/pack/"}})
	r := auth.NewProber(probeConfig(newProbeClock())).Probe(context.Background(), probeAccounts(s)[0], auth.BearerAuth{Source: ts})
	if r.Status != auth.Reachable || r.Person.Name != "Annie Bryan" || !r.Person.Admin {
		t.Fatalf("%v %+v: %s", r.Status, r.Person, r.Reason)
	}
}

func TestProbeNotProbed(t *testing.T) {
	tests := []struct {
		acc    auth.Account
		reason string
	}{
		{auth.Account{Product: "hey", ID: 1, Href: "https://app.hey.com"}, "no public who-am-I endpoint for HEY"},
		{auth.Account{Product: "writeboard", ID: 2, Href: "https://initech.writeboard.com"}, "no public who-am-I endpoint for writeboard"},
		{auth.Account{Product: "bcx", ID: 3, Href: "http://basecamp.com/3/api/v1"}, "refusing to send the token over plain http to basecamp.com"},
		{auth.Account{Product: "basecamp", ID: 4, Href: "http://10.0.0.7:8080"}, "refusing to send the token over plain http to 10.0.0.7:8080"},
		{auth.Account{Product: "bc3", ID: 5, Href: "ftp://3.basecampapi.com/5"}, "not an http(s) URL"},
		{auth.Account{Product: "bc3", ID: 6, Href: "/bc3/6"}, "not an http(s) URL"},
	}
	// Any request would fail the test: nothing may leave for these hrefs.
	var sent []string
	var mu sync.Mutex
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sent = append(sent, r.URL.String())
		mu.Unlock()
		return nil, net.ErrClosed
	})}
	p := auth.NewProber(auth.ProbeConfig{HTTPClient: client})
	for _, tt := range tests {
		r := p.Probe(context.Background(), tt.acc, auth.BearerAuth{})
		if r.Status != auth.NotProbed || !strings.Contains(r.Reason, tt.reason) || r.Attempts != 0 {
			t.Errorf("%s: %v %q (%d attempts), want not probed: %q", tt.acc.Href, r.Status, r.Reason, r.Attempts, tt.reason)
		}
	}
	r := p.Probe(context.Background(), tests[2].acc, auth.BasicAuth{User: "u", Password: "p"})
	if r.Reason != "refusing to send the password over plain http to basecamp.com" {
		t.Errorf("basic over plain http: %q", r.Reason)
	}
	if len(sent) > 0 {
		t.Errorf("requests went out: %v", sent)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestProbeConcurrencyBound(t *testing.T) {
	var accounts []launchpadtest.Account
	for i := range 40 {
		accounts = append(accounts, launchpadtest.Account{Product: "bc3", ID: int64(1000 + i), Name: "A"})
	}
	s, ts := probeFake(t, launchpadtest.Options{Accounts: accounts, ProductLatency: 10 * time.Millisecond})
	for i := range accounts {
		accounts[i].Href = s.URL + "/bc3/" + strconv.FormatInt(accounts[i].ID, 10)
	}
	s.SetAccounts(accounts)
	// A 429 and a 500 keep retries in the mix.
	s.ScriptProduct(1003, "bc3", launchpadtest.AnswerRateLimited(0), launchpadtest.AnswerReachable())
	s.ScriptProduct(1007, "bc3", launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable())
	cfg := auth.ProbeConfig{UserAgent: "test", PerHostRate: rate.Inf, Backoff: time.Millisecond}
	results := auth.NewProber(cfg).ProbeAll(context.Background(), probeAccounts(s), auth.BearerAuth{Source: ts}, nil)
	for _, r := range results {
		if r.Status != auth.Reachable {
			t.Errorf("%s: %v %s", r.Account.Key(), r.Status, r.Reason)
		}
	}
	if got := len(s.ProductRequests()); got != 42 {
		t.Errorf("%d requests, want 42", got)
	}
	if m := s.MaxInFlight(); m > auth.DefaultProbeConcurrency || m < 2 {
		t.Errorf("at most %d requests in flight, want 2 to %d", m, auth.DefaultProbeConcurrency)
	}
}

func TestProbeRateLimitPerHost(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	bc3 := probeAccount(t, s, "bc3", 99999999)
	clock := newProbeClock()
	cfg := probeConfig(clock)
	cfg.PerHostRate, cfg.Burst, cfg.Concurrency = 4, 2, 1
	p := auth.NewProber(cfg)
	accs := make([]auth.Account, 10)
	for i := range accs {
		accs[i] = bc3
	}
	for _, r := range p.ProbeAll(context.Background(), accs, auth.BearerAuth{Source: ts}, nil) {
		if r.Status != auth.Reachable {
			t.Fatalf("%v: %s", r.Status, r.Reason)
		}
	}
	// A burst of 2, then one request every 250 ms.
	waits := clock.Waits()
	var total time.Duration
	for _, w := range waits {
		if w != 250*time.Millisecond {
			t.Errorf("wait %v, want 250ms", w)
		}
		total += w
	}
	if len(waits) != 8 || total != 2*time.Second {
		t.Errorf("waits %v, want 8 of 250ms", waits)
	}

	// Another host (localhost is the same fake, by another name) has its
	// own budget: its first two requests do not wait.
	other := bc3
	other.Href = strings.Replace(bc3.Href, "127.0.0.1", "localhost", 1)
	p.ProbeAll(context.Background(), []auth.Account{other, other}, auth.BearerAuth{Source: ts}, nil)
	if n := len(clock.Waits()); n != 8 {
		t.Errorf("localhost waited on 127.0.0.1's budget: waits %v", clock.Waits()[8:])
	}
	hosts := map[string]int{}
	for _, r := range s.ProductRequests() {
		hosts[r.Host]++
	}
	if len(hosts) != 2 {
		t.Errorf("requests per host %v", hosts)
	}
}

func TestProbeRetryAfterHoldsTheHost(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerRateLimited(7), launchpadtest.AnswerReachable())
	clock := newProbeClock()
	p := auth.NewProber(probeConfig(clock))
	a := auth.BearerAuth{Source: ts}
	r := p.Probe(context.Background(), probeAccount(t, s, "bc3", 99999999), a)
	if r.Status != auth.Reachable || r.Attempts != 2 || r.Elapsed != 7*time.Second {
		t.Fatalf("%v after %d attempts in %v: %s", r.Status, r.Attempts, r.Elapsed, r.Reason)
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != 7*time.Second {
		t.Errorf("waits %v, want Retry-After's 7s", w)
	}
}

func TestProbeServerErrorBacksOff(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	s.ScriptProduct(88888888, "bcx", launchpadtest.AnswerServerError(), launchpadtest.AnswerServerError(), launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable())
	clock := newProbeClock()
	cfg := probeConfig(clock)
	cfg.Backoff = 100 * time.Millisecond
	r := auth.NewProber(cfg).Probe(context.Background(), probeAccount(t, s, "bcx", 88888888), auth.BearerAuth{Source: ts})
	if r.Status != auth.Reachable || r.Attempts != 4 {
		t.Fatalf("%v after %d attempts: %s", r.Status, r.Attempts, r.Reason)
	}
	waits := clock.Waits()
	if len(waits) != 3 {
		t.Fatalf("waits %v, want 3", waits)
	}
	for i, w := range waits {
		ceil := cfg.Backoff << i
		if w < ceil/2 || w > ceil {
			t.Errorf("backoff %d: %v, want between %v and %v", i+1, w, ceil/2, ceil)
		}
	}
}

func TestProbeNetworkFailureIsRetriedThenFailed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	clock := newProbeClock()
	r := auth.NewProber(probeConfig(clock)).Probe(context.Background(),
		auth.Account{Product: "campfire", ID: 1, Href: "http://" + addr}, auth.APITokenAuth{Token: "t"})
	if r.Status != auth.Failed || r.Attempts != 4 || len(clock.Waits()) != 3 || !strings.Contains(r.Reason, "could not reach "+addr) {
		t.Fatalf("%v after %d attempts, waits %v: %s", r.Status, r.Attempts, clock.Waits(), r.Reason)
	}
}

func TestProbeAllCancelStopsEverything(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	accs := probeAccounts(s)
	for _, a := range accs {
		s.ScriptProduct(a.ID, a.Product, launchpadtest.AnswerSlow(time.Hour))
	}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	p := auth.NewProber(auth.ProbeConfig{HTTPClient: &http.Client{Transport: transport}, PerHostRate: rate.Inf})
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []auth.ProbeResult)
	go func() { done <- p.ProbeAll(ctx, accs, auth.BearerAuth{Source: ts}, nil) }()
	probeEventually(t, func() bool { return len(s.ProductRequests()) == auth.DefaultProbeConcurrency })
	cancel()
	var results []auth.ProbeResult
	select {
	case results = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ProbeAll did not return after cancel")
	}
	started := 0
	for _, r := range results {
		if r.Status != auth.Canceled {
			t.Errorf("%s: %v, want canceled", r.Account.Key(), r.Status)
		}
		started += r.Attempts
	}
	if started != auth.DefaultProbeConcurrency {
		t.Errorf("%d requests started, want %d", started, auth.DefaultProbeConcurrency)
	}
	if got := len(s.ProductRequests()); got != auth.DefaultProbeConcurrency {
		t.Errorf("%d requests reached the fake, want %d", got, auth.DefaultProbeConcurrency)
	}
	// Nothing of the Prober runs once ProbeAll has returned...
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "auth.(*Prober)") {
		t.Errorf("a probe goroutine outlived ProbeAll:\n%s", stacks)
	}
	// ...and the connections it opened close too.
	transport.CloseIdleConnections()
	probeEventually(t, func() bool { return runtime.NumGoroutine() <= before })
}

// probeEventually polls cond until it holds, failing after a generous
// deadline; it measures nothing.
func probeEventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("condition never held; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
		}
		<-tick.C
	}
}

func TestProbeURLWithLegacyCredentials(t *testing.T) {
	s, _ := probeFake(t, launchpadtest.Options{})
	s.AllowBasic("annie@example.com", "s3cret")
	s.AllowBasic("api-token-123", "X")
	p := auth.NewProber(probeConfig(newProbeClock()))
	ctx := context.Background()

	r := p.ProbeURL(ctx, s.URL+"/bcx/88888888/api/v1", "bcx", auth.BasicAuth{User: "annie@example.com", Password: "s3cret"})
	if r.Status != auth.Reachable || r.Person.Email != "annie@example.com" {
		t.Errorf("basic: %v %s", r.Status, r.Reason)
	}
	r = p.ProbeURL(ctx, s.URL+"/highrise/globex/me.xml", "highrise", auth.APITokenAuth{Token: "api-token-123"})
	if r.Status != auth.Reachable || r.Account.Href != s.URL+"/highrise/globex" {
		t.Errorf("API token, who-am-I path pasted: %v %q %s", r.Status, r.Account.Href, r.Reason)
	}
	r = p.ProbeURL(ctx, s.URL+"/campfire/acme4444444", "campfire", auth.APITokenAuth{Token: "wrong"})
	// An API token is what the product takes: no hint to use one.
	if want := `401: "HTTP Basic: Access denied." — the token is not accepted here`; r.Status != auth.Refused || r.Reason != want {
		t.Errorf("wrong API token: %v %q, want %q", r.Status, r.Reason, want)
	}
	r = p.ProbeURL(ctx, s.URL+"/bcx/88888888/api/v1", "bcx", auth.BasicAuth{User: "annie@example.com", Password: "wrong"})
	if want := `401: "HTTP Basic: Access denied." — the password is not accepted here`; r.Status != auth.Refused || r.Reason != want {
		t.Errorf("wrong password: %v %q, want %q", r.Status, r.Reason, want)
	}
	r = p.ProbeURL(ctx, s.URL+"/somewhere", "", auth.APITokenAuth{Token: "t"})
	if r.Status != auth.NotProbed || !strings.Contains(r.Reason, "cannot tell which product") {
		t.Errorf("unguessable: %v %s", r.Status, r.Reason)
	}
	for _, req := range s.ProductRequests() {
		if req.Auth != "Basic" {
			t.Errorf("%s sent with %q", req.Path, req.Auth)
		}
	}
}

func TestAuthorizersSetTheDocumentedHeaders(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	tok, _ := ts.Token(context.Background())
	tests := []struct {
		a    auth.Authorizer
		user string
		pass string
		want string
	}{
		{auth.BearerAuth{Source: ts}, "", "", "Bearer " + tok.AccessToken},
		{auth.BasicAuth{User: "annie@example.com", Password: "pw"}, "annie@example.com", "pw", ""},
		{auth.APITokenAuth{Token: "abc123"}, "abc123", "X", "Basic YWJjMTIzOlg="},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, s.URL, nil)
		if err := tt.a.Apply(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if tt.want != "" && req.Header.Get("Authorization") != tt.want {
			t.Errorf("%T: Authorization %q, want %q", tt.a, req.Header.Get("Authorization"), tt.want)
		}
		if tt.user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != tt.user || p != tt.pass {
				t.Errorf("%T: Basic %q:%q", tt.a, u, p)
			}
		}
	}
}

func TestGuessProduct(t *testing.T) {
	for href, want := range map[string]string{
		"https://3.basecampapi.com/99999999":        "bc3",
		"https://basecamp.com/88888888/api/v1":      "bcx",
		"https://basecamp.com/88888888":             "",
		"https://northwind.basecamphq.com":          "basecamp",
		"https://acme4444444.campfirenow.com/":      "campfire",
		"https://globex.highrisehq.com":             "highrise",
		"https://Pack.BackpackIt.com":               "backpack",
		"https://app.hey.com":                       "",
		"http://127.0.0.1:8080/bc3/1":               "",
		"https://evil.com/northwind.basecamphq.com": "",
	} {
		if got := auth.GuessProduct(href); got != want {
			t.Errorf("GuessProduct(%q) = %q, want %q", href, got, want)
		}
	}
}

func TestStatusNamesAreStable(t *testing.T) {
	want := map[auth.Status]string{
		auth.Reachable: "reachable", auth.Refused: "refused", auth.Inactive: "inactive",
		auth.NotFound: "not_found", auth.RateLimited: "rate_limited", auth.ServerError: "server_error",
		auth.Timeout: "timeout", auth.Failed: "failed", auth.NotProbed: "not_probed", auth.Canceled: "canceled",
	}
	for s, name := range want {
		b, err := json.Marshal(s)
		if err != nil || string(b) != `"`+name+`"` {
			t.Errorf("%v marshals as %s, %v", s, b, err)
		}
		var back auth.Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%s reads back as %v, %v", b, back, err)
		}
		if s.String() == "" || s.String() == "unknown" {
			t.Errorf("%d has no label", s)
		}
	}
	if _, err := auth.ParseStatus("fine"); err == nil {
		t.Error("ParseStatus accepted an unknown name")
	}
	r := auth.ProbeResult{Account: auth.Account{Product: "bc3", ID: 1}, Status: auth.Inactive, HTTPStatus: 404, Attempts: 1, Elapsed: 1500 * time.Millisecond}
	b, _ := json.Marshal(r)
	if got := string(b); !strings.Contains(got, `"status":"inactive"`) || !strings.Contains(got, `"elapsed_ms":1500`) || strings.Contains(got, `"person"`) {
		t.Errorf("result JSON %s", got)
	}
}

func TestProbeCancelDuringRetryAfter(t *testing.T) {
	s, ts := probeFake(t, launchpadtest.Options{})
	s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerRateLimited(5), launchpadtest.AnswerReachable())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := probeConfig(newProbeClock())
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // the person gives up while bcauth waits out Retry-After
		<-ctx.Done()
		return ctx.Err()
	}
	r := auth.NewProber(cfg).Probe(ctx, probeAccount(t, s, "bc3", 99999999), auth.BearerAuth{Source: ts})
	if r.Status != auth.Canceled || r.Attempts != 1 || r.HTTPStatus != 429 || !strings.HasSuffix(r.Reason, "; the last answer: rate limited (Retry-After 5s)") {
		t.Fatalf("%v after %d attempts (HTTP %d): %s", r.Status, r.Attempts, r.HTTPStatus, r.Reason)
	}
	if n := len(s.ProductRequests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
