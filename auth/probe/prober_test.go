package probe_test

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

func TestProbeOutcomes(t *testing.T) {
	const bc3 = 99999999
	tests := []struct {
		name     string
		answers  []launchpadtest.ProductAnswer
		timeout  time.Duration
		want     probe.Status
		http     int
		attempts int
		reason   string // the reason, or a part of it when it names a URL or a duration
	}{
		{"reachable", nil, 0, probe.Reachable, 200, 1, ""},
		// The token is refreshed once, then refused again.
		{"refused, JSON", []launchpadtest.ProductAnswer{launchpadtest.AnswerRefused()}, 0, probe.Refused, 401, 2,
			`401: "OAuth token expired (old age), please reauthorize", even with a freshly refreshed token — the token is not accepted here`},
		{"refused, plain", []launchpadtest.ProductAnswer{launchpadtest.AnswerRefusedPlain()}, 0, probe.Refused, 401, 1, `401: "HTTP Basic: Access denied." — the token is not accepted here`},
		{"refused, no words", []launchpadtest.ProductAnswer{{Status: 401}}, 0, probe.Refused, 401, 1, `401 — the token is not accepted here`},
		{"forbidden", []launchpadtest.ProductAnswer{{Status: 403, Body: "You do not have access to this account"}}, 0, probe.Refused, 403, 1, `403: "You do not have access to this account" — the token is not accepted here`},
		{"inactive", []launchpadtest.ProductAnswer{launchpadtest.AnswerInactive()}, 0, probe.Inactive, 404, 1, `closed or suspended ("This account is no longer active.")`},
		{"inactive, no words", []launchpadtest.ProductAnswer{{Status: 404, Header: http.Header{"Reason": {"Account Inactive"}}}}, 0, probe.Inactive, 404, 1, "closed or suspended"},
		{"not found", []launchpadtest.ProductAnswer{launchpadtest.AnswerNotFound()}, 0, probe.NotFound, 404, 1, `no such account, or no such person in it (404: "Not Found")`},
		{"rate limited, then fine", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(2), launchpadtest.AnswerReachable()}, 0, probe.Reachable, 200, 2, ""},
		{"rate limited for good", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(1)}, 0, probe.RateLimited, 429, 4, "still rate limited after 4 tries (Retry-After 1s)"},
		{"rate limited without Retry-After", []launchpadtest.ProductAnswer{{Status: 429}}, 0, probe.RateLimited, 429, 4, "still rate limited after 4 tries"},
		{"Retry-After beyond the bound", []launchpadtest.ProductAnswer{launchpadtest.AnswerRateLimited(3600)}, 0, probe.RateLimited, 429, 1, "rate limited (Retry-After 3600s, longer than the 30s bcauth waits) — try again later"},
		{"server error, then fine", []launchpadtest.ProductAnswer{launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable()}, 0, probe.Reachable, 200, 2, ""},
		{"server error for good", []launchpadtest.ProductAnswer{launchpadtest.AnswerServerError()}, 0, probe.ServerError, 500, 4, `HTTP 500 after 4 tries: "Internal Server Error"`},
		{"server error, no words", []launchpadtest.ProductAnswer{{Status: 503}}, 0, probe.ServerError, 503, 4, `HTTP 503 after 4 tries`},
		{"slow", []launchpadtest.ProductAnswer{launchpadtest.AnswerSlow(time.Minute)}, 50 * time.Millisecond, probe.Timeout, 0, 1, "did not answer within 50ms"},
		{"bad request", []launchpadtest.ProductAnswer{{Status: 400, Body: "Bad request"}}, 0, probe.Failed, 400, 1, `unexpected HTTP 400: "Bad request"`},
		{"web page instead of a person", []launchpadtest.ProductAnswer{{Status: 200, Body: "<!DOCTYPE html><html><body>Sign in</body></html>", ContentType: "text/html"}}, 0, probe.Failed, 200, 1, "not with a person"},
		// Launchpad's sign-in page, on loopback: followed, it would fail the test, not reach out.
		{"redirect is not followed", []launchpadtest.ProductAnswer{{Status: 302, Header: http.Header{"Location": {"http://127.0.0.1:9/signin"}}}}, 0, probe.Failed, 302, 1, "does not follow redirects"},
		{"answer too large", []launchpadtest.ProductAnswer{{Status: 200, Body: `{"id":1,"name":"` + strings.Repeat("a", 2<<20) + `"}`}}, 0, probe.Failed, 200, 1, "larger than the 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ts := newFake(t, launchpadtest.Options{})
			if tt.answers != nil {
				s.ScriptProduct(bc3, "bc3", tt.answers...)
			}
			clock := newTestClock()
			cfg := testConfig(clock)
			cfg.Timeout = tt.timeout
			r := probe.New(cfg).Probe(context.Background(), accountOf(t, s, "bc3", bc3), probe.BearerAuth{Source: ts})
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
			if (r.Status == probe.Reachable) != (r.Person != nil) {
				t.Errorf("status %v with person %+v", r.Status, r.Person)
			}
			if r.Status == probe.Reachable && r.Reason != "" {
				t.Errorf("reachable with reason %q", r.Reason)
			}
			if r.Account.Href == "" {
				t.Error("result lost its account")
			}
		})
	}
}

func TestProbeRefreshesAnExpiredTokenOnce(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	s.ExpireAccessTokens() // the product, not the token source, finds out
	r := probe.New(testConfig(newTestClock())).Probe(context.Background(), accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
	if r.Status != probe.Reachable || r.Attempts != 2 {
		t.Fatalf("got %v after %d attempts: %s", r.Status, r.Attempts, r.Reason)
	}
	if n := s.Requests(launchpadtest.EndpointToken); n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
}

func TestProbeAllDemoDecodesJSONAndXML(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	id := s.Identity()
	accs := accountsOf(s)
	var calls int
	results := probe.New(testConfig(newTestClock())).ProbeAll(context.Background(), accs, probe.BearerAuth{Source: ts},
		func(done, total int, r probe.Result) {
			calls++
			if done != calls || total != len(accs) {
				t.Errorf("progress(%d, %d), call %d", done, total, calls)
			}
		})
	if calls != len(accs) || len(results) != len(accs) {
		t.Fatalf("%d progress calls, %d results for %d accounts", calls, len(results), len(accs))
	}
	want := map[string]probe.Status{
		"bc3:99999995":       probe.Inactive, // demo: closed
		"basecamp:77777777":  probe.Refused,  // demo: does not take the token
		"sortfolio:55555555": probe.NotProbed,
	}
	classic := accountOf(t, s, "basecamp", 77777777)
	reasons := map[string]string{
		"bc3:99999995": `closed or suspended ("This account is no longer active.")`,
		// An OAuth token on a product that historically takes API tokens:
		// the next step is a probe with one.
		"basecamp:77777777": `401: "HTTP Basic: Access denied." — this product may not take OAuth tokens; try bcauth probe --url ` + classic.Href + ` --product basecamp --api-token -`,
	}
	reachable := 0
	for i, r := range results {
		if r.Account != accs[i] {
			t.Fatalf("result %d is for %s, want %s: results must keep the input order", i, r.Account.Key(), accs[i].Key())
		}
		w, ok := want[r.Account.Key()]
		if !ok {
			w = probe.Reachable
		}
		if r.Status != w {
			t.Errorf("%s: %v (%s), want %v", r.Account.Key(), r.Status, r.Reason, w)
			continue
		}
		if want := reasons[r.Account.Key()]; want != "" && r.Reason != want {
			t.Errorf("%s: reason %q, want %q", r.Account.Key(), r.Reason, want)
		}
		if r.Status != probe.Reachable {
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

// The hrefs name real hosts because the refusals are about hosts off this
// machine (plain http is allowed to loopback); every one is refused before
// a request, and the transport below fails any that is made.
func TestProbeNotProbed(t *testing.T) {
	tests := []struct {
		acc    auth.Account
		reason string
	}{
		{auth.Account{Product: "hey", ID: 1, Href: "https://app.hey.com"}, "no public who-am-I endpoint for HEY"},
		{auth.Account{Product: "writeboard", ID: 2, Href: "https://initech.writeboard.com"}, "no public who-am-I endpoint for Writeboard"},
		{auth.Account{Product: "bcx", ID: 3, Href: "http://basecamp.com/3/api/v1"}, "refusing to send the token over plain http to basecamp.com"},
		{auth.Account{Product: "basecamp", ID: 4, Href: "http://10.0.0.7:8080"}, "refusing to send the token over plain http to 10.0.0.7:8080"},
		{auth.Account{Product: "bc3", ID: 5, Href: "ftp://3.basecampapi.com/5"}, "not an http(s) URL"},
		{auth.Account{Product: "bc3", ID: 6, Href: "/bc3/6"}, "not an http(s) URL"},
		{auth.Account{Product: "bc3", ID: 7, Href: "https://3.basecampap\u0130.com/7"}, "its host is not plain ASCII"},
		{auth.Account{Product: "bc3", ID: 8, Href: "https://3.basecampap%C4%B0.com/8"}, "its host is not plain ASCII"},
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
	p := probe.New(probe.Config{HTTPClient: client})
	for _, tt := range tests {
		r := p.Probe(context.Background(), tt.acc, probe.BearerAuth{})
		if r.Status != probe.NotProbed || !strings.Contains(r.Reason, tt.reason) || r.Attempts != 0 {
			t.Errorf("%s: %v %q (%d attempts), want not probed: %q", tt.acc.Href, r.Status, r.Reason, r.Attempts, tt.reason)
		}
	}
	r := p.Probe(context.Background(), tests[2].acc, probe.BasicAuth{User: "u", Password: "p"})
	if r.Reason != "refusing to send the password over plain http to basecamp.com" {
		t.Errorf("basic over plain http: %q", r.Reason)
	}
	if len(sent) > 0 {
		t.Errorf("requests went out: %v", sent)
	}
}

func TestProbeConcurrencyBound(t *testing.T) {
	var accounts []launchpadtest.Account
	for i := range 40 {
		accounts = append(accounts, launchpadtest.Account{Product: "bc3", ID: int64(1000 + i), Name: "A"})
	}
	s, ts := newFake(t, launchpadtest.Options{Accounts: accounts, ProductLatency: 10 * time.Millisecond})
	for i := range accounts {
		accounts[i].Href = s.URL + "/bc3/" + strconv.FormatInt(accounts[i].ID, 10)
	}
	s.SetAccounts(accounts)
	// A 429 and a 500 keep retries in the mix.
	s.ScriptProduct(1003, "bc3", launchpadtest.AnswerRateLimited(0), launchpadtest.AnswerReachable())
	s.ScriptProduct(1007, "bc3", launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable())
	cfg := probe.Config{UserAgent: "test", PerHostRate: rate.Inf, Backoff: time.Millisecond}
	results := probe.New(cfg).ProbeAll(context.Background(), accountsOf(s), probe.BearerAuth{Source: ts}, nil)
	for _, r := range results {
		if r.Status != probe.Reachable {
			t.Errorf("%s: %v %s", r.Account.Key(), r.Status, r.Reason)
		}
	}
	if got := len(s.ProductRequests()); got != 42 {
		t.Errorf("%d requests, want 42", got)
	}
	if m := s.MaxInFlight(); m > probe.DefaultConcurrency || m < 2 {
		t.Errorf("at most %d requests in flight, want 2 to %d", m, probe.DefaultConcurrency)
	}
}

func TestProbeAllCancelStopsEverything(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	accs := accountsOf(s)
	for _, a := range accs {
		s.ScriptProduct(a.ID, a.Product, launchpadtest.AnswerSlow(time.Hour))
	}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	p := probe.New(probe.Config{HTTPClient: &http.Client{Transport: transport}, PerHostRate: rate.Inf})
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []probe.Result)
	go func() { done <- p.ProbeAll(ctx, accs, probe.BearerAuth{Source: ts}, nil) }()
	launchpadtest.Eventually(t, "DefaultConcurrency product requests at once", func() bool { return len(s.ProductRequests()) == probe.DefaultConcurrency })
	cancel()
	var results []probe.Result
	select {
	case results = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ProbeAll did not return after cancel")
	}
	started := 0
	for _, r := range results {
		if r.Status != probe.Canceled {
			t.Errorf("%s: %v, want canceled", r.Account.Key(), r.Status)
		}
		started += r.Attempts
	}
	if started != probe.DefaultConcurrency {
		t.Errorf("%d requests started, want %d", started, probe.DefaultConcurrency)
	}
	if got := len(s.ProductRequests()); got != probe.DefaultConcurrency {
		t.Errorf("%d requests reached the fake, want %d", got, probe.DefaultConcurrency)
	}
	// Nothing of the Prober runs once ProbeAll has returned...
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "probe.(*Prober)") {
		t.Errorf("a probe goroutine outlived ProbeAll:\n%s", stacks)
	}
	// ...and the connections it opened close too.
	transport.CloseIdleConnections()
	launchpadtest.Eventually(t, "the probe goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestProbeURLWithLegacyCredentials(t *testing.T) {
	s, _ := newFake(t, launchpadtest.Options{})
	s.AllowBasic("annie@example.com", "s3cret")
	s.AllowBasic("api-token-123", "X")
	p := probe.New(testConfig(newTestClock()))
	ctx := context.Background()

	r := p.ProbeURL(ctx, s.URL+"/bcx/88888888/api/v1", "bcx", probe.BasicAuth{User: "annie@example.com", Password: "s3cret"})
	if r.Status != probe.Reachable || r.Person.Email != "annie@example.com" {
		t.Errorf("basic: %v %s", r.Status, r.Reason)
	}
	r = p.ProbeURL(ctx, s.URL+"/highrise/globex/me.xml", "highrise", probe.APITokenAuth{Token: "api-token-123"})
	if r.Status != probe.Reachable || r.Account.Href != s.URL+"/highrise/globex" {
		t.Errorf("API token, who-am-I path pasted: %v %q %s", r.Status, r.Account.Href, r.Reason)
	}
	r = p.ProbeURL(ctx, s.URL+"/campfire/acme4444444", "campfire", probe.APITokenAuth{Token: "wrong"})
	// An API token is what the product takes: no hint to use one.
	if want := `401: "HTTP Basic: Access denied." — the token is not accepted here`; r.Status != probe.Refused || r.Reason != want {
		t.Errorf("wrong API token: %v %q, want %q", r.Status, r.Reason, want)
	}
	r = p.ProbeURL(ctx, s.URL+"/bcx/88888888/api/v1", "bcx", probe.BasicAuth{User: "annie@example.com", Password: "wrong"})
	if want := `401: "HTTP Basic: Access denied." — the password is not accepted here`; r.Status != probe.Refused || r.Reason != want {
		t.Errorf("wrong password: %v %q, want %q", r.Status, r.Reason, want)
	}
	r = p.ProbeURL(ctx, s.URL+"/somewhere", "", probe.APITokenAuth{Token: "t"})
	if r.Status != probe.NotProbed || !strings.Contains(r.Reason, "cannot tell which product") {
		t.Errorf("unguessable: %v %s", r.Status, r.Reason)
	}
	for _, req := range s.ProductRequests() {
		if req.Auth != "Basic" {
			t.Errorf("%s sent with %q", req.Path, req.Auth)
		}
	}
}
