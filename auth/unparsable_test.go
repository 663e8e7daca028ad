package auth_test

import (
	"net/http"
	"strings"
	"testing"

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
