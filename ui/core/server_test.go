package core_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
	"bcauth/ui/uitest"
)

// bc5Env is a uitest world whose fake also serves BC5, with the API origin
// pointed at it; bc5Client says whether a BC5 client is configured.
func bc5Env(t *testing.T, bc5Client bool) (*uitest.Env, *launchpadtest.BC5) {
	t.Helper()
	e := uitest.New(t, launchpadtest.Options{})
	b, err := e.Fake.StartBC5(launchpadtest.BC5Options{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.Env.BaseURL = e.Fake.URL
	if bc5Client {
		e.Svc.Env.BC5ClientID = launchpadtest.BC5ClientID
	}
	return e, b
}

// launchpadAsked is how many requests the Launchpad side of the fake got.
func launchpadAsked(f *launchpadtest.Server) int {
	return f.Requests(launchpadtest.EndpointToken) + f.Requests(launchpadtest.EndpointConsent) + f.Requests(launchpadtest.EndpointAuthorization)
}

func TestDiscoverChoosesBC5OnlyWithABC5Client(t *testing.T) {
	e, b := bc5Env(t, true)
	p, err := e.Svc.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv := p.Client.Server()
	if !p.Device() || srv.Issuer != b.Issuer || srv.TokenEndpoint != b.TokenEndpoint || p.Note != "" {
		t.Fatalf("with a BC5 client: device %v, server %+v, note %q", p.Device(), srv, p.Note)
	}
	if id := p.Client.Config().ClientID; id != launchpadtest.BC5ClientID {
		t.Errorf("the BC5 login's client id is %q: a Launchpad client id must never reach BC5", id)
	}
	if n := launchpadAsked(e.Fake); n != 0 {
		t.Errorf("Launchpad was asked %d times", n)
	}
}

func TestDiscoverWithoutABC5ClientStaysOnLaunchpadAndSaysSo(t *testing.T) {
	e, b := bc5Env(t, false)
	p, err := e.Svc.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p.Device() || p.Client.Config().ClientID != e.Fake.Options().ClientID {
		t.Fatalf("without a BC5 client the login went to %s", p.Client.Server().Name())
	}
	for _, want := range []string{b.Issuer, auth.SettingBC5ClientID} {
		if !strings.Contains(p.Note, want) {
			t.Errorf("the note %q does not name %s", p.Note, want)
		}
	}
	if p.Client.Server().Note != p.Note {
		t.Errorf("the note does not travel with the login's server: %q", p.Client.Server().Note)
	}
}

func TestDiscoverPinnedWithoutABC5ClientIsAnError(t *testing.T) {
	e, b := bc5Env(t, false)
	e.Svc.Env.Issuer = b.Issuer
	_, err := e.Svc.Discover(t.Context())
	var se *auth.SettingError
	if !errors.As(err, &se) || se.Setting != auth.SettingBC5ClientID {
		t.Fatalf("pinned BC5 and no BC5 client: %v, want a setting error naming %s", err, auth.SettingBC5ClientID)
	}
	if p := core.Describe(err, e.Svc.Settings()); !strings.HasPrefix(p.Fix, "set "+auth.SettingBC5ClientID) {
		t.Errorf("an unset setting's fix %q, want it to say set %s", p.Fix, auth.SettingBC5ClientID)
	}
}

func TestDiscoverWhileBC5IsDarkUsesLaunchpad(t *testing.T) {
	e, b := bc5Env(t, true)
	b.SetDark(true)
	p, err := e.Svc.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p.Device() {
		t.Fatal("a dark BC5 was chosen")
	}
	if n := b.Requests(launchpadtest.BC5IssuerMetadata); n != 0 {
		t.Errorf("the dark issuer's metadata was asked %d times", n)
	}
}

func TestDiscoverAHardErrorAsksNobody(t *testing.T) {
	e, b := bc5Env(t, true)
	b.AdvertiseIssuers([]string{b.Issuer, "https://other.example"})
	_, err := e.Svc.Discover(t.Context())
	var de *auth.DiscoveryError
	if !errors.As(err, &de) {
		t.Fatalf("two issuers, none pinned: %v, want a discovery error", err)
	}
	if n := launchpadAsked(e.Fake); n != 0 {
		t.Errorf("Launchpad was asked %d times after a hard discovery error", n)
	}
}

func TestDiscoverABadOriginIsAUsageErrorBeforeAnyRequest(t *testing.T) {
	for _, c := range []struct{ setting string }{{auth.SettingResource}, {auth.SettingIssuer}} {
		e, b := bc5Env(t, true)
		if c.setting == auth.SettingResource {
			e.Svc.Env.BaseURL = e.Fake.URL + "/api?x=1"
		} else {
			e.Svc.Env.Issuer = "ftp://" + strings.TrimPrefix(b.Issuer, "http://")
		}
		_, err := e.Svc.Discover(t.Context())
		var se *auth.SettingError
		if !errors.As(err, &se) || se.Setting != c.setting {
			t.Errorf("a bad %s: %v", c.setting, err)
		}
		if n := b.Requests(launchpadtest.BC5ResourceMetadata); n != 0 {
			t.Errorf("a bad %s still fetched the resource metadata %d times", c.setting, n)
		}
	}
}

// Another Launchpad (staging, the fake) and no API origin: the real API
// host knows nothing of it, so discovery does not run, and says so.
func TestDiscoverIsSkippedForAnotherLaunchpad(t *testing.T) {
	e, b := bc5Env(t, true)
	e.Svc.Env.BaseURL = ""
	p, err := e.Svc.Discover(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p.Device() || p.Skipped == "" || !strings.Contains(p.Skipped, auth.SettingResource) {
		t.Fatalf("device %v, skipped %q", p.Device(), p.Skipped)
	}
	if n := b.Requests(launchpadtest.BC5ResourceMetadata); n != 0 {
		t.Errorf("discovery ran anyway: %d requests", n)
	}
}

// bc5Login stores a BC5 login the way the device flow ends.
func bc5Login(t *testing.T, e *uitest.Env, b *launchpadtest.BC5, scope string) *store.Session {
	t.Helper()
	return uitest.LogInBC5(t, e.Svc, b.Approve, scope)
}

func TestABC5LoginNeedsNoLaunchpadClientAndNoDiscoveryAgain(t *testing.T) {
	e, b := bc5Env(t, true)
	sess := bc5Login(t, e, b, auth.ScopeRead)
	if !sess.Server.IsBC5() || sess.Server.Scope != auth.ScopeRead || sess.Token.Resource == "" || sess.ClientID != launchpadtest.BC5ClientID || sess.LaunchpadURL != "" {
		t.Fatalf("stored login %+v", sess)
	}
	// No Launchpad client at all any more; the login still works.
	e.Svc.Env = store.ClientConfig{}
	before := b.Requests(launchpadtest.BC5ResourceMetadata)
	c, got, err := e.Svc.CurrentLogin()
	if err != nil {
		t.Fatal(err)
	}
	if got.Key() != sess.Key() || c.Server().Issuer != b.Issuer || c.Config().ClientID != launchpadtest.BC5ClientID {
		t.Fatalf("CurrentLogin: %s through %s", got.Key(), c.Server().Name())
	}
	if _, err := e.Svc.Reload(t.Context(), c, got); err != nil {
		t.Fatal(err)
	}
	if n := b.Requests(launchpadtest.BC5ResourceMetadata); n != before {
		t.Errorf("a stored BC5 login ran discovery again (%d requests)", n-before)
	}
	if n := b.Requests(launchpadtest.BC5Authorization); n == 0 {
		t.Error("the reload did not ask the issuer's authorization.json")
	}
}

func TestLogoutRevokesABC5Login(t *testing.T) {
	e, b := bc5Env(t, true)
	bc5Login(t, e, b, auth.ScopeFull)
	gone, _, err := e.Svc.Logout(false)
	if err != nil || len(gone) != 1 {
		t.Fatalf("logout: %v, %d gone", err, len(gone))
	}
	rs := e.Svc.Revoke(t.Context(), gone)
	if len(rs) != 1 || !rs[0].Asked || !rs[0].Confirmed || rs[0].Err != nil {
		t.Fatalf("revocation %+v", rs)
	}
	if rs[0].Session.Token.RefreshToken != "" || rs[0].Session.Token.AccessToken != "" {
		t.Error("the revocation report carries the tokens")
	}
	if b.Revocations() != 1 || !b.Revoked() {
		t.Errorf("the issuer saw %d revocations (revoked %v)", b.Revocations(), b.Revoked())
	}
}

func TestLogoutOfALaunchpadLoginRevokesNothing(t *testing.T) {
	e, b := bc5Env(t, false)
	e.LogIn(t)
	gone, _, err := e.Svc.Logout(false)
	if err != nil {
		t.Fatal(err)
	}
	rs := e.Svc.Revoke(t.Context(), gone)
	if len(rs) != 1 || rs[0].Asked || rs[0].Confirmed {
		t.Errorf("a Launchpad login: %+v", rs)
	}
	if b.Revocations() != 0 {
		t.Errorf("BC5 was asked to revoke a Launchpad login")
	}
}

// A refresh the issuer answers with another person's token: that token is
// never kept, and the login's refresh token, which the issuer spent when
// it answered, is recorded as refused, so no later run presents it (which
// would have the issuer revoke the login for reuse).
func TestABC5RefreshAsSomeoneElseEndsTheLoginWithoutReuse(t *testing.T) {
	e, b := bc5Env(t, true)
	sess := bc5Login(t, e, b, auth.ScopeFull)
	e.ExpireStored(t, sess, time.Minute)
	id := e.Fake.Identity()
	id.ID, id.EmailAddress = 1234567, "mallory@example.com"
	e.Fake.SetIdentity(id)
	if _, err := e.Svc.Refresh(t.Context()); err == nil {
		t.Fatal("a refresh that came back as another person succeeded")
	}
	stored := e.Current(t)
	if stored.Identity.ID != sess.Identity.ID || stored.Token.RefreshToken != sess.Token.RefreshToken {
		t.Fatalf("the stored login changed: %+v", stored.Identity)
	}
	if stored.Refused == nil || !strings.Contains(stored.Refused.Reason, "another person") {
		t.Fatalf("the spent refresh token is not recorded as refused: %+v", stored.Refused)
	}
	sent := b.RefreshRequests()
	_, err := e.Svc.Refresh(t.Context())
	var re *core.RefusedError
	if !errors.As(err, &re) || b.RefreshRequests() != sent || b.ReuseDetected() != 0 {
		t.Errorf("the next refresh: %v (%d more requests, %d reuses)", err, b.RefreshRequests()-sent, b.ReuseDetected())
	}
	// Logout forgets it and revokes nothing: a refused token is sent nowhere.
	gone, _, err := e.Svc.Logout(false)
	if err != nil {
		t.Fatal(err)
	}
	if rs := e.Svc.Revoke(t.Context(), gone); len(rs) != 1 || rs[0].Asked || b.Revocations() != 0 {
		t.Errorf("a refused login was revoked at the issuer: %+v, %d revocations", rs, b.Revocations())
	}
}

// A refresh that narrows the scope is kept: status and ids say what the
// server granted last, not what the login first got.
func TestABC5RefreshKeepsTheScopeItGrants(t *testing.T) {
	e, b := bc5Env(t, true)
	sess := bc5Login(t, e, b, auth.ScopeFull)
	if sess.Token.Scope != auth.ScopeFull {
		t.Fatalf("the login's token scope %q", sess.Token.Scope)
	}
	e.ExpireStored(t, sess, time.Minute)
	b.EditTokenAnswers(func(m map[string]any) { m["scope"] = auth.ScopeRead })
	if _, err := e.Svc.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.Current(t).Token.Scope; got != auth.ScopeRead {
		t.Errorf("after a refresh granting read, the stored scope is %q", got)
	}
}

// Logging one login out by its key (the app's L L) revokes a BC5 login as
// bcauth logout does.
func TestForgetRevokesABC5Login(t *testing.T) {
	e, b := bc5Env(t, true)
	sess := bc5Login(t, e, b, auth.ScopeFull)
	r, err := e.Svc.Forget(t.Context(), sess.Key())
	if err != nil {
		t.Fatal(err)
	}
	if r == nil || !r.Confirmed || b.Revocations() != 1 {
		t.Fatalf("revocation %+v, %d at the issuer", r, b.Revocations())
	}
	if _, err := e.Svc.Login(nil); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Errorf("after Forget: %v", err)
	}
	if r, err := e.Svc.Forget(t.Context(), sess.Key()); r != nil || err != nil {
		t.Errorf("forgetting it again: %+v, %v", r, err)
	}
}

// The same person through Launchpad and BC5 is two logins, told apart by
// a server prefix in --id, and both are listed whichever is on screen.
func TestTheSamePersonThroughBothServers(t *testing.T) {
	e, b := bc5Env(t, true)
	lp := e.LogIn(t)
	bc := bc5Login(t, e, b, auth.ScopeFull)
	if lp.Identity.ID != bc.Identity.ID || lp.Key() == bc.Key() {
		t.Fatalf("keys %q and %q", lp.Key(), bc.Key())
	}
	c, _, err := e.Svc.CurrentLogin()
	if err != nil {
		t.Fatal(err)
	}
	if all, _, err := e.Svc.Sessions(c); err != nil || len(all) != 2 {
		t.Fatalf("beside the BC5 login, Sessions lists %d: %v", len(all), err)
	}
	id := strconv.FormatInt(lp.Identity.ID, 10)
	e.Svc.ID = id
	_, err = e.Svc.Login(nil)
	p := core.Describe(err, e.Svc.Settings())
	if p.Kind != core.KindAmbiguousID || !strings.Contains(p.Fix, "bc5:"+id) || !strings.Contains(p.Detail, id+", bc5)") {
		t.Fatalf("--id %s: %+v", id, p)
	}
	// What the switch picker sends for each choice names that one alone.
	e.Svc.ID = ""
	choices, err := e.Svc.IDs()
	if err != nil || len(choices) != 2 {
		t.Fatalf("IDs: %d, %v", len(choices), err)
	}
	for _, c := range choices {
		got, err := e.Svc.SwitchTo(core.SessionQuery(c.Session))
		if err != nil || got.Key() != c.Session.Key() {
			t.Errorf("switching to %q: %v, %v; want %s", core.SessionQuery(c.Session), got, err, c.Session.Key())
		}
	}
	for prefix, want := range map[string]string{"bc5:": bc.Key(), "launchpad:": lp.Key(), "BC5: ": bc.Key()} {
		e.Svc.ID = prefix + id
		got, err := e.Svc.Login(nil)
		if err != nil || got.Key() != want {
			t.Errorf("--id %q: %v, %v; want %s", e.Svc.ID, got, err, want)
		}
	}
}
