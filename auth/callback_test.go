package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestStrayRequestsDoNotEndTheLogin sends what another local process or a
// stale browser tab might: none of it may end the login, and the real
// callback still completes it afterwards.
func TestStrayRequestsDoNotEndTheLogin(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	base := "http://" + h.addr
	code := mustQuery(t, loc).Get("code")
	state := url.QueryEscape(l.State)
	tests := []struct {
		name   string
		method string
		target string
		status int
	}{
		{"wrong state", "GET", base + "/callback?code=" + code + "&state=forged", 400},
		{"missing state", "GET", base + "/callback?code=" + code, 400},
		{"empty state", "GET", base + "/callback?code=" + code + "&state=", 400},
		{"denial with wrong state", "GET", base + "/callback?error=access_denied&state=forged", 400},
		{"denial without state", "GET", base + "/callback?error=access_denied", 400},
		{"state prefix", "GET", base + "/callback?code=" + code + "&state=" + state[:len(state)-1], 400},
		{"right state, no code", "GET", base + "/callback?state=" + state, 400},
		{"favicon", "GET", base + "/favicon.ico", 404},
		{"root", "GET", base + "/", 404},
		{"path below", "GET", base + "/callback/x?code=" + code + "&state=" + state, 404},
		{"other path", "GET", base + "/authorize?code=" + code + "&state=" + state, 404},
		{"post", "POST", loc, 405},
		{"put", "PUT", loc, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := browse(t.Context(), tt.method, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, p)
			if p.status != tt.status {
				t.Errorf("status %d, want %d: %s", p.status, tt.status, p.body)
			}
			if p.code != "" {
				t.Errorf("a stray request was shown the verification code %q", p.code)
			}
			if tt.status == 400 && !strings.Contains(p.message, "goes on") {
				t.Errorf("400 page %q does not say the login goes on", p.message)
			}
		})
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Fatalf("stray requests reached the token endpoint %d times", n)
	}

	browser := goBrowse(t.Context(), http.MethodGet, loc)
	tok, err := ln.Wait(t.Context())
	if err != nil {
		t.Fatalf("Wait after stray requests: %v", err)
	}
	if tok.AccessToken == "" {
		t.Error("no access token")
	}
	b := <-browser
	if b.err != nil || b.page.status != http.StatusOK || b.page.code != l.Code {
		t.Errorf("real callback: %v %+v", b.err, b.page)
	}
}

// TestSecondCallbackConflicts delivers the valid callback twice while the
// first is still being traded: the first browser is held, the second is told
// the login has finished, and the first then reports success.
func TestSecondCallbackConflicts(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	started, release := h.sent.hold("/authorization/token")
	defer release()
	done := goWait(t.Context(), ln)
	first := goBrowse(t.Context(), http.MethodGet, loc)
	<-started

	second, err := browse(t.Context(), http.MethodGet, loc)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, second)
	if second.status != http.StatusConflict || second.code != "" {
		t.Errorf("second callback: %d code %q, want 409 without the code: %s", second.status, second.code, second.body)
	}
	select {
	case b := <-first:
		t.Fatalf("the first browser was answered before the code was traded: %+v", b)
	case w := <-done:
		t.Fatalf("Wait returned before the code was traded: %v", w.err)
	default:
	}

	release()
	w := <-done
	if w.err != nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
	b := <-first
	if b.err != nil || b.page.status != http.StatusOK || b.page.code != l.Code {
		t.Errorf("first callback: %v %+v", b.err, b.page)
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestBrowserHeldUntilExchanged delays the token endpoint: the browser's page
// waits for the exchange and reports how it went.
func TestBrowserHeldUntilExchanged(t *testing.T) {
	tests := []struct {
		name     string
		fault    launchpadtest.Fault
		status   int
		ok       bool
		contains string
	}{
		{"slow success", launchpadtest.Fault{Delay: 100 * time.Millisecond, Times: 1}, http.StatusOK, true, "connected"},
		{"slow refusal", launchpadtest.Fault{Delay: 100 * time.Millisecond, Status: 400, Body: "code expired", Times: 1}, http.StatusBadGateway, false, "code expired"},
		{"slow json refusal", launchpadtest.Fault{Delay: 100 * time.Millisecond, Status: 400, Body: `{"error":"authorization_expired"}`, ContentType: "application/json", Times: 1}, http.StatusBadGateway, false, "authorization_expired"},
		{"server error", launchpadtest.Fault{Status: 502, Body: "Bad Gateway", Times: 1}, http.StatusBadGateway, false, "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			l, ln := h.start(t)
			loc := h.approve(t, l)
			h.fake.InjectFault(launchpadtest.EndpointToken, tt.fault)
			browser := goBrowse(t.Context(), http.MethodGet, loc)
			tok, err := ln.Wait(t.Context())
			b := <-browser
			if b.err != nil {
				t.Fatal(b.err)
			}
			checkPage(t, b.page)
			if got := h.fake.Requests(launchpadtest.EndpointToken); got != 1 {
				t.Errorf("%d token requests, want 1", got)
			}
			if b.page.status != tt.status || b.page.code != l.Code {
				t.Errorf("page %d code %q, want %d %q: %s", b.page.status, b.page.code, tt.status, l.Code, b.page.body)
			}
			if !strings.Contains(b.page.body, tt.contains) {
				t.Errorf("page does not say %q: %s", tt.contains, b.page.body)
			}
			if tt.ok {
				if err != nil || tok == nil {
					t.Errorf("Wait: %v", err)
				}
				return
			}
			le := asLaunchpad(t, err)
			if !strings.Contains(le.Text, tt.contains) {
				t.Errorf("Wait: %v, want the server's text %q", err, tt.contains)
			}
			if !strings.Contains(b.page.message, le.Text) {
				t.Errorf("page message %q lacks the error text %q", b.page.message, le.Text)
			}
			if le.Op != auth.OpExchange {
				t.Errorf("op %q", le.Op)
			}
		})
	}
}
