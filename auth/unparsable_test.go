package auth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"bcauth/auth"
	"bcauth/auth/launchpadtest"
)

// unparsableAnswers are 200 answers from the token endpoint that hold no
// token bcauth can read, and the line of each a person should be shown.
var unparsableAnswers = []struct {
	name  string
	fault launchpadtest.Fault
	line  string
}{
	{"an HTML page", launchpadtest.Fault{Status: http.StatusOK, ContentType: "text/html; charset=utf-8",
		Body: "<!DOCTYPE html>\n<html><head><title>Sign in to the proxy</title></head>\n<body>\x1b[2Jgo away</body></html>"}, "Sign in to the proxy"},
	{"expires_in as a string", launchpadtest.Fault{Status: http.StatusOK, ContentType: "application/json",
		Body: `{"access_token":"BAhbAAA","expires_in":"two weeks","refresh_token":"BAhbBBB"}`}, `{"access_token":"…","expires_in":"two weeks","refresh_token":"…"}`},
	{"expires_in as a float", launchpadtest.Fault{Status: http.StatusOK, ContentType: "application/json",
		Body: `{"access_token":"BAh\"bAAA","expires_in":1209600.5}`}, `{"access_token":"…","expires_in":1209600.5}`},
	{"a token in a form, without a number", launchpadtest.Fault{Status: http.StatusOK, ContentType: "application/x-www-form-urlencoded",
		Body: "refresh_token=BAhbBBB&expires_in=soon"}, "refresh_token=…&expires_in=soon"},
	{"a token no header can carry", launchpadtest.Fault{Status: http.StatusOK, ContentType: "application/json",
		Body: `{"access_token":"BAhbAAA \u001b]52;c;eA==\u0007","expires_in":1209600}`}, "a token with characters a token cannot have"},
	{"plain text", launchpadtest.Fault{Status: http.StatusOK, ContentType: "text/plain",
		Body: "\n  Service moved\u202e elsewhere\nsecond line"}, "Service moved elsewhere"},
	// A terminal would follow the link or obey the colour: each escape
	// goes whole, its payload with it.
	{"terminal escapes", launchpadtest.Fault{Status: http.StatusOK, ContentType: "text/plain",
		Body: "\x1b]8;;https://evil.example/\x07Launchpad is down\x1b]8;;\x07 \x1b[31mfor maintenance\x1b[0m\u009b2J"}, "Launchpad is down for maintenance"},
	{"a long line with tabs", launchpadtest.Fault{Status: http.StatusOK, ContentType: "text/plain",
		Body: "Proxy\terror:\t" + strings.Repeat("é", 300)}, "Proxy error: " + strings.Repeat("é", 200-len("Proxy error: ")) + "…"},
}

// TestAnUnparsableTokenAnswerIsNamed: Launchpad (or whatever answers in
// its place) says 200 with something that is no token. That is neither a
// network failure nor a success: the terminal and the browser's page both
// say Launchpad answered something bcauth does not understand, and show
// its first line, cleaned.
func TestAnUnparsableTokenAnswerIsNamed(t *testing.T) {
	for _, tc := range unparsableAnswers {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, setup{})
			l, ln := h.start(t)
			loc := h.approve(t, l)
			tc.fault.Times = 1
			h.fake.InjectFault(launchpadtest.EndpointToken, tc.fault)
			browser := h.browser.goBrowse(t.Context(), http.MethodGet, loc)
			tok, err := ln.Wait(t.Context())
			b := <-browser
			if b.err != nil {
				t.Fatal(b.err)
			}
			if tok != nil {
				t.Fatalf("Wait: a token from an answer bcauth cannot read: %+v", tok)
			}
			le := asLaunchpad(t, err)
			if le.Kind != auth.KindUnexpected || le.Status != http.StatusOK || le.Text != tc.line || le.Op != auth.OpExchange || auth.Temporary(err) {
				t.Errorf("Wait: %#v, want an unexpected answer (200) with the text %q", le, tc.line)
			}
			if !strings.Contains(err.Error(), "does not understand") || strings.Contains(err.Error(), "reach") {
				t.Errorf("Wait: %q, want it to say bcauth does not understand the answer", err)
			}
			if strings.Contains(err.Error()+b.page.body, "bAAA") || strings.Contains(err.Error()+b.page.body, "BAhbBBB") {
				t.Errorf("a token in the answer is shown: %q, page %q", err, b.page.body)
			}
			if b.page.status == http.StatusOK || strings.Contains(b.page.title, "connected") ||
				!strings.Contains(b.page.message, "does not understand") || !strings.Contains(b.page.message, tc.line) {
				t.Errorf("page %d %q: %q; want a failure that names the answer %q", b.page.status, b.page.title, b.page.message, tc.line)
			}

			// The refresh meets the same answer the same way.
			h.fake.InjectFault(launchpadtest.EndpointToken, tc.fault)
			_, refresh, _ := h.fake.IssueToken()
			_, err = h.client.Refresh(t.Context(), refresh)
			if le := asLaunchpad(t, err); le.Kind != auth.KindUnexpected || le.Op != auth.OpRefresh || le.Text != tc.line {
				t.Errorf("Refresh: %#v, want an unexpected answer with the text %q", le, tc.line)
			}
		})
	}
}

// TestATokenAnswerCutShortIsTemporary: a 200 from the token endpoint that
// breaks off is a broken connection, as if no answer had come: worth
// trying again, not an answer bcauth misread.
func TestATokenAnswerCutShortIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "500")
		io.WriteString(w, `{"access_token":"BAhbAAA","expires_in":1209600,"refresh_token":"BA`)
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	c, err := auth.New(auth.Config{ClientID: "id", ClientSecret: "secret", LaunchpadURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		op   auth.Op
		call func() (*oauth2.Token, error)
	}{
		{op: auth.OpExchange, call: func() (*oauth2.Token, error) { return c.Exchange(t.Context(), "a-code") }},
		{op: auth.OpRefresh, call: func() (*oauth2.Token, error) { return c.Refresh(t.Context(), "a-refresh-token") }},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			tok, err := tt.call()
			if tok != nil {
				t.Fatalf("a token from half an answer: %+v", tok)
			}
			le := asLaunchpad(t, err)
			if le.Kind != auth.KindRetry || le.Status != 0 || le.Op != tt.op || !auth.Temporary(err) || auth.NeedsLogin(err) {
				t.Errorf("%#v, want a temporary failure with no status", le)
			}
			if strings.Contains(err.Error(), "BAhb") {
				t.Errorf("%q shows a token", err)
			}
		})
	}
}
