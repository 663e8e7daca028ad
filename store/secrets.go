package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Where the secrets live: the access and refresh tokens of every session
// and the client secret. By default they are in state.json and
// config.json; with the keyring setting on (see [WithKeyring]) they are in
// a [SecretBackend], the OS keyring, and the files keep only a reference
// to the entry, so listing the Basecamp IDs or drawing the app's first
// frame reads no secret.
//
// Secrets move when the setting and the files disagree (see
// [Store.MoveSecrets]): into the backend, and out of the file only once
// the backend confirmed the write; or back into the file, and out of the
// backend only once the file is written. With the setting on, a backend
// that cannot be reached is an error: no secret is ever written to a file
// instead.

// SecretBackend keeps secrets outside bcauth's files, by account name.
// Every call must return within a bounded time, as [OSKeyring]'s do.
type SecretBackend interface {
	// Name says what the backend is, for messages and bcauth status.
	Name() string
	// Get returns the secret, or an error matching [ErrSecretGone] when
	// there is no entry for account.
	Get(ctx context.Context, account string) (string, error)
	// Set creates or replaces the entry for account.
	Set(ctx context.Context, account, secret string) error
	// Delete removes the entry; a missing entry is no error.
	Delete(ctx context.Context, account string) error
}

// KeyringMode is the keyring setting of a run: as config.json says, or
// forced on or off (BCAUTH_KEYRING, which main reads).
type KeyringMode int

// The keyring settings a run can have.
const (
	KeyringAsConfigured KeyringMode = iota // config.json's "keyring" field
	KeyringOn                              // forced on for this run
	KeyringOff                             // forced off for this run
)

// WithKeyring gives the store the backend secrets go to when the keyring
// setting is on, and the run's setting. Without it the keyring is never
// used, and a reference to a keyring entry found in a file is a
// [*KeyringError].
func WithKeyring(b SecretBackend, mode KeyringMode) Option {
	return func(s *Store) { s.secrets, s.keyringMode = b, mode }
}

// ErrSecretGone means a keyring entry bcauth wrote is no longer there:
// something outside bcauth removed it. The login it held is lost.
var ErrSecretGone = errors.New("the keyring entry is gone")

// SecretGoneError names the entry that disappeared and what to do.
type SecretGoneError struct {
	Backend string
	Account string
	// Client is set when the entry held the client secret, not a login.
	Client bool
}

func (e *SecretGoneError) Error() string {
	if e.Client {
		return fmt.Sprintf("the client secret's entry %q in %s is gone (removed outside bcauth): enter the client settings again with bcauth setup", e.Account, e.Backend)
	}
	return fmt.Sprintf("this login's tokens were in %s as %q, and that entry is gone (removed outside bcauth): log in again with bcauth login", e.Backend, e.Account)
}

// Is makes a SecretGoneError match ErrSecretGone.
func (e *SecretGoneError) Is(target error) bool { return target == ErrSecretGone }

// KeyringError means the keyring was asked for and could not be used: no
// Secret Service, a locked keyring, no answer within the deadline, or no
// keyring configured for this run at all.
type KeyringError struct {
	Backend string
	Op      string // "read", "write" or "remove"
	Err     error
}

func (e *KeyringError) Error() string {
	return fmt.Sprintf("cannot %s bcauth's secrets in %s (%v): nothing was written to a file instead", e.Op, e.Backend, e.Err)
}

func (e *KeyringError) Unwrap() error { return e.Err }

// secretService is the service name of every entry bcauth writes; the
// account says whose secret it is.
const secretService = "bcauth"

// tokenAccount is the keyring account of a session's tokens.
func tokenAccount(key string) string { return tokenAccountPrefix + key }

const tokenAccountPrefix = "token:"

// clientAccount is the keyring account of a client secret.
func clientAccount(clientID string) string { return "client:" + clientID }

// UseKeyring reports whether this run keeps the secrets in the keyring.
func (s *Store) UseKeyring() (bool, error) {
	switch s.keyringMode {
	case KeyringOn:
		return true, nil
	case KeyringOff:
		return false, nil
	}
	var f clientFile
	if _, err := s.read(configFile, &f); err != nil {
		return false, err
	}
	return f.Keyring, nil
}

// KeyringSetting says whether the keyring setting is on and where it came
// from: SourceEnv when forced for this run, SourceFile when config.json
// turns it on, SourceUnset when it is off by default.
func (s *Store) KeyringSetting() (bool, Source) {
	switch s.keyringMode {
	case KeyringOn:
		return true, SourceEnv
	case KeyringOff:
		return false, SourceEnv
	}
	if on, err := s.UseKeyring(); err == nil && on {
		return true, SourceFile
	}
	return false, SourceUnset
}

// KeyringName is the backend's name, or "" when the store has none.
func (s *Store) KeyringName() string {
	if s.secrets == nil {
		return ""
	}
	return s.secrets.Name()
}

// SetKeyring saves the keyring setting in config.json; [Store.MoveSecrets]
// then moves the secrets where it says.
func (s *Store) SetKeyring(on bool) error {
	return s.updateClient(func(f *clientFile) { f.Keyring = on })
}

// backend is the store's backend, or the error that says there is none.
func (s *Store) backend(op string) (SecretBackend, error) {
	if s.secrets == nil {
		return nil, &KeyringError{Backend: "the OS keyring", Op: op, Err: errors.New("this bcauth was started without keyring support")}
	}
	return s.secrets, nil
}

// getSecret reads one entry, wrapping failures as bcauth reports them.
func (s *Store) getSecret(account string, client bool) (string, error) {
	b, err := s.backend("read")
	if err != nil {
		return "", err
	}
	v, err := b.Get(context.Background(), account)
	switch {
	case errors.Is(err, ErrSecretGone):
		return "", &SecretGoneError{Backend: b.Name(), Account: account, Client: client}
	case err != nil:
		return "", &KeyringError{Backend: b.Name(), Op: "read", Err: err}
	}
	return v, nil
}

func (s *Store) setSecret(account, secret string) error {
	b, err := s.backend("write")
	if err != nil {
		return err
	}
	if err := b.Set(context.Background(), account, secret); err != nil {
		return &KeyringError{Backend: b.Name(), Op: "write", Err: err}
	}
	return nil
}

// dropSecret removes an entry that no file refers to any more. It is best
// effort, since the file is already right: an entry left behind is named
// in a notice, so the person can remove it.
func (s *Store) dropSecret(account string) {
	b, err := s.backend("remove")
	if err == nil {
		err = b.Delete(context.Background(), account)
	}
	if err != nil {
		s.notice("could not remove the keyring entry %q (service %s): %v; remove it with: secret-tool clear service %s username '%s'",
			account, secretService, err, secretService, account)
	}
}

// Reveal is tok with its secrets, read from the keyring when the file
// holds only a reference (see [Store.LoadToken] for a stored login by key).
// Logout reads what it is about to forget with it, inside [Store.Update],
// so the refresh token revoked is the one that was stored.
func (s *Store) Reveal(tok Token) (Token, error) { return s.reveal(tok) }

// reveal returns tok with its secrets read from the keyring when the file
// holds only a reference; a token kept in the file is returned as it is.
func (s *Store) reveal(tok Token) (Token, error) {
	if tok.Keyring == "" {
		return tok, nil
	}
	raw, err := s.getSecret(tok.Keyring, false)
	if err != nil {
		return Token{}, err
	}
	var out secretToken
	damaged := func(why error) error {
		return &SecretDamagedError{Backend: s.secrets.Name(), Account: tok.Keyring, Err: why}
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return Token{}, damaged(fmt.Errorf("not bcauth's: %w", err))
	}
	if out.AccessToken == "" {
		// An emptied entry is damage here, not a refusal by Launchpad:
		// it must never end the login for good.
		return Token{}, damaged(errors.New("it holds no access token"))
	}
	if want := strings.TrimPrefix(tok.Keyring, tokenAccountPrefix); out.Login != "" && out.Login != want {
		return Token{}, damaged(fmt.Errorf("it holds the tokens of another login (%s)", out.Login))
	}
	if out.Resource == "" {
		out.Resource = tok.Resource // an entry written before BC5
	}
	if out.Scope == "" {
		out.Scope = tok.Scope
	}
	return out.Token, nil
}

// secretToken is a token as a keyring entry holds it: with the key of the
// login it belongs to, so an entry copied over another login's is told
// from it without asking Launchpad.
type secretToken struct {
	Token
	Login string `json:"login,omitempty"`
}

// SecretDamagedError is a login's keyring entry that is there but holds
// no token bcauth wrote for it: emptied, replaced, or another login's. A
// local problem: nothing is recorded, and a restored entry works again.
type SecretDamagedError struct {
	Backend string
	Account string
	Err     error
}

func (e *SecretDamagedError) Error() string {
	return fmt.Sprintf("this login's keyring entry %q in %s is damaged (%v): restore it, or log in again", e.Account, e.Backend, e.Err)
}

func (e *SecretDamagedError) Unwrap() error { return e.Err }

// hide stores tok's secrets in the keyring under account and returns the
// reference that replaces them in state.json. The entry holds the whole
// token, expiry included, so the entry alone says which access token is
// current even while another process rewrites state.json.
func (s *Store) hide(account string, tok Token) (Token, error) {
	data, err := json.Marshal(secretToken{
		Token: Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Expiry: tok.Expiry, Resource: tok.Resource, Scope: tok.Scope},
		Login: strings.TrimPrefix(account, tokenAccountPrefix),
	})
	if err != nil {
		return Token{}, err
	}
	if err := s.setSecret(account, string(data)); err != nil {
		return Token{}, err
	}
	return Token{TokenType: tok.TokenType, Expiry: tok.Expiry, Keyring: account, HasRefresh: tok.RefreshToken != "", Resource: tok.Resource, Scope: tok.Scope}, nil
}

// placeSecrets puts every session's tokens where the keyring setting says,
// before st is written; refs are the entries the sessions referred to
// before the update. It returns the entries to remove once the file is
// written, and, with the setting off, the error that kept a login in the
// keyring (the keyring could not be read: the reference stays, nothing is
// lost). With the setting on, a keyring it cannot write fails the whole
// update, so no token reaches the file. While config.json cannot be read
// the setting is unknown, and each login stays where it was.
func (s *Store) placeSecrets(st *State, refs map[string]string) (drop []string, stuck, err error) {
	if s.secrets == nil && s.keyringMode == KeyringAsConfigured && len(refs) == 0 {
		return nil, nil, nil // no keyring in this run, and none in the file
	}
	on, cerr := s.UseKeyring()
	for i := range st.Sessions {
		sess := &st.Sessions[i]
		tok := sess.Token
		inFile := tok.AccessToken != "" || tok.RefreshToken != ""
		want := on
		if cerr != nil {
			_, want = refs[sess.Key()]
		}
		switch {
		case want && inFile:
			if sess.Token, err = s.hide(tokenAccount(sess.Key()), tok); err != nil {
				return nil, nil, err
			}
		case !want && tok.Keyring != "":
			plain, err := s.reveal(tok)
			if errors.Is(err, ErrSecretGone) {
				// Nothing left to move: the login needs a new one.
				plain = Token{TokenType: tok.TokenType, Expiry: tok.Expiry, Resource: tok.Resource, Scope: tok.Scope}
			} else if err != nil {
				stuck = err
				continue
			}
			sess.Token = plain
			drop = append(drop, tok.Keyring)
		}
	}
	return drop, stuck, nil
}

// Renewable reports whether the token has a refresh token, in the file or
// in the keyring.
func (t Token) Renewable() bool { return t.RefreshToken != "" || t.HasRefresh }

// keyringRefs are the keyring entries the sessions of st refer to, by
// session key, so the entries of the sessions an update removes can go.
func keyringRefs(st *State) map[string]string {
	refs := map[string]string{}
	for _, sess := range st.Sessions {
		if sess.Token.Keyring != "" {
			refs[sess.Key()] = sess.Token.Keyring
		}
	}
	return refs
}

// dropRemoved removes the keyring entries of the sessions st no longer has.
func (s *Store) dropRemoved(refs map[string]string, st *State) {
	for key, account := range refs {
		if _, ok := st.Find(key); !ok {
			s.dropSecret(account)
		}
	}
}

// ClientSecret reads the client secret config.json refers to.
func (s *Store) ClientSecret(ref string) (string, error) {
	return s.getSecret(ref, true)
}

// MoveSecrets moves every secret to where the keyring setting says.
// Nothing is lost on the way: a secret written to the keyring leaves the
// file only after the keyring confirmed it, and one moved back leaves the
// keyring only once the file is written. With the setting off, a login
// whose entry cannot be read stays in the keyring, and the error says why.
func (s *Store) MoveSecrets() error {
	if err := s.updateClient(nil); err != nil {
		return err
	}
	if err := s.Update(func(*State) error { return nil }); err != nil {
		return err
	}
	on, err := s.UseKeyring()
	if err != nil || on {
		return err
	}
	st, err := s.Load()
	if err != nil {
		return err
	}
	for _, sess := range st.Sessions {
		if _, err := s.reveal(sess.Token); err != nil {
			return err
		}
	}
	return nil
}

// SecretsMisplaced reports, from the files alone and without touching the
// keyring, whether any secret is not where the keyring setting says, so
// that a run calls [Store.MoveSecrets] only when there is work.
func (s *Store) SecretsMisplaced() (bool, error) {
	on, err := s.UseKeyring()
	if err != nil {
		return false, err
	}
	c, err := s.LoadClient()
	if err != nil {
		return false, err
	}
	if (on && c.ClientSecret != "") || (!on && c.ClientSecretKeyring != "") {
		return true, nil
	}
	st, err := s.Load()
	if err != nil {
		return false, err
	}
	for _, sess := range st.Sessions {
		inFile := sess.Token.AccessToken != "" || sess.Token.RefreshToken != ""
		if (on && inFile) || (!on && sess.Token.Keyring != "") {
			return true, nil
		}
	}
	return false, nil
}

// updateClient changes config.json with fn (nil changes nothing) under
// the lock, puts the client secret where the keyring setting then says,
// and rewrites the file if anything changed.
func (s *Store) updateClient(fn func(*clientFile)) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	var f clientFile
	found, err := s.read(configFile, &f)
	if err != nil || (!found && fn == nil) {
		return err
	}
	before := f
	if fn != nil {
		fn(&f)
	}
	return s.writeClient(&f, before)
}

// writeClient writes config.json as f, the client secret placed where the
// keyring setting says, unless it equals before; the caller holds the
// lock. An entry the file no longer refers to is removed afterwards.
func (s *Store) writeClient(f *clientFile, before clientFile) error {
	on := f.Keyring
	switch s.keyringMode {
	case KeyringOn:
		on = true
	case KeyringOff:
		on = false
	}
	c := &f.ClientConfig
	switch {
	case on && c.ClientSecret != "":
		ref := clientAccount(c.ClientID)
		if err := s.setSecret(ref, c.ClientSecret); err != nil {
			return err
		}
		c.ClientSecret, c.ClientSecretKeyring = "", ref
	case !on && c.ClientSecretKeyring != "":
		if c.ClientSecret == "" {
			secret, err := s.getSecret(c.ClientSecretKeyring, true)
			if err != nil && !errors.Is(err, ErrSecretGone) {
				return err
			}
			c.ClientSecret = secret
		}
		c.ClientSecretKeyring = ""
	}
	if before.Version != nil {
		// f may come without a version (SaveClient builds it afresh):
		// only the settings are compared.
		f.Version = before.Version
		if *f == before {
			return nil
		}
	}
	v := formatVersion
	f.Version = &v
	data, err := encode(f)
	if err != nil {
		return err
	}
	if err := s.write(configFile, data); err != nil {
		return err
	}
	if old := before.ClientSecretKeyring; old != "" && old != c.ClientSecretKeyring {
		s.dropSecret(old)
	}
	return nil
}
