package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
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

	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
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
	first := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
	<-started

	second, err := h.browser.browse(t.Context(), http.MethodGet, loc)
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
			browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
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

// ipv6 skips the test on a machine without an IPv6 loopback.
func ipv6(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
}

// TestListenLocalhostBindsBothLoopbacks: for a localhost redirect URI, in
// any case, a browser may connect to 127.0.0.1 or to [::1]. Both are bound,
// so no other program can take [::1]:PORT and receive the code, and a
// callback through either ends the login.
func TestListenLocalhostBindsBothLoopbacks(t *testing.T) {
	ipv6(t)
	for _, host := range []string{"localhost", "LOCALHOST", "LocalHost"} {
		t.Run(host, func(t *testing.T) {
			h := newHarness(t, setup{host: host})
			_, port, _ := net.SplitHostPort(h.addr)
			v4, v6 := h.addr, net.JoinHostPort("::1", port)
			l, ln := h.start(t)
			if ln.Addr() != v4 {
				t.Errorf("Addr() = %q, want %q", ln.Addr(), v4)
			}
			for _, addr := range []string{v4, v6} {
				if portFree(addr) {
					t.Errorf("%s is free while the login waits: another program could take it", addr)
				}
			}
			u, err := url.Parse(h.approve(t, l))
			if err != nil {
				t.Fatal(err)
			}
			// As a browser that tries ::1 first: it still names localhost.
			v6browser := &browser{jar: h.browser.jar, via: v6}
			done := goWait(t.Context(), ln)
			if b := <-v6browser.goBrowse(t.Context(), http.MethodGet, u.String()); b.err != nil || b.page.status != http.StatusOK {
				t.Fatalf("browser through [::1]: %v %+v", b.err, b.page)
			}
			if w := <-done; w.err != nil || w.tok.AccessToken == "" {
				t.Fatalf("Wait: %v", w.err)
			}
			for _, addr := range []string{v4, v6} {
				if !portFree(addr) {
					t.Errorf("%s still taken after Wait returned", addr)
				}
			}
		})
	}
}

// TestListenLocalhostRefusesTakenIPv6: another program on [::1]:PORT would
// receive every browser that tries ::1 first, so that is a port in use too,
// and the IPv4 half is let go.
func TestListenLocalhostRefusesTakenIPv6(t *testing.T) {
	ipv6(t)
	h := newHarness(t, setup{host: "localhost"})
	_, port, _ := net.SplitHostPort(h.addr)
	v6 := net.JoinHostPort("::1", port)
	taken, err := net.Listen("tcp", v6)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	l, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err == nil {
		ln.Close()
		t.Fatal("Listen succeeded though another program holds " + v6)
	}
	var pe *auth.PortInUseError
	if !errors.As(err, &pe) || pe.Addr != v6 || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Listen = %v, want a *auth.PortInUseError for %s", err, v6)
	}
	if !portFree(h.addr) {
		t.Errorf("%s still taken after the failed Listen", h.addr)
	}
}

// TestAbortedCallbackLeavesLoginOpen: a browser request with the right state
// that is dropped before Wait takes it must not end the login: the next
// valid callback completes it.
func TestAbortedCallbackLeavesLoginOpen(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // the browser gave up, and nobody waits yet
	rec := httptest.NewRecorder()
	ln.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, loc, nil).WithContext(ctx))

	done := goWait(t.Context(), ln)
	if b := <-h.browser.goBrowse(t.Context(), http.MethodGet, loc); b.err != nil || b.page.status != http.StatusOK {
		t.Fatalf("callback after an aborted one: %v %+v", b.err, b.page)
	}
	if w := <-done; w.err != nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
}

// loginContext is a login's context whose deadline passes when the test
// says, not when a clock does.
type loginContext struct {
	context.Context
	deadline time.Time
	done     chan struct{}
}

func (c *loginContext) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *loginContext) Done() <-chan struct{}       { return c.done }
func (c *loginContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// TestExchangeOutlivesLoginDeadline: a callback that comes a second before
// the login's deadline still gets its own time to trade the code, and the
// deadline passing during the trade does not cut it short.
func TestExchangeOutlivesLoginDeadline(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	ctx := &loginContext{Context: context.Background(), deadline: time.Now().Add(time.Second), done: make(chan struct{})}
	started, proceed := make(chan struct{}), make(chan struct{})
	h.sent.mu.Lock()
	h.sent.gate = func(req *http.Request) error {
		if req.URL.Path != "/authorization/token" {
			return nil
		}
		close(started)
		<-proceed
		if err := req.Context().Err(); err != nil {
			return err
		}
		if d, ok := req.Context().Deadline(); ok && !d.After(ctx.deadline) {
			return fmt.Errorf("the exchange was given only what was left of the login's time (until %v)", d)
		}
		return nil
	}
	h.sent.mu.Unlock()
	done := goWait(ctx, ln)
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
	<-started
	close(ctx.done) // the login's deadline passes while the code is traded
	close(proceed)
	w := <-done
	if w.err != nil || w.tok == nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
	if b := <-browser; b.err != nil || b.page.status != http.StatusOK {
		t.Errorf("browser: %v %+v", b.err, b.page)
	}
}
