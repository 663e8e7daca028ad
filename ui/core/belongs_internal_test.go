package core

import (
	"testing"

	"bcauth/auth"
	"bcauth/store"
)

// TestBelongsOnBC5: a BC5 login's tokens go only through a client of the
// same issuer and client id, never a Launchpad client, and a Launchpad
// login's never through a BC5 client. No caller asks this of two BC5
// sides today (a BC5 login is given its own client), so it is asked here,
// where a wrong answer would send a token to another server. (Mutation
// testing found the comparisons untested.)
func TestBelongsOnBC5(t *testing.T) {
	srv := auth.Server{Kind: auth.ServerBC5, Issuer: "https://bc5.example",
		TokenEndpoint: "https://bc5.example/oauth/token", Resource: "https://api.example"}
	client := func(id string, srv auth.Server) *auth.Client {
		t.Helper()
		c, err := auth.New(auth.Config{ClientID: id, ClientSecret: "lp-secret", Server: srv})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	other := srv
	other.Issuer, other.TokenEndpoint = "https://bc5-other.example", "https://bc5-other.example/oauth/token"
	bc5 := &store.Session{Server: srv, ClientID: "bc5-client"}
	launchpad := &store.Session{LaunchpadURL: auth.DefaultLaunchpadURL, ClientID: "lp-client"}
	lc := client("lp-client", auth.Server{})
	for _, tc := range []struct {
		name string
		sess *store.Session
		c    *auth.Client
		want bool
	}{
		{"the same issuer and client", bc5, client("bc5-client", srv), true},
		{"another issuer", bc5, client("bc5-client", other), false},
		{"another client id", bc5, client("bc5-other", srv), false},
		{"a Launchpad client", bc5, lc, false},
		{"a Launchpad login through a BC5 client", launchpad, client("lp-client", srv), false},
		{"a Launchpad login through its own client", launchpad, lc, true},
	} {
		if got := belongs(tc.sess, tc.c); got != tc.want {
			t.Errorf("%s: belongs = %v, want %v", tc.name, got, tc.want)
		}
	}
}
