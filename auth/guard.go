package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// TokenGuard stands before Launchpad's token endpoint (code exchange and
// refresh), so that a "stop" Launchpad gave (a 429, invalid_client)
// outlives the process that heard it: Basecamp blocks a client and its
// address that keep knocking. auth keeps no state of its own; a guard
// (ui/core's, over the store) remembers.
type TokenGuard interface {
	// Before is asked before a token request: a non-nil error (a hold
	// that stands) is returned as it is, and nothing is sent.
	// fingerprint is the client settings' Fingerprint.
	Before(ctx context.Context, fingerprint string) error
	// After is told how the request went: err is nil on success, else
	// the *LaunchpadError (or network failure) it met.
	After(ctx context.Context, fingerprint string, err error)
}

// WithTokenGuard puts g before every request to the token endpoint.
func WithTokenGuard(g TokenGuard) Option { return func(c *Client) { c.guard = g } }

// guardToken asks the guard, if any, before a token request, and returns
// the function that tells it the outcome.
func (c *Client) guardToken(ctx context.Context, oc *oauth2.Config) (done func(error), err error) {
	if c.guard == nil {
		return func(error) {}, nil
	}
	return c.guardFingerprint(ctx, Fingerprint(oc.ClientID, oc.ClientSecret, c.cfg.RedirectURI, c.cfg.LaunchpadURL))
}

// guardFingerprint is guardToken for settings already fingerprinted.
func (c *Client) guardFingerprint(ctx context.Context, fp string) (done func(error), err error) {
	if c.guard == nil {
		return func(error) {}, nil
	}
	if err := c.guard.Before(ctx, fp); err != nil {
		return nil, err
	}
	return func(err error) { c.guard.After(ctx, fp, err) }, nil
}

// Fingerprint is a hash of the client settings that decide whether
// Launchpad accepts the client: a hold after invalid_client lasts while it
// is the same. It never reveals the secret.
func Fingerprint(clientID, clientSecret, redirectURI, launchpadURL string) string {
	h := sha256.New()
	for _, s := range []string{clientID, clientSecret, redirectURI, strings.TrimRight(launchpadURL, "/")} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date;
// zero when it is absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(365*24*3600))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// RateLimited reports whether err is Launchpad answering 429 Too Many
// Requests, and the Retry-After it gave (zero when none).
func RateLimited(err error) (bool, time.Duration) {
	le, ok := asLaunchpad(err)
	if !ok || le.Status != http.StatusTooManyRequests {
		return false, 0
	}
	return true, le.RetryAfter
}

// ClientRefused reports whether err is Launchpad refusing the client
// itself (invalid_client, unauthorized_client, a missing client_id): no
// request with these settings can succeed.
func ClientRefused(err error) bool {
	le, ok := asLaunchpad(err)
	return ok && le.Kind == KindConfig && containsAny(strings.ToLower(le.Text), clientRefused)
}
