package core_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// TestUnreadableStateIsReportedByEveryCommand: a state.json that cannot
// be read is the error of every command that needs the logins, never
// "not logged in" nor an empty list, and nothing rewrites it; no token
// is sent meanwhile.
func TestUnreadableStateIsReportedByEveryCommand(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.Dir, "state.json")
	const corrupt = `{"version":1,"sessions":[`
	if err := os.WriteFile(path, []byte(corrupt), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	tokens, reads := e.Fake.Requests(launchpadtest.EndpointToken), e.Fake.Requests(launchpadtest.EndpointAuthorization)
	for _, tc := range []struct {
		name string
		id   string // --id
		do   func() error
	}{
		{name: "login", do: func() error { _, err := e.Svc.Login(c); return err }},
		{name: "current", do: func() error { _, err := e.Svc.Current(c); return err }},
		{name: "sessions", do: func() error { _, _, err := e.Svc.Sessions(c); return err }},
		{name: "ids", do: func() error { _, err := e.Svc.IDs(); return err }},
		{name: "switch to", do: func() error { _, err := e.Svc.SwitchTo("annie"); return err }},
		{name: "find", do: func() error { _, err := e.Svc.Find(c, "annie"); return err }},
		{name: "accounts", do: func() error { _, err := e.Svc.LoadAccounts(ctx, ""); return err }},
		{name: "accounts with --id", id: "annie", do: func() error { _, err := e.Svc.LoadAccounts(ctx, ""); return err }},
		{name: "token", do: func() error { _, err := e.Svc.TokenInfo(ctx); return err }},
		{name: "refresh", do: func() error { _, err := e.Svc.Refresh(ctx); return err }},
		{name: "api", do: func() error { _, err := e.Svc.APITarget(ctx, core.APIQuery{Path: "/"}); return err }},
		{name: "logout", do: func() error { _, _, err := e.Svc.Logout(false); return err }},
		{name: "logout all", do: func() error { _, _, err := e.Svc.Logout(true); return err }},
		{name: "remember", do: func() error { return e.Svc.Remember("k", "bc3:1") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Svc.ID = tc.id
			t.Cleanup(func() { e.Svc.ID = "" })
			var ce *store.CorruptError
			if err := tc.do(); !errors.As(err, &ce) {
				t.Errorf("%v, want the CorruptError of state.json", err)
			}
		})
	}
	if got, _ := os.ReadFile(path); string(got) != corrupt {
		t.Errorf("state.json was rewritten: %q", got)
	}
	if n, m := e.Fake.Requests(launchpadtest.EndpointToken)-tokens, e.Fake.Requests(launchpadtest.EndpointAuthorization)-reads; n != 0 || m != 0 {
		t.Errorf("%d token and %d authorization requests with the state unreadable", n, m)
	}
}

// TestHeldTokenSourceRereadsTheStore: the app's token source, made
// earlier, reads the store before it refreshes: a login forgotten since
// (bcauth logout in another terminal) or a state that became unreadable
// stops the refresh before Launchpad is asked.
func TestHeldTokenSourceRereadsTheStore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, e *uitest.Env, sess *store.Session)
		want   func(error) bool
	}{
		{name: "logged out meanwhile", change: func(t *testing.T, e *uitest.Env, sess *store.Session) {
			if _, err := e.Svc.Forget(t.Context(), sess.Key()); err != nil {
				t.Fatal(err)
			}
		}, want: func(err error) bool { return errors.Is(err, store.ErrNoSession) }},
		{name: "state unreadable meanwhile", change: func(t *testing.T, e *uitest.Env, _ *store.Session) {
			if err := os.WriteFile(filepath.Join(e.Dir, "state.json"), []byte("{"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, want: func(err error) bool { var ce *store.CorruptError; return errors.As(err, &ce) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := uitest.New(t, launchpadtest.Options{})
			sess := e.LogIn(t)
			c, err := e.Svc.Client()
			if err != nil {
				t.Fatal(err)
			}
			ts := e.Svc.TokenSource(c, sess)
			tc.change(t, e, sess)
			tokens := e.Fake.Requests(launchpadtest.EndpointToken)
			if _, err := ts.Refresh(testContext(t), sess.Token.AccessToken); !tc.want(err) {
				t.Errorf("Refresh: %v", err)
			}
			if n := e.Fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
				t.Errorf("%d token requests", n)
			}
		})
	}
}

// TestReloadAndTheAccountCache: a cache file that cannot be replaced
// costs only the cache, and a link in its place is replaced, never written
// through; a cache directory another user owns is an error, and nothing
// is written into it.
func TestReloadAndTheAccountCache(t *testing.T) {
	target := filepath.Join(t.TempDir(), "elsewhere")
	for _, tc := range []struct {
		name    string
		spoil   func(t *testing.T, cacheFile string)
		wantErr bool
	}{
		{name: "a directory in the cache file's place", spoil: func(t *testing.T, f string) {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(f, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a link in the cache file's place", spoil: func(t *testing.T, f string) {
			if err := os.WriteFile(target, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, f); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a cache directory another user owns", spoil: func(t *testing.T, f string) {
			if os.Geteuid() != 0 {
				t.Skip("giving a directory to another user needs root")
			}
			if err := os.Chown(filepath.Dir(f), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := uitest.New(t, launchpadtest.Options{})
			sess := e.LogIn(t)
			c, err := e.Svc.Client()
			if err != nil {
				t.Fatal(err)
			}
			files, err := filepath.Glob(filepath.Join(e.Svc.Store.CacheDir(), "*"))
			if err != nil || len(files) != 1 {
				t.Fatalf("cache files %q, %v; want one", files, err)
			}
			tc.spoil(t, files[0])
			// A different answer, so the cache must be written.
			accs := e.Fake.Accounts()
			e.Fake.SetAccounts(accs[:len(accs)-1])
			r, err := e.Svc.Reload(testContext(t), c, sess)
			var ue *store.UnsafeError
			if tc.wantErr != errors.As(err, &ue) || (!tc.wantErr && err != nil) {
				t.Fatalf("Reload = %+v, %v; want an UnsafeError: %v", r, err, tc.wantErr)
			}
			if err == nil && len(r.Session.Authorization.Accounts) != len(accs)-1 {
				t.Errorf("Reload listed %d accounts, want Launchpad's %d", len(r.Session.Authorization.Accounts), len(accs)-1)
			}
			if got, _ := os.ReadFile(target); len(got) != 0 {
				t.Errorf("the cache was written through a link: %q", got)
			}
			if tc.wantErr {
				if after, _ := filepath.Glob(filepath.Join(e.Svc.Store.CacheDir(), "*")); len(after) != 1 {
					t.Errorf("files written into a directory another user owns: %q", after)
				}
			}
		})
	}
}

// TestReloadWhenTheCacheCannotBeWritten: a cache directory that cannot be
// made costs the cache only: the answer is Launchpad's.
func TestReloadWhenTheCacheCannotBeWritten(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(e.Dir, store.WithCacheDir(filepath.Join(blocker, "cache")))
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: st, Env: e.Svc.Env, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	r, err := svc.Reload(testContext(t), c, sess)
	if err != nil || r.Session.Authorization == nil || len(r.Session.Authorization.Accounts) == 0 {
		t.Fatalf("Reload = %+v, %v; want Launchpad's answer", r, err)
	}
	// A login, too, is saved without its cache.
	if got := uitest.LogIn(t, svc, e.Fake); got.Authorization == nil {
		t.Error("the login's answer was lost with its cache")
	}
	if _, err := svc.LoadAccounts(context.Background(), ""); err != nil {
		t.Errorf("LoadAccounts without a cache: %v", err)
	}
}
