package launchpadtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthorizationJSONShape(t *testing.T) {
	clk := newClock()
	s := start(t, Options{Now: clk.Now})
	access := login(t, s)["access_token"].(string)
	a := getAuthorization(t, s, access, "bcauth-test (test@example.com)")
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var raw struct {
		ExpiresAt string                       `json:"expires_at"`
		Identity  map[string]any               `json:"identity"`
		Accounts  []map[string]json.RawMessage `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(a.body), &raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(raw.ExpiresAt, "-05:00") {
		t.Errorf("expires_at %q has no -05:00 offset", raw.ExpiresAt)
	}
	exp, err := time.Parse(time.RFC3339, raw.ExpiresAt)
	if err != nil || !exp.Equal(clk.Now().Add(DefaultAccessTTL)) {
		t.Errorf("expires_at %q (%v), want %v", raw.ExpiresAt, err, clk.Now().Add(DefaultAccessTTL))
	}
	id := DemoIdentity()
	want := map[string]any{"id": float64(id.ID), "first_name": id.FirstName, "last_name": id.LastName, "email_address": id.EmailAddress}
	for k, v := range want {
		if raw.Identity[k] != v {
			t.Errorf("identity.%s = %v, want %v", k, raw.Identity[k], v)
		}
	}
	demo := DemoAccounts(s.URL)
	if len(raw.Accounts) != len(demo) {
		t.Fatalf("%d accounts, want %d", len(raw.Accounts), len(demo))
	}
	for i, acc := range demo {
		got := raw.Accounts[i]
		_, hasApp := got["app_href"]
		if hasApp != (acc.AppHref != "") {
			t.Errorf("account %d (%s): app_href present %v, want %v", i, acc.Product, hasApp, acc.AppHref != "")
		}
		var name string
		if err := json.Unmarshal(got["name"], &name); err != nil || name != acc.Name {
			t.Errorf("account %d name %s, want %q", i, got["name"], acc.Name)
		}
		for k, v := range acc.Extra {
			b, _ := json.Marshal(v)
			if string(got[k]) != string(b) {
				t.Errorf("account %d: extra %s = %s, want %s", i, k, got[k], b)
			}
		}
	}
	if !strings.Contains(a.body, `"hidden":true`) || !strings.Contains(a.body, `\u001b[2J`) {
		t.Errorf("body lacks the hidden field or the escaped control characters:\n%s", a.body)
	}
}

func TestAccountJSON(t *testing.T) {
	tests := []struct {
		name string
		acc  Account
		want string
	}{
		{"full", Account{Product: "bc3", ID: 1, Name: "A", Href: "h", AppHref: "a"},
			`{"product":"bc3","id":1,"name":"A","href":"h","app_href":"a"}`},
		{"no app_href", Account{Product: "basecamp", ID: 2, Name: "B", Href: "h"},
			`{"product":"basecamp","id":2,"name":"B","href":"h"}`},
		{"extra fields sorted", Account{Product: "bc3", ID: 3, Name: "C", Href: "h", Extra: map[string]any{"hidden": true, "expired": false}},
			`{"product":"bc3","id":3,"name":"C","href":"h","expired":false,"hidden":true}`},
		{"extra replaces a field", Account{Product: "bc3", ID: 4, Name: "D", Href: "h", Extra: map[string]any{"id": "4", "name": nil}},
			`{"product":"bc3","id":"4","name":null,"href":"h"}`},
		{"extra app_href null", Account{Product: "bc3", ID: 5, Name: "E", Href: "h", Extra: map[string]any{"app_href": nil}},
			`{"product":"bc3","id":5,"name":"E","href":"h","app_href":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.acc)
			if err != nil || string(b) != tt.want {
				t.Errorf("got %s (%v), want %s", b, err, tt.want)
			}
		})
	}
}

func TestAuthorizationAccountsAndIdentityChange(t *testing.T) {
	tests := []struct {
		name     string
		accounts []Account
		want     string
	}{
		{"empty", []Account{}, `"accounts":[]`},
		{"nil", nil, `"accounts":[]`},
		{"one", []Account{{Product: "ta-da", ID: 7, Name: "Lists", Href: "x"}}, `"accounts":[{"product":"ta-da","id":7,"name":"Lists","href":"x"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{})
			access := login(t, s)["access_token"].(string)
			s.SetAccounts(tt.accounts)
			s.SetIdentity(Identity{ID: 42, FirstName: "Ada", EmailAddress: "ada@example.com"})
			a := getAuthorization(t, s, access, "test")
			if !strings.Contains(a.body, tt.want) || !strings.Contains(a.body, `"identity":{"id":42,"first_name":"Ada","last_name":"","email_address":"ada@example.com"}`) {
				t.Errorf("body %s lacks %s or the new identity", a.body, tt.want)
			}
		})
	}
	t.Run("empty from options", func(t *testing.T) {
		s := start(t, Options{Accounts: []Account{}})
		a := getAuthorization(t, s, login(t, s)["access_token"].(string), "test")
		if !strings.Contains(a.body, `"accounts":[]`) {
			t.Errorf("body %s", a.body)
		}
	})
}

func TestAuthorizationErrors(t *testing.T) {
	tests := []struct {
		name      string
		token     func(s *Server, clk *clock, access string) string
		userAgent string
		status    int
		ctype     string
		body      string
	}{
		{name: "no user agent", token: func(_ *Server, _ *clock, a string) string { return a },
			status: 400, ctype: "text/plain; charset=utf-8", body: textNoUserAgent},
		{name: "no token", token: func(*Server, *clock, string) string { return "" }, userAgent: "t",
			status: 401, ctype: "application/json; charset=utf-8", body: `{"error":"OAuth token could not be verified"}`},
		{name: "unknown token", token: func(*Server, *clock, string) string { return "BAhbnope" }, userAgent: "t",
			status: 401, ctype: "application/json; charset=utf-8", body: `{"error":"OAuth token could not be verified"}`},
		{name: "expired by the clock", userAgent: "t",
			token:  func(_ *Server, clk *clock, a string) string { clk.Advance(DefaultAccessTTL); return a },
			status: 401, ctype: "application/json; charset=utf-8", body: `{"error":"OAuth token expired (old age), please reauthorize"}`},
		{name: "expired by ExpireAccessTokens", userAgent: "t",
			token:  func(s *Server, _ *clock, a string) string { s.ExpireAccessTokens(); return a },
			status: 401, ctype: "application/json; charset=utf-8", body: `{"error":"OAuth token expired (old age), please reauthorize"}`},
		{name: "valid a second early", userAgent: "t",
			token:  func(_ *Server, clk *clock, a string) string { clk.Advance(DefaultAccessTTL - time.Second); return a },
			status: 200, ctype: "application/json; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := start(t, Options{Now: clk.Now})
			access := login(t, s)["access_token"].(string)
			a := getAuthorization(t, s, tt.token(s, clk, access), tt.userAgent)
			if a.status != tt.status || a.header.Get("Content-Type") != tt.ctype || (tt.body != "" && a.body != tt.body) {
				t.Errorf("got %d %q %q, want %d %q %q", a.status, a.header.Get("Content-Type"), a.body, tt.status, tt.ctype, tt.body)
			}
			if tt.status == 401 && strings.Contains(tt.name, "expired") && !strings.Contains(a.body, "expired") {
				t.Errorf("expiry answer %q lacks the word expired", a.body)
			}
		})
	}
}

func TestExpireAccessTokensThenRefresh(t *testing.T) {
	s := start(t, Options{})
	tok := login(t, s)
	s.ExpireAccessTokens()
	a := postToken(t, s, nil, refreshForm(s, tok["refresh_token"].(string)))
	if a.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", a.status, a.body)
	}
	if a := getAuthorization(t, s, decodeObject(t, a.body)["access_token"].(string), "t"); a.status != http.StatusOK {
		t.Errorf("refreshed token: %d %s", a.status, a.body)
	}
}
