package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"bcauth/auth"
)

// TestLaunchpadQuotingASecretBackIsNeverShown: an answer that quotes what
// was sent (the client secret, the refresh token, the code) would print it
// and keep it in state.json's refusal or holds.json. The error keeps
// Launchpad's words and its kind, without them.
func TestLaunchpadQuotingASecretBackIsNeverShown(t *testing.T) {
	const secret, refresh, code = "the-client-secret-123", "BAhbRefreshToken456", "the-code-789"
	for _, tc := range []struct {
		name   string
		status int
		kind   auth.Kind
	}{
		{"a refusal", http.StatusBadRequest, auth.KindRelogin},
		{"a 429", http.StatusTooManyRequests, auth.KindRetry},
		{"a client refusal", http.StatusUnauthorized, auth.KindConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				errCode := "invalid_grant"
				if tc.kind == auth.KindConfig {
					errCode = "invalid_client"
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				json.NewEncoder(w).Encode(map[string]string{
					"error":             errCode,
					"error_description": "refresh token " + r.Form.Get("refresh_token") + " revoked; code " + r.Form.Get("code") + "; secret " + r.Form.Get("client_secret"),
				})
			}))
			t.Cleanup(srv.Close)
			c, err := auth.New(auth.Config{ClientID: "id", ClientSecret: secret, LaunchpadURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range []func() (*oauth2.Token, error){
				func() (*oauth2.Token, error) { return c.Refresh(t.Context(), refresh) },
				func() (*oauth2.Token, error) { return c.Exchange(t.Context(), code) },
			} {
				_, err := call()
				le := asLaunchpad(t, err)
				for _, s := range []string{secret, refresh, code} {
					if strings.Contains(le.Text, s) || strings.Contains(err.Error(), s) {
						t.Errorf("the error shows %q: %v", s, err)
					}
				}
				if !strings.Contains(le.Text, "[redacted]") || !strings.Contains(le.Text, "revoked") {
					t.Errorf("Launchpad's words lost: %q", le.Text)
				}
			}
			if _, err := c.Refresh(t.Context(), refresh); asLaunchpad(t, err).Kind != tc.kind {
				t.Errorf("kind %v, want %v", asLaunchpad(t, err).Kind, tc.kind)
			}
		})
	}
}
