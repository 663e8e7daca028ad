package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"

	"golang.org/x/oauth2"
)

// The edges of a BC5 client: its settings, the size of what it reads, and
// what it tells the token guard. Each test here stands against a wrong
// program mutation testing found the other tests let through.

// TestBC5ClientIDAtItsEdges: a client id is printable ASCII without
// spaces; DEL (0x7f) is the first character past it, "~" the last in.
func TestBC5ClientIDAtItsEdges(t *testing.T) {
	is := newIssuer(t)
	for id, ok := range map[string]bool{
		"bc5~client":    true,
		"!bc5-client":   true,
		"bc5\x7fclient": false,
		"bc5\x1fclient": false,
		"bc5 client":    false,
		"bc5\u00e9":     false,
	} {
		_, err := auth.New(auth.Config{ClientID: id, Server: is.server()})
		var se *auth.SettingError
		switch {
		case ok && err != nil:
			t.Errorf("client id %q: %v, want it accepted", id, err)
		case !ok && (!errors.As(err, &se) || se.Setting != auth.SettingBC5ClientID):
			t.Errorf("client id %q: %v, want a *SettingError naming %s", id, err, auth.SettingBC5ClientID)
		}
	}
}

// TestWithResourceKeepsTheScope: the scope a login was granted survives
// the store's round trip through WithResource, with or without a
// resource; an empty scope is not kept as one.
func TestWithResourceKeepsTheScope(t *testing.T) {
	tok := (&oauth2.Token{AccessToken: "a", RefreshToken: "r"}).WithExtra(map[string]any{"scope": "full"})
	for _, resource := range []string{"", "urn:bc:account:1"} {
		got := auth.WithResource(tok, resource)
		if s, _ := got.Extra("scope").(string); s != "full" {
			t.Errorf("WithResource(%q) lost the scope: %v", resource, got.Extra("scope"))
		}
		if auth.Resource(got) != resource {
			t.Errorf("WithResource(%q): resource %q", resource, auth.Resource(got))
		}
	}
	empty := (&oauth2.Token{AccessToken: "a"}).WithExtra(map[string]any{"scope": ""})
	if v := auth.WithResource(empty, "urn:bc:account:1").Extra("scope"); v != nil {
		t.Errorf("an empty scope came back as %#v, want none", v)
	}
}

// padTo is a token answer of exactly n bytes.
func padTo(t *testing.T, n int) string {
	t.Helper()
	head, tail := `{"access_token":"bc_at_2","refresh_token":"r2","expires_in":3600,"pad":"`, `"}`
	if n < len(head)+len(tail) {
		t.Fatalf("padTo(%d) is too short", n)
	}
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// TestBC5AnswerAtTheCap: an answer of exactly 1 MiB is read whole; one
// byte more is refused as too large, not read cut short.
func TestBC5AnswerAtTheCap(t *testing.T) {
	const limit = 1 << 20
	for _, tc := range []struct {
		size int
		ok   bool
	}{{limit, true}, {limit + 1, false}} {
		is := newIssuer(t)
		is.always(tokenPath, 200, padTo(t, tc.size))
		tok, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
		switch {
		case tc.ok && (err != nil || tok.AccessToken != "bc_at_2"):
			t.Errorf("an answer of %d bytes: %+v, %v; want it read", tc.size, tok, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB")):
			t.Errorf("an answer of %d bytes: %+v, %v; want it refused as too large", tc.size, tok, err)
		}
	}
}

// TestNewForTokenOnBC5: a BC5 login's access token alone (no client
// settings to check) gets a client that asks the issuer who it is; a
// server it could not use is refused.
func TestNewForTokenOnBC5(t *testing.T) {
	is := newIssuer(t)
	is.always(whoPath, 200, `{"identity":{"id":7,"first_name":"Ada","last_name":"L","email_address":"ada@example.com"},"accounts":[]}`)
	c, err := auth.NewForToken(auth.Config{Server: is.server(), HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatalf("NewForToken: %v", err)
	}
	if !c.Server().IsBC5() || c.AuthorizationURL() != is.srv.URL+whoPath {
		t.Fatalf("NewForToken made a client for %+v asking %s", c.Server(), c.AuthorizationURL())
	}
	a, err := c.Whose(context.Background(), "bc_at_1")
	if err != nil || a.Identity.ID != 7 {
		t.Fatalf("Whose = %+v, %v", a, err)
	}
	if len(is.sent(whoPath)) != 1 {
		t.Fatal("the issuer was not asked")
	}

	bad := is.server()
	bad.TokenEndpoint = "http://bc5.example/token"
	var se *auth.SettingError
	if _, err := auth.NewForToken(auth.Config{Server: bad}); !errors.As(err, &se) {
		t.Fatalf("NewForToken with a token endpoint on plain http: %v, want a *SettingError", err)
	}
	bad.Kind = "bc6"
	if _, err := auth.NewForToken(auth.Config{Server: bad}); !errors.As(err, &se) {
		t.Fatalf("NewForToken with an unknown kind: %v, want a *SettingError", err)
	}
}

// guardLog is a TokenGuard that lets everything through and records what
// it was told.
type guardLog struct {
	mu     sync.Mutex
	before []string
	after  []error
	refuse error // Before's answer
}

func (g *guardLog) Before(_ context.Context, fp string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.before = append(g.before, fp)
	return g.refuse
}

func (g *guardLog) After(_ context.Context, _ string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.after = append(g.after, err)
}

func (g *guardLog) told() []error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]error(nil), g.after...)
}

// TestBC5RefreshTellsTheGuard: the guard hears every answer of BC5's
// token endpoint; a refresh the caller cancelled is no answer, so it hears
// nothing, and the caller gets the cancellation as it is.
func TestBC5RefreshTellsTheGuard(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 200, `{"access_token":"bc_at_2","refresh_token":"r2"}`)
	g := &guardLog{}
	if _, err := is.client(t, auth.WithTokenGuard(g)).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"}); err != nil {
		t.Fatal(err)
	}
	if got := g.told(); len(got) != 1 || got[0] != nil || len(g.before) != 1 {
		t.Fatalf("after a refresh the guard was asked %d times and told %v, want once and nil", len(g.before), got)
	}

	is.always(tokenPath, 400, `{"error":"invalid_client"}`)
	g = &guardLog{}
	_, err := is.client(t, auth.WithTokenGuard(g)).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
	if got := g.told(); len(got) != 1 || got[0] == nil || !errors.Is(got[0], err) {
		t.Fatalf("after invalid_client (%v) the guard was told %v", err, got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	is.answer(tokenPath, func(_ int, _ http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	})
	g = &guardLog{}
	_, err = is.client(t, auth.WithTokenGuard(g)).RefreshToken(ctx, &oauth2.Token{RefreshToken: "r1"})
	var le *auth.LaunchpadError
	if !errors.Is(err, context.Canceled) || errors.As(err, &le) {
		t.Fatalf("a cancelled refresh: %v (%T), want context.Canceled as it is", err, err)
	}
	if got := g.told(); len(got) != 0 {
		t.Fatalf("a cancelled refresh told the guard %v", got)
	}

	hold := errors.New("held: Basecamp said stop")
	g = &guardLog{refuse: hold}
	before := len(is.sent(tokenPath))
	if _, err := is.client(t, auth.WithTokenGuard(g)).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"}); !errors.Is(err, hold) {
		t.Fatalf("a refresh the guard holds: %v, want its hold", err)
	}
	if len(is.sent(tokenPath)) != before {
		t.Fatal("a refresh the guard holds was sent")
	}
}

// TestPollDeviceA300IsARedirect: 300 is a redirect like any 3xx, never
// followed, and not a success that lacks a token.
func TestPollDeviceA300IsARedirect(t *testing.T) {
	d := startDeviceRun(t, deviceAnswer, pending, reply{status: 300, header: map[string]string{"Location": "https://elsewhere.example/token"}})
	_, err := d.c.PollDevice(context.Background(), d.dc)
	le := asLaunchpad(t, err)
	if le.Status != 300 || le.Kind == auth.KindUnexpected || !strings.Contains(err.Error(), "elsewhere.example") {
		t.Fatalf("a 300: %v (kind %v), want a redirect not followed", err, le.Kind)
	}
}

// TestRevokeCancelled: a revocation the caller cancelled returns the
// cancellation as it is, not as the server's or the network's failure.
func TestRevokeCancelled(t *testing.T) {
	is := newIssuer(t)
	ctx, cancel := context.WithCancel(context.Background())
	is.answer(revokePath, func(_ int, _ http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	})
	ok, err := is.client(t).Revoke(ctx, "r1")
	var le *auth.LaunchpadError
	if ok || !errors.Is(err, context.Canceled) || errors.As(err, &le) {
		t.Fatalf("Revoke = %v, %v (%T); want false and context.Canceled as it is", ok, err, err)
	}
}

// TestBC5TokenKeepsItsLifeAndScope: a token answer's expires_in is kept
// in seconds beside the expiry, and its scope among the extras (an empty
// one is none).
func TestBC5TokenKeepsItsLifeAndScope(t *testing.T) {
	for answer, scope := range map[string]any{
		`{"access_token":"bc_at_2","expires_in":3600,"scope":"full"}`: "full",
		`{"access_token":"bc_at_2","expires_in":3600,"scope":""}`:     nil,
		`{"access_token":"bc_at_2","expires_in":3600}`:                nil,
	} {
		is := newIssuer(t)
		is.always(tokenPath, 200, answer)
		tok, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
		if err != nil {
			t.Fatalf("%s: %v", answer, err)
		}
		if tok.ExpiresIn != 3600 || tok.Extra("scope") != scope {
			t.Errorf("%s: expires_in %d, scope %#v; want 3600 and %#v", answer, tok.ExpiresIn, tok.Extra("scope"), scope)
		}
	}
}
