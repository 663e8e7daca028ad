// Package uitest is what the tests of ui, ui/tui and ui/cli share: a fake
// Launchpad on loopback, a real store in a temporary directory, the Service
// that joins them, and a real login through the loopback callback.
package uitest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

// Env is one test's world.
type Env struct {
	Fake *launchpadtest.Server
	Svc  *core.Service
	Dir  string
}

// FreePort is a loopback port nobody listens on, so parallel tests and
// packages do not clash on bcauth's default 8976.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := launchpadtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// New starts a fake Launchpad with opts (its redirect URI on a free port)
// and opens a store in a fresh directory. The client settings are in the
// Service's environment; ClientInFile moves them to config.json.
func New(t testing.TB, opts launchpadtest.Options) *Env {
	t.Helper()
	opts.RedirectURI = fmt.Sprintf("http://127.0.0.1:%d/callback", FreePort(t))
	fake := launchpadtest.NewServer(opts)
	t.Cleanup(fake.Close)
	// Not t.TempDir: a tea.Cmd may still be writing when the test ends,
	// and that must not fail the test.
	dir, err := os.MkdirTemp("", "bcauth-ui-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Fake: fake, Dir: dir, Svc: &core.Service{
		Store:      st,
		Env:        Client(fake),
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	}}
}

// Client is the client configuration that reaches fake.
func Client(fake *launchpadtest.Server) store.ClientConfig {
	o := fake.Options()
	return store.ClientConfig{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURI: o.RedirectURI, LaunchpadURL: fake.URL}
}

// ClientInFile moves the client settings from the environment to
// config.json.
func (e *Env) ClientInFile(t testing.TB) {
	t.Helper()
	if err := e.Svc.Store.SaveClient(e.Svc.Env); err != nil {
		t.Fatal(err)
	}
	e.Svc.Env = store.ClientConfig{}
}

// LogIn logs in for real, without any front end: the authorization URL,
// the fake's approval, the browser's visit to the loopback callback, the
// code exchange, and Service.Complete.
func (e *Env) LogIn(t testing.TB) *store.Session {
	t.Helper()
	return LogIn(t, e.Svc, e.Fake)
}

// LogInSecond logs in as the fake's second Basecamp ID, choosing it on the
// consent page, so two are stored; the second becomes current, as after
// any login.
func (e *Env) LogInSecond(t testing.TB) *store.Session {
	t.Helper()
	id := e.Fake.SecondIdentity().ID
	return logIn(t, e.Svc, e.Fake, func(ctx context.Context, u string) error { return e.Fake.ApproveAndFollowAs(ctx, u, id) })
}

// LogIn is Env.LogIn for any Service and fake.
func LogIn(t testing.TB, svc *core.Service, fake *launchpadtest.Server) *store.Session {
	t.Helper()
	return logIn(t, svc, fake, fake.ApproveAndFollow)
}

func logIn(t testing.TB, svc *core.Service, fake *launchpadtest.Server, approve func(context.Context, string) error) *store.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err != nil {
		t.Fatal(err)
	}
	browser := make(chan error, 1)
	go func() { browser <- approve(ctx, l.Start) }()
	tok, err := ln.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-browser; err != nil {
		t.Fatal(err)
	}
	sess, _, err := svc.Complete(ctx, c, tok)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// LogInBC5 logs in as the device flow does, without any front end:
// discovery (which must choose BC5), a device code, approve playing the
// person at the issuer's page, the poll, and Service.Complete.
func LogInBC5(t testing.TB, svc *core.Service, approve func(ctx context.Context, userCode string) error, scope string) *store.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := svc.Discover(ctx)
	if err != nil || !p.Device() {
		t.Fatalf("discover: %v, want BC5", err)
	}
	dc, err := p.Client.StartDevice(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	if err := approve(ctx, dc.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := p.Client.PollDevice(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := svc.Complete(ctx, p.Client, tok)
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// Current is the stored current session, tokens included.
func (e *Env) Current(t testing.TB) store.Session {
	t.Helper()
	st, err := e.Svc.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := st.CurrentSession()
	if !ok {
		t.Fatal("no current session")
	}
	return *s
}

// ExpireStored makes the stored token of sess look expired ago, so the
// next command refreshes it. The token is written whole, so that with the
// tokens in the keyring its entry, which says when the token expires,
// says so too.
func (e *Env) ExpireStored(t testing.TB, sess *store.Session, ago time.Duration) {
	t.Helper()
	tok, err := e.Svc.Store.LoadToken(sess.Key())
	if err != nil {
		t.Fatal(err)
	}
	tok.Expiry = time.Now().Add(-ago)
	if err := e.Svc.Store.Update(func(st *store.State) error {
		s, _ := st.Find(sess.Key())
		s.Token = tok
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Keyring skips the test unless a real Secret Service was set up for it
// (see NeedKeyring), then reopens the Env's store with the OS keyring, as
// configured in config.json.
func (e *Env) Keyring(t testing.TB) {
	t.Helper()
	NeedKeyring(t)
	st, err := store.Open(e.Dir, store.WithKeyring(store.OSKeyring{Timeout: 10 * time.Second}, store.KeyringAsConfigured))
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.Store = st
}

// NeedKeyring skips the test unless a real Secret Service was set up for
// it (.ci/keyring-tests: dbus-run-session, an unlocked
// gnome-keyring-daemon, BCAUTH_KEYRING_TESTS=1), and fails it instead in
// CI.
func NeedKeyring(t testing.TB) {
	t.Helper()
	switch os.Getenv("BCAUTH_KEYRING_TESTS") {
	case "1":
	case "0":
		t.Skip("BCAUTH_KEYRING_TESTS=0: .ci/keyring-tests runs the keyring tests inside dbus-run-session")
	default:
		why := "needs a real Secret Service: run .ci/keyring-tests (dbus-run-session, an unlocked gnome-keyring-daemon, BCAUTH_KEYRING_TESTS=1)"
		if os.Getenv("CI") != "" || os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
			t.Fatal(why + "; CI or BCAUTH_E2E_REQUIRED is set, so this is a failure, not a skip")
		}
		t.Skip(why)
	}
}

// NoFileHolds fails the test if a file under dir holds one of the
// secrets (kept in the keyring, say), or cannot be read to tell.
func NoFileHolds(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
