package auth_test

import (
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

func TestAuthorizationUserAgent(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		want string
	}{
		{"default", "", auth.DefaultUserAgent()},
		{"configured", "MyScript (me@example.com)", "MyScript (me@example.com)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{config: func(c *auth.Config) { c.UserAgent = tt.ua }})
			ts := h.client.TokenSource(pasteLogin(t, h), nil)
			// The fake answers 400 without a User-Agent: success means it saw one.
			if _, err := h.client.Authorization(t.Context(), ts); err != nil {
				t.Fatalf("Authorization: %v", err)
			}
			sent := h.sent.to("/authorization.json")
			if len(sent) != 1 {
				t.Fatalf("%d requests to authorization.json", len(sent))
			}
			ua := sent[0].header.Get("User-Agent")
			if ua != tt.want {
				t.Errorf("User-Agent %q, want %q", ua, tt.want)
			}
			if tt.ua == "" && (!strings.HasPrefix(ua, "bcauth/") || !strings.Contains(ua, "(")) {
				t.Errorf("default User-Agent %q does not name the app and a contact", ua)
			}
			if got := sent[0].header.Get("Authorization"); !strings.HasPrefix(got, "Bearer ") {
				t.Errorf("Authorization header %q", got)
			}
		})
	}
}

// TestTokenRequestsCarryUserAgent: x/oauth2 builds the exchange and
// refresh requests itself, without a User-Agent; the client's transport
// names bcauth on them too.
func TestTokenRequestsCarryUserAgent(t *testing.T) {
	const ua = "MyScript (me@example.com)"
	h := newHarness(t, setup{config: func(c *auth.Config) { c.UserAgent = ua }})
	tok := pasteLogin(t, h)
	if _, err := h.client.Refresh(t.Context(), tok.RefreshToken); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	sent := h.sent.to("/authorization/token")
	if len(sent) != 2 {
		t.Fatalf("%d token requests, want the exchange and the refresh", len(sent))
	}
	for i, r := range sent {
		if got := r.header.Get("User-Agent"); got != ua {
			t.Errorf("token request %d: User-Agent %q, want %q", i, got, ua)
		}
	}
}

func TestAuthorizationAccounts(t *testing.T) {
	tests := []struct {
		name     string
		accounts []launchpadtest.Account
		want     []auth.Account
	}{
		{"empty", []launchpadtest.Account{}, []auth.Account{}},
		{"none", nil, []auth.Account{}},
		// Hrefs as Launchpad sends them, only decoded: nothing here dials them.
		{"unknown product, no app_href, extra fields", []launchpadtest.Account{
			{Product: "ta-da", ID: 7, Name: "Lists", Href: "https://tadalist.example/7", Extra: map[string]any{"hidden": true, "expired": false, "featured": []int{1}}},
			{Product: "basecamp", ID: 8, Name: "Classic", Href: "https://x.basecamphq.com"},
			{Product: "bc3", ID: 9, Name: "Evil\x1b[2J", Href: "https://3.basecampapi.com/9", AppHref: "https://3.basecamp.com/9"},
		}, []auth.Account{
			{Product: "ta-da", ID: 7, Name: "Lists", Href: "https://tadalist.example/7"},
			{Product: "basecamp", ID: 8, Name: "Classic", Href: "https://x.basecamphq.com"},
			{Product: "bc3", ID: 9, Name: "Evil\x1b[2J", Href: "https://3.basecampapi.com/9", AppHref: "https://3.basecamp.com/9"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			ts := h.client.TokenSource(pasteLogin(t, h), nil)
			h.fake.SetAccounts(tt.accounts)
			a, err := h.client.Authorization(t.Context(), ts)
			if err != nil {
				t.Fatalf("Authorization: %v", err)
			}
			if a.Accounts == nil {
				t.Fatal("accounts is nil, want an empty slice")
			}
			if len(a.Accounts) != len(tt.want) {
				t.Fatalf("accounts %+v, want %+v", a.Accounts, tt.want)
			}
			for i := range tt.want {
				if a.Accounts[i] != tt.want[i] {
					t.Errorf("account %d = %+v, want %+v", i, a.Accounts[i], tt.want[i])
				}
			}
		})
	}
}

func TestAuthorizationErrors(t *testing.T) {
	const js = "application/json; charset=utf-8"
	fault := func(f launchpadtest.Fault) func(*harness) {
		return func(h *harness) { h.fake.InjectFault(launchpadtest.EndpointAuthorization, f) }
	}
	tests := []struct {
		name   string
		spoil  func(h *harness)
		status int
		text   string
		kind   auth.Kind
	}{
		{"revoked token", func(h *harness) { h.fake.RevokeAll() },
			401, "OAuth token could not be verified", auth.KindRelogin},
		{"unknown Basecamp ID", fault(launchpadtest.Fault{Status: 401, Body: "Unknown Basecamp ID."}),
			401, "Unknown Basecamp ID.", auth.KindRelogin},
		{"not found", fault(launchpadtest.Fault{Status: 404, Body: `{"status":404,"error":"Not Found"}`, ContentType: js}),
			404, "Not Found", auth.KindOther},
		{"500", fault(launchpadtest.Fault{Status: 500, Body: "Internal Server Error"}),
			500, "Internal Server Error", auth.KindRetry},
		{"502 html", fault(launchpadtest.Fault{Status: 502, Body: "<html><body>Bad gateway</body></html>", ContentType: "text/html"}),
			502, "", auth.KindRetry},
		{"429", fault(launchpadtest.Fault{Status: 429, Body: "Too Many Requests", Header: http.Header{"Retry-After": {"10"}}}),
			429, "Too Many Requests", auth.KindRetry},
		{"not JSON", fault(launchpadtest.Fault{Status: 200, Body: "<html>login</html>", ContentType: "text/html"}),
			200, "login", auth.KindUnexpected},
		{"no identity", fault(launchpadtest.Fault{Status: 200, Body: `{"accounts":[]}`, ContentType: js}),
			200, `{"accounts":[]}`, auth.KindUnexpected},
		{"unreachable", func(h *harness) {
			h.sent.mu.Lock()
			defer h.sent.mu.Unlock()
			h.sent.gate = func(r *http.Request) error {
				if r.URL.Path == "/authorization.json" {
					return syscall.ECONNREFUSED
				}
				return nil
			}
		}, 0, "", auth.KindRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			ts := h.client.TokenSource(pasteLogin(t, h), nil)
			tt.spoil(h)
			a, err := h.client.Authorization(t.Context(), ts)
			if a != nil {
				t.Fatalf("got an authorization: %+v", a)
			}
			le := asLaunchpad(t, err)
			if le.Op != auth.OpAuthorization || le.Status != tt.status || le.Text != tt.text || le.Kind != tt.kind {
				t.Errorf("got %v (op %q status %d text %q kind %d), want %d %q %d", err, le.Op, le.Status, le.Text, le.Kind, tt.status, tt.text, tt.kind)
			}
			if auth.Temporary(err) != (tt.kind == auth.KindRetry) || auth.NeedsLogin(err) != (tt.kind == auth.KindRelogin) {
				t.Errorf("Temporary %v NeedsLogin %v", auth.Temporary(err), auth.NeedsLogin(err))
			}
			if n := len(h.fake.TokenRequests()); n != 1 {
				t.Errorf("%d token requests, want only the exchange: no refresh for a non-expiry error", n)
			}
		})
	}
}

// TestAuthorizationBodyLimit has Launchpad answer with more than MaxBodyBytes,
// declared up front or streamed: both are refused.
func TestAuthorizationBodyLimit(t *testing.T) {
	prefix := `{"identity":{"id":1,"email_address":"a@example.com"},"accounts":[],"pad":"`
	huge := prefix + strings.Repeat("x", auth.MaxBodyBytes) + `"}`
	fits := prefix + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name     string
		body     string
		declared bool
		ok       bool
	}{
		{"declared length", huge, true, false},
		{"streamed", huge, false, false},
		{"a large body under the limit", fits, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			ts := h.client.TokenSource(pasteLogin(t, h), nil)
			f := launchpadtest.Fault{Status: 200, Body: tt.body, ContentType: "application/json", Times: 1}
			if tt.declared {
				f.Header = http.Header{"Content-Length": {strconv.Itoa(len(tt.body))}}
			}
			h.fake.InjectFault(launchpadtest.EndpointAuthorization, f)
			a, err := h.client.Authorization(t.Context(), ts)
			if tt.ok {
				if err != nil || a.Identity.ID != 1 {
					t.Fatalf("Authorization: %v", err)
				}
				return
			}
			if a != nil {
				t.Fatal("a body over the limit was accepted")
			}
			le := asLaunchpad(t, err)
			if !strings.Contains(le.Text, "limit") {
				t.Errorf("error %v does not name the limit", err)
			}
			if tt.declared && !strings.Contains(le.Text, strconv.Itoa(len(tt.body))) {
				t.Errorf("error %v was not refused on its declared length", err)
			}
		})
	}
}

func TestSplitKeyReadsKey(t *testing.T) {
	for _, a := range []auth.Account{{Product: "bc3", ID: 99999999}, {Product: "odd:code", ID: -7}, {Product: "", ID: 0}} {
		if p, id, ok := auth.SplitKey(a.Key()); !ok || p != a.Product || id != a.ID {
			t.Errorf("auth.SplitKey(%q) = %q, %d, %v", a.Key(), p, id, ok)
		}
	}
	for _, k := range []string{"", "bc3", "bc3:", "bc3:07", "bc3:+7", "bc3:x", "bc3:1 "} {
		if p, id, ok := auth.SplitKey(k); ok {
			t.Errorf("auth.SplitKey(%q) = %q, %d: Key never writes that", k, p, id)
		}
	}
}
