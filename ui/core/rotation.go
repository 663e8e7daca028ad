package core

import (
	"context"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/store"
)

// rotatedPair keeps a BC5 login's refreshed pair on disk from the moment
// the refresh is answered. BC5 replaced the stored refresh token when it
// answered: presenting that one again, past the server's short grace
// window, revokes the whole login ("token reuse detected"). The check
// every refreshed token goes through (refreshedCheck, a request to
// authorization.json) can fail or outlast a process that is killed, and
// the pair dropped then would end the login; so the pair is saved before
// that check, under the refresh's lock, and the stored token put back as
// it was only when the new one turns out to be someone else's.
type rotatedPair struct {
	l   *refreshLock
	key string
	// from is the stored token the refresh under way started from, as
	// the source loaded it.
	from *oauth2.Token
	// saved is the access token of a pair saved before its check, which
	// the source's own save then need not write again.
	saved string
	now   func() time.Time
}

// loaded notes the stored token a refresh starts from.
func (p *rotatedPair) loaded(tok *oauth2.Token) { p.from = tok }

// check saves tok, then runs next on it.
func (p *rotatedPair) check(next auth.CheckFunc) auth.CheckFunc {
	return func(ctx context.Context, tok *oauth2.Token) error {
		p.saved = ""
		if p.from == nil {
			return next(ctx, tok)
		}
		stored, err := p.l.saveTokenFrom(p.key, p.from.AccessToken, store.TokenFrom(tok))
		if err != nil || stored.AccessToken != tok.AccessToken {
			// Not saved here: the source's own save tries again after the
			// check, and says so if it cannot.
			return next(ctx, tok)
		}
		p.saved = tok.AccessToken
		err = next(ctx, tok)
		var ie *IdentityError
		if errors.As(err, &ie) {
			// Someone else's pair is never kept as this login. The stored
			// refresh token it replaces is spent at the issuer, though:
			// sent again it would revoke the login, so the login is
			// recorded as refused, and only a new login mends it.
			p.saved = ""
			if _, rerr := p.l.saveTokenFrom(p.key, tok.AccessToken, store.TokenFrom(p.from)); rerr != nil {
				return errors.Join(err, rerr)
			}
			r := store.Refusal{At: p.now().UTC(), Reason: "the issuer answered a refresh with another person's token (" + IDLabel(ie.Got) + "): that token was not kept, and this login's refresh token is spent"}
			if _, rerr := p.l.markRefused(p.key, p.from.RefreshToken, r); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
}

// save is the source's save: a pair already saved by check is not
// written twice.
func (p *rotatedPair) save(next auth.SaveFromFunc) auth.SaveFromFunc {
	return func(ctx context.Context, from string, tok *oauth2.Token) error {
		if p.saved != "" && p.saved == tok.AccessToken {
			p.saved = ""
			return nil
		}
		return next(ctx, from, tok)
	}
}
