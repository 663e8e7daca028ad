package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/store"
)

// A stored login is exactly whose it says. Launchpad checks an access
// token, never that a refresh token belongs with it, and a keyring entry
// can be swapped behind bcauth's back: so whenever authorization.json is
// read for a stored login, and after every refresh, the identity it names
// must be the login's. A token of anyone else is never saved, printed or
// sent as that login.

// IdentityError is a token that belongs to another Basecamp ID than the
// one it was meant for: the stored login's (Stored), the one a person
// asked for (Expected, from login --expect-identity), or the access
// token's own (Access, for a refresh token given with it).
type IdentityError struct {
	Got auth.Identity
	// One of these says whom the token should have been.
	Stored   *auth.Identity
	Expected string
	Access   *auth.Identity
	// AfterRefresh says Launchpad issued the token by a refresh.
	AfterRefresh bool
}

func (e *IdentityError) Error() string {
	switch {
	case e.Expected != "":
		return fmt.Sprintf("Launchpad says this login is %s, not %q as --expect-identity asked (it takes the Launchpad id or the whole email address): nothing was stored", IDLabel(e.Got), e.Expected)
	case e.Access != nil:
		return fmt.Sprintf("the refresh token given belongs to %s and the access token to %s: nothing was stored", IDLabel(e.Got), IDLabel(*e.Access))
	}
	return fmt.Sprintf("the token stored as the login of %s belongs to %s: bcauth did not use it", IDLabel(*e.Stored), IDLabel(e.Got))
}

// sameIdentity reports whether got is want: the Launchpad id, or for an
// identity stored without one, the email address.
func sameIdentity(want, got auth.Identity) bool {
	if want.ID != 0 || got.ID != 0 {
		return want.ID == got.ID
	}
	return strings.EqualFold(want.EmailAddress, got.EmailAddress)
}

// checkStored is an *IdentityError unless a, read for sess, is sess's.
func checkStored(sess *store.Session, a *auth.Authorization, afterRefresh bool) error {
	if sameIdentity(sess.Identity, a.Identity) {
		return nil
	}
	stored := sess.Identity
	return &IdentityError{Got: a.Identity, Stored: &stored, AfterRefresh: afterRefresh}
}

// IsIdentity reports whether query names id exactly: its Launchpad id, or
// its email address (case aside). --expect-identity takes nothing looser.
func IsIdentity(id auth.Identity, query string) bool {
	q := strings.TrimSpace(query)
	return q != "" && (strconv.FormatInt(id.ID, 10) == q || (id.EmailAddress != "" && strings.EqualFold(id.EmailAddress, q)))
}

// checkExpected is an *IdentityError unless s.Expect is empty or names id.
func (s *Service) checkExpected(id auth.Identity) error {
	if s.Expect == "" || IsIdentity(id, s.Expect) {
		return nil
	}
	return &IdentityError{Got: id, Expected: s.Expect}
}

// refreshedCheck is the check a stored login's token source runs on every
// token a refresh brings: one authorization.json request, before the
// token is saved or used.
func refreshedCheck(c *auth.Client, sess *store.Session) auth.CheckFunc {
	return func(ctx context.Context, tok *oauth2.Token) error {
		a, err := c.Whose(ctx, tok.AccessToken)
		if err != nil {
			return fmt.Errorf("could not check whose the refreshed token is, so it was not used: %w", err)
		}
		return checkStored(sess, a, true)
	}
}

// ErrEnvTokenMalformed is a BASECAMP_TOKEN no token can be: a line break,
// an escape or a space inside. It is never sent.
var ErrEnvTokenMalformed = errors.New(auth.SettingToken + " is malformed: it holds a control character or whitespace, which no access token has")

// envTokenText is BASECAMP_TOKEN (Open trimmed the blanks around it), or
// ErrEnvTokenMalformed.
func envTokenText(v string) (string, error) {
	if !IsTokenText(v) {
		return "", ErrEnvTokenMalformed
	}
	return v, nil
}

// checkEnvID is an *IDError unless the Basecamp ID that --id or BCAUTH_ID
// names (as FindSession would) is BASECAMP_TOKEN's, id.
func (s *Service) checkEnvID(id auth.Identity) error {
	if s.ID == "" {
		return nil
	}
	if len(FindSession([]store.Session{{Identity: id}}, s.ID)) == 1 {
		return nil
	}
	return &EnvIDError{Query: s.ID, Token: id}
}

// EnvIDError is --id or BCAUTH_ID naming another Basecamp ID than the one
// BASECAMP_TOKEN belongs to: the token is not used as theirs.
type EnvIDError struct {
	Query string
	Token auth.Identity // whose BASECAMP_TOKEN is
}

func (e *EnvIDError) Error() string {
	return fmt.Sprintf("%s belongs to %s, whom %q does not name", auth.SettingToken, IDLabel(e.Token), e.Query)
}

// describeIdentityError is Describe for a token of someone else's.
func describeIdentityError(e *IdentityError) Problem {
	p := Problem{Kind: KindOtherIdentity, Header: "Another person's token", Relogin: true}
	got := IDLabel(e.Got)
	switch {
	case e.Expected != "":
		p.Message = fmt.Sprintf("Launchpad says this login is %s, not %q as --expect-identity asked, so nothing was stored", got, e.Expected)
		p.Fix = fmt.Sprintf("log in as %s: in the browser, sign out of Launchpad first (or use a private window) and approve as that person; with --with-token, give that person's tokens", e.Expected)
	case e.Access != nil:
		p.Message = fmt.Sprintf("the refresh token given belongs to %s, but the access token to %s, so nothing was stored", got, IDLabel(*e.Access))
		p.Fix = "give an access token and the refresh token issued with it (bcauth token --json and state.json of the same login), or log in with the browser: bcauth login"
	default:
		how := "Launchpad says"
		if e.AfterRefresh {
			how = "refreshed, Launchpad says"
		}
		p.Message = fmt.Sprintf("the token stored as the login of %s belongs to %s (%s), so bcauth did not use, print or send it, and changed nothing stored",
			IDLabel(*e.Stored), got, how)
		p.Fix = fmt.Sprintf("someone put another person's tokens in that login (login --with-token with a refresh token of another person, or a swapped keyring entry): log it out and in again as its owner, bcauth logout --id %d && bcauth login --expect-identity %d",
			e.Stored.ID, e.Stored.ID)
	}
	return p
}

// provePair proves that refresh belongs with access, for login
// --with-token: it costs one refresh and one authorization.json request
// more than a login with an access token alone. The token it returns is
// the refreshed one, to store (the freshest, and proven to renew); check
// is what the refreshed token's identity, which Complete then reads, must
// pass: be access's.
func (s *Service) provePair(ctx context.Context, c *auth.Client, access, refresh string) (*oauth2.Token, func(auth.Identity) error, error) {
	a, err := c.Whose(ctx, access)
	if err != nil {
		var le *auth.LaunchpadError
		if errors.As(err, &le) && le.Kind == auth.KindRelogin {
			return nil, nil, &TokenRefusedError{From: FromStdin, Err: err}
		}
		return nil, nil, err
	}
	if err := s.checkExpected(a.Identity); err != nil {
		return nil, nil, err // not worth a refresh
	}
	fresh, err := c.Refresh(ctx, refresh)
	if err != nil {
		if auth.NeedsLogin(err) {
			return nil, nil, &TokenRefusedError{From: FromStdin, Refresh: true, Err: err}
		}
		return nil, nil, err
	}
	owner := a.Identity
	return fresh, func(got auth.Identity) error {
		if sameIdentity(owner, got) {
			return nil
		}
		return &IdentityError{Got: got, Access: &owner}
	}, nil
}
