package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestClientSecretFunc: a secret kept in the keyring is read the first
// time Launchpad needs it, once; when it cannot be read, nothing goes to
// Launchpad and the error says why, and the next need tries again.
func TestClientSecretFunc(t *testing.T) {
	errLocked := errors.New("the keyring is locked")
	tests := []struct {
		name string
		// secret is the configured secret; reads are what the keyring
		// answers, in turn.
		secret string
		reads  []error
		// want is each paste's error (nil: a token), in turn.
		want      []error
		wantReads int
		wantSent  int // token requests
	}{
		{name: "read once for two logins", reads: []error{nil}, want: []error{nil, nil}, wantReads: 1, wantSent: 2},
		{name: "never read when configured", secret: launchpadtest.DefaultClientSecret, want: []error{nil}, wantReads: 0, wantSent: 1},
		{name: "locked, then open", reads: []error{errLocked, nil}, want: []error{errLocked, nil}, wantReads: 2, wantSent: 1},
		{name: "locked for good", reads: []error{errLocked}, want: []error{errLocked, errLocked}, wantReads: 2, wantSent: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			reads := 0
			h := newHarness(t, setup{config: func(c *auth.Config) {
				c.ClientSecret = tt.secret
				c.ClientSecretFunc = func(context.Context) (string, error) {
					mu.Lock()
					defer mu.Unlock()
					err := tt.reads[min(reads, len(tt.reads)-1)]
					reads++
					if err != nil {
						return "", err
					}
					return launchpadtest.DefaultClientSecret, nil
				}
			}})
			for i, want := range tt.want {
				l, err := h.client.NewLogin()
				if err != nil {
					t.Fatal(err)
				}
				tok, err := l.Paste(t.Context(), h.approve(t, l))
				if want == nil && (err != nil || tok == nil || tok.AccessToken == "") || want != nil && (!errors.Is(err, want) || tok != nil) {
					t.Errorf("paste %d: %v, %v; want %v", i, tok, err, want)
				}
			}
			if reads != tt.wantReads {
				t.Errorf("the keyring was read %d times, want %d", reads, tt.wantReads)
			}
			if n := h.fake.Requests(launchpadtest.EndpointToken); n != tt.wantSent {
				t.Errorf("%d token requests, want %d", n, tt.wantSent)
			}
		})
	}
}

// TestRefreshNeedsTheSecret: a refresh whose secret cannot be read sends
// nothing, and leaves the login as it was.
func TestRefreshNeedsTheSecret(t *testing.T) {
	errLocked := errors.New("the keyring is locked")
	h := newHarness(t, setup{config: func(c *auth.Config) {
		c.ClientSecret = ""
		c.ClientSecretFunc = func(context.Context) (string, error) { return "", errLocked }
	}})
	tok, err := h.client.Refresh(t.Context(), "a-refresh-token")
	if !errors.Is(err, errLocked) || tok != nil {
		t.Fatalf("Refresh = %v, %v; want the keyring's error", tok, err)
	}
	if auth.NeedsLogin(err) {
		t.Error("a locked keyring was taken for a dead login")
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests without the secret", n)
	}
}
