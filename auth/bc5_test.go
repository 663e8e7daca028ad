package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"

	"golang.org/x/oauth2"
)

// issuer is a BC5 server made of httptest handlers: each endpoint answers
// with the function a test sets for it, given how many requests came
// before, and every form it received is kept.
type issuer struct {
	srv *httptest.Server

	mu      sync.Mutex
	answers map[string]func(n int, w http.ResponseWriter, r *http.Request)
	forms   map[string][]url.Values
	headers map[string][]http.Header
}

// The issuer's endpoints, by path.
const (
	tokenPath  = "/oauth/token"
	devicePath = "/oauth/device"
	revokePath = "/oauth/revoke"
	whoPath    = "/authorization.json"
)

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{answers: map[string]func(int, http.ResponseWriter, *http.Request){},
		forms: map[string][]url.Values{}, headers: map[string][]http.Header{}}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		is.mu.Lock()
		n := len(is.forms[r.URL.Path])
		is.forms[r.URL.Path] = append(is.forms[r.URL.Path], r.PostForm)
		is.headers[r.URL.Path] = append(is.headers[r.URL.Path], r.Header.Clone())
		h := is.answers[r.URL.Path]
		is.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(n, w, r)
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) answer(path string, h func(n int, w http.ResponseWriter, r *http.Request)) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.answers[path] = h
}

// always answers every request to path with status and body.
func (is *issuer) always(path string, status int, body string) {
	is.answer(path, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) })
}

func (is *issuer) sent(path string) []url.Values {
	is.mu.Lock()
	defer is.mu.Unlock()
	return append([]url.Values(nil), is.forms[path]...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// server is the auth.Server the issuer is, found through a resource at
// its own (loopback) origin.
func (is *issuer) server() auth.Server {
	u := is.srv.URL
	return auth.Server{
		Kind:                        auth.ServerBC5,
		Issuer:                      u,
		TokenEndpoint:               u + tokenPath,
		DeviceAuthorizationEndpoint: u + devicePath,
		RevocationEndpoint:          u + revokePath,
		AuthorizationURL:            u + whoPath,
		Resource:                    u,
	}
}

const bc5ClientID = "bc5-client"

func (is *issuer) client(t *testing.T, opts ...auth.Option) *auth.Client {
	t.Helper()
	c, err := auth.New(auth.Config{
		ClientID:     bc5ClientID,
		ClientSecret: "launchpad-secret-never-sent",
		Server:       is.server(),
		HTTPClient:   &http.Client{Timeout: 10 * time.Second},
	}, opts...)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return c
}

// wantForm checks a form holds exactly want.
func wantForm(t *testing.T, got url.Values, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("form %v, want exactly %v", got, want)
	}
	for k, v := range want {
		if got.Get(k) != v || len(got[k]) != 1 {
			t.Errorf("form %s = %q, want %q (form %v)", k, got[k], v, got)
		}
	}
}

func TestNewBC5NeedsOnlyAClientID(t *testing.T) {
	is := newIssuer(t)
	c, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: is.server(), RedirectURI: "not a redirect uri"})
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	if got := c.Server(); got != is.server() {
		t.Fatalf("Server() = %+v, want %+v", got, is.server())
	}
	if c.Config().ClientSecret != "" || c.Config().ClientSecretFunc != nil {
		t.Fatal("a BC5 client keeps Launchpad's secret")
	}
	if !c.LoopbackLaunchpad() {
		t.Fatal("a BC5 client found through a loopback resource is not loopback")
	}

	_, err = auth.New(auth.Config{Server: is.server()})
	if !errors.Is(err, auth.ErrBC5NotConfigured) || !strings.Contains(err.Error(), auth.SettingBC5ClientID) {
		t.Fatalf("no client id: %v, want ErrBC5NotConfigured naming %s", err, auth.SettingBC5ClientID)
	}
	var se *auth.SettingError
	if _, err = auth.New(auth.Config{Server: is.server(), ClientID: "bad id"}); !errors.As(err, &se) || se.Setting != auth.SettingBC5ClientID {
		t.Fatalf("a client id with a space: %v, want a *SettingError naming %s", err, auth.SettingBC5ClientID)
	}
	for name, edit := range map[string]func(*auth.Server){
		"no issuer":                   func(s *auth.Server) { s.Issuer = "" },
		"issuer with a path":          func(s *auth.Server) { s.Issuer += "/x" },
		"no token endpoint":           func(s *auth.Server) { s.TokenEndpoint = "" },
		"token endpoint not https":    func(s *auth.Server) { s.TokenEndpoint = "http://bc5.example/token" },
		"revocation with user info":   func(s *auth.Server) { s.RevocationEndpoint = "https://u@bc5.example/r" },
		"a resource that is no URL":   func(s *auth.Server) { s.Resource = "api" },
		"a kind bcauth does not know": func(s *auth.Server) { s.Kind = "bc6" },
	} {
		srv := is.server()
		edit(&srv)
		if _, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: srv}); !errors.As(err, &se) {
			t.Errorf("%s: %v, want a *SettingError", name, err)
		}
	}
}

func TestBC5AndLaunchpadStepsStayApart(t *testing.T) {
	is := newIssuer(t)
	c := is.client(t)
	if _, err := c.NewLogin(); !errors.Is(err, auth.ErrNotForBC5) {
		t.Fatalf("NewLogin on BC5: %v", err)
	}
	if _, err := c.Exchange(context.Background(), "code"); !errors.Is(err, auth.ErrNotForBC5) {
		t.Fatalf("Exchange on BC5: %v", err)
	}

	lp := newHarness(t, setup{})
	if _, err := lp.client.StartDevice(context.Background(), auth.ScopeRead); !errors.Is(err, auth.ErrNotBC5) {
		t.Fatalf("StartDevice on Launchpad: %v", err)
	}
	if _, err := lp.client.PollDevice(context.Background(), &auth.DeviceCode{}); !errors.Is(err, auth.ErrNotBC5) {
		t.Fatalf("PollDevice on Launchpad: %v", err)
	}
	if ok, err := lp.client.Revoke(context.Background(), "refresh"); ok || err != nil {
		t.Fatalf("Revoke on Launchpad = %v, %v; want false, nil", ok, err)
	}
	if len(lp.sent.reqs) != 0 {
		t.Fatalf("Launchpad was sent %d requests", len(lp.sent.reqs))
	}
	if lp.client.Server().IsBC5() {
		t.Fatal("a Launchpad client says it is BC5")
	}
}

func TestResourceRoundTrip(t *testing.T) {
	tok := &oauth2.Token{AccessToken: "a", RefreshToken: "r"}
	if auth.Resource(tok) != "" || auth.Resource(nil) != "" {
		t.Fatal("a token without a resource has one")
	}
	bound := auth.WithResource(tok, "urn:bc:account:1")
	if auth.Resource(bound) != "urn:bc:account:1" || bound.AccessToken != "a" || bound.RefreshToken != "r" {
		t.Fatalf("WithResource = %+v (resource %q)", bound, auth.Resource(bound))
	}
	if auth.Resource(tok) != "" {
		t.Fatal("WithResource changed its argument")
	}
	if auth.Resource(auth.WithResource(bound, "")) != "" {
		t.Fatal("WithResource(\"\") kept the resource")
	}
}

func TestRefreshTokenOnBC5(t *testing.T) {
	for _, tc := range []struct {
		name         string
		stored       string // the stored resource
		answer       string
		wantResource string
		wantRefresh  string
	}{
		{"no resource either side", "", `{"access_token":"bc_at_2","refresh_token":"r2","expires_in":3600}`, "", "r2"},
		{"the stored resource kept", "urn:bc:account:1", `{"access_token":"bc_at_2","refresh_token":"r2","expires_in":3600}`, "urn:bc:account:1", "r2"},
		{"a null resource keeps the stored one", "urn:bc:account:1", `{"access_token":"bc_at_2","refresh_token":"r2","resource":null}`, "urn:bc:account:1", "r2"},
		{"the answer's resource replaces it", "urn:bc:account:1", `{"access_token":"bc_at_2","refresh_token":"r2","resource":"urn:bc:account:2"}`, "urn:bc:account:2", "r2"},
		{"no refresh token in the answer", "", `{"access_token":"bc_at_2"}`, "", "r1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t)
			is.always(tokenPath, 200, tc.answer)
			clock := newClock()
			c := is.client(t, auth.WithClock(clock.Now))
			tok, err := c.RefreshToken(context.Background(), auth.WithResource(&oauth2.Token{AccessToken: "bc_at_1", RefreshToken: "r1"}, tc.stored))
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "bc_at_2" || tok.RefreshToken != tc.wantRefresh || tok.TokenType != "Bearer" || auth.Resource(tok) != tc.wantResource {
				t.Fatalf("token %+v, resource %q", tok, auth.Resource(tok))
			}
			if strings.Contains(tc.answer, "expires_in") && !tok.Expiry.Equal(clock.Now().Add(time.Hour)) {
				t.Fatalf("expiry %v, want an hour from the client's clock", tok.Expiry)
			}
			want := map[string]string{"grant_type": "refresh_token", "refresh_token": "r1", "client_id": bc5ClientID}
			if tc.stored != "" {
				want["resource"] = tc.stored
			}
			sent := is.sent(tokenPath)
			if len(sent) != 1 {
				t.Fatalf("%d requests", len(sent))
			}
			wantForm(t, sent[0], want)
		})
	}
}

func TestRefreshOnBC5SendsNoResource(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 200, `{"access_token":"bc_at_2","refresh_token":"r2"}`)
	if _, err := is.client(t).Refresh(context.Background(), "r1"); err != nil {
		t.Fatal(err)
	}
	wantForm(t, is.sent(tokenPath)[0], map[string]string{"grant_type": "refresh_token", "refresh_token": "r1", "client_id": bc5ClientID})
}

func TestRefreshTokenOnBC5Malformed(t *testing.T) {
	for _, answer := range []string{
		`{"access_token":"bc_at_2","resource":""}`,
		`{"access_token":"bc_at_2","resource":5}`,
		`{"access_token":"bc_at_2","resource":["urn:bc:account:1"]}`,
		`{"access_token":"bc_at_2","resource":{}}`,
		`{"access_token":""}`,
		`{"access_token":null}`,
		`{"access_token":7}`,
		`{"refresh_token":"r2"}`,
		`{"access_token":"bc_at_2","expires_in":0}`,
		`{"access_token":"bc_at_2","expires_in":1.5}`,
		`{"access_token":"bc_at_2","expires_in":"3600"}`,
		`{"access_token":"bc_at_2","expires_in":2147484}`,
		`{"access_token":"bc at 2"}`,
		`[]`,
		`<html>a portal</html>`,
		``,
	} {
		is := newIssuer(t)
		is.always(tokenPath, 200, answer)
		_, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
		le := asLaunchpad(t, err)
		if le.Kind != auth.KindUnexpected || auth.NeedsLogin(err) {
			t.Errorf("answer %s: %v (kind %v), want KindUnexpected", answer, err, le.Kind)
		}
		if le.Server != is.srv.URL {
			t.Errorf("answer %s: the error names %q, not the issuer", answer, le.Server)
		}
	}
}

// A 200 whose refresh token cannot be kept (not a string, beyond VSCHAR,
// too long) replaced the one sent all the same: the old one is spent, and
// the answer is a refusal, recorded, so it is never sent again.
func TestRefreshTokenOnBC5ReplacedByOneThatCannotBeKept(t *testing.T) {
	for _, answer := range []string{
		`{"access_token":"bc_at_2","refresh_token":5}`,
		`{"access_token":"bc_at_2","refresh_token":"caf\u00e9"}`,
		`{"access_token":"bc_at_2","refresh_token":"a\u001bb","expires_in":"3600"}`,
		`{"access_token":"bc_at_2","refresh_token":{}}`,
	} {
		is := newIssuer(t)
		is.always(tokenPath, 200, answer)
		_, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
		if !auth.NeedsLogin(err) || !strings.Contains(err.Error(), "spent") {
			t.Errorf("answer %s: %v, want a refusal that says the old one is spent", answer, err)
		}
	}
	// The same refresh token back, or none, spends nothing.
	for _, answer := range []string{`{"access_token":"bc_at_2","refresh_token":"r1","expires_in":0}`, `{"access_token":"bc_at_2","refresh_token":null,"expires_in":0}`} {
		is := newIssuer(t)
		is.always(tokenPath, 200, answer)
		if _, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"}); err == nil || auth.NeedsLogin(err) {
			t.Errorf("answer %s: %v, want an error that is no refusal", answer, err)
		}
	}
}

// A refresh token with a space inside is one (VSCHAR): kept and used.
func TestRefreshTokenOnBC5WithASpace(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 200, `{"access_token":"bc_at_2","refresh_token":"bc rt 2","expires_in":3600}`)
	tok, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
	if err != nil || tok.RefreshToken != "bc rt 2" {
		t.Fatalf("RefreshToken = %v, %v", tok, err)
	}
}

func TestRefreshTokenOnBC5Refused(t *testing.T) {
	for _, tc := range []struct {
		status    int
		body      string
		relogin   bool
		kind      auth.Kind
		temporary bool
	}{
		{400, `{"error":"invalid_grant"}`, true, auth.KindRelogin, false},
		{400, `{"error":"invalid_grant","error_description":"token reuse detected"}`, true, auth.KindRelogin, false},
		{400, `{"error":"invalid_request","error_description":"token reuse detected"}`, true, auth.KindRelogin, false},
		{400, `{"error":"invalid_request","error_description":"resource is required: this refresh token covers several accounts"}`, false, auth.KindOther, false},
		{401, `{"error":"invalid_client"}`, false, auth.KindConfig, false},
		{401, ``, false, auth.KindUnexpected, false},
		{429, `{"error":"slow down"}`, false, auth.KindRetry, true},
		{503, ``, false, auth.KindRetry, true},
	} {
		is := newIssuer(t)
		is.always(tokenPath, tc.status, tc.body)
		_, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
		le := asLaunchpad(t, err)
		if auth.NeedsLogin(err) != tc.relogin || le.Kind != tc.kind || auth.Temporary(err) != tc.temporary {
			t.Errorf("%d %s: %v kind %v, want kind %v", tc.status, tc.body, err, le.Kind, tc.kind)
		}
		if !strings.Contains(err.Error(), is.srv.URL+" answered") {
			t.Errorf("%d %s: %q does not name the issuer", tc.status, tc.body, err)
		}
	}
}

func TestRefreshTokenOnBC5Redacts(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 400, `{"error":"invalid_grant","error_description":"refresh token r1-secret is not known"}`)
	_, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1-secret"})
	if err == nil || strings.Contains(err.Error(), "r1-secret") {
		t.Fatalf("error %v quotes the refresh token", err)
	}
}

func TestRefreshTokenOnBC5NotFollowed(t *testing.T) {
	is := newIssuer(t)
	other := newIssuer(t)
	is.answer(tokenPath, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.srv.URL+tokenPath, http.StatusTemporaryRedirect)
	})
	_, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{RefreshToken: "r1"})
	if le := asLaunchpad(t, err); le.Status != http.StatusTemporaryRedirect || auth.NeedsLogin(err) {
		t.Fatalf("a redirect: %v", err)
	}
	if len(other.sent(tokenPath)) != 0 {
		t.Fatal("the refresh token followed the redirect")
	}
}

func TestRefreshTokenNeedsOne(t *testing.T) {
	is := newIssuer(t)
	if _, err := is.client(t).RefreshToken(context.Background(), &oauth2.Token{AccessToken: "a"}); !errors.Is(err, auth.ErrNoRefreshToken) {
		t.Fatalf("RefreshToken without one: %v", err)
	}
	if len(is.sent(tokenPath)) != 0 {
		t.Fatal("a request was sent")
	}
}

func TestRefreshTokenOnLaunchpad(t *testing.T) {
	h := newHarness(t, setup{})
	tok := h.login(t)
	got, err := h.client.RefreshToken(context.Background(), tok)
	if err != nil || got.AccessToken == "" || got.AccessToken == tok.AccessToken {
		t.Fatalf("RefreshToken on Launchpad = %+v, %v", got, err)
	}
}

func TestBC5ClientNeverSendsTheSecret(t *testing.T) {
	is := newIssuer(t)
	is.always(tokenPath, 200, `{"access_token":"bc_at_2","refresh_token":"r2"}`)
	is.always(revokePath, 200, ``)
	is.always(devicePath, 200, `{"device_code":"dc","user_code":"U","verification_uri":"https://bc5.example/device","expires_in":600}`)
	c := is.client(t)
	ctx := context.Background()
	c.RefreshToken(ctx, &oauth2.Token{RefreshToken: "r1"})
	c.Revoke(ctx, "r2")
	c.StartDevice(ctx, auth.ScopeFull)
	for _, p := range []string{tokenPath, revokePath, devicePath} {
		for _, f := range is.sent(p) {
			if f.Has("client_secret") || strings.Contains(f.Encode(), "launchpad-secret") {
				t.Errorf("%s was sent %v", p, f)
			}
		}
		is.mu.Lock()
		for _, h := range is.headers[p] {
			if h.Get("Authorization") != "" {
				t.Errorf("%s was sent credentials in a header", p)
			}
			if !strings.HasPrefix(h.Get("User-Agent"), "bcauth/") {
				t.Errorf("%s was sent User-Agent %q", p, h.Get("User-Agent"))
			}
		}
		is.mu.Unlock()
	}
}

func TestRevoke(t *testing.T) {
	is := newIssuer(t)
	is.always(revokePath, 200, ``)
	ok, err := is.client(t).Revoke(context.Background(), "r1")
	if !ok || err != nil {
		t.Fatalf("Revoke = %v, %v", ok, err)
	}
	wantForm(t, is.sent(revokePath)[0], map[string]string{"token": "r1", "token_type_hint": "refresh_token", "client_id": bc5ClientID})

	for _, tc := range []struct {
		status int
		body   string
	}{{400, `{"error":"unsupported_token_type"}`}, {503, ``}, {302, ``}} {
		is := newIssuer(t)
		is.always(revokePath, tc.status, tc.body)
		ok, err := is.client(t).Revoke(context.Background(), "r1")
		if ok || err == nil {
			t.Errorf("%d: Revoke = %v, %v; want false and an error", tc.status, ok, err)
		}
	}
}

func TestRevokeSendsNothingWithoutAnEndpoint(t *testing.T) {
	is := newIssuer(t)
	srv := is.server()
	srv.RevocationEndpoint = ""
	c, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: srv})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Revoke(context.Background(), "r1"); ok || err != nil {
		t.Fatalf("Revoke = %v, %v", ok, err)
	}
	if ok, err := is.client(t).Revoke(context.Background(), ""); ok || err != nil {
		t.Fatalf("Revoke of no token = %v, %v", ok, err)
	}
	if len(is.sent(revokePath)) != 0 {
		t.Fatal("a request was sent")
	}
}

const whoAnswer = `{"expires_at":"2026-03-22T17:56:48Z","identity":{"id":7,"first_name":"Ann","last_name":"Lee","email_address":"ann@example.com"},"accounts":[{"product":"bc3","id":1,"name":"A","href":"http://127.0.0.1/1"}]}`

func TestWhoseOnBC5AsksTheIssuer(t *testing.T) {
	is := newIssuer(t)
	is.answer(whoPath, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer bc_at_1" {
			writeJSON(w, 401, `{"error":"invalid_token"}`)
			return
		}
		writeJSON(w, 200, whoAnswer)
	})
	c := is.client(t)
	if c.AuthorizationURL() != is.srv.URL+whoPath {
		t.Fatalf("AuthorizationURL = %q", c.AuthorizationURL())
	}
	a, err := c.Whose(context.Background(), "bc_at_1")
	if err != nil || a.Identity.ID != 7 || len(a.Accounts) != 1 {
		t.Fatalf("Whose = %+v, %v", a, err)
	}
	_, err = c.Whose(context.Background(), "bc_at_other")
	if le := asLaunchpad(t, err); le.Status != 401 || le.Server != is.srv.URL {
		t.Fatalf("a refused token: %v", err)
	}

	// An issuer with a slash: the address has one slash, not two.
	srv := is.server()
	srv.Issuer += "/"
	srv.AuthorizationURL = ""
	c2, err := auth.New(auth.Config{ClientID: bc5ClientID, Server: srv})
	if err != nil || c2.AuthorizationURL() != is.srv.URL+whoPath {
		t.Fatalf("AuthorizationURL with the issuer's slash = %q, %v", c2.AuthorizationURL(), err)
	}

	lp := newHarness(t, setup{})
	if got := lp.client.AuthorizationURL(); got != lp.fake.URL+"/authorization.json" {
		t.Fatalf("Launchpad's AuthorizationURL = %q", got)
	}
}

func TestBC5ErrorAdvice(t *testing.T) {
	for kind, want := range map[auth.Kind]string{
		auth.KindRelogin:    "log in again",
		auth.KindConfig:     auth.SettingBC5ClientID,
		auth.KindUnexpected: auth.SettingResource,
		auth.KindRetry:      "temporary",
	} {
		le := &auth.LaunchpadError{Op: auth.OpRefresh, Kind: kind, Server: "https://bc5.example", Status: 400}
		if !strings.Contains(le.Advice(), want) || strings.Contains(le.Advice(), "launchpad.37signals.com") {
			t.Errorf("kind %v: advice %q, want it to say %q", kind, le.Advice(), want)
		}
		if !strings.Contains(le.Error(), "https://bc5.example answered 400") {
			t.Errorf("kind %v: %q does not name the server", kind, le.Error())
		}
	}
}
