package probe

import (
	"bcauth/auth"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWithoutSecrets(t *testing.T) {
	bearer, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	bearer.Header.Set("Authorization", "Bearer BAhbAccessToken123")
	basic, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	basic.SetBasicAuth("classic-api-token-456", "X")
	for _, tc := range []struct {
		name, text string
		req        *http.Request
		gone       []string
		kept       string
	}{
		{"an echoed bearer token", `{"echo":"Bearer BAhbAccessToken123"}`, bearer, []string{"BAhbAccessToken123"}, "echo"},
		{"an echoed API token sent as Basic", `no such user classic-api-token-456`, basic, []string{"classic-api-token-456"}, "no such user"},
		{"the Basic header itself", `got Y2xhc3NpYy1hcGktdG9rZW4tNDU2Olg=`, basic, []string{"Y2xhc3NpYy1hcGktdG9rZW4tNDU2Olg="}, "got"},
		{"Highrise's token", `<user><token>SECRETHR1</token></user>`, bearer, []string{"SECRETHR1"}, "<token>REDACTED</token>"},
		{"with attributes and spaces", `<token type="string" >SECRETHR2</token >`, bearer, []string{"SECRETHR2"}, "REDACTED"},
		{"Campfire's", `<api-auth-token>SECRETCF3</api-auth-token>`, bearer, []string{"SECRETCF3"}, "REDACTED"},
		{"as JSON", `{"token": "SECRET\"J4", "name": "Annie"}`, bearer, []string{"SECRET", "J4"}, `"name": "Annie"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := withoutSecrets(tc.text, tc.req)
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("%q still holds %q", got, g)
				}
			}
			if !strings.Contains(got, tc.kept) {
				t.Errorf("%q lost %q", got, tc.kept)
			}
		})
	}
}

// TestAProbeNeverQuotesTheTokenItSent: a product that echoes the request's
// credentials, or a Highrise token, in an error answer; the probe's reason
// quotes its words without them.
func TestAProbeNeverQuotesTheTokenItSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":"refused `+r.Header.Get("Authorization")+` <token>SECRETHR9</token>"}`)
	}))
	t.Cleanup(srv.Close)
	p := New(Config{UserAgent: "bcauth-test (test@example.com)", HTTPClient: srv.Client()})
	acc := auth.Account{Product: "highrise", ID: 1, Name: "HR", Href: srv.URL}
	res := p.Probe(t.Context(), acc, APITokenAuth{Token: "classic-api-token-789"})
	if res.Status != Refused || !strings.Contains(res.Reason, "refused") {
		t.Fatalf("%+v, want a refusal quoting the answer", res)
	}
	for _, s := range []string{"classic-api-token-789", "SECRETHR9", "Y2xhc3NpYy1hcGktdG9rZW4tNzg5Olg="} {
		if strings.Contains(res.Reason, s) {
			t.Errorf("the reason quotes %q: %s", s, res.Reason)
		}
	}
}
