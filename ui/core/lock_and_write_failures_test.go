package core_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/uitest"
)

// TestNoRefreshWithoutTheLock: a refresh waits for the store's lock (held
// by another bcauth refreshing the same login, whose rotated refresh token
// this one must read first); when the run ends before it is free, nothing
// is sent.
func TestNoRefreshWithoutTheLock(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Minute)
	other, err := store.Open(e.Dir)
	if err != nil {
		t.Fatal(err)
	}
	held, err := other.Hold(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	tokens := e.Fake.Requests(launchpadtest.EndpointToken)
	for _, tc := range []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{name: "refresh", do: func(ctx context.Context) error { _, err := e.Svc.Refresh(ctx); return err }},
		{name: "token", do: func(ctx context.Context) error { _, err := e.Svc.TokenInfo(ctx); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the run has ended: Ctrl-C
			if err := tc.do(ctx); err == nil {
				t.Error("refreshed without the lock")
			}
		})
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
		t.Errorf("%d token requests without the lock", n)
	}
}

// TestTokenInfoWhenTheRefreshFails: an expired token that cannot be
// renewed now is an error, never the expired token handed out as good.
func TestTokenInfoWhenTheRefreshFails(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Minute)
	e.Fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusBadGateway})
	info, err := e.Svc.TokenInfo(testContext(t))
	if !auth.Temporary(err) || info != nil {
		t.Errorf("TokenInfo = %+v, %v; want Launchpad's temporary error", info, err)
	}
}

// TestLoginWhenTheKeyringCannotBeWritten: with the keyring on and locked,
// a login fails and says so; its tokens are not written to a file
// instead, and no login is stored.
func TestLoginWhenTheKeyringCannotBeWritten(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	kr := &brokenKeyring{}
	kr.broken.Store(true)
	useKeyring(t, e, kr, store.KeyringOn)
	access, refresh, _ := e.Fake.IssueToken()
	sess, _, err := e.Svc.AddToken(testContext(t), access, refresh)
	var ke *store.KeyringError
	if !errors.As(err, &ke) || sess != nil {
		t.Fatalf("AddToken = %+v, %v; want the KeyringError", sess, err)
	}
	uitest.NoFileHolds(t, e.Dir, access, refresh)
	if s, err := e.Svc.Store.Load(); err != nil || len(s.Sessions) != 0 {
		t.Errorf("state after: %+v, %v; want no login", s, err)
	}
}
