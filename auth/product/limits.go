package product

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Politeness defaults, kept under Basecamp's documented limit of about 50
// requests per 10 s per IP.
const (
	DefaultPerHostRate = rate.Limit(4)
	DefaultBurst       = 2
	DefaultBackoff     = 500 * time.Millisecond
	// MaxBackoff caps the exponential backoff between 5xx retries.
	MaxBackoff = 8 * time.Second
)

// Hosts spaces the requests to each host (host:port): a rate limit, and a
// pause every request waits out after a 429. It is safe for concurrent
// use; share one per run so every request to a host counts.
type Hosts struct {
	rate  rate.Limit
	burst int
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	gates map[string]*gate
}

type gate struct {
	lim   *rate.Limiter
	until time.Time // no request before this: the host's Retry-After
}

// NewHosts limits every host to r requests a second with bursts of burst
// (DefaultPerHostRate and DefaultBurst when zero or less; rate.Inf turns
// the limit off). now and sleep are the clock (time.Now and Sleep when
// nil); sleep must return ctx's error as soon as ctx ends.
func NewHosts(r rate.Limit, burst int, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) *Hosts {
	if r <= 0 {
		r = DefaultPerHostRate
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = Sleep
	}
	return &Hosts{rate: r, burst: burst, now: now, sleep: sleep, gates: map[string]*gate{}}
}

func (h *Hosts) gate(host string) *gate {
	g := h.gates[host]
	if g == nil {
		g = &gate{lim: rate.NewLimiter(h.rate, h.burst)}
		h.gates[host] = g
	}
	return g
}

// Pause holds every request to host until t.
func (h *Hosts) Pause(host string, t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if g := h.gate(host); t.After(g.until) {
		g.until = t
	}
}

// Wait blocks until host may get another request: after its pause, then
// within its rate. The limiter is read on the Hosts' clock so tests can
// drive it.
func (h *Hosts) Wait(ctx context.Context, host string) error {
	h.mu.Lock()
	g := h.gate(host)
	until := g.until
	h.mu.Unlock()
	if d := until.Sub(h.now()); d > 0 {
		if err := h.sleep(ctx, d); err != nil {
			return err
		}
	}
	now := h.now()
	r := g.lim.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("the per-host rate limit allows no request at all")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := h.sleep(ctx, d); err != nil {
			r.CancelAt(h.now())
			return err
		}
	}
	return nil
}

// Sleep waits d on the real clock, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Backoff is the wait before retry n (1-based): base doubled each time,
// capped at MaxBackoff, with "equal jitter" so requests that failed
// together spread out.
func Backoff(base time.Duration, n int) time.Duration {
	d := base << (n - 1)
	if d > MaxBackoff || d <= 0 {
		d = MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date; at most
// a day.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
