package cli

import (
	"net/http"
	"strings"
	"testing"

	"bcauth/auth/launchpadtest"
)

// TestAPINeverPrintsAnEchoedToken: a product that echoes the bearer token
// in a header and in an error answer. --include, the answer on stdout and
// the quote on stderr show its words without the token.
func TestAPINeverPrintsAnEchoedToken(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	tok := e.Current(t).Token.AccessToken
	e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.ProductAnswer{
		Status: http.StatusForbidden, ContentType: "application/json",
		Body:   `{"error":"echo Bearer ` + tok + `"}`,
		Header: http.Header{"X-Echo": {"Bearer " + tok}},
	})
	r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/people.json", Include: true})
	if r.code == 0 || !strings.Contains(r.stdout, "X-Echo: Bearer [redacted]") || !strings.Contains(r.stderr, "echo Bearer [redacted]") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, tok) {
		t.Errorf("the token was printed:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
}
