package core_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

// Discovery's and a BC5 login's edges in the core: each test here stands
// against a wrong program mutation testing found the other tests let
// through.

// breakConfig leaves an unreadable config.json in the store.
func breakConfig(t *testing.T, s *store.Store) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.Dir(), "config.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadClient(); err == nil {
		t.Fatal("the broken config.json still reads")
	}
}

// TestDiscoverWithAnUnreadableConfig: config.json that cannot be read is
// the answer only when the environment names no client either, and then
// nothing is asked; a client in the environment, BC5's or Launchpad's,
// still logs in.
func TestDiscoverWithAnUnreadableConfig(t *testing.T) {
	t.Run("no client anywhere", func(t *testing.T) {
		e, b := bc5Env(t, false)
		e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL}
		breakConfig(t, e.Svc.Store)
		p, err := e.Svc.Discover(t.Context())
		if err == nil || p != nil || errors.Is(err, auth.ErrNotConfigured) {
			t.Fatalf("Discover = %+v, %v; want config.json's error", p, err)
		}
		if n := b.Requests(launchpadtest.BC5ResourceMetadata); n != 0 {
			t.Errorf("the API host was asked %d times", n)
		}
	})
	t.Run("a BC5 client in the environment", func(t *testing.T) {
		e, b := bc5Env(t, true)
		e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL, BC5ClientID: launchpadtest.BC5ClientID}
		breakConfig(t, e.Svc.Store)
		p, err := e.Svc.Discover(t.Context())
		if err != nil || !p.Device() || p.Client.Server().Issuer != b.Issuer {
			t.Fatalf("Discover = %+v, %v; want the BC5 login", p, err)
		}
	})
	t.Run("a Launchpad client in the environment", func(t *testing.T) {
		e, _ := bc5Env(t, false)
		breakConfig(t, e.Svc.Store)
		p, err := e.Svc.Discover(t.Context())
		if err != nil || p.Device() || p.Client.Config().ClientID != e.Fake.Options().ClientID {
			t.Fatalf("Discover = %+v, %v; want the Launchpad login", p, err)
		}
	})
}

// TestDiscoverWithNoClientAtAll: a readable config.json and no client
// anywhere is "not configured", never a plan without a client.
func TestDiscoverWithNoClientAtAll(t *testing.T) {
	e, _ := bc5Env(t, false)
	e.Svc.Env = store.ClientConfig{BaseURL: e.Fake.URL}
	p, err := e.Svc.Discover(t.Context())
	if !errors.Is(err, auth.ErrNotConfigured) || p != nil {
		t.Fatalf("Discover = %+v, %v; want auth.ErrNotConfigured", p, err)
	}
}

// TestABC5LoginHeedsAHold: a 429 from the issuer's token endpoint is
// remembered for that issuer and client, so the next run's refresh waits
// instead of knocking again, as on Launchpad.
func TestABC5LoginHeedsAHold(t *testing.T) {
	e, b := bc5Env(t, true)
	clock := time.Now()
	e.Svc.Clock = func() time.Time { return clock }
	sess := bc5Login(t, e, b, auth.ScopeFull)
	e.ExpireStored(t, sess, time.Minute)
	b.InjectFault(launchpadtest.BC5Token, launchpadtest.Fault{Status: http.StatusTooManyRequests,
		Body: `{"error":"too_many_requests"}`, ContentType: "application/json", Header: http.Header{"Retry-After": {"600"}}})
	if _, err := e.Svc.Refresh(t.Context()); err == nil {
		t.Fatal("a refresh answered 429 succeeded")
	}
	sent := b.Requests(launchpadtest.BC5Token)
	_, err := e.Svc.Refresh(t.Context())
	var held *core.HoldError
	if !errors.As(err, &held) {
		t.Fatalf("the next refresh: %v (%T), want a *core.HoldError", err, err)
	}
	if n := b.Requests(launchpadtest.BC5Token); n != sent {
		t.Errorf("the next refresh knocked again: %d more requests", n-sent)
	}
}

// TestSettingsBaseURL: the API origin discovery starts from is the
// configured one, else Basecamp's.
func TestSettingsBaseURL(t *testing.T) {
	if got := (core.Settings{}).BaseURL(); got != auth.DefaultResource {
		t.Errorf("no setting: %q, want %q", got, auth.DefaultResource)
	}
	s := core.Settings{Client: store.ClientConfig{BaseURL: "http://127.0.0.1:3000"}}
	if got := s.BaseURL(); got != "http://127.0.0.1:3000" {
		t.Errorf("set: %q", got)
	}
}

// TestLogoutRevokesABC5LoginKeptInTheKeyring: logout reads the refresh
// token out of the keyring before it forgets the login, so the issuer is
// asked to revoke the real one, not the file's reference to it.
func TestLogoutRevokesABC5LoginKeptInTheKeyring(t *testing.T) {
	e, b := bc5Env(t, true)
	useKeyring(t, e, &memKeyring{}, store.KeyringOn)
	bc5Login(t, e, b, auth.ScopeFull)
	if stored := e.Current(t).Token; stored.Keyring == "" || stored.RefreshToken != "" {
		t.Fatalf("state.json holds %+v, want only a reference to the keyring", stored)
	}
	gone, _, err := e.Svc.Logout(false)
	if err != nil || len(gone) != 1 {
		t.Fatalf("logout: %v, %d gone", err, len(gone))
	}
	rs := e.Svc.Revoke(t.Context(), gone)
	if len(rs) != 1 || !rs[0].Asked || !rs[0].Confirmed || b.Revocations() != 1 || !b.Revoked() {
		t.Fatalf("revocation %+v, %d at the issuer (revoked %v)", rs, b.Revocations(), b.Revoked())
	}
}
