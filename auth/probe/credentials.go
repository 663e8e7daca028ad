package probe

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"bcauth/auth"
)

// Authorizer puts credentials on a product API request.
type Authorizer interface {
	Apply(ctx context.Context, req *http.Request) error
}

// BearerAuth sends the OAuth access token from Source, refreshing it near its
// expiry, and once more when a product calls it expired.
type BearerAuth struct {
	Source *auth.TokenSource
}

// Apply sets "Authorization: Bearer TOKEN".
func (b BearerAuth) Apply(ctx context.Context, req *http.Request) error {
	if b.Source == nil {
		return errors.New("no login to take an access token from")
	}
	// A token that could not be saved still works: probing goes on with it.
	tok, err := b.Source.Token(ctx)
	if !auth.Usable(tok, err) {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// refresh replaces the token a product called expired.
func (b BearerAuth) refresh(ctx context.Context, sent *http.Request) error {
	stale := strings.TrimPrefix(sent.Header.Get("Authorization"), "Bearer ")
	tok, err := b.Source.Refresh(ctx, stale)
	if auth.Usable(tok, err) {
		return nil
	}
	return err
}

// BasicAuth sends a person's own login, which Basecamp 2 accepts for their
// own scripts. Never ask a person for someone else's password.
type BasicAuth struct {
	User, Password string
}

// Apply sets HTTP Basic credentials.
func (b BasicAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(b.User, b.Password)
	return nil
}

// APITokenAuth sends a legacy product API token the way Basecamp Classic,
// Highrise, Campfire and Backpack take it: as the Basic user, password "X".
type APITokenAuth struct {
	Token string
}

// Apply sets HTTP Basic credentials TOKEN:X.
func (a APITokenAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.Token, "X")
	return nil
}

// refresher is an Authorizer that can renew credentials a product called
// expired.
type refresher interface {
	refresh(ctx context.Context, sent *http.Request) error
}

// secretWord names what an Authorizer sends, for reasons.
func secretWord(a Authorizer) string {
	if _, ok := a.(BasicAuth); ok {
		return "password"
	}
	return "token"
}
