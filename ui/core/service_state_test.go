package core_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

func TestSettingsDefaultsAndFile(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	for _, tc := range []struct {
		name                          string
		client                        store.ClientConfig
		redirect, launchpad, integrat string
	}{
		{name: "defaults", redirect: auth.DefaultRedirectURI, launchpad: auth.DefaultLaunchpadURL, integrat: auth.DefaultLaunchpadURL + "/integrations"},
		{name: "configured", client: store.ClientConfig{RedirectURI: "http://127.0.0.1:1/cb", LaunchpadURL: "http://127.0.0.1:2/"},
			redirect: "http://127.0.0.1:1/cb", launchpad: "http://127.0.0.1:2/", integrat: "http://127.0.0.1:2/integrations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := core.Settings{Client: tc.client, Dir: e.Dir}
			if set.RedirectURI() != tc.redirect || set.LaunchpadURL() != tc.launchpad || set.IntegrationsURL() != tc.integrat {
				t.Errorf("RedirectURI %q, LaunchpadURL %q, IntegrationsURL %q; want %q, %q, %q",
					set.RedirectURI(), set.LaunchpadURL(), set.IntegrationsURL(), tc.redirect, tc.launchpad, tc.integrat)
			}
		})
	}
	set := e.Svc.Settings()
	if set.Dir != e.Dir || set.ConfigFile() != filepath.Join(e.Dir, "config.json") || set.FileErr != nil || set.Keyring || set.KeyringName != e.Svc.Store.KeyringName() {
		t.Errorf("Settings = %+v", set)
	}
	if set.Client.ClientID != e.Svc.Env.ClientID || set.Sources.ClientID != store.SourceEnv || set.Sources.RedirectURI != store.SourceEnv {
		t.Errorf("Settings.Client %+v from %+v, want the environment's", set.Client, set.Sources)
	}
	if e.Svc.Dir() != e.Dir {
		t.Errorf("Dir() = %q, want %q", e.Svc.Dir(), e.Dir)
	}
}

// TestCorruptConfigIsReportedNotReplaced: an unreadable config.json is
// reported by Settings and ClientConfig; a complete configuration from
// the environment still logs in, an incomplete one is the file's error.
func TestCorruptConfigIsReportedNotReplaced(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	path := filepath.Join(e.Dir, "config.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var ce *store.CorruptError
	if set := e.Svc.Settings(); !errors.As(set.FileErr, &ce) || set.Client.ClientID != e.Svc.Env.ClientID {
		t.Errorf("Settings: FileErr %v, client %+v; want the corrupt file reported and the environment's client", set.FileErr, set.Client)
	}
	if _, _, err := e.Svc.ClientConfig(); !errors.As(err, &ce) {
		t.Errorf("ClientConfig: %v, want a CorruptError", err)
	}
	if c, err := e.Svc.Client(); err != nil || c.Config().ClientID != e.Svc.Env.ClientID {
		t.Errorf("Client with a complete environment: %v", err)
	}
	for _, tc := range []struct {
		name string
		env  store.ClientConfig
	}{
		{name: "no id", env: store.ClientConfig{ClientSecret: "s"}},
		{name: "no secret", env: store.ClientConfig{ClientID: "id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &core.Service{Store: e.Svc.Store, Env: tc.env}
			if _, err := svc.Client(); !errors.As(err, &ce) {
				t.Errorf("Client: %v, want the file's CorruptError", err)
			}
		})
	}
	if got, _ := os.ReadFile(path); string(got) != "{not json" {
		t.Errorf("config.json was rewritten: %q", got)
	}
}

// TestSaveClient: what setup saves, what it refuses, and a corrupt
// config.json moved aside, not lost.
func TestSaveClient(t *testing.T) {
	for _, tc := range []struct {
		name       string
		id, secret string
		corrupt    bool
		env        store.ClientConfig
		wantErr    bool
		wantAside  bool
		wantSaved  bool
	}{
		{name: "saved, trimmed", id: "  my-id ", secret: " my-secret\n", wantSaved: true},
		{name: "no id", id: " ", secret: "s", wantErr: true},
		{name: "no secret", id: "id", secret: "", wantErr: true},
		{name: "corrupt file moved aside", id: "my-id", secret: "my-secret", corrupt: true, wantAside: true, wantSaved: true},
		{name: "invalid with the environment", id: "my-id", secret: "my-secret", env: store.ClientConfig{LaunchpadURL: "ftp://launchpad.example"}, wantErr: true},
		{name: "invalid, corrupt file still moved aside", id: "my-id", secret: "my-secret", corrupt: true, env: store.ClientConfig{RedirectURI: "not a uri"}, wantErr: true, wantAside: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := uitest.New(t, launchpadtest.Options{})
			path := filepath.Join(e.Dir, "config.json")
			if tc.corrupt {
				if err := os.WriteFile(path, []byte("{corrupt"), 0o600); err != nil {
					t.Fatal(err)
				}
			} else if err := e.Svc.Store.SaveClient(store.ClientConfig{LaunchpadURL: e.Fake.URL}); err != nil {
				t.Fatal(err)
			}
			e.Svc.Env = tc.env
			aside, err := e.Svc.SaveClient(tc.id, tc.secret)
			if (err != nil) != tc.wantErr {
				t.Fatalf("SaveClient: %v, want error %v", err, tc.wantErr)
			}
			if (aside != "") != tc.wantAside {
				t.Errorf("aside %q, want one: %v", aside, tc.wantAside)
			}
			if aside != "" {
				if got, err := os.ReadFile(aside); err != nil || string(got) != "{corrupt" {
					t.Errorf("the corrupt file moved aside to %s holds %q, %v", aside, got, err)
				}
			}
			file, ferr := e.Svc.Store.LoadClient()
			saved := ferr == nil && file.ClientID == "my-id" && file.ClientSecret == "my-secret"
			if saved != tc.wantSaved {
				t.Errorf("config.json holds %+v (%v); saved %v, want %v", file, ferr, saved, tc.wantSaved)
			}
			if saved && !tc.corrupt && file.LaunchpadURL != e.Fake.URL {
				t.Errorf("SaveClient lost the file's launchpad_url: %+v", file)
			}
		})
	}
}

// TestCurrentLoginSessionsAndCounts: what the store holds, as each
// accessor gives it, with and without the account cache.
func TestCurrentLoginSessionsAndCounts(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Current(c); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Errorf("Current with nothing stored: %v", err)
	}
	if sessions, cur, err := e.Svc.Sessions(c); err != nil || len(sessions) != 0 || cur != "" {
		t.Errorf("Sessions with nothing stored: %v, %q, %v", sessions, cur, err)
	}
	first := e.LogIn(t)
	second := e.LogInSecond(t)

	cur, err := e.Svc.Current(c)
	if err != nil || cur.Identity.ID != second.Identity.ID || cur.Authorization == nil || len(cur.Authorization.Accounts) == 0 || cur.FetchedAt.IsZero() {
		t.Fatalf("Current = %+v, %v; want the second with its cached accounts", cur, err)
	}
	login, err := e.Svc.Login(c)
	if err != nil || login.Identity.ID != second.Identity.ID || login.Authorization != nil || login.Token.AccessToken != second.Token.AccessToken {
		t.Errorf("Login = %+v, %v; want the second's credentials, no cache", login, err)
	}
	counts, at, ok := e.Svc.AccountCounts(login)
	if want := auth.CountProducts(cur.Authorization.Accounts); !ok || at.IsZero() || !sameCounts(counts, want) {
		t.Errorf("AccountCounts from the cache = %v at %v (%v), want %v", counts, at, ok, want)
	}
	inMemory := *login
	inMemory.Authorization = &auth.Authorization{Accounts: []auth.Account{{Product: "hey", ID: 1}}}
	if counts, _, ok := e.Svc.AccountCounts(&inMemory); !ok || !sameCounts(counts, map[string]int{"hey": 1}) {
		t.Errorf("AccountCounts of a session that holds its accounts = %v, %v", counts, ok)
	}
	if _, _, ok := (&core.Service{}).AccountCounts(login); ok {
		t.Error("AccountCounts without a store found some")
	}

	sessions, curKey, err := e.Svc.Sessions(c)
	if err != nil || len(sessions) != 2 || curKey != second.Key() {
		t.Fatalf("Sessions = %d, %q, %v", len(sessions), curKey, err)
	}
	for _, s := range sessions {
		if s.Authorization == nil {
			t.Errorf("Sessions: %d without its cached accounts", s.Identity.ID)
		}
	}
	if all, _, err := e.Svc.Sessions(nil); err != nil || len(all) != 2 {
		t.Errorf("Sessions(nil) = %d, %v", len(all), err)
	}

	// Another client, or another Launchpad: the logins are not its own.
	for _, tc := range []struct {
		name string
		cfg  func(*auth.Config)
	}{
		{name: "another client id", cfg: func(c *auth.Config) { c.ClientID = "other-client" }},
		{name: "another Launchpad", cfg: func(c *auth.Config) { c.LaunchpadURL = "http://127.0.0.1:1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := c.Config()
			tc.cfg(&cfg)
			other, err := auth.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Svc.Login(other); !errors.Is(err, core.ErrOtherClient) {
				t.Errorf("Login: %v, want ErrOtherClient", err)
			}
			if _, err := e.Svc.Current(other); !errors.Is(err, core.ErrOtherClient) {
				t.Errorf("Current: %v, want ErrOtherClient", err)
			}
			if s, _, err := e.Svc.Sessions(other); err != nil || len(s) != 0 {
				t.Errorf("Sessions: %d, %v; want none", len(s), err)
			}
		})
	}
	_ = first
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestForgetSwitchRememberAndLogoutAll: the commands that change which
// logins are stored and which is current.
func TestForgetSwitchRememberAndLogoutAll(t *testing.T) {
	e, first, second := twoIDs(t)
	if err := e.Svc.Switch(first.Key()); err != nil || uitestCurrent(t, e) != first.Identity.ID {
		t.Fatalf("Switch: %v, current %d", err, uitestCurrent(t, e))
	}
	if err := e.Svc.Switch("nobody|x|1"); !errors.Is(err, store.ErrNoSession) {
		t.Errorf("Switch to nobody: %v", err)
	}
	if err := e.Svc.Remember(first.Key(), "bc3:99999999"); err != nil {
		t.Fatal(err)
	}
	if got := e.Current(t).LastAccount; got != "bc3:99999999" {
		t.Errorf("LastAccount %q after Remember", got)
	}
	// A new login of the same Basecamp ID keeps the account last picked.
	uitest.LogIn(t, e.Svc, e.Fake)
	if got := e.Current(t).LastAccount; got != "bc3:99999999" {
		t.Errorf("LastAccount %q after logging in again", got)
	}
	if _, err := e.Svc.Forget(t.Context(), first.Key()); err != nil {
		t.Fatal(err)
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Find(first.Key()); ok || len(st.Sessions) != 1 {
		t.Errorf("Forget left %d sessions", len(st.Sessions))
	}
	uitest.LogIn(t, e.Svc, e.Fake)
	gone, now, err := e.Svc.Logout(true)
	if err != nil || len(gone) != 2 || now != nil {
		t.Fatalf("Logout(all) = %d gone, now %v, %v", len(gone), now, err)
	}
	if st, err := e.Svc.Store.Load(); err != nil || len(st.Sessions) != 0 || st.Current != "" {
		t.Errorf("after Logout(all): %+v, %v", st, err)
	}
	if gone, now, err := e.Svc.Logout(false); gone != nil || now != nil || err != nil {
		t.Errorf("Logout with nothing stored = %v, %v, %v; want nothing", gone, now, err)
	}
	_ = second
}

// TestLogoutCurrentLeavesTheOther: logout without --id forgets the
// current Basecamp ID and says who is current now.
func TestLogoutCurrentLeavesTheOther(t *testing.T) {
	e, first, second := twoIDs(t)
	gone, now, err := e.Svc.Logout(false)
	if err != nil || len(gone) != 1 || gone[0].Identity.ID != second.Identity.ID {
		t.Fatalf("Logout = %v, %v", gone, err)
	}
	if now == nil || now.Identity.ID != first.Identity.ID {
		t.Errorf("now %+v, want the first current", now)
	}
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Find(first.Key()); !ok || len(st.Sessions) != 1 {
		t.Errorf("Logout forgot %d sessions, want only the current one", 2-len(st.Sessions))
	}
}

// TestEnvTokenChangesNothingStored: with BASECAMP_TOKEN set, the commands
// that change the stored logins refuse, and remembering keeps nothing.
func TestEnvTokenChangesNothingStored(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	before, err := os.ReadFile(filepath.Join(e.Dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.EnvToken = "BAhbenv-token"
	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{name: "forget", do: func() error { _, err := e.Svc.Forget(t.Context(), sess.Key()); return err }, want: core.ErrEnvToken},
		{name: "switch", do: func() error { return e.Svc.Switch(sess.Key()) }, want: core.ErrEnvToken},
		{name: "remember", do: func() error { return e.Svc.Remember(sess.Key(), "bc3:1") }},
		{name: "logout all", do: func() error { _, _, err := e.Svc.Logout(true); return err }, want: core.ErrEnvToken},
	} {
		if err := tc.do(); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	after, _ := os.ReadFile(filepath.Join(e.Dir, "state.json"))
	if string(after) != string(before) {
		t.Error("state.json changed while BASECAMP_TOKEN was set")
	}
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	sessions, key, err := e.Svc.Sessions(c)
	if err != nil || len(sessions) != 1 || sessions[0].Token.AccessToken != "BAhbenv-token" || key != sessions[0].Key() {
		t.Errorf("Sessions with BASECAMP_TOKEN = %+v, %q, %v; want the token alone", sessions, key, err)
	}
	found, err := e.Svc.Find(c, "nobody at all")
	if err != nil || found.Token.AccessToken != "BAhbenv-token" {
		t.Errorf("Find with BASECAMP_TOKEN = %+v, %v; want the token's session whatever is asked", found, err)
	}
	if !e.Svc.FromEnv(found) || e.Svc.FromEnv(sess) || e.Svc.FromEnv(nil) {
		t.Error("FromEnv does not tell BASECAMP_TOKEN's session from a stored one")
	}
}

// TestFindAndSwitchToErrors: naming a Basecamp ID that is not there, or
// nothing at all.
func TestFindAndSwitchToErrors(t *testing.T) {
	e, first, _ := twoIDs(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.Svc.Find(c, "annie@example.com"); err != nil || got.Identity.ID != first.Identity.ID || got.Authorization == nil {
		t.Errorf("Find annie = %+v, %v; want her session with its cache", got, err)
	}
	var ie *core.IDError
	if _, err := e.Svc.Find(c, "carol"); !errors.As(err, &ie) || len(ie.Choices) != 2 {
		t.Errorf("Find carol: %v", err)
	}
	if _, err := e.Svc.SwitchTo("  "); err == nil || !strings.Contains(err.Error(), "no Basecamp ID was named") {
		t.Errorf("SwitchTo nothing: %v", err)
	}
	if ids, err := (&core.Service{}).IDs(); ids != nil || err != nil {
		t.Errorf("IDs without a store = %v, %v", ids, err)
	}
	// Another client's logins are not offered.
	e.Svc.Env.ClientID = "another-client"
	if ids, err := e.Svc.IDs(); err != nil || len(ids) != 0 {
		t.Errorf("IDs for another client = %d, %v; want none", len(ids), err)
	}
}
