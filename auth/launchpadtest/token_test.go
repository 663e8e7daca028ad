package launchpadtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokenExchangeStylesAndPlaces(t *testing.T) {
	styles := map[string]url.Values{
		"legacy":   {"type": {"web_server"}},
		"standard": {"grant_type": {"authorization_code"}},
		"both":     {"type": {"web_server"}, "grant_type": {"authorization_code"}},
	}
	places := []string{"body", "query", "mixed"}
	for name, style := range styles {
		for _, place := range places {
			t.Run(name+"/"+place, func(t *testing.T) {
				s := start(t, Options{})
				params := codeForm(s, code(t, s))
				delete(params, "grant_type")
				for k, v := range style {
					params[k] = v
				}
				var query, body url.Values
				switch place {
				case "body":
					body = params
				case "query":
					query = params
				case "mixed":
					query, body = url.Values{}, url.Values{}
					for k, v := range params {
						if k == "client_secret" || k == "code" {
							body[k] = v
						} else {
							query[k] = v
						}
					}
				}
				a := postToken(t, s, query, body)
				if a.status != http.StatusOK {
					t.Fatalf("status %d: %s", a.status, a.body)
				}
				if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				m := decodeObject(t, a.body)
				keys := slices.Sorted(func(yield func(string) bool) {
					for k := range m {
						if !yield(k) {
							return
						}
					}
				})
				if !slices.Equal(keys, []string{"access_token", "expires_in", "refresh_token"}) {
					t.Errorf("keys %v, want exactly access_token, expires_in, refresh_token (no token_type)", keys)
				}
				if m["expires_in"] != float64(1209600) {
					t.Errorf("expires_in %v", m["expires_in"])
				}
				for _, k := range []string{"access_token", "refresh_token"} {
					if tok, _ := m[k].(string); !strings.HasPrefix(tok, "BAhb") || len(tok) < 40 {
						t.Errorf("%s %q is not an opaque BAhb token", k, tok)
					}
				}
				if m["access_token"] == m["refresh_token"] {
					t.Error("access and refresh tokens are the same")
				}
				reqs := s.TokenRequests()
				if len(reqs) != 1 || reqs[0].Get("code") != params.Get("code") || reqs[0].Get("client_secret") != params.Get("client_secret") {
					t.Errorf("TokenRequests() = %v", reqs)
				}
				log := s.TokenRequestLog()
				if len(log) != 1 || (place == "body") != (len(log[0].Query) == 0) || (place == "query") != (len(log[0].Body) == 0) {
					t.Errorf("TokenRequestLog() = %+v", log)
				}
			})
		}
	}
}

func TestTokenErrors(t *testing.T) {
	const (
		text = "text/plain; charset=utf-8"
		js   = "application/json; charset=utf-8"
	)
	tests := []struct {
		name      string
		edit      func(s *Server, p url.Values)
		basicAuth bool
		status    int
		ctype     string
		body      string
	}{
		{name: "missing client_id", edit: func(_ *Server, p url.Values) { p.Del("client_id") },
			status: 400, ctype: text, body: "Missing client_id"},
		{name: "basic auth only", edit: func(_ *Server, p url.Values) { p.Del("client_id"); p.Del("client_secret") }, basicAuth: true,
			status: 400, ctype: text, body: "Missing client_id"},
		{name: "wrong secret", edit: func(_ *Server, p url.Values) { p.Set("client_secret", "guess") },
			status: 401, ctype: js, body: `{"error":"invalid_client"}`},
		{name: "missing secret", edit: func(_ *Server, p url.Values) { p.Del("client_secret") },
			status: 401, ctype: js, body: `{"error":"invalid_client"}`},
		{name: "unknown client", edit: func(_ *Server, p url.Values) { p.Set("client_id", "other") },
			status: 401, ctype: js, body: `{"error":"invalid_client"}`},
		{name: "unknown code", edit: func(_ *Server, p url.Values) { p.Set("code", "deadbeef") },
			status: 400, ctype: text, body: "code expired"},
		{name: "missing code", edit: func(_ *Server, p url.Values) { p.Del("code") },
			status: 400, ctype: text, body: "code expired"},
		{name: "redirect mismatch", edit: func(_ *Server, p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:8976/callback/") },
			status: 400, ctype: js, body: `{"error":"redirect_uri does not match"}`},
		{name: "redirect missing", edit: func(_ *Server, p url.Values) { p.Del("redirect_uri") },
			status: 400, ctype: js, body: `{"error":"redirect_uri does not match"}`},
		{name: "unknown refresh token", edit: func(_ *Server, p url.Values) {
			p.Set("grant_type", "refresh_token")
			p.Set("refresh_token", "BAhbnope")
		},
			status: 400, ctype: js, body: `{"error":"authorization_expired"}`},
		{name: "legacy refresh without token", edit: func(_ *Server, p url.Values) { p.Del("grant_type"); p.Set("type", "refresh") },
			status: 400, ctype: js, body: `{"error":"authorization_expired"}`},
		{name: "no grant type", edit: func(_ *Server, p url.Values) { p.Del("grant_type") },
			status: 400, ctype: js, body: `{"error":"unsupported_grant_type"}`},
		{name: "conflicting grant types", edit: func(_ *Server, p url.Values) { p.Set("type", "refresh") },
			status: 400, ctype: js, body: `{"error":"unsupported_grant_type"}`},
		{name: "client credentials grant", edit: func(_ *Server, p url.Values) { p.Set("grant_type", "client_credentials") },
			status: 400, ctype: js, body: `{"error":"unsupported_grant_type"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{})
			p := codeForm(s, code(t, s))
			tt.edit(s, p)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/authorization/token", strings.NewReader(p.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basicAuth {
				req.SetBasicAuth(s.Options().ClientID, s.Options().ClientSecret)
			}
			a := do(t, req)
			if a.status != tt.status || a.header.Get("Content-Type") != tt.ctype || a.body != tt.body {
				t.Errorf("got %d %q %q, want %d %q %q", a.status, a.header.Get("Content-Type"), a.body, tt.status, tt.ctype, tt.body)
			}
			if tt.basicAuth && !s.TokenRequestLog()[0].BasicAuth {
				t.Error("TokenRequestLog does not record Basic auth")
			}
		})
	}
}

func TestTokenIgnoresUnencodedBody(t *testing.T) {
	s := start(t, Options{})
	body := codeForm(s, code(t, s)).Encode()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/authorization/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	if a := do(t, req); a.status != 400 || a.body != "Missing client_id" {
		t.Errorf("got %d %q, want 400 Missing client_id", a.status, a.body)
	}
}

func TestCodesAreSingleUse(t *testing.T) {
	s := start(t, Options{})
	p := codeForm(s, code(t, s))
	if a := postToken(t, s, nil, p); a.status != http.StatusOK {
		t.Fatalf("first exchange: %d %s", a.status, a.body)
	}
	if a := postToken(t, s, nil, p); a.status != 400 || a.body != "code expired" {
		t.Errorf("second exchange: %d %q, want 400 code expired", a.status, a.body)
	}
}

func TestRedirectMismatchKeepsCode(t *testing.T) {
	s := start(t, Options{})
	p := codeForm(s, code(t, s))
	good := p.Get("redirect_uri")
	p.Set("redirect_uri", good+"?x")
	if a := postToken(t, s, nil, p); a.status != 400 {
		t.Fatalf("mismatched exchange: %d %s", a.status, a.body)
	}
	p.Set("redirect_uri", good)
	if a := postToken(t, s, nil, p); a.status != http.StatusOK {
		t.Errorf("corrected exchange: %d %s", a.status, a.body)
	}
}

func TestCodeExpiry(t *testing.T) {
	tests := []struct {
		name   string
		wait   time.Duration
		status int
	}{
		{"fresh", 0, 200},
		{"just in time", DefaultCodeTTL - time.Second, 200},
		{"at expiry", DefaultCodeTTL, 400},
		{"late", time.Hour, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := start(t, Options{Now: clk.Now})
			p := codeForm(s, code(t, s))
			clk.Advance(tt.wait)
			a := postToken(t, s, nil, p)
			if a.status != tt.status {
				t.Errorf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.status == 400 && a.body != "code expired" {
				t.Errorf("body %q, want code expired", a.body)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		name  string
		style url.Values
		query bool
	}{
		{"standard body", url.Values{"grant_type": {"refresh_token"}}, false},
		{"legacy body", url.Values{"type": {"refresh"}}, false},
		{"legacy query", url.Values{"type": {"refresh"}}, true},
		{"standard query with redirect_uri", url.Values{"grant_type": {"refresh_token"}, "redirect_uri": {"ignored"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := start(t, Options{Now: clk.Now, AccessTTL: time.Hour})
			tok := login(t, s)
			rt := tok["refresh_token"].(string)
			p := refreshForm(s, rt)
			p.Del("grant_type")
			for k, v := range tt.style {
				p[k] = v
			}
			clk.Advance(2 * time.Hour) // the first access token has expired
			for i := range 2 {         // the refresh token stays valid
				var a answer
				if tt.query {
					a = postToken(t, s, p, nil)
				} else {
					a = postToken(t, s, nil, p)
				}
				if a.status != http.StatusOK {
					t.Fatalf("refresh %d: %d %s", i, a.status, a.body)
				}
				m := decodeObject(t, a.body)
				if len(m) != 2 || m["expires_in"] != float64(3600) || m["access_token"] == nil {
					t.Errorf("refresh %d answered %s, want only access_token and expires_in 3600", i, a.body)
				}
				if a := getAuthorization(t, s, m["access_token"].(string), "test"); a.status != http.StatusOK {
					t.Errorf("new access token: %d %s", a.status, a.body)
				}
			}
			if a := getAuthorization(t, s, tok["access_token"].(string), "test"); a.status != http.StatusUnauthorized {
				t.Errorf("old expired access token: %d %s", a.status, a.body)
			}
		})
	}
}

// TestRotateRefreshTokens: each refresh answers a new refresh token, which
// works, and retires the one spent, which is then refused.
func TestRotateRefreshTokens(t *testing.T) {
	s := start(t, Options{RotateRefreshTokens: true})
	rt := login(t, s)["refresh_token"].(string)
	seen := map[string]bool{rt: true}
	for i := range 3 {
		a := postToken(t, s, nil, refreshForm(s, rt))
		if a.status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, a.status, a.body)
		}
		m := decodeObject(t, a.body)
		next, _ := m["refresh_token"].(string)
		if next == "" || seen[next] {
			t.Fatalf("refresh %d answered refresh_token %q, want a new one: %s", i, next, a.body)
		}
		if a := getAuthorization(t, s, m["access_token"].(string), "test"); a.status != http.StatusOK {
			t.Errorf("refresh %d: new access token: %d %s", i, a.status, a.body)
		}
		if a := postToken(t, s, nil, refreshForm(s, rt)); a.status != 400 || a.body != `{"error":"authorization_expired"}` {
			t.Errorf("refresh %d: spent refresh token got %d %s, want 400 authorization_expired", i, a.status, a.body)
		}
		seen[next] = true
		rt = next
	}
}

func TestRefreshTokenExpiry(t *testing.T) {
	clk := newClock()
	s := start(t, Options{Now: clk.Now, RefreshTTL: 24 * time.Hour})
	rt := login(t, s)["refresh_token"].(string)
	clk.Advance(24 * time.Hour)
	if a := postToken(t, s, nil, refreshForm(s, rt)); a.status != 400 || a.body != `{"error":"authorization_expired"}` {
		t.Errorf("got %d %s, want 400 authorization_expired", a.status, a.body)
	}
}

func TestRevokeAll(t *testing.T) {
	s := start(t, Options{})
	old := login(t, s)
	pending := codeForm(s, code(t, s))
	s.RevokeAll()
	tests := []struct {
		name   string
		got    func() answer
		status int
		body   string
	}{
		{"refresh", func() answer { return postToken(t, s, nil, refreshForm(s, old["refresh_token"].(string))) },
			400, "This Basecamp ID rekeyed its deadbolt."},
		{"refresh in query", func() answer { return postToken(t, s, refreshForm(s, old["refresh_token"].(string)), nil) },
			400, "This Basecamp ID rekeyed its deadbolt."},
		{"unknown refresh", func() answer { return postToken(t, s, nil, refreshForm(s, "BAhbother")) },
			400, `{"error":"authorization_expired"}`},
		{"pending code", func() answer { return postToken(t, s, nil, pending) },
			400, "code expired"},
		{"access token", func() answer { return getAuthorization(t, s, old["access_token"].(string), "test") },
			401, `{"error":"OAuth token could not be verified"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := tt.got(); a.status != tt.status || a.body != tt.body {
				t.Errorf("got %d %q, want %d %q", a.status, a.body, tt.status, tt.body)
			}
		})
	}
	t.Run("log in again", func(t *testing.T) {
		tok := login(t, s)
		if a := getAuthorization(t, s, tok["access_token"].(string), "test"); a.status != http.StatusOK {
			t.Errorf("new login: %d %s", a.status, a.body)
		}
		if a := postToken(t, s, nil, refreshForm(s, tok["refresh_token"].(string))); a.status != http.StatusOK {
			t.Errorf("new refresh: %d %s", a.status, a.body)
		}
	})
}

func TestTokenMethod(t *testing.T) {
	s := start(t, Options{})
	if a := get(t, s.URL+"/authorization/token"); a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d", a.status)
	}
}
