package probe_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

// newFake runs a fake Launchpad with its product APIs and returns it with
// a token source holding a token it issued.
func newFake(t testing.TB, opts launchpadtest.Options) (*launchpadtest.Server, *auth.TokenSource) {
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

// accountsOf converts the fake's accounts.
func accountsOf(s *launchpadtest.Server) []auth.Account {
	var out []auth.Account
	for _, a := range s.Accounts() {
		out = append(out, auth.Account{Product: a.Product, ID: a.ID, Name: a.Name, Href: a.Href, AppHref: a.AppHref})
	}
	return out
}

// accountOf is the fake's account product:id, failing the test without one.
func accountOf(t *testing.T, s *launchpadtest.Server, product string, id int64) auth.Account {
	t.Helper()
	for _, a := range accountsOf(s) {
		if a.Product == product && a.ID == id {
			return a
		}
	}
	t.Fatalf("no demo account %s:%d", product, id)
	return auth.Account{}
}

// testClock is the Prober's clock in tests: Sleep records the wait and
// moves time on at once.
type testClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *testClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// testConfig is a config on the test clock with no rate limit, so only the
// waits a test looks at are recorded.
func testConfig(c *testClock) probe.Config {
	return probe.Config{UserAgent: "bcauth-test (test@example.com)", PerHostRate: rate.Inf, Now: c.Now, Sleep: c.Sleep}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
