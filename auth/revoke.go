package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Revoke asks the server to revoke a refresh token (RFC 7009), as logging
// out should. confirmed is true when the server answered 200. Launchpad
// has no revocation endpoint, nor has every BC5 server: then nothing is
// sent, and Revoke returns (false, nil), as it does for an empty token.
// A failure is the server's answer (a *LaunchpadError) or the network's;
// the login may be forgotten all the same, but it is not known to be
// dead.
func (c *Client) Revoke(ctx context.Context, refreshToken string) (confirmed bool, err error) {
	ep := c.cfg.Server.RevocationEndpoint
	if !c.cfg.Server.IsBC5() || ep == "" || refreshToken == "" {
		return false, nil
	}
	resp, body, err := c.bc5Post(ctx, ep, url.Values{
		"token":           {refreshToken},
		"token_type_hint": {"refresh_token"},
		"client_id":       {c.cfg.ClientID},
	})
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return false, err
	case err != nil:
		return false, &LaunchpadError{Op: OpRevoke, Kind: KindRetry, Server: c.cfg.Server.Issuer, Err: err}
	case resp.StatusCode != http.StatusOK:
		return false, withoutSecrets(c.bc5Error(OpRevoke, resp, body), refreshToken)
	}
	return true, nil
}
