package launchpadtest

import (
	"net/http"
	"net/url"
	"testing"
)

func revokeForm(token, hint string) url.Values {
	f := url.Values{"token": {token}, "client_id": {BC5ClientID}}
	if hint != "" {
		f.Set("token_type_hint", hint)
	}
	return f
}

func TestRevokeARefreshTokenEndsTheLogin(t *testing.T) {
	for _, hint := range []string{"", "refresh_token", "access_token", "nonsense"} {
		t.Run("hint "+hint, func(t *testing.T) {
			_, b, _ := startBC5(t, BC5Options{})
			tok, _ := b.IssueLogin("read", "")
			other, _ := b.IssueLogin("read", "")
			a := postForm(t, b.RevocationEndpoint, revokeForm(tok.RefreshToken, hint))
			if a.status != http.StatusOK || a.body != "" {
				t.Fatalf("revoke: %d %q, want 200 and no body", a.status, a.body)
			}
			if e, _ := oauthErrorOf(t, refreshBC5(t, b, tok.RefreshToken, tok.Resource), http.StatusBadRequest); e != "invalid_grant" {
				t.Errorf("refresh after revocation: %q", e)
			}
			if _, status := identityOf(t, b.AuthorizationURL, tok.AccessToken); status != http.StatusUnauthorized {
				t.Errorf("the login's access token after revocation: %d", status)
			}
			if email, _ := identityOf(t, b.AuthorizationURL, other.AccessToken); email == "" {
				t.Error("another login died too")
			}
			if !b.Revoked() || b.Revocations() != 1 || b.ReuseDetected() != 0 {
				t.Errorf("Revoked %v Revocations %d ReuseDetected %d", b.Revoked(), b.Revocations(), b.ReuseDetected())
			}
			// Twice is fine, and counts once.
			if a := postForm(t, b.RevocationEndpoint, revokeForm(tok.RefreshToken, hint)); a.status != http.StatusOK || b.Revocations() != 1 {
				t.Errorf("again: %d, Revocations %d", a.status, b.Revocations())
			}
		})
	}
}

func TestRevokeAnAccessTokenEndsItAlone(t *testing.T) {
	_, b, _ := startBC5(t, BC5Options{})
	tok, _ := b.IssueLogin("read", "")
	if a := postForm(t, b.RevocationEndpoint, revokeForm(tok.AccessToken, "access_token")); a.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", a.status, a.body)
	}
	if _, status := identityOf(t, b.AuthorizationURL, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("the revoked access token: %d", status)
	}
	if a := refreshBC5(t, b, tok.RefreshToken, tok.Resource); a.status != http.StatusOK {
		t.Errorf("the login's refresh token: %d %s", a.status, a.body)
	}
	if b.Revoked() {
		t.Error("revoking an access token revoked the login")
	}
}

func TestRevocationEndpointRefuses(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		error  string
	}{
		{"an unknown token", revokeForm("bc_rt_nope", ""), 200, ""},
		{"a Launchpad token", revokeForm(func() string { _, rt, _ := s.IssueToken(); return rt }(), "refresh_token"), 200, ""},
		{"no token", url.Values{"client_id": {BC5ClientID}}, 400, "invalid_request"},
		{"no client_id", url.Values{"token": {"x"}}, 401, "invalid_client"},
		{"a client secret", func() url.Values { f := revokeForm("x", ""); f.Set("client_secret", "s"); return f }(), 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := postForm(t, b.RevocationEndpoint, tc.form)
			if tc.status == 200 {
				if a.status != 200 {
					t.Errorf("%d %s, want 200", a.status, a.body)
				}
				return
			}
			if e, _ := oauthErrorOf(t, a, tc.status); e != tc.error {
				t.Errorf("error %q, want %q", e, tc.error)
			}
		})
	}
	if b.Revocations() != 0 || b.Requests(BC5Revoke) != 5 || len(b.RequestLog(BC5Revoke)) != 5 {
		t.Errorf("Revocations %d Requests %d", b.Revocations(), b.Requests(BC5Revoke))
	}
}
