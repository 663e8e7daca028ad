package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

func TestFullLogin(t *testing.T) {
	clk := newClock()
	h := newHarness(t, setup{fake: launchpadtest.Options{Now: clk.Now}})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
	tok, err := ln.Wait(t.Context())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	b := <-browser
	if b.err != nil {
		t.Fatalf("browser: %v", b.err)
	}
	checkPage(t, b.page)
	if b.page.status != http.StatusOK {
		t.Errorf("success page status %d, want 200: %s", b.page.status, b.page.body)
	}
	if b.page.code != l.Code || l.Code == "" {
		t.Errorf("page shows code %q, terminal shows %q", b.page.code, l.Code)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Errorf("token lacks access or refresh token: %+v", tok)
	}
	if tok.TokenType != "Bearer" {
		t.Errorf("token_type %q, want Bearer (Launchpad leaves it out)", tok.TokenType)
	}
	if tok.Expiry.IsZero() {
		t.Error("token has no expiry though Launchpad sent expires_in")
	}
	if !portFree(h.addr) {
		t.Errorf("%s still taken after the login ended", h.addr)
	}

	a, err := h.client.Authorization(t.Context(), h.client.TokenSource(tok, nil))
	if err != nil {
		t.Fatalf("Authorization: %v", err)
	}
	id := h.fake.Identity()
	if a.Identity != (auth.Identity{ID: id.ID, FirstName: id.FirstName, LastName: id.LastName, EmailAddress: id.EmailAddress}) {
		t.Errorf("identity %+v, want %+v", a.Identity, id)
	}
	if want := clk.Now().Add(launchpadtest.DefaultAccessTTL); !a.ExpiresAt.Equal(want) {
		t.Errorf("expires_at %v, want %v", a.ExpiresAt, want)
	}
	fakeAccounts := h.fake.Accounts()
	if len(a.Accounts) != len(fakeAccounts) {
		t.Fatalf("%d accounts, want %d", len(a.Accounts), len(fakeAccounts))
	}
	var unknown, noApp int
	for i, f := range fakeAccounts {
		want := auth.Account{Product: f.Product, ID: f.ID, Name: f.Name, Href: f.Href, AppHref: f.AppHref}
		if a.Accounts[i] != want {
			t.Errorf("account %d = %+v, want %+v", i, a.Accounts[i], want)
		}
		if !auth.LookupProduct(f.Product).Known() {
			unknown++
		}
		if f.AppHref == "" {
			noApp++
			if a.Accounts[i].WebURL() != f.Href {
				t.Errorf("account %d without app_href: WebURL %q, want href %q", i, a.Accounts[i].WebURL(), f.Href)
			}
		}
	}
	if unknown == 0 || noApp == 0 {
		t.Errorf("the demo data should hold an unknown product (%d) and accounts without app_href (%d)", unknown, noApp)
	}
}

func TestAuthorizationURL(t *testing.T) {
	h := newHarness(t, setup{})
	l, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != h.fake.URL+"/authorization/new" {
		t.Errorf("authorization endpoint %q", got)
	}
	q := u.Query()
	want := map[string]string{
		"type":          "web_server",
		"response_type": "code",
		"client_id":     h.fake.Options().ClientID,
		"redirect_uri":  h.redirect,
		"state":         l.State,
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(l.State)
	if err != nil || len(raw)*8 < 128 {
		t.Errorf("state %q carries %d bits (%v), want at least 128", l.State, len(raw)*8, err)
	}
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`).MatchString(l.Code) || l.Code != auth.VerificationCode(l.State) {
		t.Errorf("verification code %q", l.Code)
	}
	other, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	if other.State == l.State || other.Code == l.Code {
		t.Error("two logins share a state or code")
	}
}

func TestTokenRequestParameters(t *testing.T) {
	h := newHarness(t, setup{})
	tok := h.login(t)
	if _, err := h.client.Refresh(t.Context(), tok.RefreshToken); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	opts := h.fake.Options()
	log := h.fake.TokenRequestLog()
	if len(log) != 2 {
		t.Fatalf("%d token requests, want 2 (exchange, refresh)", len(log))
	}
	tests := []struct {
		name  string
		req   launchpadtest.TokenRequest
		body  map[string]string
		query map[string]string
	}{
		{"exchange", log[0], map[string]string{
			"type": "web_server", "grant_type": "authorization_code",
			"client_id": opts.ClientID, "client_secret": opts.ClientSecret,
			"redirect_uri": h.redirect,
		}, nil},
		{"refresh", log[1], map[string]string{
			"grant_type": "refresh_token", "refresh_token": tok.RefreshToken,
			"client_id": opts.ClientID, "client_secret": opts.ClientSecret,
		}, map[string]string{"type": "refresh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.BasicAuth {
				t.Error("credentials sent with Basic auth; Launchpad reads them from the body")
			}
			for k, v := range tt.body {
				if got := tt.req.Body.Get(k); got != v {
					t.Errorf("body %s = %q, want %q", k, got, v)
				}
			}
			if len(tt.query) != len(tt.req.Query) {
				t.Errorf("query %v, want %v", tt.req.Query, tt.query)
			}
			for k, v := range tt.query {
				if got := tt.req.Query.Get(k); got != v {
					t.Errorf("query %s = %q, want %q", k, got, v)
				}
			}
		})
	}
	if log[0].Body.Get("code") == "" {
		t.Error("the exchange sent no code")
	}
}

func TestDenied(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc, err := h.fake.Deny(t.Context(), l.URL)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("error") != "access_denied" {
		t.Fatalf("fake redirected to %s", loc)
	}
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc.String())
	_, err = ln.Wait(t.Context())
	var de *auth.DeniedError
	if !errors.As(err, &de) || de.Code != "access_denied" {
		t.Fatalf("Wait: %v (%T), want *auth.DeniedError access_denied", err, err)
	}
	b := <-browser
	if b.err != nil {
		t.Fatal(b.err)
	}
	checkPage(t, b.page)
	if b.page.status != http.StatusForbidden || !strings.Contains(b.page.message, "denied") {
		t.Errorf("page %d %q, want 403 saying denied", b.page.status, b.page.message)
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests after a denial", n)
	}
	if !portFree(h.addr) {
		t.Errorf("%s still taken after the login ended", h.addr)
	}
}

func TestExchangeErrors(t *testing.T) {
	const js = "application/json; charset=utf-8"
	tests := []struct {
		name   string
		fault  launchpadtest.Fault
		status int
		text   string
		kind   auth.Kind
	}{
		{"plain text", launchpadtest.Fault{Status: 400, Body: "Something went wrong on our side"},
			400, "Something went wrong on our side", auth.KindOther},
		{"json error", launchpadtest.Fault{Status: 400, Body: `{"error":"authorization_expired"}`, ContentType: js},
			400, "authorization_expired", auth.KindOther},
		{"json error with description", launchpadtest.Fault{Status: 400, Body: `{"error":"invalid_request","error_description":"code is malformed"}`, ContentType: js},
			400, "invalid_request: code is malformed", auth.KindOther},
		{"status and error", launchpadtest.Fault{Status: 404, Body: `{"status":404,"error":"Not Found"}`, ContentType: js},
			404, "Not Found", auth.KindOther},
		{"500", launchpadtest.Fault{Status: 500, Body: "Internal Server Error"},
			500, "Internal Server Error", auth.KindRetry},
		{"503 html", launchpadtest.Fault{Status: 503, Body: "<!DOCTYPE html><html><body>Down for maintenance</body></html>", ContentType: "text/html"},
			503, "", auth.KindRetry},
		{"429", launchpadtest.Fault{Status: 429, Body: "Slow down", Header: http.Header{"Retry-After": {"10"}}},
			429, "Slow down", auth.KindRetry},
		{"missing client_id", launchpadtest.Fault{Status: 400, Body: "Missing client_id"},
			400, "Missing client_id", auth.KindConfig},
		{"invalid_client", launchpadtest.Fault{Status: 401, Body: `{"error":"invalid_client"}`, ContentType: js},
			401, "invalid_client", auth.KindConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			l, err := h.client.NewLogin()
			if err != nil {
				t.Fatal(err)
			}
			loc := h.approve(t, l)
			f := tt.fault
			f.Times = 1
			h.fake.InjectFault(launchpadtest.EndpointToken, f)
			tok, err := l.Paste(t.Context(), loc)
			if tok != nil {
				t.Fatalf("got a token despite the fault")
			}
			le := asLaunchpad(t, err)
			if le.Op != auth.OpExchange || le.Status != tt.status || le.Text != tt.text || le.Kind != tt.kind {
				t.Errorf("got op %q status %d text %q kind %d, want %d %q %d", le.Op, le.Status, le.Text, le.Kind, tt.status, tt.text, tt.kind)
			}
			if tt.text != "" && !strings.Contains(err.Error(), tt.text) {
				t.Errorf("message %q lacks the server's text %q", err, tt.text)
			}
			if auth.Temporary(err) != (tt.kind == auth.KindRetry) {
				t.Errorf("Temporary = %v", auth.Temporary(err))
			}
			if auth.NeedsLogin(err) {
				t.Error("a failed exchange says the stored login is dead")
			}
			// The fault was used up and the code is still good: a retry works.
			if _, err := l.Paste(t.Context(), loc); err != nil {
				t.Errorf("retry after the fault: %v", err)
			}
		})
	}
}

func TestExchangeErrorsFromTheFake(t *testing.T) {
	tests := []struct {
		name      string
		badSecret bool
		// spoil runs between approval and the exchange.
		spoil func(t *testing.T, l *auth.Login, loc string, clk *fixedClock)
		text  string
		kind  auth.Kind
	}{
		{name: "wrong secret", badSecret: true, text: "invalid_client", kind: auth.KindConfig},
		{name: "code reused", spoil: func(t *testing.T, l *auth.Login, loc string, _ *fixedClock) {
			if _, err := l.Paste(t.Context(), loc); err != nil {
				t.Fatalf("first exchange: %v", err)
			}
		}, text: "code expired", kind: auth.KindOther},
		{name: "code expired", spoil: func(_ *testing.T, _ *auth.Login, _ string, clk *fixedClock) {
			clk.Advance(launchpadtest.DefaultCodeTTL)
		}, text: "code expired", kind: auth.KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := setup{fake: launchpadtest.Options{Now: clk.Now}}
			if tt.badSecret {
				s.config = func(c *auth.Config) { c.ClientSecret = "guess" }
			}
			h := newHarness(t, s)
			l, err := h.client.NewLogin()
			if err != nil {
				t.Fatal(err)
			}
			loc := h.approve(t, l)
			if tt.spoil != nil {
				tt.spoil(t, l, loc, clk)
			}
			_, err = l.Paste(t.Context(), loc)
			le := asLaunchpad(t, err)
			if le.Text != tt.text || le.Kind != tt.kind || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %v (text %q, kind %d), want text %q kind %d", err, le.Text, le.Kind, tt.text, tt.kind)
			}
			if auth.NeedsLogin(err) || auth.Temporary(err) {
				t.Errorf("NeedsLogin %v, Temporary %v: neither fits a failed exchange", auth.NeedsLogin(err), auth.Temporary(err))
			}
		})
	}
}

func TestPaste(t *testing.T) {
	tests := []struct {
		name  string
		input func(loc *url.URL) string
	}{
		{"full address", func(loc *url.URL) string { return loc.String() }},
		{"full address with spaces", func(loc *url.URL) string { return "  " + loc.String() + "\n" }},
		{"query", func(loc *url.URL) string { return loc.RawQuery }},
		{"query with question mark", func(loc *url.URL) string { return "?" + loc.RawQuery }},
		{"path and query", func(loc *url.URL) string { return loc.RequestURI() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			l, err := h.client.NewLogin()
			if err != nil {
				t.Fatal(err)
			}
			loc, err := h.fake.Approve(t.Context(), l.URL)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := l.Paste(t.Context(), tt.input(loc))
			if err != nil {
				t.Fatalf("Paste: %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
				t.Errorf("token %+v", tok)
			}
		})
	}
}

func TestPasteRefusals(t *testing.T) {
	h := newHarness(t, setup{})
	l, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := h.fake.Approve(t.Context(), l.URL)
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(q url.Values)) string {
		u := *loc
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	tests := []struct {
		name  string
		input string
		check func(error) bool
	}{
		{"wrong state", with(func(q url.Values) { q.Set("state", "forged") }), func(err error) bool { return errors.Is(err, auth.ErrStateMismatch) }},
		{"no state", with(func(q url.Values) { q.Del("state") }), func(err error) bool { return errors.Is(err, auth.ErrStateMismatch) }},
		{"wrong state query", "code=x&state=forged", func(err error) bool { return errors.Is(err, auth.ErrStateMismatch) }},
		{"forged denial", "error=access_denied&state=forged", func(err error) bool { return errors.Is(err, auth.ErrStateMismatch) }},
		{"nothing", "   ", func(err error) bool { return err != nil }},
		{"no code", with(func(q url.Values) { q.Del("code") }), func(err error) bool { return err != nil && !errors.Is(err, auth.ErrStateMismatch) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tok, err := l.Paste(t.Context(), tt.input); tok != nil || !tt.check(err) {
				t.Errorf("Paste(%q) = %v, %v", tt.input, tok, err)
			}
		})
	}
	// What the person pasted may hold a code and a state: a refusal never
	// repeats it.
	code := loc.Query().Get("code")
	for _, input := range []string{
		"http://127.0.0.1:89x6/callback?code=" + code + "&state=" + url.QueryEscape(l.State),
		"http://127.0.0.1:8976/callback?code=" + code + "&state=" + url.QueryEscape(l.State) + "\x7f",
		"code=" + code + "%zz&state=" + url.QueryEscape(l.State),
	} {
		tok, err := l.Paste(t.Context(), input)
		if tok != nil || !errors.Is(err, auth.ErrNotAnAddress) {
			t.Errorf("Paste(%q) = %v, %v; want auth.ErrNotAnAddress", input, tok, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, code) || strings.Contains(msg, l.State) || strings.Contains(msg, "127.0.0.1") {
			t.Errorf("refusal %q repeats the pasted text", msg)
		}
	}
	// Short or odd text with no address in it is a slip, not a code: it is
	// refused here rather than sent to Launchpad, whose refusal would end
	// the login.
	for _, input := range []string{"c", "q", "abc", "1234567", "hello world", "abcd/efgh", "code!1234", "código-12345", "abcd\tefgh"} {
		tok, err := l.Paste(t.Context(), input)
		if tok != nil || !errors.Is(err, auth.ErrNotACode) {
			t.Errorf("Paste(%q) = %v, %v; want auth.ErrNotACode", input, tok, err)
			continue
		}
		want := "paste the whole address the browser ended on (it starts with " + h.redirect + "…)"
		if msg := err.Error(); !strings.Contains(msg, want) {
			t.Errorf("Paste(%q) says %q, want it to say %q", input, msg, want)
		}
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("refused pastes reached the token endpoint %d times", n)
	}
	// The login is still open: the right address completes it.
	if tok, err := l.Paste(t.Context(), loc.String()); err != nil || tok.AccessToken == "" {
		t.Fatalf("correct paste after refusals: %v", err)
	}

	// A bare code carries no state, so nothing ties it to this login:
	// anyone can get a code of their own and ask a person to paste it. It
	// is refused with its own explanation, never traded, and the login
	// stays open for the whole address.
	t.Run("a bare code is refused", func(t *testing.T) {
		l, err := h.client.NewLogin()
		if err != nil {
			t.Fatal(err)
		}
		loc, err := h.fake.Approve(t.Context(), l.URL)
		if err != nil {
			t.Fatal(err)
		}
		before := h.fake.Requests(launchpadtest.EndpointToken)
		for _, input := range []string{loc.Query().Get("code"), "abcd1234", "A1b2-C3d4_e5.f6~"} {
			tok, err := l.Paste(t.Context(), input)
			if tok != nil || !errors.Is(err, auth.ErrBareCode) {
				t.Errorf("Paste(%q) = %v, %v; want auth.ErrBareCode", input, tok, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "whole address") || !strings.Contains(msg, h.redirect) {
				t.Errorf("Paste(%q) says %q, want it to ask for the whole address starting %s", input, msg, h.redirect)
			}
		}
		if n := h.fake.Requests(launchpadtest.EndpointToken) - before; n != 0 {
			t.Errorf("bare codes reached the token endpoint %d times", n)
		}
		if tok, err := l.Paste(t.Context(), loc.String()); err != nil || tok.AccessToken == "" {
			t.Fatalf("the whole address after a bare code: %v", err)
		}
	})

	t.Run("denial with the right state", func(t *testing.T) {
		l, err := h.client.NewLogin()
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Paste(t.Context(), h.redirect+"?error=access_denied&error_description=Nope&state="+url.QueryEscape(l.State))
		var de *auth.DeniedError
		if !errors.As(err, &de) || de.Description != "Nope" {
			t.Errorf("Paste: %v, want *auth.DeniedError with the description", err)
		}
	})
}

func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	c, err := auth.New(auth.Config{
		ClientID: "id", ClientSecret: "secret",
		RedirectURI:  "http://" + addr + "/callback",
		LaunchpadURL: "http://127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err == nil {
		ln.Close()
		t.Fatal("Listen on a taken port succeeded")
	}
	var pe *auth.PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want *auth.PortInUseError", err, err)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v does not wrap EADDRINUSE", err)
	}
	for _, want := range []string{port, auth.SettingRedirectURI} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %s", err, want)
		}
	}
}

// TestWaitEnds covers the ways a login ends without a callback: its deadline
// or its cancellation. Either way the port is free again and the listener's
// goroutines are gone.
func TestWaitEnds(t *testing.T) {
	tests := []struct {
		name  string
		ctx   func(parent context.Context) (context.Context, context.CancelFunc)
		check func(t *testing.T, err error)
	}{
		{"deadline", func(p context.Context) (context.Context, context.CancelFunc) {
			return context.WithDeadline(p, time.Now().Add(-time.Second))
		}, func(t *testing.T, err error) {
			var te *auth.TimeoutError
			if !errors.As(err, &te) || !errors.Is(err, auth.ErrTimeout) {
				t.Fatalf("Wait: %v (%T), want *auth.TimeoutError", err, err)
			}
			if !strings.Contains(err.Error(), auth.SettingRedirectURI) || !strings.Contains(err.Error(), "redirect_uri is not approved") {
				t.Errorf("timeout message %q does not say what probably happened", err)
			}
		}},
		{"short deadline", func(p context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(p, 20*time.Millisecond)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, auth.ErrTimeout) {
				t.Fatalf("Wait: %v, want ErrTimeout", err)
			}
		}},
		{"cancel", func(p context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(p)
			cancel()
			return ctx, cancel
		}, func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) || errors.Is(err, auth.ErrTimeout) {
				t.Fatalf("Wait: %v, want context.Canceled", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			before := runtime.NumGoroutine()
			l, ln := h.start(t)
			// A stray request first, so the server has had a connection.
			if p, err := browse(t.Context(), http.MethodGet, "http://"+h.addr+"/favicon.ico"); err != nil || p.status != http.StatusNotFound {
				t.Fatalf("favicon: %v %+v", err, p)
			}
			ctx, cancel := tt.ctx(t.Context())
			defer cancel()
			_, err := ln.Wait(ctx)
			tt.check(t, err)
			if !portFree(h.addr) {
				t.Errorf("%s still taken after Wait returned", h.addr)
			}
			checkGoroutines(t, before)
			// The same login can listen again on the same port.
			again, err := l.Listen()
			if err != nil {
				t.Fatalf("Listen again: %v", err)
			}
			again.Close()
		})
	}
}

// TestCancelWhileExchanging cancels a login whose browser is held while the
// code is being traded: Wait returns the cancellation, the browser is told,
// and nothing is left behind.
func TestCancelWhileExchanging(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	// Counted after Approve, whose browser keeps a connection to the fake.
	before := runtime.NumGoroutine() - 1 // the listener's, which must go
	h.fake.InjectFault(launchpadtest.EndpointToken, launchpadtest.Fault{Delay: time.Minute, Times: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := goWait(ctx, ln)
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
	launchpadtest.Eventually(t, "the code exchange to start", func() bool { return h.fake.Requests(launchpadtest.EndpointToken) == 1 })
	cancel()
	w := <-done
	if !errors.Is(w.err, context.Canceled) {
		t.Errorf("Wait: %v, want context.Canceled", w.err)
	}
	b := <-browser
	if b.err != nil {
		t.Fatal(b.err)
	}
	if b.page.status == http.StatusOK {
		t.Errorf("browser told success after a cancelled exchange: %s", b.page.body)
	}
	if !portFree(h.addr) {
		t.Errorf("%s still taken", h.addr)
	}
	h.fake.ClearFaults()
	h.client.Config().HTTPClient.CloseIdleConnections()
	checkGoroutines(t, before)
}

// checkGoroutines waits until no more goroutines run than before, and dumps
// them if that never happens.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	launchpadtest.Eventually(t, fmt.Sprintf("no more goroutines than the %d before", before), func() bool { return runtime.NumGoroutine() <= before })
}
