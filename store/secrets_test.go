package store

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memKeyring is a SecretBackend in memory, so that secrets.go runs on
// every machine, with failures on demand; keyring_test.go checks the real
// Secret Service where there is one.
type memKeyring struct {
	mu      sync.Mutex
	entries map[string]string
	// fail makes every call of an operation ("get", "set" or "delete")
	// fail with its error.
	fail map[string]error
}

func newMemKeyring() *memKeyring {
	return &memKeyring{entries: map[string]string{}, fail: map[string]error{}}
}

func (k *memKeyring) Name() string { return "the test keyring" }

func (k *memKeyring) Get(_ context.Context, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.fail["get"]; err != nil {
		return "", err
	}
	v, ok := k.entries[account]
	if !ok {
		return "", ErrSecretGone
	}
	return v, nil
}

func (k *memKeyring) Set(_ context.Context, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.fail["set"]; err != nil {
		return err
	}
	k.entries[account] = secret
	return nil
}

func (k *memKeyring) Delete(_ context.Context, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.fail["delete"]; err != nil {
		return err
	}
	delete(k.entries, account)
	return nil
}

// failing sets (or, with nil, clears) the error of an operation.
func (k *memKeyring) failing(op string, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail[op] = err
}

// accounts are the entries the keyring holds, sorted.
func (k *memKeyring) accounts() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Sorted(maps.Keys(k.entries))
}

// token is the token the entry of account holds.
func (k *memKeyring) token(t *testing.T, account string) Token {
	t.Helper()
	k.mu.Lock()
	raw, ok := k.entries[account]
	k.mu.Unlock()
	if !ok {
		t.Fatalf("the keyring has no entry %q", account)
	}
	var tok Token
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		t.Fatalf("entry %q: %v", account, err)
	}
	return tok
}

var errLocked = errors.New("the keyring is locked")

func openMem(t *testing.T, dir string, k *memKeyring, mode KeyringMode) *Store {
	t.Helper()
	s, err := Open(dir, WithKeyring(k, mode))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func upsert(t *testing.T, s *Store, sessions ...Session) {
	t.Helper()
	if err := s.Update(func(st *State) error {
		for _, sess := range sessions {
			st.Upsert(sess)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func loadToken(t *testing.T, s *Store, key string) Token {
	t.Helper()
	tok, err := s.LoadToken(key)
	if err != nil {
		t.Fatalf("LoadToken: %v", err)
	}
	return tok
}

// stored is the token state.json itself holds for key.
func stored(t *testing.T, s *Store, key string) Token {
	t.Helper()
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	sess, ok := st.Find(key)
	if !ok {
		t.Fatalf("no session %s in state.json", key)
	}
	return sess.Token
}

func TestMemKeyringOn(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	s := openMem(t, dir, k, KeyringOn)
	sess := session(ada, "access-a")
	key := sess.Key()
	client := ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}
	if err := s.SaveClient(client); err != nil {
		t.Fatal(err)
	}
	upsert(t, s, sess)

	inNoFile(t, dir, sess.Token.AccessToken, sess.Token.RefreshToken, client.ClientSecret)
	if got := k.token(t, tokenAccount(key)); got != sess.Token {
		t.Errorf("the keyring holds %+v, want %+v", got, sess.Token)
	}
	ref := stored(t, s, key)
	if want := (Token{TokenType: "Bearer", Expiry: sess.Token.Expiry, Keyring: tokenAccount(key), HasRefresh: true}); ref != want {
		t.Errorf("state.json holds %+v, want the reference %+v", ref, want)
	}
	if !ref.Renewable() || (Token{Keyring: "x"}).Renewable() {
		t.Error("Renewable does not follow HasRefresh")
	}
	if got := loadToken(t, s, key); got != sess.Token {
		t.Errorf("LoadToken = %+v, want %+v", got, sess.Token)
	}
	c, err := s.LoadClient()
	if err != nil || c != (ClientConfig{ClientID: client.ClientID, ClientSecretKeyring: clientAccount(client.ClientID)}) {
		t.Errorf("LoadClient = %+v, %v; want a reference", c, err)
	}
	if secret, err := s.ClientSecret(c.ClientSecretKeyring); err != nil || secret != client.ClientSecret {
		t.Errorf("ClientSecret = %q, %v", secret, err)
	}
	if on, src := s.KeyringSetting(); !on || src != SourceEnv {
		t.Errorf("KeyringSetting = %v, %v; want on, from the environment", on, src)
	}
	if got := s.KeyringName(); got != k.Name() {
		t.Errorf("KeyringName = %q", got)
	}
	if misplaced, err := s.SecretsMisplaced(); err != nil || misplaced {
		t.Errorf("SecretsMisplaced = %v, %v", misplaced, err)
	}

	// A refresh without a refresh token keeps the stored one, in the keyring.
	fresh := Token{AccessToken: "access-a2", TokenType: "Bearer", Expiry: sess.Token.Expiry.Add(time.Hour)}
	got, err := s.SaveTokenFrom(key, sess.Token.AccessToken, fresh)
	want := fresh
	want.RefreshToken = sess.Token.RefreshToken
	if err != nil || got != want {
		t.Fatalf("SaveTokenFrom = %+v, %v; want %+v", got, err, want)
	}
	if got := k.token(t, tokenAccount(key)); got != want {
		t.Errorf("after the refresh the keyring holds %+v, want %+v", got, want)
	}
	if err := s.SaveToken(key, Token{AccessToken: "access-a3", TokenType: "Bearer"}); err != nil {
		t.Fatal(err)
	}
	if got := loadToken(t, s, key); got.AccessToken != "access-a3" || got.RefreshToken != sess.Token.RefreshToken {
		t.Errorf("after SaveToken: %+v, want the refresh token kept", got)
	}
	inNoFile(t, dir, "access-a2", "access-a3", sess.Token.RefreshToken)
	// The refresh token MarkRefused compares with is the keyring's.
	if marked, err := s.MarkRefused(key, sess.Token.RefreshToken, Refusal{At: t0, Reason: "gone"}); err != nil || !marked {
		t.Errorf("MarkRefused = %v, %v; want it marked", marked, err)
	}

	// Updates that leave a login alone leave its entry alone, and a token
	// without a refresh token goes to the keyring all the same.
	accessOnly := session(grace, "access-only")
	accessOnly.Token.RefreshToken = ""
	upsert(t, s, accessOnly)
	if err := s.Switch(key); err != nil {
		t.Fatal(err)
	}
	if got := loadToken(t, s, key); got.AccessToken != "access-a3" || got.RefreshToken != sess.Token.RefreshToken {
		t.Errorf("after other updates the login holds %+v", got)
	}
	inNoFile(t, dir, "access-only")
	if got := loadToken(t, s, accessOnly.Key()); got != accessOnly.Token {
		t.Errorf("LoadToken = %+v, want %+v", got, accessOnly.Token)
	}
}

func TestMemKeyringMovesBothWays(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a, g := session(ada, "access-a"), session(grace, "access-g")
	client := ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}
	file := openMem(t, dir, k, KeyringAsConfigured)
	if err := file.SaveClient(client); err != nil {
		t.Fatal(err)
	}
	upsert(t, file, a, g)
	secrets := []string{a.Token.AccessToken, a.Token.RefreshToken, g.Token.AccessToken, g.Token.RefreshToken, client.ClientSecret}
	inFiles(t, dir, secrets...)
	if len(k.accounts()) != 0 {
		t.Fatalf("with the setting off the keyring holds %q", k.accounts())
	}
	if on, src := file.KeyringSetting(); on || src != SourceUnset {
		t.Errorf("KeyringSetting = %v, %v; want off, unset", on, src)
	}

	if err := file.SetKeyring(true); err != nil {
		t.Fatal(err)
	}
	if on, src := file.KeyringSetting(); !on || src != SourceFile {
		t.Errorf("KeyringSetting = %v, %v; want on, from config.json", on, src)
	}
	if misplaced, err := file.SecretsMisplaced(); err != nil || !misplaced {
		t.Errorf("SecretsMisplaced = %v, %v after turning the keyring on", misplaced, err)
	}
	if err := file.MoveSecrets(); err != nil {
		t.Fatal(err)
	}
	inNoFile(t, dir, secrets...)
	want := []string{clientAccount(client.ClientID), tokenAccount(g.Key()), tokenAccount(a.Key())}
	if got := k.accounts(); !reflect.DeepEqual(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("keyring entries %q, want %q", got, want)
	}
	if misplaced, err := file.SecretsMisplaced(); err != nil || misplaced {
		t.Errorf("SecretsMisplaced = %v, %v after moving in", misplaced, err)
	}

	// Off for one run (BCAUTH_KEYRING=0): everything comes back, and the
	// entries go.
	off := openMem(t, dir, k, KeyringOff)
	if misplaced, err := off.SecretsMisplaced(); err != nil || !misplaced {
		t.Errorf("SecretsMisplaced = %v, %v with the keyring forced off", misplaced, err)
	}
	if err := off.MoveSecrets(); err != nil {
		t.Fatal(err)
	}
	inFiles(t, dir, secrets...)
	if got := k.accounts(); len(got) != 0 {
		t.Errorf("after moving out the keyring still holds %q", got)
	}
	for _, sess := range []Session{a, g} {
		if got := stored(t, off, sess.Key()); got != sess.Token {
			t.Errorf("state.json holds %+v, want %+v", got, sess.Token)
		}
	}
	if c, err := off.LoadClient(); err != nil || c != client {
		t.Errorf("LoadClient = %+v, %v; want %+v", c, err, client)
	}
	if n := off.Notices(); len(n) != 0 {
		t.Errorf("notices: %q", n)
	}
}

func TestMemKeyringWriteFails(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a := session(ada, "access-a")
	// A login kept in the file, then the keyring turned on while it is locked.
	plain := openMem(t, dir, k, KeyringAsConfigured)
	upsert(t, plain, a)
	if err := plain.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, name := range []string{stateFile, configFile} {
		before[name] = readFile(t, filepath.Join(dir, name))
	}
	k.failing("set", errLocked)
	on := openMem(t, dir, k, KeyringOn)
	g := session(grace, "access-g")
	var ke *KeyringError
	for name, do := range map[string]func() error{
		"Update": func() error { return on.Update(func(st *State) error { st.Upsert(g); return nil }) },
		"SaveToken": func() error {
			return on.SaveToken(a.Key(), Token{AccessToken: "access-a2", RefreshToken: "refresh-a2"})
		},
		"MoveSecrets": on.MoveSecrets,
		"SaveClient": func() error {
			return on.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-2"})
		},
	} {
		err := do()
		if !errors.As(err, &ke) || ke.Op != "write" || !errors.Is(err, errLocked) || !strings.Contains(err.Error(), "nothing was written to a file instead") {
			t.Errorf("%s with the keyring locked = %v, want a KeyringError for the write", name, err)
		}
	}
	// Nothing moved, nothing written: the login is where it was.
	for name, data := range before {
		if got := readFile(t, filepath.Join(dir, name)); string(got) != string(data) {
			t.Errorf("%s changed although the keyring could not be written:\n%s", name, got)
		}
	}
	inNoFile(t, dir, g.Token.AccessToken, g.Token.RefreshToken, "access-a2", "client-secret-2")
	if got := loadToken(t, on, a.Key()); got != a.Token {
		t.Errorf("the login after the failed move: %+v, want %+v", got, a.Token)
	}
}

func TestMemKeyringReadFails(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a, g := session(ada, "access-a"), session(grace, "access-g")
	client := ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}
	on := openMem(t, dir, k, KeyringOn)
	upsert(t, on, a, g)
	if err := on.SaveClient(client); err != nil {
		t.Fatal(err)
	}
	refs := map[string]Token{a.Key(): stored(t, on, a.Key()), g.Key(): stored(t, on, g.Key())}
	config := readFile(t, filepath.Join(dir, configFile))
	entries := k.accounts()

	k.failing("get", errLocked)
	var ke *KeyringError
	if _, err := on.LoadToken(a.Key()); !errors.As(err, &ke) || ke.Op != "read" || !errors.Is(err, errLocked) {
		t.Errorf("LoadToken = %v, want a KeyringError for the read", err)
	}
	if _, err := on.ClientSecret(clientAccount(client.ClientID)); !errors.As(err, &ke) {
		t.Errorf("ClientSecret = %v, want a KeyringError", err)
	}
	// A refresh that must keep the stored refresh token cannot read it:
	// nothing is saved, rather than a token with no refresh token.
	if err := on.SaveToken(a.Key(), Token{AccessToken: "access-a2"}); !errors.As(err, &ke) {
		t.Errorf("SaveToken without a refresh token = %v, want a KeyringError", err)
	}
	if _, err := on.SaveTokenFrom(a.Key(), a.Token.AccessToken, Token{AccessToken: "access-a2"}); !errors.As(err, &ke) {
		t.Errorf("SaveTokenFrom = %v, want a KeyringError", err)
	}
	if _, err := on.MarkRefused(a.Key(), a.Token.RefreshToken, Refusal{At: t0}); !errors.As(err, &ke) {
		t.Errorf("MarkRefused = %v, want a KeyringError", err)
	}

	// Moving out with the keyring unreadable: the logins and the client
	// secret stay in the keyring, their references in the files.
	off := openMem(t, dir, k, KeyringOff)
	if err := off.MoveSecrets(); !errors.As(err, &ke) || ke.Op != "read" {
		t.Errorf("MoveSecrets out of a locked keyring = %v, want a KeyringError", err)
	}
	// An update that changes something else is written, each login
	// still a reference.
	if err := off.Switch(a.Key()); err != nil {
		t.Fatalf("Switch with the keyring locked: %v", err)
	}
	for key, ref := range refs {
		if got := stored(t, off, key); got != ref {
			t.Errorf("state.json holds %+v, want the reference %+v kept", got, ref)
		}
	}
	if got := readFile(t, filepath.Join(dir, configFile)); string(got) != string(config) {
		t.Errorf("config.json changed:\n%s", got)
	}
	if got := k.accounts(); !reflect.DeepEqual(got, entries) {
		t.Errorf("keyring entries %q, want %q kept", got, entries)
	}

	// Unlocked, it all moves, and nothing is lost.
	k.failing("get", nil)
	if err := off.MoveSecrets(); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []Session{a, g} {
		if got := stored(t, off, sess.Key()); got != sess.Token {
			t.Errorf("state.json holds %+v, want %+v", got, sess.Token)
		}
	}
	if c, err := off.LoadClient(); err != nil || c != client {
		t.Errorf("LoadClient = %+v, %v", c, err)
	}
	if got := k.accounts(); len(got) != 0 {
		t.Errorf("the keyring still holds %q", got)
	}
}

func TestMemKeyringEntryGone(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a, g := session(ada, "access-a"), session(grace, "access-g")
	on := openMem(t, dir, k, KeyringOn)
	upsert(t, on, a, g)
	if err := on.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}); err != nil {
		t.Fatal(err)
	}
	// Removed outside bcauth.
	for _, account := range []string{tokenAccount(a.Key()), clientAccount("client-1")} {
		if err := k.Delete(t.Context(), account); err != nil {
			t.Fatal(err)
		}
	}

	var gone *SecretGoneError
	_, err := on.LoadToken(a.Key())
	if !errors.As(err, &gone) || !errors.Is(err, ErrSecretGone) || gone.Account != tokenAccount(a.Key()) || gone.Client ||
		!strings.Contains(err.Error(), "log in again") {
		t.Errorf("LoadToken of a removed entry = %v, want a SecretGoneError saying to log in again", err)
	}
	_, err = on.ClientSecret(clientAccount("client-1"))
	if !errors.As(err, &gone) || !gone.Client || !strings.Contains(err.Error(), "bcauth setup") {
		t.Errorf("ClientSecret of a removed entry = %v, want a SecretGoneError saying to run setup", err)
	}
	if err := on.SaveToken(a.Key(), Token{AccessToken: "x"}); !errors.Is(err, ErrSecretGone) {
		t.Errorf("SaveToken = %v, want ErrSecretGone", err)
	}
	if got := loadToken(t, on, g.Key()); got != g.Token {
		t.Errorf("the other login: %+v", got)
	}

	// Moving out keeps what is left: the lost login with no token, the
	// other whole, the client with no secret.
	off := openMem(t, dir, k, KeyringOff)
	if err := off.MoveSecrets(); err != nil {
		t.Fatalf("MoveSecrets with entries gone: %v", err)
	}
	if got, want := stored(t, off, a.Key()), (Token{TokenType: a.Token.TokenType, Expiry: a.Token.Expiry}); got != want {
		t.Errorf("the lost login holds %+v, want %+v", got, want)
	}
	if got := stored(t, off, g.Key()); got != g.Token {
		t.Errorf("the other login holds %+v", got)
	}
	if c, err := off.LoadClient(); err != nil || c != (ClientConfig{ClientID: "client-1"}) {
		t.Errorf("LoadClient = %+v, %v; want the client without a secret or a reference", c, err)
	}
	if got := k.accounts(); len(got) != 0 {
		t.Errorf("the keyring still holds %q", got)
	}
}

func TestMemKeyringLogoutRemovesTheEntries(t *testing.T) {
	k := newMemKeyring()
	s := openMem(t, t.TempDir(), k, KeyringOn)
	s.Notices() // the temporary directory's mode, tightened
	a, g := session(ada, "access-a"), session(grace, "access-g")
	upsert(t, s, a, g)
	if err := s.Logout(a.Key()); err != nil {
		t.Fatal(err)
	}
	if got := k.accounts(); !reflect.DeepEqual(got, []string{tokenAccount(g.Key())}) {
		t.Errorf("after logging out of one, the keyring holds %q", got)
	}
	// A new login replaces the token of the same session in its entry.
	again := session(grace, "access-g2")
	upsert(t, s, again)
	if got := k.token(t, tokenAccount(g.Key())); got != again.Token {
		t.Errorf("the entry holds %+v after logging in again", got)
	}
	// An entry that cannot be removed is named, the logout done.
	k.failing("delete", errLocked)
	if err := s.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Load(); err != nil || len(st.Sessions) != 0 {
		t.Errorf("after logout --all: %+v, %v", st, err)
	}
	n := s.Notices()
	if len(n) != 1 || !strings.Contains(n[0], tokenAccount(g.Key())) || !strings.Contains(n[0], "secret-tool clear") || !strings.Contains(n[0], errLocked.Error()) {
		t.Errorf("notices = %q, want one naming the entry left behind", n)
	}
	k.failing("delete", nil)
	if err := s.LogoutAll(); err != nil {
		t.Fatal(err)
	}
	if n := s.Notices(); len(n) != 0 {
		t.Errorf("notices with nothing to remove: %q", n)
	}
}

// A failed write of the file keeps the keyring as it was: an entry goes
// only once the file no longer refers to it.
func TestMemKeyringFailedWriteKeepsTheEntries(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a := session(ada, "access-a")
	on := openMem(t, dir, k, KeyringOn)
	upsert(t, on, a)
	if err := on.SaveClient(ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}); err != nil {
		t.Fatal(err)
	}
	entries := k.accounts()
	for name, do := range map[string]func(s *Store) error{
		"MoveSecrets": (*Store).MoveSecrets,
		"Logout":      func(s *Store) error { return s.Logout(a.Key()) },
		"SaveClient":  func(s *Store) error { return s.SaveClient(ClientConfig{ClientID: "client-2"}) },
	} {
		t.Run(name, func(t *testing.T) {
			off := openMem(t, dir, k, KeyringOff)
			off.beforeRename = func(string) error { return errCrash }
			if err := do(off); !errors.Is(err, errCrash) {
				t.Errorf("%s = %v, want the failed write", name, err)
			}
			if got := k.accounts(); !reflect.DeepEqual(got, entries) {
				t.Errorf("after a failed write the keyring holds %q, want %q", got, entries)
			}
			if got := loadToken(t, off, a.Key()); got != a.Token {
				t.Errorf("the login: %+v", got)
			}
			if secret, err := off.ClientSecret(clientAccount("client-1")); err != nil || secret != "client-secret-1" {
				t.Errorf("the client secret: %q, %v", secret, err)
			}
		})
	}
}

func TestKeyringReferenceWithoutBackend(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a, g := session(ada, "access-a"), session(grace, "access-g")
	upsert(t, openMem(t, dir, k, KeyringOn), a)
	ref := stored(t, open(t, dir), a.Key())

	s := open(t, dir) // no WithKeyring: a bcauth built without it
	if s.KeyringName() != "" {
		t.Errorf("KeyringName = %q with no keyring", s.KeyringName())
	}
	var ke *KeyringError
	if _, err := s.LoadToken(a.Key()); !errors.As(err, &ke) || !strings.Contains(err.Error(), "without keyring support") {
		t.Errorf("LoadToken = %v, want a KeyringError saying there is no keyring", err)
	}
	if err := s.MoveSecrets(); !errors.As(err, &ke) {
		t.Errorf("MoveSecrets = %v, want a KeyringError", err)
	}
	// Another login is saved; the one in the keyring stays a reference.
	upsert(t, s, g)
	if got := stored(t, s, a.Key()); got != ref {
		t.Errorf("state.json holds %+v, want the reference %+v", got, ref)
	}
	if got := stored(t, s, g.Key()); got != g.Token {
		t.Errorf("the new login: %+v", got)
	}
	if got := k.token(t, tokenAccount(a.Key())); got != a.Token {
		t.Errorf("the keyring entry: %+v", got)
	}
}

func TestKeyringEntryNotBcauths(t *testing.T) {
	k := newMemKeyring()
	s := openMem(t, t.TempDir(), k, KeyringOn)
	a := session(ada, "access-a")
	upsert(t, s, a)
	g := session(grace, "access-g")
	upsert(t, s, g)
	gracesEntry, err := k.Get(t.Context(), tokenAccount(g.Key()))
	if err != nil {
		t.Fatal(err)
	}
	good, err := k.Get(t.Context(), tokenAccount(a.Key()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, entry, want string }{
		{"not json", "not json", "not bcauth's"},
		// Emptied: a local problem, never a login Launchpad refused.
		{"emptied", "{}", "holds no access token"},
		{"another login's", gracesEntry, "holds the tokens of another login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := k.Set(t.Context(), tokenAccount(a.Key()), tc.entry); err != nil {
				t.Fatal(err)
			}
			var de *SecretDamagedError
			if _, err := s.LoadToken(a.Key()); !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadToken = %v, want a SecretDamagedError saying %q", err, tc.want)
			}
		})
	}
	// Restored, the entry is the login again.
	if err := k.Set(t.Context(), tokenAccount(a.Key()), good); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.LoadToken(a.Key()); err != nil || tok.AccessToken != "access-a" {
		t.Errorf("restored: LoadToken = %+v, %v", tok, err)
	}
}

// While config.json cannot be read the setting is unknown: every login
// stays where it is, and nothing is moved.
func TestKeyringSettingUnknown(t *testing.T) {
	k := newMemKeyring()
	dir := t.TempDir()
	a, g, h := session(ada, "access-a"), session(grace, "access-g"), session(ada, "access-h")
	h.ClientID = "client-2"
	upsert(t, openMem(t, dir, k, KeyringOn), a)
	upsert(t, openMem(t, dir, k, KeyringOff), g)
	ref := stored(t, open(t, dir), a.Key())
	writeFile(t, filepath.Join(dir, configFile), []byte("{corrupt"), 0o600)

	s := openMem(t, dir, k, KeyringAsConfigured)
	var ce *CorruptError
	if _, err := s.UseKeyring(); !errors.As(err, &ce) {
		t.Errorf("UseKeyring = %v, want the CorruptError", err)
	}
	if on, src := s.KeyringSetting(); on || src != SourceUnset {
		t.Errorf("KeyringSetting = %v, %v", on, src)
	}
	if _, err := s.SecretsMisplaced(); !errors.As(err, &ce) {
		t.Errorf("SecretsMisplaced = %v, want the CorruptError", err)
	}
	if err := s.SetKeyring(true); !errors.As(err, &ce) {
		t.Errorf("SetKeyring over a corrupt config.json = %v, want the CorruptError", err)
	}
	if got := readFile(t, filepath.Join(dir, configFile)); string(got) != "{corrupt" {
		t.Errorf("config.json was overwritten: %s", got)
	}
	upsert(t, s, h)
	if got := stored(t, s, a.Key()); got != ref {
		t.Errorf("the login in the keyring: %+v, want %+v", got, ref)
	}
	for _, sess := range []Session{g, h} {
		if got := stored(t, s, sess.Key()); got != sess.Token {
			t.Errorf("a login in the file: %+v, want %+v", got, sess.Token)
		}
	}
}

func TestKeyringCallDeadline(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	hang := func() error { <-block; return nil }
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		ctx     func() context.Context
		fn      func() error
		want    string
	}{
		{"the answer", time.Hour, context.Background, func() error { return boom }, "boom"},
		{"no answer", time.Millisecond, context.Background, hang, "no answer within 1ms"},
		// A zero timeout is the default one; the context ended already, so
		// the test need not wait for it.
		{"the default deadline", 0, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, hang, "no answer within 5s"},
		{"a negative one", -time.Second, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, hang, "no answer within 5s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := OSKeyring{Timeout: tc.timeout}.call(tc.ctx(), tc.fn)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("call = %v, want %q", err, tc.want)
			}
		})
	}
	if err := (OSKeyring{}).call(context.Background(), func() error { return nil }); err != nil {
		t.Errorf("call of a function that succeeds = %v", err)
	}
}

// A bcauth started without keyring support keeps new logins in the file,
// whatever config.json says.
func TestKeyringSettingWithoutBackend(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, configFile), []byte(`{"version": 1, "client_id": "client-1", "keyring": true}`), 0o600)
	s := open(t, dir)
	if on, err := s.UseKeyring(); err != nil || !on {
		t.Fatalf("UseKeyring = %v, %v; want the file's setting", on, err)
	}
	a := session(ada, "access-a")
	upsert(t, s, a)
	if got := stored(t, s, a.Key()); got != a.Token {
		t.Errorf("state.json holds %+v, want %+v", got, a.Token)
	}
	if err := s.Logout(a.Key()); err != nil {
		t.Fatal(err)
	}
	for _, n := range s.Notices() {
		if strings.Contains(n, "keyring") {
			t.Errorf("notice about a keyring never used: %s", n)
		}
	}
}

// Saving what config.json already says, or moving secrets that are where
// they belong, does not rewrite it.
func TestClientUnchangedIsNotRewritten(t *testing.T) {
	for _, mode := range []KeyringMode{KeyringOff, KeyringOn} {
		dir := t.TempDir()
		s := openMem(t, dir, newMemKeyring(), mode)
		c := ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1", RedirectURI: "http://127.0.0.1:8976/callback"}
		if err := s.SaveClient(c); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, configFile)
		// A link keeps the inode taken, so a new file cannot reuse its number.
		if err := os.Link(path, filepath.Join(t.TempDir(), "before")); err != nil {
			t.Fatal(err)
		}
		before, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveClient(c); err != nil {
			t.Fatal(err)
		}
		if err := s.MoveSecrets(); err != nil {
			t.Fatal(err)
		}
		after, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(before, after) {
			t.Errorf("mode %d: config.json was rewritten with nothing changed", mode)
		}
		c.RedirectURI = "http://127.0.0.1:8977/callback"
		if err := s.SaveClient(c); err != nil {
			t.Fatal(err)
		}
		if got, err := s.LoadClient(); err != nil || got.RedirectURI != c.RedirectURI {
			t.Errorf("mode %d: a changed client was not saved: %+v, %v", mode, got, err)
		}
	}
}

// SecretsMisplaced reads the files alone, and says yes exactly when a
// secret is not where the setting says.
func TestSecretsMisplaced(t *testing.T) {
	k := newMemKeyring()
	inKeyring := session(ada, "access-a")
	inFile := session(grace, "access-g")
	client := ClientConfig{ClientID: "client-1", ClientSecret: "client-secret-1"}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string)
		on, off bool // misplaced with the keyring forced on, and off
	}{
		{"nothing", func(*testing.T, string) {}, false, false},
		{"a login in the file", func(t *testing.T, dir string) {
			upsert(t, openMem(t, dir, k, KeyringOff), inFile)
		}, true, false},
		{"a login in the keyring", func(t *testing.T, dir string) {
			upsert(t, openMem(t, dir, k, KeyringOn), inKeyring)
		}, false, true},
		{"the client secret in the file", func(t *testing.T, dir string) {
			if err := openMem(t, dir, k, KeyringOff).SaveClient(client); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"the client secret in the keyring", func(t *testing.T, dir string) {
			if err := openMem(t, dir, k, KeyringOn).SaveClient(client); err != nil {
				t.Fatal(err)
			}
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			for mode, want := range map[KeyringMode]bool{KeyringOn: tc.on, KeyringOff: tc.off} {
				if got, err := openMem(t, dir, k, mode).SecretsMisplaced(); err != nil || got != want {
					t.Errorf("mode %d: SecretsMisplaced = %v, %v; want %v", mode, got, err, want)
				}
			}
		})
	}
}

// Moving secrets in a store that has none writes nothing.
func TestMoveSecretsWithNothingWritesNothing(t *testing.T) {
	for _, mode := range []KeyringMode{KeyringOn, KeyringOff} {
		dir := t.TempDir()
		if err := openMem(t, dir, newMemKeyring(), mode).MoveSecrets(); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{configFile, stateFile} {
			if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("mode %d: MoveSecrets with nothing to move made %s: %v", mode, name, err)
			}
		}
	}
}
