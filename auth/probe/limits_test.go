package probe_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

func TestProbeRateLimitPerHost(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	bc3 := accountOf(t, s, "bc3", 99999999)
	clock := newTestClock()
	cfg := testConfig(clock)
	cfg.PerHostRate, cfg.Burst, cfg.Concurrency = 4, 2, 1
	p := probe.New(cfg)
	accs := make([]auth.Account, 10)
	for i := range accs {
		accs[i] = bc3
	}
	for _, r := range p.ProbeAll(context.Background(), accs, probe.BearerAuth{Source: ts}, nil) {
		if r.Status != probe.Reachable {
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
	p.ProbeAll(context.Background(), []auth.Account{other, other}, probe.BearerAuth{Source: ts}, nil)
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
	s, ts := newFake(t, launchpadtest.Options{})
	s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerRateLimited(7), launchpadtest.AnswerReachable())
	clock := newTestClock()
	p := probe.New(testConfig(clock))
	a := probe.BearerAuth{Source: ts}
	r := p.Probe(context.Background(), accountOf(t, s, "bc3", 99999999), a)
	if r.Status != probe.Reachable || r.Attempts != 2 || r.Elapsed != 7*time.Second {
		t.Fatalf("%v after %d attempts in %v: %s", r.Status, r.Attempts, r.Elapsed, r.Reason)
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != 7*time.Second {
		t.Errorf("waits %v, want Retry-After's 7s", w)
	}
}

func TestProbeServerErrorBacksOff(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	s.ScriptProduct(88888888, "bcx", launchpadtest.AnswerServerError(), launchpadtest.AnswerServerError(), launchpadtest.AnswerServerError(), launchpadtest.AnswerReachable())
	clock := newTestClock()
	cfg := testConfig(clock)
	cfg.Backoff = 100 * time.Millisecond
	r := probe.New(cfg).Probe(context.Background(), accountOf(t, s, "bcx", 88888888), probe.BearerAuth{Source: ts})
	if r.Status != probe.Reachable || r.Attempts != 4 {
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
	clock := newTestClock()
	r := probe.New(testConfig(clock)).Probe(context.Background(),
		auth.Account{Product: "campfire", ID: 1, Href: "http://" + addr}, probe.APITokenAuth{Token: "t"})
	if r.Status != probe.Failed || r.Attempts != 4 || len(clock.Waits()) != 3 || !strings.Contains(r.Reason, "could not reach "+addr) {
		t.Fatalf("%v after %d attempts, waits %v: %s", r.Status, r.Attempts, clock.Waits(), r.Reason)
	}
}

func TestProbeCancelDuringRetryAfter(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	s.ScriptProduct(99999999, "bc3", launchpadtest.AnswerRateLimited(5), launchpadtest.AnswerReachable())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig(newTestClock())
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // the person gives up while bcauth waits out Retry-After
		<-ctx.Done()
		return ctx.Err()
	}
	r := probe.New(cfg).Probe(ctx, accountOf(t, s, "bc3", 99999999), probe.BearerAuth{Source: ts})
	if r.Status != probe.Canceled || r.Attempts != 1 || r.HTTPStatus != 429 || !strings.HasSuffix(r.Reason, "; the last answer: rate limited (Retry-After 5s)") {
		t.Fatalf("%v after %d attempts (HTTP %d): %s", r.Status, r.Attempts, r.HTTPStatus, r.Reason)
	}
	if n := len(s.ProductRequests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
