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

// TestAPIEndsItsLineOnATerminal: an answer without a final line break
// gets one on a terminal, where the prompt would follow on its last line,
// and keeps its bytes as they came when piped.
func TestAPIEndsItsLineOnATerminal(t *testing.T) {
	for _, pretty := range []bool{true, false} {
		t.Run(map[bool]string{true: "terminal", false: "piped"}[pretty], func(t *testing.T) {
			e := newCLIEnv(t, cliOpts{})
			e.Fake.ScriptAPI(99999999, "bc3", launchpadtest.ProductAnswer{Status: http.StatusOK, ContentType: "text/plain", Body: "<projects/>"})
			r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", Pretty: pretty})
			want := "<projects/>"
			if pretty {
				want += "\n"
			}
			if r.code != 0 || r.stdout != want {
				t.Errorf("exit %d, stdout %q, want %q\n%s", r.code, r.stdout, want, r.stderr)
			}
		})
	}
}

// TestAPIJQSaysWhatIsWrongAndWhere: a --jq expression gojq cannot parse
// is named with the place it goes wrong, and nothing is sent.
func TestAPIJQSaysWhatIsWrongAndWhere(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	for _, tc := range []struct{ expr, want string }{
		{".[", `at its end, where it stops too early (after ".[")`},
		{".a ]", `at character 4, "]", which cannot come there (after ".a ")`},
	} {
		before := len(e.Fake.ProductRequests())
		r := e.api(t, nil, APIOptions{Account: "99999999", Path: "/projects.json", JQ: tc.expr})
		if r.code != ExitMisconfigured || !strings.Contains(r.stderr, tc.want) || len(e.Fake.ProductRequests()) != before {
			t.Errorf("--jq %q: exit %d, stderr %q; want exit 2, %q, nothing sent", tc.expr, r.code, r.stderr, tc.want)
		}
	}
}
