package ui

import (
	"context"
	"net/http"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
)

// TestTUIAndScriptShareARotatingLogin is the TUI open while a script runs
// bcauth token: the script refreshes first and, with refresh tokens that
// rotate, the TUI's copy of the refresh token dies. The TUI must pick up
// the script's token from the store instead of refreshing with a dead one
// and telling the person to log in again.
func TestTUIAndScriptShareARotatingLogin(t *testing.T) {
	e := newEnv(t, launchpadtest.Options{RotateRefreshTokens: true})
	sess := loggedIn(t, e)
	c, err := e.svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	tui := e.svc.TokenSource(c, sess) // what the TUI holds in memory

	// Launchpad expires the access token; the script sees it expired on
	// disk and refreshes, which rotates the refresh token.
	e.fake.ExpireAccessTokens()
	expireStored(t, e, sess, time.Minute)
	st2, err := store.Open(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	script := &Service{Store: st2, Env: e.svc.Env, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	scripted, err := script.Token(ctx)
	if err != nil {
		t.Fatalf("the script's refresh: %v", err)
	}
	if scripted.RefreshToken == sess.Token.RefreshToken {
		t.Fatal("the fake did not rotate the refresh token; the test proves nothing")
	}

	// Now the TUI reloads with its stale in-memory token.
	r, err := e.svc.ReloadWith(ctx, c, sess, tui)
	if err != nil {
		t.Fatalf("the TUI's reload after the script refreshed: %v", err)
	}
	if len(r.Session.Authorization.Accounts) == 0 {
		t.Fatal("no accounts after the reload")
	}
	st, err := e.svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.CurrentSession()
	if cur.Token.RefreshToken != scripted.RefreshToken {
		t.Errorf("the stored refresh token is not the script's live one")
	}
}
