package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestWithRefusedHearsOfADeadLogin: a definitive refusal is told, once,
// with the refresh token refused, so it outlives the process; what the
// callback returns is the error; a passing failure is not a refusal.
func TestWithRefusedHearsOfADeadLogin(t *testing.T) {
	errMarked := errors.New("marked dead in the store")
	tests := []struct {
		name      string
		spoil     func(h *harness)
		wantTold  int
		wantErr   error // the error Token returns, by errors.Is
		wantSends int   // refresh requests over two calls to Token
	}{
		{name: "refused for good", spoil: func(h *harness) { h.fake.RevokeAll() },
			wantTold: 1, wantErr: errMarked, wantSends: 1},
		{name: "a passing failure", spoil: func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 503, Body: "Service Unavailable"})
		}, wantTold: 0, wantSends: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
			orig := pasteLogin(t, h)
			stale := *orig
			stale.Expiry = clk.Now().Add(time.Minute)
			var told []string
			ts := h.client.TokenSource(&stale, nil, auth.WithRefused(func(_ context.Context, refresh string, err error) error {
				if !auth.NeedsLogin(err) {
					t.Errorf("told of %v, which is no dead login", err)
				}
				told = append(told, refresh)
				return fmt.Errorf("%w: %w", errMarked, err)
			}))
			tt.spoil(h)
			before := h.fake.RefreshRequests()
			for i := range 2 {
				tok, err := ts.Token(t.Context())
				if tok != nil || err == nil {
					t.Fatalf("Token %d = %v, %v; want an error", i, tok, err)
				}
				if tt.wantErr != nil && (!errors.Is(err, tt.wantErr) || !auth.NeedsLogin(err)) {
					t.Errorf("Token %d: %v, want the callback's error, still a dead login", i, err)
				}
			}
			if len(told) != tt.wantTold || tt.wantTold > 0 && told[0] != orig.RefreshToken {
				t.Errorf("told %q, want the refresh token %d times", told, tt.wantTold)
			}
			if n := h.fake.RefreshRequests() - before; n != tt.wantSends {
				t.Errorf("%d refresh requests, want %d", n, tt.wantSends)
			}
		})
	}
}
