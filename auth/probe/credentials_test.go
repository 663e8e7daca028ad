package probe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/auth/probe"
)

func TestAuthorizersSetTheDocumentedHeaders(t *testing.T) {
	s, ts := newFake(t, launchpadtest.Options{})
	tok, _ := ts.Token(context.Background())
	tests := []struct {
		a    probe.Authorizer
		user string
		pass string
		want string
	}{
		{probe.BearerAuth{Source: ts}, "", "", "Bearer " + tok.AccessToken},
		{probe.BasicAuth{User: "annie@example.com", Password: "pw"}, "annie@example.com", "pw", ""},
		{probe.APITokenAuth{Token: "abc123"}, "abc123", "X", "Basic YWJjMTIzOlg="},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, s.URL, nil)
		if err := tt.a.Apply(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if tt.want != "" && req.Header.Get("Authorization") != tt.want {
			t.Errorf("%T: Authorization %q, want %q", tt.a, req.Header.Get("Authorization"), tt.want)
		}
		if tt.user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != tt.user || p != tt.pass {
				t.Errorf("%T: Basic %q:%q", tt.a, u, p)
			}
		}
	}
}
