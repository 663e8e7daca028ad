package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"

	"golang.org/x/oauth2"
)

// fakeBC5 is the fake Launchpad with its BC5 issuer started: the resource
// origin and Launchpad are both the Server's URL, as in the demo. The
// fake, the clients and the device login's waits share one clock.
type fakeBC5 struct {
	s      *launchpadtest.Server
	b      *launchpadtest.BC5
	clock  *fixedClock
	pauses *pauses
}

func newFakeBC5(t *testing.T, opts launchpadtest.BC5Options) *fakeBC5 {
	t.Helper()
	clock := newClock()
	s := launchpadtest.NewServer(launchpadtest.Options{Now: clock.Now})
	t.Cleanup(s.Close)
	b, err := s.StartBC5(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &fakeBC5{s: s, b: b, clock: clock, pauses: &pauses{clock: clock}}
}

func (f *fakeBC5) discover(pin string) (*auth.Discovery, error) {
	return auth.Discover(context.Background(), auth.DiscoveryConfig{Resource: f.s.URL, LaunchpadURL: f.s.URL, Issuer: pin})
}

// client is a client for srv with both registrations: Launchpad's id and
// secret, or BC5's id, whichever srv needs.
func (f *fakeBC5) client(t *testing.T, srv auth.Server) *auth.Client {
	t.Helper()
	id := f.s.Options().ClientID
	if srv.IsBC5() {
		id = f.b.Options().ClientID
	}
	c, err := auth.New(auth.Config{ClientID: id, ClientSecret: f.s.Options().ClientSecret,
		LaunchpadURL: f.s.URL, RedirectURI: "http://127.0.0.1:8976/callback", Server: srv},
		auth.WithClock(f.clock.Now), auth.WithWait(f.pauses.wait))
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return c
}

// launchpadRequests counts what reached Launchpad's own endpoints.
func (f *fakeBC5) launchpadRequests() int {
	return f.s.Requests(launchpadtest.EndpointConsent) + f.s.Requests(launchpadtest.EndpointToken) +
		f.s.Requests(launchpadtest.EndpointAuthorization)
}

// bc5Requests counts what reached the issuer's credential endpoints.
func (f *fakeBC5) bc5Requests() int {
	return f.b.Requests(launchpadtest.BC5Device) + f.b.Requests(launchpadtest.BC5Token) +
		f.b.Requests(launchpadtest.BC5Revoke) + f.b.Requests(launchpadtest.BC5Authorization)
}

// login runs a whole device login: start, approve as the first person,
// poll.
func (f *fakeBC5) login(t *testing.T, c *auth.Client, scope string) *oauth2.Token {
	t.Helper()
	ctx := context.Background()
	dc, err := c.StartDevice(ctx, scope)
	if err != nil {
		t.Fatalf("StartDevice: %v", err)
	}
	if err := f.b.Approve(ctx, dc.UserCode); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	tok, err := c.PollDevice(ctx, dc)
	if err != nil {
		t.Fatalf("PollDevice: %v", err)
	}
	return tok
}

// TestFallbackTableThroughTheFake plays every row of bc5.md's table of
// what may go wrong in discovery, and counts what reached Launchpad: on a
// soft row the login goes to Launchpad (one refresh is sent there, none
// to BC5), on a hard row nothing reaches either.
func TestFallbackTableThroughTheFake(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fakeBC5)
		pin   func(f *fakeBC5) string
		hard  string // "": a soft fallback whose reason holds soft
		soft  string
		err   error // a hard error wraps it, if set
	}{
		// Step 1 fails: Launchpad (soft).
		{name: "step 1: 500", setup: func(f *fakeBC5) {
			f.b.InjectFault(launchpadtest.BC5ResourceMetadata, launchpadtest.Fault{Status: 500})
		}, soft: stepOneFailed},
		{name: "step 1: a redirect", setup: func(f *fakeBC5) {
			f.b.InjectFault(launchpadtest.BC5ResourceMetadata, launchpadtest.Fault{Status: 302, Header: http.Header{"Location": {f.b.Issuer}}})
		}, soft: stepOneFailed},
		{name: "step 1: not JSON", setup: func(f *fakeBC5) {
			f.b.InjectFault(launchpadtest.BC5ResourceMetadata, launchpadtest.Fault{Status: 200, Body: "<html>portal</html>", ContentType: "text/html"})
		}, soft: stepOneFailed},
		{name: "step 1: resource differs", setup: func(f *fakeBC5) {
			f.b.SetResourceMetadata(func(doc map[string]any) { doc["resource"] = f.s.URL + "/" })
		}, soft: stepOneFailed},
		{name: "step 1: authorization_servers null", setup: func(f *fakeBC5) {
			f.b.SetResourceMetadata(func(doc map[string]any) { doc["authorization_servers"] = nil })
		}, soft: stepOneFailed},
		{name: "step 1: authorization_servers a number", setup: func(f *fakeBC5) {
			f.b.SetResourceMetadata(func(doc map[string]any) { doc["authorization_servers"] = 5 })
		}, soft: stepOneFailed},

		// Step 1 names no server but Launchpad: Launchpad (soft).
		{name: "dark: the key left out", setup: func(f *fakeBC5) { f.b.SetDark(true) }, soft: noneAdvertised},
		{name: "an empty list", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{}) }, soft: noneAdvertised},
		{name: "only Launchpad", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{f.s.URL}) }, soft: noneAdvertised},

		// Two issuers, none pinned; a pinned one not advertised: hard.
		{name: "two issuers", setup: func(f *fakeBC5) {
			f.b.AdvertiseIssuers([]string{f.b.Issuer, "https://bc5-other.example"})
		}, hard: auth.SettingIssuer},
		{name: "pinned, not advertised", pin: func(*fakeBC5) string { return "https://bc5-other.example" }, hard: auth.SettingIssuer},
		{name: "pinned, dark", setup: func(f *fakeBC5) { f.b.SetDark(true) },
			pin: func(f *fakeBC5) string { return f.b.Issuer }, hard: auth.SettingIssuer},

		// BC5 chosen, then anything wrong: hard, and nothing to Launchpad.
		{name: "issuer not https", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{"http://bc5.example"}) }, hard: auth.SettingResource},
		{name: "issuer with a path", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{f.b.Issuer + "/oauth"}) }, hard: auth.SettingResource},
		{name: "a Launchpad look-alike with a path", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{f.s.URL + "/x"}) }, hard: auth.SettingResource},
		{name: "issuer with a query", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{f.b.Issuer + "?a=b"}) }, hard: auth.SettingResource},
		{name: "issuer with a fragment", setup: func(f *fakeBC5) { f.b.AdvertiseIssuers([]string{f.b.Issuer + "#f"}) }, hard: auth.SettingResource},
		{name: "issuer with user info", setup: func(f *fakeBC5) {
			f.b.AdvertiseIssuers([]string{strings.Replace(f.b.Issuer, "://", "://u@", 1)})
		}, hard: auth.SettingResource},
		{name: "metadata fails to load", setup: func(f *fakeBC5) {
			f.b.InjectFault(launchpadtest.BC5IssuerMetadata, launchpadtest.Fault{Status: 503})
		}, hard: auth.SettingResource},
		{name: "metadata not JSON", setup: func(f *fakeBC5) {
			f.b.InjectFault(launchpadtest.BC5IssuerMetadata, launchpadtest.Fault{Status: 200, Body: "{"})
		}, hard: auth.SettingResource},
		{name: "issuer differs", setup: func(f *fakeBC5) {
			f.b.SetMetadata(func(doc map[string]any) { doc["issuer"] = f.b.Issuer + "/" })
		}, hard: auth.SettingResource},
		{name: "no device endpoint", setup: func(f *fakeBC5) {
			f.b.SetMetadata(func(doc map[string]any) { delete(doc, "device_authorization_endpoint") })
		}, hard: auth.SettingResource},
		{name: "no token endpoint", setup: func(f *fakeBC5) {
			f.b.SetMetadata(func(doc map[string]any) { delete(doc, "token_endpoint") })
		}, hard: auth.SettingResource},
		{name: "an empty revocation endpoint", setup: func(f *fakeBC5) {
			f.b.SetMetadata(func(doc map[string]any) { doc["revocation_endpoint"] = "" })
		}, hard: auth.SettingResource},
		{name: "an issuer at a private address", setup: func(f *fakeBC5) {
			f.b.AdvertiseIssuers([]string{"https://192.168.1.10"})
		}, hard: auth.SettingResource, err: auth.ErrPrivateAddress},
		{name: "a token endpoint at a private address", setup: func(f *fakeBC5) {
			f.b.SetMetadata(func(doc map[string]any) { doc["token_endpoint"] = "https://10.0.0.8/oauth/token" })
		}, hard: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBC5(t, launchpadtest.BC5Options{})
			if tc.setup != nil {
				tc.setup(f)
			}
			pin := ""
			if tc.pin != nil {
				pin = tc.pin(f)
			}
			d, err := f.discover(pin)
			switch {
			case tc.hard != "":
				var de *auth.DiscoveryError
				if !errors.As(err, &de) || de.Setting != tc.hard {
					t.Fatalf("Discover = %+v, %v; want a *DiscoveryError naming %s", d, err, tc.hard)
				}
				if tc.err != nil && !errors.Is(err, tc.err) {
					t.Fatalf("%v does not wrap %v", err, tc.err)
				}
			case tc.soft != "":
				wantLaunchpad(t, d, err, tc.soft)
				// The login goes to Launchpad: a refresh is sent there.
				_, rerr := f.client(t, d.Server).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "lp-refresh"})
				if !auth.NeedsLogin(rerr) {
					t.Fatalf("a refresh after the fallback: %v", rerr)
				}
				if n := f.s.Requests(launchpadtest.EndpointToken); n != 1 {
					t.Fatalf("Launchpad's token endpoint got %d requests, want 1", n)
				}
				if n := f.bc5Requests(); n != 0 {
					t.Fatalf("BC5 got %d requests after a fallback", n)
				}
				return
			default:
				// BC5 is chosen and its token endpoint is refused where
				// the connection is made: hard, and no credential leaves.
				if err != nil || !d.Server.IsBC5() {
					t.Fatalf("Discover = %+v, %v", d, err)
				}
				_, rerr := f.client(t, d.Server).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "bc_rt_x"})
				if !errors.Is(rerr, auth.ErrPrivateAddress) {
					t.Fatalf("a refresh to a private token endpoint: %v", rerr)
				}
			}
			if n := f.launchpadRequests(); n != 0 {
				t.Fatalf("Launchpad got %d requests on a hard row", n)
			}
			if n := f.b.Requests(launchpadtest.BC5Device) + f.b.Requests(launchpadtest.BC5Token); n != 0 {
				t.Fatalf("BC5's credential endpoints got %d requests on a hard row", n)
			}
		})
	}
}

// TestBC5LoginThroughTheFake logs in with the device code, reads who the
// token belongs to, refreshes twice (the resource carried forward and
// echoed), and revokes: Launchpad is never asked.
func TestBC5LoginThroughTheFake(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{})
	d, err := f.discover("")
	if err != nil || !d.Server.IsBC5() || d.Server.Issuer != f.b.Issuer {
		t.Fatalf("Discover = %+v, %v", d, err)
	}
	want := auth.Server{Kind: auth.ServerBC5, Issuer: f.b.Issuer, TokenEndpoint: f.b.TokenEndpoint,
		DeviceAuthorizationEndpoint: f.b.DeviceAuthorizationEndpoint, RevocationEndpoint: f.b.RevocationEndpoint,
		AuthorizationURL: f.b.AuthorizationURL, Resource: f.b.Resource}
	if d.Server != want {
		t.Fatalf("Server = %+v, want %+v", d.Server, want)
	}
	c := f.client(t, d.Server)
	tok := f.login(t, c, auth.ScopeFull)
	resource := auth.Resource(tok)
	if !strings.HasPrefix(resource, "urn:bc:account:") || !strings.HasPrefix(tok.AccessToken, "bc_at_") {
		t.Fatalf("token %+v, resource %q", tok, resource)
	}
	if got := f.pauses.got(); len(got) != 1 || got[0] != 5*time.Second {
		t.Fatalf("waits %v, want one interval", got)
	}

	a, err := c.Whose(context.Background(), tok.AccessToken)
	if err != nil || a.Identity.ID != f.s.Identity().ID {
		t.Fatalf("Whose = %+v, %v", a, err)
	}
	if f.b.Requests(launchpadtest.BC5Authorization) != 1 || c.AuthorizationURL() != f.b.AuthorizationURL {
		t.Fatalf("authorization.json asked at %q, %d times at the issuer", c.AuthorizationURL(), f.b.Requests(launchpadtest.BC5Authorization))
	}

	d1 := &disk{}
	d1.set(tok, nil)
	ts := c.TokenSource(tok, nil, auth.WithLoad(d1.load), auth.WithSaveFrom(d1.save))
	f.clock.Advance(2 * time.Hour)
	tok2, err := ts.Token(context.Background())
	if err != nil || tok2.AccessToken == tok.AccessToken || tok2.RefreshToken == tok.RefreshToken || auth.Resource(tok2) != resource {
		t.Fatalf("refreshed %+v (resource %q), %v", tok2, auth.Resource(tok2), err)
	}
	// An answer without the resource keeps the login's.
	f.b.EditTokenAnswers(func(a map[string]any) { delete(a, "resource") })
	f.clock.Advance(2 * time.Hour)
	tok3, err := ts.Token(context.Background())
	if err != nil || auth.Resource(tok3) != resource || auth.Resource(d1.tok) != resource {
		t.Fatalf("refreshed %+v (resource %q), %v", tok3, auth.Resource(tok3), err)
	}
	log := f.b.RequestLog(launchpadtest.BC5Token)
	refreshes := 0
	for _, r := range log {
		if r.Body.Get("grant_type") == "refresh_token" {
			refreshes++
			if r.Body.Get("resource") != resource || r.Body.Get("client_id") != f.b.Options().ClientID || r.Body.Has("client_secret") {
				t.Errorf("refresh sent %v", r.Body)
			}
		}
	}
	if refreshes != 2 || f.b.RefreshTokenUses() != 2 || f.b.ReuseDetected() != 0 {
		t.Fatalf("%d refreshes logged, %d uses, %d reuses", refreshes, f.b.RefreshTokenUses(), f.b.ReuseDetected())
	}

	ok, err := c.Revoke(context.Background(), tok3.RefreshToken)
	if !ok || err != nil || f.b.Revocations() != 1 {
		t.Fatalf("Revoke = %v, %v; %d revocations", ok, err, f.b.Revocations())
	}
	if _, err := c.RefreshToken(context.Background(), tok3); !auth.NeedsLogin(err) {
		t.Fatalf("a refresh after the revocation: %v", err)
	}
	if n := f.launchpadRequests(); n != 0 {
		t.Fatalf("Launchpad got %d requests during a BC5 login", n)
	}
}

func TestBC5DeviceAnswersThroughTheFake(t *testing.T) {
	t.Run("denied", func(t *testing.T) {
		f := newFakeBC5(t, launchpadtest.BC5Options{})
		d, _ := f.discover("")
		c := f.client(t, d.Server)
		dc, err := c.StartDevice(context.Background(), auth.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.b.Deny(context.Background(), dc.UserCode); err != nil {
			t.Fatal(err)
		}
		var de *auth.DeniedError
		if _, err := c.PollDevice(context.Background(), dc); !errors.As(err, &de) {
			t.Fatalf("PollDevice = %v, want a *DeniedError", err)
		}
	})
	t.Run("dark after discovery", func(t *testing.T) {
		f := newFakeBC5(t, launchpadtest.BC5Options{})
		d, _ := f.discover("")
		f.b.SetDark(true)
		if _, err := f.client(t, d.Server).StartDevice(context.Background(), auth.ScopeRead); !errors.Is(err, auth.ErrBC5Dark) {
			t.Fatalf("StartDevice = %v, want ErrBC5Dark", err)
		}
	})
	t.Run("never approved: no poll after the end", func(t *testing.T) {
		f := newFakeBC5(t, launchpadtest.BC5Options{DeviceCodeTTL: 30 * time.Second})
		d, _ := f.discover("")
		c := f.client(t, d.Server)
		dc, err := c.StartDevice(context.Background(), auth.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PollDevice(context.Background(), dc); !errors.Is(err, auth.ErrDeviceExpired) {
			t.Fatalf("PollDevice = %v", err)
		}
		if f.b.LatePolls() != 0 || f.b.Polls() != 5 {
			t.Fatalf("%d polls, %d late", f.b.Polls(), f.b.LatePolls())
		}
	})
	t.Run("slow_down and 429 from the fake", func(t *testing.T) {
		f := newFakeBC5(t, launchpadtest.BC5Options{})
		d, _ := f.discover("")
		c := f.client(t, d.Server)
		dc, err := c.StartDevice(context.Background(), auth.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		f.b.SlowDownNext(1)
		f.b.TooManyRequests(20 * time.Second)
		if err := f.b.Approve(context.Background(), dc.UserCode); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PollDevice(context.Background(), dc); err != nil {
			t.Fatal(err)
		}
		// 429 first (wait max(5, 20)), then slow_down (interval 10).
		if got, want := f.pauses.got(), seconds(5, 20, 10); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	})
}

// TestBC5SeveralAccountsNeedTheResource: a refresh token covering several
// accounts is refused without a resource, which is no refusal of the
// login; with the resource it refreshes.
func TestBC5SeveralAccountsNeedTheResource(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	issued, err := f.b.IssueLogin("read", "")
	if err != nil {
		t.Fatal(err)
	}
	tok := &oauth2.Token{AccessToken: issued.AccessToken, RefreshToken: issued.RefreshToken, Expiry: issued.Expiry}
	_, err = c.RefreshToken(context.Background(), tok)
	if err == nil || auth.NeedsLogin(err) {
		t.Skipf("the first person's login covers one account here (%v)", err)
	}
	got, err := c.RefreshToken(context.Background(), auth.WithResource(tok, issued.Resource))
	if err != nil || auth.Resource(got) != issued.Resource {
		t.Fatalf("with the resource: %+v, %v", got, err)
	}
}

// TestBC5ReuseEndsTheLogin: a spent refresh token presented after the
// grace window is "token reuse detected", a refusal recorded once and
// never sent again.
func TestBC5ReuseEndsTheLogin(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{ReuseGrace: -1})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	tok := f.login(t, c, auth.ScopeRead)
	if _, err := c.RefreshToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	stale := *tok
	stale.Expiry = f.clock.Now().Add(-time.Minute)
	refused := 0
	ts := c.TokenSource(&stale, nil, auth.WithRefused(func(_ context.Context, _ string, err error) error { refused++; return err }))
	for range 2 {
		if _, err := ts.Token(context.Background()); !auth.NeedsLogin(err) || !strings.Contains(err.Error(), launchpadtest.BC5ReuseDetected) {
			t.Fatalf("Token = %v, want the login refused for reuse", err)
		}
	}
	if refused != 1 || f.b.ReuseDetected() != 1 || f.b.RefreshRequests() != 2 {
		t.Fatalf("refused %d, reuse %d, refresh requests %d", refused, f.b.ReuseDetected(), f.b.RefreshRequests())
	}
}

// TestBC5TwoProcessesShareOneRotation: two sources over one stored login
// and one lock, both due: one refreshes, the other adopts its pair, and
// no spent refresh token is ever presented.
func TestBC5TwoProcessesShareOneRotation(t *testing.T) {
	f := newFakeBC5(t, launchpadtest.BC5Options{ReuseGrace: -1})
	d, _ := f.discover("")
	c := f.client(t, d.Server)
	tok := f.login(t, c, auth.ScopeRead)
	store := &disk{}
	store.set(tok, nil)
	lock := make(chan struct{}, 1)
	take := func(ctx context.Context) (func(), error) {
		lock <- struct{}{}
		return func() { <-lock }, nil
	}
	a := c.TokenSource(tok, nil, auth.WithLoad(store.load), auth.WithSaveFrom(store.save), auth.WithLock(take))
	b := c.TokenSource(tok, nil, auth.WithLoad(store.load), auth.WithSaveFrom(store.save), auth.WithLock(take))
	f.clock.Advance(2 * time.Hour)
	ta, err := a.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token(context.Background())
	if err != nil || tb.AccessToken != ta.AccessToken {
		t.Fatalf("the second source: %+v, %v; want the first one's pair", tb, err)
	}
	if f.b.RefreshRequests() != 1 || f.b.ReuseDetected() != 0 || f.b.Revoked() {
		t.Fatalf("%d refreshes, %d reuses, revoked %v", f.b.RefreshRequests(), f.b.ReuseDetected(), f.b.Revoked())
	}
}
