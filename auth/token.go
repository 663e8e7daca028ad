package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// RefreshWindow is how close to its expiry an access token is refreshed.
const RefreshWindow = 5 * time.Minute

// SaveFunc stores a new token. It runs before the token is used, so a token
// Launchpad issued is never lost to a crash.
type SaveFunc func(ctx context.Context, tok *oauth2.Token) error

// SaveFromFunc stores a new token refreshed from the access token from, so
// a store can tell a concurrent refresh by another process from its own
// (see store.Store.SaveTokenFrom).
type SaveFromFunc func(ctx context.Context, from string, tok *oauth2.Token) error

// LoadFunc reads the token stored for the login, which another process or
// another TokenSource may have refreshed. A nil token means none is stored.
type LoadFunc func(ctx context.Context) (*oauth2.Token, error)

// SaveError means Launchpad issued a new token that could not be saved. The
// token returned alongside it is valid and in use, so callers treat the
// error as a warning: bcauth holds the new token only until it exits, and
// where Launchpad rotates refresh tokens the next run may have to log in
// again.
type SaveError struct{ Err error }

func (e *SaveError) Error() string {
	return "Launchpad issued a new token but bcauth could not save it, so it lasts only until bcauth exits: " + e.Err.Error()
}

func (e *SaveError) Unwrap() error { return e.Err }

// RotationSaveError means a BC5 server replaced the login's refresh token
// and the new pair could not be saved. BC5's refresh tokens rotate: the
// stored one is spent, and presenting it again would end the whole login
// ("token reuse detected"). So, unlike a *SaveError, it comes with no
// token: the new access token is not used before the pair that came with
// it is on disk. The source keeps the pair and tries the save again on
// every later call, and hands the token out once it is saved; if the
// process ends first, the login must be made again.
type RotationSaveError struct{ Err error }

func (e *RotationSaveError) Error() string {
	return "the server replaced this login's refresh token, and bcauth could not save the new one, so it uses neither (it keeps the new one until it exits, and tries to save it again on the next request; if it cannot, log in again): " + e.Err.Error()
}

func (e *RotationSaveError) Unwrap() error { return e.Err }

// ErrFixedToken is what refreshing a [WithoutRefresh] source returns: the
// token came from elsewhere, and only its issuer can renew it.
var ErrFixedToken = errors.New("this access token came from outside bcauth (" + SettingToken + "), which never refreshes it: set a fresh one")

// Usable reports whether a TokenSource call's answer carries a token to use
// despite err: err is nil, or only a *SaveError, which is a warning.
func Usable(tok *oauth2.Token, err error) bool {
	var se *SaveError
	return tok != nil && (err == nil || errors.As(err, &se))
}

// TokenSource hands out a valid access token, refreshing it near its expiry
// or when an API says it has expired. It is safe for concurrent use.
type TokenSource struct {
	c    *Client
	save SaveFromFunc
	load LoadFunc
	// fixed: the token is someone else's to renew; never refresh it.
	fixed bool
	// refused is told of a refresh token Launchpad refused for good.
	refused RefusedFunc
	// lock, when set, excludes other processes from load → refresh → save.
	lock LockFunc
	// check, when set, vets a refreshed token before it is adopted.
	check CheckFunc
	// beforeSend, when set, runs under the lock just before a refresh
	// token is sent; its error sends nothing.
	beforeSend func(ctx context.Context) error

	// dead is the definitive refusal this source met: it never sends the
	// refresh token again and answers every later refresh with it.
	dead error
	// unsaved is set while tok is a rotated (BC5) pair that could not be
	// saved, with the access token its refresh started from: tok is not
	// handed out until a save succeeds (see RotationSaveError).
	unsaved *string

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshed time.Time
}

// TokenSourceOption adjusts a TokenSource.
type TokenSourceOption func(*TokenSource)

// WithLoad makes the source read the stored token before every refresh. A
// token another process or source stored since is adopted instead of
// refreshing, or, near its own expiry, refreshed with its refresh token,
// which may be the only one Launchpad still accepts. A failed load stops
// the refresh: refreshing blind could spend a refresh token another
// process already replaced.
func WithLoad(load LoadFunc) TokenSourceOption {
	return func(ts *TokenSource) { ts.load = load }
}

// WithSaveFrom stores every new token with save instead of the SaveFunc
// given to [Client.TokenSource], telling it the access token the refresh
// started from.
func WithSaveFrom(save SaveFromFunc) TokenSourceOption {
	return func(ts *TokenSource) { ts.save = save }
}

// RefusedFunc is told that Launchpad refused refreshToken for good (err is
// Launchpad's answer), so the refusal outlives the process; what it
// returns replaces err.
type RefusedFunc func(ctx context.Context, refreshToken string, err error) error

// WithRefused calls refused when Launchpad refuses the refresh token for
// good (see [NeedsLogin]). Whatever it returns, the source never sends that
// refresh token again: Basecamp bans a client that keeps trying one.
func WithRefused(refused RefusedFunc) TokenSourceOption {
	return func(ts *TokenSource) { ts.refused = refused }
}

// LockFunc takes a lock other processes share, or says why it could not
// (ctx ended, or the wait's deadline passed); release gives it back.
type LockFunc func(ctx context.Context) (release func(), err error)

// WithLock makes every refresh take lock first and hold it while the
// stored token is read, Launchpad is asked and the answer saved: of many
// processes that find the token expired at once, one refreshes and the
// others adopt its token. Without it, where Launchpad rotates refresh
// tokens, one process spends the refresh token another was about to send.
func WithLock(lock LockFunc) TokenSourceOption {
	return func(ts *TokenSource) { ts.lock = lock }
}

// WithBeforeSend runs before under the refresh's lock just before each
// refresh token is sent, after the stored token was read and found due
// (not when another process's newer token is adopted instead): an error
// sends nothing and is returned. BC5 logins set aside room for the save
// there.
func WithBeforeSend(before func(ctx context.Context) error) TokenSourceOption {
	return func(ts *TokenSource) { ts.beforeSend = before }
}

// CheckFunc vets a token Launchpad just issued by a refresh, before it is
// saved or handed out: an error keeps the old token and is returned.
type CheckFunc func(ctx context.Context, tok *oauth2.Token) error

// WithCheck runs check on every refreshed token before it is adopted or
// saved, so that a refresh token that belongs to someone else never turns
// a stored login into theirs. A token that fails the check is dropped,
// and the source refreshes no more.
func WithCheck(check CheckFunc) TokenSourceOption {
	return func(ts *TokenSource) { ts.check = check }
}

// NotRenewableError is a token due for a refresh that has no refresh
// token: only a new login helps. Launchpad was not asked, so it is no
// refusal (it matches [ErrNoRefreshToken]).
type NotRenewableError struct {
	// Expiry is the access token's expiry, zero when unknown.
	Expiry time.Time
}

func (e *NotRenewableError) Error() string {
	if e.Expiry.IsZero() {
		return "the access token needs renewing: " + ErrNoRefreshToken.Error()
	}
	return "the access token expired at " + e.Expiry.UTC().Format(time.RFC3339) + ": " + ErrNoRefreshToken.Error()
}

func (e *NotRenewableError) Unwrap() error { return ErrNoRefreshToken }

// WithoutRefresh makes the source hand out its token as it is, expired or
// not, and never ask Launchpad for another: for a token from the
// environment, which bcauth neither renews nor stores. An API's refusal is
// then returned as the API said it.
func WithoutRefresh() TokenSourceOption {
	return func(ts *TokenSource) { ts.fixed = true }
}

// TokenSource returns a source that starts from tok and hands every new
// token to save (which may be nil).
func (c *Client) TokenSource(tok *oauth2.Token, save SaveFunc, opts ...TokenSourceOption) *TokenSource {
	t := *tok
	ts := &TokenSource{c: c, tok: &t}
	if save != nil {
		ts.save = func(ctx context.Context, _ string, tok *oauth2.Token) error { return save(ctx, tok) }
	}
	for _, o := range opts {
		o(ts)
	}
	return ts
}

// Token returns the current token, refreshed first when it is within
// RefreshWindow of its expiry. A failed refresh leaves the token, refresh
// token included, as it was. A non-nil token with a *SaveError means the
// token was refreshed and is usable, but not saved.
func (ts *TokenSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if err := ts.saveUnsaved(ctx); err != nil {
		return nil, err
	}
	if ts.fixed || ts.fresh(ts.tok) {
		return ts.current(), nil
	}
	return ts.refreshLocked(ctx, ts.tok.AccessToken)
}

// Refresh forces a refresh, unless another caller already replaced the
// access token stale (then that newer token is returned). Like Token, it
// may return a usable token together with a *SaveError.
func (ts *TokenSource) Refresh(ctx context.Context, stale string) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if err := ts.saveUnsaved(ctx); err != nil {
		return nil, err
	}
	return ts.refreshLocked(ctx, stale)
}

// saveUnsaved saves a rotated pair an earlier save failed on, under the
// lock, before anything is handed out; the caller holds mu.
func (ts *TokenSource) saveUnsaved(ctx context.Context) error {
	if ts.unsaved == nil {
		return nil
	}
	if ts.lock != nil {
		release, err := ts.lock(ctx)
		if err != nil {
			return &RotationSaveError{Err: err}
		}
		defer release()
	}
	if err := ts.save(ctx, *ts.unsaved, ts.current()); err != nil {
		return &RotationSaveError{Err: err}
	}
	ts.unsaved = nil
	return nil
}

// fresh reports whether tok can be used without refreshing it.
func (ts *TokenSource) fresh(tok *oauth2.Token) bool {
	return tok.AccessToken != "" && (tok.Expiry.IsZero() || ts.c.now().Add(RefreshWindow).Before(tok.Expiry))
}

// current returns a copy of the token; the caller holds mu.
func (ts *TokenSource) current() *oauth2.Token {
	t := *ts.tok
	return &t
}

func (ts *TokenSource) refreshLocked(ctx context.Context, stale string) (*oauth2.Token, error) {
	if ts.tok.AccessToken != stale {
		return ts.current(), nil
	}
	if ts.fixed {
		return nil, ErrFixedToken
	}
	if ts.dead != nil {
		return nil, ts.dead
	}
	if ts.lock != nil {
		release, err := ts.lock(ctx)
		if err != nil {
			return nil, fmt.Errorf("could not refresh the access token: %w", err)
		}
		defer release()
	}
	from := *ts.tok
	if ts.load != nil {
		stored, err := ts.load(ctx)
		if err != nil {
			return nil, fmt.Errorf("could not read the stored token before refreshing it: %w", err)
		}
		if ts.consider(stored, &from) {
			return ts.current(), nil
		}
	}
	if from.RefreshToken == "" {
		// Nothing to send: expired and not renewable, which only a new
		// login mends. Never a refusal, and never recorded as one.
		return nil, &NotRenewableError{Expiry: from.Expiry}
	}
	tok, err := ts.send(ctx, &from)
	if err != nil && ts.load != nil && NeedsLogin(err) {
		// Between the load and the refresh another process may have
		// refreshed, and where Launchpad rotates refresh tokens that
		// spent ours: what it stored is then the login, not a dead one.
		stored, lerr := ts.load(ctx)
		if lerr != nil {
			return nil, ts.die(ctx, from.RefreshToken, err)
		}
		tried := from
		if ts.consider(stored, &from) {
			return ts.current(), nil
		}
		if from.RefreshToken == tried.RefreshToken {
			return nil, ts.die(ctx, from.RefreshToken, err)
		}
		tok, err = ts.send(ctx, &from)
	}
	if err != nil && NeedsLogin(err) {
		return nil, ts.die(ctx, from.RefreshToken, err)
	}
	var mr *MalformedRotationError
	if errors.As(err, &mr) {
		return nil, ts.keepReplacement(ctx, &from, mr)
	}
	if err != nil {
		return nil, err
	}
	if ts.check != nil {
		if err := ts.check(ctx, tok); err != nil {
			ts.dead = err
			return nil, err
		}
	}
	// Adopt before saving: the server may have replaced the refresh
	// token, and then the new token is the login even if it cannot be
	// saved.
	ts.tok = tok
	ts.refreshed = ts.c.now()
	if ts.save != nil {
		if err := ts.save(ctx, from.AccessToken, tok); err != nil {
			if ts.c.cfg.Server.IsBC5() {
				// BC5 rotated the refresh token: the pair on disk is
				// spent, and the new one must be saved before use.
				stale := from.AccessToken
				ts.unsaved = &stale
				return nil, &RotationSaveError{Err: err}
			}
			return ts.current(), &SaveError{Err: err}
		}
	}
	return ts.current(), nil
}

// keepReplacement adopts and saves the refresh token of an answer that
// could not be used otherwise, with the access token as it was (still
// valid, or renewed with the new refresh token when due), and returns the
// answer's error. The caller holds mu and the lock.
func (ts *TokenSource) keepReplacement(ctx context.Context, from *oauth2.Token, mr *MalformedRotationError) error {
	kept := *from
	kept.RefreshToken = mr.Replacement
	ts.tok = &kept
	if ts.save == nil {
		return mr
	}
	if err := ts.save(ctx, from.AccessToken, &kept); err != nil {
		stale := from.AccessToken
		ts.unsaved = &stale
		return errors.Join(mr, &RotationSaveError{Err: err})
	}
	return mr
}

// send refreshes from, after beforeSend; the caller holds mu and the lock.
func (ts *TokenSource) send(ctx context.Context, from *oauth2.Token) (*oauth2.Token, error) {
	if ts.beforeSend != nil {
		if err := ts.beforeSend(ctx); err != nil {
			return nil, err
		}
	}
	return ts.c.RefreshToken(ctx, from)
}

// die records a definitive refusal of refreshToken; the caller holds mu.
func (ts *TokenSource) die(ctx context.Context, refreshToken string, err error) error {
	if ts.refused != nil {
		err = ts.refused(ctx, refreshToken, err)
	}
	ts.dead = err
	return err
}

// consider looks at the stored token when a refresh is due from *from. A
// stored token that differs and is fresh is adopted (consider reports
// true); one that differs but is due too replaces *from, so its refresh
// token, which may be the newer, is the one spent. A stored token with
// the same access token but another refresh token (a rotation stored by
// a process that kept the access token) lends *from that refresh token:
// where refresh tokens rotate, the one read before is spent, and
// presenting it again would end the login.
func (ts *TokenSource) consider(stored, from *oauth2.Token) bool {
	if stored == nil || stored.AccessToken == "" {
		return false
	}
	if stored.AccessToken == from.AccessToken {
		if stored.RefreshToken != "" && stored.RefreshToken != from.RefreshToken {
			from.RefreshToken = stored.RefreshToken
			if r := Resource(stored); r != "" {
				*from = *WithResource(from, r)
			}
			t := *from
			ts.tok = &t
		}
		return false
	}
	t := *stored
	if t.RefreshToken == "" {
		t.RefreshToken = from.RefreshToken
	}
	if Resource(&t) == "" && Resource(from) != "" {
		// A store that kept the pair but not its resource: the login
		// is still bound to the one it had.
		t = *WithResource(&t, Resource(from))
	}
	if ts.fresh(&t) {
		ts.tok = &t
		return true
	}
	*from = t
	return false
}

// Refreshed is when this source last refreshed the token (zero if never).
func (ts *TokenSource) Refreshed() time.Time {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshed
}

// Do calls fn with a valid access token. When fn's error says the token has
// expired (a 401 whose text mentions expiry), the token is refreshed and fn
// is called once more. A token that could not be saved is still used: Do
// returns fn's error if it has one, or else the *SaveError, as a warning.
func (ts *TokenSource) Do(ctx context.Context, fn func(accessToken string) error) error {
	tok, err := ts.Token(ctx)
	if !Usable(tok, err) {
		return err
	}
	warning := err
	err = fn(tok.AccessToken)
	if IsExpiredToken(err) && !ts.fixed {
		tok, rerr := ts.Refresh(ctx, tok.AccessToken)
		if !Usable(tok, rerr) {
			return rerr
		}
		if rerr != nil {
			warning = rerr
		}
		err = fn(tok.AccessToken)
	}
	if err != nil {
		return err
	}
	return warning
}

// IsExpiredToken reports whether err is an API's 401 for an expired access
// token, such as {"error":"OAuth token expired (old age)…"}.
func IsExpiredToken(err error) bool {
	var le *LaunchpadError
	if !errors.As(err, &le) || le.Status != http.StatusUnauthorized {
		return false
	}
	return strings.Contains(strings.ToLower(le.Text), "expired")
}
