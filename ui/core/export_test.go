package core

import (
	"context"

	"bcauth/auth"
	"bcauth/store"
)

// ReloadReadingAhead is LoadAccounts's reload, for tests: it also reports
// whether the answer was the cache read ahead, reused, not parsed again.
func (s *Service) ReloadReadingAhead(ctx context.Context, c *auth.Client, sess *store.Session) (*Reload, bool, error) {
	r, ahead, err := s.reloadReadingAhead(ctx, c, sess, s.TokenSource(c, sess), true)
	return r, err == nil && ahead != nil && r.Session.Authorization == ahead.wait(ctx).Authorization, err
}

// ChildEnv is childEnv, for the test of what a started program inherits.
var ChildEnv = childEnv
