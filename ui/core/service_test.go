package core_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestTUIAndScriptShareARotatingLogin is the TUI open while a script runs
// bcauth token: the script refreshes first and, with refresh tokens that
// rotate, the TUI's copy of the refresh token dies. The TUI must pick up
// the script's token from the store instead of refreshing with a dead one
// and telling the person to log in again.
func TestTUIAndScriptShareARotatingLogin(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{RotateRefreshTokens: true})
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	tui := e.Svc.TokenSource(c, sess) // what the TUI holds in memory

	// Launchpad expires the access token; the script sees it expired on
	// disk and refreshes, which rotates the refresh token.
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Minute)
	st2, err := store.Open(e.Dir)
	if err != nil {
		t.Fatal(err)
	}
	script := &core.Service{Store: st2, Env: e.Svc.Env, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := script.TokenInfo(ctx)
	if err != nil {
		t.Fatalf("the script's refresh: %v", err)
	}
	scripted := info.Token
	if scripted.RefreshToken == sess.Token.RefreshToken {
		t.Fatal("the fake did not rotate the refresh token; the test proves nothing")
	}

	// Now the TUI reloads with its stale in-memory token.
	r, err := e.Svc.ReloadWith(ctx, c, sess, tui)
	if err != nil {
		t.Fatalf("the TUI's reload after the script refreshed: %v", err)
	}
	if len(r.Session.Authorization.Accounts) == 0 {
		t.Fatal("no accounts after the reload")
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.CurrentSession()
	if cur.Token.RefreshToken != scripted.RefreshToken {
		t.Errorf("the stored refresh token is not the script's live one")
	}
}
