package auth_test

import (
	"context"
	"testing"
	"time"

	"bcauth/auth"

	"golang.org/x/oauth2"
)

// What a TokenSource spends when the store holds something newer than it
// does: each test here stands against a wrong program mutation testing
// found the other tests let through.

// TestRotationTakesTheStoredResourceWithTheRefreshToken: another process
// rotated the pair, kept the access token, and stored a resource of its
// own: the refresh presents the stored refresh token with the stored
// resource, the two that belong together.
func TestRotationTakesTheStoredResourceWithTheRefreshToken(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	d.set(auth.WithResource(expiredBC5(clock, "bc_at_1", "bc_rt_2"), "urn:bc:account:2"), nil)
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := is.sent(tokenPath)
	if len(sent) != 1 || sent[0].Get("refresh_token") != "bc_rt_2" || sent[0].Get("resource") != "urn:bc:account:2" {
		t.Fatalf("refreshes %v, want one with bc_rt_2 and urn:bc:account:2", sent)
	}
}

// TestRotationSpendsTheStoredPairsRefreshToken: the store holds another
// pair, due too: its refresh token, the newer, is the one spent; a stored
// pair without one spends the source's.
func TestRotationSpendsTheStoredPairsRefreshToken(t *testing.T) {
	for stored, want := range map[string]string{"bc_rt_2": "bc_rt_2", "": "bc_rt_1"} {
		is := newIssuer(t)
		rotating(is)
		clock := newClock()
		c := is.client(t, auth.WithClock(clock.Now))
		d := &disk{}
		d.set(&oauth2.Token{AccessToken: "bc_at_2", RefreshToken: stored, Expiry: clock.Now().Add(-time.Second)}, nil)
		ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))
		if _, err := ts.Token(context.Background()); err != nil {
			t.Fatalf("stored refresh token %q: %v", stored, err)
		}
		sent := is.sent(tokenPath)
		if len(sent) != 1 || sent[0].Get("refresh_token") != want || sent[0].Get("resource") != "urn:bc:account:1" {
			t.Errorf("stored refresh token %q: refreshes %v, want one with %s and the login's resource", stored, sent, want)
		}
	}
}
