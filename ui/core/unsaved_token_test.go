package core_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/uitest"
)

// brokenKeyring is memKeyring whose writes fail once broken is set, as a
// keyring locked in the middle of a run.
type brokenKeyring struct {
	memKeyring
	broken atomic.Bool
}

func (k *brokenKeyring) Set(ctx context.Context, account, secret string) error {
	if k.broken.Load() {
		return errors.New("the keyring is locked")
	}
	return k.memKeyring.Set(ctx, account, secret)
}

// TestRefreshedTokenThatCannotBeSaved: Launchpad issued a new token and
// it could not be written down: the token still serves this run, and
// every command says it was not saved (the next run may have to log in
// again), never that all is well.
func TestRefreshedTokenThatCannotBeSaved(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(e *uitest.Env, c *auth.Client, sess *store.Session) (token string, unsaved error, err error)
	}{
		{name: "token", do: func(e *uitest.Env, _ *auth.Client, _ *store.Session) (string, error, error) {
			info, err := e.Svc.TokenInfo(testContext(t))
			if info == nil {
				return "", nil, err
			}
			return info.Token.AccessToken, err, nil
		}},
		{name: "refresh", do: func(e *uitest.Env, _ *auth.Client, _ *store.Session) (string, error, error) {
			sess, err := e.Svc.Refresh(testContext(t))
			if sess == nil {
				return "", nil, err
			}
			return sess.Token.AccessToken, err, nil
		}},
		{name: "reload", do: func(e *uitest.Env, c *auth.Client, sess *store.Session) (string, error, error) {
			r, err := e.Svc.Reload(testContext(t), c, sess)
			if err != nil {
				return "", nil, err
			}
			return r.Session.Token.AccessToken, r.Unsaved, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := uitest.New(t, launchpadtest.Options{})
			kr := &brokenKeyring{}
			useKeyring(t, e, kr, store.KeyringOn)
			sess := e.LogIn(t)
			c, err := e.Svc.Client()
			if err != nil {
				t.Fatal(err)
			}
			e.Fake.ExpireAccessTokens()
			e.ExpireStored(t, sess, time.Minute)
			cur := e.Current(t)
			kr.broken.Store(true)
			token, unsaved, err := tc.do(e, c, &cur)
			if err != nil {
				t.Fatal(err)
			}
			var se *auth.SaveError
			if !errors.As(unsaved, &se) {
				t.Errorf("not told the token was not saved: %v", unsaved)
			}
			if token == "" || token == sess.Token.AccessToken {
				t.Errorf("token %q, want the new one, for this run", token)
			}
			kr.broken.Store(false)
			stored, err := e.Svc.Store.LoadToken(sess.Key())
			if err != nil || stored.AccessToken == token || stored.AccessToken != sess.Token.AccessToken {
				t.Errorf("the store holds %q, %v; want the old token, the new one unsaved", stored.AccessToken, err)
			}
		})
	}
}
