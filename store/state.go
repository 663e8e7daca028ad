package store

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
)

// ErrNoSession means no session has the key asked for: the person logged
// out, possibly in another bcauth process.
var ErrNoSession = errors.New("not logged in with that Basecamp ID: log in again")

// Token is an OAuth token as bcauth keeps it.
type Token struct {
	AccessToken  string    `json:"access_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	// Keyring names the keyring entry holding the access and refresh
	// tokens, which are then empty here (see secrets.go); HasRefresh says
	// the entry holds a refresh token.
	Keyring    string `json:"keyring,omitempty"`
	HasRefresh bool   `json:"has_refresh_token,omitempty"`
	// Resource is the RFC 8707 indicator a BC5 token is bound to
	// ("urn:bc:account:ID"), sent with every refresh; empty on Launchpad.
	// It is no secret, so it stays here when the tokens are in the keyring.
	Resource string `json:"resource,omitempty"`
	// Scope is what the server last granted this token ("read" or
	// "full" on BC5, whose refreshes may narrow it); empty on Launchpad.
	Scope string `json:"scope,omitempty"`
}

// TokenFrom converts a token from golang.org/x/oauth2; nil is the zero Token.
func TokenFrom(t *oauth2.Token) Token {
	if t == nil {
		return Token{}
	}
	scope, _ := t.Extra("scope").(string)
	return Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Expiry: t.Expiry, Resource: auth.Resource(t), Scope: scope}
}

// OAuth2 converts the token for golang.org/x/oauth2.
func (t Token) OAuth2() *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Expiry: t.Expiry}
	if t.Scope != "" {
		tok = tok.WithExtra(map[string]any{"scope": t.Scope})
	}
	return auth.WithResource(tok, t.Resource)
}

// Session is one Basecamp ID bcauth is logged in as. The server (the
// Launchpad URL, or a BC5 issuer and its endpoints) and the client id
// travel with the token because a token from one client or server is never
// sent to another.
type Session struct {
	LaunchpadURL string `json:"launchpad_url"`
	// Server is the authorization server the login came from, as
	// discovery found it: a refresh never asks again. Its zero value is
	// Launchpad at LaunchpadURL, which every older login means.
	Server   auth.Server   `json:"server,omitzero"`
	ClientID string        `json:"client_id"`
	Identity auth.Identity `json:"identity"`
	Token    Token         `json:"token"`
	// LoggedInAt is when the person logged in: an account cache older
	// than that belongs to an earlier login and is not shown.
	LoggedInAt time.Time `json:"logged_in_at,omitzero"`
	// Authorization is Launchpad's last authorization.json answer, fetched
	// at FetchedAt, so the accounts can be drawn before it is asked again.
	// It lives in the account cache, not in state.json: see
	// [Store.LoadAuthorization] and [Store.SaveAuthorization].
	Authorization *auth.Authorization `json:"-"`
	FetchedAt     time.Time           `json:"-"`
	// LastAccount is the [auth.Account.Key] of the account last picked.
	LastAccount string `json:"last_account,omitempty"`
	// Refused is set once Launchpad has refused the session's refresh
	// token for good: bcauth never sends it again, and only a new login
	// (which replaces the session) clears it.
	Refused *Refusal `json:"refused,omitempty"`
}

// Refusal is Launchpad's definitive refusal of a refresh token: when, and
// in Launchpad's own words (raw: clean them before display).
type Refusal struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// sessionOnDisk is a session in state.json. Its Authorization and FetchedAt
// are only ever read: bcauth kept the account list there before the cache
// had a directory of its own, and the next write moves it out.
type sessionOnDisk struct {
	Session
	Authorization *auth.Authorization `json:"authorization,omitempty"`
	FetchedAt     time.Time           `json:"fetched_at,omitzero"`
}

// Key identifies the session across runs: the same person through another
// client or Launchpad is another session.
func (s Session) Key() string {
	return strings.TrimRight(s.Origin(), "/") + "|" + s.ClientID + "|" + strconv.FormatInt(s.Identity.ID, 10)
}

// Origin is the server that issued the login's tokens: the BC5 issuer, or
// the Launchpad URL.
func (s Session) Origin() string {
	if s.Server.IsBC5() {
		return s.Server.Issuer
	}
	return s.LaunchpadURL
}

// State is state.json: the sessions bcauth keeps and which one is current.
type State struct {
	Version  int       `json:"version"`
	Current  string    `json:"current,omitempty"`
	Sessions []Session `json:"sessions"`
}

// CurrentSession returns the current session, for reading or for changing
// in place inside [Store.Update].
func (st *State) CurrentSession() (*Session, bool) {
	if st.Current == "" {
		return nil, false
	}
	return st.Find(st.Current)
}

// Find returns the session with the given key, for reading or for changing
// in place inside [Store.Update].
func (st *State) Find(key string) (*Session, bool) {
	for i := range st.Sessions {
		if st.Sessions[i].Key() == key {
			return &st.Sessions[i], true
		}
	}
	return nil, false
}

// Upsert adds the session, or replaces the one with the same key, and makes
// it current.
func (st *State) Upsert(sess Session) {
	key := sess.Key()
	if old, ok := st.Find(key); ok {
		*old = sess
	} else {
		st.Sessions = append(st.Sessions, sess)
	}
	st.Current = key
}

// Switch makes the session with the given key current and reports whether
// there is one.
func (st *State) Switch(key string) bool {
	if _, ok := st.Find(key); !ok {
		return false
	}
	st.Current = key
	return true
}

// Remove deletes the session with the given key and reports whether there
// was one. If it was current, the first remaining session becomes current.
func (st *State) Remove(key string) bool {
	n := len(st.Sessions)
	st.Sessions = slices.DeleteFunc(st.Sessions, func(s Session) bool { return s.Key() == key })
	if st.Current == key {
		st.Current = ""
		if len(st.Sessions) > 0 {
			st.Current = st.Sessions[0].Key()
		}
	}
	return len(st.Sessions) != n
}

// stateOnDisk is state.json on disk.
type stateOnDisk struct {
	Version  *int            `json:"version"`
	Current  string          `json:"current,omitempty"`
	Sessions []sessionOnDisk `json:"sessions"`
}

func (f *stateOnDisk) version() *int { return f.Version }

// readState reads state.json once. Account lists an older bcauth kept in
// it are returned apart, as the sessions' caches to move out.
func (s *Store) readState() (*State, []cached, error) {
	var f stateOnDisk
	found, err := s.read(stateFile, &f)
	if err != nil {
		return nil, nil, err
	}
	st := &State{Version: formatVersion, Current: f.Current}
	if !found {
		return st, nil, nil
	}
	st.Sessions = make([]Session, len(f.Sessions))
	var legacy []cached
	for i, sf := range f.Sessions {
		st.Sessions[i] = sf.Session
		if sf.Authorization != nil {
			legacy = append(legacy, cached{key: sf.Key(), a: sf.Authorization, at: sf.FetchedAt})
		}
	}
	return st, legacy, nil
}

// Load reads state.json without changing it. A missing file is an empty
// state; an unreadable one is a [*CorruptError], one from a newer bcauth a
// [*VersionError]. Sessions carry no account cache
// ([Store.LoadAuthorization] reads it), except the lists an older bcauth
// kept in state.json, which stay there until the next write moves them.
func (s *Store) Load() (*State, error) {
	st, legacy, err := s.readState()
	if err != nil {
		return nil, err
	}
	for _, l := range legacy {
		if sess, ok := st.Find(l.key); ok {
			sess.Authorization, sess.FetchedAt = l.a, l.at
		}
	}
	s.legacy.Store(len(legacy) > 0)
	return st, nil
}

// Update changes state.json with fn under an exclusive lock shared with
// other bcauth processes: it re-reads the file under the lock, applies fn and
// replaces the file atomically. Nothing is written when fn returns an error
// or changes nothing. Update refuses, with the typed error, to write over a
// file it cannot read or that comes from a newer bcauth; [Store.SetAside]
// clears the way.
//
// fn sees credentials only: a session's Authorization is neither read nor
// written here (see [Store.SaveAuthorization]). The cache of a session fn
// removes is deleted, and account lists an older bcauth kept in
// state.json move to the cache before the file is rewritten without them.
func (s *Store) Update(fn func(*State) error) error {
	if s.dirMissing() {
		// Nothing is stored yet: an update that changes nothing (a
		// logout with nobody logged in) leaves no directory behind.
		// Otherwise fn runs again below, on the state under the lock.
		st := &State{}
		before, err := encodeState(st)
		if err != nil {
			return err
		}
		if err := fn(st); err != nil {
			return err
		}
		if after, err := encodeState(st); err == nil && string(after) == string(before) {
			return nil
		}
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return s.update(fn)
}

// update is Update for a caller that holds the lock.
func (s *Store) update(fn func(*State) error) error {
	st, legacy, err := s.readState()
	if err != nil {
		return err
	}
	before, err := encodeState(st)
	if err != nil {
		return err
	}
	had := make([]string, len(st.Sessions))
	for i, sess := range st.Sessions {
		had[i] = sess.Key()
	}
	refs := keyringRefs(st)
	if err := fn(st); err != nil {
		return err
	}
	drop, _, err := s.placeSecrets(st, refs)
	if err != nil {
		return err
	}
	after, err := encodeState(st)
	if err != nil {
		return err
	}
	if string(before) == string(after) && len(legacy) == 0 {
		return nil
	}
	for _, l := range legacy {
		if _, ok := st.Find(l.key); ok {
			// Best effort: the cache holds nothing that cannot be fetched
			// again, and a cache directory that cannot be written must not
			// keep a refreshed token from being saved.
			_ = s.migrateCache(l)
		}
	}
	if err := s.write(stateFile, after); err != nil {
		return err
	}
	s.legacy.Store(false)
	for _, account := range drop {
		s.dropSecret(account)
	}
	s.dropRemoved(refs, st)
	for _, key := range had {
		if _, ok := st.Find(key); !ok {
			_ = s.ForgetAuthorization(key)
		}
	}
	return nil
}

func encodeState(st *State) ([]byte, error) {
	v := formatVersion
	out := stateOnDisk{Version: &v, Current: st.Current, Sessions: make([]sessionOnDisk, len(st.Sessions))}
	for i, sess := range st.Sessions {
		out.Sessions[i] = sessionOnDisk{Session: sess}
	}
	return encode(&out)
}

// SaveToken stores a refreshed token for the session with the given key,
// keeping everything else about it. A token without a refresh token keeps the
// one stored, since Launchpad may not send it again. If the session is gone,
// for example logged out by another process, it is not brought back:
// SaveToken returns [ErrNoSession].
func (s *Store) SaveToken(key string, tok Token) error {
	return s.Update(func(st *State) error {
		sess, ok := st.Find(key)
		if !ok {
			return ErrNoSession
		}
		if tok.RefreshToken == "" {
			cur, err := s.reveal(sess.Token)
			if err != nil {
				return err
			}
			tok.RefreshToken = cur.RefreshToken
		}
		sess.Token = tok
		return nil
	})
}

// LoadToken reads the token stored for the session with the given key,
// without a lock, for a token source to re-read before it refreshes:
// another process may have refreshed it. A session that is gone is
// [ErrNoSession].
func (s *Store) LoadToken(key string) (Token, error) {
	st, err := s.Load()
	if err != nil {
		return Token{}, err
	}
	_, tok, err := s.findToken(st, key)
	return tok, err
}

// findToken is the session of st with the given key and its token, the
// secrets read from the keyring if that is where they are; a session
// that is gone is [ErrNoSession].
func (s *Store) findToken(st *State, key string) (*Session, Token, error) {
	sess, ok := st.Find(key)
	if !ok {
		return nil, Token{}, ErrNoSession
	}
	tok, err := s.reveal(sess.Token)
	return sess, tok, err
}

// SaveTokenFrom stores tok, refreshed from the access token staleAccess, for
// the session with the given key, and returns the token now stored. If the
// stored access token is neither staleAccess nor tok's, another process
// refreshed the same login in between: its token is kept when it expires
// later, since both are valid and the later one lasts longer, and returned
// so the caller can tell. Otherwise SaveTokenFrom works as [Store.SaveToken]
// does, ErrNoSession included.
func (s *Store) SaveTokenFrom(key, staleAccess string, tok Token) (Token, error) {
	return s.saveTokenFrom(s.Update, key, staleAccess, tok)
}

func (s *Store) saveTokenFrom(update func(func(*State) error) error, key, staleAccess string, tok Token) (Token, error) {
	var stored Token
	err := update(func(st *State) error {
		sess, cur, err := s.findToken(st, key)
		if err != nil {
			return err
		}
		if cur.AccessToken != "" && cur.AccessToken != staleAccess && cur.AccessToken != tok.AccessToken && cur.Expiry.After(tok.Expiry) {
			stored = cur
			return nil
		}
		if tok.RefreshToken == "" {
			tok.RefreshToken = cur.RefreshToken
		}
		sess.Token = tok
		stored = tok
		return nil
	})
	if err != nil {
		return Token{}, err
	}
	return stored, nil
}

// MarkRefused records that Launchpad refused refreshToken for good, for
// the session with the given key, and reports whether it did. A session
// whose stored refresh token is another one (another process refreshed in
// between, and Launchpad rotated it) is left alone: its login is alive. A
// session already marked keeps its first refusal.
func (s *Store) MarkRefused(key, refreshToken string, r Refusal) (bool, error) {
	return s.markRefused(s.Update, key, refreshToken, r)
}

func (s *Store) markRefused(update func(func(*State) error) error, key, refreshToken string, r Refusal) (bool, error) {
	marked := false
	err := update(func(st *State) error {
		sess, cur, err := s.findToken(st, key) // the refresh token may be in the keyring
		if err != nil {
			return err
		}
		if cur.RefreshToken != refreshToken {
			return nil
		}
		marked = true
		if sess.Refused == nil {
			sess.Refused = &r
		}
		return nil
	})
	return marked, err
}

// Switch makes the session with the given key current, or returns
// [ErrNoSession].
func (s *Store) Switch(key string) error {
	return s.Update(func(st *State) error {
		if !st.Switch(key) {
			return ErrNoSession
		}
		return nil
	})
}

// Logout forgets the session with the given key, its token and cached
// authorization; the client configuration stays. If it was current, another
// session becomes current. Logging out of a session that is not there does
// nothing.
func (s *Store) Logout(key string) error {
	return s.Update(func(st *State) error {
		st.Remove(key)
		return nil
	})
}

// LogoutAll forgets every session; the client configuration stays.
func (s *Store) LogoutAll() error {
	return s.Update(func(st *State) error {
		st.Sessions = nil
		st.Current = ""
		return nil
	})
}

// SetAside moves an unreadable state.json to
// state.json.corrupt-YYYYMMDDTHHMMSSZ and returns where it went; bcauth calls
// it only when the person logs in again, so the message can say where the
// old file is. A readable or missing file is left alone and the returned
// path is empty. A file from a newer bcauth is never moved: SetAside returns
// its [*VersionError], so the login is refused with that message.
func (s *Store) SetAside() (string, error) {
	return s.setAside(stateFile, &stateOnDisk{})
}
