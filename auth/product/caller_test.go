package product_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/product"
)

// backoff is a wait Backoff may pick before retry n from base: between
// half and all of base doubled n-1 times.
type backoff struct {
	base time.Duration
	n    int
}

func (b backoff) holds(d time.Duration) bool {
	full := b.base << (b.n - 1)
	return d >= full/2 && d <= full
}

// waited is what Waiting was told, with For either exact or a backoff.
type waited struct {
	status     int
	exact      time.Duration // when backoff is zero
	backoff    backoff
	retryAfter bool
}

func TestCallerRetries(t *testing.T) {
	const base = time.Second
	retryAfter := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	ok := answer(http.StatusOK, nil, "fine")
	tests := []struct {
		name          string
		method        string
		answers       []http.HandlerFunc
		maxRetries    int
		maxRetryAfter time.Duration
		wantStatus    int
		wantAttempts  int
		wantWaits     []waited
		wantBody      string // the last answer's body, still to read
	}{
		{name: "200 at once", method: "GET", answers: []http.HandlerFunc{ok},
			wantStatus: 200, wantAttempts: 1, wantBody: "fine"},
		{name: "429 with Retry-After, then 200", method: "GET",
			answers:    []http.HandlerFunc{answer(429, retryAfter("2"), "slow down"), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 429, exact: 2 * time.Second, retryAfter: true}}},
		{name: "429 on a POST is retried too: it was not processed", method: "POST",
			answers:    []http.HandlerFunc{answer(429, retryAfter("1"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 429, exact: time.Second, retryAfter: true}}},
		{name: "429 without Retry-After backs off", method: "GET",
			answers:    []http.HandlerFunc{answer(429, nil, ""), answer(429, nil, ""), ok},
			wantStatus: 200, wantAttempts: 3, wantBody: "fine",
			wantWaits: []waited{{status: 429, backoff: backoff{base, 1}}, {status: 429, backoff: backoff{base, 2}}}},
		{name: "429 with an unreadable Retry-After backs off", method: "GET",
			answers:    []http.HandlerFunc{answer(429, retryAfter("soon"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 429, backoff: backoff{base, 1}}}},
		{name: "429 asking exactly the longest wait is waited out", method: "GET", maxRetryAfter: time.Minute,
			answers:    []http.HandlerFunc{answer(429, retryAfter("60"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 429, exact: time.Minute, retryAfter: true}}},
		{name: "429 asking longer than the longest wait is returned", method: "GET", maxRetryAfter: time.Minute,
			answers:    []http.HandlerFunc{answer(429, retryAfter("61"), "come back in a minute"), ok},
			wantStatus: 429, wantAttempts: 1, wantBody: "come back in a minute"},
		{name: "429 asking longer than the default longest wait is returned", method: "GET",
			answers:    []http.HandlerFunc{answer(429, retryAfter("301"), "later"), ok},
			wantStatus: 429, wantAttempts: 1, wantBody: "later"},
		{name: "429 asking the default longest wait is waited out", method: "GET",
			answers:    []http.HandlerFunc{answer(429, retryAfter("300"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 429, exact: 5 * time.Minute, retryAfter: true}}},
		{name: "429 for good is returned after the default retries", method: "GET",
			answers:    []http.HandlerFunc{answer(429, retryAfter("1"), "still")},
			wantStatus: 429, wantAttempts: 4, wantBody: "still",
			wantWaits: []waited{
				{status: 429, exact: time.Second, retryAfter: true},
				{status: 429, exact: time.Second, retryAfter: true},
				{status: 429, exact: time.Second, retryAfter: true}}},
		{name: "429 with two retries allowed", method: "GET", maxRetries: 2,
			answers:    []http.HandlerFunc{answer(429, retryAfter("1"), "still")},
			wantStatus: 429, wantAttempts: 3, wantBody: "still",
			wantWaits: []waited{
				{status: 429, exact: time.Second, retryAfter: true},
				{status: 429, exact: time.Second, retryAfter: true}}},
		{name: "no retries when MaxRetries is negative", method: "GET", maxRetries: -1,
			answers:    []http.HandlerFunc{answer(429, retryAfter("1"), "once"), ok},
			wantStatus: 429, wantAttempts: 1, wantBody: "once"},
		{name: "500 on a GET backs off, then 200", method: "GET",
			answers:    []http.HandlerFunc{answer(500, nil, "oops"), answer(502, nil, "oops"), ok},
			wantStatus: 200, wantAttempts: 3, wantBody: "fine",
			wantWaits: []waited{{status: 500, backoff: backoff{base, 1}}, {status: 502, backoff: backoff{base, 2}}}},
		{name: "503 on a HEAD is retried", method: "HEAD",
			answers:    []http.HandlerFunc{answer(503, nil, ""), ok},
			wantStatus: 200, wantAttempts: 2,
			wantWaits: []waited{{status: 503, backoff: backoff{base, 1}}}},
		{name: "503 with a Retry-After within the bound waits it", method: "GET",
			answers:    []http.HandlerFunc{answer(503, retryAfter("20"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 503, exact: 20 * time.Second, retryAfter: true}}},
		{name: "503 with a Retry-After of exactly the bound waits it", method: "GET", maxRetryAfter: time.Minute,
			answers:    []http.HandlerFunc{answer(503, retryAfter("60"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 503, exact: time.Minute, retryAfter: true}}},
		{name: "503 with a Retry-After beyond the bound backs off instead", method: "GET", maxRetryAfter: time.Minute,
			answers:    []http.HandlerFunc{answer(503, retryAfter("3600"), ""), ok},
			wantStatus: 200, wantAttempts: 2, wantBody: "fine",
			wantWaits: []waited{{status: 503, backoff: backoff{base, 1}}}},
		{name: "500 on a POST is not retried: it may have been done", method: "POST",
			answers:    []http.HandlerFunc{answer(500, nil, "oops"), ok},
			wantStatus: 500, wantAttempts: 1, wantBody: "oops"},
		{name: "500 for good is returned after the retries", method: "GET", maxRetries: 1,
			answers:    []http.HandlerFunc{answer(500, nil, "down")},
			wantStatus: 500, wantAttempts: 2, wantBody: "down",
			wantWaits: []waited{{status: 500, backoff: backoff{base, 1}}}},
		{name: "499 is no server error", method: "GET",
			answers:    []http.HandlerFunc{answer(499, nil, "client closed"), ok},
			wantStatus: 499, wantAttempts: 1, wantBody: "client closed"},
		{name: "401 that is not about expiry is returned as is", method: "GET",
			answers:    []http.HandlerFunc{answer(401, nil, "HTTP Basic: Access denied."), ok},
			wantStatus: 401, wantAttempts: 1, wantBody: "HTTP Basic: Access denied."},
		{name: "404 is returned", method: "GET",
			answers:    []http.HandlerFunc{answer(404, nil, `{"status":404,"error":"Not Found"}`), ok},
			wantStatus: 404, wantAttempts: 1, wantBody: `{"status":404,"error":"Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := newLogin(t)
			a := newAPI(t, tt.answers...)
			tr := newTransport()
			clk := newClock()
			cfg := config(clk)
			cfg.HTTPClient = &http.Client{Transport: tr}
			cfg.MaxRetries, cfg.MaxRetryAfter, cfg.Backoff = tt.maxRetries, tt.maxRetryAfter, base
			var told []product.Wait
			cfg.Waiting = func(w product.Wait) { told = append(told, w) }
			res, err := product.NewCaller(cfg).Do(t.Context(), product.Request{Method: tt.method, URL: a.url(t, "/99/projects.json")}, lg.tokens)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if res.Response.StatusCode != tt.wantStatus || res.Attempts != tt.wantAttempts {
				t.Errorf("HTTP %d after %d attempts, want %d after %d", res.Response.StatusCode, res.Attempts, tt.wantStatus, tt.wantAttempts)
			}
			if n := len(a.requests()); n != tt.wantAttempts {
				t.Errorf("the API saw %d requests, want %d", n, tt.wantAttempts)
			}
			if _, open := tr.counts(); open != 1 {
				t.Errorf("%d answers left open, want only the one returned", open)
			}
			if got := body(t, res); got != tt.wantBody {
				t.Errorf("body %q, want %q", got, tt.wantBody)
			}
			if res.Refreshed || res.RefreshErr != nil {
				t.Errorf("refreshed %v (%v) without being told the token expired", res.Refreshed, res.RefreshErr)
			}
			if len(told) != len(tt.wantWaits) {
				t.Fatalf("Waiting was told %+v, want %d waits", told, len(tt.wantWaits))
			}
			waits := clk.Waits()
			if len(waits) != len(tt.wantWaits) {
				t.Fatalf("slept %v, want %d waits", waits, len(tt.wantWaits))
			}
			for i, w := range tt.wantWaits {
				got := told[i]
				if got.Status != w.status || got.RetryAfter != w.retryAfter || got.Attempt != i+1 || got.Host != a.url(t, "").Host {
					t.Errorf("wait %d: %+v, want status %d, RetryAfter %v, attempt %d", i, got, w.status, w.retryAfter, i+1)
				}
				if w.backoff.n == 0 && got.For != w.exact || w.backoff.n != 0 && !w.backoff.holds(got.For) {
					t.Errorf("wait %d for %v, want %v %+v", i, got.For, w.exact, w.backoff)
				}
				if waits[i] != got.For {
					t.Errorf("slept %v where Waiting was told %v", waits[i], got.For)
				}
			}
		})
	}
}

// expiredAnswer is a product's 401 for an expired OAuth token.
var expiredAnswer = answer(http.StatusUnauthorized, http.Header{"Content-Type": {"application/json"}},
	`{"error":"OAuth token Expired (old age). Refresh your token or acquire a new one at <a href=\"https://launchpad.37signals.com\">…</a>"}`)

func TestCallerRefreshesAnExpiredTokenOnce(t *testing.T) {
	long := `{"error":"Not allowed"}` + strings.Repeat(" ", 100<<10) + "end"
	tests := []struct {
		name          string
		answers       []http.HandlerFunc
		revoke        bool // Launchpad refuses the refresh token
		wantStatus    int
		wantAttempts  int
		wantRefreshes int
		wantRefreshed bool
		wantNewToken  bool // the last request carried another token than the first
		wantBody      string
	}{
		{name: "expired, refreshed, answered", answers: []http.HandlerFunc{expiredAnswer, answer(200, nil, "fine")},
			wantStatus: 200, wantAttempts: 2, wantRefreshes: 1, wantRefreshed: true, wantNewToken: true, wantBody: "fine"},
		{name: "expired even when fresh: the second 401 is the answer",
			answers:    []http.HandlerFunc{expiredAnswer, expiredAnswer, answer(200, nil, "never")},
			wantStatus: 401, wantAttempts: 2, wantRefreshes: 1, wantRefreshed: true, wantNewToken: true, wantBody: "Refresh your token"},
		{name: "refresh refused: the 401 is the answer, body whole", revoke: true,
			answers:    []http.HandlerFunc{expiredAnswer, answer(200, nil, "never")},
			wantStatus: 401, wantAttempts: 1, wantRefreshes: 1, wantRefreshed: true, wantBody: "Refresh your token"},
		{name: "a long 401 without expiry is returned whole",
			answers:    []http.HandlerFunc{answer(401, nil, long), answer(200, nil, "never")},
			wantStatus: 401, wantAttempts: 1, wantBody: long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := newLogin(t)
			if tt.revoke {
				lg.fake.RevokeAll()
			}
			a := newAPI(t, tt.answers...)
			tr := newTransport()
			cfg := config(newClock())
			cfg.HTTPClient = &http.Client{Transport: tr}
			res, err := product.NewCaller(cfg).Do(t.Context(), product.Request{Method: "GET", URL: a.url(t, "/99/my/profile.json")}, lg.tokens)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if res.Response.StatusCode != tt.wantStatus || res.Attempts != tt.wantAttempts || res.Refreshed != tt.wantRefreshed {
				t.Errorf("HTTP %d after %d attempts, refreshed %v; want %d after %d, %v",
					res.Response.StatusCode, res.Attempts, res.Refreshed, tt.wantStatus, tt.wantAttempts, tt.wantRefreshed)
			}
			if n := lg.fake.RefreshRequests(); n != tt.wantRefreshes {
				t.Errorf("%d refreshes, want %d", n, tt.wantRefreshes)
			}
			if tt.revoke != (res.RefreshErr != nil) || tt.revoke && !auth.NeedsLogin(res.RefreshErr) {
				t.Errorf("RefreshErr %v, want a dead login: %v", res.RefreshErr, tt.revoke)
			}
			got := a.requests()
			if len(got) != tt.wantAttempts {
				t.Fatalf("the API saw %d requests, want %d", len(got), tt.wantAttempts)
			}
			if got[0].auth != "Bearer "+lg.access {
				t.Errorf("first request carried %q, want the login's token", got[0].auth)
			}
			if last := got[len(got)-1].auth; tt.wantNewToken == (last == got[0].auth) || !strings.HasPrefix(last, "Bearer ") {
				t.Errorf("last request carried %q after %q; want a new token: %v", last, got[0].auth, tt.wantNewToken)
			}
			if _, open := tr.counts(); open != 1 {
				t.Errorf("%d answers left open, want only the one returned", open)
			}
			if b := body(t, res); !strings.Contains(b, tt.wantBody) || tt.wantStatus == 401 && !strings.HasPrefix(b, `{"error":`) {
				t.Errorf("body %.80q…, want %.80q", b, tt.wantBody)
			}
		})
	}
}

// hangUp drops the connection without an answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// TestCallerBrokenAnswers: an answer that breaks off is no answer.
func TestCallerBrokenAnswers(t *testing.T) {
	// cut promises more than it sends, then drops the connection.
	cut := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.WriteHeader(status)
			io.WriteString(w, `{"error":"OAuth token exp`)
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}
	}
	tests := []struct {
		name       string
		method     string
		answers    []http.HandlerFunc
		maxRetries int
		wantSent   int
		wantWaits  int
	}{
		{name: "a 401 cut short", method: "GET", answers: []http.HandlerFunc{cut(401), answer(200, nil, "")}, wantSent: 1},
		{name: "hung up on a GET: retried, then given up", method: "GET", answers: []http.HandlerFunc{hangUp},
			maxRetries: 2, wantSent: 3, wantWaits: 2},
		{name: "hung up on a POST: not retried", method: "POST", answers: []http.HandlerFunc{hangUp, answer(200, nil, "")},
			wantSent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := newLogin(t)
			a := newAPI(t, tt.answers...)
			tr := newTransport()
			clk := newClock()
			cfg := config(clk)
			cfg.HTTPClient = &http.Client{Transport: tr}
			cfg.MaxRetries = tt.maxRetries
			var told []product.Wait
			cfg.Waiting = func(w product.Wait) { told = append(told, w) }
			res, err := product.NewCaller(cfg).Do(t.Context(), product.Request{Method: tt.method, URL: a.url(t, "/x")}, lg.tokens)
			if err == nil || res != nil {
				t.Fatalf("Do = %+v, %v; want no result and an error", res, err)
			}
			if sent, open := tr.counts(); sent != tt.wantSent || open != 0 {
				t.Errorf("%d requests sent, %d answers left open; want %d and none", sent, open, tt.wantSent)
			}
			if len(told) != tt.wantWaits || len(clk.Waits()) != tt.wantWaits {
				t.Fatalf("Waiting told %+v, slept %v; want %d waits", told, clk.Waits(), tt.wantWaits)
			}
			for i, w := range told {
				if w.Status != 0 || w.RetryAfter || w.Attempt != i+1 || !(backoff{product.DefaultBackoff, i + 1}).holds(w.For) {
					t.Errorf("wait %d: %+v, want a backoff after attempt %d with no status", i, w, i+1)
				}
			}
		})
	}
}

// TestCallerStopsWhenTold: Ctrl-C (the context ending) while the caller
// waits to retry, or while a request is out, ends the call: nothing more is
// sent and nobody is told of another wait.
func TestCallerStopsWhenTold(t *testing.T) {
	tests := []struct {
		name string
		// answer is the first answer; cancel is called where the test says.
		answer        func(cancel func()) http.HandlerFunc
		cancelInSleep bool
		wantSent      int
		wantTold      int
	}{
		{name: "during a 5xx backoff", cancelInSleep: true, wantSent: 1, wantTold: 1,
			answer: func(func()) http.HandlerFunc { return answer(503, nil, "") }},
		{name: "during a 5xx Retry-After", cancelInSleep: true, wantSent: 1, wantTold: 1,
			answer: func(func()) http.HandlerFunc { return answer(503, http.Header{"Retry-After": {"10"}}, "") }},
		{name: "during a 429 Retry-After", cancelInSleep: true, wantSent: 1, wantTold: 1,
			answer: func(func()) http.HandlerFunc { return answer(429, http.Header{"Retry-After": {"10"}}, "") }},
		{name: "during the backoff after a hang-up", cancelInSleep: true, wantSent: 1, wantTold: 1,
			answer: func(func()) http.HandlerFunc { return hangUp }},
		{name: "while the request is out", wantSent: 1, wantTold: 0,
			answer: func(cancel func()) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					cancel()
					<-r.Context().Done()
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := newLogin(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			a := newAPI(t, tt.answer(cancel), answer(200, nil, "too late"))
			tr := newTransport()
			clk := newClock()
			if tt.cancelInSleep {
				clk.during = cancel
			}
			cfg := config(clk)
			cfg.HTTPClient = &http.Client{Transport: tr}
			told := 0
			cfg.Waiting = func(product.Wait) { told++ }
			res, err := product.NewCaller(cfg).Do(ctx, product.Request{Method: "GET", URL: a.url(t, "/x")}, lg.tokens)
			if !errors.Is(err, context.Canceled) || res != nil {
				t.Fatalf("Do = %+v, %v; want context.Canceled", res, err)
			}
			if sent, open := tr.counts(); sent != tt.wantSent || open != 0 {
				t.Errorf("%d requests sent, %d answers open; want %d, none", sent, open, tt.wantSent)
			}
			if told != tt.wantTold {
				t.Errorf("Waiting told %d times, want %d", told, tt.wantTold)
			}
		})
	}
}

// TestCallerWaitsOutThePausedHost: a 429 elsewhere holds this request too,
// and Ctrl-C during that wait sends nothing.
func TestCallerWaitsOutThePausedHost(t *testing.T) {
	lg := newLogin(t)
	a := newAPI(t)
	tr := newTransport()
	clk := newClock()
	cfg := config(clk)
	cfg.HTTPClient = &http.Client{Transport: tr}
	u := a.url(t, "/x")
	cfg.Hosts.Pause(u.Host, clk.Now().Add(42*time.Second))
	c := product.NewCaller(cfg)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if res, err := c.Do(ctx, product.Request{Method: "GET", URL: u}, lg.tokens); !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Do after Ctrl-C = %+v, %v; want context.Canceled", res, err)
	}
	if sent, _ := tr.counts(); sent != 0 {
		t.Fatalf("%d requests sent after Ctrl-C", sent)
	}

	res, err := c.Do(t.Context(), product.Request{Method: "GET", URL: u}, lg.tokens)
	if err != nil {
		t.Fatal(err)
	}
	body(t, res)
	if w := clk.Waits(); len(w) != 1 || w[0] != 42*time.Second {
		t.Errorf("slept %v, want the host's 42s pause", w)
	}
}

// TestCallerNeedsAToken: a login Launchpad no longer accepts sends nothing.
func TestCallerNeedsAToken(t *testing.T) {
	lg := newLogin(t)
	lg.fake.RevokeAll()
	lg.fake.ExpireAccessTokens()
	// The source only finds out when it refreshes: make it due.
	stale, err := lg.tokens.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	stale.Expiry = time.Now().Add(-time.Hour)
	ts := lg.client.TokenSource(stale, nil)
	a := newAPI(t)
	res, err := product.NewCaller(config(newClock())).Do(t.Context(), product.Request{Method: "GET", URL: a.url(t, "/x")}, ts)
	if err == nil || res != nil {
		t.Fatalf("Do = %+v, %v; want the refresh's error", res, err)
	}
	if n := len(a.requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}
}

// TestCallerUsesATokenItCouldNotSave: a refreshed token that could not be
// saved is still the login's, and is sent.
func TestCallerUsesATokenItCouldNotSave(t *testing.T) {
	lg := newLogin(t)
	stale, err := lg.tokens.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	stale.Expiry = time.Now().Add(time.Minute) // within the refresh window
	ts := lg.client.TokenSource(stale, func(context.Context, *oauth2.Token) error { return errors.New("disk full") })
	a := newAPI(t)
	res, err := product.NewCaller(config(newClock())).Do(t.Context(), product.Request{Method: "GET", URL: a.url(t, "/x")}, ts)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	body(t, res)
	got := a.requests()
	if len(got) != 1 || got[0].auth == "Bearer "+stale.AccessToken || got[0].auth == "" {
		t.Errorf("requests %+v, want one with the refreshed token", got)
	}
}

func TestCallerRequest(t *testing.T) {
	const payload = `{"name":"Launch"}`
	errOpen := errors.New("the file is gone")
	tests := []struct {
		name       string
		method     string
		header     http.Header
		body       func(opened *int) func() (io.ReadCloser, error)
		length     int64
		userAgent  string
		wantErr    error
		wantSent   int
		wantLength int64 // as the API saw it; -1 for chunked
		wantAgent  string
	}{
		{name: "headers go along, but never another User-Agent or Authorization", method: "GET",
			header:   http.Header{"Accept": {"application/json"}, "User-Agent": {"curl"}, "Authorization": {"Basic eDp4"}, "X-Trace": {"a", "b"}},
			wantSent: 1, wantAgent: "bcauth-test (test@example.com)"},
		{name: "a default User-Agent", method: "GET", userAgent: "-", wantSent: 1, wantAgent: auth.DefaultUserAgent()},
		{name: "a body of known length", method: "POST", length: int64(len(payload)),
			body: func(opened *int) func() (io.ReadCloser, error) {
				return func() (io.ReadCloser, error) { *opened++; return io.NopCloser(strings.NewReader(payload)), nil }
			},
			wantSent: 1, wantLength: int64(len(payload)), wantAgent: "bcauth-test (test@example.com)"},
		{name: "a body of unknown length", method: "PUT", length: -1,
			body: func(opened *int) func() (io.ReadCloser, error) {
				return func() (io.ReadCloser, error) { *opened++; return io.NopCloser(strings.NewReader(payload)), nil }
			},
			wantSent: 1, wantLength: -1, wantAgent: "bcauth-test (test@example.com)"},
		{name: "a body that cannot be opened", method: "POST", length: 3, wantErr: errOpen,
			body: func(opened *int) func() (io.ReadCloser, error) {
				return func() (io.ReadCloser, error) { *opened++; return nil, errOpen }
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := newLogin(t)
			a := newAPI(t)
			tr := newTransport()
			cfg := config(newClock())
			cfg.HTTPClient = &http.Client{Transport: tr}
			if tt.userAgent == "-" {
				cfg.UserAgent = ""
			}
			opened := 0
			req := product.Request{Method: tt.method, URL: a.url(t, "/x"), Header: tt.header, ContentLength: tt.length}
			if tt.body != nil {
				req.Body = tt.body(&opened)
			}
			var header http.Header
			if tt.header != nil {
				header = tt.header.Clone()
			}
			res, err := product.NewCaller(cfg).Do(t.Context(), req, lg.tokens)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || res != nil {
					t.Fatalf("Do = %+v, %v; want %v", res, err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Do: %v", err)
			} else {
				body(t, res)
			}
			if sent, _ := tr.counts(); sent != tt.wantSent {
				t.Fatalf("%d requests sent, want %d", sent, tt.wantSent)
			}
			if tt.body != nil && opened != 1 {
				t.Errorf("body opened %d times, want once", opened)
			}
			if tt.header != nil && !equalHeader(tt.header, header) {
				t.Errorf("Do changed the request's header to %v", tt.header)
			}
			if tt.wantSent == 0 {
				return
			}
			got := a.requests()[0]
			if got.method != tt.method || got.auth != "Bearer "+lg.access || got.userAgent != tt.wantAgent {
				t.Errorf("sent %s with %q as %q; want %s with the login's token as %q", got.method, got.auth, got.userAgent, tt.method, tt.wantAgent)
			}
			for k, vs := range tt.header {
				if k == "User-Agent" || k == "Authorization" {
					continue
				}
				if g := got.header.Values(k); strings.Join(g, ",") != strings.Join(vs, ",") {
					t.Errorf("header %s: %q, want %q", k, g, vs)
				}
			}
			if tt.body != nil && got.body != payload {
				t.Errorf("body %q, want %q", got.body, payload)
			}
			wantLength := strconv.FormatInt(tt.wantLength, 10)
			if tt.wantLength < 0 {
				wantLength = ""
			}
			if tt.body != nil && got.header.Get("Content-Length") != wantLength {
				t.Errorf("Content-Length %q, want %q", got.header.Get("Content-Length"), wantLength)
			}
		})
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, vs := range a {
		if strings.Join(vs, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}
