package core

import (
	"context"

	"bcauth/auth"
	"bcauth/store"
)

// ReloadReadingAhead is LoadAccounts's reload, for tests: it also reports
// whether the answer was the cache read ahead, reused, not parsed again.
func (s *Service) ReloadReadingAhead(ctx context.Context, c *auth.Client, sess *store.Session) (*Reload, bool, error) {
	r, ahead, err := s.reloadReadingAhead(ctx, c, sess, s.TokenSource(c, sess), wants{sort: true})
	return r, err == nil && ahead != nil && r.Session.Authorization == ahead.wait(ctx).Authorization, err
}

// ChildEnv is childEnv, for the test of what a started program inherits.
var ChildEnv = childEnv

// ReloadSorting is LoadAccounts's reload, for tests: it also reports
// whether this run had to sort the accounts, the order kept with the
// cache not holding (or the answer being new).
func (s *Service) ReloadSorting(ctx context.Context, c *auth.Client, sess *store.Session) (*Reload, bool, error) {
	r, ahead, err := s.reloadReadingAhead(ctx, c, sess, s.TokenSource(c, sess), wants{sort: true})
	if err != nil {
		return nil, false, err
	}
	return r, r.sorted || ahead.sortedNow, nil
}
