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

// TestTokenSourceKeepsTokenItCouldNotSave: a refresh whose save fails still
// hands out, and keeps, the new token. Where Launchpad rotates refresh
// tokens the old one is dead by then, so dropping the new token would lose
// the login.
func TestTokenSourceKeepsTokenItCouldNotSave(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now, RotateRefreshTokens: true}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	orig := pasteLogin(t, h)
	stale := *orig
	stale.Expiry = clk.Now()
	disk := errors.New("disk full")
	s := saves{fail: disk}
	ts := h.client.TokenSource(&stale, s.save)
	tok, err := ts.Token(t.Context())
	var se *auth.SaveError
	if tok == nil || !errors.As(err, &se) || !errors.Is(err, disk) {
		t.Fatalf("Token with a failing save: %v, %v; want the new token and a *auth.SaveError wrapping the save's error", tok, err)
	}
	if !strings.Contains(err.Error(), "could not save") {
		t.Errorf("message %q does not say the token was not saved", err)
	}
	if tok.AccessToken == orig.AccessToken || tok.RefreshToken == orig.RefreshToken {
		t.Fatalf("token %+v: want a new access and (rotated) refresh token", tok)
	}
	if ts.Refreshed().IsZero() {
		t.Error("the refresh does not count")
	}
	// The source uses the new token from now on, without refreshing again.
	again, err := ts.Token(t.Context())
	if err != nil || again.AccessToken != tok.AccessToken {
		t.Fatalf("Token again: %v, %v; want the unsaved token without an error", again, err)
	}
	if n := len(h.fake.TokenRequests()); n != 2 {
		t.Errorf("%d token requests, want 2 (exchange, one refresh)", n)
	}
	// The login lives on: the next refresh spends the rotated refresh
	// token, which Launchpad accepts, and saves once saving works.
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	next, err := ts.Refresh(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatalf("refresh after an unsaved rotation: %v", err)
	}
	if reqs := h.fake.TokenRequests(); reqs[len(reqs)-1].Get("refresh_token") != tok.RefreshToken {
		t.Errorf("refreshed with %q, want the rotated %q", reqs[len(reqs)-1].Get("refresh_token"), tok.RefreshToken)
	}
	if saved := s.all(); len(saved) != 1 || saved[0].AccessToken != next.AccessToken {
		t.Errorf("saved %v, want %v", saved, next)
	}
}

// TestDoUsesTokenItCouldNotSave: Do goes on with an unsaved token and
// reports the *SaveError only when fn itself succeeded.
func TestDoUsesTokenItCouldNotSave(t *testing.T) {
	h := newHarness(t, setup{fake: launchpadtest.Options{RotateRefreshTokens: true}})
	orig := pasteLogin(t, h)
	disk := errors.New("disk full")
	s := saves{fail: disk}
	ts := h.client.TokenSource(orig, s.save)
	h.fake.ExpireAccessTokens()

	a, err := h.client.Authorization(t.Context(), ts)
	var se *auth.SaveError
	if a == nil || a.Identity.ID != h.fake.Identity().ID || !errors.As(err, &se) {
		t.Fatalf("Authorization with an unsaved refresh: %+v, %v; want the answer and a *auth.SaveError", a, err)
	}
	if n := h.fake.Requests(launchpadtest.EndpointAuthorization); n != 2 {
		t.Errorf("%d authorization.json requests, want 2 (expired, retry with the unsaved token)", n)
	}

	t.Run("fn's error wins", func(t *testing.T) {
		tok := pasteLogin(t, h)
		tok.Expiry = time.Now().Add(-time.Hour)
		ts := h.client.TokenSource(tok, s.save)
		boom := errors.New("boom")
		var got string
		err := ts.Do(t.Context(), func(access string) error { got = access; return boom })
		if !errors.Is(err, boom) || errors.As(err, &se) {
			t.Errorf("Do = %v, want fn's error", err)
		}
		if got == "" || got == tok.AccessToken {
			t.Errorf("fn got %q, want the refreshed token", got)
		}
	})
}

// memStore is a token store shared by TokenSources in one test, standing in
// for state.json shared by several bcauth processes.
type memStore struct {
	mu    sync.Mutex
	tok   oauth2.Token
	froms []string
}

func (m *memStore) load(context.Context) (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tok
	return &t, nil
}

func (m *memStore) save(_ context.Context, from string, tok *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = *tok
	m.froms = append(m.froms, from)
	return nil
}

func (m *memStore) get() oauth2.Token {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tok
}

func (m *memStore) source(c *auth.Client, load auth.LoadFunc) *auth.TokenSource {
	t := m.get()
	if load == nil {
		load = m.load
	}
	return c.TokenSource(&t, nil, auth.WithLoad(load), auth.WithSaveFrom(m.save))
}

// TestTokenSourcesShareARotatingLogin has two sources, as in two bcauth
// processes, share one stored login while Launchpad rotates refresh tokens.
// Each adopts what the other stored instead of spending a refresh token the
// other already spent, and the login survives every turn.
func TestTokenSourcesShareARotatingLogin(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now, RotateRefreshTokens: true}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	m := &memStore{tok: *pasteLogin(t, h)}
	a, b := m.source(h.client, nil), m.source(h.client, nil)
	refreshes := func() int { return len(h.fake.TokenRequests()) - 1 }

	for turn, first := range []*auth.TokenSource{a, b, a, b} {
		second := b
		if first == b {
			second = a
		}
		clk.Advance(launchpadtest.DefaultAccessTTL) // both hold an expired token
		before := refreshes()
		tok, err := first.Token(t.Context())
		if err != nil {
			t.Fatalf("turn %d: first source: %v", turn, err)
		}
		if stored := m.get(); stored.AccessToken != tok.AccessToken || stored.RefreshToken != tok.RefreshToken {
			t.Fatalf("turn %d: stored %+v, want the refreshed %+v", turn, stored, tok)
		}
		other, err := second.Token(t.Context())
		if err != nil {
			t.Fatalf("turn %d: second source lost the login: %v", turn, err)
		}
		if other.AccessToken != tok.AccessToken {
			t.Errorf("turn %d: second source has %q, want the stored %q", turn, other.AccessToken, tok.AccessToken)
		}
		if n := refreshes() - before; n != 1 {
			t.Errorf("turn %d: %d refreshes, want 1", turn, n)
		}
	}

	// An API calls the token expired in one source: it refreshes; the
	// other, told the same about the same token, adopts the result.
	cur := m.get()
	tok, err := a.Refresh(t.Context(), cur.AccessToken)
	if err != nil || tok.AccessToken == cur.AccessToken {
		t.Fatalf("forced refresh: %v, %v", tok, err)
	}
	other, err := b.Refresh(t.Context(), cur.AccessToken)
	if err != nil || other.AccessToken != tok.AccessToken {
		t.Fatalf("second forced refresh: %v, %v; want the first one's %q", other, err, tok.AccessToken)
	}
	if n := refreshes(); n != 5 {
		t.Errorf("%d refreshes in all, want 5", n)
	}
	m.mu.Lock()
	froms := m.froms
	m.mu.Unlock()
	if len(froms) != 5 || froms[len(froms)-1] != cur.AccessToken {
		t.Errorf("saves were told they refreshed from %q, want the last one from %q", froms, cur.AccessToken)
	}
}

// TestTokenSourceRecoversFromARaceLost: another source refreshes between this
// one's load and its refresh, spending the rotated refresh token. Launchpad
// refuses the spent one, and the source takes the login the other stored
// rather than call it dead.
func TestTokenSourceRecoversFromARaceLost(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now, RotateRefreshTokens: true}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	m := &memStore{tok: *pasteLogin(t, h)}
	a := m.source(h.client, nil)
	var once sync.Once
	b := m.source(h.client, func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := m.load(ctx)
		// Right after b read the store, a refreshes and stores.
		once.Do(func() {
			if _, err := a.Token(ctx); err != nil {
				t.Errorf("a: %v", err)
			}
		})
		return tok, err
	})
	clk.Advance(launchpadtest.DefaultAccessTTL)
	tok, err := b.Token(t.Context())
	if err != nil {
		t.Fatalf("b lost the race and the login: %v", err)
	}
	if stored := m.get(); tok.AccessToken != stored.AccessToken {
		t.Errorf("b has %q, want a's stored %q", tok.AccessToken, stored.AccessToken)
	}
	// Exchange, a's refresh, b's refused one; b then adopts a's token.
	if n := len(h.fake.TokenRequests()); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}

	t.Run("dead login", func(t *testing.T) {
		h.fake.RevokeAll()
		clk.Advance(launchpadtest.DefaultAccessTTL)
		before := len(h.fake.TokenRequests())
		if _, err := b.Token(t.Context()); !auth.NeedsLogin(err) {
			t.Errorf("Token after revocation: %v, want a relogin error", err)
		}
		if n := len(h.fake.TokenRequests()) - before; n != 1 {
			t.Errorf("%d token requests, want 1: nothing newer was stored", n)
		}
	})
}

// TestTokenSourceLoadFails: a source that cannot read the store does not
// refresh blind.
func TestTokenSourceLoadFails(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}, opts: []auth.Option{auth.WithClock(clk.Now)}})
	tok := pasteLogin(t, h)
	gone := errors.New("logged out")
	ts := h.client.TokenSource(tok, nil, auth.WithLoad(func(context.Context) (*oauth2.Token, error) { return nil, gone }))
	clk.Advance(launchpadtest.DefaultAccessTTL)
	if got, err := ts.Token(t.Context()); got != nil || !errors.Is(err, gone) {
		t.Errorf("Token = %v, %v; want the load's error", got, err)
	}
	if n := len(h.fake.TokenRequests()); n != 1 {
		t.Errorf("%d token requests, want only the exchange", n)
	}
	// Nothing stored yet: the source refreshes its own token.
	ts = h.client.TokenSource(tok, nil, auth.WithLoad(func(context.Context) (*oauth2.Token, error) { return nil, nil }))
	if got, err := ts.Token(t.Context()); err != nil || got.AccessToken == tok.AccessToken {
		t.Errorf("Token with nothing stored = %v, %v", got, err)
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
		{"invalid_grant naming the client", func(h *harness) {
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: 400, Body: `{"error":"invalid_grant","error_description":"refresh token was not issued to this client_id"}`, ContentType: js, Times: 1})
		}, "invalid_grant: refresh token was not issued to this client_id", auth.KindRelogin},
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

			// A definitive refusal is never sent again: Basecamp bans a
			// client that retries one.
			before := h.fake.RefreshRequests()
			tok, err = ts.Token(t.Context())
			if tt.kind == auth.KindRelogin {
				if !auth.NeedsLogin(err) || tok != nil {
					t.Errorf("second refresh after a refusal: %v, %v", tok, err)
				}
				if n := h.fake.RefreshRequests() - before; n != 0 {
					t.Errorf("the refused refresh token was sent %d more times", n)
				}
				return
			}
			// Otherwise the source kept its refresh token: the next try
			// sends it again and succeeds with it.
			reqs := h.fake.TokenRequests()
			if last := reqs[len(reqs)-1]; last.Get("refresh_token") != orig.RefreshToken {
				t.Errorf("second refresh sent refresh token %q, want the original", last.Get("refresh_token"))
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
	// Launchpad was not asked, so this is no refusal: a refusal is
	// recorded for good, and only Launchpad's own answer may be.
	if !errors.Is(err, auth.ErrNoRefreshToken) || auth.NeedsLogin(err) {
		t.Errorf("Refresh(\"\") = %v, want ErrNoRefreshToken and no relogin error", err)
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
