package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// RefreshWindow is how close to its expiry an access token is refreshed.
const RefreshWindow = 5 * time.Minute

// SaveFunc stores a new token. It runs before the token is used, so a token
// Launchpad issued is never lost to a crash.
type SaveFunc func(ctx context.Context, tok *oauth2.Token) error

// TokenSource hands out a valid access token, refreshing it near its expiry
// or when an API says it has expired. It is safe for concurrent use.
type TokenSource struct {
	c    *Client
	save SaveFunc

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshed time.Time
}

// TokenSource returns a source that starts from tok and hands every new
// token to save (which may be nil).
func (c *Client) TokenSource(tok *oauth2.Token, save SaveFunc) *TokenSource {
	t := *tok
	return &TokenSource{c: c, tok: &t, save: save}
}

// Token returns the current token, refreshed first when it is within
// RefreshWindow of its expiry. A failed refresh leaves the stored token,
// refresh token included, as it was.
func (ts *TokenSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok.AccessToken != "" && (ts.tok.Expiry.IsZero() || ts.c.now().Add(RefreshWindow).Before(ts.tok.Expiry)) {
		t := *ts.tok
		return &t, nil
	}
	return ts.refreshLocked(ctx, ts.tok.AccessToken)
}

// Refresh forces a refresh, unless another caller already replaced the
// access token stale (then that newer token is returned).
func (ts *TokenSource) Refresh(ctx context.Context, stale string) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshLocked(ctx, stale)
}

func (ts *TokenSource) refreshLocked(ctx context.Context, stale string) (*oauth2.Token, error) {
	if ts.tok.AccessToken != stale {
		t := *ts.tok
		return &t, nil
	}
	tok, err := ts.c.Refresh(ctx, ts.tok.RefreshToken)
	if err != nil {
		return nil, err
	}
	if ts.save != nil {
		if err := ts.save(ctx, tok); err != nil {
			return nil, fmt.Errorf("Launchpad issued a new token but bcauth could not save it: %w", err)
		}
	}
	ts.tok = tok
	ts.refreshed = ts.c.now()
	t := *tok
	return &t, nil
}

// Refreshed is when this source last refreshed the token (zero if never).
func (ts *TokenSource) Refreshed() time.Time {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshed
}

// Do calls fn with a valid access token. When fn's error says the token has
// expired (a 401 whose text mentions expiry), the token is refreshed and fn
// is called once more.
func (ts *TokenSource) Do(ctx context.Context, fn func(accessToken string) error) error {
	tok, err := ts.Token(ctx)
	if err != nil {
		return err
	}
	err = fn(tok.AccessToken)
	if !IsExpiredToken(err) {
		return err
	}
	tok, rerr := ts.Refresh(ctx, tok.AccessToken)
	if rerr != nil {
		return rerr
	}
	return fn(tok.AccessToken)
}

// IsExpiredToken reports whether err is an API's 401 for an expired access
// token, such as {"error":"OAuth token expired (old age)…"}.
func IsExpiredToken(err error) bool {
	var le *LaunchpadError
	if !errors.As(err, &le) || le.Status != http.StatusUnauthorized {
		return false
	}
	return strings.Contains(strings.ToLower(le.Text), "expired")
}
