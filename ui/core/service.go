package core

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/probe"
	"bcauth/store"
)

// Service joins auth and store: the TUI and the script commands both go
// through it, so they agree on what "logged in" means.
type Service struct {
	// Store keeps the client configuration and the sessions.
	Store *store.Store
	// Env is the client configuration from the environment; it wins over
	// the file, field by field.
	Env store.ClientConfig
	// UserAgent and HTTPClient are passed to auth.Config (defaults if empty).
	UserAgent  string
	HTTPClient *http.Client
	// Clock is the clock (time.Now when nil).
	Clock func() time.Time
	// Wait is how a device login pauses between polls (a timer when nil):
	// tests pass one that follows their Clock, so none sleeps.
	Wait func(ctx context.Context, d time.Duration) error
	// EnvToken is an access token from the environment (BASECAMP_TOKEN):
	// when set, it is the login, instead of any stored one, and it is never
	// refreshed or stored. Store may then be nil (see envtoken.go).
	EnvToken string
	// ID picks the stored Basecamp ID to act on, by Launchpad id or email
	// (--id, BCAUTH_ID), without changing which is current; "" is the
	// current one (see sessions.go).
	ID string
	// Expect, when set, is the Basecamp ID a login must come back as
	// (login --expect-identity: a Launchpad id or email address): any
	// other is refused and nothing is stored (see identity.go).
	Expect string
	// PastHold sends token requests even while a hold stands (refresh
	// --force-past-hold; see hold.go).
	PastHold bool
}

// Now is the Service's clock.
func (s *Service) Now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// ClientConfig resolves the client configuration and where each field came
// from. A corrupt config.json is reported, not replaced.
func (s *Service) ClientConfig() (store.ClientConfig, store.Sources, error) {
	if s.Store == nil {
		c, src := store.ResolveClient(store.ClientConfig{}, s.Env)
		return c, src, nil
	}
	file, err := s.Store.LoadClient()
	if err != nil {
		// The environment alone may still be a complete configuration.
		c, src := store.ResolveClient(store.ClientConfig{}, s.Env)
		return c, src, err
	}
	c, src := store.ResolveClient(file, s.Env)
	return c, src, nil
}

// authConfig is the auth.Config for a resolved client configuration.
func (s *Service) authConfig(c store.ClientConfig) auth.Config {
	var secret func(context.Context) (string, error)
	if c.ClientSecret == "" && c.ClientSecretKeyring != "" && s.Store != nil {
		// Read from the keyring only when Launchpad needs it.
		ref := c.ClientSecretKeyring
		secret = func(context.Context) (string, error) { return s.Store.ClientSecret(ref) }
	}
	return auth.Config{
		ClientSecretFunc: secret,
		ClientID:         c.ClientID,
		ClientSecret:     c.ClientSecret,
		RedirectURI:      c.RedirectURI,
		LaunchpadURL:     c.LaunchpadURL,
		UserAgent:        s.UserAgent,
		HTTPClient:       s.HTTPClient,
	}
}

// Client builds the Launchpad client, or says why it cannot:
// auth.ErrNotConfigured when no client id or secret is known.
func (s *Service) Client() (*auth.Client, error) {
	if s.EnvToken != "" {
		return s.tokenClient()
	}
	return s.registeredClient()
}

// registeredClient is the client of the registration in the settings.
func (s *Service) registeredClient() (*auth.Client, error) {
	return s.launchpadClient(auth.Server{})
}

// launchpadClient is the registered Launchpad client, srv saying how
// discovery came to it (the zero Server when it did not run).
func (s *Service) launchpadClient(srv auth.Server) (*auth.Client, error) {
	c, _, err := s.ClientConfig()
	if err != nil && (c.ClientID == "" || (c.ClientSecret == "" && c.ClientSecretKeyring == "")) {
		return nil, err
	}
	opts := []auth.Option{}
	if s.Clock != nil {
		opts = append(opts, auth.WithClock(s.Clock))
	}
	cfg := s.authConfig(c)
	cfg.Server = srv
	if g := s.guard(cmp.Or(cfg.LaunchpadURL, auth.DefaultLaunchpadURL), cfg.ClientID); g != nil {
		opts = append(opts, auth.WithTokenGuard(g))
	}
	return auth.New(cfg, opts...)
}

// Settings is the client configuration in effect, where each part came
// from, and where bcauth keeps its files: read once, then handed to what
// shows or describes them, so no screen reads the disk to draw itself.
type Settings struct {
	// Client is the file's settings under the environment's; defaults are
	// not filled in.
	Client  store.ClientConfig
	Sources store.Sources
	// FileErr says config.json could not be read; the environment alone
	// may still be a complete configuration.
	FileErr error
	// Dir is the state directory.
	Dir string
	// Keyring says the secrets are to be in the OS keyring (KeyringName),
	// and KeyringSource where that setting came from.
	Keyring       bool
	KeyringSource store.Source
	KeyringName   string
}

// Settings reads the client configuration now.
func (s *Service) Settings() Settings {
	c, src, err := s.ClientConfig()
	out := Settings{Client: c, Sources: src, FileErr: err}
	if s.Store != nil {
		out.Dir = s.Store.Dir()
		out.Keyring, out.KeyringSource = s.Store.KeyringSetting()
		out.KeyringName = s.Store.KeyringName()
	}
	return out
}

// ConfigFile is where the client settings are saved.
func (s Settings) ConfigFile() string { return filepath.Join(s.Dir, "config.json") }

// RedirectURI is the redirect URI a person must register: the configured
// one, or bcauth's default.
func (s Settings) RedirectURI() string {
	if s.Client.RedirectURI != "" {
		return s.Client.RedirectURI
	}
	return auth.DefaultRedirectURI
}

// LaunchpadURL is the Launchpad in use: the configured one, or the real one.
func (s Settings) LaunchpadURL() string {
	if s.Client.LaunchpadURL != "" {
		return s.Client.LaunchpadURL
	}
	return auth.DefaultLaunchpadURL
}

// BaseURL is the API origin discovery asks which server to use: the
// configured one, or Basecamp's.
func (s Settings) BaseURL() string {
	if s.Client.BaseURL != "" {
		return s.Client.BaseURL
	}
	return auth.DefaultResource
}

// IntegrationsURL is where a person registers, and reads back, a client:
// the configured Launchpad's own page, so the demo points at its fake.
func (s Settings) IntegrationsURL() string {
	return strings.TrimRight(s.LaunchpadURL(), "/") + "/integrations"
}

// clientSetting is one client setting: its environment variable, its key
// in config.json and where it came from.
type clientSetting struct {
	env, key string
	src      store.Source
}

func (s Settings) settings() []clientSetting {
	return []clientSetting{
		{auth.SettingClientID, "client_id", s.Sources.ClientID},
		{auth.SettingClientSecret, "client_secret", s.Sources.ClientSecret},
		{auth.SettingRedirectURI, "redirect_uri", s.Sources.RedirectURI},
		{auth.SettingLaunchpadURL, "launchpad_url", s.Sources.LaunchpadURL},
		{auth.SettingBC5ClientID, "bc5_client_id", s.Sources.BC5ClientID},
		{auth.SettingResource, "base_url", s.Sources.BaseURL},
		{auth.SettingIssuer, "oauth_issuer", s.Sources.Issuer},
	}
}

// SaveClient stores a client id and secret typed into the terminal, keeping
// the file's other settings. An unreadable config.json is moved aside first
// (the person has just typed its replacement) and where it went is returned.
func (s *Service) SaveClient(id, secret string) (string, error) {
	id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
	if id == "" || secret == "" {
		return "", errors.New("both the client id and the client secret are needed")
	}
	file, err := s.Store.LoadClient()
	aside := ""
	if err != nil {
		if aside, err = s.Store.SetAsideClient(); err != nil {
			return "", err
		}
		file = store.ClientConfig{}
	}
	file.ClientID, file.ClientSecret = id, secret
	if err := auth.Config(s.authConfig(file.Merge(s.Env))).Validate(); err != nil {
		return aside, err
	}
	return aside, s.Store.SaveClient(file)
}

// ErrNotLoggedIn means no Basecamp ID is stored for this client.
var ErrNotLoggedIn = errors.New("not logged in: run bcauth login")

// ErrOtherClient means the stored login was made with another client id or
// Launchpad, and its token must not be sent to this one.
var ErrOtherClient = errors.New("the stored login belongs to another Launchpad client or Launchpad URL, so its token is not used: run bcauth login")

// Current returns the current session with its account cache (see
// Cached). It is ErrNotLoggedIn when there is none and ErrOtherClient when
// it belongs to another client.
func (s *Service) Current(c *auth.Client) (*store.Session, error) {
	sess, err := s.Login(c)
	if err != nil {
		return nil, err
	}
	return s.Cached(sess), nil
}

// Login is Current without the account cache: the credentials alone, for
// a command that prints a token or asks Launchpad anyway, and so need not
// read thousands of cached accounts.
func (s *Service) Login(c *auth.Client) (*store.Session, error) {
	if s.EnvToken != "" {
		return s.envSession(c), nil
	}
	st, err := s.Store.Load()
	if err != nil {
		return nil, err
	}
	sess, err := s.pick(st, c)
	if err != nil {
		return nil, err
	}
	if c != nil && !usable(sess, c) {
		return nil, ErrOtherClient
	}
	if err := refusedLogin(sess); err != nil {
		return nil, err
	}
	out := *sess
	return &out, nil
}

// Cached returns sess with the accounts Launchpad last listed for it, and
// when, if the cache holds them; a missing or unreadable cache leaves
// Authorization nil, to be fetched again.
func (s *Service) Cached(sess *store.Session) *store.Session {
	if sess.Authorization != nil || s.Store == nil {
		return sess // BASECAMP_TOKEN with no state directory has no cache
	}
	out := *sess
	if a, at, ok := s.Store.LoadAuthorization(out); ok {
		out.Authorization, out.FetchedAt = a, at
	}
	return &out
}

// AccountCounts is how many accounts of each product sess has, and when
// Launchpad listed them: from its Authorization when it holds one, else
// from its account cache, of which only the first line is read; ok is
// false when there is none to show, as for Cached.
func (s *Service) AccountCounts(sess *store.Session) (counts map[string]int, at time.Time, ok bool) {
	switch {
	case sess.Authorization != nil:
		return auth.CountProducts(sess.Authorization.Accounts), sess.FetchedAt, true
	case s.Store == nil:
		return nil, time.Time{}, false
	}
	return s.Store.LoadAccountCounts(*sess)
}

// Sessions lists the stored sessions that belong to this client, each with
// its account cache, and the current session's key.
func (s *Service) Sessions(c *auth.Client) ([]store.Session, string, error) {
	if s.EnvToken != "" {
		sess := s.envSession(c)
		return []store.Session{*sess}, sess.Key(), nil
	}
	st, err := s.Store.Load()
	if err != nil {
		return nil, "", err
	}
	c = s.launchpadFilter(c)
	var out []store.Session
	for _, sess := range st.Sessions {
		if usable(&sess, c) {
			out = append(out, *s.Cached(&sess))
		}
	}
	return out, st.Current, nil
}

// launchpadFilter is the client that decides which Launchpad logins are
// listed beside c's: c itself, or, when c is a BC5 login's client (which
// says nothing about Launchpad), the configured Launchpad client (nil,
// every one, when none is configured). Every BC5 login is listed anyway.
func (s *Service) launchpadFilter(c *auth.Client) *auth.Client {
	if c == nil || !c.Server().IsBC5() {
		return c
	}
	lc, err := s.registeredClient()
	if err != nil {
		return nil
	}
	return lc
}

// belongs reports whether sess's tokens may go through client c: the same
// server (Launchpad URL, or BC5 issuer) and the same client id.
func belongs(sess *store.Session, c *auth.Client) bool {
	cfg := c.Config()
	if srv := c.Server(); srv.IsBC5() || sess.Server.IsBC5() {
		return srv.IsBC5() && sess.Server.IsBC5() && sess.Server.Issuer == srv.Issuer && sess.ClientID == cfg.ClientID
	}
	return sess.ClientID == cfg.ClientID && strings.TrimRight(sess.LaunchpadURL, "/") == cfg.LaunchpadURL
}

// usable reports whether sess is listed beside client c's logins: a BC5
// login carries its own server and client, so it always is; a Launchpad
// one when it belongs to c (all when c is nil).
func usable(sess *store.Session, c *auth.Client) bool {
	return c == nil || sess.Server.IsBC5() || belongs(sess, c)
}

// Complete finishes a login: it asks Launchpad who the token belongs to and
// stores the session as current. An unreadable state file is moved aside
// first, and where it went is returned, so the message can say so. A token
// without a refresh token keeps the one stored for the same login, if any:
// the session returned is renewable then.
func (s *Service) Complete(ctx context.Context, c *auth.Client, tok *oauth2.Token) (*store.Session, string, error) {
	return s.complete(ctx, c, tok, nil)
}

// complete is Complete, with check, when not nil, vetting whose the token
// is before anything is stored.
func (s *Service) complete(ctx context.Context, c *auth.Client, tok *oauth2.Token, check func(auth.Identity) error) (*store.Session, string, error) {
	ts := c.TokenSource(tok, nil)
	a, err := c.Authorization(ctx, ts)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkExpected(a.Identity); err != nil {
		return nil, "", err
	}
	if check != nil {
		if err := check(a.Identity); err != nil {
			return nil, "", err
		}
	}
	fresh, _ := ts.Token(ctx)
	if fresh == nil {
		fresh = tok
	}
	if fresh.Expiry.IsZero() {
		// A token pasted in (login --with-token) comes without expires_in.
		fresh.Expiry = a.ExpiresAt
	}
	aside, err := s.Store.SetAside()
	if err != nil {
		return nil, "", err
	}
	now := s.Now()
	sess := store.Session{
		LaunchpadURL: launchpadOf(c),
		Server:       grantedServer(c.Server(), fresh),
		ClientID:     c.Config().ClientID,
		Identity:     a.Identity,
		Token:        store.TokenFrom(fresh),
		LoggedInAt:   now,
	}
	if sess.Token.RefreshToken == "" {
		// An access token pasted alone for a login stored here with a
		// refresh token: the same person through the same client, so
		// that refresh token still renews it. Dropping it would leave a
		// login that cannot be renewed while it looks as before.
		if old, err := s.Store.LoadToken(sess.Key()); err == nil {
			sess.Token.RefreshToken = old.RefreshToken
		}
	}
	err = s.Store.Update(func(st *store.State) error {
		if old, ok := st.Find(sess.Key()); ok {
			sess.LastAccount = old.LastAccount
		}
		st.Upsert(sess)
		return nil
	})
	if err != nil {
		return nil, aside, err
	}
	// The login is saved; a cache that cannot be written is fetched again.
	_ = s.Store.SaveAuthorization(sess.Key(), a, now)
	sess.Authorization, sess.FetchedAt = a, now
	return &sess, aside, nil
}

// launchpadOf is the Launchpad a login through c belongs to: none for a
// BC5 login, whose token goes to its issuer and its accounts only.
func launchpadOf(c *auth.Client) string {
	if c.Server().IsBC5() {
		return ""
	}
	return c.Config().LaunchpadURL
}

// grantedServer is srv with the scope a BC5 login was granted: the token
// answer's, which may be narrower than what was asked.
func grantedServer(srv auth.Server, tok *oauth2.Token) auth.Server {
	if scope, ok := tok.Extra("scope").(string); ok && srv.IsBC5() && scope != "" {
		srv.Scope = scope
	}
	return srv
}

// TokenSource returns a token source for a session that saves every new
// token to the store before it is used.
// Before refreshing it re-reads the stored token, since another bcauth (a
// script calling bcauth token while the TUI is open) may have refreshed the
// same login already; if Launchpad rotates refresh tokens, refreshing with
// a stale one would end the login.
func (s *Service) TokenSource(c *auth.Client, sess *store.Session) *auth.TokenSource {
	if s.FromEnv(sess) {
		return c.TokenSource(sess.Token.OAuth2(), nil, auth.WithoutRefresh())
	}
	l := &refreshLock{st: s.Store, rotates: c.Server().IsBC5()}
	key := sess.Key()
	check := refreshedCheck(c, sess)
	var save auth.SaveFromFunc = func(_ context.Context, from string, tok *oauth2.Token) error {
		_, err := l.saveTokenFrom(key, from, store.TokenFrom(tok))
		return err
	}
	loaded := func(*oauth2.Token) {}
	if c.Server().IsBC5() {
		// BC5 rotates refresh tokens: the pair a refresh brings is saved
		// before it is checked (see rotatedPair).
		p := &rotatedPair{l: l, key: key, now: s.Now}
		check, save, loaded = p.check(check), p.save(save), p.loaded
	}
	return c.TokenSource(sess.Token.OAuth2(), nil,
		auth.WithLock(l.lock),
		auth.WithBeforeSend(l.reserve),
		auth.WithCheck(check),
		auth.WithLoad(func(context.Context) (*oauth2.Token, error) {
			st, err := s.Store.Load()
			if err != nil {
				return nil, err
			}
			cur, ok := st.Find(key)
			if !ok {
				return nil, store.ErrNoSession
			}
			if err := refusedLogin(cur); err != nil {
				// Another process met the refusal: never send it again.
				return nil, err
			}
			// The token itself, wherever it is kept (the keyring, maybe).
			t, err := s.Store.LoadToken(key)
			if err != nil {
				return nil, err
			}
			loaded(t.OAuth2())
			return t.OAuth2(), nil
		}),
		auth.WithRefused(func(_ context.Context, refreshToken string, err error) error {
			return s.recordRefusal(l, sess, refreshToken, err)
		}),
		auth.WithSaveFrom(save),
	)
}

// refreshLock is the store's lock around one refresh of a token source,
// which runs one refresh at a time: what the refresh saves goes through
// the lock it holds.
type refreshLock struct {
	st   *store.Store
	held *store.Held // while a refresh runs
	// rotates says the server replaces the refresh token on every
	// refresh (BC5): a refresh that cannot be saved is not started.
	rotates bool
	// reserved gives back the room set aside for a BC5 refresh's save.
	reserved func()
}

// ReadOnlyRotationError is a BC5 login due for a refresh while its state
// directory cannot be written: nothing is sent, since BC5 would replace
// the refresh token and the new one could not be kept.
type ReadOnlyRotationError struct {
	Dir string
	// Err is why it cannot be written when the directory itself is
	// writable: no room for the save (a full disk, a quota).
	Err error
}

func (e *ReadOnlyRotationError) Unwrap() error { return e.Err }

func (e *ReadOnlyRotationError) Error() string {
	if e.Err != nil {
		return "the access token needs renewing, but this login's server replaces the refresh token on every renewal and the new one could not be saved (" + e.Err.Error() + "), so bcauth did not ask: free some space in " + e.Dir + " and try again"
	}
	return "the access token needs renewing, but " + e.Dir + " is read-only and this login's server replaces the refresh token on every renewal, so bcauth did not ask: make the directory writable (or run as its owner) and try again"
}

func (l *refreshLock) lock(ctx context.Context) (func(), error) {
	if l.rotates && l.st.ReadOnly() {
		// A BC5 refresh replaces the refresh token at the issuer: with
		// nowhere to save the new one, the login would be spent for
		// nothing, and the next run would present the dead token.
		return nil, &ReadOnlyRotationError{Dir: l.st.Dir()}
	}
	h, err := l.st.Hold(ctx)
	if err != nil {
		return nil, err
	}
	l.held = h
	return func() { l.free(); l.held = nil; h.Release() }, nil
}

// reserve sets aside room for a BC5 refresh's save, under the lock, just
// before the refresh is sent: a full disk or quota refuses the refresh,
// not its save (which would spend the login). Another process's newer
// token adopted instead costs nothing.
func (l *refreshLock) reserve(context.Context) error {
	if !l.rotates || l.held == nil {
		return nil
	}
	l.free()
	release, err := l.held.Reserve()
	if err != nil {
		return &ReadOnlyRotationError{Dir: l.st.Dir(), Err: err}
	}
	l.reserved = release
	return nil
}

// free gives back the room a BC5 refresh set aside, for its save to use.
func (l *refreshLock) free() {
	if l.reserved != nil {
		l.reserved()
		l.reserved = nil
	}
}

func (l *refreshLock) saveTokenFrom(key, from string, tok store.Token) (store.Token, error) {
	l.free()
	if l.held != nil {
		return l.held.SaveTokenFrom(key, from, tok)
	}
	return l.st.SaveTokenFrom(key, from, tok)
}

func (l *refreshLock) markRefused(key, refreshToken string, r store.Refusal) (bool, error) {
	if l.held != nil {
		return l.held.MarkRefused(key, refreshToken, r)
	}
	return l.st.MarkRefused(key, refreshToken, r)
}

// SetKeyring saves the keyring setting (setup and login's --keyring) and
// moves the secrets where it says.
func (s *Service) SetKeyring(on bool) error {
	if err := s.Store.SetKeyring(on); err != nil {
		return err
	}
	return s.Store.MoveSecrets()
}

// PlaceSecrets moves the secrets where this run's keyring setting says,
// when they are elsewhere. Finding out reads the files only; an unreadable
// file is left for the command to report.
func (s *Service) PlaceSecrets() error {
	if s.Store == nil {
		return nil
	}
	if misplaced, err := s.Store.SecretsMisplaced(); err != nil || !misplaced {
		return nil
	}
	return s.Store.MoveSecrets()
}

// Reload is the result of asking Launchpad again.
type Reload struct {
	Session   *store.Session
	Refreshed bool // the access token was refreshed on the way
	// Unsaved is set when a refreshed token could not be written to disk:
	// it works for this run, but the next one may have to log in again.
	Unsaved error
	// sorted says the session's accounts are in SortAccounts's order.
	sorted bool
	// viewText is the list view asked for (see LoadAccountsAs).
	viewText string
	// counts are the cache's counts, when the answer was skimmed for them
	// (see ReloadCounting).
	counts map[string]int
}

// Counts is how many accounts of each product the answer lists.
func (r *Reload) Counts() map[string]int {
	if a := r.Session.Authorization; a != nil && !a.Skimmed() {
		return auth.CountProducts(a.Accounts)
	}
	if r.counts == nil {
		return map[string]int{}
	}
	return r.counts
}

// Reload refreshes the token if it needs it, asks Launchpad for
// authorization.json and caches the answer in the session.
func (s *Service) Reload(ctx context.Context, c *auth.Client, sess *store.Session) (*Reload, error) {
	return s.ReloadWith(ctx, c, sess, s.TokenSource(c, sess))
}

// ReloadWith is Reload through a token source the caller keeps, so a
// program that reloads and probes refreshes the token once, not per call.
func (s *Service) ReloadWith(ctx context.Context, c *auth.Client, sess *store.Session, ts *auth.TokenSource) (*Reload, error) {
	r, _, err := s.reloadReadingAhead(ctx, c, sess, ts, wants{})
	return r, err
}

// ReloadCounting is Reload for a caller that needs whose the answer is
// and how many accounts of each product it lists (Reload.Counts), not
// the accounts: when Launchpad's answer is the cache's text, byte for
// byte, the counts are the ones the cache keeps in its first line, and
// the session's answer is Skimmed.
func (s *Service) ReloadCounting(ctx context.Context, c *auth.Client, sess *store.Session) (*Reload, error) {
	r, _, err := s.reloadReadingAhead(ctx, c, sess, s.TokenSource(c, sess), wants{counts: true})
	return r, err
}

// wants is what the lookahead makes of the cache besides its text: the
// accounts sorted; a list view (sorted, or kept, in place of the
// accounts); or only the counts of the accounts, where the cache keeps
// them, in place of the accounts.
type wants struct {
	sort   bool
	view   *ListView
	counts bool
}

// reloadReadingAhead is ReloadWith with the cache read ahead, and made
// what want says; the lookahead is nil for BASECAMP_TOKEN, whose answers
// are not cached.
func (s *Service) reloadReadingAhead(ctx context.Context, c *auth.Client, sess *store.Session, ts *auth.TokenSource, want wants) (*Reload, *lookahead, error) {
	if s.FromEnv(sess) {
		r, err := s.reloadEnv(ctx, c, sess, ts)
		return r, nil, err
	}
	ahead := s.lookAhead(sess, want)
	r, err := s.reloadAhead(ctx, c, sess, ts, ahead)
	return r, ahead, err
}

// lookahead is the session's account cache, read and parsed on another
// goroutine while Launchpad is asked for the answer it keeps. Most of
// the time the answer has not changed, byte for byte, and then that parse
// (and, for a list, its sort) is what the answer gives: done in time a
// run would otherwise spend waiting for Launchpad. The answer is compared
// with the cache's text as it comes, while the text is parsed.
type lookahead struct {
	// closed once text is set, once cached is (its accounts sorted
	// already when asked for), and once sorted is
	text, read, done chan struct{}
	sess             *store.Session
	sort             bool           // its accounts are to be sorted
	body             string         // the cache's text, "" for none
	cached           *store.Session // as Cached gives it
	sorted           []auth.Account // SortAccounts of its accounts, if asked for
	// order is the order sorted is in (see sortInPlace): the one kept with
	// the cache when it held, else the one a sort found (and sortedNow is
	// set).
	order     []uint32
	sortedNow bool
	// view is the list view asked for, if any; viewText is that view as
	// the cache kept it, when it did: the cache's accounts are then not
	// read (cached holds a Skimmed answer), only whose they are.
	view     *ListView
	viewText string
	// counts, when only they were asked for and the cache keeps them, are
	// the accounts' counts by product: its accounts are then not read.
	counts map[string]int
}

// lookAhead starts reading sess's cache, and sorting its accounts too
// when sort is set; with a view, the view the cache kept, if it did, in
// place of the accounts. When the answer turns out different, the
// goroutine still ends its work, unwaited for: at most one parse and one
// sort.
func (s *Service) lookAhead(sess *store.Session, want wants) *lookahead {
	view := want.view
	sort := want.sort || view != nil
	l := &lookahead{text: make(chan struct{}), read: make(chan struct{}), done: make(chan struct{}), sess: sess, sort: sort, view: view}
	go func() {
		defer close(l.done)
		// Cached, in two steps: the text, then its parse.
		l.cached = sess
		var at time.Time
		switch {
		case sess.Authorization != nil:
			l.body = sess.Authorization.Body()
		case s.Store != nil:
			l.body, at, _ = s.Store.LoadAuthorizationText(*sess)
		}
		close(l.text)
		skimmed := false
		if sess.Authorization == nil && l.body != "" && (view != nil || want.counts) {
			// The view, or the counts, kept with the text, when there are
			// any: then only whose the answer is is read, not its accounts.
			var text string
			var counts map[string]int
			var from, to int
			ok := false
			if view != nil {
				text, from, to, ok = s.Store.CachedView(l.body, view.keptBy())
			} else {
				counts, from, to, ok = s.Store.CachedCounts(l.body)
			}
			if ok {
				if a, err := auth.SkimAuthorization(l.body, from, to); err == nil {
					out := *sess
					out.Authorization, out.FetchedAt = a, at
					l.cached, l.viewText, l.counts, skimmed = &out, text, counts, true
				}
			}
		}
		if sess.Authorization == nil && l.body != "" && !skimmed {
			if a, err := auth.ParseAuthorization(l.body); err == nil {
				out := *sess
				out.Authorization, out.FetchedAt = a, at
				l.cached = &out
				if sort {
					// Its own parse, given to nobody yet: put in order
					// where it lies, no copy made, by the order kept with
					// the text when that order holds, else by a sort.
					if order, ok := s.Store.CachedOrder(l.body, orderBy); ok && putInOrder(a, order) {
						l.order = order
					} else {
						l.order, l.sortedNow = sortInPlace(a), true
					}
					l.sorted = a.Accounts
				}
			}
		}
		close(l.read)
		if a := l.cached.Authorization; sort && l.sorted == nil && a != nil && !a.Skimmed() {
			l.sorted = sortedAccounts(a)
		}
	}()
	return l
}

// cacheText is the cache's text, once read; "" should ctx end first.
func (l *lookahead) cacheText(ctx context.Context) string {
	if ready(ctx, l.text) {
		return l.body
	}
	return ""
}

// wait is the session with its cache, once read; without it, should ctx
// end before the read does (a disk that hangs must not hold a run past
// its deadline or Ctrl-C). A cache already read is the answer even then:
// it is what a run that timed out shows.
func (l *lookahead) wait(ctx context.Context) *store.Session {
	if ready(ctx, l.read) {
		return l.cached
	}
	return l.sess
}

// sortedAccounts is SortAccounts of the cached accounts, once sorted; ok
// is false should ctx end before the sort does.
func (l *lookahead) sortedAccounts(ctx context.Context) (sorted []auth.Account, ok bool) {
	if ready(ctx, l.done) {
		return l.sorted, true
	}
	return nil, false
}

// ready waits until c is closed (true) or ctx ends first (false); a c
// already closed is true whatever ctx says.
func ready(ctx context.Context, c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
	}
	select {
	case <-c:
		return true
	case <-ctx.Done():
		return false
	}
}

// reloadAhead is ReloadWith with the cache read ahead.
func (s *Service) reloadAhead(ctx context.Context, c *auth.Client, sess *store.Session, ts *auth.TokenSource, ahead *lookahead) (*Reload, error) {
	before := ts.Refreshed()
	a, err := c.AuthorizationSince(ctx, ts, func() string { return ahead.cacheText(ctx) },
		func() *auth.Authorization { return ahead.wait(ctx).Authorization })
	var unsaved *auth.SaveError
	if errors.As(err, &unsaved) && a != nil {
		err = nil // the answer came; only saving the new token failed
	} else {
		unsaved = nil
	}
	if err != nil {
		return nil, err
	}
	if err := checkStored(sess, a, false); err != nil {
		// Another person's token under this login: nothing is saved,
		// neither the answer nor a new identity.
		return nil, err
	}
	key := sess.Key()
	now := s.Now()
	out := *sess
	if a.Identity != sess.Identity {
		// A name or address changed at Launchpad: the credentials file
		// changes only then. Should the id itself change, the session's
		// key changes with it, and so must current.
		err = s.Store.Update(func(st *store.State) error {
			cur, ok := rekey(st, key, a.Identity)
			if !ok {
				return store.ErrNoSession
			}
			out = cur
			return nil
		})
		if err != nil && s.Store.ReadOnly() && !errors.Is(err, store.ErrNoSession) {
			// Nothing can be saved here, as the store's note said: this
			// run shows Launchpad's answer all the same.
			out.Identity, err = a.Identity, nil
		}
		if err != nil {
			return nil, err
		}
		key = out.Key()
	}
	if tok, terr := ts.Token(ctx); terr == nil || tok != nil {
		out.Token = store.TokenFrom(tok)
	}
	// A list's order, and the list as a command writes it, are kept with
	// the answer, so the next run need not sort or write it again: the
	// ones the lookahead had, or a new answer's, sorted now where it lies.
	var kept store.Derived
	sorted, viewText := false, ""
	cached := ahead != nil && a == ahead.wait(ctx).Authorization // the cache's text, read ahead
	if ahead != nil && ahead.sort {
		var accs []auth.Account // sorted
		switch {
		case cached:
			if ahead.order != nil {
				kept.Order = store.Order{By: orderBy, At: ahead.order}
			}
			accs, _ = ahead.sortedAccounts(ctx)
			viewText = ahead.viewText
		case a.Body() != "":
			kept.Order, sorted = store.Order{By: orderBy, At: sortInPlace(a)}, true
			accs = a.Accounts
		}
		if v := ahead.view; v != nil && viewText == "" && !a.Skimmed() && (accs != nil || len(a.Accounts) == 0) {
			viewText = string(v.Render(accs, a.PlainText()))
			kept.View = store.View{By: v.keptBy(), Text: viewText}
		}
	}
	var unsafe *store.UnsafeError
	if err := s.Store.SaveAuthorizationWith(key, a, now, kept); errors.As(err, &unsafe) {
		return nil, err
	}
	// Any other failure only costs the cache, which is fetched again.
	out.Authorization, out.FetchedAt = a, now
	r := &Reload{Session: &out, Refreshed: ts.Refreshed().After(before), sorted: sorted, viewText: viewText}
	if cached && a.Skimmed() {
		r.counts = ahead.counts
	}
	if unsaved != nil {
		r.Unsaved = unsaved
	}
	return r, nil
}

// rekey gives the session with key old, stored in st, the identity
// Launchpad now answers, and returns it as stored. When the Launchpad id
// changed, so did the session's key: current follows it, and an older
// session already under the new key gives way to this one, which holds
// the token just used.
func rekey(st *store.State, old string, id auth.Identity) (store.Session, bool) {
	i := slices.IndexFunc(st.Sessions, func(x store.Session) bool { return x.Key() == old })
	if i < 0 {
		return store.Session{}, false
	}
	sess := st.Sessions[i]
	sess.Identity = id
	key := sess.Key()
	st.Sessions[i] = sess
	if key != old {
		for j := len(st.Sessions) - 1; j >= 0; j-- {
			if j != i && st.Sessions[j].Key() == key {
				st.Sessions = slices.Delete(st.Sessions, j, j+1)
			}
		}
		if st.Current == old {
			st.Current = key
		}
	}
	return sess, true
}

// currentLogin is the client and the current session made with it.
func (s *Service) currentLogin() (*auth.Client, *store.Session, error) {
	if s.EnvToken != "" {
		c, err := s.Client()
		if err != nil {
			return nil, nil, err
		}
		return c, s.envSession(c), nil
	}
	sess, err := s.Login(nil)
	if err != nil {
		if _, cerr := s.Client(); cerr != nil && errors.Is(err, ErrNotLoggedIn) && !s.bc5Configured() {
			// Setup comes before the first login, unless a BC5 client,
			// which needs no Launchpad one, is configured.
			return nil, nil, cerr
		}
		return nil, nil, err
	}
	c, err := s.ClientFor(sess)
	if err != nil {
		return nil, nil, err
	}
	return c, sess, nil
}

// bc5Configured reports whether a BC5 client is configured: with one, a
// person can log in with no Launchpad client at all.
func (s *Service) bc5Configured() bool {
	c, _, _ := s.ClientConfig()
	return c.BC5ClientID != ""
}

// CurrentLogin is the current (or --id's) stored login and the client its
// tokens go through, built from what the login recorded: no discovery.
func (s *Service) CurrentLogin() (*auth.Client, *store.Session, error) { return s.currentLogin() }

// Dir is the state directory.
func (s *Service) Dir() string { return s.Store.Dir() }

// Logout forgets the current Basecamp ID's tokens and cached accounts, or
// every Basecamp ID's with all, and returns who was forgotten and who is
// current now (nil when nobody). With nothing stored it forgets nothing.
func (s *Service) Logout(all bool) (gone []store.Session, now *store.Session, err error) {
	if s.EnvToken != "" {
		return nil, nil, ErrEnvToken
	}
	// Which session goes is decided under the same lock that removes it,
	// so what logout says it removed is what it removed; its refresh
	// token is read there too, for the server to revoke (see Revoke).
	err = s.Store.Update(func(st *store.State) error {
		gone = nil
		if all {
			gone = slices.Clone(st.Sessions)
		} else if cur, err := s.pick(st, nil); err == nil {
			gone = []store.Session{*cur}
		} else if s.ID != "" {
			return err
		}
		for i := range gone {
			if tok, err := s.Store.Reveal(gone[i].Token); err == nil {
				gone[i].Token = tok
			}
		}
		if all {
			st.Sessions, st.Current = nil, ""
		} else if len(gone) == 1 && !st.Remove(gone[0].Key()) {
			return store.ErrNoSession
		}
		if cur, ok := st.CurrentSession(); ok {
			c := *cur
			now = &c
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(gone) == 0 {
		return nil, nil, nil
	}
	return gone, now, nil
}

// Forget logs one session out, by its key, and asks its server to revoke
// its refresh token (BC5; see Revoke): the login is gone here whatever
// the server answers. The Revocation says what it answered; it is nil
// when no session had the key.
func (s *Service) Forget(ctx context.Context, key string) (*Revocation, error) {
	if s.EnvToken != "" {
		return nil, ErrEnvToken
	}
	var gone *store.Session
	err := s.Store.Update(func(st *store.State) error {
		sess, ok := st.Find(key)
		if !ok {
			return nil
		}
		g := *sess
		if tok, err := s.Store.Reveal(g.Token); err == nil {
			g.Token = tok
		}
		gone = &g
		st.Remove(key)
		return nil
	})
	if err != nil || gone == nil {
		return nil, err
	}
	r := s.Revoke(ctx, []store.Session{*gone})[0]
	return &r, nil
}

// Switch makes another stored session current, by its key.
func (s *Service) Switch(key string) error {
	if s.EnvToken != "" {
		return ErrEnvToken
	}
	return s.Store.Switch(key)
}

// Remember records the account last picked, so the list opens on it.
func (s *Service) Remember(key, account string) error {
	if s.EnvToken != "" {
		return nil // nothing of an environment token is kept
	}
	return s.Store.Update(func(st *store.State) error {
		if sess, ok := st.Find(key); ok {
			sess.LastAccount = account
		}
		return nil
	})
}

// Prober returns a prober that speaks to the product APIs as this client:
// same User-Agent and HTTP client, the default politeness limits, and the
// token over plain http only when Launchpad itself is on loopback (the
// built-in fake).
func (s *Service) Prober(c *auth.Client) *probe.Prober {
	return probe.New(probe.Config{HTTPClient: s.HTTPClient, UserAgent: c.Config().UserAgent,
		HTTPSOnly: !c.LoopbackLaunchpad()})
}

// URLProber is a prober for bcauth probe --url, which uses no stored
// login and no client: only the Service's HTTP client and User-Agent. A
// nil Service gives the defaults.
func (s *Service) URLProber() *probe.Prober {
	var cfg probe.Config
	if s != nil {
		cfg.HTTPClient, cfg.UserAgent = s.HTTPClient, s.UserAgent
	}
	return probe.New(cfg)
}
