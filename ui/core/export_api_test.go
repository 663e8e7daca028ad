package core

import "context"

// QuickAndSlowTargets are APITarget's two ways to its target, for the
// test that holds the quick one to the other: the quick one nil when it
// does not apply.
func (s *Service) QuickAndSlowTargets(ctx context.Context, q APIQuery) (quick, slow *APITarget, slowErr error) {
	c, sess, err := s.currentLogin()
	if err != nil {
		return nil, nil, err
	}
	quick = s.quickTarget(c, sess, q)
	slow, slowErr = s.slowTarget(ctx, c, sess, q)
	return quick, slow, slowErr
}
