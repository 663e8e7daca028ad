package probe_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

// BenchmarkProbe300 probes a person with 300 Basecamp accounts against the
// fake, each answer 20 ms late. Every bc3 href shares one host, as the real
// ones share 3.basecampapi.com, so the per-host limit (4/s, burst 2) paces
// the whole run: about (300-2)/4 ≈ 75 s. The "unlimited" case lifts the
// limit to show what the code alone would take (concurrency 4 × 20 ms).
// Run it by hand: go test -run '^$' -bench Probe300 ./auth/probe/
func BenchmarkProbe300(b *testing.B) {
	const n = 300
	accounts := make([]launchpadtest.Account, n)
	for i := range accounts {
		accounts[i] = launchpadtest.Account{Product: "bc3", ID: int64(10_000_000 + i), Name: "Account " + strconv.Itoa(i)}
	}
	s, ts := newFake(b, launchpadtest.Options{Accounts: accounts, ProductLatency: 20 * time.Millisecond})
	for i := range accounts {
		accounts[i].Href = s.URL + "/bc3/" + strconv.FormatInt(accounts[i].ID, 10)
	}
	s.SetAccounts(accounts)
	accs := accountsOf(s)

	for _, bc := range []struct {
		name string
		rate rate.Limit
	}{
		{"rate=4/s", probe.DefaultPerHostRate},
		{"unlimited", rate.Inf},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var wall time.Duration
			requests, first := 0, len(s.ProductRequests())
			for b.Loop() {
				// A fresh Prober per run: its limiter starts with a full burst.
				p := probe.New(probe.Config{UserAgent: "bcauth-bench (test@example.com)", PerHostRate: bc.rate})
				before := len(s.ProductRequests())
				start := time.Now()
				results := p.ProbeAll(context.Background(), accs, probe.BearerAuth{Source: ts}, nil)
				wall += time.Since(start)
				requests += len(s.ProductRequests()) - before
				for _, r := range results {
					if r.Status != probe.Reachable {
						b.Fatalf("%s: %v: %s", r.Account.Key(), r.Status, r.Reason)
					}
				}
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
			b.ReportMetric(float64(requests)/wall.Seconds(), "req/s")
			b.ReportMetric(float64(busiest10s(s.ProductRequests()[first:])), "max-req/10s")
			if m := s.MaxInFlight(); m > probe.DefaultConcurrency {
				b.Errorf("%d requests in flight at once, bound is %d", m, probe.DefaultConcurrency)
			}
		})
	}
}

// busiest10s is the most requests in any 10 s window: Basecamp allows about
// 50 per 10 s per IP.
func busiest10s(reqs []launchpadtest.ProductRequest) int {
	most, j := 0, 0
	for i := range reqs {
		for reqs[i].Time.Sub(reqs[j].Time) >= 10*time.Second {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}
