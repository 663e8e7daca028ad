package core_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestRefusedLoginIsRecordedAndNeverSentAgain: Launchpad refusing a
// refresh token for good is written down, and from then on every command
// fails at once, in this process and the next, without sending the
// refresh token again (Basecamp bans a client that keeps trying).
func TestRefusedLoginIsRecordedAndNeverSentAgain(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	// After the stored token's expiry, which ExpireStored sets by the
	// real clock.
	now := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	e.Svc.Clock = func() time.Time { return now }
	e.Fake.RevokeAll()
	e.ExpireStored(t, sess, time.Hour)
	ctx := testContext(t)

	_, err := e.Svc.LoadAccounts(ctx, "")
	var re *core.RefusedError
	if !errors.As(err, &re) || re.Err == nil || re.Unrecorded != nil || !re.Refusal.At.Equal(now) || re.Refusal.Reason == "" {
		t.Fatalf("LoadAccounts after the password changed: %v (%+v), want a recorded RefusedError in Launchpad's words", err, re)
	}
	if !strings.Contains(re.Refusal.Reason, "deadbolt") {
		t.Errorf("the refusal's reason %q is not Launchpad's text", re.Refusal.Reason)
	}
	if p := core.Describe(err, e.Svc.Settings()); p.Kind != core.KindRejected || !p.Relogin || !p.RefusedAt.Equal(now) {
		t.Errorf("problem %+v, want rejected, a login offered, when", p)
	}
	stored := e.Current(t)
	if stored.Refused == nil || !stored.Refused.At.Equal(now) {
		t.Fatalf("the refusal was not stored: %+v", stored.Refused)
	}

	tokens := e.Fake.Requests(launchpadtest.EndpointToken)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	// A second bcauth, and every path that would use the login.
	st2, err := store.Open(e.Dir)
	if err != nil {
		t.Fatal(err)
	}
	next := &core.Service{Store: st2, Env: e.Svc.Env, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{name: "login", do: func() error { _, err := next.Login(c); return err }},
		{name: "accounts", do: func() error { _, err := next.LoadAccounts(ctx, ""); return err }},
		{name: "token", do: func() error { _, err := next.TokenInfo(ctx); return err }},
		{name: "refresh", do: func() error { _, err := next.Refresh(ctx); return err }},
		{name: "held token source", do: func() error {
			// The TUI's source, made before the refusal: it reads the
			// store before it refreshes, and meets the refusal there.
			_, err := e.Svc.TokenSource(c, sess).Refresh(ctx, sess.Token.AccessToken)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var re *core.RefusedError
			if !errors.As(err, &re) || re.Err != nil || !re.Refusal.At.Equal(now) || re.Session.Identity.ID != sess.Identity.ID {
				t.Errorf("%v (%+v), want the RefusedError recorded earlier", err, re)
			}
		})
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
		t.Errorf("%d token requests after the refusal was recorded", n)
	}
	// Logging in again clears it.
	e.LogIn(t)
	if got := e.Current(t); got.Refused != nil {
		t.Errorf("a new login is still marked refused: %+v", got.Refused)
	}
	if _, err := e.Svc.LoadAccounts(ctx, ""); err != nil {
		t.Errorf("LoadAccounts after logging in again: %v", err)
	}
}

// TestRefreshWithoutARefreshToken: a login pasted as an access token alone
// cannot be renewed, and nothing is sent.
func TestRefreshWithoutARefreshToken(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	ctx := testContext(t)
	if _, _, err := e.Svc.AddToken(ctx, access, ""); err != nil {
		t.Fatal(err)
	}
	tokens := e.Fake.Requests(launchpadtest.EndpointToken)
	if _, err := e.Svc.Refresh(ctx); !errors.Is(err, core.ErrNoRefreshToken) {
		t.Errorf("Refresh: %v, want ErrNoRefreshToken", err)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
		t.Errorf("%d token requests", n)
	}
	if _, err := (&core.Service{Store: e.Svc.Store}).Refresh(ctx); !errors.Is(err, auth.ErrNotConfigured) {
		t.Errorf("Refresh with no client: %v, want ErrNotConfigured", err)
	}
}

// TestAddTokenRefusesBadTextAndBadRefresh: nothing that is not a token is
// sent to Launchpad or stored.
func TestAddTokenRefusesBadText(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	for _, tc := range []struct {
		name, access, refresh string
	}{
		{name: "empty", access: ""},
		{name: "space", access: "a b"},
		{name: "control", access: "a\x1bb"},
		{name: "DEL", access: "a\x7f"},
		{name: "non-ASCII", access: "tökén"},
		{name: "bad refresh", access: access, refresh: "r\nr"},
	} {
		if _, _, err := e.Svc.AddToken(t.Context(), tc.access, tc.refresh); !errors.Is(err, core.ErrNotTokenText) {
			t.Errorf("%s: %v, want ErrNotTokenText", tc.name, err)
		}
	}
	if n := e.Fake.Requests(launchpadtest.EndpointAuthorization); n != 0 {
		t.Errorf("%d requests to Launchpad for text that is no token", n)
	}
	for _, ok := range []string{"!", "~", "BAh7CEkiCG", "a.b-c_d+e/f="} {
		if !core.IsTokenText(ok) {
			t.Errorf("IsTokenText(%q) = false", ok)
		}
	}
	e.Svc.Env = store.ClientConfig{}
	if _, _, err := e.Svc.AddToken(t.Context(), access, ""); !errors.Is(err, auth.ErrNotConfigured) {
		t.Errorf("AddToken with no client: %v, want ErrNotConfigured", err)
	}
}

// TestTokenInfoOfATokenWithoutExpiry: a stored token whose expiry is
// unknown is checked with Launchpad, and Launchpad's expiry is kept.
func TestTokenInfoOfATokenWithoutExpiry(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	want := e.Current(t).Token.Expiry
	if err := e.Svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(sess.Key())
		s.Token.Expiry = time.Time{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	reads := e.Fake.Requests(launchpadtest.EndpointAuthorization)
	info, err := e.Svc.TokenInfo(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.FromEnv || info.Token.AccessToken != sess.Token.AccessToken || !sameSecond(info.Token.Expiry, want) || info.Session.Identity.ID != sess.Identity.ID {
		t.Errorf("TokenInfo = %+v, token %+v; want the stored token, expiring %v", info, info.Token, want)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - reads; n != 1 {
		t.Errorf("%d authorization requests, want 1", n)
	}
	if got := e.Current(t).Token.Expiry; !sameSecond(got, want) {
		t.Errorf("stored expiry %v, want Launchpad's %v", got, want)
	}
	// Known now: the next TokenInfo asks nobody.
	if _, err := e.Svc.TokenInfo(testContext(t)); err != nil || e.Fake.Requests(launchpadtest.EndpointAuthorization)-reads != 1 {
		t.Errorf("the second TokenInfo: %v, %d requests", err, e.Fake.Requests(launchpadtest.EndpointAuthorization)-reads)
	}
}

// sameSecond: Launchpad's expires_at has whole seconds; the token
// exchange's expires_in gives the same time to the nanosecond.
func sameSecond(a, b time.Time) bool {
	d := a.Sub(b)
	return !a.IsZero() && d > -time.Second && d < time.Second
}

// TestTokenInfoRefreshesAnExpiredToken: bcauth token hands out a fresh
// token, saved, never the expired one.
func TestTokenInfoRefreshesAnExpiredToken(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	sess := e.LogIn(t)
	e.Fake.ExpireAccessTokens()
	e.ExpireStored(t, sess, time.Minute)
	info, err := e.Svc.TokenInfo(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.Token.AccessToken == sess.Token.AccessToken || e.Current(t).Token.AccessToken != info.Token.AccessToken || info.Session.Token.AccessToken != info.Token.AccessToken {
		t.Errorf("TokenInfo gave %q, stored %q; want a new token, stored", info.Token.AccessToken, e.Current(t).Token.AccessToken)
	}
	e.Svc.Env = store.ClientConfig{}
	if _, err := e.Svc.TokenInfo(testContext(t)); !errors.Is(err, auth.ErrNotConfigured) {
		t.Errorf("TokenInfo with no client: %v", err)
	}
}

// TestCompleteMovesAnUnreadableStateAside: logging in over a corrupt
// state.json keeps the old file aside and says where.
func TestCompleteMovesAnUnreadableStateAside(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	path := filepath.Join(e.Dir, "state.json")
	if err := os.WriteFile(path, []byte("{corrupt"), 0o600); err != nil {
		t.Fatal(err)
	}
	access, refresh, _ := e.Fake.IssueToken()
	sess, aside, err := e.Svc.AddToken(testContext(t), access, refresh)
	if err != nil {
		t.Fatal(err)
	}
	if aside == "" || aside == path {
		t.Fatalf("aside %q", aside)
	}
	if got, err := os.ReadFile(aside); err != nil || string(got) != "{corrupt" {
		t.Errorf("the old state at %s: %q, %v", aside, got, err)
	}
	if cur := e.Current(t); cur.Key() != sess.Key() || cur.Token.RefreshToken != refresh || cur.LoggedInAt.IsZero() {
		t.Errorf("stored %+v", cur)
	}
}

// TestCompleteUsesTheClock: a login is dated by the Service's clock, and
// its accounts cached with it.
func TestCompleteUsesTheClock(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e.Svc.Clock = func() time.Time { return at }
	if !e.Svc.Now().Equal(at) {
		t.Fatalf("Now() = %v", e.Svc.Now())
	}
	sess := e.LogIn(t)
	if !sess.LoggedInAt.Equal(at) || !sess.FetchedAt.Equal(at) || sess.Authorization == nil {
		t.Errorf("LoggedInAt %v, FetchedAt %v; want %v", sess.LoggedInAt, sess.FetchedAt, at)
	}
	if got := e.Current(t).LoggedInAt; !got.Equal(at) {
		t.Errorf("stored LoggedInAt %v", got)
	}
	if d := time.Since((&core.Service{}).Now()); d < 0 || d > time.Minute {
		t.Errorf("a Service without a clock is %v off the time", d)
	}
}

// TestReloadFollowsAChangedIdentity: a name changed at Launchpad is
// stored; a Launchpad id that changed moves the session to its new key,
// keeps it current, and replaces a stale session already there.
func TestReloadFollowsAChangedIdentity(t *testing.T) {
	e, first, second := twoIDs(t)
	c, err := e.Svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	if err := e.Svc.Switch(first.Key()); err != nil {
		t.Fatal(err)
	}
	id := e.Fake.Identity()
	id.FirstName = "Anne"
	e.Fake.SetIdentity(id)
	r, err := e.Svc.Reload(ctx, c, first)
	if err != nil {
		t.Fatal(err)
	}
	if r.Session.Identity.FirstName != "Anne" || e.Current(t).Identity.FirstName != "Anne" || r.Session.Key() != first.Key() || r.Refreshed || r.Unsaved != nil {
		t.Errorf("after a rename: returned %+v, stored %+v", r.Session.Identity, e.Current(t).Identity)
	}
	// Launchpad now says the first token is the second's id: that is the
	// second person's token, never the first login's. Nothing stored
	// changes, and the error names both.
	id.ID = second.Identity.ID
	e.Fake.SetIdentity(id)
	before, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Svc.Reload(ctx, c, r.Session)
	var mismatch *core.IdentityError
	if !errors.As(err, &mismatch) || mismatch.Stored == nil || mismatch.Stored.ID != first.Identity.ID || mismatch.Got.ID != second.Identity.ID {
		t.Fatalf("Reload as another id: %v, want an IdentityError", err)
	}
	after, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Sessions) != len(before.Sessions) || after.Current != before.Current || after.Sessions[0].Key() != before.Sessions[0].Key() {
		t.Errorf("after another id answered: %+v, want the state as it was: %+v", after, before)
	}
}

// TestLoadAccountsFailures: what the account list does when there is no
// login, when Launchpad refuses it, and when Launchpad is down with and
// without a cache.
func TestLoadAccountsFailures(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	ctx := testContext(t)
	if _, err := e.Svc.LoadAccounts(ctx, ""); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Errorf("not logged in: %v", err)
	}
	sess := e.LogIn(t)
	if err := e.Svc.Store.ForgetAuthorization(sess.Key()); err != nil {
		t.Fatal(err)
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway, Times: 1})
	if _, err := e.Svc.LoadAccounts(ctx, ""); !auth.Temporary(err) {
		t.Errorf("Launchpad down, no cache: %v, want the temporary error", err)
	}
	list, err := e.Svc.LoadAccounts(ctx, "BCX")
	if err != nil || list.Cached != nil || len(list.Accounts) == 0 || len(list.Products) < 2 {
		t.Fatalf("LoadAccounts: %+v, %v", list, err)
	}
	for _, a := range list.Accounts {
		if a.Product != "bcx" {
			t.Errorf("asked for BCX, got a %s account", a.Product)
		}
	}
	if list.Tokens == nil || list.Client == nil || list.Session.Authorization == nil {
		t.Errorf("the list lacks its client, token source or session's answer: %+v", list)
	}
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusForbidden, Body: `{"error":"nope"}`, Times: 1})
	if _, err := e.Svc.LoadAccounts(ctx, ""); err == nil || auth.Temporary(err) {
		t.Errorf("Launchpad refusing, with a cache: %v, want that refusal, not the cache", err)
	}
}

// TestEnvTokenLaunchpadDown: BASECAMP_TOKEN with Launchpad down is an
// error, not a list from a cache it never has.
func TestEnvTokenLaunchpadDown(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	access, _, _ := e.Fake.IssueToken()
	svc := envService(e, access)
	e.Fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusBadGateway})
	if _, err := svc.LoadAccounts(testContext(t), ""); !auth.Temporary(err) {
		t.Errorf("LoadAccounts: %v, want the temporary error", err)
	}
	if _, err := svc.TokenInfo(testContext(t)); !auth.Temporary(err) {
		t.Errorf("TokenInfo: %v, want the temporary error", err)
	}
	var tr *core.TokenRefusedError
	if _, err := svc.TokenInfo(testContext(t)); errors.As(err, &tr) {
		t.Errorf("an unreachable Launchpad is told as a refused token: %v", err)
	}
}

// useKeyring makes e's Service keep its secrets in kr, as mode says.
func useKeyring(t *testing.T, e *uitest.Env, kr store.SecretBackend, mode store.KeyringMode) {
	t.Helper()
	st, err := store.Open(e.Dir, store.WithKeyring(kr, mode))
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.Store = st
}

// memKeyring is a SecretBackend in memory: the store's own contract,
// without a Secret Service.
type memKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
}

func (k *memKeyring) Name() string { return "memory keyring" }

func (k *memKeyring) Get(_ context.Context, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.secrets[account]
	if !ok {
		return "", store.ErrSecretGone
	}
	return s, nil
}

func (k *memKeyring) Set(_ context.Context, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string]string{}
	}
	k.secrets[account] = secret
	return nil
}

func (k *memKeyring) Delete(_ context.Context, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.secrets, account)
	return nil
}

// TestKeyringSettingMovesTheSecrets: SetKeyring and PlaceSecrets move the
// tokens and the client secret out of bcauth's files, and a login kept in
// the keyring is refreshed and its expiry kept beside it.
func TestKeyringSettingMovesTheSecrets(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	e.ClientInFile(t)
	kr := &memKeyring{}
	useKeyring(t, e, kr, store.KeyringAsConfigured)
	sess := e.LogIn(t)
	secret := uitest.Client(e.Fake).ClientSecret
	if err := e.Svc.PlaceSecrets(); err != nil {
		t.Fatal(err)
	}
	if len(kr.secrets) != 0 {
		t.Fatalf("PlaceSecrets moved %d secrets with the keyring off", len(kr.secrets))
	}
	if err := e.Svc.SetKeyring(true); err != nil {
		t.Fatal(err)
	}
	uitest.NoFileHolds(t, e.Dir, sess.Token.AccessToken, sess.Token.RefreshToken, secret)
	if len(kr.secrets) < 2 {
		t.Errorf("the keyring holds %d secrets, want the tokens and the client secret", len(kr.secrets))
	}
	if set := e.Svc.Settings(); !set.Keyring || set.KeyringName != "memory keyring" {
		t.Errorf("Settings: keyring %v in %q", set.Keyring, set.KeyringName)
	}

	// A forced refresh reads the token itself from the keyring.
	ctx := testContext(t)
	fresh, err := e.Svc.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Token.AccessToken == sess.Token.AccessToken || fresh.Token.AccessToken == "" {
		t.Errorf("Refresh kept the old token")
	}
	uitest.NoFileHolds(t, e.Dir, fresh.Token.AccessToken, fresh.Token.RefreshToken)

	// A keyring token whose expiry is unknown gets Launchpad's, beside it.
	// The token is written whole, so its keyring entry says so too.
	tok, err := e.Svc.Store.LoadToken(sess.Key())
	if err != nil {
		t.Fatal(err)
	}
	tok.Expiry = time.Time{}
	if err := e.Svc.Store.Update(func(s *store.State) error {
		cur, _ := s.Find(sess.Key())
		cur.Token = tok
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.Current(t).Token.Expiry; !got.IsZero() {
		t.Fatalf("the stored expiry %v was not cleared; the test proves nothing", got)
	}
	info, err := e.Svc.TokenInfo(ctx)
	if err != nil || info.Token.AccessToken != fresh.Token.AccessToken || info.Token.Expiry.IsZero() {
		t.Fatalf("TokenInfo = %+v, %v", info, err)
	}
	if got := e.Current(t).Token.Expiry; !got.Equal(info.Token.Expiry) {
		t.Errorf("stored expiry %v, want %v", got, info.Token.Expiry)
	}

	// Off again: back in the files, none left in the keyring; a run with
	// the setting forced on finds them misplaced and moves them.
	if err := e.Svc.SetKeyring(false); err != nil {
		t.Fatal(err)
	}
	if len(kr.secrets) != 0 {
		t.Errorf("%d secrets left in the keyring", len(kr.secrets))
	}
	forced, err := store.Open(e.Dir, store.WithKeyring(kr, store.KeyringOn))
	if err != nil {
		t.Fatal(err)
	}
	svc := &core.Service{Store: forced, Env: e.Svc.Env, HTTPClient: e.Svc.HTTPClient}
	if err := svc.PlaceSecrets(); err != nil {
		t.Fatal(err)
	}
	uitest.NoFileHolds(t, e.Dir, fresh.Token.AccessToken, fresh.Token.RefreshToken, secret)
	if err := (&core.Service{}).PlaceSecrets(); err != nil {
		t.Errorf("PlaceSecrets without a store: %v", err)
	}
}
