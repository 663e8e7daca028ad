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

// rotating answers every refresh with a new pair, numbered, and no
// resource.
func rotating(is *issuer) {
	is.answer(tokenPath, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"access_token":"bc_at_new`+string(rune('a'+n))+`","refresh_token":"bc_rt_new`+string(rune('a'+n))+`","expires_in":3600}`)
	})
}

// disk is a stored login a test can change and break.
type disk struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	saves   int
	saveErr error
}

func (d *disk) load(context.Context) (*oauth2.Token, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tok == nil {
		return nil, nil
	}
	t := *d.tok
	return &t, nil
}

func (d *disk) save(_ context.Context, _ string, tok *oauth2.Token) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.saves++
	if d.saveErr != nil {
		return d.saveErr
	}
	t := *tok
	d.tok = &t
	return nil
}

func (d *disk) set(tok *oauth2.Token, saveErr error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tok, d.saveErr = tok, saveErr
}

// expiredBC5 is a stored BC5 login due for a refresh, bound to account 1.
func expiredBC5(clock *fixedClock, access, refresh string) *oauth2.Token {
	return auth.WithResource(&oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		Expiry: clock.Now().Add(-time.Minute)}, "urn:bc:account:1")
}

func TestRotationCarriesTheResource(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "bc_at_newa" || tok.RefreshToken != "bc_rt_newa" || auth.Resource(tok) != "urn:bc:account:1" {
		t.Fatalf("token %+v, resource %q", tok, auth.Resource(tok))
	}
	if d.tok == nil || d.tok.RefreshToken != "bc_rt_newa" || auth.Resource(d.tok) != "urn:bc:account:1" {
		t.Fatalf("saved %+v", d.tok)
	}
	// The next refresh spends the new refresh token, with the resource.
	clock.Advance(2 * time.Hour)
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := is.sent(tokenPath)
	if len(sent) != 2 {
		t.Fatalf("%d refreshes", len(sent))
	}
	for i, rt := range []string{"bc_rt_1", "bc_rt_newa"} {
		wantForm(t, sent[i], map[string]string{"grant_type": "refresh_token", "refresh_token": rt, "client_id": bc5ClientID, "resource": "urn:bc:account:1"})
	}
}

// TestRotationUsesTheStoredRefreshToken: another process rotated the
// refresh token and stored the pair with the access token this one still
// holds; the old refresh token is never presented.
func TestRotationUsesTheStoredRefreshToken(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	d.set(expiredBC5(clock, "bc_at_1", "bc_rt_2"), nil)
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := is.sent(tokenPath)
	if len(sent) != 1 || sent[0].Get("refresh_token") != "bc_rt_2" {
		t.Fatalf("refreshes %v, want one with the stored bc_rt_2", sent)
	}
}

// TestRotationAdoptsAnotherProcessesPair: the stored pair is new and
// fresh: it is used, and nothing is sent.
func TestRotationAdoptsAnotherProcessesPair(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	d.set(&oauth2.Token{AccessToken: "bc_at_2", RefreshToken: "bc_rt_2", Expiry: clock.Now().Add(time.Hour)}, nil)
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))
	tok, err := ts.Token(context.Background())
	if err != nil || tok.AccessToken != "bc_at_2" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if auth.Resource(tok) != "urn:bc:account:1" {
		t.Fatalf("a stored pair without its resource lost the login's: %q", auth.Resource(tok))
	}
	if n := len(is.sent(tokenPath)); n != 0 {
		t.Fatalf("%d refreshes", n)
	}
	// Due again, it spends the stored refresh token.
	clock.Advance(2 * time.Hour)
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sent := is.sent(tokenPath); len(sent) != 1 || sent[0].Get("refresh_token") != "bc_rt_2" || sent[0].Get("resource") != "urn:bc:account:1" {
		t.Fatalf("refreshes %v", sent)
	}
}

func TestRotationSaveFailureHandsOutNothing(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	d.set(expiredBC5(clock, "bc_at_1", "bc_rt_1"), errors.New("disk full"))
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLoad(d.load))

	tok, err := ts.Token(context.Background())
	var rse *auth.RotationSaveError
	if tok != nil || !errors.As(err, &rse) || auth.Usable(tok, err) || !strings.Contains(err.Error(), "refresh token") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Token = %+v, %v; want no token and a *RotationSaveError", tok, err)
	}
	var se *auth.SaveError
	if errors.As(err, &se) {
		t.Fatal("a RotationSaveError passes for a SaveError, which comes with a usable token")
	}
	called := false
	if err := ts.Do(context.Background(), func(string) error { called = true; return nil }); !errors.As(err, &rse) || called {
		t.Fatalf("Do = %v (fn called: %v), want the RotationSaveError and no call", err, called)
	}
	if _, err := ts.Refresh(context.Background(), "bc_at_1"); !errors.As(err, &rse) {
		t.Fatalf("Refresh = %v", err)
	}
	if n := len(is.sent(tokenPath)); n != 1 {
		t.Fatalf("%d refreshes: the unsaved pair was refreshed again", n)
	}

	// Once the disk takes it, the held pair is saved and handed out,
	// with no new refresh.
	d.mu.Lock()
	d.saveErr = nil
	d.mu.Unlock()
	tok, err = ts.Token(context.Background())
	if err != nil || tok.AccessToken != "bc_at_newa" || tok.RefreshToken != "bc_rt_newa" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if d.tok.RefreshToken != "bc_rt_newa" || auth.Resource(d.tok) != "urn:bc:account:1" {
		t.Fatalf("saved %+v", d.tok)
	}
	if n := len(is.sent(tokenPath)); n != 1 {
		t.Fatalf("%d refreshes", n)
	}
}

func TestRotationSaveRetryTakesTheLock(t *testing.T) {
	is := newIssuer(t)
	rotating(is)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	d := &disk{}
	d.set(nil, errors.New("read-only"))
	locks := 0
	lock := func(context.Context) (func(), error) { locks++; return func() {}, nil }
	ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithSaveFrom(d.save), auth.WithLock(lock))
	if _, err := ts.Token(context.Background()); err == nil {
		t.Fatal("no error")
	}
	ts.Token(context.Background())
	if locks != 2 || d.saves != 2 {
		t.Fatalf("%d locks, %d saves; want the retry under the lock", locks, d.saves)
	}
}

func TestRotationRefusalIsNeverResent(t *testing.T) {
	for _, body := range []string{
		`{"error":"invalid_grant"}`,
		`{"error":"invalid_grant","error_description":"token reuse detected"}`,
	} {
		is := newIssuer(t)
		is.always(tokenPath, 400, body)
		clock := newClock()
		c := is.client(t, auth.WithClock(clock.Now))
		var refused []string
		ts := c.TokenSource(expiredBC5(clock, "bc_at_1", "bc_rt_1"), nil, auth.WithRefused(func(_ context.Context, rt string, err error) error {
			refused = append(refused, rt)
			return err
		}))
		for range 3 {
			if _, err := ts.Token(context.Background()); !auth.NeedsLogin(err) {
				t.Fatalf("%s: %v, want NeedsLogin", body, err)
			}
		}
		if n := len(is.sent(tokenPath)); n != 1 || len(refused) != 1 || refused[0] != "bc_rt_1" {
			t.Fatalf("%s: %d refreshes, refused %v; want one of each", body, n, refused)
		}
	}
}

func TestRotationMissingResourceIsNoRefusal(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 400, `{"error":"invalid_request","error_description":"resource required: this refresh token covers several accounts"}`)
	clock := newClock()
	c := is.client(t, auth.WithClock(clock.Now))
	refused := false
	ts := c.TokenSource(&oauth2.Token{AccessToken: "bc_at_1", RefreshToken: "bc_rt_1", Expiry: clock.Now().Add(-time.Minute)}, nil,
		auth.WithRefused(func(_ context.Context, _ string, err error) error { refused = true; return err }))
	for range 2 {
		if _, err := ts.Token(context.Background()); err == nil || auth.NeedsLogin(err) {
			t.Fatalf("Token = %v, want an error that is no refusal", err)
		}
	}
	if refused || len(is.sent(tokenPath)) != 2 {
		t.Fatalf("refused %v after %d refreshes", refused, len(is.sent(tokenPath)))
	}
}

// TestLaunchpadSaveFailureStillAWarning: Launchpad's tokens do not
// rotate, and a token it issued stays usable when it cannot be saved.
func TestLaunchpadSaveFailureStillAWarning(t *testing.T) {
	h := newHarness(t, setup{})
	tok := h.login(t)
	tok.Expiry = time.Now().Add(-time.Minute)
	ts := h.client.TokenSource(tok, func(context.Context, *oauth2.Token) error { return errors.New("disk full") })
	got, err := ts.Token(context.Background())
	var se *auth.SaveError
	if !errors.As(err, &se) || !auth.Usable(got, err) {
		t.Fatalf("Token = %+v, %v; want a usable token and a *SaveError", got, err)
	}
}
