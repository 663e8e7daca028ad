package auth_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// A token from the environment: read authorization.json with it, with no
// client registration at all, and never refresh it.

func TestNewForTokenNeedsNoClientButAValidLaunchpad(t *testing.T) {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	t.Cleanup(fake.Close)
	access, _, expiry := fake.IssueToken()
	c, err := auth.NewForToken(auth.Config{LaunchpadURL: fake.URL, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatalf("NewForToken without client id or secret: %v", err)
	}
	ts := c.TokenSource(&oauth2.Token{AccessToken: access}, nil, auth.WithoutRefresh())
	a, err := c.Authorization(t.Context(), ts)
	if err != nil {
		t.Fatalf("Authorization: %v", err)
	}
	if a.Identity.ID != launchpadtest.DemoIdentity().ID || !a.ExpiresAt.Equal(expiry.Truncate(time.Second)) {
		t.Errorf("identity %d expiring %v, want %d and %v", a.Identity.ID, a.ExpiresAt, launchpadtest.DemoIdentity().ID, expiry)
	}

	// Refused as they are parsed, never dialled: a host off this machine is
	// what makes plain http wrong.
	for _, bad := range []string{"http://launchpad.example.com", "https://launchpad.example.com/?x=1"} {
		if _, err := auth.NewForToken(auth.Config{LaunchpadURL: bad}); err == nil {
			t.Errorf("NewForToken accepted the Launchpad URL %q", bad)
		}
	}
}

func TestWithoutRefreshReturnsLaunchpadsRefusalAndNeverRefreshes(t *testing.T) {
	h := newHarness(t, setup{})
	access, refresh, _ := h.fake.IssueToken()
	h.fake.ExpireAccessTokens()
	// Even with a refresh token at hand, a fixed source does not spend it.
	ts := h.client.TokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)}, nil, auth.WithoutRefresh())
	tok, err := ts.Token(t.Context())
	if err != nil || tok.AccessToken != access {
		t.Fatalf("Token of an expired fixed token: %v, %v; want it as it is", tok, err)
	}
	_, err = h.client.Authorization(t.Context(), ts)
	le := asLaunchpad(t, err)
	if le.Status != http.StatusUnauthorized || !auth.IsExpiredToken(err) {
		t.Errorf("Authorization with an expired fixed token: %v; want Launchpad's 401 for an expired token", err)
	}
	if _, err := ts.Refresh(t.Context(), access); !errors.Is(err, auth.ErrFixedToken) {
		t.Errorf("Refresh of a fixed source: %v, want ErrFixedToken", err)
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("the fake saw %d token requests, want none", n)
	}
}
