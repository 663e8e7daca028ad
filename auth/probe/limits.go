package probe

import (
	"context"
	"time"

	"bcauth/auth/product"
)

// The per-host limits, Retry-After and backoff are auth/product's, shared
// with `bcauth api`; these are the Prober's views of them.

// wait blocks until host may get another request.
func (p *Prober) wait(ctx context.Context, host string) error { return p.hosts.Wait(ctx, host) }

// backoff is the wait before retry n (1-based).
func (p *Prober) backoff(n int) time.Duration { return product.Backoff(p.cfg.Backoff, n) }

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) { return product.RetryAfter(v, now) }
