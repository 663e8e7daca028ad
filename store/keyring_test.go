package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// These tests speak to a real Secret Service: .ci/keyring-tests runs them
// inside dbus-run-session with an unlocked gnome-keyring-daemon and
// BCAUTH_KEYRING_TESTS=1. Elsewhere they skip, except in CI, where a
// missing keyring is a failure.

// needKeyring skips or fails the test when no Secret Service was set up
// for it, and returns the keyring.
func needKeyring(t *testing.T) OSKeyring {
	t.Helper()
	switch os.Getenv("BCAUTH_KEYRING_TESTS") {
	case "1":
		return OSKeyring{Timeout: 10 * time.Second}
	case "0":
		t.Skip("BCAUTH_KEYRING_TESTS=0: .ci/keyring-tests runs the keyring tests inside dbus-run-session")
	}
	why := "needs a real Secret Service: run .ci/keyring-tests (dbus-run-session, an unlocked gnome-keyring-daemon, BCAUTH_KEYRING_TESTS=1)"
	if os.Getenv("CI") != "" || os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
		t.Fatal(why + "; CI or BCAUTH_E2E_REQUIRED is set, so this is a failure, not a skip")
	}
	t.Skip(why)
	return OSKeyring{}
}

// keyringSession is a session of a client only this test uses, so tests
// never share a keyring entry.
func keyringSession(t *testing.T, id auth.Identity, access string) Session {
	sess := session(id, access)
	sess.ClientID = fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	sess.Token.AccessToken = access + "-" + sess.ClientID
	sess.Token.RefreshToken = "refresh-" + sess.Token.AccessToken
	return sess
}

func openKeyring(t *testing.T, dir string, k OSKeyring, mode KeyringMode) *Store {
	t.Helper()
	s, err := Open(dir, WithKeyring(k, mode))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// secretTool runs secret-tool, the Secret Service's own client, so the
// tests check the keyring with something other than bcauth's own code.
func secretTool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", args...).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && len(out) == 0 && args[0] == "lookup") {
		t.Fatalf("secret-tool %v: %v", args, err)
	}
	return string(out)
}

func lookup(t *testing.T, account string) string {
	return secretTool(t, "lookup", "service", secretService, "username", account)
}

// inNoFile fails the test when any file under dir holds one of secrets.
func inNoFile(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the secret %q", path, s)
			}
		}
		return nil
	})
}

// inFiles fails the test unless each secret is in some file under dir.
func inFiles(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	var all []byte
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			all = append(all, data...)
		}
		return err
	})
	for _, s := range secrets {
		if !bytes.Contains(all, []byte(s)) {
			t.Errorf("no file under %s holds %q", dir, s)
		}
	}
}

func TestKeyringOn(t *testing.T) {
	k := needKeyring(t)
	dir := t.TempDir()
	s := openKeyring(t, dir, k, KeyringOn)
	sess := keyringSession(t, ada, "a")
	key := sess.Key()
	t.Cleanup(func() { _ = s.LogoutAll() })
	client := ClientConfig{ClientID: sess.ClientID, ClientSecret: "secret-" + sess.ClientID}
	if err := s.SaveClient(client); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(context.Background(), clientAccount(client.ClientID)) })
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}

	if got := lookup(t, tokenAccount(key)); !strings.Contains(got, sess.Token.AccessToken) || !strings.Contains(got, sess.Token.RefreshToken) {
		t.Errorf("secret-tool lookup of the tokens = %q", got)
	}
	if got := lookup(t, clientAccount(client.ClientID)); got != client.ClientSecret {
		t.Errorf("secret-tool lookup of the client secret = %q, want %q", got, client.ClientSecret)
	}
	inNoFile(t, dir, sess.Token.AccessToken, sess.Token.RefreshToken, client.ClientSecret)

	// Listing needs no secret; the token does.
	st, err := openKeyring(t, dir, k, KeyringOn).Load()
	if err != nil {
		t.Fatal(err)
	}
	listed, _ := st.Find(key)
	if listed.Token.AccessToken != "" || listed.Token.Keyring != tokenAccount(key) || !listed.Token.Renewable() || !listed.Token.Expiry.Equal(sess.Token.Expiry) {
		t.Errorf("Load = %+v, want a reference with the expiry and no secret", listed.Token)
	}
	tok, err := s.LoadToken(key)
	if err != nil || tok.AccessToken != sess.Token.AccessToken || tok.RefreshToken != sess.Token.RefreshToken {
		t.Errorf("LoadToken = %+v, %v", tok, err)
	}
	c, err := s.LoadClient()
	if err != nil || c.ClientSecret != "" || c.ClientSecretKeyring == "" {
		t.Errorf("LoadClient = %+v, %v: want a reference", c, err)
	}
	if secret, err := s.ClientSecret(c.ClientSecretKeyring); err != nil || secret != client.ClientSecret {
		t.Errorf("ClientSecret = %q, %v", secret, err)
	}

	// A refresh goes to the keyring, compare-and-swap included.
	fresh := sess.Token
	fresh.AccessToken, fresh.RefreshToken, fresh.Expiry = "new-"+sess.Token.AccessToken, "", sess.Token.Expiry.Add(time.Hour)
	stored, err := s.SaveTokenFrom(key, sess.Token.AccessToken, fresh)
	if err != nil || stored.AccessToken != fresh.AccessToken || stored.RefreshToken != sess.Token.RefreshToken {
		t.Fatalf("SaveTokenFrom = %+v, %v: want the new access token and the kept refresh token", stored, err)
	}
	if got := lookup(t, tokenAccount(key)); !strings.Contains(got, fresh.AccessToken) {
		t.Errorf("the keyring holds %q after the refresh", got)
	}
	inNoFile(t, dir, fresh.AccessToken, sess.Token.RefreshToken)
}

func TestKeyringOff(t *testing.T) {
	k := needKeyring(t)
	dir := t.TempDir()
	s := openKeyring(t, dir, k, KeyringAsConfigured)
	sess := keyringSession(t, ada, "a")
	if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
		t.Fatal(err)
	}
	inFiles(t, dir, sess.Token.AccessToken, sess.Token.RefreshToken)
	if got := lookup(t, tokenAccount(sess.Key())); got != "" {
		t.Errorf("with the setting off the keyring holds %q", got)
	}
}

func TestKeyringMovesBothWays(t *testing.T) {
	k := needKeyring(t)
	dir := t.TempDir()
	a, g := keyringSession(t, ada, "a"), keyringSession(t, grace, "g")
	g.ClientID = a.ClientID
	client := ClientConfig{ClientID: a.ClientID, ClientSecret: "secret-" + a.ClientID}
	file := openKeyring(t, dir, k, KeyringAsConfigured)
	if err := file.SaveClient(client); err != nil {
		t.Fatal(err)
	}
	if err := file.Update(func(st *State) error { st.Upsert(a); st.Upsert(g); return nil }); err != nil {
		t.Fatal(err)
	}
	secrets := []string{a.Token.AccessToken, a.Token.RefreshToken, g.Token.AccessToken, g.Token.RefreshToken, client.ClientSecret}
	inFiles(t, dir, secrets...)

	// On, through config.json as setup --keyring saves it.
	if err := file.SetKeyring(true); err != nil {
		t.Fatal(err)
	}
	if misplaced, err := file.SecretsMisplaced(); err != nil || !misplaced {
		t.Errorf("SecretsMisplaced = %v, %v after turning the keyring on", misplaced, err)
	}
	if err := file.MoveSecrets(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = file.LogoutAll() })
	inNoFile(t, dir, secrets...)
	for _, sess := range []Session{a, g} {
		if got := lookup(t, tokenAccount(sess.Key())); !strings.Contains(got, sess.Token.RefreshToken) {
			t.Errorf("after moving in, the keyring holds %q for %s", got, sess.Identity.EmailAddress)
		}
		if tok, err := file.LoadToken(sess.Key()); err != nil || tok.AccessToken != sess.Token.AccessToken {
			t.Errorf("LoadToken after moving in = %+v, %v", tok, err)
		}
	}
	if got := lookup(t, clientAccount(client.ClientID)); got != client.ClientSecret {
		t.Errorf("client secret in the keyring = %q", got)
	}
	if misplaced, err := file.SecretsMisplaced(); err != nil || misplaced {
		t.Errorf("SecretsMisplaced = %v, %v after moving", misplaced, err)
	}

	// Off for one run (BCAUTH_KEYRING=0), then off in config.json.
	off := openKeyring(t, dir, k, KeyringOff)
	if err := off.MoveSecrets(); err != nil {
		t.Fatal(err)
	}
	inFiles(t, dir, secrets...)
	for _, sess := range []Session{a, g} {
		if got := lookup(t, tokenAccount(sess.Key())); got != "" {
			t.Errorf("after moving out, the keyring still holds %q", got)
		}
		if tok, err := off.LoadToken(sess.Key()); err != nil || tok != sess.Token {
			t.Errorf("LoadToken after moving out = %+v, %v; want %+v", tok, err, sess.Token)
		}
	}
	if got := lookup(t, clientAccount(client.ClientID)); got != "" {
		t.Errorf("after moving out, the keyring still holds the client secret %q", got)
	}
	if c, err := off.LoadClient(); err != nil || c.ClientSecret != client.ClientSecret {
		t.Errorf("LoadClient after moving out = %+v, %v", c, err)
	}
	if err := off.SetKeyring(false); err != nil {
		t.Fatal(err)
	}
	if on, err := openKeyring(t, dir, k, KeyringAsConfigured).UseKeyring(); err != nil || on {
		t.Errorf("UseKeyring = %v, %v after setup --keyring=false", on, err)
	}
}

func TestKeyringEntryDeletedBehindBcauthsBack(t *testing.T) {
	k := needKeyring(t)
	dir := t.TempDir()
	s := openKeyring(t, dir, k, KeyringOn)
	a, g := keyringSession(t, ada, "a"), keyringSession(t, grace, "g")
	if err := s.Update(func(st *State) error { st.Upsert(a); st.Upsert(g); return nil }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.LogoutAll() })
	secretTool(t, "clear", "service", secretService, "username", tokenAccount(a.Key()))

	_, err := s.LoadToken(a.Key())
	var gone *SecretGoneError
	if !errors.As(err, &gone) || !errors.Is(err, ErrSecretGone) || !strings.Contains(err.Error(), "log in again") {
		t.Fatalf("LoadToken of a deleted entry = %v, want a SecretGoneError saying to log in again", err)
	}
	// Everything else still works: listing, the other login, a refresh
	// of it, and logging out of the lost one.
	if _, err := s.Load(); err != nil {
		t.Errorf("Load: %v", err)
	}
	if tok, err := s.LoadToken(g.Key()); err != nil || tok.AccessToken != g.Token.AccessToken {
		t.Errorf("the other login: %+v, %v", tok, err)
	}
	if _, err := s.SaveTokenFrom(a.Key(), a.Token.AccessToken, Token{AccessToken: "x"}); !errors.Is(err, ErrSecretGone) {
		t.Errorf("SaveTokenFrom on the lost login = %v, want ErrSecretGone", err)
	}
	if err := s.Logout(a.Key()); err != nil {
		t.Errorf("Logout of the lost login: %v", err)
	}
	// Turning the keyring off with the entry gone moves what is left.
	if err := s.Update(func(st *State) error { st.Upsert(a); return nil }); err != nil {
		t.Fatal(err)
	}
	secretTool(t, "clear", "service", secretService, "username", tokenAccount(a.Key()))
	if err := openKeyring(t, dir, k, KeyringOff).MoveSecrets(); err != nil {
		t.Errorf("moving out with an entry gone: %v", err)
	}
	if tok, err := s.LoadToken(a.Key()); err != nil || tok.AccessToken != "" {
		t.Errorf("the lost login after moving out = %+v, %v; want no token, to log in again", tok, err)
	}
}

func TestKeyringLogoutRemovesTheEntries(t *testing.T) {
	k := needKeyring(t)
	s := openKeyring(t, t.TempDir(), k, KeyringOn)
	a, g := keyringSession(t, ada, "a"), keyringSession(t, grace, "g")
	if err := s.Update(func(st *State) error { st.Upsert(a); st.Upsert(g); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(a.Key()); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, tokenAccount(a.Key())); got != "" {
		t.Errorf("after logout the keyring still holds %q", got)
	}
	if got := lookup(t, tokenAccount(g.Key())); got == "" {
		t.Error("logging out of one login removed the other's entry")
	}
	if err := s.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	if got := lookup(t, tokenAccount(g.Key())); got != "" {
		t.Errorf("after logout --all the keyring still holds %q", got)
	}
	for _, n := range s.Notices() {
		if strings.Contains(n, "keyring") {
			t.Errorf("notice: %s", n)
		}
	}
}

// The keyring unreachable, in a process of its own: the D-Bus connection
// is per process and kept once made.
const keyringUnavailableEnv = "BCAUTH_KEYRING_UNAVAILABLE_DIR"

func TestKeyringUnavailableHelper(t *testing.T) {
	dir := os.Getenv(keyringUnavailableEnv)
	if dir == "" {
		t.Skip("helper process for TestKeyringUnavailable")
	}
	s := openKeyring(t, dir, OSKeyring{Timeout: 2 * time.Second}, KeyringOn)
	sess := session(ada, "unavailable-access")
	err := s.Update(func(st *State) error { st.Upsert(sess); return nil })
	var ke *KeyringError
	if !errors.As(err, &ke) {
		t.Fatalf("Update with no keyring = %v, want a KeyringError", err)
	}
	fmt.Println("ERROR:", err)
	if err := s.SaveClient(ClientConfig{ClientID: "c", ClientSecret: "unavailable-secret"}); !errors.As(err, &ke) {
		t.Fatalf("SaveClient with no keyring = %v, want a KeyringError", err)
	}
}

func TestKeyringUnavailable(t *testing.T) {
	needKeyring(t)
	// A socket that accepts and never answers: the hang a locked or
	// stuck keyring daemon gives.
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	for _, tc := range []struct {
		name, bus, want string
	}{
		{"no session bus", "", ""},
		{"bogus bus address", "unix:path=/nonexistent/bcauth-bus", ""},
		{"a bus that hangs", "unix:path=" + sock, "no answer within 2s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringUnavailableHelper$", "-test.count=1", "-test.v")
			var env []string
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "DISPLAY=") {
					env = append(env, kv)
				}
			}
			if tc.bus != "" {
				env = append(env, "DBUS_SESSION_BUS_ADDRESS="+tc.bus)
			}
			cmd.Env = append(env, keyringUnavailableEnv+"="+dir)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("the helper took %s: a keyring call has no deadline", took)
			}
			if !strings.Contains(string(out), "nothing was written to a file instead") || !strings.Contains(string(out), tc.want) {
				t.Errorf("helper output does not say so plainly:\n%s", out)
			}
			inNoFile(t, dir, "unavailable-access", "unavailable-secret")
		})
	}
}

// Two real processes refreshing one login held in the keyring, against a
// fake Launchpad that rotates refresh tokens.
const (
	refreshHelperEnv = "BCAUTH_KEYRING_REFRESH_DIR"
	refreshKeyEnv    = "BCAUTH_KEYRING_REFRESH_KEY"
	refreshURLEnv    = "BCAUTH_KEYRING_REFRESH_URL"
	refreshIDEnv     = "BCAUTH_KEYRING_REFRESH_CLIENT"
	refreshSecretEnv = "BCAUTH_KEYRING_REFRESH_SECRET"
	refreshRedirEnv  = "BCAUTH_KEYRING_REFRESH_REDIRECT"
)

func TestKeyringRefreshHelper(t *testing.T) {
	dir := os.Getenv(refreshHelperEnv)
	if dir == "" {
		t.Skip("helper process for TestKeyringTwoProcessesRefreshing")
	}
	c, err := auth.New(auth.Config{ClientID: os.Getenv(refreshIDEnv), ClientSecret: os.Getenv(refreshSecretEnv),
		RedirectURI: os.Getenv(refreshRedirEnv), LaunchpadURL: os.Getenv(refreshURLEnv)})
	if err != nil {
		t.Fatal(err)
	}
	s := openKeyring(t, dir, OSKeyring{Timeout: 10 * time.Second}, KeyringOn)
	ts, err := storedSource(c, s, os.Getenv(refreshKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("TOKEN", tok.AccessToken)
}

func TestKeyringTwoProcessesRefreshing(t *testing.T) {
	k := needKeyring(t)
	fake := launchpadtest.NewServer(launchpadtest.Options{RotateRefreshTokens: true})
	t.Cleanup(fake.Close)
	opts := fake.Options()
	c, err := auth.New(auth.Config{ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, RedirectURI: opts.RedirectURI, LaunchpadURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	login := func(t *testing.T) (string, string) {
		tok := approvedToken(t, c, fake)
		dir := t.TempDir()
		sess := Session{LaunchpadURL: fake.URL, ClientID: opts.ClientID, Identity: ada, Token: TokenFrom(tok)}
		sess.Token.Expiry = time.Now().Add(-time.Minute) // due: the next use refreshes
		s := openKeyring(t, dir, k, KeyringOn)
		if err := s.Update(func(st *State) error { st.Upsert(sess); return nil }); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.LogoutAll() })
		inNoFile(t, dir, tok.AccessToken, tok.RefreshToken)
		return dir, sess.Key()
	}
	run := func(t *testing.T, dir, key string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringRefreshHelper$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), refreshHelperEnv+"="+dir, refreshKeyEnv+"="+key, refreshURLEnv+"="+fake.URL,
			refreshIDEnv+"="+opts.ClientID, refreshSecretEnv+"="+opts.ClientSecret, refreshRedirEnv+"="+opts.RedirectURI)
		return cmd
	}
	tokenOf := func(t *testing.T, out []byte) string {
		for line := range strings.Lines(string(out)) {
			if v, ok := strings.CutPrefix(line, "TOKEN "); ok {
				return strings.TrimSpace(v)
			}
		}
		t.Fatalf("no token in the helper's output:\n%s", out)
		return ""
	}
	check := func(t *testing.T, dir, key string, tokens ...string) {
		t.Helper()
		stored, err := openKeyring(t, dir, k, KeyringOn).LoadToken(key)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if tok != stored.AccessToken {
				t.Errorf("a process holds %q, the keyring %q", tok, stored.AccessToken)
			}
		}
		inNoFile(t, dir, stored.AccessToken, stored.RefreshToken)
		// What is stored still refreshes: nothing was lost.
		if _, err := c.Refresh(t.Context(), stored.RefreshToken); err != nil {
			t.Errorf("the stored refresh token no longer works: %v", err)
		}
	}

	t.Run("one after the other", func(t *testing.T) {
		dir, key := login(t)
		before := len(fake.TokenRequests())
		var tokens []string
		for range 2 {
			out, err := run(t, dir, key).CombinedOutput()
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			tokens = append(tokens, tokenOf(t, out))
		}
		if n := len(fake.TokenRequests()) - before; n != 1 {
			t.Errorf("%d refreshes, want 1: the second process should adopt the first one's token", n)
		}
		check(t, dir, key, tokens...)
	})
	t.Run("at once", func(t *testing.T) {
		dir, key := login(t)
		var wg sync.WaitGroup
		outs := make([][]byte, 2)
		errs := make([]error, 2)
		for i := range outs {
			cmd := run(t, dir, key)
			wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
		}
		wg.Wait()
		// These helpers refresh through the store alone, without the
		// refresh lock core.Service takes across processes (real bcauth
		// processes, lock included, are TestKeyringConcurrentTokenCallsRefreshOnce
		// in main_test.go). So both may refresh at once, and where Launchpad
		// rotates refresh tokens the slower one's is spent: it fails, and
		// must fail without losing the login. The compare-and-swap keeps
		// one token in the keyring.
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
				_ = tokenOf(t, outs[i])
			case bytes.Contains(outs[i], []byte("authorization_expired")):
				t.Logf("helper %d lost the race to refresh (no refresh lock at this level)", i)
			default:
				t.Errorf("helper %d: %v\n%s", i, err, outs[i])
			}
		}
		if ok == 0 {
			t.Error("neither process got a token")
		}
		check(t, dir, key)
	})
}
