package probe

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

// maxBackoff caps the exponential backoff between 5xx retries.
const maxBackoff = 8 * time.Second

// hostGate spaces the requests to one host.
type hostGate struct {
	lim *rate.Limiter

	mu    sync.Mutex
	until time.Time // no request before this: the host's Retry-After
}

// sleep is Config.Sleep on the real clock.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Prober) gate(host string) *hostGate {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.hosts[host]
	if g == nil {
		g = &hostGate{lim: rate.NewLimiter(p.cfg.PerHostRate, p.cfg.Burst)}
		p.hosts[host] = g
	}
	return g
}

// pause holds every request to the host until t.
func (g *hostGate) pause(t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until = t
	}
}

// wait blocks until the host may get another request: after its
// Retry-After, then within its rate. The limiter is read on the Prober's
// clock so tests can drive it.
func (p *Prober) wait(ctx context.Context, g *hostGate) error {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	if d := until.Sub(p.cfg.Now()); d > 0 {
		if err := p.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	now := p.cfg.Now()
	r := g.lim.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("the per-host rate limit allows no request at all")
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := p.cfg.Sleep(ctx, d); err != nil {
			r.CancelAt(p.cfg.Now())
			return err
		}
	}
	return nil
}

// backoff is the wait before retry n (1-based): Backoff doubled each time,
// capped, with "equal jitter" so probes that failed together spread out.
func (p *Prober) backoff(n int) time.Duration {
	d := p.cfg.Backoff << (n - 1)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
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
