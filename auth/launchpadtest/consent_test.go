package launchpadtest

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestConsentPage(t *testing.T) {
	s := start(t, Options{
		AppName:  `<b>Evil & "App"</b>`,
		Identity: &Identity{ID: 1, FirstName: "Jason", LastName: "Fried", EmailAddress: "jason@example.com"},
	})
	a := get(t, authURL(s, url.Values{"state": {`"><script>x</script>`}}))
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", a.status, a.body)
	}
	if got := a.header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := a.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	for _, want := range []string{
		"&lt;b&gt;Evil &amp; &#34;App&#34;&lt;/b&gt;</strong> wants to access your Basecamp ID",
		"Jason Fried", "jason@example.com",
		`<form method="post" action="/authorization/new">`,
		`<input type="hidden" name="client_id" value="demo-client-id">`,
		`<input type="hidden" name="redirect_uri" value="http://127.0.0.1:8976/callback">`,
		`<input type="hidden" name="state" value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;">`,
		`id="allow" name="decision" value="allow"`,
		`id="deny" name="decision" value="deny"`,
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("page lacks %s\n%s", want, a.body)
		}
	}
	for _, bad := range []string{"<script>", "<b>Evil", "http-equiv", "src=", "<link"} {
		if strings.Contains(a.body, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
}

func TestApproveAndDeny(t *testing.T) {
	tests := []struct {
		name     string
		redirect string
		state    []string // nil: no state parameter at all
		deny     bool
	}{
		{name: "allow", state: []string{"abc123"}},
		{name: "allow awkward state", state: []string{"a b&c=d/é+%20#frag"}},
		{name: "allow empty state", state: []string{""}},
		{name: "allow no state"},
		{name: "allow redirect with query", redirect: "http://127.0.0.1:8976/callback?app=1", state: []string{"s"}},
		{name: "deny", state: []string{"abc123"}, deny: true},
		{name: "deny awkward state", state: []string{"ü&=?/"}, deny: true},
		{name: "deny no state", deny: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{RedirectURI: tt.redirect})
			registered, _ := url.Parse(s.Options().RedirectURI)
			decide := s.Approve
			if tt.deny {
				decide = s.Deny
			}
			loc, err := decide(t.Context(), authURL(s, url.Values{"state": tt.state}))
			if err != nil {
				t.Fatal(err)
			}
			if loc.Scheme != registered.Scheme || loc.Host != registered.Host || loc.Path != registered.Path {
				t.Errorf("redirected to %s, not to %s", loc, registered)
			}
			q := loc.Query()
			for k, v := range registered.Query() {
				if q.Get(k) != v[0] {
					t.Errorf("registered query %s=%s lost: %s", k, v[0], loc)
				}
			}
			state, hasState := q["state"]
			if hasState != (tt.state != nil) {
				t.Errorf("state present %v, want %v: %s", hasState, tt.state != nil, loc)
			}
			if tt.state != nil && (len(state) != 1 || state[0] != tt.state[0]) {
				t.Errorf("state %q, want %q", state, tt.state[0])
			}
			if tt.deny {
				if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Has("code") {
					t.Errorf("deny redirect %s", loc)
				}
			} else if q.Get("code") == "" || q.Has("error") {
				t.Errorf("allow redirect %s", loc)
			}
			if got := s.Requests(EndpointConsent); got != 2 {
				t.Errorf("Requests(EndpointConsent) = %d, want 2", got)
			}
		})
	}
}

func TestConsentRefusesWithoutRedirect(t *testing.T) {
	tests := []struct {
		name   string
		params url.Values
		want   string
	}{
		{"redirect trailing slash", url.Values{"redirect_uri": {"http://127.0.0.1:8976/callback/"}}, "redirect_uri is not approved"},
		{"redirect localhost", url.Values{"redirect_uri": {"http://localhost:8976/callback"}}, "redirect_uri is not approved"},
		{"redirect other port", url.Values{"redirect_uri": {"http://127.0.0.1:8977/callback"}}, "redirect_uri is not approved"},
		{"redirect case", url.Values{"redirect_uri": {"http://127.0.0.1:8976/Callback"}}, "redirect_uri is not approved"},
		{"redirect missing", url.Values{"redirect_uri": nil}, "redirect_uri is not approved"},
		{"unknown client", url.Values{"client_id": {"nope"}}, "not registered"},
		{"missing client", url.Values{"client_id": nil}, "not registered"},
		{"no type", url.Values{"type": nil, "response_type": nil}, "Unsupported authorization type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{AutoApprove: true})
			a := get(t, authURL(s, tt.params))
			if a.status != http.StatusBadRequest || a.header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q: want 400 and no redirect", a.status, a.header.Get("Location"))
			}
			if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(a.body, tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, a.body)
			}
			_, err := s.Approve(t.Context(), authURL(s, tt.params))
			var ce *ConsentError
			if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !strings.Contains(ce.Text, tt.want) {
				t.Errorf("Approve error %v, want a 400 ConsentError saying %q", err, tt.want)
			}
		})
	}
}

func TestConsentPostRechecksClient(t *testing.T) {
	s := start(t, Options{})
	o := s.Options()
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"forged redirect", url.Values{"client_id": {o.ClientID}, "redirect_uri": {"http://evil.example/cb"}, "decision": {"allow"}}, "redirect_uri is not approved"},
		{"forged client", url.Values{"client_id": {"x"}, "redirect_uri": {o.RedirectURI}, "decision": {"allow"}}, "not registered"},
		{"no decision", url.Values{"client_id": {o.ClientID}, "redirect_uri": {o.RedirectURI}}, "Choose Allow or Deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/authorization/new", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			a := do(t, req)
			if a.status != http.StatusBadRequest || a.header.Get("Location") != "" || !strings.Contains(a.body, tt.want) {
				t.Errorf("got %d Location=%q, want 400 page saying %q:\n%s", a.status, a.header.Get("Location"), tt.want, a.body)
			}
		})
	}
}

func TestAutoApprove(t *testing.T) {
	s := start(t, Options{AutoApprove: true})
	a := get(t, authURL(s, url.Values{"state": {"st&te"}}))
	if a.status != http.StatusFound {
		t.Fatalf("status %d, want 302", a.status)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("code") == "" || loc.Query().Get("state") != "st&te" {
		t.Errorf("Location %s", loc)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", a.header.Get("Cache-Control"))
	}
	if _, err := s.Approve(t.Context(), authURL(s, nil)); err != nil {
		t.Errorf("Approve: %v", err)
	}
	if _, err := s.Deny(t.Context(), authURL(s, nil)); err == nil {
		t.Error("Deny with AutoApprove succeeded")
	}
}
