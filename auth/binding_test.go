package auth_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// TestStartAddress: the browser is given a loopback address without the
// state, which sends it on to Launchpad with a cookie that only the
// callback path gets back.
func TestStartAddress(t *testing.T) {
	h := newHarness(t, setup{})
	l, _ := h.listen(t)
	start, err := url.Parse(l.Start)
	if err != nil {
		t.Fatal(err)
	}
	if start.Scheme != "http" || start.Host != h.addr || !strings.HasPrefix(start.Path, "/start/") || len(start.Path) < len("/start/")+43 {
		t.Errorf("start address %s, want http://%s/start/ and a 256-bit nonce", l.Start, h.addr)
	}
	if strings.Contains(l.Start, l.State) || start.RawQuery != "" {
		t.Errorf("start address %s carries the state or a query", l.Start)
	}
	other, err := h.client.NewLogin()
	if err != nil {
		t.Fatal(err)
	}
	if other.Start == l.Start {
		t.Error("two logins share a start address")
	}

	p, err := h.browser.browse(t.Context(), http.MethodGet, l.Start)
	if err != nil {
		t.Fatal(err)
	}
	if p.status != http.StatusFound || p.header.Get("Location") != l.URL {
		t.Fatalf("start answered %d to %q, want 302 to %s", p.status, p.header.Get("Location"), l.URL)
	}
	cookies := (&http.Response{Header: p.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("start set %d cookies, want 1: %v", len(cookies), p.header["Set-Cookie"])
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/callback" || c.Domain != "" || c.MaxAge <= 0 || c.MaxAge > 3600 || len(c.Value) < 43 {
		t.Errorf("binding cookie %s, want HttpOnly, SameSite=Lax, Path=/callback, host-only, Max-Age ≤ 1h, 256 bits", c)
	}
	if strings.Contains(c.Value, l.State) {
		t.Error("the cookie holds the state")
	}
	if rp := p.header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer", rp)
	}

	for _, target := range []string{"http://" + h.addr + "/start/", "http://" + h.addr + "/start/" + strings.Repeat("A", 43), l.Start + "x"} {
		p, err := browse(t.Context(), http.MethodGet, target)
		if err != nil {
			t.Fatal(err)
		}
		if p.status != http.StatusNotFound {
			t.Errorf("%s answered %d, want 404", target, p.status)
		}
	}
}

// TestCallbackWithoutBinding plays a process of the same user that learned
// the state some other way: with the state but not the cookie, neither a
// code nor a denial ends the login, and the person's browser then does.
func TestCallbackWithoutBinding(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	state := url.QueryEscape(l.State)
	// The attacker's own approval: a real code, for this client, with the
	// stolen state.
	theirs := h.approve(t, l)
	denial := h.redirect + "?error=access_denied&state=" + state
	done := goWait(t.Context(), ln)

	forger := newBrowser(t)
	u, _ := url.Parse(h.redirect)
	forger.jar.SetCookies(u, []*http.Cookie{{Name: "bcauth_login", Value: "guessed", Path: "/callback"}})
	for _, who := range []struct {
		name string
		b    *browser
	}{{"no cookie", &browser{}}, {"wrong cookie", forger}} {
		for _, target := range []string{theirs, denial} {
			p, err := who.b.browse(t.Context(), http.MethodGet, target)
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, p)
			if p.status != http.StatusForbidden || !strings.Contains(p.message, "goes on") || p.code != "" {
				t.Errorf("%s, %s: %d %q, want 403 saying the login goes on, without the code", who.name, target, p.status, p.message)
			}
		}
	}
	h.goesOn(t, done, "a callback without the binding")

	ours := h.approve(t, l)
	b := <-h.browser.goBrowse(t.Context(), http.MethodGet, ours)
	if b.err != nil || b.page.status != http.StatusOK || b.page.code != l.Code {
		t.Fatalf("the person's browser: %v %+v", b.err, b.page)
	}
	if w := <-done; w.err != nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
	if got := exchangedCodes(h.fake); len(got) != 1 || got[0] != mustQuery(t, ours).Get("code") {
		t.Errorf("codes traded %v, want only the person's", got)
	}
	// The cookie is spent: the browser is told to forget it.
	if sc := b.page.header.Get("Set-Cookie"); !strings.Contains(sc, "bcauth_login=") || !strings.Contains(sc, "Max-Age=0") {
		t.Errorf("Set-Cookie %q, want the binding cookie cleared", sc)
	}
}

// goesOn checks that what was sent so far neither ended the login nor
// reached the token endpoint.
func (h *harness) goesOn(t *testing.T, done <-chan waited, what string) {
	t.Helper()
	select {
	case w := <-done:
		t.Fatalf("%s ended the login: %v", what, w.err)
	default:
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Fatalf("%s reached the token endpoint (%d requests)", what, n)
	}
}

// exchangedCodes are the authorization codes the fake was asked to trade.
func exchangedCodes(fake *launchpadtest.Server) []string {
	var out []string
	for _, r := range fake.TokenRequestLog() {
		if c := r.Merged().Get("code"); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// TestStartOpenedTwice: two openings of the start address before any
// callback mean two programs had it; the login ends with a plain
// explanation and nobody is logged in.
func TestStartOpenedTwice(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.listen(t)
	// A bound, so a listener that misses the second opening fails the
	// test with a timeout rather than hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := goWait(ctx, ln)
	first := newBrowser(t) // whoever got there first
	if p, err := first.browse(t.Context(), http.MethodGet, l.Start); err != nil || p.status != http.StatusFound {
		t.Fatalf("first opening: %v %+v", err, p)
	}
	p, err := h.browser.browse(t.Context(), http.MethodGet, l.Start)
	if err != nil {
		t.Fatal(err)
	}
	checkPage(t, p)
	if p.status != http.StatusConflict || !strings.Contains(p.message, "Another program opened this link") || p.header.Get("Location") != "" || p.header.Get("Set-Cookie") != "" {
		t.Errorf("second opening: %d %q, want 409 saying another program opened it, no redirect, no cookie", p.status, p.message)
	}
	w := <-done
	if w.tok != nil || !errors.Is(w.err, auth.ErrStartReused) {
		t.Fatalf("Wait: %v, %v; want auth.ErrStartReused", w.tok, w.err)
	}
	if msg := w.err.Error(); !strings.Contains(msg, "opened by another program before your browser") || !strings.Contains(msg, "start again") {
		t.Errorf("explanation %q", msg)
	}
	if n := h.fake.Requests(launchpadtest.EndpointToken); n != 0 {
		t.Errorf("%d token requests, want none", n)
	}
}

// TestStartReopenedAfterCallback: once the person's browser has called
// back, a later opening is told the login is over and changes nothing.
func TestStartReopenedAfterCallback(t *testing.T) {
	h := newHarness(t, setup{})
	l, ln := h.start(t)
	loc := h.approve(t, l)
	started, release := h.sent.hold("/authorization/token")
	defer release()
	done := goWait(t.Context(), ln)
	browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
	<-started
	p, err := browse(t.Context(), http.MethodGet, l.Start)
	if err != nil {
		t.Fatal(err)
	}
	if p.status != http.StatusConflict || !strings.Contains(p.title, "already finished") {
		t.Errorf("late opening: %d %q", p.status, p.title)
	}
	release()
	if w := <-done; w.err != nil || w.tok.AccessToken == "" {
		t.Fatalf("Wait: %v", w.err)
	}
	if b := <-browser; b.err != nil || b.page.status != http.StatusOK {
		t.Fatalf("browser: %v %+v", b.err, b.page)
	}
}

// TestHostHeader: a page that reaches the port under another name (DNS
// rebinding, another port's name) is answered 421 and changes nothing.
func TestHostHeader(t *testing.T) {
	for _, tt := range []struct {
		name, host  string
		ok, refused []string
	}{
		{"127.0.0.1", "", nil, []string{"evil.example", "localhost", "127.0.0.2", "[::1]"}},
		{"localhost", "localhost", []string{"LOCALHOST"}, []string{"127.0.0.1", "evil.example", "localhost.evil.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.host == "localhost" {
				ipv6(t)
			}
			h := newHarness(t, setup{host: tt.host})
			l, ln := h.listen(t)
			_, port, _ := net.SplitHostPort(h.addr)
			start, _ := url.Parse(l.Start)
			done := goWait(t.Context(), ln)
			for _, name := range tt.refused {
				for _, path := range []string{start.Path, "/callback?error=access_denied&state=" + url.QueryEscape(l.State)} {
					p, err := (&browser{via: h.addr}).browse(t.Context(), http.MethodGet, "http://"+net.JoinHostPort(strings.Trim(name, "[]"), port)+path)
					if err != nil {
						t.Fatal(err)
					}
					if p.status != http.StatusMisdirectedRequest || p.header.Get("Set-Cookie") != "" {
						t.Errorf("Host %s, %s: %d, want 421 and no cookie", name, path, p.status)
					}
				}
				p, err := (&browser{via: h.addr}).browse(t.Context(), http.MethodGet, "http://"+net.JoinHostPort(strings.Trim(name, "[]"), "80")+start.Path)
				if err != nil || p.status != http.StatusMisdirectedRequest {
					t.Errorf("Host %s:80: %v %+v, want 421", name, err, p)
				}
			}
			select {
			case w := <-done:
				t.Fatalf("a misdirected request ended the login: %v", w.err)
			default:
			}
			// The start address is still fresh for the person's browser,
			// under any spelling of the redirect URI's host.
			if tt.ok == nil {
				h.open(t, l)
				return
			}
			p, err := (&browser{via: h.addr}).browse(t.Context(), http.MethodGet, "http://"+net.JoinHostPort(tt.ok[0], port)+start.Path)
			if err != nil || p.status != http.StatusFound {
				t.Errorf("Host %s: %v %+v, want 302", tt.ok[0], err, p)
			}
		})
	}
}
