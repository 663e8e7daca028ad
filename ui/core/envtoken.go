package core

import (
	"context"
	"errors"
	"fmt"

	"bcauth/auth"
	"bcauth/store"
)

// BASECAMP_TOKEN: an access token from the environment is the login, in
// place of every stored one. bcauth asks Launchpad whose it is each time,
// never refreshes it and never writes it (or anything about it) to disk, so
// it works with no state directory at all.

// Where a token given from outside came from, for TokenRefusedError.
const (
	FromEnv   = auth.SettingToken
	FromStdin = "standard input"
)

// ErrEnvToken is a command that changes the stored logins while
// BASECAMP_TOKEN is set, which would not change what bcauth uses.
var ErrEnvToken = errors.New(auth.SettingToken + " is set, so bcauth uses that token and not the stored logins: unset it to log out, switch or refresh")

// TokenRefusedError is Launchpad refusing an access token that came from
// outside bcauth's store: From says where (FromEnv, FromStdin).
type TokenRefusedError struct {
	From string
	// Refresh: the refresh token given with it was refused, not the
	// access token.
	Refresh bool
	Err     error
}

func (e *TokenRefusedError) Error() string {
	what := "access token"
	if e.Refresh {
		what = "refresh token"
	}
	return fmt.Sprintf("Launchpad refused the %s from %s: %v", what, e.From, e.Err)
}

func (e *TokenRefusedError) Unwrap() error { return e.Err }

// FromEnv reports whether sess is BASECAMP_TOKEN's rather than a stored one.
func (s *Service) FromEnv(sess *store.Session) bool {
	return s.EnvToken != "" && sess != nil && sess.Token.AccessToken == s.EnvToken && sess.Token.RefreshToken == ""
}

// tokenClient is the client for BASECAMP_TOKEN: the configured Launchpad,
// and the client id if one is configured, but no registration needed.
func (s *Service) tokenClient() (*auth.Client, error) {
	if _, err := envTokenText(s.EnvToken); err != nil {
		return nil, err // never sent: it is no token
	}
	c, _, _ := s.ClientConfig()
	var opts []auth.Option
	if s.Clock != nil {
		opts = append(opts, auth.WithClock(s.Clock))
	}
	return auth.NewForToken(s.authConfig(c), opts...)
}

// envSession is BASECAMP_TOKEN as a session not yet asked about: who it
// belongs to is unknown until reloadEnv.
func (s *Service) envSession(c *auth.Client) *store.Session {
	sess := &store.Session{Token: store.Token{AccessToken: s.EnvToken, TokenType: "Bearer"}}
	if c != nil {
		sess.LaunchpadURL, sess.ClientID = c.Config().LaunchpadURL, c.Config().ClientID
	}
	return sess
}

// reloadEnv asks Launchpad about BASECAMP_TOKEN and keeps the answer in the
// returned session only.
func (s *Service) reloadEnv(ctx context.Context, c *auth.Client, sess *store.Session, ts *auth.TokenSource) (*Reload, error) {
	a, err := c.Authorization(ctx, ts)
	if err != nil {
		var le *auth.LaunchpadError
		if errors.As(err, &le) && le.Kind == auth.KindRelogin {
			return nil, &TokenRefusedError{From: FromEnv, Err: err}
		}
		return nil, err
	}
	if err := s.checkEnvID(a.Identity); err != nil {
		return nil, err // --id names someone else: the token is not theirs
	}
	out := *sess
	out.Authorization, out.Identity, out.FetchedAt = a, a.Identity, s.Now()
	out.Token.Expiry = a.ExpiresAt
	return &Reload{Session: &out}, nil
}
