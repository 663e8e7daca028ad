package launchpadtest

import (
	"net/http"
	"strings"
	"testing"
)

// A BC5 access token says who it belongs to at both places bc5.md names,
// and reaches the product APIs as that person.
func TestBC5TokensAtBothAuthorizationJSONsAndTheProductAPIs(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	for _, tc := range []struct {
		person, email string
		accounts      int
	}{
		{"", "annie@example.com", len(s.Accounts())},
		{"ben@example.com", "ben@example.com", len(s.SecondAccounts())},
	} {
		t.Run(tc.email, func(t *testing.T) {
			tok := deviceLogin(t, b, tc.person, nil)
			at := str(tok, "access_token")
			for _, where := range []string{b.Issuer + "/authorization.json", s.URL + "/authorization.json"} {
				a := getAuthorizationAt(t, where, at, "test")
				if a.status != http.StatusOK {
					t.Fatalf("%s: %d %s", where, a.status, a.body)
				}
				doc := decodeObject(t, a.body)
				if got := doc["identity"].(map[string]any)["email_address"]; got != tc.email {
					t.Errorf("%s: identity %v, want %s", where, got, tc.email)
				}
				if n := len(doc["accounts"].([]any)); n != tc.accounts {
					t.Errorf("%s: %d accounts, want %d", where, n, tc.accounts)
				}
			}
			// A refreshed token is the same person's.
			fresh := decodeObject(t, refreshBC5(t, b, str(tok, "refresh_token"), str(tok, "resource")).body)
			if email, _ := identityOf(t, b.AuthorizationURL, str(fresh, "access_token")); email != tc.email {
				t.Errorf("the refreshed token is %q's", email)
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/bc3/99999999/my/profile.json", nil)
			req.Header.Set("Authorization", "Bearer "+at)
			req.Header.Set("User-Agent", "test")
			if p := do(t, req); p.status != http.StatusOK || !strings.Contains(p.body, tc.email) {
				t.Errorf("bc3 profile: %d %s", p.status, p.body)
			}
		})
	}
	if n := b.Requests(BC5Authorization); n != 4 {
		t.Errorf("Requests(BC5Authorization) = %d, want 4", n)
	}
	if n := s.Requests(EndpointAuthorization); n != 2 {
		t.Errorf("the resource origin's authorization.json counted %d, want 2", n)
	}
	// Unknown tokens, and the User-Agent rule, as on Launchpad.
	if _, status := identityOf(t, b.AuthorizationURL, "bc_at_nope"); status != http.StatusUnauthorized {
		t.Errorf("unknown token: %d", status)
	}
	if a := getAuthorizationAt(t, b.AuthorizationURL, "x", ""); a.status != http.StatusBadRequest {
		t.Errorf("no User-Agent: %d", a.status)
	}
}

// Scope read sees, full changes: a read token's writes are refused 403.
func TestBC5ScopeAtTheProductAPIs(t *testing.T) {
	s, b, _ := startBC5(t, BC5Options{})
	launchpadAccess, _, _ := s.IssueToken()
	for _, tc := range []struct {
		name, scope string
		token       string
		write       int
	}{
		{"read", "read", "", http.StatusForbidden},
		{"full", "full", "", http.StatusCreated},
		{"Launchpad's, which has no scopes", "", launchpadAccess, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token
			if token == "" {
				tok, err := b.IssueLogin(tc.scope, "")
				if err != nil {
					t.Fatal(err)
				}
				token = tok.AccessToken
			}
			call := func(method, body string) answer {
				req, _ := http.NewRequestWithContext(t.Context(), method, s.URL+"/bc3/99999999/projects.json", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("User-Agent", "test")
				req.Header.Set("Content-Type", "application/json")
				return do(t, req)
			}
			if a := call(http.MethodGet, ""); a.status != http.StatusOK {
				t.Errorf("GET: %d", a.status)
			}
			a := call(http.MethodPost, `{"name":"New"}`)
			if a.status != tc.write {
				t.Fatalf("POST: %d %s, want %d", a.status, a.body, tc.write)
			}
			if a.status == http.StatusForbidden && (!strings.Contains(a.body, "insufficient_scope") || !strings.Contains(a.header.Get("WWW-Authenticate"), `scope="full"`)) {
				t.Errorf("403 %s, WWW-Authenticate %q", a.body, a.header.Get("WWW-Authenticate"))
			}
		})
	}
}
