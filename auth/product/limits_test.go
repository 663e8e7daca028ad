package product_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"bcauth/auth/product"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		want   time.Duration
		ok     bool
	}{
		{name: "missing", header: "", ok: false},
		{name: "blank", header: "   ", ok: false},
		{name: "seconds", header: "120", want: 2 * time.Minute, ok: true},
		{name: "seconds with spaces", header: " 5 ", want: 5 * time.Second, ok: true},
		{name: "zero", header: "0", want: 0, ok: true},
		{name: "negative", header: "-1", ok: false},
		{name: "a day", header: "86400", want: 24 * time.Hour, ok: true},
		{name: "beyond a day is a day", header: "86401", want: 24 * time.Hour, ok: true},
		{name: "far beyond a day is a day", header: "999999999999", want: 24 * time.Hour, ok: true},
		{name: "a fraction", header: "1.5", ok: false},
		{name: "a word", header: "soon", ok: false},
		{name: "an HTTP date", header: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, ok: true},
		{name: "an HTTP date gone by", header: now.Add(-time.Hour).Format(http.TimeFormat), want: 0, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := product.RetryAfter(tt.header, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		base     time.Duration
		n        int
		min, max time.Duration
	}{
		{name: "first retry", base: time.Second, n: 1, min: 500 * time.Millisecond, max: time.Second},
		{name: "third retry doubles twice", base: time.Second, n: 3, min: 2 * time.Second, max: 4 * time.Second},
		{name: "the cap", base: time.Second, n: 5, min: product.MaxBackoff / 2, max: product.MaxBackoff},
		{name: "the cap itself", base: product.MaxBackoff, n: 1, min: product.MaxBackoff / 2, max: product.MaxBackoff},
		{name: "doubled past overflow", base: time.Second, n: 64, min: product.MaxBackoff / 2, max: product.MaxBackoff},
		{name: "tiny: both ends reached", base: 4, n: 1, min: 2, max: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
			for range 300 {
				d := product.Backoff(tt.base, tt.n)
				lo, hi = min(lo, d), max(hi, d)
			}
			if lo < tt.min || hi > tt.max {
				t.Errorf("Backoff(%v, %d) ranged over [%v, %v], want within [%v, %v]", tt.base, tt.n, lo, hi, tt.min, tt.max)
			}
			// Jitter spreads the waits: with three values to pick from,
			// 300 draws reach both ends.
			if tt.max-tt.min == 2 && (lo != tt.min || hi != tt.max) {
				t.Errorf("Backoff(%v, %d) ranged over [%v, %v], want all of [%v, %v]", tt.base, tt.n, lo, hi, tt.min, tt.max)
			}
		})
	}
}

func TestHosts(t *testing.T) {
	const a, b = "127.0.0.1:1", "127.0.0.1:2"
	type step struct {
		pause  time.Duration // Pause(host, now+pause) instead of a Wait, when not zero
		host   string
		cancel bool          // the Wait's context has ended
		want   time.Duration // what the Wait slept, all told
		err    bool
	}
	tests := []struct {
		name  string
		rate  rate.Limit
		burst int
		steps []step
	}{
		{name: "defaults: a burst of 2, then 4 a second", steps: []step{
			{host: a}, {host: a}, {host: a, want: 250 * time.Millisecond}, {host: a, want: 250 * time.Millisecond}}},
		{name: "every host has its own budget", rate: 1, burst: 1, steps: []step{
			{host: a}, {host: b}, {host: a, want: time.Second}}},
		{name: "a pause holds its host only", rate: rate.Inf, steps: []step{
			{pause: 30 * time.Second, host: a}, {host: b}, {host: a, want: 30 * time.Second}, {host: a}}},
		{name: "a shorter pause does not shorten a longer one", rate: rate.Inf, steps: []step{
			{pause: 30 * time.Second, host: a}, {pause: 10 * time.Second, host: a}, {host: a, want: 30 * time.Second}}},
		{name: "a longer pause lengthens a shorter one", rate: rate.Inf, steps: []step{
			{pause: 10 * time.Second, host: a}, {pause: 30 * time.Second, host: a}, {host: a, want: 30 * time.Second}}},
		{name: "a pause gone by costs nothing", rate: rate.Inf, steps: []step{
			{pause: -time.Second, host: a}, {host: a}}},
		{name: "Ctrl-C during a pause", rate: rate.Inf, steps: []step{
			{pause: 30 * time.Second, host: a}, {host: a, cancel: true, err: true}, {host: a, want: 30 * time.Second}}},
		{name: "Ctrl-C during the rate's wait gives the turn back", rate: 1, burst: 1, steps: []step{
			{host: a}, {host: a, cancel: true, err: true}, {host: a, want: time.Second}, {host: a, want: time.Second}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := product.NewHosts(tt.rate, tt.burst, clk.Now, clk.Sleep)
			for i, s := range tt.steps {
				if s.pause != 0 {
					h.Pause(s.host, clk.Now().Add(s.pause))
					continue
				}
				ctx, cancel := context.WithCancel(t.Context())
				if s.cancel {
					cancel()
				}
				before := len(clk.Waits())
				err := h.Wait(ctx, s.host)
				cancel()
				if (err != nil) != s.err || s.err && !errors.Is(err, context.Canceled) {
					t.Fatalf("step %d: Wait: %v, want an error: %v", i, err, s.err)
				}
				var slept time.Duration
				waits := clk.Waits()[before:]
				for _, w := range waits {
					slept += w
				}
				if slept != s.want || s.want == 0 && len(waits) != 0 {
					t.Errorf("step %d: slept %v, want %v", i, waits, s.want)
				}
			}
		})
	}
}

// TestRealClock runs the defaults, time.Now and Sleep, in a bubble of
// synthetic time.
func TestRealClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := product.Sleep(t.Context(), 3*time.Second); err != nil {
			t.Fatalf("Sleep: %v", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("Sleep(3s) took %v", d)
		}

		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		start = time.Now()
		if err := product.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep cancelled after 1s: %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("Sleep cancelled after 1s took %v", d)
		}

		h := product.NewHosts(1, 1, nil, nil)
		start = time.Now()
		for range 3 {
			if err := h.Wait(t.Context(), "127.0.0.1:1"); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("three requests at 1 a second took %v", d)
		}
		h.Pause("127.0.0.1:1", time.Now().Add(time.Minute))
		start = time.Now()
		if err := h.Wait(t.Context(), "127.0.0.1:1"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != time.Minute {
			t.Errorf("a minute's pause took %v", d)
		}
	})
}
