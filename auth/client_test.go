package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestRedirectsAreNotFollowed has Launchpad answer with a redirect to another
// host on each endpoint: the client must not carry the client secret, the
// code, the refresh token or the access token there, and must say that
// Launchpad redirected, and where to.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var stolen atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"stolen","expires_in":60}`))
	}))
	defer elsewhere.Close()
	elsewhereURL, err := url.Parse(elsewhere.URL)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		endpoint launchpadtest.Endpoint
		status   int
		op       auth.Op
		call     func(t *testing.T, h *harness) error
	}{
		{"exchange", launchpadtest.EndpointToken, http.StatusTemporaryRedirect, auth.OpExchange, func(t *testing.T, h *harness) error {
			l, err := h.client.NewLogin()
			if err != nil {
				t.Fatal(err)
			}
			loc := h.approve(t, l)
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {elsewhere.URL + "/authorization/token"}}, Times: 1})
			_, err = l.Paste(t.Context(), loc)
			return err
		}},
		{"refresh", launchpadtest.EndpointToken, http.StatusPermanentRedirect, auth.OpRefresh, func(t *testing.T, h *harness) error {
			tok := pasteLogin(t, h)
			h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Status: http.StatusPermanentRedirect, Header: http.Header{"Location": {elsewhere.URL + "/authorization/token"}}, Times: 1})
			_, err := h.client.Refresh(t.Context(), tok.RefreshToken)
			return err
		}},
		{"authorization.json", launchpadtest.EndpointAuthorization, http.StatusFound, auth.OpAuthorization, func(t *testing.T, h *harness) error {
			tok := pasteLogin(t, h)
			h.fake.InjectFault(launchpadtest.EndpointAuthorization, launchpadtest.Fault{Status: http.StatusFound, Header: http.Header{"Location": {elsewhere.URL + "/authorization.json"}}, Times: 1})
			_, err := h.client.Authorization(t.Context(), h.client.TokenSource(tok, nil))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stolen.Store(0)
			hc := &http.Client{Timeout: 30 * time.Second}
			h := newHarness(t, setup{config: func(c *auth.Config) { hc.Transport = c.HTTPClient.Transport; c.HTTPClient = hc }})
			err := tt.call(t, h)
			if n := stolen.Load(); n != 0 {
				t.Fatalf("the client followed Launchpad's redirect: %d requests reached %s", n, elsewhere.URL)
			}
			le := asLaunchpad(t, err)
			if le.Op != tt.op || le.Status != tt.status {
				t.Errorf("error %v: op %q status %d, want %q %d", err, le.Op, le.Status, tt.op, tt.status)
			}
			for _, want := range []string{"redirected", elsewhereURL.Host, auth.SettingLaunchpadURL} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			if hc.CheckRedirect != nil {
				t.Error("auth.New changed the caller's http.Client")
			}
		})
	}
}
