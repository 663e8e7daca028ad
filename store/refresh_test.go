package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// clock is a settable clock the fake Launchpad and the client share.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// storedSource is a token source wired to a store the way bcauth wires it:
// it re-reads the stored token before refreshing and saves compare-and-swap.
func storedSource(c *auth.Client, s *Store, key string) (*auth.TokenSource, error) {
	tok, err := s.LoadToken(key)
	if err != nil {
		return nil, err
	}
	return c.TokenSource(tok.OAuth2(), nil,
		auth.WithLoad(func(context.Context) (*oauth2.Token, error) {
			t, err := s.LoadToken(key)
			if err != nil {
				return nil, err
			}
			return t.OAuth2(), nil
		}),
		auth.WithSaveFrom(func(_ context.Context, from string, tok *oauth2.Token) error {
			_, err := s.SaveTokenFrom(key, from, TokenFrom(tok))
			return err
		})), nil
}

// approvedToken logs in with c, the fake approving, by pasting the
// address the browser would reach, and returns the token.
func approvedToken(t *testing.T, c *auth.Client, fake *launchpadtest.Server) *oauth2.Token {
	t.Helper()
	l, err := c.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := fake.Approve(t.Context(), l.URL)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := l.Paste(t.Context(), loc.String())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTwoProcessesShareARotatingLogin has two stores on one directory, as
// two bcauth processes, refresh one login in turn against a fake Launchpad
// that rotates refresh tokens. Neither spends a refresh token the other
// already spent, and what is on disk at the end still logs in.
func TestTwoProcessesShareARotatingLogin(t *testing.T) {
	clk := &clock{now: time.Date(2026, 3, 22, 16, 56, 48, 0, time.UTC)}
	fake := launchpadtest.NewServer(launchpadtest.Options{Now: clk.Now, RotateRefreshTokens: true})
	t.Cleanup(fake.Close)
	opts := fake.Options()
	c, err := auth.New(auth.Config{
		ClientID: opts.ClientID, ClientSecret: opts.ClientSecret,
		RedirectURI: opts.RedirectURI, LaunchpadURL: fake.URL,
	}, auth.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	tok := approvedToken(t, c, fake)
	dir := t.TempDir()
	sess := Session{LaunchpadURL: fake.URL, ClientID: opts.ClientID, Identity: ada, Token: TokenFrom(tok)}
	key := sess.Key()
	if err := open(t, dir).Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}

	var sources [2]*auth.TokenSource
	for i := range sources {
		if sources[i], err = storedSource(c, open(t, dir), key); err != nil {
			t.Fatal(err)
		}
	}
	for turn := range 4 {
		first, second := sources[turn%2], sources[1-turn%2]
		clk.Advance(launchpadtest.DefaultAccessTTL)
		a, err := first.Token(t.Context())
		if err != nil {
			t.Fatalf("turn %d: first process: %v", turn, err)
		}
		b, err := second.Token(t.Context())
		if err != nil {
			t.Fatalf("turn %d: second process lost the login: %v", turn, err)
		}
		if a.AccessToken != b.AccessToken {
			t.Errorf("turn %d: the processes hold different tokens", turn)
		}
		if onDisk, err := open(t, dir).LoadToken(key); err != nil || onDisk.RefreshToken != a.RefreshToken {
			t.Errorf("turn %d: stored %+v, %v; want the refresh token in use", turn, onDisk, err)
		}
	}
	if n := len(fake.TokenRequests()); n != 5 {
		t.Errorf("%d token requests, want 5 (exchange, one refresh a turn)", n)
	}
	// A third process, started now, refreshes from what is on disk.
	clk.Advance(launchpadtest.DefaultAccessTTL)
	third, err := storedSource(c, open(t, dir), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := third.Token(t.Context()); err != nil {
		t.Fatalf("the stored login is dead: %v", err)
	}
}
