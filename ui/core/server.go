package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"bcauth/auth"
	"bcauth/store"
)

// Plan is how a new login will go, decided by discovery: the client to log
// in with (Launchpad's, through the browser, or a BC5 client, with a
// device code) and, for the person, why that server.
type Plan struct {
	Client *auth.Client
	// Note says why Launchpad was used although discovery ran (a soft
	// fallback), or that BC5 is there but no BC5 client is configured;
	// "" when discovery chose the server plainly.
	Note string
	// Skipped says discovery did not run at all, and why.
	Skipped string
	// Advertised are the servers the API host named (auth.Discovery's):
	// empty when it named none, nil when its document was not read.
	Advertised []string
}

// Device reports whether the login is the device-code flow (BC5) rather
// than the browser and loopback callback (Launchpad).
func (p *Plan) Device() bool { return p.Client.Server().IsBC5() }

// Discover decides which server a new login uses, as bc5.md tabulates
// it: the resource origin (BASECAMP_BASE_URL) names its authorization
// servers, and BC5 is used only when it is advertised (or pinned with
// BASECAMP_OAUTH_ISSUER) and a BC5 client is configured. Soft failures fall
// back to Launchpad, saying why; hard ones are errors that name the setting
// to fix, and then Launchpad is not asked either.
//
// A Launchpad configured elsewhere than the real one (BASECAMP_LAUNCHPAD_URL:
// a staging server or the fake) with no resource origin set skips
// discovery: the real API host knows nothing of that Launchpad.
func (s *Service) Discover(ctx context.Context) (*Plan, error) {
	c, _, ferr := s.ClientConfig()
	launchpad := func(note, skipped string) (*Plan, error) {
		srv := auth.Server{Kind: auth.ServerLaunchpad, Note: note}
		if note == "" {
			srv.Note = skipped
		}
		lc, err := s.launchpadClient(srv)
		if err != nil {
			return nil, err
		}
		return &Plan{Client: lc, Note: note, Skipped: skipped}, nil
	}
	if ferr != nil && c.BC5ClientID == "" && c.ClientID == "" {
		return nil, ferr
	}
	d, skipped, err := s.discover(ctx, c)
	switch {
	case err != nil:
		return nil, err
	case skipped != "":
		return launchpad("", skipped)
	}
	if !d.Server.IsBC5() {
		p, err := launchpad(d.Fallback, "")
		if p != nil {
			p.Advertised = d.Advertised
		}
		if errors.Is(err, auth.ErrNotConfigured) && c.BC5ClientID != "" {
			// A BC5 client alone, and BC5 not offered: nothing can log in
			// until it is, or a Launchpad client is set up.
			return nil, fmt.Errorf("%w: only a BC5 client (%s) is configured, and the API host does not offer BC5, Basecamp's newer sign-in (%s): it is probably not enabled yet",
				err, auth.SettingBC5ClientID, cmp.Or(d.Fallback, "it chose Launchpad"))
		}
		return p, err
	}
	if c.BC5ClientID == "" {
		if c.Issuer != "" {
			// Pinned: the person asked for BC5, so falling back would
			// log them in somewhere they did not choose.
			return nil, &auth.SettingError{Setting: auth.SettingBC5ClientID,
				Reason: fmt.Sprintf("%s pins BC5 (%s), but no BC5 client is configured", auth.SettingIssuer, auth.Redact(d.Server.Issuer))}
		}
		note := fmt.Sprintf("Basecamp's newer sign-in (%s) is available; set %s to a client registered there to use it", auth.Redact(d.Server.Issuer), auth.SettingBC5ClientID)
		p, err := launchpad(note, "")
		if p != nil {
			p.Advertised = d.Advertised
		}
		if errors.Is(err, auth.ErrNotConfigured) {
			return nil, fmt.Errorf("%w (or set %s: %s)", err, auth.SettingBC5ClientID, note)
		}
		return p, err
	}
	bc, err := s.bc5Client(c.BC5ClientID, d.Server)
	if err != nil {
		return nil, err
	}
	return &Plan{Client: bc, Advertised: d.Advertised}, nil
}

// discover runs discovery for the client settings c, or says why it is
// skipped.
func (s *Service) discover(ctx context.Context, c store.ClientConfig) (d *auth.Discovery, skipped string, err error) {
	if c.BaseURL == "" && c.Issuer == "" && c.LaunchpadURL != "" && c.LaunchpadURL != auth.DefaultLaunchpadURL {
		return nil, "discovery skipped: " + auth.SettingLaunchpadURL + " names another Launchpad and " + auth.SettingResource + " is not set", nil
	}
	for _, o := range []struct{ setting, value string }{{auth.SettingResource, c.BaseURL}, {auth.SettingIssuer, c.Issuer}} {
		if o.value == "" {
			continue
		}
		if err := auth.CheckOrigin(o.setting, o.value); err != nil {
			return nil, "", err
		}
	}
	d, err = auth.Discover(ctx, auth.DiscoveryConfig{
		Resource:     c.BaseURL,
		Issuer:       c.Issuer,
		LaunchpadURL: c.LaunchpadURL,
		HTTPClient:   s.HTTPClient,
		UserAgent:    s.UserAgent,
	})
	return d, "", err
}

// SetupServer is the server a new login would use whatever clients are
// configured, for the setup screen to ask for that server's client alone:
// a BC5 issuer when the API host advertises one (or it is pinned), else
// Launchpad, its Note saying why when there is a reason. Its errors are
// Discover's hard ones.
func (s *Service) SetupServer(ctx context.Context) (auth.Server, error) {
	c, _, _ := s.ClientConfig() // an unreadable file is setup's to replace
	d, skipped, err := s.discover(ctx, c)
	switch {
	case err != nil:
		return auth.Server{}, err
	case skipped != "":
		return auth.Server{Kind: auth.ServerLaunchpad, Note: skipped}, nil
	}
	return d.Server, nil
}

// SaveBC5Client stores the client ID of a BC5 client typed into the
// terminal, keeping the file's other settings. A BC5 client is public: an
// ID, no secret. As with SaveClient, an unreadable config.json is moved
// aside first and where it went is returned.
func (s *Service) SaveBC5Client(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return "", errors.New("the BC5 client ID is needed")
	case strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return "", &auth.SettingError{Setting: auth.SettingBC5ClientID, Reason: "a BC5 client ID is printable ASCII without spaces"}
	}
	file, err := s.Store.LoadClient()
	aside := ""
	if err != nil {
		if aside, err = s.Store.SetAsideClient(); err != nil {
			return "", err
		}
		file = store.ClientConfig{}
	}
	file.BC5ClientID = id
	return aside, s.Store.SaveClient(file)
}

// bc5Client is a public client of a BC5 server: an id and no secret.
func (s *Service) bc5Client(clientID string, srv auth.Server) (*auth.Client, error) {
	opts := []auth.Option{}
	if s.Clock != nil {
		opts = append(opts, auth.WithClock(s.Clock))
	}
	if s.Wait != nil {
		opts = append(opts, auth.WithWait(s.Wait))
	}
	if g := s.guard(srv.Issuer, clientID); g != nil {
		opts = append(opts, auth.WithTokenGuard(g))
	}
	return auth.New(auth.Config{ClientID: clientID, Server: srv, UserAgent: s.UserAgent, HTTPClient: s.HTTPClient}, opts...)
}

// ClientFor is the client a stored login's tokens go through: a BC5 login
// carries its own server and client id, so discovery never runs again;
// a Launchpad login uses the configured client, which must be the one it
// was made with (else ErrOtherClient).
func (s *Service) ClientFor(sess *store.Session) (*auth.Client, error) {
	if sess.Server.IsBC5() && !s.FromEnv(sess) {
		return s.bc5Client(sess.ClientID, sess.Server)
	}
	c, err := s.Client()
	if err != nil {
		return nil, err
	}
	if !belongs(sess, c) {
		return nil, ErrOtherClient
	}
	return c, nil
}

// Revocation is what a server said when logout asked it to revoke a
// login's refresh token (RFC 7009): Asked is false when the server has
// no revocation endpoint (Launchpad) or the login no refresh token.
type Revocation struct {
	Session   store.Session
	Asked     bool
	Confirmed bool
	Err       error
}

// Revoke asks each server whose logins were just forgotten (Logout's gone,
// their tokens read) to revoke their refresh tokens. The logins are gone
// here whatever the answers; each answer is reported so the person knows
// whether the server confirmed.
func (s *Service) Revoke(ctx context.Context, gone []store.Session) []Revocation {
	out := make([]Revocation, 0, len(gone))
	for _, sess := range gone {
		r := Revocation{Session: sess}
		r.Session.Token.AccessToken, r.Session.Token.RefreshToken = "", ""
		// A refused login's refresh token is dead at the issuer already,
		// and a refused token is never sent anywhere again.
		if sess.Server.IsBC5() && sess.Server.RevocationEndpoint != "" && sess.Token.RefreshToken != "" && sess.Refused == nil {
			c, err := s.bc5Client(sess.ClientID, sess.Server)
			if err == nil {
				r.Asked = true
				r.Confirmed, err = c.Revoke(ctx, sess.Token.RefreshToken)
			}
			r.Err = err
		}
		out = append(out, r)
	}
	return out
}
