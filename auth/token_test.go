package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"

	"golang.org/x/oauth2"
)

// pasteLogin logs in the quick way, without a listener.
func pasteLogin(t *testing.T, h *harness) *oauth2.Token {
	t.Helper()
	l, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := l.Paste(t.Context(), h.approve(t, l))
	if err != nil {
		t.Fatalf("Paste: %v", err)
	}
	return tok
}

// saves records what a TokenSource saved, and can be told to fail.
type saves struct {
	mu   sync.Mutex
	toks []*oauth2.Token
	fail error
}

func (s *saves) save(_ context.Context, tok *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	t := *tok
	s.toks = append(s.toks, &t)
	return nil
}

func (s *saves) all() []*oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*oauth2.Token(nil), s.toks...)
}

func TestTokenSourceRefreshWindow(t *testing.T) {
	tests := []struct {
		name     string
		expiry   time.Duration // from now; 0 with noExpiry means none
		noExpiry bool
		noAccess bool
		refresh  bool
	}{
		{name: "fresh", expiry: time.Hour},
		{name: "a second outside the window", expiry: auth.RefreshWindow + time.Second},
		{name: "at the window", expiry: auth.RefreshWindow, refresh: true},
		{name: "inside the window", expiry: 4 * time.Minute, refresh: true},
		{name: "expired", expiry: -time.Hour, refresh: true},
		{name: "no expiry", noExpiry: true},
		{name: "no access token", expiry: time.Hour, noAccess: true, refresh: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
			orig := pasteLogin(t, h)
			start := *orig
			start.Expiry = clk.Now().Add(tt.expiry)
			if tt.noExpiry {
				start.Expiry = time.Time{}
			}
			if tt.noAccess {
				start.AccessToken = ""
			}
			var s saves
			ts := h.client.TokenSource(&start, s.save)
			before := len(h.fake.TokenRequests())

			tok, err := ts.Token(t.Context())
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			reqs := h.fake.TokenRequests()[before:]
			saved := s.all()
			if !tt.refresh {
				if len(reqs) != 0 || len(saved) != 0 || tok.AccessToken != start.AccessToken || !ts.Refreshed().IsZero() {
					t.Fatalf("refreshed a token %v from expiry: %d requests, %d saves", tt.expiry, len(reqs), len(saved))
				}
				return
			}
			if len(reqs) != 1 || reqs[0].Get("grant_type") != "refresh_token" || reqs[0].Get("refresh_token") != orig.RefreshToken {
				t.Fatalf("token requests %v, want one refresh with the original refresh token", reqs)
			}
			if tok.AccessToken == orig.AccessToken || tok.AccessToken == "" {
				t.Errorf("access token not renewed: %q", tok.AccessToken)
			}
			if tok.RefreshToken != orig.RefreshToken {
				t.Errorf("refresh token %q, want the old %q kept (Launchpad leaves it out)", tok.RefreshToken, orig.RefreshToken)
			}
			if tok.TokenType != "Bearer" {
				t.Errorf("token_type %q, want Bearer", tok.TokenType)
			}
			if want := clk.Now().Add(launchpadtest.DefaultAccessTTL); !tok.Expiry.Equal(want) {
				t.Errorf("expiry %v, want %v on the client's clock", tok.Expiry, want)
			}
			if len(saved) != 1 || saved[0].AccessToken != tok.AccessToken || saved[0].RefreshToken != orig.RefreshToken {
				t.Errorf("saved %+v, want the returned token with the old refresh token", saved)
			}
			if !ts.Refreshed().Equal(clk.Now()) {
				t.Errorf("Refreshed() = %v", ts.Refreshed())
			}
			// The new token is fresh: no second refresh.
			if again, err := ts.Token(t.Context()); err != nil || again.AccessToken != tok.AccessToken {
				t.Errorf("second Token: %v, %v", again, err)
			}
			if n := len(h.fake.TokenRequests()) - before; n != 1 {
				t.Errorf("%d refreshes, want 1", n)
			}
		})
	}
}

// TestTokenSourceSharedClock runs the client on the fake's clock, as the demo
// does, far from the wall clock: a fresh login is not refreshed, and one near
// its expiry on that clock is.
func TestTokenSourceSharedClock(t *testing.T) {
	clk := newClock()
	clk.Advance(-5 * 365 * 24 * time.Hour)
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	ts := h.client.TokenSource(pasteLogin(t, h), nil)
	first, err := ts.Token(t.Context())
	if err != nil || !ts.Refreshed().IsZero() {
		t.Fatalf("fresh token refreshed: %v", err)
	}
	clk.Advance(launchpadtest.DefaultAccessTTL - auth.RefreshWindow + time.Second)
	tok, err := ts.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken {
		t.Error("a token within the refresh window of its expiry on the shared clock was not refreshed")
	}
}

func TestTokenSourceSavesBeforeUse(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	orig := pasteLogin(t, h)
	stale := *orig
	stale.Expiry = clk.Now()
	s := saves{fail: errors.New("disk full")}
	ts := h.client.TokenSource(&stale, s.save)
	tok, err := ts.Token(t.Context())
	if tok != nil || err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Token with a failing save: %v, %v; want the save's error and no token", tok, err)
	}
	if !ts.Refreshed().IsZero() {
		t.Error("the source adopted a token it could not save")
	}
	// The source still holds the stale token: once saving works, it refreshes
	// again and the saved token is the one returned.
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	tok, err = ts.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	saved := s.all()
	if len(saved) != 1 || saved[0].AccessToken != tok.AccessToken {
		t.Errorf("saved %v, returned %v", saved, tok)
	}
	if n := len(h.fake.TokenRequests()); n != 3 {
		t.Errorf("%d token requests, want 3 (exchange, two refreshes)", n)
	}
}

func TestRefreshFailures(t *testing.T) {
	const js = "application/json; charset=utf-8"
	tests := []struct {
		name  string
		spoil func(h *harness)
		text  string
		kind  auth.Kind
	}{
		{"rekeyed deadbolt", func(h *harness) { h.fake.RevokeAll() },
			"This Basecamp ID rekeyed its deadbolt.", auth.KindRelogin},
		{"authorization_expired", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 400, Body: `{"error":"authorization_expired"}`, ContentType: js, Times: 1})
		}, "authorization_expired", auth.KindRelogin},
		{"invalid_grant", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 400, Body: `{"error":"invalid_grant","error_description":"The refresh token is no longer valid"}`, ContentType: js, Times: 1})
		}, "invalid_grant: The refresh token is no longer valid", auth.KindRelogin},
		{"500", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 500, Body: "Internal Server Error", Times: 1})
		}, "Internal Server Error", auth.KindRetry},
		{"503 json", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 503, Body: `{"status":503,"error":"Service Unavailable"}`, ContentType: js, Times: 1})
		}, "Service Unavailable", auth.KindRetry},
		{"missing client_id", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 400, Body: "Missing client_id", Times: 1})
		}, "Missing client_id", auth.KindConfig},
		{"not found", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 404, Body: `{"status":404,"error":"Not Found"}`, ContentType: js, Times: 1})
		}, "Not Found", auth.KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
			orig := pasteLogin(t, h)
			stale := *orig
			stale.Expiry = clk.Now().Add(time.Minute)
			var s saves
			ts := h.client.TokenSource(&stale, s.save)
			tt.spoil(h)

			tok, err := ts.Token(t.Context())
			if tok != nil {
				t.Fatalf("got a token: %+v", tok)
			}
			le := asLaunchpad(t, err)
			if le.Op != auth.OpRefresh || le.Kind != tt.kind || !strings.Contains(le.Text, tt.text) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %v (op %q, kind %d, text %q), want kind %d with %q", err, le.Op, le.Kind, le.Text, tt.kind, tt.text)
			}
			if auth.NeedsLogin(err) != (tt.kind == auth.KindRelogin) || auth.Temporary(err) != (tt.kind == auth.KindRetry) {
				t.Errorf("NeedsLogin %v Temporary %v for kind %d", auth.NeedsLogin(err), auth.Temporary(err), tt.kind)
			}
			if le.Advice() == "" && tt.kind != auth.KindOther {
				t.Error("no advice")
			}
			if len(s.all()) != 0 {
				t.Error("a failed refresh called save")
			}
			if !ts.Refreshed().IsZero() {
				t.Error("a failed refresh counts as a refresh")
			}

			// The source kept its refresh token: the next try sends it again
			// and, unless the login is dead, succeeds with it.
			tok, err = ts.Token(t.Context())
			reqs := h.fake.TokenRequests()
			if last := reqs[len(reqs)-1]; last.Get("refresh_token") != orig.RefreshToken {
				t.Errorf("second refresh sent refresh token %q, want the original", last.Get("refresh_token"))
			}
			if tt.kind == auth.KindRelogin && tt.name == "rekeyed deadbolt" {
				if !auth.NeedsLogin(err) {
					t.Errorf("second refresh after revocation: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("second refresh: %v", err)
			}
			if tok.RefreshToken != orig.RefreshToken || tok.AccessToken == orig.AccessToken {
				t.Errorf("token after recovery %+v", tok)
			}
			if saved := s.all(); len(saved) != 1 || saved[0].RefreshToken != orig.RefreshToken {
				t.Errorf("saved %+v, want one token with the original refresh token", saved)
			}
		})
	}
}

func TestRefreshWithoutRefreshToken(t *testing.T) {
	h := newHarness(t, setup{})
	_, err := h.client.Refresh(t.Context(), "")
	if !auth.NeedsLogin(err) {
		t.Errorf("Refresh(\"\") = %v, want a relogin error", err)
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests for nothing", n)
	}
}

// TestDoRefreshesExpiredToken has an API call the fake answers "expired":
// Do refreshes once and retries.
func TestDoRefreshesExpiredToken(t *testing.T) {
	h := newHarness(t, setup{})
	orig := pasteLogin(t, h)
	var s saves
	ts := h.client.TokenSource(orig, s.save)
	h.fake.ExpireAccessTokens()

	a, err := h.client.Authorization(t.Context(), ts)
	if err != nil {
		t.Fatalf("Authorization with an expired token: %v", err)
	}
	if a.Identity.ID != h.fake.Identity().ID {
		t.Errorf("identity %+v", a.Identity)
	}
	if n := h.fake.Requests(launchpadtest.EndpointAuthorization); n != 2 {
		t.Errorf("%d authorization.json requests, want 2 (expired, retry)", n)
	}
	if reqs := h.fake.TokenRequests(); len(reqs) != 2 || reqs[1].Get("grant_type") != "refresh_token" {
		t.Errorf("token requests %v, want the exchange and one refresh", reqs)
	}
	saved := s.all()
	if len(saved) != 1 || saved[0].RefreshToken != orig.RefreshToken {
		t.Fatalf("saved %+v", saved)
	}
	sent := h.sent.to("/authorization.json")
	if len(sent) != 2 || sent[0].header.Get("Authorization") != "Bearer "+orig.AccessToken || sent[1].header.Get("Authorization") != "Bearer "+saved[0].AccessToken {
		t.Errorf("authorization.json was not retried with the new token")
	}

	t.Run("only once", func(t *testing.T) {
		// Launchpad keeps saying expired: one refresh, one retry, then the error.
		h.fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: 401, Body: `{"error":"OAuth token expired (old age), please reauthorize"}`, ContentType: "application/json"})
		defer h.fake.ClearFaults()
		beforeTok, beforeAuth := len(h.fake.TokenRequests()), h.fake.Requests(launchpadtest.EndpointAuthorization)
		_, err := h.client.Authorization(t.Context(), ts)
		if !auth.IsExpiredToken(err) {
			t.Errorf("err %v, want the expired-token error", err)
		}
		if n := len(h.fake.TokenRequests()) - beforeTok; n != 1 {
			t.Errorf("%d refreshes, want 1", n)
		}
		if n := h.fake.Requests(launchpadtest.EndpointAuthorization) - beforeAuth; n != 2 {
			t.Errorf("%d authorization.json requests, want 2", n)
		}
	})
}

// TestConcurrentRefresh has several callers find the token stale at once:
// one refresh serves them all.
func TestConcurrentRefresh(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	orig := pasteLogin(t, h)
	stale := *orig
	stale.Expiry = clk.Now()
	var s saves
	ts := h.client.TokenSource(&stale, s.save)
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			tok, err := ts.Token(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = tok.AccessToken
		})
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] || g == orig.AccessToken {
			t.Fatalf("callers got different or stale tokens: %v", got)
		}
	}
	if n := len(s.all()); n != 1 {
		t.Errorf("%d saves, want 1", n)
	}
}
